import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/model.ts';
import { type RawLine, runPipeline, type StreamBatch } from '../../../src/pipeline.ts';
import { DEFAULT_RULES_CONFIG } from '../../../src/rules/config.ts';
import { MemoryStateStore } from '../../../src/state/memory-state-store.ts';
import { runCli } from '../../helpers/cli.ts';

const NOW = Date.parse('2025-03-01T12:00:00Z');

function batch(stream: string, lines: readonly string[]): StreamBatch {
  const raw: RawLine[] = lines.map((text, index) => ({ text, line: index + 1 }));
  return { source: 'softether', stream, file: `${stream}.log`, timeZone: 'UTC', lines: raw };
}

async function replay(batches: readonly StreamBatch[]) {
  const store = new MemoryStateStore(() => NOW);
  return runPipeline(batches, { store, config: DEFAULT_RULES_CONFIG, now: () => NOW });
}

const rulesOf = (alerts: readonly Alert[]) => alerts.map((alert) => alert.rule);

/** One failed password login in the server-log form, Stable edition (no `, from IP`). */
function failedLogin(second: number, cid: number, ip: string, user: string): string[] {
  const t = `2025-03-01 10:${String(Math.floor(second / 60)).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}`;
  return [
    `${t}.010 For the client (IP address: ${ip}, host name: "${ip}", port number: ${40000 + cid}), connection "CID-${cid}" has been created.`,
    `${t}.120 [HUB "DEFAULT"] The connection "CID-${cid}" (IP address: ${ip}, Host name: ${ip}, Port number: ${40000 + cid}, Client name: "SoftEther VPN Client", Version: 4.43, Build: 9799) is attempting to connect to the Virtual Hub. The auth type provided is "Password authentication" and the user name is "${user}".`,
    `${t}.260 [HUB "DEFAULT"] Connection "CID-${cid}": User authentication failed. The user name that has been provided was "${user}".`,
    `${t}.262 Connection "CID-${cid}" terminated by the cause "User authentication failed." (code 9).`,
  ];
}

describe('SoftEther scenarios through the pipeline', () => {
  it('auth.bruteforce per address from Stable-edition lines (address only via CID correlation)', async () => {
    // Prepare: 5 failures from one address, user names varied.
    const lines = ['admin', 'alice', 'root', 'alice', 'vpn'].flatMap((user, i) =>
      failedLogin(i * 40, 10 + i, '203.0.113.50', user),
    );
    // Act
    const result = await replay([batch('vpnserver/server_log/vpn_20250301', lines)]);
    // Assess
    expect(rulesOf(result.alerts)).toEqual(['auth.bruteforce']);
    expect(result.alerts[0]?.about.clientIp).toBe('203.0.113.50');
    expect(result.alerts[0]?.key).toContain('203.0.113.50');
  });

  it('does not alert at 4 failures', async () => {
    const lines = ['a', 'b', 'c', 'd'].flatMap((user, i) =>
      failedLogin(i * 40, 10 + i, '203.0.113.50', user),
    );
    const result = await replay([batch('vpnserver/server_log/vpn_20250301', lines)]);
    expect(result.alerts).toEqual([]);
  });

  it('auth.bruteforce per user from several addresses (Japanese user name)', async () => {
    const lines = [0, 1, 2, 3, 4].flatMap((i) =>
      failedLogin(i * 30, 20 + i, `198.51.100.${10 + i}`, '山田'),
    );
    const result = await replay([batch('vpnserver/server_log/vpn_20250301', lines)]);
    expect(rulesOf(result.alerts)).toEqual(['auth.bruteforce']);
    expect(result.alerts[0]?.about.user).toBe('山田');
  });

  it('counts a hub event logged in both the server and the security log once', async () => {
    // Prepare: 3 failures, each in both logs: 3 events for the rules, 3 duplicates.
    const server = [0, 1, 2].flatMap((i) => failedLogin(i * 40, 10 + i, '203.0.113.50', 'admin'));
    const security = server
      .filter((line) => line.includes('[HUB "DEFAULT"] '))
      .map((line) => line.replace('[HUB "DEFAULT"] ', ''));
    const config = {
      ...DEFAULT_RULES_CONFIG,
      rules: {
        ...DEFAULT_RULES_CONFIG.rules,
        'auth.bruteforce': { ...DEFAULT_RULES_CONFIG.rules['auth.bruteforce'], threshold: 4 },
      },
    };
    const store = new MemoryStateStore(() => NOW);
    // Act: the security log first this time.
    const result = await runPipeline(
      [
        batch('vpnserver/security_log/DEFAULT/sec_20250301', security),
        batch('vpnserver/server_log/vpn_20250301', server),
      ],
      { store, config, now: () => NOW },
    );
    // Assess: 3 failures are below a threshold of 4 although 6 lines say "failed".
    expect(result.alerts).toEqual([]);
    expect(result.duplicates).toBe(security.length);
  });

  it('admin.bruteforce on 3 failed administration logins', async () => {
    const lines = [0, 1, 2].flatMap((i) => [
      `2025-03-01 10:20:${i}0.100 Connection "CID-${30 + i}" connected using server admin mode.`,
      `2025-03-01 10:20:${i}0.300 Connection "CID-${30 + i}" was unable to log in using administration mode. Access has been denied. (Error code 12)`,
    ]);
    const result = await replay([batch('vpnserver/server_log/vpn_20250301', lines)]);
    expect(rulesOf(result.alerts)).toEqual(['admin.bruteforce']);
    expect(result.alerts[0]?.about.server).toBe('vpnserver');
  });

  it('admin.audit on a log-settings change, once although logged twice', async () => {
    const message =
      'Administration mode [RPC-3] (Virtual Hub "DEFAULT"): The log save setting has been changed.';
    const result = await replay([
      batch('vpnserver/server_log/vpn_20250301', [
        `2025-03-01 10:31:12.500 [HUB "DEFAULT"] ${message}`,
      ]),
      batch('vpnserver/security_log/DEFAULT/sec_20250301', [`2025-03-01 10:31:12.501 ${message}`]),
    ]);
    expect(rulesOf(result.alerts)).toEqual(['admin.audit']);
    expect(result.alerts[0]?.about).toMatchObject({ server: 'vpnserver', hub: 'DEFAULT' });
    expect(result.duplicates).toBe(1);
  });

  it('admin.audit on an access-list change, an admin password and deleted log files; not on a user change', async () => {
    const result = await replay([
      batch('vpnserver/server_log/vpn_20250301', [
        '2025-03-01 10:40:00.000 [HUB "DEFAULT"] Administration mode [RPC-3] (Virtual Hub "DEFAULT"): User "test" has been deleted.',
        '2025-03-01 10:41:00.000 [HUB "DEFAULT"] Administration mode [RPC-3] (Virtual Hub "DEFAULT"): The Source IP Address Limit List has been updated. Rule items for 0 items are set.',
        '2025-03-01 10:42:00.000 Administration mode [RPC-3]: The server administrator password has been set.',
        '2025-03-01 10:43:00.000 The free disk space is now less then 100.0 MB so the old file "/v/packet_log/DEFAULT/pkt_20250201.log" has been automatically deleted. The amount of free disk space that determines when to start deletion can be modified by changing the "AutoDeleteCheckDiskFreeSpaceMin" item in the configuration file.',
      ]),
    ]);
    expect(rulesOf(result.alerts)).toEqual(['admin.audit', 'admin.audit', 'admin.audit']);
    expect(result.alerts.map((alert) => alert.category)).toEqual([
      'admin.change',
      'admin.change',
      'log.deleted',
    ]);
  });

  it('probe.scan on 5 non-VPN clients from one address', async () => {
    const lines = [0, 1, 2, 3, 4].flatMap((i) => [
      `2025-03-01 13:00:0${i}.000 For the client (IP address: 192.0.2.200, host name: "192.0.2.200", port number: ${33000 + i}), connection "CID-${50 + i}" has been created.`,
      `2025-03-01 13:00:0${i}.004 Connection "CID-${50 + i}" terminated by the cause "A client which is non-SoftEther VPN software has connected to the port." (code 5).`,
    ]);
    const result = await replay([batch('vpnserver/server_log/vpn_20250301', lines)]);
    expect(rulesOf(result.alerts)).toEqual(['probe.scan']);
    expect(result.alerts[0]?.about.clientIp).toBe('192.0.2.200');
  });

  it('network.conflict on an IP address conflict', async () => {
    const result = await replay([
      batch('vpnserver/security_log/DEFAULT/sec_20250301', [
        '2025-03-01 11:00:03.002 Session "SID-BOB-40": Although the virtual hub has attempt to use the IP address 192.168.30.10 was made, this IP address is already being used by another session "SID-ALICE-1" (MAC Address: "5E-1A-2B-3C-4D-5E"). The security policy for this session denies duplication of IP addresses that are used by other sessions. The packet has been discarded. Detailed Information: CreatedTime=1, UpdatedTime=2, DhcpAllocated=1, Now=3',
      ]),
    ]);
    expect(rulesOf(result.alerts)).toEqual(['network.conflict']);
    expect(result.alerts[0]?.about).toMatchObject({ hub: 'DEFAULT', sessionId: 'SID-BOB-40' });
  });
});

describe('tunnelwatch replay samples/softether/', () => {
  it('shows the expected alerts', async () => {
    const { code, stdout } = await runCli(['replay', '--json', 'samples/softether/']);
    expect(code).toBe(0);
    const alerts = stdout
      .filter((line) => line.startsWith('{') && !line.startsWith('{"summary"'))
      .map((line) => JSON.parse(line) as Alert);
    expect(alerts.map((alert) => alert.rule).sort()).toEqual(
      [
        'admin.audit',
        'admin.audit',
        'admin.bruteforce',
        'auth.bruteforce',
        'network.conflict',
        'probe.scan',
      ].sort(),
    );
    const brute = alerts.find((alert) => alert.rule === 'auth.bruteforce');
    expect(brute?.key).toContain('203.0.113.50');
  });
});
