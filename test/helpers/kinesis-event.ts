/**
 * Kinesis data streams for handler tests: CloudWatch Logs subscription
 * payloads (gzipped JSON, as a subscription filter with a Kinesis destination
 * writes them) put into a real stream on the emulator, read back shard by
 * shard with GetRecords, and shaped into the Lambda events an event source
 * mapping would deliver.
 */
import { gzipSync } from 'node:zlib';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { EMULATOR_REGION } from '../integration/emulator.ts';

/** A record as read back from a shard. */
export interface ShardRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly arrival: number;
}

/** Creates a stream of `shards` shards and returns its ARN. */
export async function createStream(
  client: KinesisClient,
  name: string,
  shards: number,
): Promise<string> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
  return summary.StreamDescriptionSummary?.StreamARN ?? '';
}

/** Puts payloads (each the JSON of one subscription payload, or raw bytes) with their partition keys. */
export async function putPayloads(
  client: KinesisClient,
  streamName: string,
  payloads: readonly { readonly partitionKey: string; readonly payload: unknown }[],
): Promise<void> {
  for (let start = 0; start < payloads.length; start += 500) {
    const output = await client.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: payloads.slice(start, start + 500).map(({ partitionKey, payload }) => ({
          PartitionKey: partitionKey,
          Data: Buffer.isBuffer(payload) ? payload : gzipSync(JSON.stringify(payload)),
        })),
      }),
    );
    if ((output.FailedRecordCount ?? 0) > 0) throw new Error('PutRecords: some records failed');
  }
}

/** Every record of every shard, per shard in sequence order. */
export async function readShards(
  client: KinesisClient,
  streamName: string,
): Promise<Map<string, ShardRecord[]>> {
  const shards = await client.send(new ListShardsCommand({ StreamName: streamName }));
  const result = new Map<string, ShardRecord[]>();
  for (const shard of shards.Shards ?? []) {
    const shardId = shard.ShardId ?? '';
    const iterator = await client.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const records: ShardRecord[] = [];
    let next = iterator.ShardIterator;
    while (next !== undefined) {
      const output = await client.send(new GetRecordsCommand({ ShardIterator: next }));
      for (const record of output.Records ?? []) {
        records.push({
          shardId,
          sequenceNumber: record.SequenceNumber ?? '',
          partitionKey: record.PartitionKey ?? '',
          data: record.Data ?? new Uint8Array(),
          arrival: record.ApproximateArrivalTimestamp?.getTime() ?? 0,
        });
      }
      if ((output.Records ?? []).length === 0) break;
      next = output.NextShardIterator;
    }
    result.set(shardId, records);
  }
  return result;
}

/** The Lambda event an event source mapping delivers for `records` of `streamArn`. */
export function kinesisEvent(
  streamArn: string,
  records: readonly ShardRecord[],
): KinesisStreamEvent {
  return {
    Records: records.map(
      (record): KinesisStreamRecord => ({
        awsRegion: EMULATOR_REGION,
        eventID: `${record.shardId}:${record.sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        eventSource: 'aws:kinesis',
        eventSourceARN: streamArn,
        eventVersion: '1.0',
        invokeIdentityArn: 'arn:aws:iam::123456789012:role/tunnelwatch-alert-function',
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: record.partitionKey,
          sequenceNumber: record.sequenceNumber,
          data: Buffer.from(record.data).toString('base64'),
          approximateArrivalTimestamp: record.arrival / 1000,
        },
      }),
    ),
  };
}

/** Splits a shard's records into event-source-mapping batches of at most `size`. */
export function batchesOf<T>(records: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < records.length; start += size) {
    batches.push(records.slice(start, start + size));
  }
  return batches;
}
