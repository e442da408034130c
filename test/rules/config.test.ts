import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RULES_CONFIG,
  loadRulesConfig,
  parseRulesConfig,
  RulesConfigError,
  RulesConfigUnreadableError,
} from '../../src/rules/config.ts';

function problemsOf(json: unknown): readonly string[] {
  try {
    parseRulesConfig(json, 'cfg.json');
  } catch (error) {
    if (error instanceof RulesConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('DEFAULT_RULES_CONFIG', () => {
  it("holds docs/taxonomy.md's defaults", () => {
    expect(DEFAULT_RULES_CONFIG.rules['auth.bruteforce']).toMatchObject({
      threshold: 5,
      windowMinutes: 10,
      cooldownMinutes: 60,
      userThreshold: 5,
      userMinAddresses: 2,
      severity: 'critical',
    });
    expect(DEFAULT_RULES_CONFIG.rules['probe.scan']).toMatchObject({
      threshold: 5,
      severity: 'warning',
    });
    expect(DEFAULT_RULES_CONFIG.rules['admin.bruteforce']).toMatchObject({
      threshold: 3,
      severity: 'critical',
    });
    expect(DEFAULT_RULES_CONFIG.rules['tunnel.flapping']).toMatchObject({
      threshold: 3,
      windowMinutes: 30,
    });
    expect(DEFAULT_RULES_CONFIG.rules['tunnel.down']).toMatchObject({ causeLookbackMinutes: 5 });
    expect(DEFAULT_RULES_CONFIG.cause).toMatchObject({ enabled: true, cooldownMinutes: 60 });
  });
});

describe('parseRulesConfig', () => {
  it('merges a partial document over the defaults, setting by setting', () => {
    const config = parseRulesConfig(
      {
        rules: { 'auth.bruteforce': { threshold: 10 } },
        cause: { cooldownMinutes: 120 },
        causeSeverities: { 'ike.negotiation_timeout': 'critical' },
      },
      'cfg.json',
    );
    expect(config.rules['auth.bruteforce']).toMatchObject({ threshold: 10, windowMinutes: 10 });
    expect(config.rules['probe.scan']).toEqual(DEFAULT_RULES_CONFIG.rules['probe.scan']);
    expect(config.cause.cooldownMinutes).toBe(120);
    expect(config.causeSeverities).toEqual({ 'ike.negotiation_timeout': 'critical' });
  });

  it('accepts an empty document as the defaults', () => {
    expect(parseRulesConfig({}, 'x')).toEqual(DEFAULT_RULES_CONFIG);
  });

  it('lists every problem in one error, each naming the key', () => {
    const problems = problemsOf({
      rules: {
        'auth.bruteforce': { threshold: -1, windowMinutes: 'ten', enabled: 'yes' },
        'probe.scan': { userThreshold: 3 },
        'no.such.rule': {},
        'cert.problem': { severity: 'page' },
      },
      cause: { threshold: 2.5 },
      causeSeverities: { 'auth.failed': 'warning', 'dpd.timeout': 'urgent' },
      extra: true,
    });
    expect(problems).toEqual([
      'rules["auth.bruteforce"].threshold: expected a positive integer, got -1',
      'rules["auth.bruteforce"].windowMinutes: expected a positive number, got "ten"',
      'rules["auth.bruteforce"].enabled: expected true or false, got "yes"',
      'rules["probe.scan"].userThreshold: unknown setting (expected one of enabled, severity, threshold, windowMinutes, cooldownMinutes)',
      'rules["no.such.rule"]: unknown rule (expected one of tunnel.down, tunnel.flapping, vpn.all_tunnels_down, bgp.session_down, auth.bruteforce, probe.scan, cert.problem, admin.bruteforce, admin.audit, network.conflict)',
      'rules["cert.problem"].severity: expected one of info, warning, critical, got "page"',
      'cause.threshold: unknown setting (expected one of enabled, severity, cooldownMinutes)',
      'causeSeverities["auth.failed"]: unknown aws-s2s category',
      'causeSeverities["dpd.timeout"]: expected one of info, warning, critical, got "urgent"',
      'extra: unknown section (expected rules, cause, causeSeverities)',
    ]);
  });

  it('names the origin and joins the problems in one line', () => {
    expect(() =>
      parseRulesConfig({ rules: { 'probe.scan': { threshold: 0 } } }, 'RULES_CONFIG'),
    ).toThrow(
      'RULES_CONFIG: invalid rules config: rules["probe.scan"].threshold: expected a positive integer, got 0',
    );
    expect(() => parseRulesConfig([], 'x')).toThrow(
      'x: invalid rules config: expected an object, got an array',
    );
  });

  it('rejects non-integer thresholds and non-finite durations', () => {
    expect(problemsOf({ rules: { 'admin.bruteforce': { threshold: 2.5 } } })).toHaveLength(1);
    expect(problemsOf({ rules: { 'admin.bruteforce': { cooldownMinutes: 0.5 } } })).toEqual([]);
  });
});

describe('loadRulesConfig', () => {
  it('reads and validates a JSON file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-config-'));
    const path = join(dir, 'rules.json');
    await writeFile(path, JSON.stringify({ rules: { 'probe.scan': { threshold: 7 } } }));
    expect((await loadRulesConfig(path)).rules['probe.scan'].threshold).toBe(7);
  });

  it('names the file when it is missing or not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-config-'));
    await expect(loadRulesConfig(join(dir, 'none.json'))).rejects.toBeInstanceOf(
      RulesConfigUnreadableError,
    );
    await expect(loadRulesConfig(join(dir, 'none.json'))).rejects.toThrow(
      /none\.json: no such file/,
    );
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{ nope');
    await expect(loadRulesConfig(bad)).rejects.toThrow(
      /bad\.json: invalid rules config: not valid JSON/,
    );
  });
});
