import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PendingEvent, PutLogEventsBatcher, SERVICE_LIMITS } from '../../src/aws/batcher.ts';
import { ContinuationJoiner, splitMessage, utf8Bytes } from '../../src/aws/continuation.ts';
import {
  EVENT_OVERHEAD_BYTES,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  MAX_BATCH_SPAN_MS,
  MAX_EVENT_MESSAGE_BYTES,
} from '../../src/aws/limits.ts';

const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);

function event(timestamp: number, message: string): PendingEvent<number> {
  return { timestamp, message, bytes: utf8Bytes(message), meta: 0 };
}

describe('PutLogEventsBatcher', () => {
  it('fits exactly 10,000 events in a batch and closes it on the next one', () => {
    const batcher = new PutLogEventsBatcher<number>();
    const sealed = [];
    for (let i = 0; i < MAX_BATCH_EVENTS; i++) {
      const closed = batcher.add(event(T0 + i, 'x'));
      if (closed) sealed.push(closed);
    }
    expect(sealed).toHaveLength(0);
    const closed = batcher.add(event(T0, 'y'));
    expect(closed?.events).toHaveLength(MAX_BATCH_EVENTS);
    expect(closed?.reason).toBe('events');
  });

  it('fits exactly 1,048,576 bytes counting 26 per event, and closes on one byte more', () => {
    // Prepare: 4 events of the largest event size: their messages + overhead are exactly the limit.
    const per = MAX_BATCH_BYTES / 4 - EVENT_OVERHEAD_BYTES;
    const batcher = new PutLogEventsBatcher<number>();
    for (let i = 0; i < 3; i++) expect(batcher.add(event(T0, 'a'.repeat(per)))).toBeUndefined();
    // The last one contains multi-byte characters: bytes, not characters, count.
    const last = `${'é'.repeat(100)}${'a'.repeat(per - 200)}`;
    expect(utf8Bytes(last)).toBe(per);
    expect(batcher.add(event(T0, last))).toBeUndefined();
    const sealed = batcher.add(event(T0, 'b'));
    expect(sealed?.reason).toBe('bytes');
    expect(sealed?.bytes).toBe(MAX_BATCH_BYTES);
    expect(sealed?.events).toHaveLength(4);
  });

  it('closes a batch on one byte over the limit', () => {
    const per = MAX_BATCH_BYTES / 8 - EVENT_OVERHEAD_BYTES;
    const batcher = new PutLogEventsBatcher<number>();
    for (let i = 0; i < 7; i++) batcher.add(event(T0, 'a'.repeat(per)));
    const sealed = batcher.add(event(T0, 'a'.repeat(per + 1)));
    expect(sealed?.reason).toBe('bytes');
    expect(sealed?.events).toHaveLength(7);
  });

  it('lets a batch span exactly 24 hours and not a millisecond more', () => {
    const batcher = new PutLogEventsBatcher<number>();
    batcher.add(event(T0, 'first'));
    expect(batcher.add(event(T0 + MAX_BATCH_SPAN_MS, 'at 24 h'))).toBeUndefined();
    const sealed = batcher.add(event(T0 + MAX_BATCH_SPAN_MS + 1, 'past 24 h'));
    expect(sealed?.reason).toBe('span');
    expect(sealed?.events.map((e) => e.message)).toEqual(['first', 'at 24 h']);
  });

  it('counts the span both ways when an event is older than the batch', () => {
    const batcher = new PutLogEventsBatcher<number>();
    batcher.add(event(T0 + MAX_BATCH_SPAN_MS, 'late'));
    expect(batcher.add(event(T0 - 1, 'too early'))?.reason).toBe('span');
  });

  it('sorts a batch by time, keeping input order for equal times', () => {
    const batcher = new PutLogEventsBatcher<number>();
    batcher.add(event(T0 + 2, 'c'));
    batcher.add(event(T0, 'a'));
    batcher.add(event(T0 + 2, 'd'));
    batcher.add(event(T0, 'b'));
    expect(batcher.flush()?.events.map((e) => e.message)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses an event over the event size limit instead of sending it', () => {
    const batcher = new PutLogEventsBatcher<number>();
    expect(() => batcher.add(event(T0, 'x'.repeat(MAX_EVENT_MESSAGE_BYTES + 1)))).toThrow(
      /exceeds the 262118-byte event limit/,
    );
  });

  it('never exceeds a limit for any sequence of events (property)', () => {
    const limits = {
      ...SERVICE_LIMITS,
      maxEvents: 7,
      maxBytes: 400,
      maxSpanMs: 1000,
      maxMessageBytes: 120,
    };
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            dt: fc.integer({ min: -600, max: 600 }),
            size: fc.integer({ min: 1, max: 120 }),
          }),
          {
            maxLength: 200,
          },
        ),
        (specs) => {
          const batcher = new PutLogEventsBatcher<number>(limits);
          const batches = [];
          let total = 0;
          for (const spec of specs) {
            const closed = batcher.add(event(T0 + spec.dt, 'm'.repeat(spec.size)));
            if (closed) batches.push(closed);
          }
          const last = batcher.flush();
          if (last) batches.push(last);
          for (const batch of batches) {
            total += batch.events.length;
            expect(batch.events.length).toBeLessThanOrEqual(limits.maxEvents);
            expect(batch.bytes).toBeLessThanOrEqual(limits.maxBytes);
            const times = batch.events.map((e) => e.timestamp);
            expect(Math.max(...times) - Math.min(...times)).toBeLessThanOrEqual(limits.maxSpanMs);
            expect(times).toEqual([...times].sort((a, b) => a - b));
          }
          expect(total).toBe(specs.length);
        },
      ),
    );
  });
});

describe('splitMessage and ContinuationJoiner', () => {
  it('keeps a message that fits as it is', () => {
    expect(splitMessage('short line', 100)).toEqual(['short line']);
  });

  it('splits an oversize line into marked parts within the limit and joins them back', () => {
    // Prepare: a line of 3-byte characters, so a cut could land inside one.
    const line = `2026-11-20 10:00:00.000 ${'漢'.repeat(200_000)}`;
    // Act
    const parts = splitMessage(line);
    // Assess
    expect(parts.length).toBe(Math.ceil(utf8Bytes(line) / MAX_EVENT_MESSAGE_BYTES) + 0);
    for (const [i, part] of parts.entries()) {
      expect(utf8Bytes(part)).toBeLessThanOrEqual(MAX_EVENT_MESSAGE_BYTES);
      expect(part.startsWith(`[tunnelwatch part ${i + 1}/${parts.length}] `)).toBe(true);
      expect(part).not.toContain('\uFFFD');
    }
    const joiner = new ContinuationJoiner();
    const out = ['before', ...parts, 'after'].flatMap((m) => joiner.push(m));
    expect([...out, ...joiner.end()]).toEqual(['before', line, 'after']);
  });

  it('keeps the parts of an incomplete split line rather than losing them', () => {
    const parts = splitMessage('y'.repeat(300), 100);
    const joiner = new ContinuationJoiner();
    const out = [parts[0]!, parts[2]!, 'next'].flatMap((m) => joiner.push(m));
    expect(out).toEqual([parts[0], parts[2], 'next']);
  });

  it('round-trips any text through split and join (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.integer({ min: 40, max: 120 }),
        (text, max) => {
          const parts = splitMessage(text, max);
          for (const part of parts) expect(utf8Bytes(part)).toBeLessThanOrEqual(max);
          const joiner = new ContinuationJoiner();
          const out = parts.flatMap((part) => joiner.push(part));
          expect([...out, ...joiner.end()]).toEqual([text]);
        },
      ),
    );
  });
});

describe('closeFor', () => {
  it('keeps the events of the closing timestamp for the next batch, so no time spans two batches', () => {
    // Prepare: room for 3 events; times 1, 2, 2 open, then a third event at 2.
    const batcher = new PutLogEventsBatcher<number>({ ...SERVICE_LIMITS, maxEvents: 3 });
    const at = (timestamp: number, meta: number) => ({
      timestamp,
      message: `m${meta}`,
      bytes: 2,
      meta,
    });
    batcher.add(at(1, 1));
    batcher.add(at(2, 2));
    batcher.add(at(2, 3));
    const next = at(2, 4);
    // Act
    const sealed = batcher.closeFor(next, batcher.wouldClose(next)!);
    batcher.add(next);
    // Assess
    expect(sealed.events.map((e) => e.meta)).toEqual([1]);
    expect(sealed.bytes).toBe(2 + 26);
    expect(batcher.flush()?.events.map((e) => e.meta)).toEqual([2, 3, 4]);
  });

  it('seals everything when one timestamp alone fills a batch', () => {
    const batcher = new PutLogEventsBatcher<number>({ ...SERVICE_LIMITS, maxEvents: 2 });
    const at = (meta: number) => ({ timestamp: 5, message: 'x', bytes: 1, meta });
    batcher.add(at(1));
    batcher.add(at(2));
    const sealed = batcher.closeFor(at(3), 'events');
    expect(sealed.events.map((e) => e.meta)).toEqual([1, 2]);
    expect(batcher.size).toBe(0);
  });
});
