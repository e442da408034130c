/**
 * Replays what landed on the dead-letter queue: Lambda's on-failure records
 * (their `requestPayload` is the original subscription event), a Kinesis
 * event source mapping's on-failure records (their `KinesisBatchInfo` names
 * the shard and sequence range, read back from the stream) and poison
 * records the handler wrote. Each message is re-run through the subscription
 * processing; only messages that then succeed are deleted. The outbox makes a
 * replay safe: alerts already published are not published again.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  type DeadLetter,
  deleteDeadLetter,
  type KinesisBatchInfo,
  readDeadLetter,
  receiveDeadLetters,
  releaseDeadLetter,
} from './dead-letter-queue.ts';

/** What replaying one event came to. */
export type ReplayResult =
  | { readonly status: 'replayed' }
  | { readonly status: 'poison'; readonly why: string }
  | { readonly status: 'failed'; readonly why: string };

/** Counts of one redrive run. */
export interface RedriveReport {
  /** Messages read from the queue. */
  received: number;
  /** Replayed successfully (and deleted, unless a dry run). */
  replayed: number;
  /** Deleted from the queue. */
  deleted: number;
  /** Replay failed again (publish or store error); left on the queue. */
  failed: number;
  /** Still poison (does not decode); left on the queue. */
  poison: number;
  /** Poison records whose payload was cut to fit the queue: cannot be replayed; left on the queue. */
  truncated: number;
  /** Neither kind of record; left on the queue. */
  unrecognised: number;
  /** Dry run: messages that would be replayed. */
  wouldReplay: number;
}

/** What a redrive run needs. */
export interface RedriveOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** Most messages to handle in this run. */
  readonly max: number;
  /** Read and classify only: nothing is replayed or deleted. */
  readonly dryRun: boolean;
  /** Re-runs the handler logic on one subscription event. */
  readonly replay: (event: unknown) => Promise<ReplayResult>;
  /**
   * Reads a Kinesis batch back from its stream (records' data as base64).
   * @default - none: Kinesis on-failure records stay on the queue
   */
  readonly readKinesisBatch?: (
    batch: KinesisBatchInfo,
  ) => Promise<readonly { readonly sequenceNumber: string; readonly data: string }[]>;
  /** Told about each message that stays on the queue. */
  readonly onKept?: (messageId: string, why: string) => void;
  /** How long messages stay hidden while this run works on them, seconds. */
  readonly visibilitySeconds?: number;
}

/** Reads up to `max` dead letters, replays them, deletes those that succeeded. */
export async function redriveDeadLetters(options: RedriveOptions): Promise<RedriveReport> {
  const { sqs, queueUrl, max, dryRun } = options;
  const report: RedriveReport = {
    received: 0,
    replayed: 0,
    deleted: 0,
    failed: 0,
    poison: 0,
    truncated: 0,
    unrecognised: 0,
    wouldReplay: 0,
  };
  const seen = new Set<string>();
  const kept: string[] = [];
  while (report.received < max) {
    const messages = await receiveDeadLetters(
      sqs,
      queueUrl,
      max - report.received,
      options.visibilitySeconds ?? 300,
    );
    const fresh = messages.filter((message) => !seen.has(message.MessageId ?? ''));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      seen.add(message.MessageId ?? '');
      report.received++;
      const handle = message.ReceiptHandle ?? '';
      const letter = readDeadLetter(message.Body);
      const keep = (why: string): void => {
        kept.push(handle);
        options.onKept?.(message.MessageId ?? '', why);
      };
      const replayable = await replayableEvents(letter, options);
      if ('why' in replayable) {
        report[replayable.count]++;
        keep(replayable.why);
        continue;
      }
      if (dryRun) {
        report.wouldReplay++;
        kept.push(handle);
        continue;
      }
      const result = await replayAll(replayable.events, options.replay);
      if (result.status === 'replayed') {
        report.replayed++;
        await deleteDeadLetter(sqs, queueUrl, handle);
        report.deleted++;
      } else {
        report[result.status]++;
        keep(result.why);
      }
    }
  }
  for (const handle of kept) await releaseDeadLetter(sqs, queueUrl, handle);
  return report;
}

/** The events a dead letter replays, or why it cannot be replayed and which count it adds to. */
async function replayableEvents(
  letter: DeadLetter,
  options: RedriveOptions,
): Promise<
  | { readonly events: readonly unknown[] }
  | { readonly count: 'unrecognised' | 'truncated' | 'failed'; readonly why: string }
> {
  switch (letter.kind) {
    case 'invocation-failure':
      return { events: [letter.event] };
    case 'poison':
      return 'event' in letter
        ? { events: [letter.event] }
        : { count: 'truncated', why: 'poison record with a truncated payload: cannot be replayed' };
    case 'kinesis-batch-failure': {
      const events = await kinesisEvents(letter.batch, options);
      return typeof events === 'string' ? { count: 'failed', why: events } : { events };
    }
    case 'unrecognised':
      return { count: 'unrecognised', why: letter.why };
  }
}

/** The batch's records as subscription events, or why they cannot be had. */
async function kinesisEvents(
  batch: KinesisBatchInfo,
  options: RedriveOptions,
): Promise<unknown[] | string> {
  const where = `${batch.streamArn} ${batch.shardId} ${batch.startSequenceNumber}..${batch.endSequenceNumber}`;
  if (options.readKinesisBatch === undefined) return `Kinesis batch ${where}: no stream reader`;
  let records: readonly { readonly data: string }[];
  try {
    records = await options.readKinesisBatch(batch);
  } catch (error) {
    return `Kinesis batch ${where}: cannot be read back (${(error as Error).name}: ${(error as Error).message}); past the stream's retention?`;
  }
  if (records.length === 0) return `Kinesis batch ${where}: no records left in the stream`;
  return records.map((record) => ({ awslogs: { data: record.data } }));
}

/**
 * Replays events in order; `replayed` only when each one is. A poison record
 * inside a Kinesis batch was dead-lettered on its own by the handler, so here
 * it does not hold the batch back.
 */
async function replayAll(
  events: readonly unknown[],
  replay: RedriveOptions['replay'],
): Promise<ReplayResult> {
  let poison: ReplayResult | undefined;
  for (const event of events) {
    let result: ReplayResult;
    try {
      result = await replay(event);
    } catch (error) {
      result = { status: 'failed', why: (error as Error).message };
    }
    if (result.status === 'failed') return result;
    if (result.status === 'poison') poison ??= result;
  }
  return events.length === 1 && poison !== undefined ? poison : { status: 'replayed' };
}
