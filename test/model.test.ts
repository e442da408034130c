import { describe, expect, it } from 'vitest';
import { isEventTime, isoTime, MAX_EVENT_TIME_MS } from '../src/model.ts';

describe('isoTime', () => {
  it('writes ISO 8601 UTC for any time a Date holds', () => {
    expect(isoTime(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(isoTime(MAX_EVENT_TIME_MS)).toBe('9999-12-31T23:59:59.999Z');
  });

  it('never throws: values a Date cannot hold are named, not raised as RangeError', () => {
    expect(isoTime(1e20)).toBe('invalid time 100000000000000000000');
    expect(isoTime(Number.NaN)).toBe('invalid time NaN');
    expect(isoTime(Number.POSITIVE_INFINITY)).toBe('invalid time Infinity');
  });
});

describe('isEventTime', () => {
  it('accepts 1970 to 9999 and nothing else', () => {
    expect([0, MAX_EVENT_TIME_MS, 1_745_575_200_000].map(isEventTime)).toEqual([true, true, true]);
    expect([-1, MAX_EVENT_TIME_MS + 1, Number.NaN, 1e20].map(isEventTime)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
