import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareLogFileNames,
  formatLogFileName,
  type PeriodStart,
  parseLogFileName,
  parseStreamName,
  ROTATION_PERIODS,
  type RotationPeriod,
  softetherStreamName,
} from '../../../src/sources/softether/files.ts';

// The seed's example: 2005-12-07 13:45:10 (manual §3.10.1; file names use 24 h local time).
const SEED_TIME: PeriodStart = { year: 2005, month: 12, day: 7, hour: 13, minute: 45, second: 10 };

describe('SoftEther log file names', () => {
  const cases: readonly [RotationPeriod, string, string, Partial<PeriodStart> | null][] = [
    ['none', 'sec', 'sec.log', null],
    ['second', 'sec', 'sec_20051207_134510.log', SEED_TIME],
    ['minute', 'sec', 'sec_20051207_1345.log', { ...SEED_TIME, second: 0 }],
    ['hour', 'pkt', 'pkt_20051207_13.log', { ...SEED_TIME, minute: 0, second: 0 }],
    ['day', 'vpn', 'vpn_20051207.log', { ...SEED_TIME, hour: 0, minute: 0, second: 0 }],
    ['month', 'pkt', 'pkt_200512.log', { year: 2005, month: 12, day: 1, hour: 0 }],
  ];

  it.each(cases)('formats and parses period %s', (period, prefix, name, start) => {
    // Prepare / Act
    const formatted = formatLogFileName(prefix, period, SEED_TIME);
    const parsed = parseLogFileName(name);
    // Assess
    expect(formatted).toBe(name);
    expect(parsed?.period).toBe(period);
    expect(parsed?.prefix).toBe(prefix);
    expect(parsed?.split).toBe(0);
    if (start === null) expect(parsed?.start).toBeNull();
    else expect(parsed?.start).toMatchObject(start);
  });

  it('reads the size split suffix, default width 2 and configured wider widths', () => {
    expect(parseLogFileName('vpn_20051207~01.log')).toMatchObject({ split: 1, splitWidth: 2 });
    expect(parseLogFileName('sec_20051207~12.log')).toMatchObject({ split: 12, splitWidth: 2 });
    expect(parseLogFileName('pkt_20051207~001.log')).toMatchObject({ split: 1, splitWidth: 3 });
    expect(formatLogFileName('vpn', 'day', SEED_TIME, 1)).toBe('vpn_20051207~01.log');
    expect(formatLogFileName('pkt', 'hour', SEED_TIME, 7, 4)).toBe('pkt_20051207_13~0007.log');
  });

  it('names the kind of each prefix', () => {
    expect(parseLogFileName('vpn_20250101.log')?.kind).toBe('server');
    expect(parseLogFileName('sec_20250101.log')?.kind).toBe('security');
    expect(parseLogFileName('pkt_20250101.log')?.kind).toBe('packet');
    expect(parseLogFileName('snat_20250101.log')?.kind).toBeUndefined();
  });

  it('rejects names SoftEther does not write', () => {
    for (const name of [
      'vpn_2025010.log',
      'vpn_20251301.log',
      'vpn_20250132.log',
      'sec_20250101_25.log',
      'sec_202501_01.log',
      'vpn_20250101~1.log',
      'vpn_20250101.txt',
      'openvpn.log',
    ]) {
      expect(parseLogFileName(name), name).toBeUndefined();
    }
  });

  it('round-trips name ↔ period, time and split (property)', () => {
    const start = fc.record({
      year: fc.integer({ min: 2000, max: 2099 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.integer({ min: 0, max: 59 }),
      second: fc.integer({ min: 0, max: 59 }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom('vpn', 'sec', 'pkt'),
        fc.constantFrom(...ROTATION_PERIODS),
        start,
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 2, max: 9 }),
        (prefix, period, time, split, width) => {
          const name = formatLogFileName(prefix, period, time, split, width);
          const parsed = parseLogFileName(name);
          expect(parsed?.period).toBe(period);
          expect(parsed?.split).toBe(split);
          if (split > 0) expect(parsed?.splitWidth).toBe(width);
          expect(
            formatLogFileName(prefix, period, time, parsed?.split, parsed?.splitWidth ?? 2),
          ).toBe(name);
          if (parsed?.start !== null && parsed !== undefined) {
            expect(formatLogFileName(prefix, period, parsed.start, split, width)).toBe(name);
          }
        },
      ),
    );
  });
});

describe('compareLogFileNames', () => {
  it('orders across a size split and a day change', () => {
    const names = [
      'sec_20250302.log',
      'sec_20250301~01.log',
      'sec_20250301~10.log',
      'sec_20250301.log',
      'sec_20250301~09.log',
    ];
    expect([...names].sort(compareLogFileNames)).toEqual([
      'sec_20250301.log',
      'sec_20250301~01.log',
      'sec_20250301~09.log',
      'sec_20250301~10.log',
      'sec_20250302.log',
    ]);
  });

  it('orders wider split numbers numerically where name order would not', () => {
    const names = ['pkt_20250301~100.log', 'pkt_20250301~099.log', 'pkt_20250301.log'];
    expect([...names].sort(compareLogFileNames)).toEqual([
      'pkt_20250301.log',
      'pkt_20250301~099.log',
      'pkt_20250301~100.log',
    ]);
    // Plain name order gets this wrong: '~100' < '~99'.
    expect(['pkt_20250301~99.log', 'pkt_20250301~100.log'].sort()).toEqual([
      'pkt_20250301~100.log',
      'pkt_20250301~99.log',
    ]);
    expect(['pkt_20250301~99.log', 'pkt_20250301~100.log'].sort(compareLogFileNames)).toEqual([
      'pkt_20250301~99.log',
      'pkt_20250301~100.log',
    ]);
  });

  it('puts the log directories in server, security, packet order and other names by name', () => {
    const names = ['readme.txt', 'packet_log', 'security_log', 'server_log', 'a.log'];
    expect([...names].sort(compareLogFileNames)).toEqual([
      'server_log',
      'security_log',
      'packet_log',
      'a.log',
      'readme.txt',
    ]);
  });
});

describe('stream names', () => {
  it('derives kind and hub from a CLI stream name', () => {
    expect(parseStreamName('security_log/DEFAULT/sec_20250101')).toMatchObject({
      kind: 'security',
      hub: 'DEFAULT',
    });
    expect(parseStreamName('packet_log/営業部/pkt_20250101~01')).toMatchObject({
      kind: 'packet',
      hub: '営業部',
    });
    const server = parseStreamName('server_log/vpn_20250101');
    expect(server).toMatchObject({ kind: 'server', file: { prefix: 'vpn', period: 'day' } });
    expect(server.hub).toBeUndefined();
  });

  it('reads agent stream names with a host segment and without a file part', () => {
    expect(parseStreamName('vpn1.example.jp/security_log/DEFAULT')).toEqual({
      kind: 'security',
      hub: 'DEFAULT',
      server: 'vpn1.example.jp',
    });
    expect(parseStreamName('C:\\vpnserver\\security_log\\HUB1\\sec_20250101.log')).toMatchObject({
      kind: 'security',
      hub: 'HUB1',
    });
  });

  it('falls back to the file prefix, and knows nothing of other names', () => {
    expect(parseStreamName('sec_20250101')).toMatchObject({ kind: 'security' });
    expect(parseStreamName('sec_20250101').hub).toBeUndefined();
    expect(parseStreamName('vpn-0abc-203.0.113.10')).toEqual({});
    expect(parseStreamName(undefined)).toEqual({});
  });

  it('gives files in a SoftEther tree the install directory and their path from the log directory', () => {
    expect(softetherStreamName('/srv/vpnserver/security_log/DEFAULT/sec_20250101~01.log')).toBe(
      'vpnserver/security_log/DEFAULT/sec_20250101~01',
    );
    expect(softetherStreamName('samples/softether/server_log/vpn_20250301.log')).toBe(
      'softether/server_log/vpn_20250301',
    );
    expect(softetherStreamName('server_log/vpn_20250301.log')).toBe('server_log/vpn_20250301');
    expect(parseStreamName('vpnserver/server_log/vpn_20250301').server).toBe('vpnserver');
    expect(softetherStreamName('logs/sec_20250101.log')).toBeUndefined();
    expect(softetherStreamName('security_log/sec_20250101.log')).toBeUndefined();
    expect(softetherStreamName('server_log/notes.txt')).toBeUndefined();
  });
});
