import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { softetherFileGlob } from '../../cdk/log-layout.ts';
import { parseStreamName } from '../../src/sources/softether/files.ts';
import { runCli } from '../helpers/cli.ts';

const SAMPLE = new URL('../../samples/tunnelwatch.config.json', import.meta.url).pathname;

interface Entry {
  file_path: string;
  log_group_name: string;
  log_stream_name: string;
  timestamp_format: string;
  timezone: string;
}

function entriesOf(stdout: readonly string[]): Entry[] {
  return JSON.parse(stdout.join('\n')).logs.logs_collected.files.collect_list;
}

function writeConfig(config: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tw-agent-')), 'tunnelwatch.config.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

/** Converts an agent glob to a RegExp (`*` and `[0-9]` only, as the layout uses). */
function globRegExp(glob: string): RegExp {
  const body = glob
    .split(/(\[0-9\]|\*)/)
    .map((part) =>
      part === '[0-9]'
        ? '[0-9]'
        : part === '*'
          ? '[^/]*'
          : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`);
}

describe('tunnelwatch agent-config', () => {
  it('prints the SoftEther server log, and per hub the security and packet logs, into the stack’s groups', async () => {
    // Act
    const { code, stdout, stderr } = await runCli([
      'agent-config',
      '--config',
      SAMPLE,
      '--softether',
      'vpn1',
    ]);

    // Assess
    expect(code).toBe(0);
    const entries = entriesOf(stdout);
    expect(entries.map((e) => [e.file_path, e.log_group_name, e.timestamp_format])).toEqual([
      [
        `/usr/local/vpnserver/server_log/vpn_${'[0-9]'.repeat(8)}*.log`,
        '/tunnelwatch/softether/vpn1/server_log',
        '%Y-%m-%d %H:%M:%S.%f',
      ],
      [
        `/usr/local/vpnserver/security_log/DEFAULT/sec_${'[0-9]'.repeat(8)}*.log`,
        '/tunnelwatch/softether/vpn1/security_log/DEFAULT',
        '%Y-%m-%d %H:%M:%S.%f',
      ],
      [
        `/usr/local/vpnserver/packet_log/DEFAULT/pkt_${'[0-9]'.repeat(8)}*.log`,
        '/tunnelwatch/softether/vpn1/packet_log/DEFAULT',
        '%Y-%m-%d,%H:%M:%S.%f',
      ],
      [
        `/usr/local/vpnserver/security_log/SALES/sec_${'[0-9]'.repeat(6)}*.log`,
        '/tunnelwatch/softether/vpn1/security_log/SALES',
        '%Y-%m-%d %H:%M:%S.%f',
      ],
      [
        `/usr/local/vpnserver/packet_log/SALES/pkt_${'[0-9]'.repeat(8)}_${'[0-9]'.repeat(2)}*.log`,
        '/tunnelwatch/softether/vpn1/packet_log/SALES',
        '%Y-%m-%d,%H:%M:%S.%f',
      ],
    ]);
    expect(entries.map((e) => e.log_stream_name)).toEqual([
      '{hostname}/server_log',
      '{hostname}/security_log/DEFAULT',
      '{hostname}/packet_log/DEFAULT',
      '{hostname}/security_log/SALES',
      '{hostname}/packet_log/SALES',
    ]);
    expect(entries.every((e) => e.timezone === 'Local')).toBe(true);
    expect(stderr).toEqual([
      "tunnelwatch agent-config: the agent reads timestamps in the server's local zone: set the server's zone to Asia/Tokyo",
    ]);
  });

  it('names SoftEther streams so that the Lambda reads the host, log kind and hub from them (docs/softether.md)', async () => {
    // Act
    const { code, stdout } = await runCli([
      'agent-config',
      '--config',
      SAMPLE,
      '--softether',
      'vpn1',
      '--stream',
      'host-a',
    ]);

    // Assess: the Lambda's SoftEther parser sees only the stream name, not the group
    expect(code).toBe(0);
    const read = entriesOf(stdout).map((e) => [
      e.log_group_name,
      parseStreamName(e.log_stream_name),
    ]);
    expect(read).toEqual([
      ['/tunnelwatch/softether/vpn1/server_log', { kind: 'server', server: 'host-a' }],
      [
        '/tunnelwatch/softether/vpn1/security_log/DEFAULT',
        { kind: 'security', hub: 'DEFAULT', server: 'host-a' },
      ],
      [
        '/tunnelwatch/softether/vpn1/packet_log/DEFAULT',
        { kind: 'packet', hub: 'DEFAULT', server: 'host-a' },
      ],
      [
        '/tunnelwatch/softether/vpn1/security_log/SALES',
        { kind: 'security', hub: 'SALES', server: 'host-a' },
      ],
      [
        '/tunnelwatch/softether/vpn1/packet_log/SALES',
        { kind: 'packet', hub: 'SALES', server: 'host-a' },
      ],
    ]);
  });

  it.each([
    ['none', ['sec.log', 'sec~01.log'], ['pkt.log']],
    [
      'second',
      ['sec_20051207_014510.log', 'sec_20051207_014510~01.log'],
      ['sec_20051207_0145.log'],
    ],
    ['minute', ['sec_20051207_0145.log', 'sec_20051207_0145~02.log'], ['sec_20051207_01.log']],
    ['hour', ['sec_20051207_01.log', 'sec_20051207_01~01.log'], ['sec_20051207.log']],
    [
      'day',
      ['sec_20051207.log', 'sec_20051207~01.log', 'sec_20051207~001.log'],
      ['sec_200512.log'],
    ],
    ['month', ['sec_200512.log', 'sec_200512~01.log'], ['sec_2005.log', 'vpn_200512.log']],
  ] as const)(
    'the %s switch cycle glob matches its file names and their ~NN splits',
    (cycle, matching, other) => {
      // Act
      const pattern = globRegExp(softetherFileGlob('security_log', cycle));

      // Assess
      for (const name of matching) expect(name).toMatch(pattern);
      for (const name of other) expect(name).not.toMatch(pattern);
    },
  );

  it('prints the OpenVPN log file with the ctime format for OpenVPN 2.4, and UTC when the zone is UTC', async () => {
    // Prepare
    const config = writeConfig({
      openvpnGateways: [
        {
          name: 'gw1',
          timeZone: 'UTC',
          logFile: '/var/log/openvpn/server.log',
          timestampStyle: 'ctime',
        },
      ],
    });

    // Act
    const { code, stdout, stderr } = await runCli([
      'agent-config',
      '--config',
      config,
      '--openvpn',
      'gw1',
      '--stream',
      'gw1-a',
    ]);

    // Assess
    expect(code).toBe(0);
    expect(stderr).toEqual([]);
    expect(entriesOf(stdout)).toEqual([
      {
        file_path: '/var/log/openvpn/server.log',
        log_group_name: '/tunnelwatch/openvpn/gw1',
        log_stream_name: 'gw1-a',
        timestamp_format: '%a %b %-d %H:%M:%S %Y',
        timezone: 'UTC',
        encoding: 'utf-8',
      },
    ]);
  });

  it('leaves out packet logs of hubs whose packet log is off', async () => {
    // Prepare
    const config = writeConfig({
      softetherServers: [
        {
          name: 's',
          timeZone: 'UTC',
          logDirectory: '/opt/se/',
          hubs: [{ name: 'H', packetLog: 'off' }],
        },
      ],
    });

    // Act
    const { stdout } = await runCli(['agent-config', '--config', config, '--softether', 's']);

    // Assess
    expect(entriesOf(stdout).map((e) => e.log_group_name)).toEqual([
      '/tunnelwatch/softether/s/server_log',
      '/tunnelwatch/softether/s/security_log/H',
    ]);
    expect(entriesOf(stdout)[1]?.file_path).toBe(
      `/opt/se/security_log/H/sec_${'[0-9]'.repeat(8)}*.log`,
    );
  });

  it('exits 2 naming the flag when the server is unknown or no server is given', async () => {
    // Act
    const unknown = await runCli(['agent-config', '--config', SAMPLE, '--softether', 'nope']);
    const none = await runCli(['agent-config', '--config', SAMPLE]);

    // Assess
    expect(unknown.code).toBe(2);
    expect(unknown.stderr[0]).toBe(
      'tunnelwatch agent-config: --softether: no SoftEther server "nope" in the configuration (configured: vpn1)',
    );
    expect(none.code).toBe(2);
    expect(none.stderr[0]).toContain('give exactly one of --softether SERVER or --openvpn GATEWAY');
  });

  it('exits 1 with the configuration problems when the file is invalid', async () => {
    // Prepare
    const config = writeConfig({
      softetherServers: [{ name: 's', timeZone: 'Nowhere/Land', hubs: [] }],
    });

    // Act
    const { code, stdout, stderr } = await runCli([
      'agent-config',
      '--config',
      config,
      '--softether',
      's',
    ]);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toEqual([]);
    expect(stderr.join('\n')).toContain(
      'softetherServers[0].timeZone: unknown time zone "Nowhere/Land"',
    );
  });
});
