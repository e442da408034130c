import { describe, expect, it } from 'vitest';
import type { RulesConfig } from '../../src/model.ts';
import { MAX_EVIDENCE_LINES } from '../../src/rules/incident.ts';
import { type Journal, MAX_JOURNAL_ENTRIES } from '../../src/rules/journal.ts';
import { tunnelIncidentRule, tunnelRules } from '../../src/rules/tunnel.ts';
import { tunnelRuleSettings } from '../../src/rules/tunnel-settings.ts';
import {
  down,
  MINUTE,
  minuteOf,
  phases,
  runRules,
  s2s,
  summaryOf,
  T0,
  TEST_CONFIG,
  TUNNEL_A,
  TUNNEL_B,
  up,
  VPN,
} from './tunnel-harness.ts';

const only = { rules: [tunnelIncidentRule] };

describe('tunnel.down', () => {
  it('opens on the first record ever seen when it shows the tunnel down', () => {
    // Prepare
    const events = [down(0)];
    // Act
    const { drafts } = runRules(events, only);
    // Assess
    expect(summaryOf(drafts)).toEqual(['tunnel.down opened tunnel.state']);
    expect(drafts[0]).toMatchObject({
      severity: 'critical',
      source: 'aws-s2s',
      key: `aws-s2s:tunnel:${VPN}:${TUNNEL_A}`,
      about: { vpnConnectionId: VPN, tunnelIp: TUNNEL_A },
    });
  });

  it('DPD timeout then recovery: opened then resolved, both naming "DPD timeout"', () => {
    const events = [up(0), down(10, { category: 'dpd.timeout' }), up(14)];

    const { drafts, suppressed } = runRules(events, only);

    expect(summaryOf(drafts)).toEqual([
      'tunnel.down opened dpd.timeout',
      'tunnel.down resolved dpd.timeout',
    ]);
    expect(drafts.map((d) => d.cause)).toEqual(['DPD timeout', 'DPD timeout']);
    expect(drafts[0]?.remediation).toBe('Remediation for DPD timeout.');
    expect(drafts[0]?.docUrl).toContain('docs.aws.amazon.com');
    expect(drafts[1]?.summary).toContain('up again after 4 min');
    expect(drafts[1]?.evidence).toHaveLength(2);
    // the DPD cause alert is carried by the incident, not raised again
    expect(suppressed).toEqual([{ rule: 'dpd.timeout', reason: 'folded' }]);
  });

  it('takes the category of the latest critical event within the 5 minutes before', () => {
    const events = [
      up(0),
      s2s({ at: 1, category: 'dpd.timeout', phase1: 'established', phase2: 'established' }),
      down(5),
    ];

    const { drafts } = runRules(events, only);

    expect(summaryOf(drafts)).toEqual([
      'dpd.timeout opened dpd.timeout',
      'tunnel.down opened dpd.timeout',
    ]);
    expect(drafts[1]?.cause).toBe('DPD timeout');
    expect(drafts[1]?.evidence).toEqual([events[1]?.raw, events[2]?.raw]);
  });

  it("ignores a critical event older than the lookback and uses the record's own category", () => {
    const events = [
      up(0),
      s2s({ at: 1, category: 'dpd.timeout', phase1: 'established', phase2: 'established' }),
      down(6.5, { category: 'ike.peer_delete' }),
    ];

    const { drafts } = runRules(events, only);

    expect(summaryOf(drafts).at(-1)).toBe('tunnel.down opened ike.peer_delete');
    expect(drafts.at(-1)?.cause).toBe('customer gateway deleted the IKE SA');
  });

  it('honours causeLookbackMinutes from the config', () => {
    const config: RulesConfig = {
      ...TEST_CONFIG,
      rules: {
        ...TEST_CONFIG.rules,
        'tunnel.down': { enabled: true, causeLookbackMinutes: 10 },
      },
    };
    const events = [
      up(0),
      s2s({ at: 1, category: 'dpd.timeout', phase1: 'established', phase2: 'established' }),
      down(9),
    ];

    const { drafts } = runRules(events, { ...only, config });

    expect(summaryOf(drafts).at(-1)).toBe('tunnel.down opened dpd.timeout');
  });

  it('is down when either phase is down and up only when both are established or rekeying', () => {
    const events = [
      up(0),
      s2s({ at: 1, phase1: 'established', phase2: 'down' }),
      s2s({ at: 2, phase1: 'established', phase2: 'negotiating' }),
      s2s({ at: 3, phase1: 'negotiating', phase2: 'negotiating' }),
      s2s({ at: 4, category: 'ike.child_sa' }),
      s2s({ at: 5, phase1: 'rekeying', phase2: 'established' }),
    ];

    const { drafts } = runRules(events, only);

    expect(summaryOf(drafts)).toEqual([
      'tunnel.down opened tunnel.state',
      'tunnel.down resolved tunnel.state',
    ]);
    expect(drafts.map(minuteOf)).toEqual([1, 5]);
  });

  it('reads the states case-insensitively', () => {
    const events = [phases(0, 'Established'), phases(1, 'DOWN'), phases(2, 'Rekeying')];

    const { drafts } = runRules(events, only);

    expect(summaryOf(drafts)).toEqual([
      'tunnel.down opened tunnel.state',
      'tunnel.down resolved tunnel.state',
    ]);
  });

  it('records without state fields do not change the tunnel', () => {
    const events = [down(0), s2s({ at: 1, category: 'ike.child_sa' }), down(2), up(3)];

    const { drafts } = runRules(events, only);

    expect(summaryOf(drafts)).toEqual([
      'tunnel.down opened tunnel.state',
      'tunnel.down resolved tunnel.state',
    ]);
  });

  it('ignores events without both a VPN connection id and a tunnel IP', () => {
    const noTunnel = { ...down(0), fields: { vpnConnectionId: VPN } };
    const noVpn = { ...down(1), fields: { tunnelIp: TUNNEL_A } };
    const otherSource = { ...down(2), source: 'openvpn' as const };

    const { drafts, view } = runRules([noTunnel, noVpn, otherSource]);

    expect(drafts).toEqual([]);
    expect(tunnelRules.flatMap((rule) => rule.keys(noTunnel))).toEqual([]);
    expect(view.entries.size).toBe(0);
  });

  it('keeps tunnels of one VPN connection apart', () => {
    const events = [up(0), up(0, { tunnelIp: TUNNEL_B }), down(1), up(2, { tunnelIp: TUNNEL_B })];

    const { drafts } = runRules(events, only);

    expect(drafts.map((d) => d.key)).toEqual([`aws-s2s:tunnel:${VPN}:${TUNNEL_A}`]);
  });

  it('uses the last known time for events that carry none', () => {
    const events = [down(0), up(3, { untimed: true })];

    const { drafts } = runRules(events, only);

    expect(summaryOf(drafts)).toEqual([
      'tunnel.down opened tunnel.state',
      'tunnel.down resolved tunnel.state',
    ]);
    expect(drafts[1]?.summary).toContain('after 0 s');
  });
});

describe('cause alerts', () => {
  it('a PSK mismatch repeated every 30 s for 20 minutes after the tunnel went down pages once', () => {
    const events = [up(0)];
    for (let i = 0; i <= 40; i++) {
      events.push(down(10 + i / 2, { category: 'ike.psk_mismatch' }));
    }

    const { drafts, suppressed } = runRules(events);

    expect(summaryOf(drafts)).toEqual(['tunnel.down opened ike.psk_mismatch']);
    expect(drafts[0]?.cause).toBe('pre-shared key mismatch');
    expect(suppressed.filter((s) => s.reason === 'folded')).toHaveLength(41);
  });

  it('peer DELETE then PSK mismatch for 20 minutes: down (peer_delete), then one PSK alert', () => {
    const events = [up(0), down(10, { category: 'ike.peer_delete' })];
    for (let i = 1; i <= 40; i++) {
      events.push(down(10 + i / 2, { category: 'ike.psk_mismatch' }));
    }

    const { drafts, suppressed } = runRules(events);

    expect(summaryOf(drafts)).toEqual([
      'tunnel.down opened ike.peer_delete',
      'ike.psk_mismatch opened ike.psk_mismatch',
    ]);
    expect(drafts[1]).toMatchObject({
      severity: 'critical',
      key: `aws-s2s:cause:${VPN}:${TUNNEL_A}:ike.psk_mismatch`,
      cause: 'pre-shared key mismatch',
    });
    expect(drafts[1]?.summary).toContain('may be the root cause');
    expect(suppressed).toHaveLength(39);
    expect(suppressed.every((s) => s.rule === 'ike.psk_mismatch' && s.reason === 'folded')).toBe(
      true,
    );
  });

  it('folds repeats and warnings into the incident evidence, bounded, shown when it resolves', () => {
    const events = [up(0), down(1, { category: 'dpd.timeout' })];
    for (let i = 0; i < 10; i++) {
      events.push(s2s({ at: 2 + i, category: 'ike.negotiation_timeout', phase1: 'negotiating' }));
    }
    events.push(up(20));

    const { drafts, suppressed } = runRules(events, only);

    expect(summaryOf(drafts)).toEqual([
      'tunnel.down opened dpd.timeout',
      'tunnel.down resolved dpd.timeout',
    ]);
    expect(suppressed.filter((s) => s.rule === 'ike.negotiation_timeout')).toHaveLength(10);
    const evidence = drafts[1]?.evidence ?? [];
    expect(evidence.length).toBeLessThanOrEqual(MAX_EVIDENCE_LINES + 1);
    expect(evidence[0]).toBe(events[1]?.raw);
    expect(evidence).toContain(events[11]?.raw);
    expect(evidence.at(-1)).toBe(events.at(-1)?.raw);
  });

  it('outside an incident: once per cooldown per tunnel and category', () => {
    const events = [up(0)];
    for (let minute = 1; minute <= 150; minute += 5) {
      events.push(s2s({ at: minute, category: 'ike.negotiation_timeout', phase1: 'negotiating' }));
      events.push(s2s({ at: minute, category: 'ike.negotiation_timeout', tunnelIp: TUNNEL_B }));
    }

    const { drafts, suppressed } = runRules(events, only);

    const onA = drafts.filter((d) => d.about.tunnelIp === TUNNEL_A);
    expect(onA.map(minuteOf)).toEqual([1, 61, 121]);
    expect(drafts.filter((d) => d.about.tunnelIp === TUNNEL_B).map(minuteOf)).toEqual([1, 61, 121]);
    expect(onA[0]).toMatchObject({
      rule: 'ike.negotiation_timeout',
      status: 'opened',
      severity: 'warning',
      category: 'ike.negotiation_timeout',
    });
    expect(suppressed.filter((s) => s.reason === 'cooldown')).toHaveLength(60 - 6);
  });

  it('cooldowns are per category', () => {
    const events = [
      up(0),
      s2s({ at: 1, category: 'ike.negotiation_timeout' }),
      s2s({ at: 2, category: 'ike.proposal_mismatch' }),
      s2s({ at: 3, category: 'ike.negotiation_timeout' }),
      s2s({ at: 4, category: 'ike.proposal_mismatch' }),
    ];

    const { drafts } = runRules(events, only);

    expect(summaryOf(drafts)).toEqual([
      'ike.negotiation_timeout opened ike.negotiation_timeout',
      'ike.proposal_mismatch opened ike.proposal_mismatch',
    ]);
  });

  it('a cause alert raised during an incident starts its cooldown for afterwards', () => {
    const events = [
      up(0),
      down(1, { category: 'ike.peer_delete' }),
      down(2, { category: 'ike.psk_mismatch' }),
      up(3),
      s2s({ at: 10, category: 'ike.psk_mismatch' }),
      s2s({ at: 70, category: 'ike.psk_mismatch' }),
    ];

    const { drafts } = runRules(events, only);

    expect(summaryOf(drafts)).toEqual([
      'tunnel.down opened ike.peer_delete',
      'ike.psk_mismatch opened ike.psk_mismatch',
      'tunnel.down resolved ike.peer_delete',
      'ike.psk_mismatch opened ike.psk_mismatch',
    ]);
    expect(drafts.map(minuteOf)).toEqual([1, 2, 3, 70]);
  });

  it('a critical category already reported in this incident is folded, a new one opens once', () => {
    const events = [
      up(0),
      down(1, { category: 'ike.psk_mismatch' }),
      down(2, { category: 'ike.proposal_mismatch' }),
      down(3, { category: 'ike.psk_mismatch' }),
      down(4, { category: 'ike.proposal_mismatch' }),
    ];

    const { drafts } = runRules(events, only);

    expect(summaryOf(drafts)).toEqual([
      'tunnel.down opened ike.psk_mismatch',
      'ike.proposal_mismatch opened ike.proposal_mismatch',
    ]);
  });

  it('info events never raise cause alerts; causeSeverities can promote or silence a category', () => {
    const events = [
      up(0),
      s2s({ at: 1, category: 'ike.rekey_collision' }),
      s2s({ at: 2, category: 'ike.negotiation_timeout' }),
    ];
    const config: RulesConfig = {
      ...TEST_CONFIG,
      causeSeverities: { 'ike.rekey_collision': 'warning', 'ike.negotiation_timeout': 'info' },
    };

    const defaults = runRules(events, only);
    const configured = runRules(events, { ...only, config });

    expect(summaryOf(defaults.drafts)).toEqual([
      'ike.negotiation_timeout opened ike.negotiation_timeout',
    ]);
    expect(summaryOf(configured.drafts)).toEqual([
      'ike.rekey_collision opened ike.rekey_collision',
    ]);
    expect(configured.drafts[0]?.severity).toBe('warning');
  });

  it('raises no cause alert when cause alerts are disabled', () => {
    const config: RulesConfig = { ...TEST_CONFIG, cause: { enabled: false } };
    const events = [up(0), s2s({ at: 1, category: 'ike.psk_mismatch' })];

    const { drafts } = runRules(events, { ...only, config });

    expect(drafts).toEqual([]);
  });

  it('falls back to its own cause words when the event has no catalog hint', () => {
    const events = [up(0), down(1, { category: 'dpd.timeout', noHint: true })];

    const { drafts } = runRules(events, only);

    expect(drafts[0]?.cause).toBe('DPD timeout');
    expect(drafts[0]?.remediation).toMatch(/dead peer detection/);
  });
});

describe('tunnel.flapping', () => {
  /** Down at 0, 6, 12, 18 and up at 3, 9, 15, 21: four cycles within 25 minutes. */
  function fourCycles(): ReturnType<typeof down>[] {
    const events = [up(-1)];
    for (let cycle = 0; cycle < 4; cycle++) {
      events.push(down(cycle * 6, { category: 'dpd.timeout' }), up(cycle * 6 + 3));
    }
    return events;
  }

  it('four down/up cycles in 25 minutes: two down/up pairs, then flapping', () => {
    const { drafts, suppressed } = runRules(fourCycles(), only);

    expect(summaryOf(drafts)).toEqual([
      'tunnel.down opened dpd.timeout',
      'tunnel.down resolved dpd.timeout',
      'tunnel.down opened dpd.timeout',
      'tunnel.down resolved dpd.timeout',
      'tunnel.flapping opened dpd.timeout',
    ]);
    expect(drafts.map(minuteOf)).toEqual([0, 3, 6, 9, 12]);
    expect(drafts[4]).toMatchObject({
      severity: 'critical',
      key: `aws-s2s:tunnel:${VPN}:${TUNNEL_A}`,
    });
    expect(drafts[4]?.summary).toContain('3 times within 30 min');
    // up at 15, down at 18, up at 21 are held back
    expect(suppressed.filter((s) => s.rule === 'tunnel.down')).toHaveLength(3);
  });

  it('resolves on the first record at least 30 minutes after the last transition (up: nothing else)', () => {
    const events = [
      ...fourCycles(),
      s2s({ at: 50, category: 'ike.child_sa' }),
      s2s({ at: 51, category: 'ike.child_sa' }),
      s2s({ at: 52, category: 'ike.child_sa' }),
    ];

    const { drafts } = runRules(events, only);

    expect(summaryOf(drafts).slice(4)).toEqual([
      'tunnel.flapping opened dpd.timeout',
      'tunnel.flapping resolved dpd.timeout',
    ]);
    expect(minuteOf(drafts[5]!)).toBe(51);
    expect(drafts[5]?.summary).toContain('it is up now');
  });

  it('opens tunnel.down when it resolves while the tunnel is down', () => {
    const events = [
      ...fourCycles(),
      down(24, { category: 'ike.peer_delete' }),
      s2s({ at: 54, category: 'ike.child_sa' }),
      up(60),
    ];

    const { drafts } = runRules(events, only);

    expect(summaryOf(drafts).slice(4)).toEqual([
      'tunnel.flapping opened dpd.timeout',
      'tunnel.flapping resolved dpd.timeout',
      'tunnel.down opened tunnel.state',
      'tunnel.down resolved tunnel.state',
    ]);
    expect(drafts.slice(5).map(minuteOf)).toEqual([54, 54, 60]);
    // explained by the tunnel's state, not by the rekey record that ended the quiet period
    expect(drafts[6]?.cause).toBe('tunnel reported down');
  });

  it('a down record that ends the quiet period opens tunnel.down with its own cause', () => {
    const events = [...fourCycles(), down(60, { category: 'ike.psk_mismatch' })];

    const { drafts } = runRules(events, only);

    expect(summaryOf(drafts).slice(5)).toEqual([
      'tunnel.flapping resolved dpd.timeout',
      'tunnel.down opened ike.psk_mismatch',
    ]);
  });

  it('does not open for three down transitions spread over more than 30 minutes', () => {
    const events = [down(0), up(1), down(16), up(17), down(31), up(32)];

    const { drafts } = runRules(events, only);

    expect(drafts.filter((d) => d.rule === 'tunnel.flapping')).toEqual([]);
    expect(drafts).toHaveLength(6);
  });

  it('honours threshold and window from the config, and can be disabled', () => {
    const events = [down(0), up(1), down(2), up(3), down(4)];
    const tight: RulesConfig = {
      ...TEST_CONFIG,
      rules: {
        ...TEST_CONFIG.rules,
        'tunnel.flapping': { enabled: true, threshold: 2, windowMinutes: 10 },
      },
    };
    const off: RulesConfig = {
      ...TEST_CONFIG,
      rules: { ...TEST_CONFIG.rules, 'tunnel.flapping': { enabled: false } },
    };

    const withTight = runRules(events, { ...only, config: tight });
    const withOff = runRules(events, { ...only, config: off });

    expect(summaryOf(withTight.drafts)).toEqual([
      'tunnel.down opened tunnel.state',
      'tunnel.down resolved tunnel.state',
      'tunnel.flapping opened tunnel.state',
    ]);
    expect(withOff.drafts.filter((d) => d.rule === 'tunnel.flapping')).toEqual([]);
    expect(withOff.drafts).toHaveLength(5);
  });

  it('while flapping, a new critical cause still opens once and repeats fold', () => {
    const events = [
      ...fourCycles(),
      s2s({ at: 22, category: 'ike.psk_mismatch' }),
      s2s({ at: 23, category: 'ike.psk_mismatch' }),
      s2s({ at: 24, category: 'dpd.timeout' }),
    ];

    const { drafts } = runRules(events, only);

    expect(summaryOf(drafts).slice(5)).toEqual(['ike.psk_mismatch opened ike.psk_mismatch']);
  });
});

describe('vpn.all_tunnels_down', () => {
  it('opens when both tunnels are down and resolves when one is back', () => {
    const events = [
      up(0),
      up(0, { tunnelIp: TUNNEL_B }),
      down(1, { category: 'dpd.timeout' }),
      down(2, { tunnelIp: TUNNEL_B, category: 'dpd.timeout' }),
      down(3, { tunnelIp: TUNNEL_B }),
      up(5),
      up(6, { tunnelIp: TUNNEL_B }),
    ];

    const { drafts } = runRules(events);

    expect(summaryOf(drafts.filter((d) => d.rule === 'vpn.all_tunnels_down'))).toEqual([
      'vpn.all_tunnels_down opened dpd.timeout',
      'vpn.all_tunnels_down resolved dpd.timeout',
    ]);
    const [opened, resolved] = drafts.filter((d) => d.rule === 'vpn.all_tunnels_down');
    expect(opened).toMatchObject({
      key: `aws-s2s:vpn:${VPN}`,
      severity: 'critical',
      about: { vpnConnectionId: VPN },
    });
    expect(minuteOf(opened!)).toBe(2);
    expect(minuteOf(resolved!)).toBe(5);
    expect(drafts.filter((d) => d.rule === 'tunnel.down')).toHaveLength(4);
  });

  it('needs at least two known tunnels', () => {
    const { drafts } = runRules([
      down(0),
      s2s({ at: 1, tunnelIp: TUNNEL_B, phase1: 'negotiating' }),
    ]);

    expect(drafts.filter((d) => d.rule === 'vpn.all_tunnels_down')).toEqual([]);
  });

  it('opens when the first records of both tunnels show them down', () => {
    const { drafts } = runRules([down(0), down(0, { tunnelIp: TUNNEL_B })]);

    expect(summaryOf(drafts)).toEqual([
      'tunnel.down opened tunnel.state',
      'tunnel.down opened tunnel.state',
      'vpn.all_tunnels_down opened tunnel.state',
    ]);
  });

  it('keeps VPN connections apart', () => {
    const { drafts } = runRules([
      down(0),
      down(0, { vpn: 'vpn-0fff', tunnelIp: TUNNEL_B }),
      down(0, { vpn: 'vpn-0fff', tunnelIp: '198.51.100.1' }),
    ]);

    expect(drafts.filter((d) => d.rule === 'vpn.all_tunnels_down').map((d) => d.key)).toEqual([
      'aws-s2s:vpn:vpn-0fff',
    ]);
  });
});

describe('settings', () => {
  it('reads docs/taxonomy.md defaults from DEFAULT_RULES_CONFIG and falls back to them', () => {
    const partial = {
      ...TEST_CONFIG,
      rules: {
        ...TEST_CONFIG.rules,
        'tunnel.down': { enabled: true },
        'tunnel.flapping': { enabled: true },
      },
      cause: { enabled: true },
    } as RulesConfig;

    for (const config of [TEST_CONFIG, partial]) {
      expect(tunnelRuleSettings(config)).toMatchObject({
        causeLookbackMs: 5 * MINUTE,
        flappingThreshold: 3,
        flappingWindowMs: 30 * MINUTE,
        causeCooldownMs: 60 * MINUTE,
        tunnelDownSeverity: 'critical',
        flappingSeverity: 'critical',
        allTunnelsDownSeverity: 'critical',
        bgpSessionDownSeverity: 'critical',
      });
    }
  });
});

describe('healthy traffic', () => {
  it('200 healthy rekey records give no alert and bounded state', () => {
    const events = [];
    for (let i = 0; i < 200; i++) {
      const tunnelIp = i % 2 === 0 ? TUNNEL_A : TUNNEL_B;
      events.push(
        s2s({
          at: i / 4,
          category: 'ike.child_sa',
          tunnelIp,
          phase1: 'established',
          phase2: 'rekeying',
        }),
        s2s({
          at: i / 4,
          category: 'ike.rekey_collision',
          tunnelIp,
          phase1: 'rekeying',
          phase2: 'established',
        }),
      );
    }

    const { drafts, suppressed, view } = runRules(events);

    expect(drafts).toEqual([]);
    expect(suppressed).toEqual([]);
    // Each tunnel's journal keeps its records as runs of records that say the same thing.
    for (const [key, entry] of view.entries) {
      if (key.startsWith('tunnel:'))
        expect((entry.value as Journal).log.length).toBeLessThanOrEqual(MAX_JOURNAL_ENTRIES);
      expect(JSON.stringify(entry.value).length).toBeLessThan(150_000);
    }
  });

  it('rewrites an unchanged entry once a day so that it does not expire', () => {
    const events = [up(0), up(60), up(25 * 60), up(26 * 60)];

    const { view } = runRules(events, only);

    expect(view.writes).toBe(2);
    expect(view.entries.get(`tunnel:${VPN}:${TUNNEL_A}`)?.expiresAt).toBe(
      T0 + 25 * 60 * MINUTE + 7 * 24 * 60 * MINUTE,
    );
  });
});
