import { describe, expect, it } from 'vitest';
import { runPipeline, type StreamBatch } from '../../src/pipeline.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';
import { MemoryStateStore } from '../../src/state/memory-state-store.ts';

const T0 = Date.parse('2025-04-14T02:00:00Z');
const minute = 60_000;

/** One refused login (gateway form) from `address` at `T0 + minutes`. */
function refusedLogin(address: string, minutes: number, port: number): string {
  const time = new Date(T0 + minutes * minute).toISOString().replace('T', ' ').slice(0, 19);
  return `${time.replaceAll('-', '/')} openvpn-vtun0 ${address}:${port} TLS Auth Error: Auth Username/Password verification failed for peer`;
}

function batch(lines: readonly string[], firstLine: number): StreamBatch {
  return {
    source: 'openvpn',
    stream: 'gateway',
    file: 'gateway.log',
    lines: lines.map((text, index) => ({ text, line: firstLine + index })),
  };
}

describe('batches that arrive long after their events (retries, redrive)', () => {
  it('keeps a cooldown that is over by the wall clock but not by the events', async () => {
    // Prepare: the wall clock is 3 h past the events (a Lambda retry, a redrive).
    const store = new MemoryStateStore(() => T0 + 180 * minute);
    const first = [0, 1, 2, 3, 4].map((m) => refusedLogin('203.0.113.66', m, 40_100 + m));
    const second = [30, 31, 32, 33, 34].map((m) => refusedLogin('203.0.113.66', m, 40_200 + m));
    const options = { store, config: DEFAULT_RULES_CONFIG, now: () => T0 + 180 * minute };

    // Act
    const run1 = await runPipeline([batch(first, 1)], options);
    const run2 = await runPipeline([batch(second, 6)], options);

    // Assess: the second burst is within the 60-minute cooldown of the first.
    expect(run1.alerts.map((alert) => alert.rule)).toEqual(['auth.bruteforce']);
    expect(run2.alerts).toEqual([]);
    expect(run2.suppressed.cooldown).toBeGreaterThan(0);
  });

  it('counts a threshold window across two late batches', async () => {
    const store = new MemoryStateStore(() => T0 + 60 * minute);
    const options = { store, config: DEFAULT_RULES_CONFIG, now: () => T0 + 60 * minute };
    const lines = [0, 1, 2, 3, 4].map((m) => refusedLogin('198.51.100.9', m, 50_000 + m));

    const run1 = await runPipeline([batch(lines.slice(0, 3), 1)], options);
    const run2 = await runPipeline([batch(lines.slice(3), 4)], options);

    expect(run1.alerts).toEqual([]);
    expect(run2.alerts.map((alert) => alert.rule)).toEqual(['auth.bruteforce']);
  });

  it('still lets the store forget state once it is well past its expiry', async () => {
    let wallClock = T0 + 60 * minute;
    const store = new MemoryStateStore(() => wallClock);
    const options = { store, config: DEFAULT_RULES_CONFIG, now: () => wallClock };
    await runPipeline([batch([refusedLogin('192.0.2.1', 0, 1)], 1)], options);
    expect(store.size).toBeGreaterThan(0);

    wallClock = T0 + 60 * 24 * 60 * minute;
    expect(store.size).toBe(0);
  });
});
