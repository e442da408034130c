/**
 * Reading the values of AWS Site-to-Site VPN log records. Several wire
 * details are undocumented (reference section 2.1), so each reader accepts
 * every variant seen or implied: epoch seconds or milliseconds, a readable
 * `timestamp` string, booleans or "True"/"False" strings, states in any case.
 *
 * Each reader returns the value, `undefined` when the key is absent, null or
 * empty, or a `BadValue` naming the key and what was wrong.
 */
import { isEventTime } from '../../model.ts';

/** A value that could not be read; `reason` names the key, the expectation and the value. */
export class BadValue {
  constructor(readonly reason: string) {}
}

/**
 * True when a reader's result is a `BadValue`. Readers return primitives
 * otherwise, so this is a `typeof` test (cheaper than `instanceof`).
 */
export function isBad(result: unknown): result is BadValue {
  return typeof result === 'object' && result !== null;
}

/** Epoch values below this are seconds, at or above it milliseconds (1e11 s is the year 5138). */
export const SECONDS_LIMIT = 1e11;

/** A short, safe rendering of a JSON value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  return `${typeof value} ${String(value)}`;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** Epoch seconds or milliseconds (told apart by magnitude) → epoch ms. */
function epochMs(value: number): number {
  const ms = value < SECONDS_LIMIT ? value * 1000 : value;
  return Number.isInteger(ms) ? ms : Math.round(ms);
}

const READABLE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
const NUMERIC = /^\d+(?:\.\d+)?$/;

/**
 * A readable time such as `2025-11-08 05:40:29.641Z` (no zone = UTC), or any
 * form `Date.parse` reads, or a numeric epoch string → epoch ms; NaN when unreadable.
 */
export function readableTimeToEpoch(text: string): number {
  const trimmed = text.trim();
  if (NUMERIC.test(trimmed)) return epochMs(Number(trimmed));
  const match = READABLE_TIME.exec(trimmed);
  if (match === null) return Date.parse(trimmed);
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const monthNumber = Number(month);
  const dayNumber = Number(day);
  if (monthNumber < 1 || monthNumber > 12 || dayNumber < 1 || dayNumber > 31) return Number.NaN;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 60) return Number.NaN;
  const millis = fraction === undefined ? 0 : Math.round(Number(`0.${fraction}`) * 1000);
  const wall = Date.UTC(
    Number(year),
    monthNumber - 1,
    dayNumber,
    Number(hour),
    Number(minute),
    Number(second ?? 0),
    millis,
  );
  if (new Date(wall).getUTCDate() !== dayNumber) return Number.NaN;
  return wall - zoneOffsetMs(zone);
}

/** Offset east of UTC in ms of `Z`, `UTC`, `+09:00`, `-0500`, `+09`. */
function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || /^(?:Z|UTC|GMT)$/i.test(zone)) return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}

/**
 * A record time key (`event_timestamp`, `timestamp`): epoch seconds or ms as a
 * number or numeric string, or a readable time string → epoch ms.
 */
export function readTime(key: string, value: unknown): number | undefined | BadValue {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'number') {
    if (value >= 0 && Number.isFinite(value)) return inRange(key, epochMs(value), value);
    return new BadValue(`${key}: expected an epoch time, found ${describeValue(value)}`);
  }
  if (typeof value === 'string') {
    const time = readableTimeToEpoch(value);
    if (!Number.isNaN(time)) return inRange(key, time, value);
    return new BadValue(`${key}: unreadable time ${describeValue(value)}`);
  }
  return new BadValue(
    `${key}: expected an epoch time or a time string, found ${describeValue(value)}`,
  );
}

/** `time` (epoch ms, read from `value`), or a `BadValue` when it is outside 1970–9999. */
function inRange(key: string, time: number, value: unknown): number | BadValue {
  if (isEventTime(time)) return time;
  return new BadValue(`${key}: time out of range (1970 to 9999), found ${describeValue(value)}`);
}

const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = { true: true, false: false };

/** `true`/`false`, or the strings "True"/"False" in any case. */
export function readBoolean(key: string, value: unknown): boolean | undefined | BadValue {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const word = BOOLEAN_WORDS[value.trim().toLowerCase()];
    if (word !== undefined) return word;
  }
  return new BadValue(`${key}: expected true or false, found ${describeValue(value)}`);
}

/** An IKE state (`Established`, `down`, …) → lower case. */
export function readState(key: string, value: unknown): string | undefined | BadValue {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'string') {
    // The documented states as the JSON records write them need no conversion
    // (string comparison is cheaper than hashing a fresh string for a Set).
    if (value === 'established' || value === 'down' || value === 'rekeying') return value;
    if (value === 'negotiating') return value;
    const state = value.trim().toLowerCase();
    return state === '' ? undefined : state;
  }
  return new BadValue(`${key}: expected a state string, found ${describeValue(value)}`);
}

/** A free-text string. */
export function readText(key: string, value: unknown): string | undefined | BadValue {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  return new BadValue(`${key}: expected a string, found ${describeValue(value)}`);
}

/** A number, or a numeric string (BGP route attributes). */
export function readNumber(key: string, value: unknown): number | undefined | BadValue {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(?:\.\d+)?$/.test(value.trim())) {
    const number = Number(value);
    // 400 digits read as Infinity: not a number a field can carry.
    if (Number.isFinite(number)) return number;
  }
  return new BadValue(`${key}: expected a number, found ${describeValue(value)}`);
}

/** A string, or a list of strings/numbers joined by spaces (BGP `asPath`). */
export function readPath(key: string, value: unknown): string | undefined | BadValue {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (
    Array.isArray(value) &&
    value.every((item) => typeof item === 'string' || typeof item === 'number')
  ) {
    return value.join(' ');
  }
  return new BadValue(`${key}: expected a string, found ${describeValue(value)}`);
}
