import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_SCHEMA_PATH,
  ConfigError,
  configJsonSchema,
  parseConfig,
  RULES_SCHEMA_PATH,
  rulesJsonSchema,
} from '../../cdk/config.ts';
import { parseRulesConfig } from '../../src/rules/config.ts';
import { sampleConfigJson } from './helpers.ts';

const root = new URL('../../', import.meta.url);

function committed(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, root), 'utf8'));
}

/** Validates with an independent JSON Schema validator, as an editor would. */
function validator(schema: unknown) {
  const ajv = new Ajv2020({ allErrors: true });
  return ajv.compile(schema as object);
}

function parseErrors(json: unknown): readonly string[] {
  try {
    parseConfig(json, 'test.json');
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

const minimal = { openvpnGateways: [{ name: 'gw', timeZone: 'UTC' }] };

describe('the generated JSON Schemas', () => {
  it('are up to date with cdk/config.ts (run npm run schema after changing it)', () => {
    expect(committed(CONFIG_SCHEMA_PATH)).toEqual(configJsonSchema());
    expect(committed(RULES_SCHEMA_PATH)).toEqual(rulesJsonSchema());
  });

  it('accept the sample, which names the schema with $schema', () => {
    // Prepare
    const sample = sampleConfigJson();
    const validate = validator(committed(CONFIG_SCHEMA_PATH));

    // Act
    const valid = validate(sample);

    // Assess
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(sample.$schema).toBe(`../${CONFIG_SCHEMA_PATH}`);
  });

  it('refuse what parseConfig refuses, at the same key', () => {
    // Prepare
    const validate = validator(committed(CONFIG_SCHEMA_PATH));
    const cases: [unknown, string][] = [
      [{ ...minimal, colour: 'blue' }, ''],
      [{ ...minimal, logRetentionDays: 42 }, '/logRetentionDays'],
      [{ openvpnGateways: [{ name: 'gw 1', timeZone: 'UTC' }] }, '/openvpnGateways/0/name'],
      [{ softetherServers: [{ name: 's', timeZone: 'UTC' }] }, '/softetherServers/0'],
      [
        {
          vpnLogGroups: [{ name: '/aws/vendedlogs/x' }],
          vpnConnections: [
            { id: 'vpn-0123456789abcdef0', tunnelOutsideIps: [], logGroup: '/aws/vendedlogs/x' },
          ],
        },
        '/vpnConnections/0/tunnelOutsideIps',
      ],
      [{ ...minimal, rules: { rules: { 'auth.bruteforce': { threshold: 0 } } } }, '/rules/rules'],
      [{ ...minimal, rules: { rules: { 'no.such.rule': {} } } }, '/rules/rules'],
    ];

    for (const [json, where] of cases) {
      // Act
      const valid = validate(json);

      // Assess
      expect(valid, JSON.stringify(json)).toBe(false);
      expect(
        validate.errors?.some((error) => error.instancePath.startsWith(where)),
        JSON.stringify(validate.errors),
      ).toBe(true);
      expect(parseErrors(json), JSON.stringify(json)).not.toEqual([]);
    }
  });

  it('allow $comment in every object, as parseConfig does', () => {
    // Prepare
    const json = {
      $comment: 'top',
      alerts: { $comment: 'who', emails: ['a@example.com'] },
      softetherServers: [
        { $comment: 's', name: 's', timeZone: 'UTC', hubs: [{ $comment: 'h', name: 'HUB' }] },
      ],
    };

    // Act + Assess
    expect(validator(committed(CONFIG_SCHEMA_PATH))(json)).toBe(true);
    expect(parseErrors(json)).toEqual([]);
  });

  it('describe a rules-only document with its defaults', () => {
    // Prepare
    const validate = validator(committed(RULES_SCHEMA_PATH));
    const good = {
      $schema: `../${RULES_SCHEMA_PATH}`,
      rules: { 'probe.scan': { threshold: 10, windowMinutes: 2.5, severity: 'critical' } },
      causeSeverities: { 'ike.negotiation_timeout': 'critical' },
    };
    const bad = { rules: { 'probe.scan': { threshold: 2.5 } } };

    // Act + Assess
    expect(validate(good)).toBe(true);
    expect(validate(bad)).toBe(false);
    expect(() => parseRulesConfig(bad, 'x')).toThrow(/threshold: expected a positive integer/);
    const schema = committed(RULES_SCHEMA_PATH) as {
      properties: { rules: { properties: Record<string, { properties: object }> } };
    };
    expect(schema.properties.rules.properties['auth.bruteforce']?.properties).toHaveProperty(
      'userMinAddresses',
    );
  });
});
