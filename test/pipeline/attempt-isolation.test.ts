/**
 * Rules change their state in place within one pipeline attempt (journals,
 * windows): a failed or conflicting attempt must leave the committed state as
 * it was, and the retry must judge the events as if the failed attempt had
 * never run.
 */
import { describe, expect, it } from 'vitest';
import {
  StateConflictError,
  type StateStore,
  type StateWrite,
  type Versioned,
} from '../../src/model.ts';
import { runPipeline, type StreamBatch } from '../../src/pipeline.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';
import { MemoryStateStore } from '../../src/state/memory-state-store.ts';
import { batchesOf } from '../helpers/deliver.ts';

/** The in-memory store, failing the next `failures` putMany calls with `error()`. */
class FailingStore implements StateStore {
  failures = 0;
  error: () => Error = () => new Error('store unavailable');
  constructor(readonly inner: MemoryStateStore) {}
  get<T>(key: string) {
    return this.inner.get<T>(key);
  }
  readNow(key: string): Versioned | undefined {
    return this.inner.readNow(key);
  }
  getMany(keys: readonly string[]) {
    return this.inner.getMany(keys);
  }
  put<T>(write: StateWrite<T>) {
    return this.inner.put(write);
  }
  async putMany(writes: readonly StateWrite[]) {
    if (this.failures > 0) {
      this.failures--;
      throw this.error();
    }
    return this.inner.putMany(writes);
  }
}

/** Every stored entry as JSON, by key. */
async function snapshot(store: MemoryStateStore): Promise<Map<string, string>> {
  const entries = await store.getMany(store.keys());
  return new Map([...entries].map(([key, entry]) => [key, JSON.stringify(entry)]));
}

/** Each batch cut in two at `fraction` of its lines. */
function halves(batches: readonly StreamBatch[], fraction: number): [StreamBatch[], StreamBatch[]] {
  const cut = (batch: StreamBatch) => Math.floor(batch.lines.length * fraction);
  return [
    batches.map((batch) => ({ ...batch, lines: batch.lines.slice(0, cut(batch)) })),
    batches.map((batch) => ({ ...batch, lines: batch.lines.slice(cut(batch)) })),
  ];
}

const SAMPLES = ['samples/aws-s2s', 'samples/openvpn', 'samples/softether'];
const clock = () => Date.parse('2025-04-14T00:00:00Z');
const options = (store: StateStore) => ({ store, config: DEFAULT_RULES_CONFIG, now: clock });

describe('pipeline attempts over state changed in place', () => {
  it('a failed attempt leaves the committed state as it was', async () => {
    // Prepare: the first half of every sample committed.
    const [first, second] = halves(await batchesOf(SAMPLES, 'Asia/Tokyo'), 0.5);
    const inner = new MemoryStateStore(clock);
    const store = new FailingStore(inner);
    await runPipeline(first, options(store));
    const before = await snapshot(inner);
    expect(before.size).toBeGreaterThan(10);
    // Act: the second half fails to commit.
    store.failures = 1;
    await expect(runPipeline(second, options(store))).rejects.toThrow('store unavailable');
    // Assess
    expect(await snapshot(inner)).toEqual(before);
  });

  it('a conflict retry raises what one clean attempt raises, and stores the same', async () => {
    // Prepare: two stores with the same first half committed.
    const [first, second] = halves(await batchesOf(SAMPLES, 'Asia/Tokyo'), 0.4);
    const clean = new MemoryStateStore(clock);
    const inner = new MemoryStateStore(clock);
    const conflicting = new FailingStore(inner);
    conflicting.error = () => new StateConflictError(['any']);
    await runPipeline(first, options(clean));
    await runPipeline(first, options(conflicting));
    // Act: the second half, with two conflicts before the commit on one store.
    conflicting.failures = 2;
    const retried = await runPipeline(second, options(conflicting));
    const once = await runPipeline(second, options(clean));
    // Assess
    expect(retried.conflicts).toBe(2);
    expect(once.alerts.length).toBeGreaterThan(0);
    expect(retried.alerts).toEqual(once.alerts);
    expect(await snapshot(inner)).toEqual(await snapshot(clean));
  });
});
