/**
 * The tunnel and BGP rules through `runPipeline`: NDJSON lines → aws-s2s
 * parser → rules → rendered alerts, with state in a `MemoryStateStore`
 * across batches, replays and Lambda-sized invocations.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/model.ts';
import { type RawLine, runPipeline, type StreamBatch } from '../../src/pipeline.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';
import { tunnelRules } from '../../src/rules/tunnel.ts';
import { MemoryStateStore } from '../../src/state/memory-state-store.ts';
import { MINUTE, T0 } from './tunnel-harness.ts';

const VPN = 'vpn-0a1b2c3d4e5f67890';
const IP_A = '203.0.113.10';
const IP_B = '203.0.113.20';
const PSK = 'AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.7';
const DPD = 'AWS tunnel DPD timed out after 3 retransmits';
const DELETE = 'AWS tunnel received DELETE for IKE_SA from CGW';
const REKEY = 'AWS tunnel processed request (id=12) for CREATE_CHILD_SA';

function record(at: number, details: string, phase: string): RawLine {
  const time = T0 + Math.round(at * MINUTE);
  return {
    text: JSON.stringify({
      event_timestamp: time,
      details,
      ike_phase1_state: phase,
      ike_phase2_state: phase,
    }),
    timestamp: time,
    eventId: `${time}-${details.length}-${phase}`,
  };
}

function stream(ip: string, lines: readonly RawLine[]): StreamBatch {
  return { source: 'aws-s2s', stream: `${VPN}-${ip}`, logGroup: '/aws/vendedlogs/vpn/test', lines };
}

function options(store: MemoryStateStore) {
  return { store, config: DEFAULT_RULES_CONFIG, now: () => T0, rules: tunnelRules };
}

function summary(alerts: readonly Alert[]): string[] {
  return alerts.map((alert) => `${alert.rule} ${alert.status} ${alert.category}`);
}

describe('tunnel rules through runPipeline', () => {
  it('DPD timeout then recovery: opened then resolved, rendered with the cause', async () => {
    const store = new MemoryStateStore(() => T0);
    const batch = stream(IP_A, [
      record(0, '', 'established'),
      record(10, DPD, 'down'),
      record(14, '', 'established'),
    ]);

    const result = await runPipeline([batch], options(store));

    expect(summary(result.alerts)).toEqual([
      'tunnel.down opened dpd.timeout',
      'tunnel.down resolved dpd.timeout',
    ]);
    expect(result.alerts[0]).toMatchObject({
      severity: 'critical',
      key: `aws-s2s:tunnel:${VPN}:${IP_A}`,
      about: { vpnConnectionId: VPN, tunnelIp: IP_A },
    });
    expect(result.alerts[0]?.subject).toBe(`CRITICAL ${VPN} ${IP_A} DOWN: DPD timeout`);
    expect(result.suppressed.folded).toBe(1);
  });

  it('peer DELETE then PSK mismatch for 20 minutes pages twice, in one batch or many', async () => {
    const lines = [record(0, '', 'established'), record(10, DELETE, 'down')];
    for (let i = 1; i <= 40; i++) lines.push(record(10 + i / 2, PSK, 'down'));
    const oneStore = new MemoryStateStore(() => T0);
    const manyStore = new MemoryStateStore(() => T0);

    const one = await runPipeline([stream(IP_A, lines)], options(oneStore));
    const many: Alert[] = [];
    for (let start = 0; start < lines.length; start += 5) {
      const result = await runPipeline(
        [stream(IP_A, lines.slice(start, start + 5))],
        options(manyStore),
      );
      many.push(...result.alerts);
    }

    expect(summary(one.alerts)).toEqual([
      'tunnel.down opened ike.peer_delete',
      'ike.psk_mismatch opened ike.psk_mismatch',
    ]);
    expect(many.map((alert) => alert.id)).toEqual(one.alerts.map((alert) => alert.id));
    expect(one.suppressed.folded).toBe(39);
  });

  it('replaying a batch gives no second alert and leaves the state as it was', async () => {
    const store = new MemoryStateStore(() => T0);
    const batch = stream(IP_A, [record(0, '', 'established'), record(1, PSK, 'down')]);

    const first = await runPipeline([batch], options(store));
    const before = await store.getMany(store.keys());
    const second = await runPipeline([batch], options(store));
    const after = await store.getMany(store.keys());

    expect(summary(first.alerts)).toEqual(['tunnel.down opened ike.psk_mismatch']);
    expect(second.alerts).toEqual([]);
    expect(second.duplicates).toBe(2);
    expect([...after.entries()]).toEqual([...before.entries()]);
  });

  it('four down/up cycles in 25 minutes: two pairs, then flapping', async () => {
    const lines = [record(-1, '', 'established')];
    for (let cycle = 0; cycle < 4; cycle++) {
      lines.push(record(cycle * 6, DPD, 'down'), record(cycle * 6 + 3, '', 'established'));
    }
    lines.push(record(60, REKEY, 'established'));

    const result = await runPipeline(
      [stream(IP_A, lines)],
      options(new MemoryStateStore(() => T0)),
    );

    expect(summary(result.alerts)).toEqual([
      'tunnel.down opened dpd.timeout',
      'tunnel.down resolved dpd.timeout',
      'tunnel.down opened dpd.timeout',
      'tunnel.down resolved dpd.timeout',
      'tunnel.flapping opened dpd.timeout',
      'tunnel.flapping resolved dpd.timeout',
    ]);
  });

  it('both tunnels down in two streams: vpn.all_tunnels_down, one back: resolved', async () => {
    const store = new MemoryStateStore(() => T0);
    const batches = [
      stream(IP_A, [record(0, '', 'established'), record(1, DPD, 'down')]),
      stream(IP_B, [
        record(0, '', 'established'),
        record(2, DPD, 'down'),
        record(4, '', 'established'),
      ]),
    ];

    const result = await runPipeline(batches, options(store));

    expect(summary(result.alerts.filter((alert) => alert.rule === 'vpn.all_tunnels_down'))).toEqual(
      ['vpn.all_tunnels_down opened dpd.timeout', 'vpn.all_tunnels_down resolved dpd.timeout'],
    );
    expect(store.keys().filter((key) => key.startsWith('vpn:'))).toEqual([`vpn:${VPN}`]);
  });

  it('200 healthy rekey records give nothing', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => record(i / 2, REKEY, 'established'));

    const result = await runPipeline(
      [stream(IP_A, lines)],
      options(new MemoryStateStore(() => T0)),
    );

    expect(result.alerts).toEqual([]);
    expect(result.suppressed).toEqual({ cooldown: 0, dedup: 0, folded: 0 });
  });
});

const DETAILS = [
  '',
  DPD,
  PSK,
  DELETE,
  REKEY,
  'AWS tunnel Timeout: deleting un-established Phase 1 IKE_SA with cgw: 198.51.100.7',
];
const PHASES = ['established', 'rekeying', 'negotiating', 'down'];

/** Lines of one tunnel: each a gap in minutes, a message and a phase state. */
const linesArbitrary = fc
  .array(
    fc.record({
      gap: fc.integer({ min: 0, max: 40 }),
      details: fc.constantFrom(...DETAILS),
      phase: fc.constantFrom(...PHASES),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((draws) => {
    let at = 0;
    return draws.map((draw, index) => {
      at += draw.gap;
      return { ...record(at, draw.details, draw.phase), eventId: `line-${index}` };
    });
  });

describe('tunnel rules through runPipeline: properties', () => {
  it('give the same alerts whether a stream comes in one batch or in chunks, and none on replay', async () => {
    await fc.assert(
      fc.asyncProperty(linesArbitrary, fc.integer({ min: 1, max: 7 }), async (lines, chunk) => {
        const whole = await runPipeline(
          [stream(IP_A, lines)],
          options(new MemoryStateStore(() => T0)),
        );
        const store = new MemoryStateStore(() => T0);
        const chunked: Alert[] = [];
        for (let start = 0; start < lines.length; start += chunk) {
          const result = await runPipeline(
            [stream(IP_A, lines.slice(start, start + chunk))],
            options(store),
          );
          chunked.push(...result.alerts);
        }
        const replay = await runPipeline([stream(IP_A, lines)], options(store));

        expect(chunked.map((alert) => alert.id)).toEqual(whole.alerts.map((alert) => alert.id));
        expect(replay.alerts).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
