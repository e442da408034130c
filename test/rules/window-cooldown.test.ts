import { describe, expect, it } from 'vitest';
import {
  COOLDOWN_MEMORY_MS,
  inCooldown,
  startCooldown,
  takeCooldown,
} from '../../src/rules/cooldown.ts';
import type { StateView } from '../../src/rules/rule.ts';
import {
  crossingAt,
  observeWindow,
  type WindowState,
  windowEntries,
} from '../../src/rules/window.ts';

/** A StateView over a Map that records expiries. */
function mapState() {
  const values = new Map<string, { value: unknown; expiresAt?: number }>();
  const state: StateView = {
    get: <T>(key: string) => values.get(key)?.value as T | undefined,
    set: (key, value, expiresAt) => {
      values.set(key, expiresAt === undefined ? { value } : { value, expiresAt });
    },
    delete: (key) => {
      values.delete(key);
    },
  };
  return { state, values };
}

describe('observeWindow', () => {
  it('keeps entries for the retention behind the newest and expires the key at its end', () => {
    const { state, values } = mapState();
    for (const t of [0, 100, 200, 1100]) {
      observeWindow(state, 'k', { t }, { windowMs: 1000, retainMs: 1000 });
    }
    expect(state.get<WindowState>('k')?.entries.map((e) => e.t)).toEqual([200, 1100]);
    expect(values.get('k')?.expiresAt).toBe(2100);
  });

  it('keeps late entries in time order, an event observed twice once', () => {
    const { state } = mapState();
    for (const t of [5000, 100, 3000, 100]) {
      observeWindow(state, 'k', { t, i: t }, { windowMs: 1000 });
    }
    expect(state.get<WindowState>('k')?.entries.map((e) => e.t)).toEqual([100, 3000, 5000]);
  });

  it('finds the crossing a late entry causes, and none where cooldowns cover it', () => {
    const entries = [0, 100, 200, 5000, 5100].map((t) => ({ t }));
    // Threshold 3 in 1000 ms: the entry at 100 (late) makes 200 the crossing.
    expect(crossingAt(entries, 100, 1000, 3, 200, () => false)).toMatchObject({ time: 200 });
    expect(crossingAt(entries, 100, 1000, 3, 200, () => true)).toEqual({ covered: true });
    expect(crossingAt(entries, 5000, 1000, 3, 200, () => false)).toBeUndefined();
  });

  it('bounds the entries and keeps evidence only on the newest', () => {
    const { state } = mapState();
    let entries: readonly { t: number; raw?: string }[] = [];
    for (let t = 0; t < 50; t++) {
      entries = observeWindow(
        state,
        'k',
        { t, raw: `line ${t} ${'x'.repeat(900)}` },
        { windowMs: 1000, maxEntries: 10, evidenceLines: 3, maxRawLength: 20 },
      );
    }
    expect(entries.map((e) => e.t)).toEqual([40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
    expect(entries.filter((e) => e.raw !== undefined).map((e) => e.raw)).toEqual([
      'line 47 xxxxxxxxxxxx',
      'line 48 xxxxxxxxxxxx',
      'line 49 xxxxxxxxxxxx',
    ]);
  });

  it('inserts an out-of-order event in time order', () => {
    const { state } = mapState();
    observeWindow(state, 'k', { t: 500 }, { windowMs: 1000 });
    const entries = observeWindow(state, 'k', { t: 300 }, { windowMs: 1000 });
    expect(entries.map((e) => e.t)).toEqual([300, 500]);
    expect(windowEntries(state, 'k', 1350, 1000).map((e) => e.t)).toEqual([500]);
  });
});

describe('cooldown', () => {
  it('lets one through per cooldown period and expires the key at its end', () => {
    const { state, values } = mapState();
    expect(takeCooldown(state, 'c', 0, 100)).toBe(true);
    // Raised alerts are remembered for the lateness bound.
    expect(values.get('c')?.expiresAt).toBe(COOLDOWN_MEMORY_MS);
    expect(takeCooldown(state, 'c', 99, 100)).toBe(false);
    expect(takeCooldown(state, 'c', 100, 100)).toBe(true);
  });

  it('a late event is covered by an alert raised after it within one cooldown', () => {
    const { state } = mapState();
    expect(takeCooldown(state, 'c', 1000, 100)).toBe(true);
    expect(inCooldown(state, 'c', 950)).toBe(true);
    expect(takeCooldown(state, 'c', 850, 100)).toBe(true);
    expect(inCooldown(state, 'c', 900)).toBe(true);
  });

  it('keeps extra data with the cooldown', () => {
    const { state } = mapState();
    startCooldown(state, 'c', 0, 10, { addresses: ['a'] });
    expect(inCooldown(state, 'c', 5)).toBe(true);
    expect(state.get('c')).toEqual({ until: 10, addresses: ['a'], alerts: [{ at: 0, until: 10 }] });
  });
});
