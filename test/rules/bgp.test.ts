import { describe, expect, it } from 'vitest';
import type { RulesConfig } from '../../src/model.ts';
import { bgpSessionRule } from '../../src/rules/bgp.ts';
import {
  down,
  minuteOf,
  NEIGHBOR,
  type RecordSpec,
  runRules,
  s2s,
  summaryOf,
  TEST_CONFIG,
  TUNNEL_A,
  up,
  VPN,
} from './tunnel-harness.ts';

function stateChange(at: number, from: string, to: string, extra: Partial<RecordSpec> = {}) {
  return s2s({
    at,
    category: 'bgp.state_change',
    neighbor: NEIGHBOR,
    bgpFrom: from,
    bgpTo: to,
    bgpStatus: to === 'Established' ? 'UP' : 'DOWN',
    message: `AWS-side peer BGP session state has changed from ${from} to ${to} with neighbor ${NEIGHBOR}`,
    ...extra,
  });
}

const established = (at: number, extra: Partial<RecordSpec> = {}) =>
  stateChange(at, 'OpenConfirm', 'Established', extra);

describe('bgp.session_down', () => {
  it('opens when the session leaves Established and resolves when it returns', () => {
    const events = [
      established(0),
      stateChange(10, 'Established', 'Idle'),
      stateChange(11, 'Idle', 'Connect'),
      stateChange(12, 'Connect', 'OpenSent'),
      stateChange(13, 'OpenSent', 'OpenConfirm'),
      established(14),
    ];

    const { drafts } = runRules(events);

    expect(summaryOf(drafts)).toEqual([
      'bgp.session_down opened bgp.state_change',
      'bgp.session_down resolved bgp.state_change',
    ]);
    expect(drafts.map(minuteOf)).toEqual([10, 14]);
    expect(drafts[0]).toMatchObject({
      severity: 'critical',
      source: 'aws-s2s',
      key: `aws-s2s:bgp:${VPN}:${TUNNEL_A}:${NEIGHBOR}`,
      about: { vpnConnectionId: VPN, tunnelIp: TUNNEL_A, bgpNeighbor: NEIGHBOR },
    });
    expect(drafts[1]?.summary).toContain('Established again after 4 min');
  });

  it('opens on a first record that shows the session leaving Established', () => {
    const { drafts } = runRules([stateChange(0, 'Established', 'Idle')], {
      rules: [bgpSessionRule],
    });

    expect(summaryOf(drafts)).toEqual(['bgp.session_down opened bgp.state_change']);
  });

  it('stays quiet for a session never seen Established', () => {
    const events = [
      stateChange(0, 'Idle', 'Connect'),
      stateChange(1, 'Connect', 'Active'),
      s2s({ at: 2, category: 'bgp.message', neighbor: NEIGHBOR, bgpStatus: 'DOWN' }),
    ];

    const { drafts } = runRules(events, { rules: [bgpSessionRule] });

    expect(drafts).toEqual([]);
  });

  it('a BGPStatus DOWN record with a neighbor takes an Established session down', () => {
    const events = [
      established(0),
      s2s({ at: 5, category: 'bgp.notification', neighbor: NEIGHBOR, bgpStatus: 'DOWN' }),
      stateChange(5.1, 'Established', 'Idle'),
      s2s({ at: 9, category: 'bgp.message', neighbor: NEIGHBOR, bgpStatus: 'UP' }),
    ];

    const { drafts } = runRules(events, { rules: [bgpSessionRule] });

    expect(summaryOf(drafts)).toEqual([
      'bgp.session_down opened bgp.notification',
      'bgp.session_down resolved bgp.notification',
    ]);
    expect(drafts[0]?.cause).toBe('BGP hold timer expired');
  });

  it('takes its category from a notification in the lookback before the state change', () => {
    const events = [
      established(0),
      s2s({ at: 3, category: 'bgp.notification', neighbor: NEIGHBOR }),
      stateChange(4, 'Established', 'Idle'),
    ];

    const { drafts } = runRules(events, { rules: [bgpSessionRule] });

    expect(summaryOf(drafts)).toEqual(['bgp.session_down opened bgp.notification']);
    expect(drafts[0]?.evidence).toEqual([events[1]?.raw, events[2]?.raw]);
  });

  it('keeps neighbors and tunnels apart', () => {
    const other = '169.254.51.1';
    const events = [
      established(0),
      established(0, { neighbor: other }),
      established(0, { tunnelIp: '203.0.113.20' }),
      stateChange(1, 'Established', 'Idle', { neighbor: other }),
    ];

    const { drafts } = runRules(events);

    expect(drafts.map((d) => d.key)).toEqual([`aws-s2s:bgp:${VPN}:${TUNNEL_A}:${other}`]);
  });

  it('ignores BGP records without a neighbor', () => {
    const event = s2s({
      at: 0,
      category: 'bgp.state_change',
      bgpFrom: 'Established',
      bgpTo: 'Idle',
    });

    const { drafts } = runRules([event]);

    expect(bgpSessionRule.keys(event)).toEqual([]);
    expect(drafts).toEqual([]);
  });

  it('raises nothing when disabled', () => {
    const config: RulesConfig = {
      ...TEST_CONFIG,
      rules: { ...TEST_CONFIG.rules, 'bgp.session_down': { enabled: false } },
    };

    const { drafts } = runRules([established(0), stateChange(1, 'Established', 'Idle')], {
      config,
    });

    expect(drafts).toEqual([]);
  });
});

describe('BGP cause alerts', () => {
  it('bgp.prefix_limit: once per cooldown per tunnel', () => {
    const events = [established(0)];
    for (let minute = 1; minute <= 130; minute += 3) {
      events.push(
        s2s({ at: minute, category: 'bgp.prefix_limit', neighbor: NEIGHBOR, bgpStatus: 'UP' }),
      );
    }

    const { drafts, suppressed } = runRules(events);

    expect(summaryOf(drafts)).toEqual([
      'bgp.prefix_limit opened bgp.prefix_limit',
      'bgp.prefix_limit opened bgp.prefix_limit',
      'bgp.prefix_limit opened bgp.prefix_limit',
    ]);
    expect(drafts.map(minuteOf)).toEqual([1, 61, 121]);
    expect(drafts[0]).toMatchObject({
      severity: 'warning',
      key: `aws-s2s:cause:${VPN}:${TUNNEL_A}:bgp.prefix_limit`,
      cause: 'BGP maximum prefix limit',
    });
    expect(suppressed.filter((s) => s.reason === 'cooldown')).toHaveLength(44 - 3);
  });

  it('a prefix limit exceeded (critical, DOWN) takes the session down and pages as a cause', () => {
    const events = [
      established(0),
      s2s({
        at: 1,
        category: 'bgp.prefix_limit',
        severity: 'critical',
        neighbor: NEIGHBOR,
        bgpStatus: 'DOWN',
        message: 'AWS-side peer detected the maximum prefix limit was exceeded',
      }),
    ];

    const { drafts } = runRules(events);

    expect(summaryOf(drafts)).toEqual([
      'bgp.prefix_limit opened bgp.prefix_limit',
      'bgp.session_down opened bgp.prefix_limit',
    ]);
    expect(drafts[0]?.severity).toBe('critical');
  });

  it('bgp.notification and bgp.route_denied are cause alerts', () => {
    const events = [
      s2s({ at: 0, category: 'bgp.notification', neighbor: NEIGHBOR }),
      s2s({ at: 1, category: 'bgp.route_denied' }),
      s2s({ at: 2, category: 'bgp.route_denied' }),
    ];

    const { drafts } = runRules(events);

    expect(summaryOf(drafts)).toEqual([
      'bgp.notification opened bgp.notification',
      'bgp.route_denied opened bgp.route_denied',
    ]);
  });

  it('BGP warnings during a tunnel incident are folded into it', () => {
    const events = [
      up(0),
      established(0),
      down(1, { category: 'dpd.timeout' }),
      s2s({ at: 1.5, category: 'bgp.notification', neighbor: NEIGHBOR }),
      stateChange(1.5, 'Established', 'Idle'),
      up(4),
    ];

    const { drafts, suppressed } = runRules(events);

    expect(summaryOf(drafts)).toEqual([
      'tunnel.down opened dpd.timeout',
      'bgp.session_down opened bgp.notification',
      'tunnel.down resolved dpd.timeout',
    ]);
    expect(suppressed).toContainEqual({ rule: 'bgp.notification', reason: 'folded' });
    expect(drafts[2]?.evidence).toContain(events[3]?.raw);
  });
});
