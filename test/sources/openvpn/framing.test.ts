import { describe, expect, it } from 'vitest';
import { createOpenvpnParser } from '../../../src/sources/openvpn/parser.ts';

const NOW = Date.parse('2025-06-01T00:00:00Z');
const MSG = 'TLS Auth Error: Auth Username/Password verification failed for peer';

function parse(line: string, options: { timeZone?: string; timestamp?: number } = {}) {
  const parser = createOpenvpnParser({ timeZone: options.timeZone ?? 'UTC', now: () => NOW });
  return parser.parse(line, {
    origin: { stream: 's', line: 1 },
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
}

const iso = (text: string): number => Date.parse(text);

describe('OpenVPN framing', () => {
  it('reads the gateway form in the configured zone, with tunnel id, user and address', () => {
    // Act
    const event = parse(
      `2023/04/13 18:00:00 openvpn-vtun0 user01/198.51.100.7:12345 SIGUSR1[soft,connection-reset] received, client-instance restarting`,
      { timeZone: 'Asia/Tokyo' },
    );
    // Assess
    expect(event.time).toBe(iso('2023-04-13T09:00:00Z'));
    expect(event.fields).toMatchObject({
      server: 'openvpn-vtun0',
      user: 'user01',
      clientIp: '198.51.100.7',
      clientPort: 12345,
    });
    expect(event.category).toBe('session.ended');
  });

  it('reads gateway lines without user, and without user and address', () => {
    const bare = parse(`2023/04/13 18:00:00 openvpn-vtun0 198.51.100.7:12345 ${MSG}`);
    expect(bare.fields).toMatchObject({ server: 'openvpn-vtun0', clientIp: '198.51.100.7' });
    expect(bare.fields.user).toBeUndefined();
    const none = parse('2023/04/13 18:00:00 openvpn-vtun0 Initialization Sequence Completed');
    expect(none.category).toBe('server.started');
    expect(none.fields.clientIp).toBeUndefined();
    expect(none.fields.server).toBe('openvpn-vtun0');
  });

  it('reads ISO timestamps with and without us=', () => {
    expect(parse(`2023-09-26 06:51:09 us=991810 192.0.2.4:63733 ${MSG}`).time).toBe(
      iso('2023-09-26T06:51:09Z'),
    );
    const plain = parse(`2023-09-26 06:51:09 192.0.2.4:63733 ${MSG}`, {
      timeZone: 'Europe/Berlin',
    });
    expect(plain.time).toBe(iso('2023-09-26T04:51:09Z'));
    expect(plain.category).toBe('auth.failed');
  });

  it('reads ctime timestamps, including the double space before a one-digit day', () => {
    expect(parse(`Sun Jul 16 12:29:13 2017 27.59.50.220:24138 ${MSG}`).time).toBe(
      iso('2017-07-16T12:29:13Z'),
    );
    const oneDigit = parse(`Fri Aug  6 15:00:53 2021 192.0.2.9:1194 ${MSG}`);
    expect(oneDigit.time).toBe(iso('2021-08-06T15:00:53Z'));
    expect(oneDigit.fields.clientIp).toBe('192.0.2.9');
  });

  it('reads lines without timestamp (--suppress-timestamps), using the CloudWatch time', () => {
    const event = parse(`192.0.2.9:1194 ${MSG}`, { timestamp: 1_700_000_000_000 });
    expect(event.time).toBe(1_700_000_000_000);
    expect(event.category).toBe('auth.failed');
    expect(parse(`192.0.2.9:1194 ${MSG}`).time).toBeNull();
  });

  it('reads syslog lines with and without host, with openvpn and ovpn-server idents', () => {
    const withHost = parse(`Apr 25 10:57:36 vpn1 ovpn-server[901]: 83.97.20.30:10107 ${MSG}`);
    expect(withHost.time).toBe(iso('2025-04-25T10:57:36Z'));
    expect(withHost.fields).toMatchObject({
      server: 'vpn1',
      program: 'ovpn-server',
      clientIp: '83.97.20.30',
    });
    const noHost = parse(`Apr 25 11:19:00 ovpn-server[13818]: 192.0.2.251:55329 ${MSG}`);
    expect(noHost.fields.server).toBeUndefined();
    expect(noHost.fields.program).toBe('ovpn-server');
    expect(noHost.category).toBe('auth.failed');
    const priority = parse(
      `<29>Jul  3 21:42:57 openvpn[66026]: bob/10.170.120.149:37849 MULTI_sva: pool returned IPv4=10.170.170.2, IPv6=(Not enabled)`,
    );
    // July is after the clock's June: last year's July.
    expect(priority.time).toBe(iso('2024-07-03T21:42:57Z'));
    expect(priority.fields).toMatchObject({ user: 'bob', assignedIp: '10.170.170.2' });
  });

  it('infers the syslog year from the CloudWatch time or the clock, never in the future', () => {
    // A December line read in June 2025 is from December 2024.
    expect(parse(`Dec 31 23:59:59 vpn1 openvpn[1]: ${MSG}`).time).toBe(iso('2024-12-31T23:59:59Z'));
    // With a CloudWatch timestamp in January 2026, a December line is from 2025.
    const cw = parse(`Dec 31 23:59:59 vpn1 openvpn[1]: ${MSG}`, {
      timestamp: iso('2026-01-01T00:00:05Z'),
    });
    expect(cw.time).toBe(iso('2025-12-31T23:59:59Z'));
  });

  it('reads syslog in the configured zone', () => {
    const event = parse(`Apr 25 10:57:36 vpn1 openvpn[1]: ${MSG}`, { timeZone: 'Asia/Tokyo' });
    expect(event.time).toBe(iso('2025-04-25T01:57:36Z'));
  });

  it('prefers the OpenVPN timestamp inside a syslog body (it has a year)', () => {
    const event = parse(
      'May 14 17:49:12 auth openvpn: Sun May 14 17:49:12 2017 200.200.200.200:17777 [chapolin] Peer Connection Initiated with [AF_INET]200.200.200.200:53230',
    );
    expect(event.time).toBe(iso('2017-05-14T17:49:12Z'));
    expect(event.fields).toMatchObject({
      server: 'auth',
      commonName: 'chapolin',
      clientPort: 17777,
    });
  });

  it('reads journald exports: short-iso, short-iso-precise, short-full, short-unix', () => {
    expect(parse(`2025-04-25T19:57:36+0900 vpn1 openvpn[901]: 192.0.2.9:1194 ${MSG}`).time).toBe(
      iso('2025-04-25T10:57:36Z'),
    );
    expect(
      parse(`2025-04-25T10:57:36.123456+00:00 vpn1 openvpn[901]: 192.0.2.9:1194 ${MSG}`).time,
    ).toBe(iso('2025-04-25T10:57:36.123Z'));
    const full = parse(`Fri 2025-04-25 19:57:36 JST vpn1 openvpn[901]: 192.0.2.9:1194 ${MSG}`, {
      timeZone: 'Asia/Tokyo',
    });
    expect(full.time).toBe(iso('2025-04-25T10:57:36Z'));
    expect(full.fields.server).toBe('vpn1');
    const unix = parse(`1745578656.250000 vpn1 openvpn[901]: 192.0.2.9:1194 ${MSG}`);
    expect(unix.time).toBe(1745578656250);
    expect(unix.category).toBe('auth.failed');
  });

  it('reads RFC 5424 syslog', () => {
    const event = parse(
      '<27>1 2021-07-03T22:17:01.074560-05:00 pfSense.example.com openvpn 66026 - - TLS Error: cannot locate HMAC in incoming packet from [AF_INET]175.16.199.1:34745',
    );
    expect(event.time).toBe(iso('2021-07-04T03:17:01.074Z'));
    expect(event.fields).toMatchObject({
      server: 'pfSense.example.com',
      clientIp: '175.16.199.1',
      clientPort: 34745,
    });
  });

  it('unwraps OpenVPN Access Server lines', () => {
    const event = parse(
      `Feb 11 12:32:18 openvpnas2 openvpnas: [-] [OVPN 2] OUT: "2025-02-11 12:32:18 10.10.10.10:65017 SENT CONTROL [openvpn]: 'AUTH_FAILED' (status=1)"`,
    );
    expect(event.category).toBe('auth.failed');
    expect(event.fields).toMatchObject({
      clientIp: '10.10.10.10',
      clientPort: 65017,
      server: 'openvpnas2',
    });
  });

  it('reads --machine-readable-output lines', () => {
    const event = parse(`1745578656.000001 2 192.0.2.9:1194 ${MSG}`);
    expect(event.time).toBe(1745578656000);
    expect(event.fields.clientIp).toBe('192.0.2.9');
  });

  it.each([
    [
      'IPv6 in brackets',
      `[2001:db8::5]:1194 ${MSG}`,
      { clientIp: '2001:db8::5', clientPort: 1194 },
    ],
    [
      'common name with IPv6',
      `alice/[2001:db8::5]:1194 ${MSG}`,
      { user: 'alice', clientIp: '2001:db8::5' },
    ],
    [
      '2.7 protocol',
      `client1/udp4:192.0.2.9:34375 ${MSG}`,
      { user: 'client1', protocol: 'udp4', clientIp: '192.0.2.9', clientPort: 34375 },
    ],
    ['common name with spaces', `first client/192.0.2.9:9097 ${MSG}`, { user: 'first client' }],
    [
      'common name with a slash',
      `ou/alice/192.0.2.9:9097 ${MSG}`,
      { user: 'ou/alice', clientIp: '192.0.2.9' },
    ],
    ['IPv4-mapped IPv6', `[::ffff:192.0.2.9]:1194 ${MSG}`, { clientIp: '192.0.2.9' }],
    [
      'bare IPv6 without port',
      `Bruno/2001:db8:5ca0::1 ${MSG}`,
      { user: 'Bruno', clientIp: '2001:db8:5ca0::1' },
    ],
    ['address without port', `192.0.2.9 ${MSG}`, { clientIp: '192.0.2.9' }],
    [
      'DCO peer id',
      `alice/192.0.2.9:1194 rx-peer-id=3 ${MSG}`,
      { user: 'alice', clientPort: 1194 },
    ],
    [
      'redacted address',
      `XX.XX.XX.XX4:63733 ${MSG}`,
      { clientIp: 'XX.XX.XX.XX4', clientPort: 63733 },
    ],
  ])('reads the client prefix: %s', (_name, line, fields) => {
    const event = parse(line);
    expect(event.fields).toMatchObject(fields);
    expect(event.category).toBe('auth.failed');
  });

  it.each([
    [
      'impossible gateway date',
      `2023/13/45 18:00:00 openvpn-vtun0 ${MSG}`,
      /invalid gateway timestamp/,
    ],
    ['gateway time without seconds', `2023/04/13 18:00 openvpn-vtun0 ${MSG}`, /gateway timestamp/],
    ['gateway line without message', '2023/04/13 18:00:00 openvpn-vtun0', /no message/],
    ['impossible ISO date', `2023-02-30 06:51:09 192.0.2.4:1 ${MSG}`, /invalid timestamp/],
    ['ISO with milliseconds (not OpenVPN)', `2023-09-26 06:51:09.123 ${MSG}`, /not OpenVPN/],
    ['impossible ctime', `Sun Jul 36 12:29:13 2017 ${MSG}`, /invalid ctime/],
    ['impossible syslog date', `Feb 30 10:57:36 vpn1 openvpn[1]: ${MSG}`, /invalid syslog/],
    ['syslog without program', 'Apr 25 10:57:36 ', /syslog header/],
  ])('reports a broken header as malformed: %s', (_name, line, reason) => {
    const event = parse(line);
    expect(event.category).toBe('malformed');
    expect(event.reason).toMatch(reason);
    expect(event.raw).toBe(line);
  });

  it('keeps unknown messages as unclassified with their framing fields', () => {
    const event = parse('2023/04/13 18:00:00 openvpn-vtun0 user01/198.51.100.7:1 something new');
    expect(event.category).toBe('unclassified');
    expect(event.hint).toBeUndefined();
    expect(event.fields).toMatchObject({ server: 'openvpn-vtun0', user: 'user01' });
    expect(event.message).toBe('something new');
  });

  it('uses the event id it is given, else file/stream and line', () => {
    const parser = createOpenvpnParser();
    expect(parser.parse(MSG, { eventId: 'cw-1', origin: {} }).id).toBe('cw-1');
    expect(parser.parse(MSG, { origin: { file: 'a.log', stream: 'a', line: 7 } }).id).toBe(
      'a.log:a:7',
    );
  });
});

describe('OpenVPN framings seen in the field', () => {
  it.each([
    [
      'ctime with us=',
      'Wed Nov  6 18:24:46 2019 us=981287 10.0.2.51:52614 TLS Error: TLS handshake failed',
      '2019-11-06T18:24:46.000Z',
      { clientIp: '10.0.2.51', clientPort: 52614 },
    ],
    [
      'OpenWrt logread',
      'Sat Aug  5 11:37:27 2023 daemon.notice openvpn(server)[1234]: 192.0.2.5:1194 TLS Error: TLS handshake failed',
      '2023-08-05T11:37:27.000Z',
      { program: 'openvpn(server)', clientIp: '192.0.2.5', clientPort: 1194 },
    ],
    [
      'extra spaces around the client prefix',
      '2023-09-26 06:51:09 us=991810   alice/192.0.2.5:63733  TLS Error: TLS handshake failed',
      '2023-09-26T06:51:09.000Z',
      { user: 'alice', clientIp: '192.0.2.5' },
    ],
  ])('reads %s', (_name, line, time, fields) => {
    const event = parse(line);
    expect(event.category).toBe('tls.handshake_failed');
    expect(new Date(event.time ?? 0).toISOString()).toBe(time);
    expect(event.fields).toMatchObject(fields);
  });

  it('reads a router syslog line forwarded without its header (program[pid] only)', () => {
    const event = parse('ovpn-client1[812]: TLS Error: TLS handshake failed', { timestamp: NOW });
    expect(event.category).toBe('tls.handshake_failed');
    expect(event.fields.program).toBe('ovpn-client1');
  });

  it.each([
    ['a host name', 'vpn.example.com:51851', { clientIp: 'vpn.example.com', clientPort: 51851 }],
    ['a redacted address', 'x.x.x.x:51851', { clientIp: 'x.x.x.x', clientPort: 51851 }],
    ["OpenVPN's own 'Connection Attempt'", 'Connection Attempt', {}],
  ])('keeps the category when the client prefix is %s', (_name, prefix, fields) => {
    const event = parse(`${prefix} ${MSG}`);
    expect(event.category).toBe('auth.failed');
    expect(event.fields).toMatchObject(fields);
  });

  it('takes the year of syslog lines from the neighbouring lines that carry one, never the future', () => {
    const parser = createOpenvpnParser({ timeZone: 'UTC', now: () => NOW });
    const times = [
      'Dec 31 23:59:00 gw openvpn: Sun Dec 31 23:59:00 2017 192.0.2.5:5 TLS Error: TLS handshake failed',
      'Jan  1 00:01:00 gw openvpn[1]: 192.0.2.5:5 TLS Error: TLS handshake failed',
      'Jan  1 00:02:00 gw openvpn[1]: 192.0.2.5:5 TLS Error: TLS handshake failed',
    ].map((line, index) => {
      const event = parser.parse(line, { origin: { stream: 's', line: index + 1 } });
      return new Date(event.time ?? 0).toISOString();
    });
    expect(times).toEqual([
      '2017-12-31T23:59:00.000Z',
      '2018-01-01T00:01:00.000Z',
      '2018-01-01T00:02:00.000Z',
    ]);
    // Without such a line: the delivery year, or the year before when that is in the future.
    expect(
      new Date(parse('Dec 30 10:00:00 gw openvpn[1]: 192.0.2.5:5 x').time ?? 0).toISOString(),
    ).toBe('2024-12-30T10:00:00.000Z');
  });
});
