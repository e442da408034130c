/**
 * The dead-letter queue (`DEAD_LETTER_QUEUE_URL`): poison payloads sent by the
 * handler, and Lambda's asynchronous on-failure records (the same queue is the
 * function's on-failure destination). Writing, reading and recognising both.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { KinesisRecordRef } from './kinesis-processor.ts';
import type { PoisonReason } from './subscription-payload.ts';

/** The raw payload kept in a poison record is cut to this many bytes. */
export const POISON_PAYLOAD_BYTES = 200 * 1024;

/** `kind` of the records the handler writes. */
export const POISON_RECORD_KIND = 'tunnelwatch.poison-payload';

/** What the handler sends to the DLQ for a payload that can never be processed. */
export interface PoisonRecord {
  readonly kind: typeof POISON_RECORD_KIND;
  readonly reason: PoisonReason;
  /** The decoder's complaint: which field, what was found. */
  readonly detail: string;
  /** ISO 8601 UTC. */
  readonly receivedAt: string;
  readonly requestId?: string;
  /** The Lambda event as received (its JSON), cut to `POISON_PAYLOAD_BYTES`. */
  readonly payload: string;
  /** Size of the whole JSON of the event, bytes. */
  readonly payloadBytes: number;
  /** True when `payload` was cut: such a record cannot be replayed. */
  readonly truncated: boolean;
  /** Where the payload sat when it came from a Kinesis stream (ingestion mode `kinesis`). */
  readonly kinesis?: KinesisRecordRef;
}

/** Builds the poison record of `event`. */
export function poisonRecord(
  event: unknown,
  reason: PoisonReason,
  detail: string,
  options: {
    readonly now?: number;
    readonly requestId?: string;
    readonly kinesis?: KinesisRecordRef;
  } = {},
): PoisonRecord {
  const json = safeJson(event);
  const bytes = Buffer.from(json);
  const truncated = bytes.length > POISON_PAYLOAD_BYTES;
  return {
    kind: POISON_RECORD_KIND,
    reason,
    detail,
    receivedAt: new Date(options.now ?? Date.now()).toISOString(),
    ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
    payload: truncated ? bytes.subarray(0, POISON_PAYLOAD_BYTES).toString('utf8') : json,
    payloadBytes: bytes.length,
    truncated,
    ...(options.kinesis === undefined ? {} : { kinesis: options.kinesis }),
  };
}

function safeJson(event: unknown): string {
  try {
    return JSON.stringify(event) ?? String(event);
  } catch {
    return String(event);
  }
}

/** Sends a poison record to the queue (message attributes `kind` and `reason` for filtering). */
export async function sendPoisonRecord(
  client: SQSClient,
  queueUrl: string,
  record: PoisonRecord,
): Promise<void> {
  await client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(record),
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: record.kind },
        reason: { DataType: 'String', StringValue: record.reason },
      },
    }),
  );
}

/**
 * `KinesisBatchInfo` of the on-failure record a Kinesis event source mapping
 * sends once a batch's retries are exhausted: the records themselves are not
 * in it, only where they are in the stream.
 */
export interface KinesisBatchInfo {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly streamArn: string;
  readonly batchSize?: number;
}

/** A dead letter, recognised. */
export type DeadLetter =
  /** Lambda's on-failure record: `requestPayload` is the original event. */
  | { readonly kind: 'invocation-failure'; readonly event: unknown; readonly condition?: string }
  /** A Kinesis event source mapping's on-failure record: the batch is read back from the stream. */
  | {
      readonly kind: 'kinesis-batch-failure';
      readonly batch: KinesisBatchInfo;
      readonly condition?: string;
    }
  /** A poison record; `event` is absent when the payload was truncated. */
  | { readonly kind: 'poison'; readonly record: PoisonRecord; readonly event?: unknown }
  | { readonly kind: 'unrecognised'; readonly why: string };

/** Recognises a DLQ message body. */
export function readDeadLetter(body: string | undefined): DeadLetter {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return { kind: 'unrecognised', why: 'body is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return { kind: 'unrecognised', why: 'body is not a JSON object' };
  }
  const record = parsed as Record<string, unknown>;
  if (record.kind === POISON_RECORD_KIND && typeof record.payload === 'string') {
    const poison = record as unknown as PoisonRecord;
    if (poison.truncated) return { kind: 'poison', record: poison };
    try {
      return { kind: 'poison', record: poison, event: JSON.parse(poison.payload) as unknown };
    } catch {
      return { kind: 'poison', record: poison };
    }
  }
  const context = isObject(record.requestContext) ? record.requestContext : undefined;
  const condition = typeof context?.condition === 'string' ? context.condition : undefined;
  const batch = isObject(record.KinesisBatchInfo) ? record.KinesisBatchInfo : undefined;
  if (batch !== undefined && context !== undefined) {
    const { shardId, startSequenceNumber, endSequenceNumber, streamArn, batchSize } = batch;
    if (
      typeof shardId !== 'string' ||
      typeof startSequenceNumber !== 'string' ||
      typeof endSequenceNumber !== 'string' ||
      typeof streamArn !== 'string'
    ) {
      return {
        kind: 'unrecognised',
        why: 'KinesisBatchInfo: expected shardId, startSequenceNumber, endSequenceNumber and streamArn strings',
      };
    }
    return {
      kind: 'kinesis-batch-failure',
      batch: {
        shardId,
        startSequenceNumber,
        endSequenceNumber,
        streamArn,
        ...(typeof batchSize === 'number' ? { batchSize } : {}),
      },
      ...(condition === undefined ? {} : { condition }),
    };
  }
  if ('requestPayload' in record && typeof record.requestContext === 'object') {
    return {
      kind: 'invocation-failure',
      event: record.requestPayload,
      ...(condition === undefined ? {} : { condition }),
    };
  }
  return { kind: 'unrecognised', why: 'neither a Lambda on-failure record nor a poison record' };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Receives up to `max` messages (≤ 10 per call), hidden for `visibilitySeconds`. */
export async function receiveDeadLetters(
  client: SQSClient,
  queueUrl: string,
  max: number,
  visibilitySeconds: number,
): Promise<Message[]> {
  const output = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.max(1, Math.min(10, max)),
      VisibilityTimeout: visibilitySeconds,
      WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'],
    }),
  );
  return output.Messages ?? [];
}

/** Deletes a message that was handled. */
export async function deleteDeadLetter(
  client: SQSClient,
  queueUrl: string,
  receiptHandle: string,
): Promise<void> {
  await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
}

/** Makes a message visible again at once (it stays on the queue for the next redrive). */
export async function releaseDeadLetter(
  client: SQSClient,
  queueUrl: string,
  receiptHandle: string,
): Promise<void> {
  await client.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl,
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: 0,
    }),
  );
}
