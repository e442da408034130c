/**
 * Publishes alerts to the SNS topic with PublishBatch: at most 10 entries and
 * 256 KiB (messages + attributes) per call. Entries that fail for a reason on
 * AWS's side (throttling, 5xx, a timed-out call) are retried with bounded
 * exponential backoff and full jitter; entries SNS rejects as the sender's
 * fault are not retried. What still fails is returned in `failed`: the
 * delivery step then fails the invocation so that Lambda retries it.
 */
import {
  PublishBatchCommand,
  type PublishBatchRequestEntry,
  type SNSClient,
} from '@aws-sdk/client-sns';
import type { AlertSink, PublishFailure, PublishOutcome } from '../delivery.ts';
import type { Alert } from '../model.ts';
import {
  type BackoffPolicy,
  backoffDelayMs,
  DEFAULT_BACKOFF,
  realSleep,
  type Sleep,
} from './backoff.ts';

/** An alert rendered for SNS (`renderForSns` in `src/alerts/`). */
export interface SnsMessage {
  readonly subject: string;
  readonly message: string;
  /** `json`: `message` is a JSON object of one message per protocol. @default - one message for all */
  readonly messageStructure?: 'json';
  readonly messageAttributes: Readonly<
    Record<string, { readonly DataType: 'String'; readonly StringValue: string }>
  >;
}

/** PublishBatch accepts at most 10 entries per call. */
export const PUBLISH_BATCH_ENTRIES = 10;
/** PublishBatch accepts at most 256 KiB of messages and attributes per call, bytes. */
export const PUBLISH_BATCH_BYTES = 256 * 1024;

/** What the SNS sink needs. */
export interface SnsAlertSinkOptions {
  readonly client: SNSClient;
  readonly topicArn: string;
  /** Renders an alert for SNS; the Lambda passes `renderForSns`. */
  readonly render: (alert: Alert) => SnsMessage;
  readonly backoff?: BackoffPolicy;
  readonly sleep?: Sleep;
}

/** The SNS `AlertSink`. */
export class SnsAlertSink implements AlertSink {
  /** PublishBatch calls made so far. */
  calls = 0;

  constructor(private readonly options: SnsAlertSinkOptions) {}

  async publish(alerts: readonly Alert[]): Promise<PublishOutcome> {
    const published: string[] = [];
    const failed: PublishFailure[] = [];
    for (const batch of packBatches(
      alerts.map((alert) => toEntry(alert, this.options.render(alert))),
    )) {
      const outcome = await this.publishWithRetries(batch);
      published.push(...outcome.published);
      failed.push(...outcome.failed);
    }
    return { published, failed };
  }

  private async publishWithRetries(
    entries: readonly PublishBatchRequestEntry[],
  ): Promise<PublishOutcome> {
    const { backoff = DEFAULT_BACKOFF, sleep = realSleep } = this.options;
    const published: string[] = [];
    const permanent: PublishFailure[] = [];
    let pending = entries;
    let retryable: PublishFailure[] = [];
    for (let attempt = 1; attempt <= backoff.maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 1) await sleep(backoffDelayMs(backoff, attempt - 1));
      const result = await this.publishOnce(pending);
      published.push(...result.published);
      permanent.push(...result.failed.filter((failure) => failure.senderFault));
      retryable = result.failed.filter((failure) => !failure.senderFault);
      const retryIds = new Set(retryable.map((failure) => failure.alertId));
      pending = pending.filter((entry) => retryIds.has(entry.Id ?? ''));
    }
    return { published, failed: [...permanent, ...retryable] };
  }

  private async publishOnce(entries: readonly PublishBatchRequestEntry[]): Promise<PublishOutcome> {
    this.calls++;
    try {
      const output = await this.options.client.send(
        new PublishBatchCommand({
          TopicArn: this.options.topicArn,
          PublishBatchRequestEntries: [...entries],
        }),
      );
      const failed: PublishFailure[] = (output.Failed ?? []).map((failure) => ({
        alertId: failure.Id ?? '',
        code: failure.Code ?? 'Unknown',
        message: failure.Message ?? '',
        senderFault: failure.SenderFault === true,
      }));
      const failedIds = new Set(failed.map((failure) => failure.alertId));
      const published = entries.map((entry) => entry.Id ?? '').filter((id) => !failedIds.has(id));
      return { published, failed };
    } catch (error) {
      const fault = (error as { $fault?: string }).$fault;
      return {
        published: [],
        failed: entries.map((entry) => ({
          alertId: entry.Id ?? '',
          code: (error as Error).name,
          message: (error as Error).message,
          senderFault: fault === 'client' && !RETRYABLE_CLIENT_ERRORS.has((error as Error).name),
        })),
      };
    }
  }
}

/** Client-side error names that are still worth retrying. */
const RETRYABLE_CLIENT_ERRORS: ReadonlySet<string> = new Set([
  'ThrottledException',
  'ThrottlingException',
  'Throttling',
  'TimeoutError',
  'RequestTimeout',
  'KMSThrottlingException',
]);

function toEntry(alert: Alert, rendered: SnsMessage): PublishBatchRequestEntry {
  return {
    Id: alert.id,
    Subject: rendered.subject,
    Message: rendered.message,
    ...(rendered.messageStructure === undefined
      ? {}
      : { MessageStructure: rendered.messageStructure }),
    MessageAttributes: Object.fromEntries(
      Object.entries(rendered.messageAttributes).map(([name, value]) => [
        name,
        { DataType: value.DataType, StringValue: value.StringValue },
      ]),
    ),
  };
}

/** Bytes SNS counts for an entry: message, subject, attribute names, types and values. */
export function entryBytes(entry: PublishBatchRequestEntry): number {
  let bytes = Buffer.byteLength(entry.Message ?? '') + Buffer.byteLength(entry.Subject ?? '');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
    bytes += Buffer.byteLength(value.StringValue ?? '');
  }
  return bytes;
}

/** Splits entries, in order, into PublishBatch calls of ≤ 10 entries and ≤ 256 KiB. */
export function packBatches(
  entries: readonly PublishBatchRequestEntry[],
): PublishBatchRequestEntry[][] {
  const batches: PublishBatchRequestEntry[][] = [];
  let current: PublishBatchRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entryBytes(entry);
    if (
      current.length > 0 &&
      (current.length === PUBLISH_BATCH_ENTRIES || bytes + size > PUBLISH_BATCH_BYTES)
    ) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
