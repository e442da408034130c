/**
 * CloudWatch Logs adapter for the CLI: writing batches (with retry and
 * backoff on throttling, 5xx and network errors), reading a stream back in
 * order, listing streams, filtering recent events. Errors the user can act on
 * are translated into `LogAccessError` with the log group's name.
 */
import {
  type CloudWatchLogsClient,
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  type DescribeLogStreamsCommandOutput,
  FilterLogEventsCommand,
  type FilterLogEventsCommandOutput,
  GetLogEventsCommand,
  type GetLogEventsCommandOutput,
  type LogStream,
  PutLogEventsCommand,
  type RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';
import { type BackoffPolicy, backoffDelayMs } from './backoff.ts';

/** A user-facing failure to use a log group (no permission, no such group or stream). */
export class LogAccessError extends Error {
  override readonly name = 'LogAccessError';
  constructor(
    message: string,
    /** What does not exist, when that is the failure: retrying will not help. */
    readonly missing?: 'log group' | 'log stream',
  ) {
    super(message);
  }
}

/** Error names the service uses for throttling or its own trouble: retried. */
const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalServerError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'InternalServerException',
]);
/** Node network error codes: retried. */
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
]);

interface ServiceErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
}

/** True for throttling, 5xx and network errors, which are worth retrying. */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as ServiceErrorShape;
  if (shape.name !== undefined && RETRYABLE_NAMES.has(shape.name)) return true;
  if (shape.code !== undefined && RETRYABLE_CODES.has(shape.code)) return true;
  const status = shape.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  return shape.$retryable !== undefined && shape.$retryable !== null;
}

/** The action a command was trying, for error wording. */
export type LogAction = 'read' | 'write to';

/**
 * Translates AccessDenied / ResourceNotFound into a `LogAccessError` naming
 * the log group; returns other errors unchanged. Hub administrators may read
 * only their hub's group, hence the wording.
 */
export function describeLogError(
  error: unknown,
  logGroup: string,
  action: LogAction,
  logStream?: string,
): unknown {
  const name = (error as ServiceErrorShape | undefined)?.name ?? '';
  if (
    name === 'AccessDeniedException' ||
    name === 'AccessDenied' ||
    name === 'UnauthorizedOperation'
  ) {
    return new LogAccessError(`you may not ${action} this log group ${logGroup}`);
  }
  if (name === 'ResourceNotFoundException') {
    // The service says which: "The specified log group/stream does not exist."
    if (logStream !== undefined && /log stream/i.test((error as Error).message ?? '')) {
      return new LogAccessError(
        `log stream ${logStream} does not exist in log group ${logGroup}: list its streams with tunnelwatch logs list --log-group ${logGroup}`,
        'log stream',
      );
    }
    return new LogAccessError(
      `log group ${logGroup} does not exist: deploy the stack that creates it (npx cdk deploy) or create it (aws logs create-log-group --log-group-name ${logGroup})`,
      'log group',
    );
  }
  return error;
}

/** How writes retry: a `BackoffPolicy` (src/aws/backoff.ts) plus the timer and a retry hook. */
export interface RetryPolicy extends BackoffPolicy {
  /** Waits `ms`; injectable for tests. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Called before each retry with the attempt number (1-based) and the error. */
  readonly onRetry?: (attempt: number, error: unknown) => void;
}

/** 10 attempts, full-jitter exponential backoff from 200 ms up to 20 s. */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 200,
  maxDelayMs: 20_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Runs `action`, retrying retryable errors with full-jitter exponential backoff. */
export async function withRetry<T>(action: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (!isRetryable(error) || attempt >= policy.maxAttempts) throw error;
      policy.onRetry?.(attempt, error);
      await policy.sleep(backoffDelayMs(policy, attempt));
    }
  }
}

/** Creates the stream unless it exists. */
export async function ensureLogStream(
  client: CloudWatchLogsClient,
  logGroup: string,
  logStream: string,
  retry: RetryPolicy,
): Promise<void> {
  try {
    await withRetry(
      () =>
        client.send(
          new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: logStream }),
        ),
      retry,
    );
  } catch (error) {
    if ((error as ServiceErrorShape).name === 'ResourceAlreadyExistsException') return;
    throw describeLogError(error, logGroup, 'write to');
  }
}

/**
 * Sends `events` (time-ordered) in one PutLogEvents request, without retrying
 * (the importer retries, sending only what the stream lacks); returns the
 * indexes the service refused, with why.
 */
export async function putEvents(
  client: CloudWatchLogsClient,
  logGroup: string,
  logStream: string,
  events: readonly { readonly timestamp: number; readonly message: string }[],
): Promise<Map<number, RejectReason>> {
  const logEvents = events.map((event) => ({ timestamp: event.timestamp, message: event.message }));
  try {
    const response = await client.send(
      new PutLogEventsCommand({ logGroupName: logGroup, logStreamName: logStream, logEvents }),
    );
    return rejectedIndexes(response.rejectedLogEventsInfo, events.length);
  } catch (error) {
    throw describeLogError(error, logGroup, 'write to');
  }
}

/** Why the service rejected an event. */
export type RejectReason = 'tooOld' | 'tooNew' | 'expired' | 'tooOldBoundary';

/**
 * The reason for each rejected index of a batch of `count` events, per the
 * API reference: too old `[0, tooOldEnd)` (exclusive), expired
 * `[0, expiredEnd)`, too new `[tooNewStart, count)` (inclusive). The event at
 * `tooOldEnd` itself is marked `tooOldBoundary`: the moto emulator reports the
 * last too-old index inclusively, so that event may or may not have been
 * stored; it is reported rather than silently assumed either way.
 */
export function rejectedIndexes(
  info: RejectedLogEventsInfo | undefined,
  count: number,
): Map<number, RejectReason> {
  const rejected = new Map<number, RejectReason>();
  if (info === undefined) return rejected;
  const mark = (from: number, to: number, reason: RejectReason): void => {
    for (let i = Math.max(0, from); i < Math.min(count, to); i++) {
      if (!rejected.has(i)) rejected.set(i, reason);
    }
  };
  if (info.expiredLogEventEndIndex !== undefined) mark(0, info.expiredLogEventEndIndex, 'expired');
  if (info.tooOldLogEventEndIndex !== undefined) {
    mark(0, info.tooOldLogEventEndIndex, 'tooOld');
    mark(info.tooOldLogEventEndIndex, info.tooOldLogEventEndIndex + 1, 'tooOldBoundary');
  }
  if (info.tooNewLogEventStartIndex !== undefined)
    mark(info.tooNewLogEventStartIndex, count, 'tooNew');
  return rejected;
}

/** One stored event as read back. */
export interface StoredEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime?: number;
}

/** A time range; `end` exclusive (the service's rule), epoch ms. */
export interface TimeRange {
  readonly start?: number;
  readonly end?: number;
}

/**
 * Reads a stream from its head (or `range.start`) in order, one page at a
 * time, following `nextForwardToken` until it repeats.
 */
export async function* readLogStream(
  client: CloudWatchLogsClient,
  logGroup: string,
  logStream: string,
  range: TimeRange = {},
): AsyncGenerator<StoredEvent> {
  let token: string | undefined;
  for (;;) {
    let page: GetLogEventsCommandOutput;
    try {
      page = await client.send(
        new GetLogEventsCommand({
          logGroupName: logGroup,
          logStreamName: logStream,
          startFromHead: true,
          ...(range.start === undefined ? {} : { startTime: range.start }),
          ...(range.end === undefined ? {} : { endTime: range.end }),
          ...(token === undefined ? {} : { nextToken: token }),
        }),
      );
    } catch (error) {
      throw describeLogError(error, logGroup, 'read', logStream);
    }
    for (const event of page.events ?? []) {
      const timestamp = event.timestamp ?? 0;
      // The emulator treats endTime as inclusive; the service as exclusive.
      if (range.end !== undefined && timestamp >= range.end) continue;
      yield {
        timestamp,
        message: event.message ?? '',
        ...(event.ingestionTime === undefined ? {} : { ingestionTime: event.ingestionTime }),
      };
    }
    const next = page.nextForwardToken;
    if (next === undefined || next === token) return;
    token = next;
  }
}

/** Lists a group's streams by name, following `nextToken`. */
export async function* listLogStreams(
  client: CloudWatchLogsClient,
  logGroup: string,
): AsyncGenerator<LogStream> {
  let token: string | undefined;
  do {
    let page: DescribeLogStreamsCommandOutput;
    try {
      page = await client.send(
        new DescribeLogStreamsCommand({
          logGroupName: logGroup,
          orderBy: 'LogStreamName',
          ...(token === undefined ? {} : { nextToken: token }),
        }),
      );
    } catch (error) {
      throw describeLogError(error, logGroup, 'read');
    }
    yield* page.logStreams ?? [];
    token = page.nextToken;
  } while (token !== undefined);
}

/** One event found by FilterLogEvents. */
export interface FilteredEvent extends StoredEvent {
  readonly logStreamName: string;
  readonly eventId: string;
}

/** Events of a group in a time range (optionally some streams), following `nextToken`. */
export async function* filterLogEvents(
  client: CloudWatchLogsClient,
  logGroup: string,
  range: TimeRange,
  streams?: readonly string[],
): AsyncGenerator<FilteredEvent> {
  let token: string | undefined;
  do {
    let page: FilterLogEventsCommandOutput;
    try {
      page = await client.send(
        new FilterLogEventsCommand({
          logGroupName: logGroup,
          ...(range.start === undefined ? {} : { startTime: range.start }),
          ...(range.end === undefined ? {} : { endTime: range.end }),
          ...(streams === undefined || streams.length === 0
            ? {}
            : { logStreamNames: [...streams] }),
          ...(token === undefined ? {} : { nextToken: token }),
        }),
      );
    } catch (error) {
      throw describeLogError(error, logGroup, 'read', streams?.[0]);
    }
    for (const event of page.events ?? []) {
      yield {
        logStreamName: event.logStreamName ?? '',
        eventId: event.eventId ?? `${event.logStreamName}:${event.timestamp}`,
        timestamp: event.timestamp ?? 0,
        message: event.message ?? '',
      };
    }
    token = page.nextToken;
  } while (token !== undefined);
}
