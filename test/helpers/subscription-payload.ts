/**
 * Builds real CloudWatch Logs subscription events for handler tests:
 * `{"awslogs":{"data": base64(gzip(JSON))}}`, exactly as Lambda receives them.
 */
import { gzipSync } from 'node:zlib';
import type { SubscriptionData, SubscriptionLogEvent } from '../../src/aws/subscription-payload.ts';

/** A subscription Lambda event. */
export interface SubscriptionEvent {
  readonly awslogs: { readonly data: string };
}

/** What a fixture may set; everything has a default. */
export interface PayloadOptions {
  readonly logGroup?: string;
  readonly logStream?: string;
  readonly messageType?: SubscriptionData['messageType'];
  readonly owner?: string;
}

/** Deterministic CloudWatch-style event id (56 digits) for the n-th event at `timestamp`. */
export function logEventId(timestamp: number, n: number): string {
  return `${String(timestamp).padStart(20, '0')}${String(n).padStart(36, '0')}`;
}

/** Log events for `messages`, one second apart from `startMs`, with deterministic ids. */
export function logEventsOf(
  messages: readonly string[],
  startMs = 1_762_580_429_000,
): SubscriptionLogEvent[] {
  return messages.map((message, n) => ({
    id: logEventId(startMs + n * 1000, n),
    timestamp: startMs + n * 1000,
    message,
  }));
}

/** The decoded payload (before gzip). */
export function subscriptionData(
  logEvents: readonly SubscriptionLogEvent[],
  options: PayloadOptions = {},
): SubscriptionData {
  return {
    messageType: options.messageType ?? 'DATA_MESSAGE',
    owner: options.owner ?? '123456789012',
    logGroup: options.logGroup ?? '/aws/vendedlogs/vpn/tunnels',
    logStream: options.logStream ?? 'vpn-0abc1234def567890-203.0.113.10',
    subscriptionFilters: ['tunnelwatch'],
    logEvents,
  };
}

/** Encodes any JSON-able value (or raw bytes) the way CloudWatch Logs does. */
export function encodeAwslogs(payload: unknown): SubscriptionEvent {
  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload));
  return { awslogs: { data: gzipSync(bytes).toString('base64') } };
}

/** A ready subscription event carrying `logEvents`. */
export function subscriptionEvent(
  logEvents: readonly SubscriptionLogEvent[],
  options: PayloadOptions = {},
): SubscriptionEvent {
  return encodeAwslogs(subscriptionData(logEvents, options));
}
