/**
 * A real SoftEther VPN Server (Debian's softether-vpnserver 5.01) writes the
 * logs: wrong and right admin passwords, users created and deleted, log and
 * access list settings changed, OpenVPN-protocol logins (wrong password,
 * unknown user, a real session with a SecureNAT DHCP lease), non-SoftEther
 * traffic on its ports and a security log rotating every second. tunnelwatch
 * then reads what the server wrote, as the CLI would.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, VpnEvent } from '../../src/model.ts';
import { softetherSource } from '../../src/sources/softether/index.ts';
import { alertsOf, type LogStream, logFiles, parseStreams, readStreams } from './read-logs.ts';
import { ACCESS_ADD_BLOCK_SSH, SoftetherServer } from './softether-server.ts';

const OPENVPN = '/usr/sbin/openvpn';

let server: SoftetherServer;
let streams: LogStream[];
let events: VpnEvent[];
let alerts: readonly Alert[];

/** An OpenVPN client config for SoftEther's OpenVPN listener (TCP 1194) as `user`. */
function openvpnClient(name: string, user: string, password: string): string {
  const dir = join(server.root, 'lib');
  writeFileSync(join(dir, `${name}.pass`), `${user}\n${password}\n`, { mode: 0o600 });
  writeFileSync(
    join(dir, `${name}.conf`),
    [
      'client',
      'dev tun',
      'proto tcp-client',
      'remote 127.0.0.1 1194',
      'ca /var/lib/softether/server.crt',
      'verify-x509-name vm name',
      'remote-cert-tls server',
      `auth-user-pass /var/lib/softether/${name}.pass`,
      'auth-retry none',
      'connect-retry-max 1',
      'route-nopull',
      'data-ciphers AES-256-GCM:AES-128-GCM:AES-128-CBC',
      'verb 3',
    ].join('\n'),
  );
  return `/var/lib/softether/${name}.conf`;
}

const HUB = { hub: 'DEFAULT' } as const;

beforeAll(async () => {
  const started = Date.now();
  server = await SoftetherServer.start();
  // Three wrong admin passwords at once (each vpncmd ends at its prompt).
  await Promise.all(
    ['guess1', 'guess2', 'guess3'].map((password) =>
      server.vpncmd(['ServerInfoGet'], { password, timeoutSeconds: 5 }),
    ),
  );
  for (const command of [
    ['UserCreate', 'alice', '/GROUP:none', '/REALNAME:none', '/NOTE:none'],
    ['UserPasswordSet', 'alice', '/PASSWORD:alice-pass'],
    ['UserCreate', 'bob', '/GROUP:none', '/REALNAME:none', '/NOTE:none'],
    ['UserDelete', 'bob'],
    ['LogSwitchSet', 'packet', '/SWITCH:hour'],
    ['LogDisable', 'packet'],
    ['LogEnable', 'packet'],
    ACCESS_ADD_BLOCK_SSH,
    ['AccessDelete', '1'],
    ['SecureNatEnable'],
  ]) {
    const result = await server.vpncmd(command, HUB);
    if (result.code !== 0) throw new Error(`vpncmd ${command[0]} failed: ${result.stdout}`);
  }
  const cert = await server.vpncmd(['ServerCertGet', 'server.crt']);
  if (cert.code !== 0) throw new Error(`ServerCertGet failed: ${cert.stdout}`);
  // A second hub whose security log rotates every second.
  await server.vpncmd(['HubCreate', 'SALES', '/PASSWORD:sales-hub-pass']);
  await server.vpncmd(['LogSwitchSet', 'security', '/SWITCH:sec'], { hub: 'SALES' });
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await server.vpncmd(['UserCreate', 'carol', '/GROUP:none', '/REALNAME:none', '/NOTE:none'], {
    hub: 'SALES',
  });

  // OpenVPN-protocol logins: five wrong passwords for alice, an unknown user, one real session.
  const wrong = openvpnClient('wrong', 'alice', 'not-her-password');
  const unknown = openvpnClient('unknown', 'mallory', 'x');
  const good = openvpnClient('good', 'alice', 'alice-pass');
  for (let attempt = 0; attempt < 5; attempt++)
    await server.namespace.run(OPENVPN, ['--config', wrong], { timeoutSeconds: 8 });
  await server.namespace.run(OPENVPN, ['--config', unknown], { timeoutSeconds: 8 });
  // The session lives until SecureNAT leased it an address, then SIGTERM ends the client (an orderly disconnect).
  await server.namespace.runUntil(OPENVPN, ['--config', good], () =>
    server.hasLog('allocated, for host'),
  );
  await server.waitForLog('The session has been terminated');

  // Not SoftEther: an HTTP request, random bytes, and TLS carrying garbage.
  await server.namespace.run(
    '/usr/bin/python3',
    [
      '-c',
      `
import os, socket, ssl
def send(port, data, tls=False):
    s = socket.create_connection(("127.0.0.1", port), 3)
    if tls:
        ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s)
    s.sendall(data)
    s.settimeout(3)
    try: s.recv(100)
    except Exception: pass
    s.close()
send(443, b"GET / HTTP/1.1\\r\\nHost: vpn\\r\\n\\r\\n")
send(992, os.urandom(512))
send(5555, b"garbage that is no SoftEther protocol\\r\\n" * 4, tls=True)
`,
    ],
    { timeoutSeconds: 15 },
  );
  await server.stop();
  streams = readStreams(logFiles(server.logDir));
  events = parseStreams(softetherSource, streams);
  alerts = await alertsOf(softetherSource, streams);
  console.info(`SoftEther scenario: ${Date.now() - started} ms, ${events.length} lines`);
}, 120_000);

afterAll(async () => {
  await server?.remove();
});

/** The single event whose line contains every fragment. */
function only(...fragments: string[]): VpnEvent[] {
  return events.filter((event) => fragments.every((fragment) => event.raw.includes(fragment)));
}

describe('a real SoftEther server: admin logins', () => {
  it('reads the three wrong admin passwords as admin.login_failed and raises admin.bruteforce', () => {
    const failed = only('was unable to log in using administration mode');
    expect(failed).toHaveLength(3);
    for (const event of failed) {
      expect(event.category).toBe('admin.login_failed');
      expect(event.hint?.id).toBe('softether.la-error');
      expect(event.fields.connectionId).toMatch(/^CID-\d+$/);
    }
    expect(alerts.filter((alert) => alert.rule === 'admin.bruteforce')).toHaveLength(1);
  });

  it('reads the successful admin logins as admin.login_succeeded', () => {
    const ok = only('successfully logged in using administration mode');
    expect(ok.length).toBeGreaterThan(10);
    for (const event of ok) {
      expect(event.category).toBe('admin.login_succeeded');
      expect(event.hint?.id).toBe('softether.la-ok');
    }
  });
});

describe('a real SoftEther server: administrative changes', () => {
  it.each([
    ['User "alice" has been created', 'softether.la-user', 'user'],
    ['User "bob" has been deleted', 'softether.la-user', 'user'],
    ['The setting of user "alice" has been updated', 'softether.la-user', 'user'],
    ['The log save setting has been changed', 'softether.la-set-hub-log', 'log-settings'],
    ['An access list has been added', 'softether.la-set-access-list', 'access-list'],
    ['The access list has been deleted', 'softether.la-set-access-list', 'access-list'],
    [
      'The server administrator password has been set',
      'softether.la-set-server-password',
      'admin-password',
    ],
  ])('"%s" is admin.change (%s)', (text, hint, kind) => {
    const found = only(text);
    expect(found.length).toBeGreaterThan(0);
    for (const event of found) {
      expect(event.category).toBe('admin.change');
      expect(event.hint?.id).toBe(hint);
      expect(event.fields.auditKind).toBe(kind);
    }
  });

  it('raises admin.audit once per kind of weakening change and hub, not for user changes', () => {
    const audits = alerts
      .filter((alert) => alert.rule === 'admin.audit')
      .map((alert) => `${alert.key} ${alert.subject.replace(/^.*audit: /, '')}`);
    expect(audits.sort()).toEqual([
      'softether:server:softether:hub:- administrator password set',
      'softether:server:softether:hub:DEFAULT access list changed',
      'softether:server:softether:hub:DEFAULT log settings changed',
      'softether:server:softether:hub:SALES log settings changed',
    ]);
  });

  it('reads the server log and the hub security log of one event as one event', () => {
    const created = only('User "alice" has been created');
    expect(created.map((event) => event.origin.stream).sort()).toEqual([
      `softether/security_log/DEFAULT/sec_${streamDate('security_log/DEFAULT')}`,
      `softether/server_log/vpn_${streamDate('server_log')}`,
    ]);
    expect(new Set(created.map((event) => event.fields.duplicateKey)).size).toBe(1);
    expect(created.every((event) => event.fields.hub === 'DEFAULT')).toBe(true);
  });
});

/** The date part of the first file of a log directory, as written by the server. */
function streamDate(dir: string): string {
  const stream = streams.find((s) => s.stream.includes(`${dir}/`));
  return stream?.stream.split('_').pop() ?? '?';
}

describe('a real SoftEther server: user logins over the OpenVPN protocol', () => {
  it('reads each wrong password as auth.failed with user and address, and raises auth.bruteforce', () => {
    const failed = only('User authentication failed', '"alice"').filter((event) =>
      event.origin.stream?.includes('security_log'),
    );
    expect(failed).toHaveLength(5);
    for (const event of failed) {
      expect(event.category).toBe('auth.failed');
      expect(event.hint?.id).toBe('softether.lh-auth-ng');
      expect(event.fields).toMatchObject({ user: 'alice', clientIp: '127.0.0.1', hub: 'DEFAULT' });
    }
    const brute = alerts.filter((alert) => alert.rule === 'auth.bruteforce');
    expect(brute.map((alert) => alert.key)).toEqual(['softether:client:127.0.0.1']);
  });

  it('reads the unknown user as auth.failed too', () => {
    const [event] = only('User authentication failed', '"mallory"').filter((e) =>
      e.origin.stream?.includes('security_log'),
    );
    expect(event?.category).toBe('auth.failed');
    expect(event?.fields.user).toBe('mallory');
  });

  it('reads the attempt line with the OpenVPN client name and auth type', () => {
    const attempts = only('is attempting to connect to the Virtual Hub').filter((e) =>
      e.origin.stream?.includes('security_log'),
    );
    expect(attempts).toHaveLength(7);
    for (const event of attempts) {
      expect(event.category).toBe('auth.attempt');
      expect(event.fields.clientName).toBe('OpenVPN Client');
      expect(event.fields.clientIp).toBe('127.0.0.1');
    }
  });

  it('reads the real session: login, session created, DHCP lease in the order SoftEther writes it, session end', () => {
    const security = events.filter((e) => e.origin.stream?.includes('security_log/DEFAULT'));
    const ok = security.filter((e) => e.raw.includes('Successfully authenticated as user "alice"'));
    expect(ok.map((e) => e.category)).toEqual(['auth.succeeded']);
    const created = security.filter((e) => e.raw.includes('The new session'));
    expect(created.map((e) => [e.category, e.fields.user])).toEqual([
      ['session.established', 'alice'],
    ]);
    const sessionId = created[0]?.fields.sessionId;
    expect(sessionId).toMatch(/^SID-ALICE-\[OPENVPN_L3\]-\d+$/);
    const lease = security.filter((e) => e.raw.includes('allocated, for host'));
    expect(lease).toHaveLength(1);
    expect(lease[0]?.fields).toMatchObject({
      clientSessionId: sessionId,
      macAddress: expect.stringMatching(/^[0-9A-F]{2}(-[0-9A-F]{2}){5}$/),
      assignedIp: expect.stringMatching(/^192\.168\.30\./),
    });
    const ended = security.filter(
      (e) => e.fields.sessionId === sessionId && e.category === 'session.ended',
    );
    expect(ended.length).toBeGreaterThan(0);
    expect(ended[0]?.fields.user).toBe('alice');
  });
});

describe('a real SoftEther server: traffic that is not SoftEther', () => {
  it('reads the listener lines of the probes and raises no alert for three connections', () => {
    const probes = events.filter((e) => e.category === 'probe.bad_packet');
    expect(alerts.filter((alert) => alert.rule === 'probe.scan')).toEqual([]);
    expect(probes.every((e) => e.fields.clientIp === '127.0.0.1')).toBe(true);
  });
});

describe('a real SoftEther server: files', () => {
  it('reads the security log rotated every second as one hub, in order', () => {
    const rotated = streams.filter((s) => s.stream.includes('security_log/SALES/'));
    // sec_YYYYMMDD before the switch, then one file per second with an event.
    expect(rotated.map((s) => s.stream.replace(/\d/g, 'N'))).toEqual([
      'softether/security_log/SALES/sec_NNNNNNNN',
      ...rotated.slice(1).map(() => 'softether/security_log/SALES/sec_NNNNNNNN_NNNNNN'),
    ]);
    expect(rotated.length).toBeGreaterThanOrEqual(2);
    const salesEvents = events.filter((e) => e.origin.stream?.includes('security_log/SALES/'));
    expect(salesEvents.every((e) => e.fields.hub === 'SALES')).toBe(true);
    const times = salesEvents.map((e) => e.time ?? 0);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('reads every packet log row with its default settings as packet.record with sessions and protocol', () => {
    const packets = events.filter((e) => e.origin.stream?.includes('packet_log/'));
    expect(packets.length).toBeGreaterThan(0);
    for (const event of packets) expect(event.category).toBe('packet.record');
    // Default packet logging on a SecureNAT hub: the client's DHCP exchange, both directions.
    expect(packets.map((e) => `${e.fields.packetType} ${e.fields.packetSubtype}`)).toContain(
      'DHCPv4 Request',
    );
    expect(packets.map((e) => `${e.fields.packetType} ${e.fields.packetSubtype}`)).toContain(
      'DHCPv4 Response',
    );
    const request = packets.find((e) => e.fields.packetSubtype === 'Request');
    expect(request?.fields).toMatchObject({
      srcSession: expect.stringMatching(/^SID-ALICE-/),
      srcPort: 68,
      dstPort: 67,
      clientIp: '127.0.0.1',
    });
  });

  it('leaves no line malformed', () => {
    expect(events.filter((e) => e.category === 'malformed').map((e) => e.raw)).toEqual([]);
  });
});
