/** A controllable clock for `MemoryStateStore` and `PipelineOptions.now`. */
export interface TestClock {
  now(): number;
  set(epochMs: number): void;
}

/** A clock that stays at `start` (epoch ms) until set. */
export function testClock(start: number): TestClock {
  let current = start;
  return {
    now: () => current,
    set(epochMs) {
      current = epochMs;
    },
  };
}
