/**
 * Line framing of SoftEther / PacketiX logs: what precedes the message.
 *
 * - file form: `YYYY-MM-DD hh:mm:ss.mmm message` (local time, CRLF);
 * - syslog form: `[host/VPN/hub] (datetime) <SECURITY_LOG>: message`, possibly
 *   after a syslog receiver's own prefix;
 * - inside the message: `[HUB "name"] ` (hub events copied into the server
 *   log), the admin tags `Administration mode [RPC-n]: ` and
 *   `Administration mode [RPC-n] (Virtual Hub "name"): `, and protocol prefixes
 *   (IPsec, PPP/L2TP, EtherIP, OpenVPN, WireGuard, generic `[proto] a:p -> b:p`,
 *   SecureNAT).
 */
import { localTimeToEpoch } from '../time.ts';

/** Where a line's message begins and what its header said. */
export interface LineHeader {
  /** Event time, epoch ms UTC; null when the timestamp is missing or invalid. */
  readonly time: number | null;
  /** Why the timestamp could not be read (set when `time` is null). */
  readonly timeError?: string;
  /** The text after the timestamp (or after the syslog header). */
  readonly message: string;
  /** Syslog form: the log type named in `<…>`. */
  readonly syslogType?: string;
  /** Syslog form: the machine name. */
  readonly host?: string;
  /** Syslog form: the hub named in the header. */
  readonly hub?: string;
  /** True for a packet-log row (`date,time,…`); `message` is then the CSV after `date,time,`. */
  readonly csv?: boolean;
}

const DIGIT_0 = 48;

function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i) - DIGIT_0;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

/** Cache of the last second read: consecutive lines usually share it. */
interface SecondCache {
  key: string;
  epoch: number | null;
}

/**
 * Reads `YYYY-MM-DD?hh:mm:ss.mmm` at `start` of `text` in `timeZone` (any
 * separator between date and time). Returns epoch ms, or a reason string.
 */
export function readTimestamp(
  text: string,
  start: number,
  timeZone: string,
  cache?: SecondCache,
): number | string {
  if (text.length < start + 23) return 'timestamp too short: expected YYYY-MM-DD hh:mm:ss.mmm';
  if (
    text.charCodeAt(start + 4) !== 45 ||
    text.charCodeAt(start + 7) !== 45 ||
    text.charCodeAt(start + 13) !== 58 ||
    text.charCodeAt(start + 16) !== 58 ||
    text.charCodeAt(start + 19) !== 46
  ) {
    return 'timestamp does not have the form YYYY-MM-DD hh:mm:ss.mmm';
  }
  const millisecond = digits(text, start + 20, 3);
  if (cache !== undefined && cache.key !== '' && text.startsWith(cache.key, start)) {
    if (cache.epoch === null || millisecond < 0) {
      return `invalid timestamp "${text.slice(start, start + 23)}"`;
    }
    return cache.epoch + millisecond;
  }
  const secondKey = text.slice(start, start + 19);
  const year = digits(text, start, 4);
  const month = digits(text, start + 5, 2);
  const day = digits(text, start + 8, 2);
  const hour = digits(text, start + 11, 2);
  const minute = digits(text, start + 14, 2);
  const second = digits(text, start + 17, 2);
  let epoch: number | null = null;
  if (year >= 0 && month >= 0 && day >= 0 && hour >= 0 && minute >= 0 && second >= 0) {
    epoch = localTimeToEpoch(timeZone, year, month, day, hour, minute, second, 0);
  }
  if (cache !== undefined) {
    cache.key = secondKey;
    cache.epoch = epoch;
  }
  if (epoch === null || millisecond < 0) {
    return `invalid timestamp "${text.slice(start, start + 23)}"`;
  }
  return epoch + millisecond;
}

/** Creates the per-parser cache used by `readTimestamp`. */
export function newSecondCache(): SecondCache {
  return { key: '', epoch: null };
}

const SYSLOG_HEADER =
  /\[([^\]/]+)\/VPN(?:\/([^\]]*))?\] \(([^)]*)\) <(SERVER_LOG|SECURITY_LOG|PACKET_LOG)>: ?/;
const RFC3339_ZONE = /(?:Z|[+-]\d\d:?\d\d)$/;

/** True when the line looks like a SoftEther file line or syslog line. */
export function looksLikeSoftether(line: string): boolean {
  if (line.length >= 24) {
    const separator = line.charCodeAt(23);
    if (
      (separator === 32 || separator === 44) &&
      line.charCodeAt(10) === (separator === 44 ? 44 : 32) &&
      line.charCodeAt(19) === 46 &&
      line.charCodeAt(4) === 45 &&
      line.charCodeAt(13) === 58 &&
      digits(line, 0, 4) >= 0 &&
      digits(line, 20, 3) >= 0
    ) {
      return true;
    }
  }
  return line.includes('/VPN') && SYSLOG_HEADER.test(line);
}

/**
 * Splits a line into header and message. Never throws: an unreadable
 * timestamp gives `time: null` and `timeError`.
 */
export function readHeader(line: string, timeZone: string, cache?: SecondCache): LineHeader {
  const first = line.charCodeAt(0);
  const separator = line.charCodeAt(10);
  if (
    first >= DIGIT_0 &&
    first <= DIGIT_0 + 9 &&
    line.charCodeAt(4) === 45 &&
    (separator === 32 || separator === 44)
  ) {
    const csv = separator === 44;
    const time = readTimestamp(line, 0, timeZone, cache);
    const rest = line.charCodeAt(23) === (csv ? 44 : 32) ? line.slice(24) : line.slice(23);
    if (typeof time === 'string') {
      return { time: null, timeError: time, message: rest, ...(csv ? { csv } : {}) };
    }
    return { time, message: rest, ...(csv ? { csv } : {}) };
  }
  if (line.includes('/VPN')) {
    const match = SYSLOG_HEADER.exec(line);
    if (match !== null) {
      const [whole, host = '', hub, stamp = '', type = ''] = match;
      const message = line.slice((match.index ?? 0) + whole.length);
      const time = syslogTime(stamp, timeZone);
      const base = {
        message,
        syslogType: type,
        host,
        ...(hub === undefined || hub === '' ? {} : { hub }),
      };
      return typeof time === 'string'
        ? { time: null, timeError: time, ...base }
        : { time, ...base };
    }
  }
  return { time: null, timeError: 'no timestamp: expected YYYY-MM-DD hh:mm:ss.mmm', message: line };
}

function syslogTime(stamp: string, timeZone: string): number | string {
  if (RFC3339_ZONE.test(stamp)) {
    const parsed = Date.parse(stamp);
    return Number.isNaN(parsed) ? `invalid syslog datetime "${stamp}"` : parsed;
  }
  const padded = stamp.length === 19 ? `${stamp}.000` : stamp;
  return readTimestamp(padded, 0, timeZone);
}

/** Prefixes inside the message, outermost first. */
export interface MessageFrame {
  /** The text the catalog classifies. */
  readonly body: string;
  /** The message without the `[HUB "x"] ` prefix (what the security log holds). */
  readonly hubMessage: string;
  readonly hub?: string;
  /** `RPC-n` of an admin action. */
  readonly rpc?: string;
  /** Hub named in the admin tag. */
  readonly adminHub?: string;
  /** Protocol named by a protocol prefix: `ipsec`, `ppp`, `etherip`, `openvpn`, `wireguard`, `securenat`, or the generic prefix's name. */
  readonly protocol?: string;
  readonly clientIp?: string;
  readonly clientPort?: number;
  readonly serverIp?: string;
  readonly serverPort?: number;
}

const HUB_PREFIX = '[HUB "';
/** `Administration mode` in English, Japanese (管理モード) and Chinese (simplified, traditional) builds. */
const ADMIN_TAG =
  /^(?:Administration mode|管理モード|管理模式) [["]([^\]"]+)[\]"](?: \((?:Virtual Hub|仮想 HUB|虚拟 HUB|虛擬 HUB) "([^"]*)"\))?: ?/;

interface ProtocolPrefix {
  readonly protocol: string;
  /** Cheap test before the regular expression runs. */
  readonly lead: string;
  readonly pattern: RegExp;
}

/** Protocol prefixes (strtable LI_, LP_, LE_, LO_, LW_, LP_PREFIX_SESSION, NLog). */
const PROTOCOL_PREFIXES: readonly ProtocolPrefix[] = [
  {
    protocol: 'ipsec',
    lead: 'IPsec ',
    pattern:
      /^IPsec (?:IKE Session \(IKE SA\) \d+ \(Client: \d+\) |ESP Session \(IPsec SA\) \d+ \(Client: \d+\) |Client \d+ )\((?<clientIp>[^ ]+):(?<clientPort>\d+) -> (?<serverIp>[^ ]+):(?<serverPort>\d+)\): |^IPsec Module: /,
  },
  {
    protocol: 'etherip',
    lead: 'EtherIP',
    pattern:
      /^EtherIP \/ L2TPv3 Session \d+ \((?<clientIp>[^ ]+):(?<clientPort>\d+) -> (?<serverIp>[^ ]+):(?<serverPort>\d+)\): /,
  },
  {
    protocol: 'openvpn',
    lead: 'OpenVPN ',
    pattern:
      /^OpenVPN Session \d+ \((?<clientIp>[^ ]+):(?<clientPort>\d+) -> (?<serverIp>[^ ]+):(?<serverPort>\d+)\)(?: Channel \d+)?: |^OpenVPN Module: /,
  },
  {
    protocol: 'wireguard',
    lead: '[WireGuard]',
    pattern:
      /^\[WireGuard\] (?<clientIp>[^ ]+):(?<clientPort>\d+) -> (?<serverIp>[^ ]+):(?<serverPort>\d+): /,
  },
  { protocol: 'securenat', lead: 'SecureNAT: ', pattern: /^SecureNAT: / },
  {
    protocol: 'ppp',
    lead: '',
    pattern: /^[^[]{0,40}PPP Session \[(?<clientIp>[^\]]+):(?<clientPort>\d+)\]: /,
  },
  {
    protocol: 'generic',
    lead: '[',
    pattern:
      /^\[(?<name>[^\]]+)\] (?<clientIp>[^ ]+):(?<clientPort>\d+) -> (?<serverIp>[^ ]+):(?<serverPort>\d+) \([^)]*\): /,
  },
];

/** Peels the hub, admin and protocol prefixes off a message. */
export function readMessageFrame(message: string): MessageFrame {
  let rest = message;
  let hub: string | undefined;
  if (rest.startsWith(HUB_PREFIX)) {
    const end = rest.indexOf('"] ', HUB_PREFIX.length);
    if (end > 0) {
      hub = rest.slice(HUB_PREFIX.length, end);
      rest = rest.slice(end + 3);
    }
  }
  const hubMessage = rest;
  const first = rest.charCodeAt(0);
  // 'A' (Administration), '管' (管理).
  if (first === 65 || first === 0x7ba1) {
    const admin = ADMIN_TAG.exec(rest);
    if (admin !== null) {
      const [whole, rpc = '', adminHub] = admin;
      return {
        body: rest.slice(whole.length),
        hubMessage,
        rpc,
        ...(hub === undefined ? {} : { hub }),
        ...(adminHub === undefined ? {} : { adminHub }),
      };
    }
  }
  if (rest.includes(': ')) {
    for (const prefix of PROTOCOL_PREFIXES) {
      if (prefix.lead !== '' && !rest.startsWith(prefix.lead)) continue;
      if (prefix.lead === '' && !rest.includes('PPP Session [')) continue;
      const match = prefix.pattern.exec(rest);
      if (match === null) continue;
      const groups = match.groups ?? {};
      const protocol =
        prefix.protocol === 'generic' ? (groups.name ?? 'generic').toLowerCase() : prefix.protocol;
      return {
        body: rest.slice(match[0].length),
        hubMessage,
        protocol,
        ...(hub === undefined ? {} : { hub }),
        ...(groups.clientIp === undefined ? {} : { clientIp: groups.clientIp }),
        ...(groups.clientPort === undefined ? {} : { clientPort: Number(groups.clientPort) }),
        ...(groups.serverIp === undefined ? {} : { serverIp: groups.serverIp }),
        ...(groups.serverPort === undefined ? {} : { serverPort: Number(groups.serverPort) }),
      };
    }
  }
  return { body: rest, hubMessage, ...(hub === undefined ? {} : { hub }) };
}
