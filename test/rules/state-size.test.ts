/**
 * State stays bounded per key whatever the flood: these figures are the ones
 * docs/rules.md quotes (JSON.stringify length of the stored value).
 */
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/pipeline.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';
import { thresholdRules } from '../../src/rules/threshold.ts';
import { MemoryStateStore } from '../../src/state/memory-state-store.ts';
import { testClock } from '../helpers/memory-clock.ts';
import { batch, line, SYNTHETIC_SOURCES, T0 } from '../helpers/synthetic-source.ts';

async function flood(lines: readonly string[]) {
  const clock = testClock(T0);
  const store = new MemoryStateStore(clock.now);
  await runPipeline([batch('gw', lines)], {
    store,
    config: DEFAULT_RULES_CONFIG,
    now: clock.now,
    rules: thresholdRules,
    sources: SYNTHETIC_SOURCES,
  });
  const sizes: Record<string, number> = {};
  for (const key of store.keys()) {
    const kind = key
      .replace(/:(client|user|server|hub|session):.*$/, ':$1')
      .replace(/^pipeline:stream:.*/, 'pipeline:stream');
    const size = JSON.stringify((await store.get(key))?.value).length;
    sizes[kind] = Math.max(sizes[kind] ?? 0, size);
  }
  return sizes;
}

const padding = 'x'.repeat(2000);

describe('threshold rule state size per key', () => {
  it('bounds an address window and cooldown under a flood from one address', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) =>
      line(i / 400, 'auth.failed', {
        clientIp: '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff',
        user: `u${i % 7}`,
        pad: padding,
      }),
    );
    const sizes = await flood(lines);
    // 200 entries with their event id hash, 5 of them with a 500-character raw line.
    expect(sizes['auth.bruteforce:window:openvpn:client']).toBeLessThan(11_000);
    // The alerts raised within the lateness bound (one here).
    expect(sizes['auth.bruteforce:cooldown:openvpn:client']).toBeLessThan(100);
    // Per-user windows: entries carry the address and a covered mark.
    expect(sizes['auth.bruteforce:window:openvpn:user']).toBeLessThan(24_000);
    // 3,000 remembered event ids in one 10-minute bucket, 9 characters each.
    expect(sizes['pipeline:stream']).toBeLessThan(3000 * 9 + 100);
  });

  it('bounds a per-user window and its cooldown under a distributed flood', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) =>
      line(i / 400, 'auth.failed', {
        clientIp: `2001:db8::${i.toString(16)}:ffff:ffff`,
        user: 'root',
        pad: padding,
      }),
    );
    const sizes = await flood(lines);
    // 200 entries with an IPv6 tag and an id hash, 5 of them with a 500-character raw line.
    expect(sizes['auth.bruteforce:window:openvpn:user']).toBeLessThan(18_000);
    // The user alert's cooldown lists the addresses it covered (at the time it fired: 5).
    expect(sizes['auth.bruteforce:cooldown:openvpn:user']).toBeLessThan(300);
  });
});
