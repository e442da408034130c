/**
 * SoftEther / PacketiX log files: directory layout, file names for every
 * rotation period and the size split, chronological ordering, and the stream
 * names tunnelwatch gives them.
 *
 * File name = prefix + date part + split suffix + `.log` (Logging.c
 * `MakeLogFileName`; PacketiX VPN Server 2.0 manual §3.10.1). The date part is
 * the local time at which the period began; the split suffix `~01`, `~02`, …
 * (wider, `~001`…, when `LoggerMaxLogSize` is configured) numbers the files that
 * follow the first one when a file outgrows the size limit.
 */

/** The three logs a VPN Server writes. */
export type LogKind = 'server' | 'security' | 'packet';

/** Directory and file prefix of each log kind (Cedar.h). */
export const LOG_KINDS: Readonly<
  Record<LogKind, { readonly directory: string; readonly prefix: string }>
> = {
  server: { directory: 'server_log', prefix: 'vpn' },
  security: { directory: 'security_log', prefix: 'sec' },
  packet: { directory: 'packet_log', prefix: 'pkt' },
};

/** Log switch (rotation) periods, `LOG_SWITCH_NO` … `LOG_SWITCH_MONTH`. */
export const ROTATION_PERIODS = ['none', 'second', 'minute', 'hour', 'day', 'month'] as const;
/** A log switch period. */
export type RotationPeriod = (typeof ROTATION_PERIODS)[number];

/** Local wall-clock start of a file's period (month 1–12); unused parts are 0 (day 1). */
export interface PeriodStart {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** A parsed log file name. */
export interface LogFileName {
  /** `vpn`, `sec`, `pkt` (also `snat`, `client`, `debug`, `bridge` are accepted). */
  readonly prefix: string;
  /** The kind for `vpn`/`sec`/`pkt`, undefined for the other prefixes. */
  readonly kind?: LogKind;
  readonly period: RotationPeriod;
  /** Start of the period; `null` for period `none`. */
  readonly start: PeriodStart | null;
  /** 0 for the first file of a period, n for the `~n` split. */
  readonly split: number;
  /** Digits of the split suffix (2 by default, 3–9 with a configured size limit). */
  readonly splitWidth: number;
}

const PREFIX_KIND: Readonly<Record<string, LogKind>> = {
  vpn: 'server',
  sec: 'security',
  pkt: 'packet',
};

const FILE_NAME =
  /^(vpn|sec|pkt|snat|client|debug|bridge)(?:_(\d{4})(\d{2})(\d{2})?(?:_(\d{2})(\d{2})?(\d{2})?)?)?(?:~(\d{2,9}))?\.log$/;

/** Parses a log file's base name; undefined when it is not a SoftEther log name. */
export function parseLogFileName(name: string): LogFileName | undefined {
  const match = FILE_NAME.exec(name);
  if (match === null) return undefined;
  const [, prefix = '', year, month, day, hour, minute, second, split] = match;
  // `_YYYYMM_hh` is not a name SoftEther writes.
  if (day === undefined && hour !== undefined) return undefined;
  const period: RotationPeriod =
    year === undefined
      ? 'none'
      : day === undefined
        ? 'month'
        : hour === undefined
          ? 'day'
          : minute === undefined
            ? 'hour'
            : second === undefined
              ? 'minute'
              : 'second';
  const start: PeriodStart | null =
    year === undefined
      ? null
      : {
          year: Number(year),
          month: Number(month),
          day: day === undefined ? 1 : Number(day),
          hour: hour === undefined ? 0 : Number(hour),
          minute: minute === undefined ? 0 : Number(minute),
          second: second === undefined ? 0 : Number(second),
        };
  if (start !== null && !validStart(start)) return undefined;
  const kind = PREFIX_KIND[prefix];
  return {
    prefix,
    ...(kind === undefined ? {} : { kind }),
    period,
    start,
    split: split === undefined ? 0 : Number(split),
    splitWidth: split === undefined ? 2 : split.length,
  };
}

function validStart(start: PeriodStart): boolean {
  return (
    start.month >= 1 &&
    start.month <= 12 &&
    start.day >= 1 &&
    start.day <= 31 &&
    start.hour <= 23 &&
    start.minute <= 59 &&
    start.second <= 59
  );
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/** The date part of a file name for `period` at local time `time` (`_20051207_0145`, …). */
export function datePart(period: RotationPeriod, time: PeriodStart): string {
  const day = `_${pad(time.year, 4)}${pad(time.month, 2)}${pad(time.day, 2)}`;
  switch (period) {
    case 'none':
      return '';
    case 'second':
      return `${day}_${pad(time.hour, 2)}${pad(time.minute, 2)}${pad(time.second, 2)}`;
    case 'minute':
      return `${day}_${pad(time.hour, 2)}${pad(time.minute, 2)}`;
    case 'hour':
      return `${day}_${pad(time.hour, 2)}`;
    case 'day':
      return day;
    case 'month':
      return `_${pad(time.year, 4)}${pad(time.month, 2)}`;
  }
}

/**
 * The file name SoftEther writes for `prefix` (`vpn`, `sec`, `pkt`) in `period`
 * at local time `time`, for split number `split` (0 = first file) with
 * `splitWidth` digits (default 2).
 */
export function formatLogFileName(
  prefix: string,
  period: RotationPeriod,
  time: PeriodStart,
  split = 0,
  splitWidth = 2,
): string {
  const suffix = split === 0 ? '' : `~${pad(split, splitWidth)}`;
  return `${prefix}${datePart(period, time)}${suffix}.log`;
}

/**
 * A string that sorts log files chronologically: prefix, then period start,
 * then split number. Names that are not SoftEther log names get their own name
 * as key, so any mix of names has a total order.
 */
export function chronologicalKey(name: string): string {
  const parsed = parseLogFileName(name);
  if (parsed === undefined) return name;
  const start = parsed.start;
  const when =
    start === null
      ? '00000000000000'
      : `${pad(start.year, 4)}${pad(start.month, 2)}${pad(start.day, 2)}${pad(start.hour, 2)}${pad(start.minute, 2)}${pad(start.second, 2)}`;
  return `${parsed.prefix}\u0000${when}\u0000${pad(parsed.split, 10)}`;
}

/**
 * Orders two directory entry names: SoftEther log files chronologically (date
 * part, then split number, so `~09` < `~10` < `~100`), the SoftEther log
 * directories as server, security, packet; everything else by name.
 */
export function compareLogFileNames(a: string, b: string): number {
  const keyA = directoryKey(a) ?? chronologicalKey(a);
  const keyB = directoryKey(b) ?? chronologicalKey(b);
  return keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
}

const DIRECTORY_RANK: Readonly<Record<string, number>> = {
  server_log: 0,
  security_log: 1,
  packet_log: 2,
};

function directoryKey(name: string): string | undefined {
  const rank = DIRECTORY_RANK[name];
  return rank === undefined ? undefined : `\u0000${rank}`;
}

/** What a stream name says about the SoftEther log it carries. */
export interface StreamInfo {
  readonly kind?: LogKind;
  /** Virtual Hub (security and packet logs). */
  readonly hub?: string;
  /** The path segment before the log directory (e.g. the host), when there is one. */
  readonly server?: string;
  /** The file name part, when the stream names a file. */
  readonly file?: LogFileName;
}

const DIRECTORY_KIND: Readonly<Record<string, LogKind>> = {
  server_log: 'server',
  security_log: 'security',
  packet_log: 'packet',
};

/**
 * Reads a stream name such as `security_log/DEFAULT/sec_20250101`,
 * `vpn1/packet_log/営業部`, `server_log/vpn_20250101` or a bare
 * `sec_20250101`: the log kind, the hub and the host segment before the log
 * directory. `/` and `\` both separate segments.
 */
export function parseStreamName(stream: string | undefined): StreamInfo {
  if (stream === undefined || stream === '') return {};
  const segments = stream.split(/[\\/]/).filter((segment) => segment !== '');
  let index = -1;
  for (let i = segments.length - 1; i >= 0; i--) {
    if (DIRECTORY_KIND[segments[i] ?? ''] !== undefined) {
      index = i;
      break;
    }
  }
  const last = segments[segments.length - 1] ?? '';
  const file = parseLogFileName(last.endsWith('.log') ? last : `${last}.log`);
  if (index < 0) {
    return file?.kind === undefined ? {} : { kind: file.kind, file };
  }
  const kind = DIRECTORY_KIND[segments[index] ?? ''];
  const server = index > 0 ? segments[index - 1] : undefined;
  const hubSegment = kind === 'server' ? undefined : segments[index + 1];
  const hub =
    hubSegment !== undefined && !(index + 1 === segments.length - 1 && file !== undefined)
      ? hubSegment
      : undefined;
  return {
    ...(kind === undefined ? {} : { kind }),
    ...(hub === undefined ? {} : { hub }),
    ...(server === undefined ? {} : { server }),
    ...(file === undefined || index === segments.length - 1 ? {} : { file }),
  };
}

/**
 * The stream name the CLI gives a file inside a SoftEther log tree: the
 * install directory (which names the server), then the path from the log
 * directory on, without `.log` (`vpnserver/security_log/DEFAULT/sec_20250101`).
 * Undefined for files that are not in such a tree.
 */
export function softetherStreamName(path: string): string | undefined {
  const segments = path.split(/[\\/]/).filter((segment) => segment !== '');
  const name = segments[segments.length - 1];
  if (name === undefined || parseLogFileName(name)?.kind === undefined) return undefined;
  for (let i = segments.length - 2; i >= 0; i--) {
    const kind = DIRECTORY_KIND[segments[i] ?? ''];
    if (kind === undefined) continue;
    const expectedDepth = kind === 'server' ? 1 : 2;
    if (segments.length - 1 - i !== expectedDepth) return undefined;
    const rest = segments.slice(i > 0 ? i - 1 : i);
    rest[rest.length - 1] = name.slice(0, -'.log'.length);
    return rest.join('/');
  }
  return undefined;
}
