import { describe, expect, it } from 'vitest';
import {
  looksLikeSoftether,
  readHeader,
  readMessageFrame,
} from '../../../src/sources/softether/framing.ts';
import {
  PACKET_COLUMNS,
  readPacketRow,
  splitCsv,
} from '../../../src/sources/softether/packet-log.ts';

describe('readHeader', () => {
  it('reads the file form in the given zone, with milliseconds', () => {
    const header = readHeader(
      '2024-11-12 10:17:48.857 The SoftEther VPN Server has been started.',
      'Asia/Tokyo',
    );
    expect(header.time).toBe(Date.parse('2024-11-12T01:17:48.857Z'));
    expect(header.message).toBe('The SoftEther VPN Server has been started.');
  });

  it('reads packet-log rows (date,time,…) as CSV', () => {
    const header = readHeader('2025-03-01,09:00:06.010,SID-A,-', 'UTC');
    expect(header.csv).toBe(true);
    expect(header.time).toBe(Date.parse('2025-03-01T09:00:06.010Z'));
    expect(header.message).toBe('SID-A,-');
  });

  it('reads the syslog form with the hub and host from the header', () => {
    // Real line from fail2ban's test log (receiver prefix included).
    const header = readHeader(
      '2020-05-13T10:53:19 localhost  [myserver.com/VPN/defaultvpn] (2020-05-13 10:53:19.591) <SECURITY_LOG>: Connection "CID-594": User authentication failed. The user name that has been provided was "alice", from 80.10.11.13.',
      'UTC',
    );
    expect(header).toMatchObject({
      time: Date.parse('2020-05-13T10:53:19.591Z'),
      host: 'myserver.com',
      hub: 'defaultvpn',
      syslogType: 'SECURITY_LOG',
    });
    expect(header.message).toMatch(/^Connection "CID-594": User authentication failed/);
  });

  it('reads server-scope syslog lines and RFC 3339 datetimes (StrictSyslogDatetimeFormat)', () => {
    const header = readHeader(
      '[vpn1/VPN] (2025-03-01T09:00:00.250+09:00) <SERVER_LOG>: The SoftEther VPN Server has been started.',
      'UTC',
    );
    expect(header.time).toBe(Date.parse('2025-03-01T00:00:00.250Z'));
    expect(header.hub).toBeUndefined();
    expect(header.syslogType).toBe('SERVER_LOG');
  });

  it.each([
    ['2025-02-30 10:00:00.000 x', /invalid timestamp "2025-02-30 10:00:00.000"/],
    ['2025-03-01 10:00:61.000 x', /invalid timestamp/],
    ['2025-03-01 10:00:00 x', /does not have the form|too short/],
    ['2025-03-01 1O:00:00.000 x', /invalid timestamp/],
    ['hello world', /no timestamp/],
  ])('gives no time and a reason for %j', (line, reason) => {
    const header = readHeader(line, 'UTC');
    expect(header.time).toBeNull();
    expect(header.timeError).toMatch(reason);
  });
});

describe('readMessageFrame', () => {
  it('peels the [HUB "name"] prefix of server-log copies, UTF-8 names included', () => {
    const frame = readMessageFrame(
      '[HUB "営業部"] Connection "CID-3": Successfully authenticated as user "山田".',
    );
    expect(frame.hub).toBe('営業部');
    expect(frame.body).toBe('Connection "CID-3": Successfully authenticated as user "山田".');
    expect(frame.hubMessage).toBe(frame.body);
  });

  it('reads the hub-scope admin tag (real line, SoftEtherVPN#1403)', () => {
    const frame = readMessageFrame(
      '[HUB "DEFAULT"] Administration mode [RPC-44] (Virtual Hub "DEFAULT"): User "test" has been deleted.',
    );
    expect(frame).toMatchObject({ hub: 'DEFAULT', rpc: 'RPC-44', adminHub: 'DEFAULT' });
    expect(frame.body).toBe('User "test" has been deleted.');
    expect(frame.hubMessage).toBe(
      'Administration mode [RPC-44] (Virtual Hub "DEFAULT"): User "test" has been deleted.',
    );
  });

  it('reads the server-scope admin tag and the Japanese one', () => {
    expect(
      readMessageFrame(
        'Administration mode [RPC-3]: The server administrator password has been set.',
      ),
    ).toMatchObject({ rpc: 'RPC-3', body: 'The server administrator password has been set.' });
    expect(
      readMessageFrame('管理モード [RPC-5] (仮想 HUB "営業部"): ログ保存設定を変更しました。'),
    ).toMatchObject({ rpc: 'RPC-5', adminHub: '営業部', body: 'ログ保存設定を変更しました。' });
  });

  it.each([
    [
      'IPsec IKE Session (IKE SA) 3 (Client: 2) (203.0.113.5:500 -> 192.0.2.1:500): This IKE SA is deleted.',
      'ipsec',
      '203.0.113.5',
      500,
      'This IKE SA is deleted.',
    ],
    [
      'IPsec ESP Session (IPsec SA) 9 (Client: 2) (203.0.113.5:4500 -> 192.0.2.1:4500): This IPsec SA is deleted.',
      'ipsec',
      '203.0.113.5',
      4500,
      'This IPsec SA is deleted.',
    ],
    [
      'L2TP PPP Session [203.0.113.5:1701]: The PPP session is disconnected.',
      'ppp',
      '203.0.113.5',
      1701,
      'The PPP session is disconnected.',
    ],
    [
      'OpenVPN Session 4 (203.0.113.8:1194 -> 192.0.2.1:1194): A new session is created. Protocol: UDP',
      'openvpn',
      '203.0.113.8',
      1194,
      'A new session is created. Protocol: UDP',
    ],
    [
      'OpenVPN Session 4 (203.0.113.8:1194 -> 192.0.2.1:1194) Channel 0: A new channel is created.',
      'openvpn',
      '203.0.113.8',
      1194,
      'A new channel is created.',
    ],
    [
      '[WireGuard] 203.0.113.9:51820 -> 192.0.2.1:51820: Handshake initiation received.',
      'wireguard',
      '203.0.113.9',
      51820,
      'Handshake initiation received.',
    ],
    [
      'EtherIP / L2TPv3 Session 1 (203.0.113.10:0 -> 192.0.2.1:0): The internal pipe was created.',
      'etherip',
      '203.0.113.10',
      0,
      'The internal pipe was created.',
    ],
    [
      '[SSTP] 203.0.113.11:50000 -> 192.0.2.1:443 (SSTP): The session is started.',
      'sstp',
      '203.0.113.11',
      50000,
      'The session is started.',
    ],
  ])('reads the protocol prefix of %j', (message, protocol, clientIp, clientPort, body) => {
    expect(readMessageFrame(message)).toMatchObject({ protocol, clientIp, clientPort, body });
  });

  it('reads the SecureNAT prefix, which has no address', () => {
    expect(
      readMessageFrame(
        'SecureNAT: The DHCP entry 3 has been created. MAC address: 5E-1A-2B-3C-4D-5E, IP address: 192.168.30.10, host name: pc, expiration span: 7200 seconds',
      ),
    ).toMatchObject({ protocol: 'securenat', body: expect.stringMatching(/^The DHCP entry 3/) });
  });

  it('leaves a plain message alone', () => {
    const frame = readMessageFrame('Connection "CID-12" has been terminated.');
    expect(frame).toEqual({
      body: 'Connection "CID-12" has been terminated.',
      hubMessage: 'Connection "CID-12" has been terminated.',
    });
  });
});

describe('looksLikeSoftether', () => {
  it('accepts file, packet and syslog lines', () => {
    expect(
      looksLikeSoftether('2025-03-01 09:00:00.001 The SoftEther VPN Server has been started.'),
    ).toBe(true);
    expect(looksLikeSoftether('2025-03-01,09:00:06.010,SID-A,-,A,B,0x0800,60,ARPv4')).toBe(true);
    expect(
      looksLikeSoftether(
        '[h/VPN/hub] (2020-05-13 10:53:19.591) <SECURITY_LOG>: Connection "CID-1": x',
      ),
    ).toBe(true);
  });

  it('does not take OpenVPN or AWS lines', () => {
    for (const line of [
      '2025-04-25 10:57:36 us=123456 203.0.113.5:51234 TLS Error: TLS handshake failed',
      '2025-04-25 10:57:36 203.0.113.5:51234 TLS: Initial packet from [AF_INET]203.0.113.5:51234',
      'Fri Apr 25 10:57:36 2025 203.0.113.5:51234 TLS Error: TLS handshake failed',
      'Apr 25 10:57:36 gw openvpn[1234]: client/203.0.113.5:51234 MULTI: Learn',
      '{"event_timestamp":1745578656,"details":"AWS tunnel is sending DPD"}',
    ]) {
      expect(looksLikeSoftether(line), line).toBe(false);
    }
  });
});

describe('packet-log rows', () => {
  it('reads the 18 columns into named fields, ports with their service names', () => {
    const row = readPacketRow(
      'SID-ALICE-1,SID-LOCALBRIDGE-1,5E1A2B3C4D5E,0050569A1B2C,0x0800,66,TCP_CONNECTv4,SYN,192.168.30.10,51514,192.168.30.5,https(443),1029384756,0,WindowSize=64240,-,198.51.100.7,-',
    );
    expect(row).toEqual({
      ok: true,
      fields: {
        srcSession: 'SID-ALICE-1',
        dstSession: 'SID-LOCALBRIDGE-1',
        srcMac: '5E1A2B3C4D5E',
        dstMac: '0050569A1B2C',
        etherType: '0x0800',
        packetSize: 66,
        packetType: 'TCP_CONNECTv4',
        packetSubtype: 'SYN',
        srcIp: '192.168.30.10',
        srcPort: 51514,
        dstIp: '192.168.30.5',
        dstPort: 443,
        dstService: 'https',
        tcpSeq: 1029384756,
        tcpAck: 0,
        detail: 'WindowSize=64240',
        srcPhysicalIp: '198.51.100.7',
        clientIp: '198.51.100.7',
      },
    });
  });

  it('reads 16-column rows (NoPhysicalIPOnPacketLog) and leaves - columns out', () => {
    const row = readPacketRow(
      'SID-BOB-40,-,5E1A2B3C4D5F,FFFFFFFFFFFF,0x0806,60,ARPv4,Request,-,-,-,-,-,-,Who has 192.168.30.1? Please Tell 192.168.30.10(5E-1A-2B-3C-4D-5F),-',
    );
    expect(row.ok).toBe(true);
    if (!row.ok) return;
    expect(row.fields).toEqual({
      srcSession: 'SID-BOB-40',
      srcMac: '5E1A2B3C4D5F',
      dstMac: 'FFFFFFFFFFFF',
      etherType: '0x0806',
      packetSize: 60,
      packetType: 'ARPv4',
      packetSubtype: 'Request',
      detail: 'Who has 192.168.30.1? Please Tell 192.168.30.10(5E-1A-2B-3C-4D-5F)',
    });
  });

  it('reads quoted CSV columns with commas and doubled quotes', () => {
    expect(splitCsv('a,"b,c","d ""e""",-')).toEqual(['a', 'b,c', 'd "e"', '-']);
    const row = readPacketRow(
      'SID-A,-,AA,BB,0x0800,500,TCP_DATAv4,PSH+ACK,10.0.0.1,50000,10.0.0.2,http(80),1,2,"WindowSize=512 HttpMethod=GET HttpUrl=/a,b",-,198.51.100.1,-',
    );
    expect(row.ok && row.fields.detail).toBe('WindowSize=512 HttpMethod=GET HttpUrl=/a,b');
  });

  it.each([
    "The VPN Server is either Open-Source or Free version. It hasn't implemented the IP Address or TCP/UDP header data logging function. No IP address nor TCP/UDP header data are not be recorded here.",
    'この VPN Server はオープンソース版または無償版であるため、パケットログの保存に対応していません。そのため、IP アドレスや TCP/UDP などのデータは保存されません。',
    'VPN 服务器是开源或免费的版本。尚未实施 IP 地址或 TCP / UDP 包头数据记录功能。这里不记录 IP 地址，也不记录 TCP / UDP 包头数据。',
  ])('recognises the deep-logging-disabled sentence %#', (sentence) => {
    const row = readPacketRow(`SID-A,SID-B,AA,BB,0x0800,60,${sentence}`);
    expect(row).toEqual({
      ok: true,
      fields: {
        deepLogging: false,
        srcSession: 'SID-A',
        dstSession: 'SID-B',
        srcMac: 'AA',
        dstMac: 'BB',
        etherType: '0x0800',
        packetSize: 60,
      },
    });
  });

  it('names the fields of a full row after the PACKET_COLUMNS table', () => {
    const row = readPacketRow('a,b,c,d,e,1,g,h,i,2,k,3,4,5,o,p,q,r');
    expect(row.ok && Object.keys(row.fields).sort()).toEqual(
      [...PACKET_COLUMNS, 'clientIp'].sort(),
    );
  });

  it('keeps a port it cannot read as text instead of dropping it', () => {
    const row = readPacketRow('a,b,c,d,e,1,g,h,i,x(y),k,z,4,5,o,p');
    expect(row.ok && row.fields).toMatchObject({ srcPort: 'y', srcService: 'x', dstPort: 'z' });
  });

  it('refuses a row with another column count, naming the count', () => {
    expect(readPacketRow('a,b,c')).toEqual({
      ok: false,
      reason: 'packet-log row has 3 columns after date and time: expected 16 or 18',
    });
  });
});
