/**
 * The threshold rules on OpenVPN events, through the whole pipeline: one wrong
 * password counts once however many lines report it, a scanner connection
 * counts once, certificate problems alert once per client.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/model.ts';
import { runPipeline } from '../../../src/pipeline.ts';
import { DEFAULT_RULES_CONFIG } from '../../../src/rules/config.ts';
import { openvpnSource } from '../../../src/sources/openvpn/index.ts';
import { MemoryStateStore } from '../../../src/state/memory-state-store.ts';

const START = Date.parse('2025-04-14T02:00:00Z');

/** Gateway lines; `at` in seconds after START. */
function gateway(at: number, text: string): string {
  const iso = new Date(START + at * 1000).toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '/')} ${iso.slice(11, 19)} openvpn-vtun0 ${text}`;
}

/** One refused login as the gateway logs it (six lines, two of them `auth.failed`). */
function refusedLogin(at: number, user: string, address: string): string[] {
  return [
    gateway(at, `TCP connection established with [AF_INET]${address}`),
    gateway(at + 1, `${address} try username "${user}"`),
    gateway(
      at + 2,
      `${address} TLS Auth Error: Auth Username/Password verification failed for peer`,
    ),
    gateway(at + 2, `${address} [client] Peer Connection Initiated with [AF_INET]${address}`),
    gateway(at + 3, `${address} SENT CONTROL [client]: 'AUTH_FAILED' (status=1)`),
    gateway(at + 8, `${address} SIGTERM[soft,delayed-exit] received, client-instance exiting`),
  ];
}

/** One scanner connection (three `probe.bad_packet` lines). */
function scannerConnection(at: number, address: string): string[] {
  return [
    gateway(at, `TCP connection established with [AF_INET]${address}`),
    gateway(
      at + 6,
      `${address} WARNING: Bad encapsulated packet length from peer (5635), which must be > 0 and <= 1627 -- please ensure that --tun-mtu or --link-mtu is equal on both peers -- this condition could also indicate a possible active attack on the TCP link -- [Attempting restart...]`,
    ),
    gateway(at + 6, `${address} Connection reset, restarting [0]`),
    gateway(
      at + 6,
      `${address} SIGUSR1[soft,connection-reset] received, client-instance restarting`,
    ),
  ];
}

/** A successful session of `hours`. */
function session(at: number, user: string, address: string, vip: string, hours: number): string[] {
  return [
    gateway(at, `${address} try username "${user}"`),
    gateway(at + 1, `${address} ${user} authentication succeeded`),
    gateway(at + 1, `${address} [${user}] Peer Connection Initiated with [AF_INET]${address}`),
    gateway(at + 2, `${user}/${address} MULTI_sva: pool returned IPv4=${vip}, IPv6=(Not enabled)`),
    gateway(
      at + 2,
      `${user}/${address} SENT CONTROL [${user}]: 'PUSH_REPLY,route 172.16.10.0 255.255.255.0,ifconfig ${vip} 255.255.255.0,peer-id 0,cipher AES-256-GCM' (status=1)`,
    ),
    gateway(
      at + hours * 3600,
      `${user}/${address} SIGUSR1[soft,connection-reset] received, client-instance restarting`,
    ),
  ];
}

async function replay(lines: readonly string[]): Promise<readonly Alert[]> {
  // Stable sort on the timestamp: lines of one second keep their order.
  const stamp = (line: string): string => line.slice(0, 19);
  const sorted = [...lines].sort((a, b) =>
    stamp(a) < stamp(b) ? -1 : stamp(a) > stamp(b) ? 1 : 0,
  );
  const result = await runPipeline(
    [
      {
        source: 'openvpn',
        stream: 'openvpn-vtun0',
        timeZone: 'UTC',
        lines: sorted.map((text, index) => ({ text, line: index + 1 })),
      },
    ],
    {
      store: new MemoryStateStore(() => START),
      config: DEFAULT_RULES_CONFIG,
      now: () => START,
      sources: [openvpnSource],
    },
  );
  return result.alerts;
}

describe('OpenVPN events through the rules', () => {
  it('auth.bruteforce: five refused logins from one address within ten minutes', async () => {
    const lines = [0, 90, 180, 270, 360].flatMap((at, i) =>
      refusedLogin(
        at,
        ['admin', 'root', 'test', 'vpn', 'guest'][i] ?? 'x',
        `203.0.113.66:${40100 + i}`,
      ),
    );
    const alerts = await replay(lines);
    expect(alerts.map((alert) => [alert.rule, alert.key])).toEqual([
      ['auth.bruteforce', 'openvpn:client:203.0.113.66'],
    ]);
    expect(alerts[0]?.category).toBe('auth.failed');
  });

  it('auth.bruteforce counts one refused login once (four logins, eight auth.failed lines: no alert)', async () => {
    const lines = [0, 90, 180, 270].flatMap((at, i) =>
      refusedLogin(at, 'admin', `203.0.113.66:${40100 + i}`),
    );
    expect(await replay(lines)).toEqual([]);
  });

  it('auth.bruteforce per user: one user guessed from several addresses', async () => {
    const addresses = ['192.0.2.201', '192.0.2.202', '192.0.2.203', '192.0.2.201', '192.0.2.202'];
    const lines = addresses.flatMap((ip, i) =>
      refusedLogin(i * 95, 'user05', `${ip}:${52000 + i}`),
    );
    const alerts = await replay(lines);
    expect(alerts.map((alert) => [alert.rule, alert.key])).toEqual([
      ['auth.bruteforce', 'openvpn:user:user05'],
    ]);
    expect(alerts[0]?.about.user).toBe('user05');
  });

  it('probe.scan: five scanner connections with bad packets from one address', async () => {
    const lines = [0, 45, 90, 135, 180].flatMap((at, i) =>
      scannerConnection(at, `198.51.100.200:${30011 + i}`),
    );
    const alerts = await replay(lines);
    expect(alerts.map((alert) => [alert.rule, alert.key])).toEqual([
      ['probe.scan', 'openvpn:client:198.51.100.200'],
    ]);
    expect(alerts[0]?.category).toBe('probe.bad_packet');
  });

  it('probe.scan counts a connection once (four connections, twelve probe lines: no alert)', async () => {
    const lines = [0, 45, 90, 135].flatMap((at, i) =>
      scannerConnection(at, `198.51.100.200:${30011 + i}`),
    );
    expect(await replay(lines)).toEqual([]);
  });

  it('cert.problem: an EKU error alerts once for the client, naming the key usage', async () => {
    const address = '192.0.2.77:55123';
    const alerts = await replay([
      gateway(0, `TCP connection established with [AF_INET]${address}`),
      gateway(1, `${address} VERIFY EKU ERROR`),
      gateway(
        1,
        `${address} OpenSSL: error:1417C086:SSL routines:tls_process_client_certificate:certificate verify failed`,
      ),
      gateway(1, `${address} TLS Error: TLS handshake failed`),
      gateway(1, `${address} SIGUSR1[soft,tls-error] received, client-instance restarting`),
    ]);
    expect(alerts.map((alert) => [alert.rule, alert.category, alert.key])).toEqual([
      ['cert.problem', 'cert.key_usage', 'openvpn:client:192.0.2.77'],
    ]);
    expect(alerts[0]?.remediation.length).toBeGreaterThan(0);
  });

  it('cert.problem names the user when the certificate says who it is', async () => {
    const alerts = await replay([
      gateway(
        0,
        '198.51.100.9:1194 VERIFY ERROR: depth=0, error=certificate has expired: CN=user09, serial=7',
      ),
    ]);
    expect(alerts.map((alert) => [alert.rule, alert.category, alert.key])).toEqual([
      ['cert.problem', 'cert.expired', 'openvpn:user:user09'],
    ]);
  });

  it('records sessions without alerting', async () => {
    const lines = [
      ...session(0, 'user01', '198.51.100.23:50123', '10.8.0.2', 8),
      ...session(600, 'user02', '198.51.100.41:50999', '10.8.0.3', 5),
    ];
    expect(await replay(lines)).toEqual([]);
  });
});
