/**
 * `PutLogEventsBatcher`: packs log events into PutLogEvents requests that keep
 * every service limit (src/aws/limits.ts): event count, bytes (UTF-8 plus 26
 * per event), a 24-hour span, events in time order. Pure: no network.
 */
import {
  batchCost,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  MAX_BATCH_SPAN_MS,
  MAX_EVENT_MESSAGE_BYTES,
} from './limits.ts';

/** One event to send, with `meta` the caller's bookkeeping (origin, …). */
export interface PendingEvent<M> {
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly message: string;
  /** UTF-8 byte length of `message`. */
  readonly bytes: number;
  readonly meta: M;
}

/** Which limit closed a batch; `flush` when the input ended or the caller asked. */
export type SealReason = 'events' | 'bytes' | 'span' | 'flush';

/** A sealed batch: events sorted by time, within every limit. */
export interface LogEventBatch<M> {
  readonly events: readonly PendingEvent<M>[];
  /** Bytes as the service counts them (messages + 26 per event). */
  readonly bytes: number;
  readonly reason: SealReason;
}

/** Limits of a batcher; the defaults are the service's. */
export interface BatchLimits {
  readonly maxEvents: number;
  readonly maxBytes: number;
  readonly maxSpanMs: number;
  readonly maxMessageBytes: number;
}

/** The service's limits. */
export const SERVICE_LIMITS: BatchLimits = {
  maxEvents: MAX_BATCH_EVENTS,
  maxBytes: MAX_BATCH_BYTES,
  maxSpanMs: MAX_BATCH_SPAN_MS,
  maxMessageBytes: MAX_EVENT_MESSAGE_BYTES,
};

/** Packs events into batches; `add` returns the batch it had to close, if any. */
export class PutLogEventsBatcher<M> {
  private events: PendingEvent<M>[] = [];
  private bytes = 0;
  private minTime = Number.POSITIVE_INFINITY;
  private maxTime = Number.NEGATIVE_INFINITY;

  constructor(private readonly limits: BatchLimits = SERVICE_LIMITS) {}

  /** Number of events in the open batch. */
  get size(): number {
    return this.events.length;
  }

  /**
   * Why `event` would not fit in the open batch, or undefined when it fits.
   * Throws `RangeError` for a message over the event size limit (split it first).
   */
  wouldClose(event: PendingEvent<M>): SealReason | undefined {
    if (event.bytes > this.limits.maxMessageBytes) {
      throw new RangeError(
        `event of ${event.bytes} bytes exceeds the ${this.limits.maxMessageBytes}-byte event limit: split it first`,
      );
    }
    if (this.events.length === 0) return undefined;
    if (this.events.length + 1 > this.limits.maxEvents) return 'events';
    if (this.bytes + batchCost(event.bytes) > this.limits.maxBytes) return 'bytes';
    const span = Math.max(this.maxTime, event.timestamp) - Math.min(this.minTime, event.timestamp);
    if (span > this.limits.maxSpanMs) return 'span';
    return undefined;
  }

  /**
   * Why `events` (the parts of one line) would not all fit in the open batch
   * together, or undefined when they would, or when they could not fit even
   * in an empty batch (then they have to span requests anyway).
   */
  wouldCloseForAll(events: readonly PendingEvent<M>[]): SealReason | undefined {
    if (events.length <= 1 || this.events.length === 0) return undefined;
    let bytes = 0;
    for (const event of events) bytes += batchCost(event.bytes);
    if (events.length > this.limits.maxEvents || bytes > this.limits.maxBytes) return undefined;
    if (this.events.length + events.length > this.limits.maxEvents) return 'events';
    if (this.bytes + bytes > this.limits.maxBytes) return 'bytes';
    return undefined;
  }

  /** Adds `event`; when it does not fit, first closes and returns the open batch. */
  add(event: PendingEvent<M>): LogEventBatch<M> | undefined {
    const reason = this.wouldClose(event);
    const sealed = reason === undefined ? undefined : this.seal(reason);
    this.events.push(event);
    this.bytes += batchCost(event.bytes);
    if (event.timestamp < this.minTime) this.minTime = event.timestamp;
    if (event.timestamp > this.maxTime) this.maxTime = event.timestamp;
    return sealed;
  }

  /** Events of the open batch, in arrival order. */
  get openEvents(): readonly PendingEvent<M>[] {
    return this.events;
  }

  /**
   * Closes the open batch because `event` does not fit (`reason`), keeping
   * one timestamp out of two batches where it can: the open events at or
   * after `event.timestamp` stay for the next batch when they fit in it with
   * `event`. Returns the sealed batch.
   */
  closeFor(event: PendingEvent<M>, reason: SealReason): LogEventBatch<M> {
    const keep = this.events.filter((open) => open.timestamp >= event.timestamp);
    if (keep.length === 0 || keep.length === this.events.length) return this.seal(reason);
    let keepBytes = batchCost(event.bytes);
    for (const open of keep) keepBytes += batchCost(open.bytes);
    if (keep.length + 1 > this.limits.maxEvents || keepBytes > this.limits.maxBytes) {
      return this.seal(reason);
    }
    this.events = this.events.filter((open) => open.timestamp < event.timestamp);
    this.bytes -= keepBytes - batchCost(event.bytes);
    const sealed = this.seal(reason);
    for (const open of keep) this.add(open);
    return sealed;
  }

  /** Closes the open batch (reason `flush`); undefined when it is empty. */
  flush(): LogEventBatch<M> | undefined {
    return this.events.length === 0 ? undefined : this.seal('flush');
  }

  private seal(reason: SealReason): LogEventBatch<M> {
    const events = this.events;
    // Stable: events with equal times keep their input order.
    events.sort((a, b) => a.timestamp - b.timestamp);
    const batch = { events, bytes: this.bytes, reason };
    this.events = [];
    this.bytes = 0;
    this.minTime = Number.POSITIVE_INFINITY;
    this.maxTime = Number.NEGATIVE_INFINITY;
    return batch;
  }
}
