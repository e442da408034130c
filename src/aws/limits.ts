/**
 * CloudWatch Logs service limits the importer respects. Sources: the
 * CloudWatch Logs quotas page and the PutLogEvents API reference.
 */

/** At most this many events in one PutLogEvents request. */
export const MAX_BATCH_EVENTS = 10_000;
/** At most this many bytes in one PutLogEvents request: UTF-8 message bytes plus 26 per event. */
export const MAX_BATCH_BYTES = 1_048_576;
/** Bytes the service adds to each event's message when counting a batch. */
export const EVENT_OVERHEAD_BYTES = 26;
/** One request may not span more than 24 hours (ms, last minus first event time). */
export const MAX_BATCH_SPAN_MS = 24 * 60 * 60 * 1000;
/**
 * Largest event, bytes: 256 KB per the quotas page (the SDK 3.1169.0
 * PutLogEvents doc says 1 MB; the lower figure is the safe one). Counted like
 * a batch entry: message bytes plus the 26-byte overhead.
 */
export const MAX_EVENT_BYTES = 256 * 1024;
/** Largest message (UTF-8 bytes) that fits in one event. */
export const MAX_EVENT_MESSAGE_BYTES = MAX_EVENT_BYTES - EVENT_OVERHEAD_BYTES;
/** Events older than this (ms before now) are rejected as too old (PutLogEvents doc: 14 days). */
export const MAX_EVENT_AGE_MS = 14 * 24 * 60 * 60 * 1000;
/** Events further than this (ms) in the future are rejected as too new (PutLogEvents doc: 2 hours). */
export const MAX_EVENT_FUTURE_MS = 2 * 60 * 60 * 1000;

/** Bytes an event with `messageBytes` UTF-8 bytes takes in a batch. */
export function batchCost(messageBytes: number): number {
  return messageBytes + EVENT_OVERHEAD_BYTES;
}
