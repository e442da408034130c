import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VpnEvent } from '../../src/model.ts';
import { MAX_EVIDENCE_LINES } from '../../src/rules/incident.ts';
import { type Journal, MAX_JOURNAL_ENTRIES } from '../../src/rules/journal.ts';
import type { AlertDraft } from '../../src/rules/rule.ts';
import type { TunnelState } from '../../src/rules/tunnel.ts';
import { STATE_RETENTION_MS } from '../../src/rules/tunnel-settings.ts';
import { MAX_TUNNELS_PER_VPN, type VpnConnectionState } from '../../src/rules/vpn-connection.ts';
import { MINUTE, NEIGHBOR, type RecordSpec, runRules, s2s, T0 } from './tunnel-harness.ts';

const CATEGORIES = [
  'tunnel.state',
  'ike.child_sa',
  'ike.rekey_collision',
  'ike.peer_delete',
  'ike.psk_mismatch',
  'dpd.timeout',
  'ike.proposal_mismatch',
  'ike.negotiation_timeout',
  'bgp.state_change',
  'bgp.notification',
  'bgp.prefix_limit',
  'bgp.route_denied',
] as const;
const STATES = [undefined, 'established', 'rekeying', 'negotiating', 'down'] as const;
const BGP_STATES = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'] as const;

/** One record: minutes since the previous one, and what it says. */
const recordArbitrary = fc.record({
  gap: fc.oneof(
    fc.constant(0),
    fc.double({ min: 0, max: 10, noNaN: true }),
    fc.integer({ min: 20, max: 120 }),
  ),
  vpn: fc.constantFrom('vpn-0a', 'vpn-0b'),
  tunnelIp: fc.constantFrom('203.0.113.10', '203.0.113.20', '203.0.113.30'),
  category: fc.constantFrom(...CATEGORIES),
  phase1: fc.constantFrom(...STATES),
  phase2: fc.constantFrom(...STATES),
  bgpFrom: fc.constantFrom(...BGP_STATES),
  bgpTo: fc.constantFrom(...BGP_STATES),
  bgpStatus: fc.constantFrom(undefined, 'UP', 'DOWN'),
});

type RecordDraw = typeof recordArbitrary extends fc.Arbitrary<infer T> ? T : never;

function toEvents(draws: readonly RecordDraw[]): VpnEvent[] {
  let at = 0;
  return draws.map((draw) => {
    at += draw.gap;
    const bgp = draw.category.startsWith('bgp.');
    const spec: RecordSpec = {
      at,
      vpn: draw.vpn,
      tunnelIp: draw.tunnelIp,
      category: draw.category,
      ...(bgp ? {} : { phase1: draw.phase1, phase2: draw.phase2 }),
      ...(bgp ? { neighbor: NEIGHBOR, bgpStatus: draw.bgpStatus } : {}),
      ...(draw.category === 'bgp.state_change' ? { bgpFrom: draw.bgpFrom, bgpTo: draw.bgpTo } : {}),
    };
    return s2s(spec);
  });
}

const eventsArbitrary = fc.array(recordArbitrary, { maxLength: 120 }).map(toEvents);

function fingerprint(draft: AlertDraft): string {
  return [draft.rule, draft.status, draft.category, draft.key, draft.event.id, draft.cause].join(
    '|',
  );
}

describe('tunnel rules: properties', () => {
  it('are deterministic: the same events give the same drafts and suppressions', () => {
    fc.assert(
      fc.property(eventsArbitrary, (events) => {
        const first = runRules(events);
        const second = runRules(events);
        expect(second.drafts).toEqual(first.drafts);
        expect(second.suppressed).toEqual(first.suppressed);
      }),
      { numRuns: 150 },
    );
  });

  it('give the same alerts per VPN connection in any interleaving of VPN connections', () => {
    fc.assert(
      fc.property(eventsArbitrary, (events) => {
        const mixed = runRules(events).drafts.map(fingerprint);
        for (const vpn of ['vpn-0a', 'vpn-0b']) {
          const alone = runRules(events.filter((e) => e.fields.vpnConnectionId === vpn));
          expect(alone.drafts.map(fingerprint)).toEqual(
            mixed.filter((line) => line.includes(`:${vpn}`)),
          );
        }
      }),
      { numRuns: 100 },
    );
  });

  it('keep state bounded: every entry expires, lists stay short', () => {
    fc.assert(
      fc.property(eventsArbitrary, (events) => {
        const { view } = runRules(events);
        const last = events.reduce((max, e) => Math.max(max, e.time ?? T0), T0);
        expect(view.unbounded).toEqual([]);
        for (const [key, entry] of view.entries) {
          expect(entry.expiresAt).toBeDefined();
          expect(entry.expiresAt!).toBeLessThanOrEqual(last + STATE_RETENTION_MS + 60 * MINUTE);
          const journal = entry.value as Journal;
          expect(JSON.stringify(journal.live ?? null).length).toBeLessThan(6_000);
          expect(journal.log.length).toBeLessThanOrEqual(MAX_JOURNAL_ENTRIES);
          if (key.startsWith('tunnel:')) {
            const state = journal.live as TunnelState;
            expect(state.incident?.evidence.length ?? 0).toBeLessThanOrEqual(MAX_EVIDENCE_LINES);
            expect(state.downTransitions?.length ?? 0).toBeLessThanOrEqual(3);
          }
          if (key.startsWith('vpn:')) {
            const state = journal.live as VpnConnectionState;
            expect(Object.keys(state.tunnels).length).toBeLessThanOrEqual(MAX_TUNNELS_PER_VPN);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('open and resolve state alerts in turn, per rule and key', () => {
    fc.assert(
      fc.property(eventsArbitrary, (events) => {
        const open = new Set<string>();
        for (const draft of runRules(events).drafts) {
          if (
            draft.rule.includes('.') &&
            ![
              'tunnel.down',
              'tunnel.flapping',
              'vpn.all_tunnels_down',
              'bgp.session_down',
            ].includes(draft.rule)
          ) {
            expect(draft.status).toBe('opened');
            continue;
          }
          const id = `${draft.rule}|${draft.key}`;
          if (draft.status === 'opened') {
            expect(open.has(id)).toBe(false);
            open.add(id);
          } else {
            expect(open.has(id)).toBe(true);
            open.delete(id);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('never have tunnel.down and tunnel.flapping open at once on a tunnel', () => {
    fc.assert(
      fc.property(eventsArbitrary, (events) => {
        const open = new Map<string, string>();
        for (const draft of runRules(events).drafts) {
          if (draft.rule !== 'tunnel.down' && draft.rule !== 'tunnel.flapping') continue;
          if (draft.status === 'opened') {
            expect(open.get(draft.key)).toBeUndefined();
            open.set(draft.key, draft.rule);
          } else {
            expect(open.get(draft.key)).toBe(draft.rule);
            open.delete(draft.key);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
