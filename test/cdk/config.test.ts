import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  configFromContext,
  DEFAULT_LOG_RETENTION_DAYS,
  MissingConfigError,
  parseConfig,
} from '../../cdk/config.ts';
import { sampleConfigJson } from './helpers.ts';

function problemsOf(json: unknown): readonly string[] {
  try {
    parseConfig(json, 'test.json');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('accepts the sample and applies defaults', () => {
    // Act
    const config = parseConfig(sampleConfigJson(), 'sample');

    // Assess
    expect(config.stackName).toBe('Tunnelwatch');
    expect(config.vpnLogGroups[0]).toEqual({
      name: '/aws/vendedlogs/vpn/tunnels',
      retentionDays: 180,
      existing: false,
      otherSubscriptionFilters: 0,
    });
    expect(config.vpnConnections.map((c) => c.enableLogging)).toEqual([true, false]);
    expect(config.softetherServers[0]?.hubs[1]).toEqual({
      name: 'SALES',
      securityLogSwitch: 'month',
      packetLogSwitch: 'hour',
      packetLog: 'monitor',
    });
    expect(config.rules).toEqual(sampleConfigJson().rules);
  });

  it('defaults hub switch cycles to daily, packet logs to store and retention to 90 days', () => {
    // Act
    const config = parseConfig(
      { softetherServers: [{ name: 's', timeZone: 'UTC', hubs: [{ name: 'HUB' }] }] },
      'x',
    );

    // Assess
    expect(config.logRetentionDays).toBe(DEFAULT_LOG_RETENTION_DAYS);
    expect(config.softetherServers[0]).toEqual({
      name: 's',
      timeZone: 'UTC',
      logDirectory: '/usr/local/vpnserver',
      hubs: [{ name: 'HUB', securityLogSwitch: 'day', packetLogSwitch: 'day', packetLog: 'store' }],
    });
  });

  it('lists every problem in one error, each naming its key', () => {
    // Prepare
    const json = {
      stackName: '1bad name',
      colour: 'blue',
      logRetentionDays: 42,
      kmsKeyArn: 'not-an-arn',
      vpnLogGroups: [
        { name: '/vpn/tunnels', retentionDays: 7000 },
        { name: '/aws/vendedlogs/a', otherSubscriptionFilters: 2 },
      ],
      vpnConnections: [
        {
          id: 'vpn-XYZ',
          tunnelOutsideIps: ['203.0.113.300', '203.0.113.20', '203.0.113.30'],
          logGroup: '/aws/vendedlogs/missing',
          logOutputFormat: 'xml',
          enableLogging: 'yes',
        },
      ],
      alerts: { emails: ['not-an-email'], httpsEndpoints: ['http://example.com/hook'] },
      openvpnGateways: [{ name: 'gw 1', timeZone: 'Mars/Olympus', timestampStyle: 'unix' }],
      softetherServers: [
        {
          name: 'vpn1',
          timeZone: 'Asia/Tokyo',
          hubs: [
            { name: 'A B', securityLogSwitch: 'week' },
            { name: 'x', packetLog: 'all' },
          ],
        },
      ],
      rules: [1, 2],
    };

    // Act
    let error: unknown;
    try {
      parseConfig(json, 'test.json');
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    const keys = problems.map((p) => p.slice(0, p.indexOf(': ')));
    expect(keys).toEqual(
      expect.arrayContaining([
        'stackName',
        'colour',
        'logRetentionDays',
        'kmsKeyArn',
        'vpnLogGroups[0].name',
        'vpnLogGroups[0].retentionDays',
        'vpnLogGroups[1].otherSubscriptionFilters',
        'vpnConnections[0].id',
        'vpnConnections[0].tunnelOutsideIps',
        'vpnConnections[0].tunnelOutsideIps[0]',
        'vpnConnections[0].logGroup',
        'vpnConnections[0].enableLogging',
        'vpnConnections[0].logOutputFormat',
        'alerts.emails[0]',
        'alerts.httpsEndpoints[0]',
        'openvpnGateways[0].name',
        'openvpnGateways[0].timeZone',
        'openvpnGateways[0].timestampStyle',
        'softetherServers[0].hubs[0].name',
        'softetherServers[0].hubs[0].securityLogSwitch',
        'softetherServers[0].hubs[1].packetLog',
        'rules',
      ]),
    );
    expect(problems).toHaveLength(22);
    expect(message.split('\n')[0]).toBe(
      'test.json: 22 problem(s) in the tunnelwatch configuration:',
    );
    expect(problems).toContain(
      'vpnLogGroups[0].name: VPN log group names must start with /aws/vendedlogs/ (the delivery policy covers them by prefix), got "/vpn/tunnels"',
    );
  });

  it('rejects duplicate VPN connections and tunnel IPs', () => {
    // Prepare
    const connection = {
      id: 'vpn-0123456789abcdef0',
      tunnelOutsideIps: ['203.0.113.10', '203.0.113.10'],
      logGroup: '/aws/vendedlogs/vpn/x',
    };

    // Act
    const problems = problemsOf({
      vpnLogGroups: [{ name: '/aws/vendedlogs/vpn/x' }],
      vpnConnections: [connection, connection],
    });

    // Assess
    expect(problems).toEqual([
      'vpnConnections: VPN connection "vpn-0123456789abcdef0" is listed more than once',
      'vpnConnections: tunnel outside IP "203.0.113.10" is listed more than once',
    ]);
  });

  it('checks rule settings as the function will, naming each key under rules', () => {
    // Prepare
    const json = {
      ...sampleConfigJson(),
      rules: { rules: { 'auth.bruteforce': { threshold: -1 }, 'no.such.rule': {} }, colour: 1 },
    };

    // Act
    const problems = problemsOf(json);

    // Assess
    expect(problems).toEqual([
      'rules.rules["auth.bruteforce"].threshold: expected a positive integer, got -1',
      expect.stringMatching(/^rules\.rules\["no\.such\.rule"\]: unknown rule/),
      'rules.colour: unknown section (expected rules, cause, causeSeverities)',
    ]);
  });

  it('refuses a configuration that watches nothing', () => {
    expect(problemsOf({})).toEqual([
      '(top level): nothing to watch: give vpnConnections, openvpnGateways or softetherServers',
    ]);
  });

  it('refuses a file that is not JSON, naming the file', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'tw-config-'));
    writeFileSync(join(dir, 'bad.json'), '{ "stackName": ');

    // Act + Assess
    expect(() => configFromContext('bad.json', dir)).toThrow(
      new RegExp(`^${join(dir, 'bad.json')}: 1 problem\\(s\\).*\\n  - not valid JSON`),
    );
  });
});

describe('configFromContext', () => {
  it('stops with one line saying how to give a configuration when none is given', () => {
    // Prepare
    const emptyDir = mkdtempSync(join(tmpdir(), 'tw-none-'));

    // Act
    let error: unknown;
    try {
      configFromContext(undefined, emptyDir);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(MissingConfigError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain('-c config=');
  });

  it('reads ./tunnelwatch.config.json when no context value is given', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'tw-default-'));
    writeFileSync(
      join(dir, 'tunnelwatch.config.json'),
      JSON.stringify({ stackName: 'FromCwd', openvpnGateways: [{ name: 'gw', timeZone: 'UTC' }] }),
    );

    // Act
    const config = configFromContext(undefined, dir);

    // Assess
    expect(config.stackName).toBe('FromCwd');
  });
});
