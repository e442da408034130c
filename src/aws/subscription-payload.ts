/**
 * Decoding of the event CloudWatch Logs sends to a subscription Lambda:
 * `{"awslogs":{"data": base64(gzip(JSON))}}`, by hand (no Parser/zod: see
 * docs/toolchain.md). Anything that can never decode is a `PoisonPayloadError`
 * naming why; a retry would not help.
 */
import { gunzipSync } from 'node:zlib';

/** One log event as CloudWatch Logs delivers it. */
export interface SubscriptionLogEvent {
  readonly id: string;
  /** Event time, epoch milliseconds. */
  readonly timestamp: number;
  readonly message: string;
}

/** The decoded subscription payload. */
export interface SubscriptionData {
  /** `DATA_MESSAGE` carries log events; `CONTROL_MESSAGE` only checks reachability. */
  readonly messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  /** AWS account id of the log group. */
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly SubscriptionLogEvent[];
  /** `ACCOUNT_LEVEL_POLICY` for account-level subscription policies. */
  readonly policyLevel?: string;
}

/** Why a payload can never be processed. */
export type PoisonReason =
  | 'not-awslogs-event'
  | 'not-base64'
  | 'not-gzip'
  | 'too-large'
  | 'not-json'
  | 'not-subscription-shape';

/** A payload that no retry can fix; `detail` names the field or the decoder's complaint. */
export class PoisonPayloadError extends Error {
  override readonly name = 'PoisonPayloadError';
  constructor(
    readonly reason: PoisonReason,
    readonly detail: string,
  ) {
    super(`poison payload (${reason}): ${detail}`);
  }
}

/** Gunzipped payloads larger than this are refused (a gzip bomb, not a log batch), bytes. */
export const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

const MESSAGE_TYPES: ReadonlySet<string> = new Set(['DATA_MESSAGE', 'CONTROL_MESSAGE']);

/** The `awslogs.data` string of a Lambda event, or a `PoisonPayloadError`. */
export function awslogsData(event: unknown): string {
  const awslogs = isRecord(event) ? event.awslogs : undefined;
  const data = isRecord(awslogs) ? awslogs.data : undefined;
  if (typeof data !== 'string') {
    throw new PoisonPayloadError('not-awslogs-event', 'expected {"awslogs":{"data":"<base64>"}}');
  }
  return data;
}

/** Decodes a Lambda event from a CloudWatch Logs subscription; throws `PoisonPayloadError`. */
export function decodeSubscriptionEvent(event: unknown): SubscriptionData {
  return decodeSubscriptionData(awslogsData(event));
}

/** Decodes the base64 `awslogs.data` string; throws `PoisonPayloadError`. */
export function decodeSubscriptionData(data: string): SubscriptionData {
  // Node's decoder skips characters outside the alphabet, so a decoded length
  // short of what the text's length promises means the text was not base64
  // (a linear check ~10x cheaper than a regular expression over 1 MB).
  const bytes = Buffer.from(data, 'base64');
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  if (data.length % 4 !== 0 || bytes.length !== (data.length / 4) * 3 - padding) {
    throw new PoisonPayloadError('not-base64', `awslogs.data is not base64 (${data.length} chars)`);
  }
  let json: string;
  try {
    json = gunzipSync(bytes, {
      maxOutputLength: MAX_DECOMPRESSED_BYTES,
    }).toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PoisonPayloadError(
        'too-large',
        `gunzipped payload exceeds ${MAX_DECOMPRESSED_BYTES} bytes`,
      );
    }
    throw new PoisonPayloadError(
      'not-gzip',
      `awslogs.data is not gzip: ${(error as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new PoisonPayloadError(
      'not-json',
      `gunzipped payload is not JSON: ${(error as Error).message}`,
    );
  }
  return checkShape(parsed);
}

function checkShape(parsed: unknown): SubscriptionData {
  const fail = (detail: string): never => {
    throw new PoisonPayloadError('not-subscription-shape', detail);
  };
  if (!isRecord(parsed)) return fail('payload is not a JSON object');
  const { messageType, owner, logGroup, logStream, subscriptionFilters, logEvents, policyLevel } =
    parsed;
  if (typeof messageType !== 'string' || !MESSAGE_TYPES.has(messageType)) {
    return fail(
      `messageType: expected DATA_MESSAGE or CONTROL_MESSAGE, got ${describe(messageType)}`,
    );
  }
  for (const [name, value] of [
    ['owner', owner],
    ['logGroup', logGroup],
    ['logStream', logStream],
  ] as const) {
    if (typeof value !== 'string')
      return fail(`${name}: expected a string, got ${describe(value)}`);
  }
  if (!Array.isArray(logEvents))
    return fail(`logEvents: expected an array, got ${describe(logEvents)}`);
  for (let index = 0; index < logEvents.length; index++) {
    const logEvent: unknown = logEvents[index];
    if (
      !isRecord(logEvent) ||
      typeof logEvent.id !== 'string' ||
      typeof logEvent.timestamp !== 'number' ||
      typeof logEvent.message !== 'string'
    ) {
      return fail(`logEvents[${index}]: expected {id: string, timestamp: number, message: string}`);
    }
  }
  const filters = Array.isArray(subscriptionFilters)
    ? subscriptionFilters.filter((name): name is string => typeof name === 'string')
    : [];
  return {
    messageType: messageType as SubscriptionData['messageType'],
    owner: owner as string,
    logGroup: logGroup as string,
    logStream: logStream as string,
    subscriptionFilters: filters,
    logEvents: logEvents as SubscriptionLogEvent[],
    ...(typeof policyLevel === 'string' ? { policyLevel } : {}),
  };
}

/**
 * The region a payload's log group is in, read from the name of the filter
 * (or account-level policy, which CloudWatch Logs names in the same field)
 * that sent it: the source stack names them `tunnelwatch-<region>`
 * (cdk/stacks/source-account-stack.ts). `undefined` for any other name (the
 * monitoring account's own `tunnelwatch` filters, filters of older source
 * stacks, other tools'): the region is never guessed.
 */
export function regionOfSubscription(data: SubscriptionData): string | undefined {
  for (const name of data.subscriptionFilters) {
    const match = /^tunnelwatch-([a-z]{2}(?:-[a-z]+)+-\d{1,2})$/.exec(name);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

/** The VPN connection and tunnel an aws-s2s log stream is named after (`vpn-0abc-203.0.113.10`). */
export function tunnelOfStream(
  logStream: string,
): { readonly vpnConnectionId: string; readonly tunnelIp: string } | undefined {
  const match = /^(vpn-[0-9a-f]+)[-_](\d{1,3}(?:\.\d{1,3}){3})/.exec(logStream);
  return match?.[1] === undefined || match[2] === undefined
    ? undefined
    : { vpnConnectionId: match[1], tunnelIp: match[2] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
}
