import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareFilesChronologically,
  importStreamName,
  readHeadLines,
} from '../../src/aws/import-files.ts';
import { framedTime } from '../../src/aws/line-time.ts';

describe('importStreamName', () => {
  it('names SoftEther logs after their log, with the server directory, without period and split', () => {
    expect(importStreamName('/opt/vpnserver/server_log/vpn_20251207~01.log')).toBe(
      'vpnserver/server_log/vpn',
    );
    expect(importStreamName('backup/hostA/security_log/DEFAULT/sec_20251207.log')).toBe(
      'hostA/security_log/DEFAULT/sec',
    );
    expect(importStreamName('packet_log/HUB1/pkt_202512.log')).toBe('packet_log/HUB1/pkt');
    // A SoftEther name outside a log tree: the log's prefix.
    expect(importStreamName('sec_20051207_014510.log')).toBe('sec');
  });

  it('uses --stream when given and the base name otherwise', () => {
    expect(importStreamName('server_log/vpn_20251207.log', 'gw')).toBe('gw');
    expect(importStreamName('downloads/vpngw-log-1121.txt')).toBe('vpngw-log-1121');
  });
});

describe('compareFilesChronologically', () => {
  it('orders by first timestamp, then period and ~NN split, then name', () => {
    const files = [
      { path: 'server_log/vpn_20251208.log', firstTime: null },
      { path: 'server_log/vpn_20251207~02.log', firstTime: 30 },
      { path: 'server_log/vpn_20251207~10.log', firstTime: 30 },
      { path: 'server_log/vpn_20251207.log', firstTime: 10 },
      { path: 'server_log/vpn_20251207~01.log', firstTime: 30 },
    ];
    expect([...files].sort(compareFilesChronologically).map((f) => f.path)).toEqual([
      'server_log/vpn_20251207.log',
      'server_log/vpn_20251207~01.log',
      'server_log/vpn_20251207~02.log',
      'server_log/vpn_20251207~10.log',
      'server_log/vpn_20251208.log',
    ]);
  });

  it('orders files with the same first time by SoftEther name, ~09 before ~10 before ~100', () => {
    const files = ['vpn_20251207~100.log', 'vpn_20251207~10.log', 'vpn_20251207~09.log'].map(
      (path) => ({ path, firstTime: 5 }),
    );
    expect([...files].sort(compareFilesChronologically).map((f) => f.path)).toEqual([
      'vpn_20251207~09.log',
      'vpn_20251207~10.log',
      'vpn_20251207~100.log',
    ]);
  });
});

describe('framedTime', () => {
  it('reads the framings of every source, local times in the given zone', () => {
    expect(
      framedTime(
        '2024-11-12 10:17:48.857 The SoftEther VPN Server has been started.',
        'Asia/Tokyo',
      ),
    ).toBe(Date.UTC(2024, 10, 12, 1, 17, 48, 857));
    expect(framedTime('2023/04/13 18:00:00 openvpn-vtun0 user01/203.0.113.5:12345 x', 'UTC')).toBe(
      Date.UTC(2023, 3, 13, 18, 0, 0),
    );
    expect(framedTime('Fri Aug  6 15:00:53 2021 TLS Error', 'UTC')).toBe(
      Date.UTC(2021, 7, 6, 15, 0, 53),
    );
    expect(framedTime('2025-01-02,03:04:05.6,SID-A-1,-', 'UTC')).toBe(
      Date.UTC(2025, 0, 2, 3, 4, 5, 600),
    );
    expect(framedTime('{"event_timestamp": 1700000000, "details": "x"}', 'UTC')).toBe(
      1_700_000_000_000,
    );
    expect(framedTime('{"event_timestamp":1762580429641,"type":"BGPStatus"}', 'UTC')).toBe(
      1_762_580_429_641,
    );
    expect(framedTime('  continuation of a stack trace', 'UTC')).toBeNull();
    expect(framedTime('2025-13-40 00:00:00 bad date', 'UTC')).toBeNull();
  });
});

describe('readHeadLines', () => {
  it('reads the first complete lines, CRLF or LF, and closes every file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-head-'));
    const crlf = join(dir, 'crlf.log');
    await writeFile(crlf, 'one\r\ntwo\r\nthree\r\n');
    const big = join(dir, 'big.log');
    await writeFile(big, `${'x'.repeat(40_000)}\n${'y'.repeat(40_000)}\n`);
    const before = (await readdir('/proc/self/fd')).length;
    for (let i = 0; i < 200; i++) await readHeadLines(crlf, 2);
    expect((await readdir('/proc/self/fd')).length).toBeLessThanOrEqual(before);
    expect(await readHeadLines(crlf, 2)).toEqual(['one', 'two']);
    expect(await readHeadLines(crlf, 50)).toEqual(['one', 'two', 'three']);
    // The second line is cut at 64 KiB: only the complete first line is returned.
    expect(await readHeadLines(big, 50)).toEqual(['x'.repeat(40_000)]);
  });
});
