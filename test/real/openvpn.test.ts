/**
 * Real OpenVPN 2.6 servers write the logs (Debian's openvpn, in a private
 * network namespace): four servers, one per log form (file with timestamps,
 * --suppress-timestamps, syslog through /dev/log, --machine-readable-output),
 * and real clients with good and bad certificates, passwords and static keys,
 * plus an HTTP request and random bytes on the TCP port. tunnelwatch then
 * reads what the servers wrote.
 */
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, Category, VpnEvent } from '../../src/model.ts';
import { openvpnSource } from '../../src/sources/openvpn/index.ts';
import { OpenvpnLab } from './openvpn-server.ts';
import { alertsOf, type LogStream, parseStreams, readStreams } from './read-logs.ts';

let lab: OpenvpnLab;
const events: Record<string, VpnEvent[]> = {};
const alerts: Record<string, readonly Alert[]> = {};
const streams: Record<string, LogStream> = {};

const FORMS = ['file', 'notime', 'syslog', 'machine'] as const;
type Form = (typeof FORMS)[number];

/** One server per form: port, protocol, extra config lines. */
function serverLines(form: Form, port: number, proto: string, verify: string): string[] {
  const { pki } = lab;
  const log = join(lab.dir, `${form}.log`);
  return [
    'mode server',
    'tls-server',
    `proto ${proto}`,
    `port ${port}`,
    'local 127.0.0.1',
    'dev tun',
    'topology subnet',
    `server 10.${port - 1186}.0.0 255.255.255.0`,
    `ca ${pki.ca}`,
    `cert ${pki.server.cert}`,
    `key ${pki.server.key}`,
    'dh none',
    'remote-cert-tls client',
    'keepalive 10 60',
    'verb 3',
    'script-security 2',
    `auth-user-pass-verify ${verify} via-file`,
    ...(form === 'syslog' ? ['syslog ovpn-server'] : [`log ${log}`]),
    ...(form === 'notime' ? ['suppress-timestamps'] : []),
    ...(form === 'machine' ? ['machine-readable-output'] : []),
  ];
}

function contains(file: string, text: string): () => boolean {
  return () => existsSync(file) && readFileSync(file, 'utf8').includes(text);
}

beforeAll(async () => {
  const started = Date.now();
  lab = await OpenvpnLab.create();
  const { pki } = lab;
  const verify = lab.writeConfig('verify.sh', [
    '#!/bin/sh',
    '# auth-user-pass-verify via-file: line 1 user, line 2 password',
    '[ "$(sed -n 1p "$1")" = alice ] && [ "$(sed -n 2p "$1")" = alice-pass ]',
  ]);
  chmodSync(verify, 0o700);
  const file = (form: Form): string => join(lab.dir, `${form}.log`);
  await lab.startSyslog(file('syslog'));
  const servers: [Form, number, string, string[]][] = [
    ['file', 1194, 'udp', []],
    ['notime', 1195, 'tcp-server', [`tls-auth ${pki.tlsAuth} 0`]],
    ['syslog', 1196, 'udp', [`tls-crypt ${pki.tlsCrypt}`]],
    ['machine', 1197, 'udp', []],
  ];
  await Promise.all(
    servers.map(([form, port, proto, extra]) =>
      lab.startServer(
        lab.writeConfig(`${form}.conf`, [...serverLines(form, port, proto, verify), ...extra]),
        contains(file(form), 'Initialization Sequence Completed'),
      ),
    ),
  );

  const client = (
    name: string,
    port: number,
    proto: 'udp' | 'tcp-client',
    options: {
      readonly cert?: { readonly cert: string; readonly key: string };
      readonly password?: string;
      readonly extra?: readonly string[];
    },
  ): string =>
    lab.writeConfig(`${name}.conf`, [
      'client',
      'dev tun',
      `proto ${proto}`,
      `remote 127.0.0.1 ${port}`,
      'nobind',
      `ca ${pki.ca}`,
      ...(options.cert === undefined
        ? []
        : [`cert ${options.cert.cert}`, `key ${options.cert.key}`]),
      `auth-user-pass ${lab.writeConfig(`${name}.pass`, ['alice', options.password ?? 'alice-pass'])}`,
      'auth-retry none',
      'connect-retry-max 1',
      'route-nopull',
      'remote-cert-tls server',
      'verb 3',
      ...(proto === 'udp' ? ['explicit-exit-notify 1'] : []),
      ...(options.extra ?? []),
    ]);
  // The one client of a server that logs in: connected once the server pushed it its address.
  const pushed = (form: Form) => contains(file(form), 'PUSH_REPLY');
  const tlsAuth = [`tls-auth ${pki.tlsAuth} 1`];
  const tlsCrypt = [`tls-crypt ${pki.tlsCrypt}`];
  await Promise.all([
    // file (UDP): a session, the bad certificates, five wrong passwords
    lab.clientUntil(client('session', 1194, 'udp', { cert: pki.alice }), pushed('file')),
    lab.client(client('other-ca', 1194, 'udp', { cert: pki.otherCa }), 4),
    lab.client(client('expired', 1194, 'udp', { cert: pki.expired }), 4),
    lab.client(client('server-eku', 1194, 'udp', { cert: pki.serverOnly }), 4),
    lab.client(client('no-cert', 1194, 'udp', {}), 4),
    ...[1, 2, 3, 4, 5].map((i) =>
      lab.client(client(`guess${i}`, 1194, 'udp', { cert: pki.alice, password: `guess${i}` }), 4),
    ),
    // notime (TCP, tls-auth): a session, a wrong tls-auth key, an HTTP request, random bytes
    lab.clientUntil(
      client('tcp-session', 1195, 'tcp-client', { cert: pki.alice, extra: tlsAuth }),
      pushed('notime'),
    ),
    lab.client(
      client('wrong-ta', 1195, 'tcp-client', {
        cert: pki.alice,
        extra: [`tls-auth ${pki.tlsAuthWrong} 1`],
      }),
      4,
    ),
    lab.python(`
import os, socket
# Random bytes after a length OpenVPN refuses (0xffff): random lengths it accepts made it wait, and log nothing.
for data in (b"GET / HTTP/1.1\\r\\nHost: vpn\\r\\n\\r\\n", b"\\xff\\xff" + os.urandom(298)):
    s = socket.create_connection(("127.0.0.1", 1195), 2)
    s.sendall(data)
    s.settimeout(2)
    try: s.recv(10)
    except Exception: pass
    s.close()
`),
    // syslog (UDP, tls-crypt): a session and a wrong tls-crypt key
    lab.clientUntil(
      client('crypt-session', 1196, 'udp', { cert: pki.alice, extra: tlsCrypt }),
      pushed('syslog'),
    ),
    lab.client(
      client('wrong-tc', 1196, 'udp', {
        cert: pki.alice,
        extra: [`tls-crypt ${pki.tlsCryptWrong}`],
      }),
      4,
    ),
    // machine-readable (UDP): a wrong password, then a session
    lab.client(client('machine-guess', 1197, 'udp', { cert: pki.alice, password: 'x' }), 4),
  ]);
  await lab.clientUntil(
    client('machine-session', 1197, 'udp', { cert: pki.alice }),
    pushed('machine'),
  );
  // The refused and ended clients are dropped 5 s after (--explicit-exit-notify / AUTH_FAILED).
  const dropped = (form: Form) => contains(file(form), 'SIGTERM[soft,delayed-exit]');
  for (let waited = 0; waited < 80 && !(dropped('file')() && dropped('syslog')()); waited++)
    await new Promise((resolve) => setTimeout(resolve, 100));
  await lab.stop();
  for (const form of FORMS) {
    const [stream] = readStreams([file(form)]);
    if (stream === undefined) throw new Error(`no ${form} log`);
    streams[form] = stream;
    events[form] = parseStreams(openvpnSource, [stream]);
    alerts[form] = await alertsOf(openvpnSource, [stream]);
  }
  console.info(
    `OpenVPN scenario: ${Date.now() - started} ms, ${FORMS.map((f) => `${f} ${events[f]?.length}`).join(', ')} lines`,
  );
}, 120_000);

afterAll(async () => {
  await lab?.remove();
});

/** The events of `form` whose line contains `text`. */
function lines(form: Form, text: string): VpnEvent[] {
  return (events[form] ?? []).filter((event) => event.raw.includes(text));
}

/** Every event of `form` containing `text` has `category` (and `hint`); returns them. */
function expectAll(form: Form, text: string, category: Category, hint?: string): VpnEvent[] {
  const found = lines(form, text);
  expect(found.length, `${form}: "${text}"`).toBeGreaterThan(0);
  for (const event of found) {
    expect(event.category, event.raw).toBe(category);
    if (hint !== undefined) expect(event.hint?.id, event.raw).toBe(hint);
  }
  return found;
}

describe('a real OpenVPN server: certificates', () => {
  it('reads a certificate from another CA as cert.verify_failed, with user and address', () => {
    const [event] = expectAll(
      'file',
      'unable to get local issuer certificate',
      'cert.verify_failed',
      'verify.error',
    );
    expect(event?.fields).toMatchObject({ user: 'mallory', clientIp: '127.0.0.1', depth: 0 });
  });

  it('reads an expired certificate as cert.expired', () => {
    const [event] = expectAll('file', 'certificate has expired', 'cert.expired', 'verify.expired');
    expect(event?.fields.user).toBe('bob');
  });

  it('reads a certificate without client EKU as cert.key_usage', () => {
    const [event] = expectAll(
      'file',
      'unsuitable certificate purpose',
      'cert.key_usage',
      'verify.unsuitable-purpose',
    );
    expect(event?.fields.user).toBe('carol');
  });

  it('reads a client without a certificate as cert.missing', () => {
    expectAll(
      'file',
      'peer did not return a certificate',
      'cert.missing',
      'openssl.peer-no-certificate',
    );
  });

  it('raises one cert.problem per refused handshake (VERIFY ERROR and the OpenSSL line are one)', () => {
    const problems = (alerts.file ?? []).filter((alert) => alert.rule === 'cert.problem');
    expect(problems.map((alert) => [alert.key, alert.category]).sort()).toEqual(
      [
        ['openvpn:client:127.0.0.1', 'cert.missing'],
        ['openvpn:user:bob', 'cert.expired'],
        ['openvpn:user:carol', 'cert.key_usage'],
        ['openvpn:user:mallory', 'cert.verify_failed'],
      ].sort(),
    );
    // The OpenSSL line of the CA failure carries the VERIFY ERROR's key and user.
    const mallory = (events.file ?? []).filter(
      (e) => e.fields.user === 'mallory' && e.category.startsWith('cert.'),
    );
    expect(mallory.map((e) => e.hint?.id)).toEqual([
      'verify.error',
      'openssl.certificate-verify-failed',
    ]);
    expect(new Set(mallory.map((e) => e.fields.duplicateKey)).size).toBe(1);
  });
});

describe('a real OpenVPN server: passwords', () => {
  it('reads each wrong password (auth-user-pass-verify) as auth.failed for alice, one key per attempt', () => {
    const failed = (events.file ?? []).filter((e) => e.category === 'auth.failed');
    expect(failed.length).toBe(15); // TLS Auth Error + AUTH_FAILED [UNDEF] + AUTH_FAILED [alice]
    expect(new Set(failed.map((e) => e.fields.duplicateKey)).size).toBe(5);
    for (const event of failed)
      expect(event.fields).toMatchObject({ user: 'alice', clientIp: '127.0.0.1' });
    expectAll(
      'file',
      'TLS Auth Error: Auth Username/Password verification failed',
      'auth.failed',
      'tls.user-pass-verification-failed',
    );
    expectAll('file', "'AUTH_FAILED'", 'auth.failed', 'control.auth-failed');
  });

  it('raises auth.bruteforce for the five guesses from one address', () => {
    const brute = (alerts.file ?? []).filter((alert) => alert.rule === 'auth.bruteforce');
    expect(brute.map((alert) => alert.key)).toEqual(['openvpn:client:127.0.0.1']);
  });

  it('reads the good login as one attempt, a success and an established session', () => {
    const session = (events.file ?? []).filter((e) =>
      e.raw.includes('Username/Password authentication succeeded'),
    );
    expect(session.map((e) => [e.category, e.fields.user])).toEqual([['auth.succeeded', 'alice']]);
    const port = session[0]?.fields.clientPort;
    const mine = (events.file ?? []).filter((e) => e.fields.clientPort === port);
    const count = (category: Category) => mine.filter((e) => e.category === category).length;
    expect(count('auth.attempt')).toBe(1);
    expect(count('connection.progress')).toBeGreaterThanOrEqual(10);
    expect(count('session.established')).toBe(4);
    const reply = mine.find((e) => e.hint?.id === 'control.push-reply');
    expect(reply?.fields).toMatchObject({ user: 'alice', assignedIp: '10.8.0.2' });
  });

  it('reads VERIFY OK, peer info and Control Channel as connection progress, not login attempts', () => {
    expectAll('file', 'VERIFY OK', 'connection.progress', 'verify.ok');
    expectAll('file', 'peer info: IV_VER', 'connection.progress', 'push.peer-info');
    expectAll('file', 'Control Channel: TLSv1.3', 'connection.progress', 'tls.control-channel');
    expectAll(
      'file',
      'Peer Connection Initiated',
      'auth.attempt',
      'link.peer-connection-initiated',
    );
  });

  it('ends the session on the client exit: the delayed exit carries user, address and duration', () => {
    const exits = (events.file ?? []).filter(
      (e) =>
        e.hint?.id === 'signal.client-instance' &&
        e.fields.reason === 'delayed-exit' &&
        e.raw.startsWith('20') &&
        e.raw.includes('alice/'),
    );
    for (const event of exits) {
      expect(event.category).toBe('session.ended');
      expect(event.fields).toMatchObject({ user: 'alice', assignedIp: '10.8.0.2' });
    }
  });

  it('reads the server stop at SIGTERM as server.stopped', () => {
    expectAll(
      'file',
      'SIGTERM[hard,] received, process exiting',
      'server.stopped',
      'signal.process-exiting',
    );
    expectAll('file', 'Initialization Sequence Completed', 'server.started');
  });
});

describe('a real OpenVPN server without timestamps, over TCP with tls-auth', () => {
  it('takes the time of the line from the delivery, as CloudWatch would', () => {
    for (const event of events.notime ?? []) expect(event.category).not.toBe('malformed');
  });

  it('reads a wrong tls-auth key as tls.hmac_failed', () => {
    expectAll('notime', 'packet HMAC authentication failed', 'tls.hmac_failed');
    expectAll(
      'notime',
      'TLS Error: incoming packet authentication failed',
      'tls.hmac_failed',
      'tls.hmac-not-found',
    );
  });

  it('reads the HTTP request and the random bytes as one probe each', () => {
    const bad = expectAll(
      'notime',
      'Bad encapsulated packet length',
      'probe.bad_packet',
      'socket.bad-encapsulated-packet-length',
    );
    expect(bad).toHaveLength(2);
    expect(bad[0]?.fields.packetLength).toBe(0x4745); // "GE" of "GET"
    const probes = (events.notime ?? []).filter((e) => e.category === 'probe.bad_packet');
    expect(new Set(probes.map((e) => e.fields.duplicateKey)).size).toBe(2);
    expect((alerts.notime ?? []).filter((a) => a.rule === 'probe.scan')).toEqual([]);
  });

  it('reads the end of a TCP session (connection reset) as session.ended, never a probe', () => {
    const resets = lines('notime', 'SIGUSR1[soft,connection-reset]');
    expect(resets.length).toBe(3);
    for (const event of resets) expect(event.category).toBe('session.ended');
    const aliceReset = resets.find((e) => e.raw.startsWith('alice/'));
    expect(aliceReset?.fields).toMatchObject({ user: 'alice', reason: 'connection-reset' });
  });
});

describe('a real OpenVPN server through syslog (what glibc sends to /dev/log), with tls-crypt', () => {
  it('reads the <PRI>-prefixed lines without a host', () => {
    const stream = streams.syslog;
    expect(stream?.lines[0]).toMatch(
      /^<\d+>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d ovpn-server\[\d+\]: /,
    );
    for (const event of events.syslog ?? []) {
      expect(event.category, event.raw).not.toBe('malformed');
      expect(event.fields.program).toBe('ovpn-server');
      expect(event.time).not.toBeNull();
    }
  });

  it('reads a wrong tls-crypt key as tls.hmac_failed (both lines)', () => {
    expectAll(
      'syslog',
      'tls-crypt unwrap error: packet authentication failed',
      'tls.hmac_failed',
      'tls-crypt.unwrap-error',
    );
    const [from] = expectAll('syslog', 'tls-crypt unwrapping failed from', 'tls.hmac_failed');
    expect(from?.fields.clientIp).toBe('127.0.0.1');
  });

  it('reads the session as in the file form', () => {
    const [reply] = expectAll('syslog', 'PUSH_REPLY', 'session.established', 'control.push-reply');
    expect(reply?.fields.user).toBe('alice');
  });
});

describe('a real OpenVPN server with --machine-readable-output', () => {
  it('reads the epoch.microseconds and flags prefix', () => {
    for (const event of events.machine ?? []) {
      expect(event.category, event.raw).not.toBe('malformed');
      expect(event.time).not.toBeNull();
    }
    const [failed] = expectAll('machine', 'TLS Auth Error', 'auth.failed');
    expect(failed?.fields).toMatchObject({ user: 'alice', clientIp: '127.0.0.1' });
    expectAll('machine', 'PUSH_REPLY', 'session.established');
  });
});

describe('a real OpenVPN server: every log form', () => {
  it('leaves no line malformed', () => {
    for (const form of FORMS)
      expect(
        (events[form] ?? []).filter((e) => e.category === 'malformed').map((e) => e.raw),
      ).toEqual([]);
  });
});
