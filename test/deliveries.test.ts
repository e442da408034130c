import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AlertRef,
  addResults,
  CountingStateStore,
  compareAlerts,
  type Delivery,
  deliveryBatch,
  isExact,
  isLossless,
  lineTimes,
  matchToleranceMs,
  planDeliveries,
  runDeliveries,
} from '../src/deliveries.ts';
import type { Alert, RuleId } from '../src/model.ts';
import { runPipeline, type StreamBatch } from '../src/pipeline.ts';
import { DEFAULT_RULES_CONFIG } from '../src/rules/config.ts';
import { MemoryStateStore } from '../src/state/memory-state-store.ts';
import { batch, line, SYNTHETIC_SOURCES, T0 } from './helpers/synthetic-source.ts';

/** A line of a generated stream: a time (minutes), no time, or blank. */
type GeneratedLine = number | null | 'blank';

const generatedStreams = fc.array(
  fc.array(fc.oneof(fc.integer({ min: 0, max: 500 }), fc.constant(null), fc.constant('blank')), {
    maxLength: 40,
  }),
  { minLength: 1, maxLength: 5 },
);

/** Batches and own times for generated streams (the text only tells the lines apart). */
function streamsOf(generated: readonly (readonly GeneratedLine[])[]): {
  batches: StreamBatch[];
  times: (number | null)[][];
} {
  const batches = generated.map((lines, b) =>
    batch(
      `s${b}`,
      lines.map((value, i) => (value === 'blank' ? '  ' : `s${b} line ${i}`)),
    ),
  );
  const times = generated.map((lines) =>
    lines.map((value) => (typeof value === 'number' ? T0 + value * 60_000 : null)),
  );
  return { batches, times };
}

/** `batch:index` of every line a plan hands over, in hand-over order. */
function handedLines(plan: readonly Delivery[]): string[] {
  return plan.flatMap((delivery) => delivery.lines.map((index) => `${delivery.batch}:${index}`));
}

const planOptions = fc.record({
  linesPerDelivery: fc.integer({ min: 1, max: 12 }),
  shuffleSeed: fc.option(fc.nat(), { nil: undefined }),
  repeat: fc.integer({ min: 1, max: 3 }),
});

describe('planDeliveries', () => {
  it('hands over every non-blank line exactly K times, and nothing else', () => {
    fc.assert(
      fc.property(generatedStreams, planOptions, (generated, options) => {
        const { batches, times } = streamsOf(generated);
        const plan = planDeliveries(batches, times, options);
        const expected = generated.flatMap((lines, b) =>
          lines.flatMap((value, i) =>
            value === 'blank' ? [] : Array.from({ length: options.repeat }, () => `${b}:${i}`),
          ),
        );
        expect(handedLines(plan).sort()).toEqual(expected.sort());
      }),
      { numRuns: 300 },
    );
  });

  it('cuts each stream into runs of N consecutive lines (the last may be shorter)', () => {
    fc.assert(
      fc.property(generatedStreams, planOptions, (generated, options) => {
        const { batches, times } = streamsOf(generated);
        const originals = planDeliveries(batches, times, options).filter((d) => d.copy === 0);
        for (const [b, lines] of generated.entries()) {
          const nonBlank = lines.flatMap((value, i) => (value === 'blank' ? [] : [i]));
          const cuts = originals
            .filter((delivery) => delivery.batch === b)
            .sort((x, y) => (x.lines[0] ?? 0) - (y.lines[0] ?? 0));
          expect(cuts.flatMap((delivery) => delivery.lines)).toEqual(nonBlank);
          for (const [n, delivery] of cuts.entries()) {
            if (n < cuts.length - 1) expect(delivery.lines).toHaveLength(options.linesPerDelivery);
            else expect(delivery.lines.length).toBeLessThanOrEqual(options.linesPerDelivery);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same plan for the same seed', () => {
    fc.assert(
      fc.property(generatedStreams, planOptions, (generated, options) => {
        const { batches, times } = streamsOf(generated);
        expect(planDeliveries(batches, times, options)).toEqual(
          planDeliveries(batches, times, options),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('shuffles: different seeds give different orders of the same deliveries', () => {
    const { batches, times } = streamsOf([Array.from({ length: 30 }, (_, i) => i)]);
    const orders = new Set(
      [1, 2, 3, 4, 5].map((seed) =>
        handedLines(
          planDeliveries(batches, times, { linesPerDelivery: 1, shuffleSeed: seed }),
        ).join(),
      ),
    );
    expect(orders.size).toBe(5);
  });

  it('places every repeat after its original; in time order, right after it', () => {
    fc.assert(
      fc.property(generatedStreams, planOptions, (generated, options) => {
        const { batches, times } = streamsOf(generated);
        const plan = planDeliveries(batches, times, options);
        const firstSeen = new Map<string, number>();
        for (const [position, delivery] of plan.entries()) {
          const name = `${delivery.batch}:${delivery.lines[0]}`;
          if (delivery.copy === 0) {
            expect(firstSeen.has(name)).toBe(false);
            firstSeen.set(name, position);
          } else {
            const original = firstSeen.get(name);
            expect(original).toBeDefined();
            if (options.shuffleSeed === undefined) {
              expect(position - (original ?? 0)).toBe(delivery.copy);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('without a seed, orders deliveries by their first line’s time; N = 1 is the time-sorted log', () => {
    fc.assert(
      fc.property(generatedStreams, (generated) => {
        const { batches, times } = streamsOf(generated);
        const plan = planDeliveries(batches, times, { linesPerDelivery: 1 });
        const planTimes = plan.map((delivery) => delivery.time);
        expect(planTimes).toEqual([...planTimes].sort((a, b) => a - b));
        // A line without a time sorts with its stream's previous time, after that line.
        for (const [b, lines] of generated.entries()) {
          let carried = Number.NEGATIVE_INFINITY;
          for (const [i, value] of lines.entries()) {
            if (typeof value === 'number') carried = T0 + value * 60_000;
            if (value === 'blank') continue;
            const delivery = plan.find((d) => d.batch === b && d.lines[0] === i);
            expect(delivery?.time).toBe(carried);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rejects N < 1 and K < 1', () => {
    const { batches, times } = streamsOf([[1, 2]]);
    expect(() => planDeliveries(batches, times, { linesPerDelivery: 0 })).toThrow(
      /linesPerDelivery/,
    );
    expect(() => planDeliveries(batches, times, { linesPerDelivery: 1, repeat: 0 })).toThrow(
      /repeat/,
    );
  });
});

describe('lineTimes and deliveryBatch', () => {
  it('reads own times with the stream’s parser; a line without one carries the previous time as its timestamp', () => {
    const stream = batch('gw', [
      line(0, 'auth.failed'),
      '{"c":"auth.failed"}',
      '',
      line(2, 'auth.failed'),
    ]);
    const times = [lineTimes(stream, SYNTHETIC_SOURCES)];
    expect(times[0]).toEqual([T0, null, null, T0 + 120_000]);
    const [first, second] = planDeliveries([stream], times, { linesPerDelivery: 1 });
    expect(second?.time).toBe(T0);
    const delivered = deliveryBatch([stream], second as Delivery, times);
    expect(delivered.lines).toEqual([{ text: '{"c":"auth.failed"}', line: 2, timestamp: T0 }]);
    expect(deliveryBatch([stream], first as Delivery, times).lines[0]?.timestamp).toBeUndefined();
  });
});

describe('runDeliveries', () => {
  const attack = batch(
    'gw1',
    [0, 1, 2, 3, 4, 5, 6].map((m) => line(m, 'auth.failed', { clientIp: '203.0.113.5' })),
  );
  const options = () => ({
    store: new MemoryStateStore(),
    config: DEFAULT_RULES_CONFIG,
    sources: SYNTHETIC_SOURCES,
  });

  it('passes state through the shared store: a delivery handed over again publishes nothing again', async () => {
    const reference = await runPipeline([attack], options());
    const times = [lineTimes(attack, SYNTHETIC_SOURCES)];
    const plan = planDeliveries([attack], times, { linesPerDelivery: 10, repeat: 3 });
    expect(plan).toHaveLength(3);
    const run = await runDeliveries([attack], plan, options(), times);
    expect(run.published.map((a) => a.id)).toEqual(reference.alerts.map((a) => a.id));
    expect(reference.alerts).toHaveLength(1);
    expect(run.result.events).toBe(21);
    expect(run.result.duplicates).toBe(14);
    expect(isExact(compareAlerts(reference.alerts, run.published, DEFAULT_RULES_CONFIG))).toBe(
      true,
    );
  });

  it('asks the store O(1) times per delivery (one getMany, at most one putMany), not per line', async () => {
    const lines = Array.from({ length: 60 }, (_, i) =>
      line(i / 2, i % 3 === 0 ? 'cert.expired' : 'auth.failed', {
        clientIp: `203.0.113.${i % 7}`,
        user: `u${i % 5}`,
      }),
    );
    const stream = batch('gw', lines);
    const times = [lineTimes(stream, SYNTHETIC_SOURCES)];
    for (const linesPerDelivery of [1, 20, 60]) {
      const plan = planDeliveries([stream], times, { linesPerDelivery, repeat: 2 });
      const store = new CountingStateStore(new MemoryStateStore());
      await runDeliveries([stream], plan, { ...options(), store }, times);
      const { get, getMany, put, putMany, keysRead } = store.calls;
      expect({ linesPerDelivery, get, getMany, put }).toEqual({
        linesPerDelivery,
        get: 0,
        getMany: plan.length,
        put: 0,
      });
      expect(putMany).toBeLessThanOrEqual(plan.length);
      expect(putMany).toBeGreaterThanOrEqual(plan.length / 2);
      // Keys read grow with the keys a delivery touches, not with its lines.
      expect(keysRead / plan.length).toBeLessThanOrEqual(4 * Math.min(linesPerDelivery, 12) + 2);
    }
  });

  it('adds the counts of every delivery', () => {
    const a = {
      alerts: [],
      events: 2,
      byCategory: { openvpn: { 'auth.failed': 2 } },
      unclassified: 0,
      malformed: 1,
      suppressed: { cooldown: 1, dedup: 0, folded: 0 },
      duplicates: 0,
      conflicts: 0,
      late: 0,
    };
    const b = { ...a, byCategory: { openvpn: { 'auth.failed': 1, 'cert.expired': 4 } } };
    expect(addResults(a, b)).toEqual({
      alerts: [],
      events: 4,
      byCategory: { openvpn: { 'auth.failed': 3, 'cert.expired': 4 } },
      unclassified: 0,
      malformed: 2,
      suppressed: { cooldown: 2, dedup: 0, folded: 0 },
      duplicates: 0,
      conflicts: 0,
      late: 0,
    });
  });
});

let serial = 0;
/** A hand-made alert: only what the comparison reads is meaningful. */
function alert(
  rule: RuleId,
  key: string,
  status: 'opened' | 'resolved',
  minutes: number,
  id = `id-${serial++}`,
): Alert {
  return {
    id,
    rule,
    status,
    key,
    time: T0 + minutes * 60_000,
    category: 'auth.failed',
    severity: 'critical',
    source: 'openvpn',
    subject: '',
    summary: '',
    evidence: [],
    remediation: '',
    about: {},
    eventId: `e-${id}`,
  };
}

const ids = (refs: readonly AlertRef[]) => refs.map((ref) => ref.id);

describe('compareAlerts', () => {
  const config = DEFAULT_RULES_CONFIG;
  const down = alert('tunnel.down', 'tunnel:a', 'opened', 0, 'down-1');
  const up = alert('tunnel.down', 'tunnel:a', 'resolved', 10, 'up-1');
  const brute = alert('auth.bruteforce', 'client:x', 'opened', 5, 'brute-1');

  it('finds nothing when the same alerts are published', () => {
    const comparison = compareAlerts([down, brute, up], [down, up, brute], config);
    expect(comparison).toMatchObject({
      reference: 3,
      published: 3,
      missingIds: [],
      extraIds: [],
      doubledIds: [],
      lost: [],
      extra: [],
      moved: [],
      doubled: [],
    });
    expect(isExact(comparison)).toBe(true);
    expect(isLossless(comparison)).toBe(true);
  });

  it('names a reference alert never published, by id and as a lost incident', () => {
    const comparison = compareAlerts([down, brute, up], [down, brute], config);
    expect(comparison.missingIds).toEqual(['up-1']);
    expect(ids(comparison.lost)).toEqual(['up-1']);
    expect(isLossless(comparison)).toBe(false);
  });

  it('counts an incident raised under another id within the rule’s window as moved, not lost', () => {
    const late = alert('auth.bruteforce', 'client:x', 'opened', 50, 'brute-late');
    const comparison = compareAlerts([brute], [late], config);
    expect(comparison.missingIds).toEqual(['brute-1']);
    expect(comparison.extraIds).toEqual(['brute-late']);
    expect(comparison.lost).toEqual([]);
    expect(
      comparison.moved.map(({ reference, published }) => [reference.id, published.id]),
    ).toEqual([['brute-1', 'brute-late']]);
    expect(isLossless(comparison)).toBe(true);
    expect(isExact(comparison)).toBe(false);
  });

  it('does not match across rule, key or status, nor beyond the window', () => {
    const far = alert('auth.bruteforce', 'client:x', 'opened', 5 + 61, 'far');
    const otherKey = alert('auth.bruteforce', 'client:y', 'opened', 5, 'other-key');
    const otherRule = alert('probe.scan', 'client:x', 'opened', 5, 'other-rule');
    const comparison = compareAlerts([brute], [far, otherKey, otherRule], config);
    expect(ids(comparison.lost)).toEqual(['brute-1']);
    expect(ids(comparison.extra).sort()).toEqual(['far', 'other-key', 'other-rule']);
  });

  it('matches other rules one to one: two reference alerts and one published leave one lost', () => {
    const brute2 = alert('auth.bruteforce', 'client:x', 'opened', 30, 'brute-2');
    const comparison = compareAlerts([brute, brute2], [brute], config);
    expect(ids(comparison.lost)).toEqual(['brute-2']);
  });

  it('matches state-rule incidents by time span: a late line may move their start or end', () => {
    const lateDown = alert('tunnel.down', 'tunnel:a', 'opened', 4, 'late-down');
    const lateUp = alert('tunnel.down', 'tunnel:a', 'resolved', 40, 'late-up');
    const comparison = compareAlerts([down, up], [lateDown, lateUp], config);
    expect(comparison.lost).toEqual([]);
    expect(comparison.extra).toEqual([]);
    expect(
      comparison.moved.map(({ reference, published }) => [reference.id, published.id]),
    ).toEqual([
      ['down-1', 'late-down'],
      ['up-1', 'late-up'],
    ]);
  });

  it('loses a second outage that no published incident overlaps, and a resolve never published', () => {
    const down2 = alert('tunnel.down', 'tunnel:a', 'opened', 20, 'down-2');
    const up2 = alert('tunnel.down', 'tunnel:a', 'resolved', 30, 'up-2');
    expect(ids(compareAlerts([down, up, down2, up2], [down, up], config).lost)).toEqual([
      'down-2',
      'up-2',
    ]);
    expect(ids(compareAlerts([down, up], [down], config).lost)).toEqual(['up-1']);
    const elsewhere = alert('tunnel.down', 'tunnel:a', 'opened', 50, 'elsewhere');
    expect(ids(compareAlerts([down, up], [down, up, elsewhere], config).extra)).toEqual([
      'elsewhere',
    ]);
  });

  it('reports an id published twice as doubled', () => {
    const comparison = compareAlerts([down, up], [down, down, up], config);
    expect(comparison.doubledIds).toEqual(['down-1']);
    expect(comparison.published).toBe(3);
    expect(isLossless(comparison)).toBe(false);
  });

  it('reports a state rule opened twice on one key with no resolved between, in time order', () => {
    const again = alert('tunnel.down', 'tunnel:a', 'opened', 2, 'down-again');
    const doubled = compareAlerts([down, up], [down, again, up], config);
    expect(doubled.doubled.map(({ first, second }) => [first.id, second.id])).toEqual([
      ['down-1', 'down-again'],
    ]);
    expect(isLossless(doubled)).toBe(false);
    // Opened, resolved (published first, a late line), opened again: two outages, not doubled.
    const reopened = alert('tunnel.down', 'tunnel:a', 'opened', 20, 'down-3');
    expect(compareAlerts([down, up, reopened], [up, reopened, down], config).doubled).toEqual([]);
    // Threshold rules have no resolved: two openings are two incidents.
    const brute2 = alert('auth.bruteforce', 'client:x', 'opened', 90, 'brute-2');
    expect(compareAlerts([brute, brute2], [brute, brute2], config).doubled).toEqual([]);
  });

  it('takes each rule’s tolerance from its window, cooldown or cause look-back', () => {
    expect(matchToleranceMs('auth.bruteforce', config)).toBe(60 * 60_000);
    expect(matchToleranceMs('tunnel.flapping', config)).toBe(30 * 60_000);
    expect(matchToleranceMs('tunnel.down', config)).toBe(5 * 60_000);
    expect(matchToleranceMs('ike.psk_mismatch', config)).toBe(60 * 60_000);
  });
});
