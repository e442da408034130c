/**
 * Wall-clock times written in a local time zone, converted to epoch
 * milliseconds UTC. OpenVPN, SoftEther and syslog write local time; the zone
 * comes from `--tz` (CLI) or the source's configuration (Lambda).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Offset (ms) per zone and UTC hour: zones change offset at most on hour boundaries. */
const offsetCache = new Map<string, number>();
const OFFSET_CACHE_LIMIT = 50_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Thrown when a time zone name is not an IANA zone this runtime knows. */
export class UnknownTimeZoneError extends Error {
  override readonly name = 'UnknownTimeZoneError';
  constructor(readonly timeZone: string) {
    super(`unknown time zone "${timeZone}": expected an IANA name such as UTC or Asia/Tokyo`);
  }
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new UnknownTimeZoneError(timeZone);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws `UnknownTimeZoneError` unless `timeZone` is usable. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

/** The zone's offset from UTC (ms, east positive) at the UTC instant `utcMs`. */
function offsetAt(timeZone: string, utcMs: number): number {
  const cacheKey = `${timeZone}|${Math.floor(utcMs / HOUR_MS)}`;
  const cached = offsetCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const parts = formatterFor(timeZone).formatToParts(new Date(utcMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((part) => part.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  const offset = asUtc - Math.floor(utcMs / 1000) * 1000;
  if (offsetCache.size >= OFFSET_CACHE_LIMIT) offsetCache.clear();
  offsetCache.set(cacheKey, offset);
  return offset;
}

/**
 * Epoch milliseconds of a wall-clock time in `timeZone` (month 1–12).
 * Returns `null` when the fields do not form a valid date. In a repeated hour
 * (end of daylight saving) the earlier instant is chosen; a skipped wall time
 * (start of daylight saving) is read with the offset in force before it.
 */
export function localTimeToEpoch(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond = 0,
): number | null {
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour > 23 ||
    minute > 59 ||
    second > 60 ||
    millisecond > 999
  ) {
    return null;
  }
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  if (Number.isNaN(wall) || new Date(wall).getUTCDate() !== day) return null;
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return wall;
  // The offsets in force a day before and after bracket any transition near
  // `wall`; a candidate is valid when the zone really has that offset then.
  const before = offsetAt(timeZone, wall - DAY_MS);
  const after = offsetAt(timeZone, wall + DAY_MS);
  const early = wall - before;
  const late = wall - after;
  const earlyValid = offsetAt(timeZone, early) === before;
  const lateValid = offsetAt(timeZone, late) === after;
  if (earlyValid && lateValid) return Math.min(early, late);
  if (earlyValid) return early;
  if (lateValid) return late;
  // A wall time skipped by a forward transition: read it with the earlier offset.
  return early;
}

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 1,
  Feb: 2,
  Mar: 3,
  Apr: 4,
  May: 5,
  Jun: 6,
  Jul: 7,
  Aug: 8,
  Sep: 9,
  Oct: 10,
  Nov: 11,
  Dec: 12,
};

/** Month number (1–12) of an English three-letter abbreviation, or undefined. */
export function monthNumber(abbreviation: string): number | undefined {
  return MONTHS[abbreviation];
}
