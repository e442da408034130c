/**
 * `observeWindow` changes a window in place within one `StateView` (one
 * pipeline attempt). These tests hold it to its definition: the same entries
 * as rebuilding the window from the stored value on every observation, in any
 * order, with repeats, marks and evidence trimming; and a value that came
 * from elsewhere (a store, another attempt) is never changed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StateView } from '../../src/rules/rule.ts';
import {
  crossingAt,
  entriesAt,
  observeWindow,
  type WindowEntry,
  type WindowOptions,
  type WindowState,
} from '../../src/rules/window.ts';

/** A StateView over a Map that keeps values by reference (as the pipeline's attempt does). */
function mapState(values = new Map<string, unknown>()): StateView {
  return {
    get: <T>(key: string) => values.get(key) as T | undefined,
    set: (key, value) => {
      values.set(key, value);
    },
    delete: (key) => {
      values.delete(key);
    },
  };
}

/** The window's definition: the stored entries copied, filtered and rebuilt for every event. */
function referenceObserve(
  stored: readonly WindowEntry[],
  entry: WindowEntry,
  options: Required<Omit<WindowOptions, 'retainMs'>> & { readonly retainMs: number },
  mark?: (entry: WindowEntry) => WindowEntry,
): WindowEntry[] {
  const retainMs = Math.max(options.retainMs, options.windowMs);
  const previous = stored.filter((old) => entry.i === undefined || old.i !== entry.i);
  const newest = Math.max(entry.t, ...previous.slice(-1).map((last) => last.t));
  const start = newest - retainMs;
  const raw = entry.raw === undefined ? undefined : entry.raw.slice(0, options.maxRawLength);
  const added: WindowEntry = { ...entry, ...(raw === undefined ? {} : { raw }) };
  const kept = previous.filter((old) => old.t > start);
  let at = kept.length;
  while (at > 0 && (kept[at - 1]?.t ?? 0) > added.t) at--;
  const all = [...kept.slice(0, at), added, ...kept.slice(at)].filter((e) => e.t > start);
  const windowStart = entry.t - options.windowMs;
  return all.slice(-options.maxEntries).map((e, index, list) => {
    const marked = mark === undefined || e.t <= windowStart || e.t > entry.t ? e : mark(e);
    if (index >= list.length - options.evidenceLines || marked.raw === undefined) return marked;
    const { raw: _dropped, ...rest } = marked;
    return rest;
  });
}

const OPTIONS = {
  windowMs: 100,
  maxEntries: 12,
  evidenceLines: 3,
  maxRawLength: 8,
  retainMs: 400,
} as const;

/** An observation: a time, an id (repeats happen), a tag, and whether the tag's entries get marked. */
const observation = fc.record({
  t: fc.integer({ min: 0, max: 1_000 }),
  i: fc.integer({ min: 0, max: 40 }),
  tag: fc.constantFrom('a', 'b', 'c'),
  mark: fc.boolean(),
});

describe('observeWindow in place', () => {
  it('gives the entries of rebuilding the window on every observation', () => {
    fc.assert(
      fc.property(
        fc.array(observation, { maxLength: 80 }),
        fc.integer({ min: 0, max: 5 }),
        (observations, attemptEvery) => {
          // Prepare: one reference window; the subject's StateView changes every
          // `attemptEvery` observations (a new attempt over the same values).
          let reference: WindowEntry[] = [];
          const values = new Map<string, unknown>();
          let state = mapState(values);
          observations.forEach((o, index) => {
            if (attemptEvery > 0 && index % attemptEvery === 0) state = mapState(values);
            const entry: WindowEntry = { t: o.t, i: o.i, tag: o.tag, raw: `line ${o.t} ${o.i}` };
            const mark = o.mark
              ? (old: WindowEntry) => (old.tag === o.tag ? { ...old, covered: true } : old)
              : undefined;
            // Act
            const entries = observeWindow(state, 'k', entry, OPTIONS, mark);
            reference = referenceObserve(reference, entry, OPTIONS, mark);
            // Assess
            expect(entries).toEqual(reference);
            expect(state.get<WindowState>('k')?.entries).toEqual(reference);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never changes a value it did not build in the same StateView', () => {
    fc.assert(
      fc.property(fc.array(observation, { minLength: 1, maxLength: 40 }), (observations) => {
        // Prepare: a stored window, and its JSON as it was.
        const stored = new Map<string, unknown>();
        const first = mapState(stored);
        for (const o of observations.slice(0, 20)) {
          observeWindow(first, 'k', { t: o.t, i: o.i, raw: 'x' }, OPTIONS);
        }
        const before = JSON.stringify(stored.get('k'));
        // Act: a second attempt starts from the same stored value.
        const attempt = mapState(new Map(stored));
        for (const o of observations) {
          observeWindow(attempt, 'k', { t: o.t, i: o.i + 100, raw: 'y' }, OPTIONS, (old) => ({
            ...old,
            covered: true,
          }));
        }
        // Assess
        expect(JSON.stringify(stored.get('k'))).toBe(before);
      }),
      { numRuns: 200 },
    );
  });
});

describe('entriesAt and crossingAt on sorted entries', () => {
  it('match filtering every entry', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 320 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 8 }),
        (times, at, windowMs, threshold) => {
          const entries = [...times].sort((a, b) => a - b).map((t) => ({ t }));
          const inside = entries.filter((e) => e.t > at - windowMs && e.t <= at);
          expect(entriesAt(entries, at, windowMs, 5)).toEqual(inside.slice(-5));
          let expected: ReturnType<typeof crossingAt>;
          for (const candidate of entries) {
            if (candidate.t < at || candidate.t >= at + windowMs) continue;
            const window = entries
              .filter((e) => e.t > candidate.t - windowMs && e.t <= candidate.t)
              .slice(-50);
            if (window.length >= threshold) {
              expected = { time: candidate.t, window };
              break;
            }
          }
          expect(crossingAt(entries, at, windowMs, threshold, 50, () => false)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
