/**
 * The main tunnel and BGP scenarios driven from real-format NDJSON records
 * through the aws-s2s parser, so that the rules and the parser agree on
 * categories, severities, state fields and hints.
 */
import { describe, expect, it } from 'vitest';
import type { VpnEvent } from '../../src/model.ts';
import { createAwsS2sParser } from '../../src/sources/aws-s2s/parser.ts';
import { MINUTE, minuteOf, runRules, summaryOf, T0 } from './tunnel-harness.ts';

const VPN = 'vpn-0a1b2c3d4e5f67890';
const IP_A = '203.0.113.10';
const IP_B = '203.0.113.20';
const NEIGHBOR = '169.254.50.85';

/** One NDJSON line of a stream, at a minute offset from T0. */
interface Line {
  readonly stream: string;
  readonly at: number;
  readonly text: string;
}

function tunnelRecord(
  ip: string,
  at: number,
  details: string,
  phase1: string,
  phase2: string = phase1,
): Line {
  const time = T0 + Math.round(at * MINUTE);
  return {
    stream: `${VPN}-${ip}`,
    at,
    text: JSON.stringify({
      event_timestamp: time,
      timestamp: new Date(time).toISOString().replace('T', ' '),
      details,
      dpd_enabled: true,
      nat_t_detected: false,
      ike_phase1_state: phase1,
      ike_phase2_state: phase2,
    }),
  };
}

function bgpRecord(at: number, status: string, details: string): Line {
  const time = T0 + Math.round(at * MINUTE);
  return {
    stream: `${VPN}-${IP_A}-bgp`,
    at,
    text: JSON.stringify({
      resource_id: `${VPN}_${IP_A}`,
      event_timestamp: time,
      timestamp: new Date(time).toISOString().replace('T', ' '),
      type: 'BGPStatus',
      status,
      message: { details },
    }),
  };
}

/** Parses the lines with one parser per stream (as the pipeline does), in order. */
function parse(lines: readonly Line[]): VpnEvent[] {
  const parsers = new Map<string, ReturnType<typeof createAwsS2sParser>>();
  const lineNumbers = new Map<string, number>();
  return lines.map((line) => {
    let parser = parsers.get(line.stream);
    if (parser === undefined) {
      parser = createAwsS2sParser({ stream: line.stream });
      parsers.set(line.stream, parser);
    }
    const number = (lineNumbers.get(line.stream) ?? 0) + 1;
    lineNumbers.set(line.stream, number);
    return parser.parse(line.text, { origin: { stream: line.stream, line: number } });
  });
}

const PSK = `AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.7`;
const DPD = 'AWS tunnel DPD timed out after 3 retransmits';
const DELETE = 'AWS tunnel received DELETE for IKE_SA from CGW';
const REKEY = 'AWS tunnel processed request (id=12) for CREATE_CHILD_SA';
const bgpChange = (from: string, to: string) =>
  `AWS-side peer BGP session state has changed from ${from} to ${to} with neighbor ${NEIGHBOR}`;

describe('tunnel rules on parsed aws-s2s records', () => {
  it('parses the records the scenarios rely on', () => {
    const [psk, rekey, change] = parse([
      tunnelRecord(IP_A, 0, PSK, 'down'),
      tunnelRecord(IP_A, 1, REKEY, 'established', 'rekeying'),
      bgpRecord(2, 'DOWN', bgpChange('Established', 'Idle')),
    ]);

    expect(psk).toMatchObject({
      category: 'ike.psk_mismatch',
      severity: 'critical',
      fields: { vpnConnectionId: VPN, tunnelIp: IP_A, phase1State: 'down' },
    });
    expect(rekey).toMatchObject({ category: 'ike.child_sa', severity: 'info' });
    expect(change).toMatchObject({
      category: 'bgp.state_change',
      fields: { tunnelIp: IP_A, bgpNeighbor: NEIGHBOR, bgpToState: 'Idle' },
    });
  });

  it('DPD timeout then recovery: opened then resolved, cause from the catalog hint', () => {
    const events = parse([
      tunnelRecord(IP_A, 0, '', 'established'),
      tunnelRecord(IP_A, 10, DPD, 'down'),
      tunnelRecord(IP_A, 12, '', 'negotiating'),
      tunnelRecord(IP_A, 14, '', 'established'),
    ]);

    const { drafts } = runRules(events);

    expect(summaryOf(drafts)).toEqual([
      'tunnel.down opened dpd.timeout',
      'tunnel.down resolved dpd.timeout',
    ]);
    expect(drafts[0]?.cause).toBe(events[1]?.hint?.title);
    expect(drafts[0]?.cause).toBe('DPD timeout');
    expect(drafts[0]?.summary).toBe(`Tunnel ${IP_A} of ${VPN} is down: DPD timeout.`);
    expect(drafts[0]?.remediation).toBe(events[1]?.hint?.remediation);
  });

  it('a record whose message the catalog does not know still brings the tunnel up by its states', () => {
    const events = parse([
      tunnelRecord(IP_A, 0, DPD, 'down'),
      tunnelRecord(IP_A, 3, 'AWS tunnel is sending DPD request', 'established'),
    ]);

    const { drafts } = runRules(events);

    expect(events[1]?.category).toBe('unclassified');
    expect(summaryOf(drafts)).toEqual([
      'tunnel.down opened dpd.timeout',
      'tunnel.down resolved dpd.timeout',
    ]);
  });

  it('an unclassified record showing the tunnel down opens tunnel.down as tunnel.state', () => {
    const events = parse([
      tunnelRecord(IP_A, 0, '', 'established'),
      tunnelRecord(IP_A, 1, 'AWS tunnel is sending DPD request', 'down'),
    ]);

    const { drafts } = runRules(events);

    expect(events[1]?.category).toBe('unclassified');
    expect(summaryOf(drafts)).toEqual(['tunnel.down opened tunnel.state']);
    expect(drafts[0]?.evidence).toEqual([events[1]?.raw]);
  });

  it('a PSK mismatch every 30 s for 20 minutes after the tunnel went down pages at most twice', () => {
    const lines = [
      tunnelRecord(IP_A, 0, '', 'established'),
      tunnelRecord(IP_A, 10, DELETE, 'down'),
    ];
    for (let i = 1; i <= 40; i++) lines.push(tunnelRecord(IP_A, 10 + i / 2, PSK, 'down'));

    const { drafts } = runRules(parse(lines));

    expect(summaryOf(drafts)).toEqual([
      'tunnel.down opened ike.peer_delete',
      'ike.psk_mismatch opened ike.psk_mismatch',
    ]);
  });

  it('four down/up cycles in 25 minutes: two pairs, then flapping, which resolves later', () => {
    const lines = [tunnelRecord(IP_A, -1, '', 'established')];
    for (let cycle = 0; cycle < 4; cycle++) {
      lines.push(tunnelRecord(IP_A, cycle * 6, DPD, 'down'));
      lines.push(tunnelRecord(IP_A, cycle * 6 + 3, '', 'established'));
    }
    lines.push(tunnelRecord(IP_A, 52, REKEY, 'established', 'rekeying'));

    const { drafts } = runRules(parse(lines));

    expect(summaryOf(drafts)).toEqual([
      'tunnel.down opened dpd.timeout',
      'tunnel.down resolved dpd.timeout',
      'tunnel.down opened dpd.timeout',
      'tunnel.down resolved dpd.timeout',
      'tunnel.flapping opened dpd.timeout',
      'tunnel.flapping resolved dpd.timeout',
    ]);
    expect(drafts.map(minuteOf)).toEqual([0, 3, 6, 9, 12, 52]);
  });

  it('200 healthy rekey records give nothing', () => {
    const lines = [];
    for (let i = 0; i < 200; i++) {
      lines.push(tunnelRecord(i % 2 === 0 ? IP_A : IP_B, i / 2, REKEY, 'established', 'rekeying'));
    }

    const { drafts, suppressed } = runRules(parse(lines));

    expect(drafts).toEqual([]);
    expect(suppressed).toEqual([]);
  });

  it('both tunnels down: vpn.all_tunnels_down, one back: resolved', () => {
    const events = parse([
      tunnelRecord(IP_A, 0, '', 'established'),
      tunnelRecord(IP_B, 0, '', 'established'),
      tunnelRecord(IP_A, 1, DPD, 'down'),
      tunnelRecord(IP_B, 1.5, DPD, 'down'),
      tunnelRecord(IP_B, 4, '', 'established'),
    ]);

    const { drafts } = runRules(events);

    expect(summaryOf(drafts)).toEqual([
      'tunnel.down opened dpd.timeout',
      'tunnel.down opened dpd.timeout',
      'vpn.all_tunnels_down opened dpd.timeout',
      'tunnel.down resolved dpd.timeout',
      'vpn.all_tunnels_down resolved dpd.timeout',
    ]);
    expect(drafts[2]?.key).toBe(`aws-s2s:vpn:${VPN}`);
  });

  it('BGP session down and up, from BGP log records sharing the tunnel with its activity log', () => {
    const events = parse([
      bgpRecord(0, 'UP', bgpChange('OpenConfirm', 'Established')),
      bgpRecord(
        5,
        'DOWN',
        `AWS-side peer sent a Hold Timer Expired notification to neighbor ${NEIGHBOR}`,
      ),
      bgpRecord(5, 'DOWN', bgpChange('Established', 'Idle')),
      bgpRecord(6, 'DOWN', bgpChange('Idle', 'Connect')),
      bgpRecord(8, 'UP', bgpChange('OpenConfirm', 'Established')),
    ]);

    const { drafts } = runRules(events);

    expect(summaryOf(drafts)).toEqual([
      'bgp.notification opened bgp.notification',
      'bgp.session_down opened bgp.notification',
      'bgp.session_down resolved bgp.notification',
    ]);
    expect(drafts[1]?.key).toBe(`aws-s2s:bgp:${VPN}:${IP_A}:${NEIGHBOR}`);
    expect(drafts.map(minuteOf)).toEqual([5, 5, 8]);
  });

  it('bgp.prefix_limit warnings: one alert per hour', () => {
    const lines = [bgpRecord(0, 'UP', bgpChange('OpenConfirm', 'Established'))];
    for (let minute = 1; minute <= 100; minute += 10) {
      lines.push(
        bgpRecord(
          minute,
          'UP',
          `AWS-side peer is reporting a maximum prefix limit warning - received 95 prefixes from neighbor ${NEIGHBOR}, limit is 100`,
        ),
      );
    }

    const { drafts } = runRules(parse(lines));

    expect(summaryOf(drafts)).toEqual([
      'bgp.prefix_limit opened bgp.prefix_limit',
      'bgp.prefix_limit opened bgp.prefix_limit',
    ]);
    expect(drafts.map(minuteOf)).toEqual([1, 61]);
  });
});
