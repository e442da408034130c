import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOURCE_DEFINITIONS, sniffSource, sourceDefinition } from '../../../src/sources/index.ts';
import { openvpnSource } from '../../../src/sources/openvpn/index.ts';

const SAMPLE = 'samples/openvpn/vpngw-2025-04-14.log';

describe('openvpnSource sniffing', () => {
  it.each([
    '2023/04/13 18:00:00 openvpn-vtun0 user01/198.51.100.7:12345 try username "user01"',
    '2023-09-26 06:51:09 us=991810 192.0.2.4:63733 TLS Error: TLS handshake failed',
    'Sun Jul 16 12:29:13 2017 27.59.50.220:24138 Control Channel: TLSv1.2',
    'Apr 25 10:57:36 hostname ovpn-server[901]: 83.97.20.30:10107 Connection reset, restarting [0]',
    '<29>Jul  3 21:42:57 openvpn[66026]: 10.170.120.149:37849 peer info: IV_VER=3',
    '2025-04-25T19:57:36+0900 vpn1 openvpn[901]: Initialization Sequence Completed',
    '192.0.2.9:1194 TLS Auth Error: Auth Username/Password verification failed for peer',
    'TLS Error: cannot locate HMAC in incoming packet from [AF_INET]192.0.2.253:55340',
  ])('recognises %s', (line) => {
    expect(openvpnSource.sniff(line)).toBe(true);
  });

  it.each([
    '{"event_timestamp":1745578656,"details":"AWS tunnel detected a pre-shared key mismatch","resource_id":"vpn-0abc"}',
    '2025-04-25 10:57:36.123 Connection "CID-12": Successfully connected from 192.0.2.9:51234',
    '2025-04-25 10:57:36.123 [HUB "DEFAULT"] The session "SID-USER01-1" has been created.',
    '2025-04-25 10:57:36.123,SID-LOCALBRIDGE-1,SID-USER01-2,00AC00112233,00AC00445566,0x0800,60,TCPv4',
    'Apr 25 10:57:36 host sshd[1]: Failed password for root from 192.0.2.9 port 22 ssh2',
    'hello world',
    '',
  ])('does not claim %s', (line) => {
    expect(openvpnSource.sniff(line)).toBe(false);
  });

  it("claims no line of the other sources' samples, and they claim none of the gateway sample", () => {
    // Prepare
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? files(path) : [path];
      });
    const nonBlank = (path: string): string[] =>
      readFileSync(path, 'utf8')
        .split(/\r?\n/)
        .filter((line) => line.trim() !== '');
    const others = files('samples').filter((path) => !path.startsWith(join('samples', 'openvpn')));
    const ours = nonBlank(SAMPLE);
    // Act
    const claimedByUs = others.flatMap(nonBlank).filter((line) => openvpnSource.sniff(line));
    const claimedFromUs = SOURCE_DEFINITIONS.filter((d) => d.source !== 'openvpn').flatMap((d) =>
      ours.filter((line) => d.sniff(line)),
    );
    // Assess
    expect(others.length).toBeGreaterThan(0);
    expect(claimedByUs).toEqual([]);
    expect(claimedFromUs).toEqual([]);
  });

  it('is registered and chosen for the gateway sample', () => {
    const lines = readFileSync(SAMPLE, 'utf8').split('\n').slice(0, 50);
    expect(sourceDefinition('openvpn')).toBe(openvpnSource);
    expect(sniffSource(lines)?.source).toBe('openvpn');
  });

  it('creates parsers that read local time in the configured zone', () => {
    const parser = openvpnSource.createParser({ timeZone: 'Asia/Tokyo', stream: 'gw' });
    const event = parser.parse(
      '2023/04/13 18:00:00 openvpn-vtun0 Initialization Sequence Completed',
      {
        origin: { stream: 'gw', line: 1 },
      },
    );
    expect(event.time).toBe(Date.parse('2023-04-13T09:00:00Z'));
    expect(event.source).toBe('openvpn');
  });
});

describe('the gateway sample', () => {
  it('holds a day of logins, a brute force, a scanner and certificate problems', () => {
    // Prepare
    const parser = openvpnSource.createParser({ timeZone: 'Asia/Tokyo', stream: 'gw' });
    const lines = readFileSync(SAMPLE, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
    // Act
    const events = lines.map((line, index) => parser.parse(line, { origin: { line: index + 1 } }));
    const count = (predicate: (e: (typeof events)[number]) => boolean): number =>
      events.filter(predicate).length;
    // Assess
    expect(count((e) => e.category === 'malformed')).toBe(0);
    expect(
      count((e) => e.category === 'session.ended' && e.fields.durationSeconds !== undefined),
    ).toBeGreaterThanOrEqual(9);
    const bruteForce = new Set(
      events
        .filter((e) => e.category === 'auth.failed' && e.fields.clientIp === '203.0.113.66')
        .map((e) => e.fields.duplicateKey),
    );
    expect(bruteForce.size).toBeGreaterThanOrEqual(5);
    const scans = new Set(
      events
        .filter((e) => e.category === 'probe.bad_packet' && e.fields.clientIp === '198.51.100.200')
        .map((e) => e.fields.duplicateKey),
    );
    expect(scans.size).toBeGreaterThanOrEqual(5);
    expect(count((e) => e.category === 'cert.key_usage')).toBe(1);
  });
});
