import { describe, expect, it } from 'vitest';
import type { VpnEvent } from '../../../src/model.ts';
import {
  CLIENT_LIMIT,
  createOpenvpnParser,
  USER_WINDOW_MS,
} from '../../../src/sources/openvpn/parser.ts';

const GW = 'openvpn-vtun0';

/** Gateway lines `[seconds after 09:00:00, text after the tunnel id]`, parsed by one parser. */
function run(lines: readonly (readonly [number, string])[]): VpnEvent[] {
  const parser = createOpenvpnParser();
  const start = Date.parse('2025-04-14T09:00:00Z');
  return lines.map(([seconds, text], index) => {
    const at = new Date(start + seconds * 1000).toISOString();
    const stamp = `${at.slice(0, 10).replaceAll('-', '/')} ${at.slice(11, 19)}`;
    return parser.parse(`${stamp} ${GW} ${text}`, { origin: { stream: 'gw', line: index + 1 } });
  });
}

const A = '203.0.113.66:40100';
const FAIL = 'TLS Auth Error: Auth Username/Password verification failed for peer';

describe('OpenVPN correlation', () => {
  it('gives a failed login the user an earlier line of the same address and port revealed', () => {
    // Act
    const [, failed, other] = run([
      [0, `${A} try username "user01"`],
      [2, `${A} ${FAIL}`],
      [3, `203.0.113.66:40101 ${FAIL}`],
    ]);
    // Assess
    expect(failed?.category).toBe('auth.failed');
    expect(failed?.fields.user).toBe('user01');
    expect(other?.fields.user).toBeUndefined();
  });

  it('forgets the revealed user after the correlation window', () => {
    const late = USER_WINDOW_MS / 1000 + 1;
    const [, failed] = run([
      [0, `${A} try username "user01"`],
      [late, `${A} ${FAIL}`],
    ]);
    expect(failed?.fields.user).toBeUndefined();
  });

  it('keeps one attempt one failure: TLS Auth Error and AUTH_FAILED share a duplicateKey', () => {
    const events = run([
      [0, `TCP connection established with [AF_INET]${A}`],
      [1, `${A} try username "admin"`],
      [2, `${A} ${FAIL}`],
      [3, `${A} SENT CONTROL [client]: 'AUTH_FAILED' (status=1)`],
      [8, `${A} SIGTERM[soft,delayed-exit] received, client-instance exiting`],
      [60, `TCP connection established with [AF_INET]${A}`],
      [61, `${A} ${FAIL}`],
    ]);
    const failures = events.filter((event) => event.category === 'auth.failed');
    expect(failures).toHaveLength(3);
    expect(failures[0]?.fields.duplicateKey).toBe('openvpn:auth-failed::gw:1');
    expect(failures[1]?.fields.duplicateKey).toBe(failures[0]?.fields.duplicateKey);
    expect(failures[1]?.fields.user).toBe('admin');
    // The next connection from the same address and port is a new attempt.
    expect(failures[2]?.fields.duplicateKey).toBe('openvpn:auth-failed::gw:6');
  });

  it('starts a new attempt when the same address and port begins a new handshake', () => {
    const events = run([
      [0, `${A} TLS: Initial packet from [AF_INET]${A}, sid=1 2`],
      [2, `${A} ${FAIL}`],
      [30, `${A} TLS: Initial packet from [AF_INET]${A}, sid=3 4`],
      [32, `${A} ${FAIL}`],
    ]);
    expect(events[1]?.fields.duplicateKey).toBe('openvpn:auth-failed::gw:1');
    expect(events[3]?.fields.duplicateKey).toBe('openvpn:auth-failed::gw:3');
  });

  it('keeps a session across a TLS renegotiation', () => {
    const events = run([
      [0, `user01/${A} MULTI_sva: pool returned IPv4=10.8.0.6, IPv6=(Not enabled)`],
      [3600, `user01/${A} TLS: Initial packet from [AF_INET]${A}, sid=5 6`],
      [3700, `user01/${A} SIGUSR1[soft,connection-reset] received, client-instance restarting`],
    ]);
    expect(events[2]?.fields).toMatchObject({ assignedIp: '10.8.0.6', durationSeconds: 3700 });
  });

  it('ends a session with its user, assigned address and duration', () => {
    const events = run([
      [0, `${A} try username "user01"`],
      [1, `${A} user01 authentication succeeded`],
      [2, `user01/${A} MULTI_sva: pool returned IPv4=10.8.0.6, IPv6=(Not enabled)`],
      [
        3,
        `user01/${A} SENT CONTROL [user01]: 'PUSH_REPLY,route 172.16.10.0 255.255.255.0,ifconfig 10.8.0.6 255.255.255.0,cipher AES-256-GCM' (status=1)`,
      ],
      [7203, `${A} SIGUSR1[soft,ping-restart] received, client-instance restarting`],
    ]);
    const ended = events[4];
    expect(ended?.category).toBe('session.ended');
    expect(ended?.fields).toMatchObject({
      user: 'user01',
      assignedIp: '10.8.0.6',
      durationSeconds: 7201,
      reason: 'ping-restart',
    });
    expect(events[3]?.fields).toMatchObject({ assignedIp: '10.8.0.6', user: 'user01' });
  });

  it('forgets a session once it ended', () => {
    const events = run([
      [0, `user01/${A} MULTI_sva: pool returned IPv4=10.8.0.6, IPv6=(Not enabled)`],
      [10, `user01/${A} SIGUSR1[soft,connection-reset] received, client-instance restarting`],
      [20, `${A} SIGUSR1[soft,connection-reset] received, client-instance restarting`],
    ]);
    expect(events[1]?.fields.durationSeconds).toBe(10);
    expect(events[2]?.fields.assignedIp).toBeUndefined();
  });

  it('counts a reset before any login as scanner noise once per connection; the signal line is the session end', () => {
    const events = run([
      [0, `TCP connection established with [AF_INET]${A}`],
      [
        6,
        `${A} WARNING: Bad encapsulated packet length from peer (5635), which must be > 0 and <= 1627 -- please ensure that --tun-mtu or --link-mtu is equal on both peers -- this condition could also indicate a possible active attack on the TCP link -- [Attempting restart...]`,
      ],
      [6, `${A} Connection reset, restarting [0]`],
      [6, `${A} SIGUSR1[soft,connection-reset] received, client-instance restarting`],
    ]);
    expect(events.slice(1).map((event) => event.category)).toEqual([
      'probe.bad_packet',
      'probe.bad_packet',
      'session.ended',
    ]);
    expect(events[2]?.hint?.id).toBe('client.reset-before-auth');
    expect(events[3]?.fields.reason).toBe('connection-reset');
    expect(new Set(events.slice(1, 3).map((event) => event.fields.duplicateKey))).toEqual(
      new Set(['openvpn:probe::gw:1']),
    );
  });

  it('does not count a known client that gives up as a scanner', () => {
    const [, reset] = run([
      [0, `${A} try username "user01"`],
      [5, `${A} SIGUSR1[soft,connection-reset] received, client-instance restarting`],
    ]);
    expect(reset?.category).toBe('session.ended');
    expect(reset?.fields.user).toBe('user01');
  });

  it('keeps at most CLIENT_LIMIT clients, forgetting the least recently seen', () => {
    // Prepare
    const lines: [number, string][] = [[0, `${A} try username "first"`]];
    for (let i = 0; i < CLIENT_LIMIT; i++) {
      lines.push([1, `198.51.${Math.floor(i / 250)}.${i % 250}:1 try username "u${i}"`]);
    }
    lines.push([2, `${A} ${FAIL}`], [2, `198.51.39.249:1 ${FAIL}`]);
    // Act
    const events = run(lines);
    // Assess
    expect(events.at(-2)?.fields.user).toBeUndefined();
    expect(events.at(-1)?.fields.user).toBe(`u${CLIENT_LIMIT - 1}`);
  });

  it('keeps streams apart: one parser per stream', () => {
    const first = createOpenvpnParser();
    const second = createOpenvpnParser();
    first.parse(`${A} try username "user01"`, { origin: { stream: 'a', line: 1 } });
    const event = second.parse(`${A} ${FAIL}`, { origin: { stream: 'b', line: 1 } });
    expect(event.fields.user).toBeUndefined();
  });
});
