/**
 * The state size per key that docs/rules-tunnel.md and the rules' doc comments
 * state, measured as the JSON the DynamoDB store writes.
 */
import { describe, expect, it } from 'vitest';
import type { VpnEvent } from '../../src/model.ts';
import { MAX_EVIDENCE_LINE_CHARS, MAX_EVIDENCE_LINES } from '../../src/rules/incident.ts';
import { type Journal, MAX_JOURNAL_ENTRIES } from '../../src/rules/journal.ts';
import {
  down,
  type MapStateView,
  NEIGHBOR,
  runRules,
  s2s,
  TUNNEL_A,
  TUNNEL_B,
  up,
  VPN,
} from './tunnel-harness.ts';

const TUNNEL_KEY = `tunnel:${VPN}:${TUNNEL_A}`;
const VPN_KEY = `vpn:${VPN}`;
const BGP_KEY = `bgp:${VPN}:${TUNNEL_A}:${NEIGHBOR}`;

/** Bytes of the rule's own state (the journal's `live` member). */
function bytes(view: MapStateView, key: string): number {
  const entry = view.entries.get(key);
  if (entry === undefined) throw new Error(`no state under ${key}`);
  return Buffer.byteLength(JSON.stringify((entry.value as Journal).live));
}

/** Bytes of the whole stored journal (state, log of recent events, sent alerts). */
function journalBytes(view: MapStateView, key: string): number {
  const entry = view.entries.get(key);
  if (entry === undefined) throw new Error(`no state under ${key}`);
  return Buffer.byteLength(JSON.stringify(entry.value));
}

/** A raw line as long as the longest evidence line kept. */
function longLine(at: number): VpnEvent {
  return s2s({
    at,
    category: 'ike.negotiation_timeout',
    phase1: 'negotiating',
    message: 'x'.repeat(2 * MAX_EVIDENCE_LINE_CHARS),
  });
}

describe('state size per key', () => {
  it('a healthy tunnel: under 100 bytes', () => {
    const { view } = runRules([up(0), up(1, { category: 'ike.child_sa' })]);

    expect(bytes(view, TUNNEL_KEY)).toBeLessThan(100);
  });

  it('a tunnel with a cause cooldown and a remembered critical event: under 600 bytes', () => {
    const { view } = runRules([up(0), s2s({ at: 1, category: 'ike.psk_mismatch' })]);

    expect(bytes(view, TUNNEL_KEY)).toBeLessThan(600);
  });

  it('a tunnel with an open incident and full evidence: under 5 KB', () => {
    const events = [up(0), down(1, { category: 'dpd.timeout' })];
    for (let i = 0; i < 2 * MAX_EVIDENCE_LINES; i++) events.push(longLine(2 + i));

    const { view } = runRules(events);

    expect(bytes(view, TUNNEL_KEY)).toBeLessThan(5_000);
  });

  it('a VPN connection: under 150 bytes, under 500 while all its tunnels are down', () => {
    const healthy = runRules([up(0), up(0, { tunnelIp: TUNNEL_B })]);
    const allDown = runRules([down(0), down(0, { tunnelIp: TUNNEL_B })]);

    expect(bytes(healthy.view, VPN_KEY)).toBeLessThan(150);
    expect(bytes(allDown.view, VPN_KEY)).toBeLessThan(500);
  });

  it('a BGP session: under 60 bytes, under 1.5 KB with a cause and an open alert', () => {
    const healthy = runRules([
      s2s({
        at: 0,
        category: 'bgp.state_change',
        neighbor: NEIGHBOR,
        bgpFrom: 'OpenConfirm',
        bgpTo: 'Established',
      }),
    ]);
    const failing = runRules([
      s2s({
        at: 0,
        category: 'bgp.state_change',
        neighbor: NEIGHBOR,
        bgpFrom: 'OpenConfirm',
        bgpTo: 'Established',
      }),
      s2s({ at: 1, category: 'bgp.notification', neighbor: NEIGHBOR }),
      s2s({
        at: 1,
        category: 'bgp.state_change',
        neighbor: NEIGHBOR,
        bgpFrom: 'Established',
        bgpTo: 'Idle',
      }),
    ]);

    expect(bytes(healthy.view, BGP_KEY)).toBeLessThan(60);
    expect(bytes(failing.view, BGP_KEY)).toBeLessThan(1_500);
  });

  it('a journal: healthy records kept as one run, a storm of distinct long records bounded', () => {
    const healthy = runRules(Array.from({ length: 500 }, (_, i) => up(i)));
    const storm: VpnEvent[] = [up(0), down(1, { category: 'dpd.timeout' })];
    for (let i = 0; i < 1000; i++) {
      storm.push(i % 2 === 0 ? longLine(2 + i) : up(2 + i, { message: `m${i}`.repeat(100) }));
    }
    const stormy = runRules(storm);

    const log = (healthy.view.entries.get(TUNNEL_KEY)!.value as Journal).log;
    expect(log.length).toBe(1);
    expect(journalBytes(healthy.view, TUNNEL_KEY)).toBeLessThan(1_500);
    expect((stormy.view.entries.get(TUNNEL_KEY)!.value as Journal).log.length).toBeLessThanOrEqual(
      MAX_JOURNAL_ENTRIES,
    );
    expect(journalBytes(stormy.view, TUNNEL_KEY)).toBeLessThan(150_000);
  });
});
