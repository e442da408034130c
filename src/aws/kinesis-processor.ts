/**
 * What the alert function does with one Kinesis event (ingestion mode
 * `kinesis`): each record's data is one CloudWatch Logs subscription payload
 * (gzip of the JSON, base64 in the Lambda event, exactly as `awslogs.data` in
 * the direct path), decoded and run through `processSubscriptionData`, the
 * direct path's processing.
 *
 * - The records of one log stream (of one account and region: source accounts
 *   may name their log groups and streams alike) in a batch are run through the pipeline
 *   together, their log events in shard order (one state read and one
 *   conditional write for the lot instead of one per record); different log
 *   streams run concurrently (state is keyed by what it is about, and the
 *   store's conditional writes settle races).
 * - A poison record (bad base64, gzip, JSON or shape) is dead-lettered with
 *   its reason and its Kinesis coordinates and counts as handled: a retry
 *   cannot fix it, and reporting it would hold the shard back for every retry.
 *   If the dead-letter write itself fails, the record is reported failed.
 * - When a log stream's run fails (store error, alerts not published), each
 *   of its records in the batch is reported in `batchItemFailures`: Lambda
 *   resumes the shard from the lowest failed sequence number, so the stream's
 *   order is kept on the retry. Other log streams go on.
 *
 * Redelivery (a retried batch, bisected halves, a resharded stream) is safe:
 * each record's outbox key and the pipeline's processed-event bookkeeping are
 * the direct path's, so no alert is raised twice.
 */
import type { KinesisStreamBatchResponse } from 'aws-lambda';
import {
  decodeSubscriptionData,
  PoisonPayloadError,
  regionOfSubscription,
  type SubscriptionData,
} from './subscription-payload.ts';
import {
  type ProcessOutcome,
  type ProcessorDeps,
  processSubscriptionData,
} from './subscription-processor.ts';

/** Where a Kinesis record sits: enough to read it again from the stream. */
export interface KinesisRecordRef {
  /** `arn:aws:kinesis:<region>:<account>:stream/<name>` */
  readonly eventSourceARN: string;
  /** `shardId-000000000000` (from the record's `eventID`). */
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
}

/** One record of a Kinesis Lambda event, as far as the handler reads it. */
interface KinesisRecordLike {
  readonly eventID?: unknown;
  readonly eventSourceARN?: unknown;
  readonly kinesis?: {
    readonly data?: unknown;
    readonly sequenceNumber?: unknown;
    readonly partitionKey?: unknown;
  };
}

/** Most log streams of one batch processed at the same time. */
export const KINESIS_STREAM_CONCURRENCY = 8;

/** Everything `processKinesisEvent` uses: the direct path's deps, with a record-aware poison sink. */
export interface KinesisProcessorDeps extends Omit<ProcessorDeps, 'onPoison'> {
  /**
   * Dead-letters a poison record. `event` is the record's payload in the
   * direct path's shape (`{"awslogs":{"data":…}}`), so a redrive replays it
   * as any other; a throw makes the record a batch item failure.
   */
  readonly onPoison: (
    event: { readonly awslogs: { readonly data: string } },
    record: KinesisRecordRef,
    error: PoisonPayloadError,
  ) => Promise<void>;
  /** @default KINESIS_STREAM_CONCURRENCY */
  readonly concurrency?: number;
}

/** What happened to one record. */
export type KinesisRecordOutcome =
  | (ProcessOutcome & { readonly record: KinesisRecordRef })
  | {
      readonly kind: 'failed';
      readonly record: KinesisRecordRef;
      /** The error of its log stream's run. */
      readonly why: string;
    };

/** The outcome of one Kinesis event. */
export interface KinesisBatchOutcome {
  /** The partial batch response Lambda reads (`ReportBatchItemFailures`). */
  readonly response: KinesisStreamBatchResponse;
  /** Per record, in the event's order. */
  readonly records: readonly KinesisRecordOutcome[];
}

/** Thrown for an event that is not a Kinesis event at all (no `Records` array): the invocation fails. */
export class NotKinesisEventError extends Error {
  override readonly name = 'NotKinesisEventError';
}

/** The coordinates of a record (the shard id is the part of `eventID` before the colon). */
export function kinesisRecordRef(record: KinesisRecordLike): KinesisRecordRef {
  const eventId = typeof record.eventID === 'string' ? record.eventID : '';
  const colon = eventId.indexOf(':');
  return {
    eventSourceARN: typeof record.eventSourceARN === 'string' ? record.eventSourceARN : '',
    shardId: colon > 0 ? eventId.slice(0, colon) : '',
    sequenceNumber: stringOr(record.kinesis?.sequenceNumber, ''),
    partitionKey: stringOr(record.kinesis?.partitionKey, ''),
  };
}

/** Processes a Kinesis event; never throws for one record's sake (see the module comment). */
export async function processKinesisEvent(
  event: unknown,
  deps: KinesisProcessorDeps,
): Promise<KinesisBatchOutcome> {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) {
    throw new NotKinesisEventError('expected a Kinesis event: {"Records":[{"kinesis":{…}}, …]}');
  }
  const outcomes: KinesisRecordOutcome[] = new Array(records.length);
  /** Decoded records grouped by log stream, in shard order. */
  const streams = new Map<string, { index: number; data: SubscriptionData }[]>();
  for (let index = 0; index < records.length; index++) {
    const raw = (records[index] ?? {}) as KinesisRecordLike;
    const ref = kinesisRecordRef(raw);
    const data = raw.kinesis?.data;
    let decoded: SubscriptionData;
    try {
      if (typeof data !== 'string') {
        throw new PoisonPayloadError('not-awslogs-event', 'kinesis.data: expected a base64 string');
      }
      decoded = decodeSubscriptionData(data);
    } catch (error) {
      if (!(error instanceof PoisonPayloadError)) throw error;
      outcomes[index] = await deadLetter(ref, typeof data === 'string' ? data : '', error, deps);
      continue;
    }
    // A stream is an account's (and region's): source accounts may name their
    // log groups and streams alike, and one run is one stream (see `streamBatchOf`).
    const key = [
      decoded.owner,
      regionOfSubscription(decoded) ?? '',
      decoded.logGroup,
      decoded.logStream,
    ].join('\n');
    const group = streams.get(key) ?? [];
    group.push({ index, data: decoded });
    streams.set(key, group);
  }
  const refOf = (index: number) => kinesisRecordRef((records[index] ?? {}) as KinesisRecordLike);
  const groups = [...streams.values()];
  const runGroup = async (group: { index: number; data: SubscriptionData }[]) => {
    const data: { index: number; data: SubscriptionData }[] = [];
    for (const entry of group) {
      if (entry.data.messageType === 'CONTROL_MESSAGE') {
        outcomes[entry.index] = { kind: 'control', record: refOf(entry.index) };
      } else {
        data.push(entry);
      }
    }
    const first = data[0];
    if (first === undefined) return;
    // One pipeline run for the stream's records of this batch, in shard order.
    const merged: SubscriptionData =
      data.length === 1
        ? first.data
        : { ...first.data, logEvents: data.flatMap((entry) => entry.data.logEvents) };
    let outcome: KinesisRecordOutcome | undefined;
    let failure: string | undefined;
    try {
      const processed = await processSubscriptionData(merged, deps);
      if (processed.kind === 'processed' && processed.delivery.failed.length > 0) {
        failure = `${processed.delivery.failed.length} alert(s) not published`;
      } else {
        outcome = { ...processed, record: refOf(first.index) };
      }
    } catch (error) {
      failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    if (failure !== undefined) {
      deps.logger.error('records failed', {
        owner: first.data.owner,
        logGroup: first.data.logGroup,
        logStream: first.data.logStream,
        sequenceNumbers: data.map((entry) => refOf(entry.index).sequenceNumber),
        failure,
      });
    }
    for (const { index } of data) {
      const record = refOf(index);
      outcomes[index] =
        outcome === undefined
          ? { kind: 'failed', record, why: failure ?? 'not processed' }
          : { ...outcome, record };
    }
  };
  await inParallel(groups, deps.concurrency ?? KINESIS_STREAM_CONCURRENCY, runGroup);
  const batchItemFailures = outcomes
    .filter((outcome) => outcome.kind === 'failed')
    .map((outcome) => ({ itemIdentifier: outcome.record.sequenceNumber }));
  return { response: { batchItemFailures }, records: outcomes };
}

async function deadLetter(
  record: KinesisRecordRef,
  data: string,
  error: PoisonPayloadError,
  deps: KinesisProcessorDeps,
): Promise<KinesisRecordOutcome> {
  deps.logger.error('poison record', {
    reason: error.reason,
    detail: error.detail,
    sequenceNumber: record.sequenceNumber,
    shardId: record.shardId,
  });
  deps.count('PoisonPayloads', 1);
  try {
    await deps.onPoison({ awslogs: { data } }, record, error);
  } catch (sendError) {
    return {
      kind: 'failed',
      record,
      why: `poison record not dead-lettered: ${(sendError as Error).message}`,
    };
  }
  return { kind: 'poison', error, record };
}

/** Runs `work` on every item, at most `limit` at a time. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
