import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEventTime, type StreamParser, type VpnEvent } from '../../../src/model.ts';
import { sniffSource, sourceDefinition } from '../../../src/sources/index.ts';
import { softetherSource } from '../../../src/sources/softether/index.ts';
import { CORRELATION_LIMIT, createSoftetherParser } from '../../../src/sources/softether/parser.ts';

function feed(parser: StreamParser, lines: readonly string[], file = 'x.log'): VpnEvent[] {
  return lines.map((text, index) => parser.parse(text, { origin: { file, line: index + 1 } }));
}

const CONNECT =
  'The connection "CID-34" (IP address: 2.247.241.98, Host name: 2.247.241.98, Port number: 52220, Client name: "SoftEther VPN Client", Version: 4.38, Build: 9760) is attempting to connect to the Virtual Hub. The auth type provided is "External server authentication" and the user name is "xxx.xxx".';
const AUTH_NG_STABLE =
  'Connection "CID-34": User authentication failed. The user name that has been provided was "xxx.xxx".';

describe('SoftEther parser: correlation', () => {
  it('gives a Stable-edition auth failure (no ", from IP") the address of its connection', () => {
    // Prepare: the real sequence from SoftEtherVPN#993, server-log form.
    const parser = createSoftetherParser({ stream: 'server_log/vpn_20250301' });
    // Act
    const [, failed, ended] = feed(parser, [
      `2025-03-01 10:00:00.120 [HUB "VPN"] ${CONNECT}`,
      `2025-03-01 10:00:01.260 [HUB "VPN"] ${AUTH_NG_STABLE}`,
      '2025-03-01 10:00:01.262 Connection "CID-34" terminated by the cause "User authentication failed." (code 9).',
    ]);
    // Assess
    expect(failed?.category).toBe('auth.failed');
    expect(failed?.fields).toMatchObject({
      hub: 'VPN',
      user: 'xxx.xxx',
      clientIp: '2.247.241.98',
      clientPort: 52220,
      clientName: 'SoftEther VPN Client',
    });
    expect(ended?.fields).toMatchObject({ clientIp: '2.247.241.98', errorCode: 9 });
  });

  it('takes the address of LS_CONNECTION_START_1 when the hub line is not seen', () => {
    const parser = createSoftetherParser({ stream: 'server_log/vpn_20250301' });
    const [, failed] = feed(parser, [
      '2025-03-01 10:00:00.010 For the client (IP address: 203.0.113.50, host name: "203.0.113.50", port number: 40000), connection "CID-10" has been created.',
      '2025-03-01 10:00:01.260 [HUB "DEFAULT"] Connection "CID-10": User authentication failed. The user name that has been provided was "admin".',
    ]);
    expect(failed?.fields).toMatchObject({ clientIp: '203.0.113.50', user: 'admin' });
  });

  it('keeps the address a Developer-edition line names itself', () => {
    const parser = createSoftetherParser({ stream: 'security_log/DEFAULT/sec_20250301' });
    const [, failed] = feed(parser, [
      `2025-03-01 10:00:00.120 ${CONNECT}`,
      '2025-03-01 10:00:01.260 Connection "CID-34": User authentication failed. The user name that has been provided was "xxx.xxx", from 198.51.100.1.',
    ]);
    expect(failed?.fields.clientIp).toBe('198.51.100.1');
  });

  it('correlates Japanese-language logs the same way', () => {
    const parser = createSoftetherParser({ stream: 'vpnserver/server_log/vpn_20250301' });
    const [, failed, , after] = feed(parser, [
      '2025-03-01 10:00:00.010 クライアント (IP アドレス 203.0.113.50, ホスト名 "203.0.113.50", ポート番号 40000) に対応するコネクション "CID-10" が作成されました。',
      '2025-03-01 10:00:01.260 [HUB "営業部"] コネクション "CID-10": ユーザー認証に失敗しました。提示されたユーザー名は "山田" でした。',
      '2025-03-01 10:00:01.262 コネクション "CID-10" は理由 "ユーザー認証に失敗しました。" (コード 9) で終了しました。',
      '2025-03-01 10:00:02.000 [HUB "営業部"] コネクション "CID-10": ユーザー認証に失敗しました。提示されたユーザー名は "山田" でした。',
    ]);
    expect(failed?.fields).toMatchObject({
      hub: '営業部',
      user: '山田',
      clientIp: '203.0.113.50',
      server: 'vpnserver',
    });
    expect(after?.fields.clientIp).toBeUndefined();
  });

  it('gives session end the user, address, bytes and duration', () => {
    const parser = createSoftetherParser({ stream: 'security_log/営業部/sec_20250301' });
    const events = feed(parser, [
      '2025-03-01 09:12:30.120 The connection "CID-2" (IP address: 203.0.113.44, Host name: 203.0.113.44, Port number: 51000, Client name: "SoftEther VPN Client", Version: 4.43, Build: 9799) is attempting to connect to the Virtual Hub. The auth type provided is "Password authentication" and the user name is "山田".',
      '2025-03-01 09:12:30.180 Connection "CID-2": Successfully authenticated as user "山田".',
      '2025-03-01 09:12:30.190 Connection "CID-2": The new session "SID-山田-2" has been created. (IP address: 203.0.113.44, Port number: 51000, Physical underlying protocol: "Standard TCP/IP (IPv4)")',
      '2025-03-01 12:15:10.000 Session "SID-山田-2": The session has been terminated. The statistical information is as follows: Total outgoing data size: 8192 bytes, Total incoming data size: 2048 bytes.',
    ]);
    const ended = events[3];
    expect(ended?.category).toBe('session.ended');
    expect(ended?.fields).toMatchObject({
      hub: '営業部',
      sessionId: 'SID-山田-2',
      connectionId: 'CID-2',
      user: '山田',
      clientIp: '203.0.113.44',
      bytesOut: 8192,
      bytesIn: 2048,
      durationSeconds: 10960,
    });
  });

  it('forgets a session once it ended and connections once they closed', () => {
    const parser = createSoftetherParser({ stream: 'server_log/vpn_20250301' });
    const events = feed(parser, [
      `2025-03-01 10:00:00.120 [HUB "VPN"] ${CONNECT}`,
      '2025-03-01 10:00:01.262 Connection "CID-34" has been terminated.',
      `2025-03-01 10:00:02.000 [HUB "VPN"] ${AUTH_NG_STABLE}`,
    ]);
    expect(events[2]?.fields.clientIp).toBeUndefined();
  });

  it('forgets everything when the server restarts (CIDs start again at 1)', () => {
    const parser = createSoftetherParser({ stream: 'server_log/vpn_20250301' });
    const events = feed(parser, [
      `2025-03-01 10:00:00.120 [HUB "VPN"] ${CONNECT}`,
      '2025-03-01 10:05:00.000 The SoftEther VPN Server has been started.',
      `2025-03-01 10:06:00.000 [HUB "VPN"] ${AUTH_NG_STABLE}`,
    ]);
    expect(events[2]?.fields.clientIp).toBeUndefined();
  });

  it('keeps at most CORRELATION_LIMIT connections, dropping the oldest', () => {
    const parser = createSoftetherParser({ stream: 'server_log/vpn_20250301' });
    const line = (n: number) =>
      `2025-03-01 10:00:00.000 For the client (IP address: 10.0.${(n >> 8) & 255}.${n & 255}, host name: "h", port number: 1), connection "CID-${n}" has been created.`;
    for (let n = 0; n <= CORRELATION_LIMIT; n++) parser.parse(line(n), { origin: { line: n } });
    const [oldest, newest] = feed(parser, [
      '2025-03-01 10:00:01.000 [HUB "H"] Connection "CID-0": User authentication failed. The user name that has been provided was "a".',
      `2025-03-01 10:00:01.000 [HUB "H"] Connection "CID-${CORRELATION_LIMIT}": User authentication failed. The user name that has been provided was "a".`,
    ]);
    expect(oldest?.fields.clientIp).toBeUndefined();
    expect(newest?.fields.clientIp).toBe(
      `10.0.${(CORRELATION_LIMIT >> 8) & 255}.${CORRELATION_LIMIT & 255}`,
    );
  });
});

describe('SoftEther parser: the same hub event in two logs', () => {
  it('gives the server-log and security-log copies the same duplicateKey', () => {
    // Prepare
    const server = createSoftetherParser({ stream: 'server_log/vpn_20250301' });
    const security = createSoftetherParser({ stream: 'security_log/DEFAULT/sec_20250301' });
    // Act
    const [fromServer] = feed(server, [
      '2025-03-01 10:31:12.500 [HUB "DEFAULT"] Administration mode [RPC-3] (Virtual Hub "DEFAULT"): The log save setting has been changed.',
    ]);
    const [fromSecurity] = feed(security, [
      '2025-03-01 10:31:12.501 Administration mode [RPC-3] (Virtual Hub "DEFAULT"): The log save setting has been changed.',
    ]);
    // Assess: same key although the copies were stamped a millisecond apart.
    expect(fromServer?.fields.duplicateKey).toMatch(/^softether:\d+:[0-9a-f]{8}$/);
    expect(fromSecurity?.fields.duplicateKey).toBe(fromServer?.fields.duplicateKey);
    expect(fromSecurity?.fields.hub).toBe('DEFAULT');
  });

  it('gives different events different keys, and server-only events none', () => {
    const server = createSoftetherParser({ stream: 'server_log/vpn_20250301' });
    const [a, b, serverOnly] = feed(server, [
      '2025-03-01 10:00:01.260 [HUB "DEFAULT"] Connection "CID-10": User authentication failed. The user name that has been provided was "admin".',
      '2025-03-01 10:00:01.270 [HUB "DEFAULT"] Connection "CID-11": User authentication failed. The user name that has been provided was "admin".',
      '2025-03-01 10:00:01.300 Connection "CID-10" has been terminated.',
    ]);
    expect(a?.fields.duplicateKey).not.toBe(b?.fields.duplicateKey);
    expect(serverOnly?.fields.duplicateKey).toBeUndefined();
  });

  it('pairs the two copies when one stream mixes the logs (foreground mode), in either order', () => {
    const parser = createSoftetherParser({ stream: 'vpnserver-container' });
    const [hubFirst, bareSecond, bareFirst, hubSecond] = feed(parser, [
      '2025-03-01 10:00:01.260 [HUB "DEFAULT"] Connection "CID-10": User authentication failed. The user name that has been provided was "admin".',
      '2025-03-01 10:00:01.260 Connection "CID-10": User authentication failed. The user name that has been provided was "admin".',
      '2025-03-01 10:00:02.100 Connection "CID-11": User authentication failed. The user name that has been provided was "root".',
      '2025-03-01 10:00:02.101 [HUB "DEFAULT"] Connection "CID-11": User authentication failed. The user name that has been provided was "root".',
    ]);
    expect(bareSecond?.fields.duplicateKey).toBe(hubFirst?.fields.duplicateKey);
    expect(bareSecond?.fields.hub).toBe('DEFAULT');
    expect(hubSecond?.fields.duplicateKey).toBe(bareFirst?.fields.duplicateKey);
    expect(hubFirst?.fields.duplicateKey).not.toBe(hubSecond?.fields.duplicateKey);
  });

  it('gives syslog security lines a key and takes the hub from the syslog header', () => {
    const parser = createSoftetherParser({ stream: 'syslog' });
    const [event] = feed(parser, [
      '[vpn1/VPN/DEFAULT] (2025-03-01 10:00:01.260) <SECURITY_LOG>: Connection "CID-10": User authentication failed. The user name that has been provided was "admin", from 203.0.113.50.',
    ]);
    expect(event?.fields).toMatchObject({
      hub: 'DEFAULT',
      server: 'vpn1',
      clientIp: '203.0.113.50',
    });
    expect(event?.fields.duplicateKey).toMatch(/^softether:\d+:/);
  });
});

describe('SoftEther parser: streams, ids and broken lines', () => {
  it('reads packet rows of a packet_log stream with the hub of the path', () => {
    const parser = createSoftetherParser({ stream: 'packet_log/DEFAULT/pkt_20250301' });
    const [event] = feed(parser, [
      '2025-03-01,09:00:06.010,SID-ALICE-1,SID-SECURENAT-1,5E1A2B3C4D5E,00AC12345678,0x0800,342,DHCPv4,Request,0.0.0.0,bootpc(68),255.255.255.255,bootps(67),-,-,TransactionId=1,-,198.51.100.7,-\r',
    ]);
    expect(event?.category).toBe('packet.record');
    expect(event?.fields).toMatchObject({ hub: 'DEFAULT', packetType: 'DHCPv4', srcPort: 68 });
  });

  it('marks a broken packet row malformed with the reason', () => {
    const parser = createSoftetherParser({ stream: 'packet_log/DEFAULT/pkt_20250301' });
    const [event] = feed(parser, ['2025-03-01,09:00:06.010,SID-A,x']);
    expect(event?.category).toBe('malformed');
    expect(event?.reason).toMatch(/2 columns after date and time/);
  });

  it('marks a line with a broken timestamp malformed with the reason, keeping the raw text', () => {
    const parser = createSoftetherParser({});
    const [event] = feed(parser, [
      '2025-02-30 10:00:00.000 The SoftEther VPN Server has been started.',
    ]);
    expect(event).toMatchObject({
      category: 'malformed',
      time: null,
      raw: '2025-02-30 10:00:00.000 The SoftEther VPN Server has been started.',
      reason: 'invalid timestamp "2025-02-30 10:00:00.000"',
    });
  });

  it('uses the event id it is given, else file:line', () => {
    const parser = createSoftetherParser({});
    const line = '2025-03-01 10:00:00.000 Connection "CID-1" has been terminated.';
    expect(parser.parse(line, { eventId: 'abc', origin: {} }).id).toBe('abc');
    expect(parser.parse(line, { origin: { file: 'a.log', line: 7 } }).id).toBe('a.log:7');
    expect(parser.parse(line, { origin: { stream: 's', line: 8 } }).id).toBe('s:8');
  });

  it('ignores a byte order mark at the start of a file', () => {
    const parser = createSoftetherParser({});
    const [event] = feed(parser, [
      '\uFEFF2025-03-01 08:59:58.101 The SoftEther VPN Server has been started.',
    ]);
    expect(event?.category).toBe('server.started');
  });

  it('reads local time in the parser time zone and strips CR', () => {
    const parser = createSoftetherParser({ timeZone: 'Asia/Tokyo' });
    const [event] = feed(parser, [
      '2025-03-01 09:00:00.250 Connection "CID-1" has been terminated.\r',
    ]);
    expect(event?.time).toBe(Date.parse('2025-03-01T00:00:00.250Z'));
    expect(event?.fields.connectionId).toBe('CID-1');
  });

  it('turns any line into exactly one event and never throws (property)', () => {
    const parser = createSoftetherParser({
      stream: 'server_log/vpn_20250301',
      timeZone: 'Asia/Tokyo',
    });
    const prefixes = fc.constantFrom(
      '',
      '2025-03-01 10:00:00.000 ',
      '2025-03-01,10:00:00.000,',
      '2025-03-01 10:00:00.000 [HUB "',
      '2025-03-01 10:00:00.000 Administration mode [',
      '2025-03-01 10:00:00.000 Connection "',
      '[h/VPN/x] (2025-03-01 10:00:00.000) <SECURITY_LOG>: ',
    );
    fc.assert(
      fc.property(prefixes, fc.string({ unit: 'grapheme', maxLength: 200 }), (prefix, rest) => {
        const event = parser.parse(prefix + rest, { origin: { line: 1 } });
        expect(event.source).toBe('softether');
        expect(event.raw).toBe(prefix + rest);
        expect(typeof event.category).toBe('string');
        expect(event.time === null || isEventTime(event.time)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('softetherSource in the registry', () => {
  it('is registered and sniffed from SoftEther lines', () => {
    expect(sourceDefinition('softether')).toBe(softetherSource);
    expect(
      sniffSource([
        '2025-03-01 08:59:58.101 The SoftEther VPN Server has been started.',
        '2025-03-01 08:59:58.350 TCP Listener (port 443) has started. Now listening for connection from client.',
      ]),
    ).toBe(softetherSource);
  });

  it('does not claim OpenVPN or AWS Site-to-Site lines', () => {
    expect(
      sniffSource([
        '2025-04-25 10:57:36 203.0.113.5:51234 TLS: Initial packet from [AF_INET]203.0.113.5:51234',
        'Fri Apr 25 10:57:36 2025 us=1 203.0.113.5:51234 TLS Error: TLS handshake failed',
        '{"event_timestamp":1745578656,"details":"AWS tunnel is sending DPD"}',
      ])?.source,
    ).not.toBe('softether');
  });
});
