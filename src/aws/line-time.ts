/**
 * Timestamps of raw log lines for the importer. A registered source's parser
 * gives the time when it has one; otherwise (source not registered yet, or a
 * line the parser leaves without time) a table of line framings is tried:
 * SoftEther / OpenVPN ≥ 2.5 `YYYY-MM-DD hh:mm:ss[.mmm]`, the NIFCLOUD gateway
 * `YYYY/MM/DD hh:mm:ss`, OpenVPN ≤ 2.4 ctime, SoftEther packet-log CSV, and
 * aws-s2s JSON `event_timestamp`. Local-time framings are read in the
 * `--tz` zone.
 */
import type { StreamParser } from '../model.ts';
import { localTimeToEpoch, monthNumber } from '../sources/time.ts';

interface Framing {
  readonly name: string;
  readonly pattern: RegExp;
  /** Epoch ms from the match, or null when the fields are not a valid time. */
  readonly read: (match: RegExpExecArray, timeZone: string) => number | null;
}

const n = (text: string | undefined): number => Number(text ?? 0);

/** Line framings with a leading timestamp, tried in order. */
const FRAMINGS: readonly Framing[] = [
  {
    name: 'iso-local',
    // SoftEther server/security log, OpenVPN >= 2.5, SoftEther packet log (comma).
    pattern: /^(\d{4})-(\d{2})-(\d{2})[ T,](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?/,
    read: (m, zone) =>
      localTimeToEpoch(
        zone,
        n(m[1]),
        n(m[2]),
        n(m[3]),
        n(m[4]),
        n(m[5]),
        n(m[6]),
        n((m[7] ?? '0').padEnd(3, '0')),
      ),
  },
  {
    name: 'gateway',
    pattern: /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})/,
    read: (m, zone) => localTimeToEpoch(zone, n(m[1]), n(m[2]), n(m[3]), n(m[4]), n(m[5]), n(m[6])),
  },
  {
    name: 'ctime',
    pattern:
      /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})/,
    read: (m, zone) => {
      const month = monthNumber(m[1] ?? '');
      if (month === undefined) return null;
      return localTimeToEpoch(zone, n(m[6]), month, n(m[2]), n(m[3]), n(m[4]), n(m[5]));
    },
  },
  {
    name: 'aws-json',
    pattern: /^\s*\{.*?"event_timestamp"\s*:\s*(\d{9,13})\b/,
    // Seconds or milliseconds (the docs disagree, reference §2.1): below 1e11 is seconds.
    read: (m) => {
      const value = n(m[1]);
      return value < 1e11 ? value * 1000 : value;
    },
  },
];

/** Epoch ms of the line's leading timestamp by the framing table, or null. */
export function framedTime(line: string, timeZone: string): number | null {
  for (const framing of FRAMINGS) {
    const match = framing.pattern.exec(line);
    if (match !== null) return framing.read(match, timeZone);
  }
  return null;
}

/** Reads line times: the stream's parser when there is one, else the framing table. */
export class LineClock {
  constructor(
    private readonly timeZone: string,
    private readonly parser: StreamParser | undefined,
    private readonly origin: { readonly file: string; readonly stream: string },
  ) {}

  /** Epoch ms of `line`'s own timestamp, or null when it has none. */
  timeOf(line: string, lineNumber: number): number | null {
    if (this.parser !== undefined) {
      const event = this.parser.parse(line, {
        origin: { file: this.origin.file, stream: this.origin.stream, line: lineNumber },
      });
      if (event.time !== null) return event.time;
    }
    return framedTime(line, this.timeZone);
  }
}
