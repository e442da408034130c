/**
 * OpenVPN line framing: what precedes the message. Recognised per line, in
 * this order (OpenVPN's `errlevel`/`--machine-readable-output` prefixes, syslog and journald):
 *
 * - an optional syslog priority `<PRI>`;
 * - a header: the NIFCLOUD / FJcloud-V gateway form `YYYY/MM/DD hh:mm:ss <tunnel id> `,
 *   OpenVPN's own ISO (2.5+, optional ` us=N`) or ctime (2.4 and older)
 *   timestamp, a BSD syslog / journald `short` header (`Mon DD hh:mm:ss [host] prog[pid]: `),
 *   journald `short-iso`/`short-full`/`short-unix`, RFC 5424, OpenVPN's
 *   `--machine-readable-output`, or none (`--suppress-timestamps`);
 * - inside a syslog body, an OpenVPN timestamp again (OpenVPN logging to a
 *   file that a shipper forwards through syslog) and the OpenVPN Access
 *   Server wrapper `[-] [OVPN n] OUT: '…'`;
 * - the client prefix: `cn/ip:port`, `ip:port`, `[v6]:port`, `cn/udp4:ip:port`
 *   (2.7), common names with spaces, optional ` rx-peer-id=N` (DCO).
 *
 * Local times are read in the parser's time zone; syslog years are inferred.
 */
import { isEventTime } from '../../model.ts';
import { localTimeToEpoch } from '../time.ts';

/** The client an OpenVPN multi-instance prefix names. */
export interface ClientPrefix {
  /** Common name (the user name on the gateway and with `--username-as-common-name`). */
  readonly commonName?: string;
  readonly ip: string;
  readonly port?: number;
  /** Transport the 2.7+ prefix names (`udp4`, `tcp4-server`, …). */
  readonly protocol?: string;
  /** `ip:port` as one string: the client's identity for correlation (see `clientKey`). */
  readonly key: string;
}

/** The correlation key of a client address: `ip:port`, or `ip` when there is no port. */
export function clientKey(ip: string, port: number | undefined): string {
  return port === undefined ? ip : `${ip}:${port}`;
}

/** A line split into its header facts, its client prefix and its message. */
export interface FramedLine {
  /** Epoch ms UTC; `null` when the line carries no time. */
  readonly time: number | null;
  /** Which framing the header had (`gateway`, `iso`, `ctime`, `syslog`, …). */
  readonly framing: Framing;
  /** Gateway tunnel id or syslog host. */
  readonly server?: string;
  /** Syslog program name (ident). */
  readonly program?: string;
  readonly pid?: number;
  readonly client?: ClientPrefix;
  /** The message after the prefix. */
  readonly message: string;
}

/** A line whose header looks like an OpenVPN framing but is broken. */
export interface BrokenLine {
  readonly malformed: string;
}

/** The framings this module recognises. */
export type Framing =
  | 'gateway'
  | 'iso'
  | 'ctime'
  | 'syslog'
  | 'rfc5424'
  | 'journal-iso'
  | 'journal-full'
  | 'journal-unix'
  | 'machine-readable'
  | 'none';

/** What framing needs to turn local wall-clock times into instants. */
export interface FramingClock {
  /** IANA zone of local-time formats. */
  readonly timeZone: string;
  /** Epoch ms used to infer the year of syslog times (which have none). */
  readonly reference: number;
  /** UTC year of `reference`. */
  referenceYear(): number;
  /**
   * Epoch ms of the last line of this stream whose timestamp had a year (ISO,
   * ctime, a syslog line carrying OpenVPN's own date…); syslog years follow it.
   */
  anchor?: number | null;
  /** Epoch ms of a wall-clock time in `timeZone` (month 1–12), or null when it is no valid date. */
  toEpoch(
    year: number,
    month: number,
    day: number,
    hour: number,
    minute: number,
    second: number,
  ): number | null;
}

const MONTH_NAMES = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;
const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** The three characters at `at` as one number (no string made), or -1 when not ASCII. */
function threeLetters(text: string, at: number): number {
  const a = text.charCodeAt(at);
  const b = text.charCodeAt(at + 1);
  const c = text.charCodeAt(at + 2);
  // NaN (past the end) fails these comparisons too.
  if (!(a < 128 && b < 128 && c < 128)) return -1;
  return (a << 14) | (b << 7) | c;
}

/** Month number (1–12) per `threeLetters` code of its English abbreviation. */
const MONTH_CODES: ReadonlyMap<number, number> = new Map(
  MONTH_NAMES.map((name, index) => [threeLetters(name, 0), index + 1]),
);
/** `threeLetters` codes of the English weekday abbreviations. */
const WEEKDAY_CODES: ReadonlySet<number> = new Set(
  WEEKDAY_NAMES.map((name) => threeLetters(name, 0)),
);

/** Month number (1–12) of an English abbreviation, or undefined. */
function monthNumber(abbreviation: string): number | undefined {
  return abbreviation.length === 3 ? monthAt(abbreviation, 0) : undefined;
}

/** Month number (1–12) of the abbreviation at `at` in `text`, or undefined. */
function monthAt(text: string, at: number): number | undefined {
  return MONTH_CODES.get(threeLetters(text, at));
}

function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * True when `text` starts like a named-date header: a month or weekday name,
 * one or two spaces and a digit (`Apr 14`, `Mon  9`), or a weekday, a space
 * and a capitalised three-letter word and a space (`Mon Apr `) or a year
 * and a dash (`Mon 2025-`). Read with char codes, no regex.
 */
function hasNamedDateShape(text: string): boolean {
  const name = threeLetters(text, 0);
  const weekday = WEEKDAY_CODES.has(name);
  if ((!weekday && !MONTH_CODES.has(name)) || text.charCodeAt(3) !== 32) return false;
  const fifth = text.charCodeAt(4);
  if (isDigitCode(fifth) || (fifth === 32 && isDigitCode(text.charCodeAt(5)))) return true;
  if (!weekday) return false;
  // `Www Mmm `: an upper-case letter, two lower-case letters, a space (`Www 2025-` starts with a digit: above).
  const sixth = text.charCodeAt(5);
  const seventh = text.charCodeAt(6);
  return (
    fifth >= 65 &&
    fifth <= 90 &&
    sixth >= 97 &&
    sixth <= 122 &&
    seventh >= 97 &&
    seventh <= 122 &&
    text.charCodeAt(7) === 32
  );
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

/** Wall-clock hours whose zone offset is kept per zone (about fourteen months). */
const OFFSET_HOURS_KEPT = 10_000;

/**
 * Zone offset (ms) per wall-clock hour start (epoch ms of the hour read as
 * UTC), per zone: shared by every `LocalClock` of the process, since it
 * depends only on the zone and the hour (parsers are made per stream and
 * per Lambda batch, the hours they read are mostly the same).
 */
const OFFSETS_BY_ZONE = new Map<string, Map<number, number>>();

function offsetsOf(timeZone: string): Map<number, number> {
  let offsets = OFFSETS_BY_ZONE.get(timeZone);
  if (offsets === undefined) {
    offsets = new Map();
    OFFSETS_BY_ZONE.set(timeZone, offsets);
  }
  return offsets;
}

/**
 * A `FramingClock` for one stream: converts wall-clock times with the zone
 * offset of their hour, computed once per hour and zone (zones change offset
 * only on hour boundaries), so a stream of lines costs one zone lookup per hour.
 */
export class LocalClock implements FramingClock {
  /** Epoch ms used to infer syslog years; the parser sets it per line. */
  reference = 0;
  anchor: number | null = null;
  private yearReference = Number.NaN;
  private year = 1970;
  /** Zone offset (ms) per wall-clock hour start, shared per zone (see `OFFSETS_BY_ZONE`). */
  private readonly offsets: Map<number, number>;
  /** The last valid wall-clock hour converted and its start (epoch ms): lines come in runs of one hour. */
  private lastYear = -1;
  private lastMonth = -1;
  private lastDay = -1;
  private lastHour = -1;
  private lastHourStart = 0;

  constructor(readonly timeZone: string) {
    this.offsets = offsetsOf(timeZone);
  }

  /** UTC year of `reference`. */
  referenceYear(): number {
    if (this.reference !== this.yearReference) {
      this.yearReference = this.reference;
      this.year = new Date(this.reference).getUTCFullYear();
    }
    return this.year;
  }

  toEpoch(
    year: number,
    month: number,
    day: number,
    hour: number,
    minute: number,
    second: number,
  ): number | null {
    if (
      hour === this.lastHour &&
      day === this.lastDay &&
      month === this.lastMonth &&
      year === this.lastYear
    ) {
      if (minute > 59 || second > 60) return null;
      return this.lastHourStart + minute * 60_000 + second * 1000;
    }
    if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return null;
    if (day > daysInMonth(year, month)) return null;
    const hourWall = Date.UTC(year, month - 1, day, hour);
    let offset = this.offsets.get(hourWall);
    if (offset === undefined) {
      const start = localTimeToEpoch(this.timeZone, year, month, day, hour, 0, 0);
      if (start === null) return null;
      offset = hourWall - start;
      if (this.offsets.size >= OFFSET_HOURS_KEPT) this.offsets.clear();
      this.offsets.set(hourWall, offset);
    }
    this.lastYear = year;
    this.lastMonth = month;
    this.lastDay = day;
    this.lastHour = hour;
    this.lastHourStart = hourWall - offset;
    return this.lastHourStart + minute * 60_000 + second * 1000;
  }
}

/** A clock for one-off framing (sniffing, tests). */
export function fixedClock(timeZone: string, reference: number): FramingClock {
  const clock = new LocalClock(timeZone);
  clock.reference = reference;
  return clock;
}

const GATEWAY = /^(\d{4})\/(\d{1,2})\/(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2}) ([^\s/]+)(?: (.*))?$/;
const GATEWAY_SHAPE = /^\d{4}\/\d{1,2}\/\d{1,2}[ T]/;
const ISO = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?: us=\d+)?(?: (.*))?$/;
const ISO_SHAPE = /^\d{4}-\d{1,2}-\d{1,2}[ T]/;
const CTIME =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})(?: (.*))?$/;
const SYSLOG =
  /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (?:([^\s[\]]*[^\s[\]:]) )?([^\s[\]:]+)(?:\[(\d+)\])?: ?(.*)$/;
const SYSLOG_SHAPE = /^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}\d{1,2} \d/;
const JOURNAL_ISO =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})) (?:([^\s[\]]*[^\s[\]:]) )?([^\s[\]:]+)(?:\[(\d+)\])?: ?(.*)$/;
const JOURNAL_FULL =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([A-Za-z+\-0-9]+) (?:([^\s[\]]*[^\s[\]:]) )?([^\s[\]:]+)(?:\[(\d+)\])?: ?(.*)$/;
const UNIX_SECONDS = /^(\d{9,11})\.(\d{6}) (.*)$/;
const SYSLOG_TAIL = /^(?:([^\s[\]]*[^\s[\]:]) )?([^\s[\]:]+)(?:\[(\d+)\])?: ?(.*)$/;
const MACHINE_READABLE_TAIL = /^[0-9a-f]{1,8} (.*)$/;
const RFC5424 = /^1 (\S+) (\S+) (\S+) (\S+) (\S+) (?:-|(?:\[[^\]]*\])+) ?(.*)$/;
const PRIORITY = /^<\d{1,3}>/;
const ACCESS_SERVER_OUT = /^\[-\] \[OVPN \d+\] OUT: (['"])(.*)\1$/;
const ACCESS_SERVER_PLAIN = /^\[-\] (.*)$/;
/** OpenWrt `logread` after the ctime date: `facility.level program[pid]: message`. */
const LOGREAD_TAIL =
  /^(?:kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|local[0-7])\.(?:emerg|alert|crit|err|warn|warning|notice|info|debug) ([^\s[\]:]+)(?:\[(\d+)\])?: ?(.*)$/;

/** `text` from `start`, past a ` us=NNNNNN` microseconds field (--verb 4 and up). */
function afterMicroseconds(text: string, start: number): string {
  if (text.charCodeAt(start) === 117 /* u */ && text.startsWith('us=', start)) {
    const end = text.indexOf(' ', start);
    return end < 0 ? '' : text.slice(end + 1);
  }
  return text.slice(start);
}

/**
 * The client prefix: optional common name (no `:[]'"=`, may contain spaces and `/`),
 * optional 2.7 protocol, an IPv4 (possibly redacted with X), a bracketed or
 * bare IPv6 address, an optional port, optional DCO ` rx-peer-id=N`, a space.
 */
const CLIENT_PREFIX =
  /^(?:([^:[\]'"=]{1,64}?)\/)?(?:((?:udp|tcp)[46]?(?:-server|-client)?):)?((?:[0-9Xx]{1,4}\.){3}[0-9Xx]{0,4}|\[[0-9A-Fa-fXx:.]+\]|[0-9A-Fa-fXx]{0,4}(?::[0-9A-Fa-fXx]{0,4}){2,7})(?::(\d{1,5}))?(?: rx-peer-id=\d+)? (.*)$/;

/** Programs whose syslog lines are OpenVPN's (ident `openvpn`, `ovpn-server`, `openvpn-vtun0`, `openvpnas`). */
export const OPENVPN_PROGRAM = /^(?:openvpn|ovpn)/i;

/** True when a header looks like an OpenVPN framing (used by sniffing). */
export function hasOpenvpnHeader(line: string): boolean {
  const text = stripPriority(line);
  if (GATEWAY.test(text)) return true;
  if (ISO.test(text)) return true;
  if (CTIME.test(text)) return true;
  const syslog = SYSLOG.exec(text) ?? JOURNAL_ISO.exec(text);
  if (syslog !== null) {
    const program = syslog.length === 10 ? syslog[7] : syslog[3];
    return program !== undefined && OPENVPN_PROGRAM.test(program);
  }
  const rfc = RFC5424.exec(text);
  return rfc?.[3] !== undefined && OPENVPN_PROGRAM.test(rfc[3]);
}

function stripPriority(line: string): string {
  return line.charCodeAt(0) === 60 /* < */ ? line.replace(PRIORITY, '') : line;
}

/** Splits one line into header, client prefix and message; never throws. */
export function frameLine(line: string, clock: FramingClock): FramedLine | BrokenLine {
  const framed = frameText(stripPriority(line), clock);
  if (
    !('malformed' in framed) &&
    framed.time !== null &&
    (framed instanceof Frame
      ? framed.yearKnown || YEAR_FRAMINGS.has(framed.framing)
      : YEAR_FRAMINGS.has(framed.framing))
  ) {
    clock.anchor = framed.time;
  }
  return framed;
}

/** Framings whose timestamps carry a year. */
const YEAR_FRAMINGS: ReadonlySet<Framing> = new Set<Framing>([
  'gateway',
  'iso',
  'ctime',
  'rfc5424',
  'journal-iso',
  'journal-full',
  'journal-unix',
  'machine-readable',
]);

function frameText(text: string, clock: FramingClock): FramedLine | BrokenLine {
  const first = text.charCodeAt(0);
  if (first >= 48 && first <= 57) return frameDigitHeader(text, clock);
  if (first >= 65 && first <= 90 && hasNamedDateShape(text)) {
    return frameNamedHeader(text, clock);
  }
  if (first === 111 /* o */ || first === 79 /* O */) {
    // A router's syslog forwarded without its header: `ovpn-client1[812]: …`
    const bare = BARE_PROGRAM.exec(text);
    if (bare !== null) {
      const frame = new Frame(null, 'none');
      frame.program = bare[1];
      frame.pid = Number(bare[2]);
      return nested(frame, bare[3] ?? '', clock);
    }
  }
  return withClient(new Frame(null, 'none'), text);
}

/** `openvpn[123]: ` / `ovpn-server[901]: ` at the start of a line without a timestamp. */
const BARE_PROGRAM = /^((?:openvpn|ovpn)[^\s[\]:]*)\[(\d+)\]: ?(.*)$/i;

/** The mutable result of framing one line (one fixed shape for every line). */
class Frame implements FramedLine {
  server: string | undefined = undefined;
  program: string | undefined = undefined;
  pid: number | undefined = undefined;
  client: ClientPrefix | undefined = undefined;
  message = '';
  /** True when the time came from a timestamp with a year (also one nested in syslog). */
  yearKnown = false;
  constructor(
    public time: number | null,
    public framing: Framing,
  ) {}
}

/** Value of `length` ASCII digits at `start`, or -1. */
function digits(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

/** `hh:mm:ss` at `start` → [h, m, s] read into `out`; false when the shape is wrong. */
function clockAt(text: string, start: number): number {
  if (text.charCodeAt(start + 2) !== 58 || text.charCodeAt(start + 5) !== 58) return -1;
  const hour = digits(text, start, 2);
  const minute = digits(text, start + 3, 2);
  const second = digits(text, start + 6, 2);
  if (hour < 0 || minute < 0 || second < 0) return -1;
  return hour * 10_000 + minute * 100 + second;
}

function timeOf(
  clock: FramingClock,
  year: number,
  month: number,
  day: number,
  hms: number,
): number | null {
  if (year < 0 || month < 0 || day < 0) return null;
  return clock.toEpoch(
    year,
    month,
    day,
    Math.floor(hms / 10_000),
    Math.floor(hms / 100) % 100,
    hms % 100,
  );
}

/** `YYYY?MM?DD hh:mm:ss` with `separator` between the date parts; -2 = not this shape, null = invalid. */
function fixedDateTime(
  text: string,
  separator: number,
  clock: FramingClock,
): number | null | undefined {
  if (
    text.charCodeAt(4) !== separator ||
    text.charCodeAt(7) !== separator ||
    text.charCodeAt(10) !== 32
  ) {
    return undefined;
  }
  const hms = clockAt(text, 11);
  if (hms < 0) return undefined;
  return timeOf(clock, digits(text, 0, 4), digits(text, 5, 2), digits(text, 8, 2), hms);
}

function frameDigitHeader(text: string, clock: FramingClock): FramedLine | BrokenLine {
  // Fast paths: the fixed-width gateway and ISO forms.
  const slashTime =
    text.length > 20 && text.charCodeAt(19) === 32 ? fixedDateTime(text, 47, clock) : undefined;
  if (slashTime !== undefined) {
    if (slashTime === null)
      return { malformed: `invalid gateway timestamp "${text.slice(0, 19)}"` };
    const end = text.indexOf(' ', 20);
    const tunnel = end < 0 ? text.slice(20) : text.slice(20, end);
    if (tunnel !== '' && !tunnel.includes('/')) {
      if (end < 0 || end + 1 >= text.length) {
        return { malformed: 'no message after the gateway timestamp and tunnel id' };
      }
      const frame = new Frame(slashTime, 'gateway');
      frame.server = tunnel;
      return withClient(frame, text.slice(end + 1));
    }
  }
  const dashTime =
    text.length >= 19 && (text.length === 19 || text.charCodeAt(19) === 32)
      ? fixedDateTime(text, 45, clock)
      : undefined;
  if (dashTime !== undefined) {
    if (dashTime === null) return { malformed: `invalid timestamp "${text.slice(0, 19)}"` };
    let start = 20;
    if (text.startsWith('us=', start)) {
      const end = text.indexOf(' ', start);
      start = end < 0 ? text.length : end + 1;
    }
    if (start >= text.length) return { malformed: 'no message after the timestamp' };
    return nested(new Frame(dashTime, 'iso'), text.slice(start), clock);
  }
  const fifth = text.charCodeAt(4);
  if (fifth === 47 /* / */) {
    const match = GATEWAY.exec(text);
    if (match !== null) {
      const time = wallClock(clock, match, 1);
      if (time === null) return { malformed: `invalid gateway timestamp "${text.slice(0, 19)}"` };
      if (match[8] === undefined || match[8] === '') {
        return { malformed: 'no message after the gateway timestamp and tunnel id' };
      }
      const frame = new Frame(time, 'gateway');
      frame.server = match[7];
      return withClient(frame, match[8]);
    }
    if (GATEWAY_SHAPE.test(text)) {
      return {
        malformed: `gateway timestamp is not "YYYY/MM/DD hh:mm:ss <tunnel id>": "${text.slice(0, 30)}"`,
      };
    }
  } else if (fifth === 45 /* - */) {
    const journal = journalIso(text, clock);
    if (journal !== undefined) return journal;
    const match = JOURNAL_ISO.exec(text);
    if (match !== null) {
      const stamp = match[1] ?? '';
      const time = Date.parse(
        stamp.charCodeAt(stamp.length - 3) === 58 ? stamp : normaliseOffset(stamp),
      );
      if (Number.isNaN(time)) return { malformed: `invalid timestamp "${match[1]}"` };
      return syslogBody(time, 'journal-iso', match[2], match[3], match[4], match[5] ?? '', clock);
    }
    if (ISO_SHAPE.test(text)) {
      return {
        malformed: `timestamp is not OpenVPN's "YYYY-MM-DD hh:mm:ss[ us=N]": "${text.slice(0, 30)}"`,
      };
    }
  } else if (text.charCodeAt(1) === 32) {
    const match = RFC5424.exec(text);
    if (match !== null) {
      const time = Date.parse(match[1] ?? '');
      if (Number.isNaN(time)) return { malformed: `invalid RFC 5424 timestamp "${match[1]}"` };
      if (!isEventTime(time)) {
        return { malformed: `RFC 5424 timestamp out of range (1970 to 9999): "${match[1]}"` };
      }
      const frame = new Frame(time, 'rfc5424');
      if (match[2] !== '-') frame.server = match[2];
      frame.program = match[3];
      const pid = Number(match[4]);
      if (Number.isInteger(pid)) frame.pid = pid;
      return nested(frame, match[6] ?? '', clock);
    }
  } else if (
    text.charCodeAt(10) === 46 ||
    text.charCodeAt(9) === 46 ||
    text.charCodeAt(11) === 46
  ) {
    const match = UNIX_SECONDS.exec(text);
    if (match !== null) {
      const time = Number(match[1]) * 1000 + Math.floor(Number(match[2]) / 1000);
      const rest = match[3] ?? '';
      const tail = SYSLOG_TAIL.exec(rest);
      if (tail !== null && tail[2] !== undefined && OPENVPN_PROGRAM.test(tail[2])) {
        return syslogBody(time, 'journal-unix', tail[1], tail[2], tail[3], tail[4] ?? '', clock);
      }
      const machine = MACHINE_READABLE_TAIL.exec(rest);
      if (machine !== null) {
        return withClient(new Frame(time, 'machine-readable'), machine[1] ?? '');
      }
    }
  }
  return withClient(new Frame(null, 'none'), text);
}

/**
 * `[host ]program[pid]: ` from `start`: sets host, program and pid on
 * `frame` and returns where the body starts, or -1 when it is not that shape.
 */
function syslogTail(frame: Frame, text: string, start: number): number {
  const firstEnd = text.indexOf(' ', start);
  const first = firstEnd < 0 ? text.length : firstEnd;
  let programStart = start;
  let programEnd = first;
  if (text.charCodeAt(first - 1) !== 58 /* : */) {
    if (firstEnd < 0) return -1;
    for (let i = start; i < first; i++) {
      const code = text.charCodeAt(i);
      if (code === 91 || code === 93) return -1;
    }
    frame.server = text.slice(start, first);
    programStart = first + 1;
    const secondEnd = text.indexOf(' ', programStart);
    programEnd = secondEnd < 0 ? text.length : secondEnd;
    if (text.charCodeAt(programEnd - 1) !== 58) return -1;
  }
  const open = text.indexOf('[', programStart);
  if (open > programStart && open < programEnd) {
    if (text.charCodeAt(programEnd - 2) !== 93) return -1;
    const pid = digits(text, open + 1, programEnd - 2 - open - 1);
    if (pid < 0) return -1;
    frame.program = text.slice(programStart, open);
    frame.pid = pid;
  } else {
    if (programEnd - 1 <= programStart) return -1;
    frame.program = text.slice(programStart, programEnd - 1);
    for (let i = programStart; i < programEnd - 1; i++) {
      const code = text.charCodeAt(i);
      if (code === 58 || code === 91 || code === 93) return -1;
    }
  }
  return programEnd + 1;
}

/** The last hour `utcHourStart` computed (year, month, day, hour packed) and its epoch ms. */
let lastUtcHour = -1;
let lastUtcHourStart = 0;

/** `Date.UTC(year, month - 1, day, hour)` for valid fields, remembered for the last hour asked. */
function utcHourStart(year: number, month: number, day: number, hour: number): number {
  const packed = ((year * 13 + month) * 32 + day) * 24 + hour;
  if (packed !== lastUtcHour) {
    lastUtcHour = packed;
    lastUtcHourStart = Date.UTC(year, month - 1, day, hour);
  }
  return lastUtcHourStart;
}

/** journalctl `short-iso` / `short-iso-precise`: `YYYY-MM-DDThh:mm:ss[.f][Z|±hh[:]mm] host prog[pid]: `. */
function journalIso(text: string, clock: FramingClock): FramedLine | BrokenLine | undefined {
  if (text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 /* T */) return undefined;
  const hms = clockAt(text, 11);
  if (hms < 0) return undefined;
  let at = 19;
  let millisecond = 0;
  if (text.charCodeAt(at) === 46) {
    let end = at + 1;
    while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
    millisecond = digits(text, at + 1, Math.min(3, end - at - 1));
    if (end - at - 1 < 3) millisecond *= 10 ** (3 - (end - at - 1));
    at = end;
  }
  let offsetMinutes = 0;
  const sign = text.charCodeAt(at);
  if (sign === 90 /* Z */) at++;
  else if (sign === 43 || sign === 45) {
    const hours = digits(text, at + 1, 2);
    const colon = text.charCodeAt(at + 3) === 58 ? 1 : 0;
    const minutes = digits(text, at + 3 + colon, 2);
    if (hours < 0 || minutes < 0) return undefined;
    offsetMinutes = (sign === 43 ? 1 : -1) * (hours * 60 + minutes);
    at += 5 + colon;
  } else return undefined;
  if (text.charCodeAt(at) !== 32) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return { malformed: `invalid timestamp "${text.slice(0, at)}"` };
  }
  const hour = Math.floor(hms / 10_000);
  const minute = Math.floor(hms / 100) % 100;
  if (hour > 23 || minute > 59 || hms % 100 > 60) {
    return { malformed: `invalid timestamp "${text.slice(0, at)}"` };
  }
  const time =
    utcHourStart(year, month, day, hour) +
    minute * 60_000 +
    (hms % 100) * 1000 +
    millisecond -
    offsetMinutes * 60_000;
  const frame = new Frame(time, 'journal-iso');
  const body = syslogTail(frame, text, at + 1);
  if (body < 0) return undefined;
  return nested(frame, text.slice(body), clock);
}

/** The fixed-width ctime form `Www Mmm dd hh:mm:ss yyyy`; undefined when not that shape. */
function ctimeAt(text: string, clock: FramingClock): number | null | undefined {
  if (
    text.length < 24 ||
    text.charCodeAt(3) !== 32 ||
    text.charCodeAt(7) !== 32 ||
    text.charCodeAt(10) !== 32 ||
    text.charCodeAt(19) !== 32 ||
    (text.length > 24 && text.charCodeAt(24) !== 32) ||
    !WEEKDAY_CODES.has(threeLetters(text, 0))
  ) {
    return undefined;
  }
  const month = monthAt(text, 4);
  const day = text.charCodeAt(8) === 32 ? digits(text, 9, 1) : digits(text, 8, 2);
  const hms = clockAt(text, 11);
  const year = digits(text, 20, 4);
  if (month === undefined || hms < 0 || year < 0) return undefined;
  return timeOf(clock, year, month, day, hms);
}

function frameNamedHeader(text: string, clock: FramingClock): FramedLine | BrokenLine {
  const syslog = syslogFast(text, clock);
  if (syslog !== undefined) return syslog;
  const ctime = ctimeAt(text, clock);
  if (ctime !== undefined) {
    if (ctime === null) return { malformed: `invalid ctime timestamp "${text.slice(0, 24)}"` };
    if (text.length <= 25) return { malformed: 'no message after the timestamp' };
    const frame = new Frame(ctime, 'ctime');
    const rest = afterMicroseconds(text, 25);
    const logread = LOGREAD_TAIL.exec(rest);
    if (logread !== null) {
      // OpenWrt `logread`: `Sat Aug  5 11:37:27 2023 daemon.notice openvpn(server)[1234]: …`
      frame.program = logread[1];
      if (logread[2] !== undefined) frame.pid = Number(logread[2]);
      return nested(frame, logread[3] ?? '', clock);
    }
    return withClient(frame, rest);
  }
  let match = CTIME.exec(text);
  if (match !== null) {
    return { malformed: `invalid ctime timestamp "${text.slice(0, 24)}"` };
  }
  match = JOURNAL_FULL.exec(text);
  if (match !== null) {
    const utc = match[7] === 'UTC' || match[7] === 'GMT';
    const time = utc ? utcWallClock(match) : wallClock(clock, match, 1);
    if (time === null) return { malformed: `invalid timestamp "${text.slice(0, 24)}"` };
    return syslogBody(time, 'journal-full', match[8], match[9], match[10], match[11] ?? '', clock);
  }
  if (!SYSLOG_SHAPE.test(text)) {
    return {
      malformed: `timestamp is not ctime "Www Mmm dd hh:mm:ss yyyy" nor journald "Www yyyy-mm-dd hh:mm:ss zone": "${text.slice(0, 30)}"`,
    };
  }
  match = SYSLOG.exec(text);
  if (match === null) {
    return {
      malformed: `syslog header is not "Mmm dd hh:mm:ss [host] program[pid]:": "${text.slice(0, 40)}"`,
    };
  }
  const time = syslogTime(clock, match);
  if (time === null) return { malformed: `invalid syslog timestamp "${text.slice(0, 15)}"` };
  return syslogBody(time, 'syslog', match[6], match[7], match[8], match[9] ?? '', clock);
}

/** `Mmm dd hh:mm:ss [host ]program[pid]: ` read without a regex; undefined when not that shape. */
function syslogFast(text: string, clock: FramingClock): FramedLine | BrokenLine | undefined {
  if (text.charCodeAt(3) !== 32) return undefined;
  const month = monthAt(text, 0);
  if (month === undefined) return undefined;
  let day: number;
  let at: number;
  if (text.charCodeAt(4) === 32) {
    day = digits(text, 5, 1);
    at = 6;
  } else if (text.charCodeAt(5) === 32) {
    day = digits(text, 4, 1);
    at = 5;
  } else {
    day = digits(text, 4, 2);
    at = 6;
  }
  if (day < 0 || text.charCodeAt(at) !== 32 || text.charCodeAt(at + 9) !== 32) return undefined;
  const hms = clockAt(text, at + 1);
  if (hms < 0) return undefined;
  const frame = new Frame(null, 'syslog');
  const body = syslogTail(frame, text, at + 10);
  if (body < 0) return undefined;
  const hour = Math.floor(hms / 10_000);
  const minute = Math.floor(hms / 100) % 100;
  const second = hms % 100;
  const time = yearlessTime(clock, month, day, hour, minute, second);
  if (time === null) return { malformed: `invalid syslog timestamp "${text.slice(0, at + 9)}"` };
  frame.time = time;
  return nested(frame, text.slice(body), clock);
}

function syslogBody(
  time: number,
  framing: Framing,
  host: string | undefined,
  program: string | undefined,
  pid: string | undefined,
  body: string,
  clock: FramingClock,
): FramedLine | BrokenLine {
  const frame = new Frame(time, framing);
  frame.server = host;
  frame.program = program;
  if (pid !== undefined) frame.pid = Number(pid);
  return nested(frame, body, clock);
}

/** A syslog body may hold OpenVPN's own timestamp or the Access Server wrapper. */
function nested(frame: Frame, body: string, clock: FramingClock): FramedLine | BrokenLine {
  const first = body.charCodeAt(0);
  if (first === 91 /* [ */) {
    const wrapped = ACCESS_SERVER_OUT.exec(body) ?? ACCESS_SERVER_PLAIN.exec(body);
    if (wrapped !== null) return nested(frame, wrapped[wrapped.length - 1] ?? '', clock);
  } else if (first >= 48 && first <= 57) {
    if (body.length > 20 && body.charCodeAt(19) === 32) {
      const time = fixedDateTime(body, 45, clock);
      if (time !== undefined) {
        if (time !== null) {
          frame.time = time;
          frame.yearKnown = true;
        }
        let start = 20;
        if (body.startsWith('us=', start)) {
          const end = body.indexOf(' ', start);
          start = end < 0 ? body.length : end + 1;
        }
        return withClient(frame, body.slice(start));
      }
    }
  } else if (first >= 65 && first <= 90) {
    const time = ctimeAt(body, clock);
    if (time !== undefined && body.length > 25) {
      if (time !== null) {
        frame.time = time;
        frame.yearKnown = true;
      }
      return withClient(frame, afterMicroseconds(body, 25));
    }
  }
  return withClient(frame, body);
}

function isAddressChar(code: number): boolean {
  // 0-9 . : A-F a-f X x
  return (
    (code >= 48 && code <= 58) ||
    code === 46 ||
    (code >= 65 && code <= 70) ||
    (code >= 97 && code <= 102) ||
    code === 88 ||
    code === 120
  );
}

/**
 * Reads `cn/address[:port] ` (plain IPv4 or IPv6 after the last `/`) in one
 * pass over the prefix; other prefixes (protocol, brackets) go to `clientGeneral`.
 */
function clientFast(frame: Frame, body: string, space: number): boolean {
  let slash = -1;
  /** First character a common name may not hold (`:[]'"=`). */
  let firstForbidden = -1;
  // Address facts of the part after the last `/` (reset at each `/`); see clientGeneral.
  let plain = true;
  let dots = 0;
  let colons = 0;
  let lastColon = -1;
  let ipv4ish = true;
  let ipv4Dots = 0;
  let octet = 0;
  for (let i = 0; i < space; i++) {
    const code = body.charCodeAt(i);
    if (code === 47 /* / */) {
      slash = i;
      plain = true;
      dots = 0;
      colons = 0;
      lastColon = -1;
      ipv4ish = true;
      ipv4Dots = 0;
      octet = 0;
    } else if (code === 46 /* . */) {
      dots++;
      if (colons === 0) {
        if (octet === 0) ipv4ish = false;
        ipv4Dots++;
        octet = 0;
      }
    } else if (code === 58 /* : */) {
      colons++;
      lastColon = i;
      if (firstForbidden < 0) firstForbidden = i;
    } else if ((code >= 48 && code <= 57) || code === 88 || code === 120) {
      if (colons === 0 && ++octet > 4) ipv4ish = false;
    } else if ((code >= 65 && code <= 70) || (code >= 97 && code <= 102)) {
      if (colons === 0) ipv4ish = false;
    } else {
      plain = false;
      // [ ] ' " =
      if (
        firstForbidden < 0 &&
        (code === 91 || code === 93 || code === 39 || code === 34 || code === 61)
      ) {
        firstForbidden = i;
      }
    }
  }
  if (slash === 0) return false;
  if (slash > 0 && firstForbidden >= 0 && firstForbidden < slash) return false;
  if (!plain) {
    // Only a protocol (`udp4:`) or a bracketed address can make such a part an address.
    const first = body.charCodeAt(slash + 1);
    if (first !== 117 /* u */ && first !== 116 /* t */ && first !== 91 /* [ */) return false;
    return clientGeneral(frame, body, space, slash);
  }
  const start = slash + 1;
  let ip: string;
  let port: number | undefined;
  let keyIsToken = false;
  if (dots === 3 && colons <= 1) {
    const end = colons === 1 ? lastColon : space;
    if (!ipv4ish || ipv4Dots !== 3) return false;
    ip = body.slice(start, end);
    if (colons === 1) {
      const length = space - lastColon - 1;
      port = digits(body, lastColon + 1, length);
      if (port < 0 || length < 1 || length > 5) return false;
      keyIsToken = body.charCodeAt(lastColon + 1) !== 48 || length === 1;
    }
  } else if (dots === 0 && colons >= 2 && colons <= 7) {
    ip = body.slice(start, space);
  } else {
    return false;
  }
  return setClient(frame, body, space, slash, start, ip, port, undefined, keyIsToken);
}

/** `clientFast` for prefixes with a protocol, a bracketed address or other characters. */
function clientGeneral(frame: Frame, body: string, space: number, slash: number): boolean {
  let start = slash + 1;
  let protocol: string | undefined;
  const p0 = body.charCodeAt(start);
  if (
    (p0 === 117 || p0 === 116) &&
    (body.startsWith('udp', start) || body.startsWith('tcp', start))
  ) {
    const colon = body.indexOf(':', start);
    if (colon > start && colon < space) {
      const name = body.slice(start, colon);
      if (PROTOCOL.test(name)) {
        protocol = name;
        start = colon + 1;
      }
    }
  }
  let ip: string;
  let port: number | undefined;
  let keyIsToken = false;
  if (body.charCodeAt(start) === 91 /* [ */) {
    const close = body.indexOf(']', start);
    if (close < 0 || close > space) return false;
    for (let i = start + 1; i < close; i++) if (!isAddressChar(body.charCodeAt(i))) return false;
    ip = body.slice(start + 1, close);
    if (close + 1 < space) {
      if (body.charCodeAt(close + 1) !== 58) return false;
      port = digits(body, close + 2, space - close - 2);
      if (port < 0 || space - close - 2 > 5 || space - close - 2 < 1) return false;
    }
    if (ip.startsWith('::ffff:') && ip.includes('.')) ip = ip.slice(7);
  } else {
    let dots = 0;
    let colons = 0;
    let lastColon = -1;
    // Before any colon, also check the IPv4 shape: `a.b.c.d` with octets of
    // digits or redaction `X`s, 1–4 characters, the last 0–4.
    let ipv4ish = true;
    let ipv4Dots = 0;
    let octet = 0;
    for (let i = start; i < space; i++) {
      const code = body.charCodeAt(i);
      if (code === 46 /* . */) {
        dots++;
        if (colons === 0) {
          if (octet === 0) ipv4ish = false;
          ipv4Dots++;
          octet = 0;
        }
      } else if (code === 58 /* : */) {
        colons++;
        lastColon = i;
      } else if ((code >= 48 && code <= 57) || code === 88 || code === 120) {
        if (colons === 0 && ++octet > 4) ipv4ish = false;
      } else if ((code >= 65 && code <= 70) || (code >= 97 && code <= 102)) {
        if (colons === 0) ipv4ish = false;
      } else {
        return false;
      }
    }
    if (dots === 3 && colons <= 1) {
      const end = colons === 1 ? lastColon : space;
      if (!ipv4ish || ipv4Dots !== 3) return false;
      ip = body.slice(start, end);
      if (colons === 1) {
        const length = space - lastColon - 1;
        port = digits(body, lastColon + 1, length);
        if (port < 0 || length < 1 || length > 5) return false;
        keyIsToken = body.charCodeAt(lastColon + 1) !== 48 || length === 1;
      }
    } else if (dots === 0 && colons >= 2 && colons <= 7) {
      ip = body.slice(start, space);
    } else {
      return false;
    }
  }
  return setClient(frame, body, space, slash, start, ip, port, protocol, keyIsToken);
}

/** Sets the client read from `body` and the message after it (and after ` rx-peer-id=N`). */
function setClient(
  frame: Frame,
  body: string,
  space: number,
  slash: number,
  start: number,
  ip: string,
  port: number | undefined,
  protocol: string | undefined,
  keyIsToken: boolean,
): boolean {
  let messageStart = space + 1;
  if (
    body.charCodeAt(messageStart) === 114 /* r */ &&
    body.startsWith('rx-peer-id=', messageStart)
  ) {
    const end = body.indexOf(' ', messageStart);
    if (end < 0) return false;
    messageStart = end + 1;
  }
  frame.client = {
    commonName: slash > 0 ? body.slice(0, slash) : undefined,
    ip,
    port,
    protocol,
    // The token is already `ip:port` for IPv4 (unless the port has a leading zero).
    key: keyIsToken ? body.slice(start, space) : clientKey(ip, port),
  };
  frame.message = body.slice(messageStart);
  return true;
}

const PROTOCOL = /^(?:udp|tcp)[46]?(?:-server|-client)?$/;
function withClient(frame: Frame, text: string): Frame {
  // Some writers put extra spaces before the client prefix or the message.
  const body = text.charCodeAt(0) === 32 ? text.trimStart() : text;
  frame.message = body;
  if (body.length < 4) return frame;
  const space = body.indexOf(' ');
  if (space < 0) return frame;
  if (clientFast(frame, body, space) || otherPrefix(frame, body, space)) {
    if (frame.message.charCodeAt(0) === 32) frame.message = frame.message.trimStart();
    return frame;
  }
  // A common name with spaces: a `/` comes before any `:` near the start.
  const slash = body.indexOf('/');
  if (slash < 0 || slash > 64) return frame;
  const colon = body.indexOf(':');
  if (colon >= 0 && colon < slash) return frame;
  const match = CLIENT_PREFIX.exec(body);
  if (match === null) return frame;
  let ip = match[3] ?? '';
  if (ip.charCodeAt(0) === 91) ip = ip.slice(1, -1);
  if (ip.startsWith('::ffff:') && ip.includes('.')) ip = ip.slice(7);
  const port = match[4] === undefined ? undefined : Number(match[4]);
  frame.client = { commonName: match[1], ip, port, protocol: match[2], key: clientKey(ip, port) };
  frame.message = match[5] ?? '';
  return frame;
}

/** `Connection Attempt ` (OpenVPN's prefix before a new client's address is known, seen in syslog). */
const CONNECTION_ATTEMPT = 'Connection Attempt ';
/** A client named by host name and port (`vpn.example.com:51851`, `cn/host:port`): a DNS name with a dot. */
const HOST_PORT =
  /^(?:([^:[\]'"=\s/]{1,64})\/)?([A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)+):(\d{1,5})$/;

/**
 * Client prefixes that are not addresses: `Connection Attempt `, or a host
 * name with a port. The message keeps its category; a host name stands for the
 * address (it is what the log gives).
 */
function otherPrefix(frame: Frame, body: string, space: number): boolean {
  const first = body.charCodeAt(0);
  if (first === 67 /* C */ && body.startsWith(CONNECTION_ATTEMPT)) {
    frame.message = body.slice(CONNECTION_ATTEMPT.length);
    return true;
  }
  const colon = body.lastIndexOf(':', space);
  if (colon < 0 || body.charCodeAt(space - 1) === 58) return false;
  const match = HOST_PORT.exec(body.slice(0, space));
  if (match === null) return false;
  const ip = match[2] ?? '';
  const port = Number(match[3]);
  frame.client = { commonName: match[1], ip, port, key: clientKey(ip, port) };
  frame.message = body.slice(space + 1);
  return true;
}

function normaliseOffset(iso: string): string {
  // `+0900` (journalctl short-iso before systemd 246) → `+09:00`.
  return iso.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}

function wallClock(clock: FramingClock, match: RegExpExecArray, from: number): number | null {
  return clock.toEpoch(
    Number(match[from]),
    Number(match[from + 1]),
    Number(match[from + 2]),
    Number(match[from + 3]),
    Number(match[from + 4]),
    Number(match[from + 5]),
  );
}

function utcWallClock(match: RegExpExecArray): number | null {
  const time = Date.UTC(
    Number(match[1]),
    Number(match[2]) - 1,
    Number(match[3]),
    Number(match[4]),
    Number(match[5]),
    Number(match[6]),
  );
  return Number.isNaN(time) ? null : time;
}

const FUTURE_TOLERANCE_MS = 2 * 24 * 3_600_000;

/**
 * Syslog times have no year: take the reference instant's year, or the year
 * before when that would put the line more than two days in the future
 * (a December line read in January).
 */
function syslogTime(clock: FramingClock, match: RegExpExecArray): number | null {
  const month = monthNumber(match[1] ?? '');
  if (month === undefined) return null;
  return yearlessTime(
    clock,
    month,
    Number(match[2]),
    Number(match[3]),
    Number(match[4]),
    Number(match[5]),
  );
}

/**
 * A wall-clock time without a year (syslog). The year is that of the last
 * line of the stream that had one (`clock.anchor`), one later when that would
 * put the line more than two days before it (December, then January); without
 * such a line, the year of the reference instant (delivery time or clock).
 * Never more than two days after the reference: then the year before.
 */
function yearlessTime(
  clock: FramingClock,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number | null {
  const anchor = clock.anchor ?? null;
  let year = anchor === null ? clock.referenceYear() : new Date(anchor).getUTCFullYear();
  const at = (y: number): number | null => clock.toEpoch(y, month, day, hour, minute, second);
  let time = at(year);
  if (time === null && month === 2 && day === 29) {
    // 29 February of a leap year read in a common year.
    year -= 1;
    time = at(year);
  }
  if (time === null) return null;
  if (anchor !== null && time < anchor - FUTURE_TOLERANCE_MS) {
    const next = at(year + 1);
    if (next !== null && next <= clock.reference + FUTURE_TOLERANCE_MS) return next;
  }
  return time > clock.reference + FUTURE_TOLERANCE_MS ? at(year - 1) : time;
}

const ADDRESS_IN_MESSAGE = /\[AF_INET6?\]\s*(\S+?)(?::(\d{1,5}))?(?:[,\s)]|$)/;

/**
 * `addressInMessage` for the usual text (printable ASCII, no space after the
 * tag), read with indexOf; undefined when the regex must decide.
 */
function addressQuick(text: string): { ip: string; port?: number } | undefined {
  const tag = text.indexOf('[AF_INET');
  if (tag < 0) return undefined;
  let start = tag + 8;
  if (text.charCodeAt(start) === 54 /* 6 */) start++;
  if (text.charCodeAt(start) !== 93 /* ] */) return undefined;
  start++;
  // The token ends at the first `,`, space or `)`; the port is what follows its last `:`.
  let end = start;
  let lastColon = -1;
  for (; end < text.length; end++) {
    const code = text.charCodeAt(end);
    if (code === 32 || code === 44 || code === 41) break;
    if (code < 33 || code > 126) return undefined;
    if (code === 58) lastColon = end;
  }
  if (end === start) return undefined;
  let ip: string;
  let port: number | undefined;
  const portLength = end - lastColon - 1;
  const portValue =
    lastColon > start && portLength >= 1 && portLength <= 5
      ? digits(text, lastColon + 1, portLength)
      : -1;
  if (portValue >= 0) {
    ip = text.slice(start, lastColon);
    port = portValue;
  } else {
    ip = text.slice(start, end);
  }
  if (ip.startsWith('::ffff:') && ip.includes('.')) ip = ip.slice(7);
  return port === undefined ? { ip } : { ip, port };
}

/** Address and port written `[AF_INET]a.b.c.d:p` / `[AF_INET6]…:p` inside a message. */
export function addressInMessage(text: string): { ip: string; port?: number } | undefined {
  const quick = addressQuick(text);
  if (quick !== undefined) return quick;
  const match = ADDRESS_IN_MESSAGE.exec(text);
  if (match === null) return undefined;
  let ip = match[1] ?? '';
  if (ip.startsWith('::ffff:') && ip.includes('.')) ip = ip.slice(7);
  return match[2] === undefined ? { ip } : { ip, port: Number(match[2]) };
}
