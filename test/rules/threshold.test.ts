import { describe, expect, it } from 'vitest';
import type { EventFields, RulesConfig } from '../../src/model.ts';
import { type PipelineResult, runPipeline, type StreamBatch } from '../../src/pipeline.ts';
import { DEFAULT_RULES_CONFIG, parseRulesConfig } from '../../src/rules/config.ts';
import { thresholdRules } from '../../src/rules/threshold.ts';
import { MemoryStateStore } from '../../src/state/memory-state-store.ts';
import { testClock } from '../helpers/memory-clock.ts';
import { batch, line, SYNTHETIC_SOURCES, T0 } from '../helpers/synthetic-source.ts';

async function replay(
  batches: readonly StreamBatch[],
  config: RulesConfig = DEFAULT_RULES_CONFIG,
): Promise<PipelineResult> {
  const clock = testClock(T0);
  return runPipeline(batches, {
    store: new MemoryStateStore(clock.now),
    config,
    now: clock.now,
    rules: thresholdRules,
    sources: SYNTHETIC_SOURCES,
  });
}

const failed = (minutes: number, fields: EventFields) => line(minutes, 'auth.failed', fields);
const A = '203.0.113.5';

describe('auth.bruteforce, per address', () => {
  it('stays quiet at 4 failures and opens one critical alert at the 5th', async () => {
    // Prepare
    const lines = [0, 1, 2, 3].map((m) => failed(m, { clientIp: A }));
    // Act
    const quiet = await replay([batch('gw', lines)]);
    const fifth = await replay([batch('gw', [...lines, failed(4, { clientIp: A })])]);
    // Assess
    expect(quiet.alerts).toEqual([]);
    expect(fifth.alerts).toHaveLength(1);
    expect(fifth.alerts[0]).toMatchObject({
      rule: 'auth.bruteforce',
      status: 'opened',
      category: 'auth.failed',
      severity: 'critical',
      source: 'openvpn',
      key: `openvpn:client:${A}`,
      about: { clientIp: A },
      time: T0 + 4 * 60_000,
    });
    expect(fifth.alerts[0]?.evidence).toHaveLength(5);
  });

  it('counts only failures inside the sliding 10-minute window', async () => {
    const lines = [0, 3, 6, 9, 12].map((m) => failed(m, { clientIp: A }));
    const result = await replay([batch('gw', lines)]);
    expect(result.alerts).toEqual([]);
  });

  it('does not add up failures from different addresses without a user', async () => {
    const lines = [1, 2, 3, 4, 5].map((n) => failed(n, { clientIp: `198.51.100.${n}` }));
    const result = await replay([batch('gw', lines)]);
    expect(result.alerts).toEqual([]);
  });

  it('opens once per cooldown and counts what it held back', async () => {
    const lines = Array.from({ length: 20 }, (_, i) => failed(i * 0.5, { clientIp: A }));
    const result = await replay([batch('gw', lines)]);
    expect(result.alerts).toHaveLength(1);
    expect(result.suppressed.cooldown).toBe(15);
  });

  it('re-arms after the cooldown when the attack goes on', async () => {
    const burst = (start: number) => [0, 1, 2, 3, 4].map((m) => failed(start + m, { clientIp: A }));
    const result = await replay([batch('gw', [...burst(0), ...burst(30), ...burst(70)])]);
    expect(result.alerts.map((alert) => alert.time)).toEqual([T0 + 4 * 60_000, T0 + 74 * 60_000]);
  });
});

describe('auth.bruteforce, per user', () => {
  it('opens for 5 failures of one user from 5 addresses (a distributed attack)', async () => {
    const lines = [1, 2, 3, 4, 5].map((n) =>
      failed(n, { user: 'root', clientIp: `198.51.100.${n}` }),
    );
    const result = await replay([batch('gw', lines)]);
    expect(result.alerts).toHaveLength(1);
    expect(result.alerts[0]).toMatchObject({ key: 'openvpn:user:root', about: { user: 'root' } });
    expect(result.alerts[0]?.summary).toMatch(/5 failed logins for user "root" from 5 addresses/);
  });

  it('needs at least two addresses', async () => {
    const noAddress = [1, 2, 3, 4, 5, 6].map((n) => failed(n, { user: 'root' }));
    const result = await replay([batch('gw', noAddress)]);
    expect(result.alerts).toEqual([]);
  });

  it('stays quiet when one address does it all: the address rule takes precedence', async () => {
    const lines = Array.from({ length: 10 }, (_, i) =>
      failed(i * 0.5, { user: 'root', clientIp: A }),
    );
    const result = await replay([batch('gw', lines)]);
    expect(result.alerts.map((alert) => alert.key)).toEqual([`openvpn:client:${A}`]);
  });

  it('does not count failures of an address that already alerted', async () => {
    const fromA = [0, 1, 2, 3, 4].map((m) => failed(m, { user: 'root', clientIp: A }));
    const others = [5, 6, 7].map((n) => failed(n, { user: 'root', clientIp: `198.51.100.${n}` }));
    const result = await replay([batch('gw', [...fromA, ...others])]);
    expect(result.alerts.map((alert) => alert.key)).toEqual([`openvpn:client:${A}`]);
  });

  it('gives one alert when the user rule fired first and the address later reaches its threshold', async () => {
    const lines = [
      ...[0, 1, 2, 3].map((m) => failed(m, { user: 'root', clientIp: A })),
      failed(4, { user: 'root', clientIp: '198.51.100.9' }),
      failed(5, { user: 'root', clientIp: A }),
      failed(6, { user: 'root', clientIp: A }),
    ];
    const result = await replay([batch('gw', lines)]);
    expect(result.alerts.map((alert) => alert.key)).toEqual(['openvpn:user:root']);
    expect(result.suppressed.dedup).toBeGreaterThan(0);
  });

  it('still opens for another address attacking during the user alert cooldown', async () => {
    const lines = [
      ...[1, 2, 3, 4, 5].map((n) => failed(n, { user: 'root', clientIp: `198.51.100.${n}` })),
      ...[6, 7, 8, 9, 10].map((m) => failed(m, { user: 'root', clientIp: A })),
    ];
    const result = await replay([batch('gw', lines)]);
    expect(result.alerts.map((alert) => alert.key)).toEqual([
      'openvpn:user:root',
      `openvpn:client:${A}`,
    ]);
  });
});

describe('probe.scan', () => {
  it('opens a warning at 5 probes of any probe category from one address', async () => {
    const lines = [
      line(0, 'probe.bad_packet', { clientIp: A }),
      line(1, 'tls.hmac_failed', { clientIp: A }),
      line(2, 'tls.negotiation_timeout', { clientIp: A }),
      line(3, 'probe.bad_packet', { clientIp: A }),
      line(4, 'probe.bad_packet', { clientIp: '198.51.100.1' }),
      line(5, 'tls.hmac_failed', { clientIp: A }),
    ];
    const result = await replay([batch('gw', lines)]);
    expect(result.alerts).toHaveLength(1);
    expect(result.alerts[0]).toMatchObject({
      rule: 'probe.scan',
      severity: 'warning',
      key: `openvpn:client:${A}`,
      category: 'tls.hmac_failed',
      time: T0 + 5 * 60_000,
    });
  });

  it('stays quiet at 4 probes', async () => {
    const lines = [0, 1, 2, 3].map((m) => line(m, 'probe.bad_packet', { clientIp: A }));
    expect((await replay([batch('gw', lines)])).alerts).toEqual([]);
  });
});

describe('cert.problem', () => {
  it('opens at the first cert event, keyed by user, and re-arms after the cooldown', async () => {
    const lines = [
      line(0, 'cert.expired', { user: 'alice', clientIp: A }),
      line(10, 'cert.verify_failed', { user: 'alice', clientIp: A }),
      line(61, 'cert.expired', { user: 'alice', clientIp: A }),
    ];
    const result = await replay([batch('gw', lines)]);
    expect(result.alerts.map((a) => [a.key, a.category, a.severity])).toEqual([
      ['openvpn:user:alice', 'cert.expired', 'warning'],
      ['openvpn:user:alice', 'cert.expired', 'warning'],
    ]);
    expect(result.suppressed.cooldown).toBe(1);
  });

  it('keys by address when the user is unknown', async () => {
    const result = await replay([batch('gw', [line(0, 'cert.missing', { clientIp: A })])]);
    expect(result.alerts[0]?.key).toBe(`openvpn:client:${A}`);
  });
});

describe('admin.bruteforce', () => {
  it('opens a critical alert at the 3rd failed admin login on one server', async () => {
    const lines = [0, 2, 4].map((m) =>
      line(m, 'admin.login_failed', { clientIp: `198.51.100.${m}` }),
    );
    const result = await replay([batch('vpn1-server', lines, 'softether')]);
    expect(result.alerts).toHaveLength(1);
    expect(result.alerts[0]).toMatchObject({
      rule: 'admin.bruteforce',
      severity: 'critical',
      key: 'softether:server:vpn1-server',
    });
  });

  it('counts per server: two servers with two failures each stay quiet', async () => {
    const two = [0, 1].map((m) => line(m, 'admin.login_failed', { server: 'a' }));
    const twoMore = [2, 3].map((m) => line(m, 'admin.login_failed', { server: 'b' }));
    const result = await replay([batch('s', [...two, ...twoMore], 'softether')]);
    expect(result.alerts).toEqual([]);
  });
});

describe('admin.audit', () => {
  const change = (minutes: number, auditKind: string | undefined) =>
    line(minutes, 'admin.change', {
      server: 'vpn1',
      hub: 'HUB1',
      ...(auditKind === undefined ? {} : { auditKind }),
    });

  it('opens for a change that weakens logging or access, not for others', async () => {
    const lines = [change(0, 'user'), change(1, undefined), change(2, 'log-settings')];
    const result = await replay([batch('s', lines, 'softether')]);
    expect(result.alerts).toHaveLength(1);
    expect(result.alerts[0]).toMatchObject({
      rule: 'admin.audit',
      category: 'admin.change',
      severity: 'warning',
      key: 'softether:server:vpn1:hub:HUB1',
    });
  });

  it('reports each weakening kind once per cooldown', async () => {
    const lines = [
      change(0, 'log-settings'),
      change(5, 'log-settings'),
      change(6, 'access-list'),
      change(7, 'admin-password'),
    ];
    const result = await replay([batch('s', lines, 'softether')]);
    expect(result.alerts.map((alert) => alert.time)).toEqual([
      T0,
      T0 + 6 * 60_000,
      T0 + 7 * 60_000,
    ]);
    expect(result.suppressed.cooldown).toBe(1);
  });

  it('opens for deleted log files', async () => {
    const result = await replay([
      batch('s', [line(0, 'log.deleted', { server: 'vpn1' })], 'softether'),
    ]);
    expect(result.alerts[0]).toMatchObject({
      category: 'log.deleted',
      key: 'softether:server:vpn1:hub:-',
    });
  });
});

describe('network.conflict', () => {
  it('opens once per hub and session within the cooldown', async () => {
    const lines = [
      line(0, 'network.conflict', { hub: 'HUB1', sessionId: 'SID-A' }),
      line(1, 'network.conflict', { hub: 'HUB1', sessionId: 'SID-A' }),
      line(2, 'network.conflict', { hub: 'HUB1', sessionId: 'SID-B' }),
    ];
    const result = await replay([batch('s', lines, 'softether')]);
    expect(result.alerts.map((alert) => alert.key)).toEqual([
      'softether:hub:HUB1:session:SID-A',
      'softether:hub:HUB1:session:SID-B',
    ]);
  });
});

describe('threshold rules and configuration', () => {
  it('uses the configured threshold, window and severity', async () => {
    const config = parseRulesConfig(
      { rules: { 'auth.bruteforce': { threshold: 3, windowMinutes: 2, severity: 'warning' } } },
      'test',
    );
    const spread = [0, 1.5, 3].map((m) => failed(m, { clientIp: A }));
    const close = [10, 10.5, 11].map((m) => failed(m, { clientIp: A }));
    const result = await replay([batch('gw', [...spread, ...close])], config);
    expect(result.alerts.map((alert) => [alert.time, alert.severity])).toEqual([
      [T0 + 11 * 60_000, 'warning'],
    ]);
  });

  it('raises nothing for a disabled rule', async () => {
    const config = parseRulesConfig({ rules: { 'network.conflict': { enabled: false } } }, 'test');
    const result = await replay(
      [batch('s', [line(0, 'network.conflict', { hub: 'H' })], 'softether')],
      config,
    );
    expect(result.alerts).toEqual([]);
  });
});
