/**
 * Reading a failed batch back from the Kinesis data stream (`tunnelwatch
 * redrive` on a Kinesis on-failure record, which names the shard and the
 * sequence-number range but carries no data). Records are only there for
 * the stream's retention period (24 hours unless raised).
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  type KinesisClientConfig,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisBatchInfo } from './dead-letter-queue.ts';

/** One record read back: its sequence number and its data as base64 (the Lambda event's form). */
export interface StoredKinesisRecord {
  readonly sequenceNumber: string;
  readonly data: string;
}

/** Records asked for per GetRecords call. */
const GET_RECORDS_LIMIT = 1000;
/** GetRecords calls before giving up on reaching the end sequence number. */
const MAX_CALLS = 1000;

/**
 * A Kinesis client over HTTP/1.1. The SDK's default handler for Kinesis is
 * HTTP/2 (for SubscribeToShard, which tunnelwatch does not use), which plain
 * `http://` endpoints such as the local emulator refuse with a protocol error.
 */
export function kinesisClient(config: KinesisClientConfig = {}): KinesisClient {
  return new KinesisClient({ ...config, requestHandler: new NodeHttpHandler() });
}

/** The stream name of `arn:aws:kinesis:<region>:<account>:stream/<name>`. */
export function streamNameOfArn(streamArn: string): string {
  const slash = streamArn.indexOf(':stream/');
  if (slash < 0) throw new Error(`not a Kinesis stream ARN: ${JSON.stringify(streamArn)}`);
  return streamArn.slice(slash + ':stream/'.length);
}

/**
 * The records of `batch`, from its start to its end sequence number inclusive,
 * in shard order. Throws (the SDK's error) when the range has expired from the
 * stream or the shard is gone.
 */
export async function readKinesisBatch(
  client: KinesisClient,
  batch: KinesisBatchInfo,
): Promise<StoredKinesisRecord[]> {
  const end = BigInt(batch.endSequenceNumber);
  const iterator = await client.send(
    new GetShardIteratorCommand({
      StreamName: streamNameOfArn(batch.streamArn),
      ShardId: batch.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      StartingSequenceNumber: batch.startSequenceNumber,
    }),
  );
  const records: StoredKinesisRecord[] = [];
  let next = iterator.ShardIterator;
  for (let call = 0; next !== undefined && call < MAX_CALLS; call++) {
    const output = await client.send(
      new GetRecordsCommand({ ShardIterator: next, Limit: GET_RECORDS_LIMIT }),
    );
    for (const record of output.Records ?? []) {
      const sequenceNumber = record.SequenceNumber ?? '';
      if (BigInt(sequenceNumber) > end) return records;
      records.push({
        sequenceNumber,
        data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
      });
    }
    if ((output.Records ?? []).length === 0 && (output.MillisBehindLatest ?? 0) === 0) break;
    next = output.NextShardIterator;
  }
  return records;
}
