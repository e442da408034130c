/**
 * OpenVPN line framing: what precedes the message. Recognised per line, in
 * this order (reference openvpn-softether.md §1.1–1.2):
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
import { localTimeToEpoch, monthNumber } from '../time.ts';

/** The client an OpenVPN multi-instance prefix names. */
export interface ClientPrefix {
  /** Common name (the user name on the gateway and with `--username-as-common-name`). */
  readonly commonName?: string;
  readonly ip: string;
  readonly port?: number;
  /** Transport the 2.7+ prefix names (`udp4`, `tcp4-server`, …). */
  readonly protocol?: string;
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
const NAMED_SHAPE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}\d/;
const WEEKDAY_SHAPE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:[A-Z][a-z]{2} |\d{4}-)/;
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
  const text = stripPriority(line);
  const first = text.charCodeAt(0);
  if (first >= 48 && first <= 57) return frameDigitHeader(text, clock);
  if (first >= 65 && first <= 90 && (NAMED_SHAPE.test(text) || WEEKDAY_SHAPE.test(text))) {
    return frameNamedHeader(text, clock);
  }
  return withClient({ time: null, framing: 'none' }, text);
}

function frameDigitHeader(text: string, clock: FramingClock): FramedLine | BrokenLine {
  let match = GATEWAY.exec(text);
  if (match !== null) {
    const time = wallClock(clock, match, 1);
    if (time === null) return { malformed: `invalid gateway timestamp "${text.slice(0, 19)}"` };
    if (match[8] === undefined || match[8] === '') {
      return { malformed: 'no message after the gateway timestamp and tunnel id' };
    }
    return withClient({ time, framing: 'gateway', server: match[7] }, match[8]);
  }
  if (GATEWAY_SHAPE.test(text)) {
    return {
      malformed: `gateway timestamp is not "YYYY/MM/DD hh:mm:ss <tunnel id>": "${text.slice(0, 30)}"`,
    };
  }
  match = ISO.exec(text);
  if (match !== null) {
    const time = wallClock(clock, match, 1);
    if (time === null) return { malformed: `invalid timestamp "${text.slice(0, 19)}"` };
    if (match[7] === undefined || match[7] === '') {
      return { malformed: 'no message after the timestamp' };
    }
    return nested({ time, framing: 'iso' }, match[7], clock);
  }
  match = JOURNAL_ISO.exec(text);
  if (match !== null) {
    const time = Date.parse(normaliseOffset(match[1] ?? ''));
    if (Number.isNaN(time)) return { malformed: `invalid timestamp "${match[1]}"` };
    return syslogBody(time, 'journal-iso', match[2], match[3], match[4], match[5] ?? '', clock);
  }
  if (ISO_SHAPE.test(text)) {
    return {
      malformed: `timestamp is not OpenVPN's "YYYY-MM-DD hh:mm:ss[ us=N]": "${text.slice(0, 30)}"`,
    };
  }
  match = RFC5424.exec(text);
  if (match !== null) {
    const time = Date.parse(match[1] ?? '');
    if (Number.isNaN(time)) return { malformed: `invalid RFC 5424 timestamp "${match[1]}"` };
    const pid = match[4] === '-' ? undefined : Number(match[4]);
    return nested(
      {
        time,
        framing: 'rfc5424',
        ...(match[2] === '-' ? {} : { server: match[2] }),
        program: match[3],
        ...(pid !== undefined && Number.isInteger(pid) ? { pid } : {}),
      },
      match[6] ?? '',
      clock,
    );
  }
  match = UNIX_SECONDS.exec(text);
  if (match !== null) {
    const time = Number(match[1]) * 1000 + Math.floor(Number(match[2]) / 1000);
    const rest = match[3] ?? '';
    const tail = SYSLOG_TAIL.exec(rest);
    if (tail !== null && tail[2] !== undefined && OPENVPN_PROGRAM.test(tail[2])) {
      return syslogBody(time, 'journal-unix', tail[1], tail[2], tail[3], tail[4] ?? '', clock);
    }
    const machine = MACHINE_READABLE_TAIL.exec(rest);
    if (machine !== null)
      return withClient({ time, framing: 'machine-readable' }, machine[1] ?? '');
  }
  return withClient({ time: null, framing: 'none' }, text);
}

function frameNamedHeader(text: string, clock: FramingClock): FramedLine | BrokenLine {
  let match = CTIME.exec(text);
  if (match !== null) {
    const time = ctimeToEpoch(clock, match);
    if (time === null) return { malformed: `invalid ctime timestamp "${text.slice(0, 24)}"` };
    if (match[7] === undefined || match[7] === '') {
      return { malformed: 'no message after the timestamp' };
    }
    return withClient({ time, framing: 'ctime' }, match[7]);
  }
  match = JOURNAL_FULL.exec(text);
  if (match !== null) {
    const zone = match[7] === 'UTC' || match[7] === 'GMT' ? 'UTC' : clock.timeZone;
    const time = wallClock({ ...clock, timeZone: zone }, match, 1);
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

function syslogBody(
  time: number,
  framing: Framing,
  host: string | undefined,
  program: string | undefined,
  pid: string | undefined,
  body: string,
  clock: FramingClock,
): FramedLine | BrokenLine {
  return nested(
    {
      time,
      framing,
      ...(host === undefined ? {} : { server: host }),
      ...(program === undefined ? {} : { program }),
      ...(pid === undefined ? {} : { pid: Number(pid) }),
    },
    body,
    clock,
  );
}

type Header = Omit<FramedLine, 'message' | 'client'>;

/** A syslog body may hold OpenVPN's own timestamp or the Access Server wrapper. */
function nested(header: Header, body: string, clock: FramingClock): FramedLine | BrokenLine {
  const first = body.charCodeAt(0);
  if (first === 91 /* [ */) {
    const wrapped = ACCESS_SERVER_OUT.exec(body) ?? ACCESS_SERVER_PLAIN.exec(body);
    if (wrapped !== null) {
      const inner = wrapped[wrapped.length - 1] ?? '';
      return nested(header, inner, clock);
    }
  } else if (first >= 48 && first <= 57) {
    const iso = ISO.exec(body);
    if (iso?.[7] !== undefined) {
      return withClient({ ...header, time: wallClock(clock, iso, 1) ?? header.time }, iso[7]);
    }
  } else if (first >= 65 && first <= 90) {
    const ctime = CTIME.exec(body);
    if (ctime?.[7] !== undefined) {
      return withClient({ ...header, time: ctimeToEpoch(clock, ctime) ?? header.time }, ctime[7]);
    }
  }
  return withClient(header, body);
}

function withClient(header: Header, body: string): FramedLine {
  const first = body.charCodeAt(0);
  // A prefix starts with a digit, `[`, a hex/redacted letter, or a common name.
  if (body.length < 4 || first === 32) return { ...header, message: body };
  const match = CLIENT_PREFIX.exec(body);
  if (match === null) return { ...header, message: body };
  let ip = match[3] ?? '';
  if (ip.charCodeAt(0) === 91) ip = ip.slice(1, -1);
  if (ip.startsWith('::ffff:') && ip.includes('.')) ip = ip.slice(7);
  const port = match[4] === undefined ? undefined : Number(match[4]);
  const client: ClientPrefix = {
    ip,
    ...(match[1] === undefined ? {} : { commonName: match[1] }),
    ...(port === undefined ? {} : { port }),
    ...(match[2] === undefined ? {} : { protocol: match[2] }),
  };
  return { ...header, client, message: match[5] ?? '' };
}

function normaliseOffset(iso: string): string {
  // `+0900` (journalctl short-iso before systemd 246) → `+09:00`.
  return iso.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}

function wallClock(clock: FramingClock, match: RegExpExecArray, from: number): number | null {
  return localTimeToEpoch(
    clock.timeZone,
    Number(match[from]),
    Number(match[from + 1]),
    Number(match[from + 2]),
    Number(match[from + 3]),
    Number(match[from + 4]),
    Number(match[from + 5]),
  );
}

function ctimeToEpoch(clock: FramingClock, match: RegExpExecArray): number | null {
  const month = monthNumber(match[1] ?? '');
  if (month === undefined) return null;
  return localTimeToEpoch(
    clock.timeZone,
    Number(match[6]),
    month,
    Number(match[2]),
    Number(match[3]),
    Number(match[4]),
    Number(match[5]),
  );
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
  const year = new Date(clock.reference).getUTCFullYear();
  const at = (y: number): number | null =>
    localTimeToEpoch(
      clock.timeZone,
      y,
      month,
      Number(match[2]),
      Number(match[3]),
      Number(match[4]),
      Number(match[5]),
    );
  const time = at(year);
  if (time === null) {
    // 29 February of a leap year read in a common year.
    return month === 2 && Number(match[2]) === 29 ? at(year - 1) : null;
  }
  return time > clock.reference + FUTURE_TOLERANCE_MS ? at(year - 1) : time;
}

/** Address and port written `[AF_INET]a.b.c.d:p` / `[AF_INET6]…:p` inside a message. */
export function addressInMessage(text: string): { ip: string; port?: number } | undefined {
  const match = /\[AF_INET6?\]\s*(\S+?)(?::(\d{1,5}))?(?:[,\s)]|$)/.exec(text);
  if (match === null) return undefined;
  let ip = match[1] ?? '';
  if (ip.startsWith('::ffff:') && ip.includes('.')) ip = ip.slice(7);
  return match[2] === undefined ? { ip } : { ip, port: Number(match[2]) };
}
