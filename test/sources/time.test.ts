import { describe, expect, it } from 'vitest';
import { assertTimeZone, localTimeToEpoch, monthNumber } from '../../src/sources/time.ts';

describe('localTimeToEpoch', () => {
  it('reads UTC wall time as UTC', () => {
    expect(localTimeToEpoch('UTC', 2025, 4, 25, 10, 57, 36)).toBe(
      Date.parse('2025-04-25T10:57:36Z'),
    );
  });

  it('applies a fixed zone offset (Asia/Tokyo is UTC+9)', () => {
    expect(localTimeToEpoch('Asia/Tokyo', 2025, 1, 1, 9, 0, 0, 250)).toBe(
      Date.parse('2025-01-01T00:00:00.250Z'),
    );
  });

  it('follows daylight saving time (Europe/Berlin summer is UTC+2)', () => {
    expect(localTimeToEpoch('Europe/Berlin', 2025, 7, 1, 12, 0, 0)).toBe(
      Date.parse('2025-07-01T10:00:00Z'),
    );
    expect(localTimeToEpoch('Europe/Berlin', 2025, 12, 1, 12, 0, 0)).toBe(
      Date.parse('2025-12-01T11:00:00Z'),
    );
  });

  it('chooses the earlier instant in a repeated hour', () => {
    // 2025-10-26 02:30 happens twice in Berlin: first at UTC+2 (00:30Z).
    expect(localTimeToEpoch('Europe/Berlin', 2025, 10, 26, 2, 30, 0)).toBe(
      Date.parse('2025-10-26T00:30:00Z'),
    );
  });

  it('rejects impossible dates', () => {
    expect(localTimeToEpoch('UTC', 2025, 2, 30, 0, 0, 0)).toBeNull();
    expect(localTimeToEpoch('UTC', 2025, 13, 1, 0, 0, 0)).toBeNull();
    expect(localTimeToEpoch('UTC', 2025, 1, 1, 24, 0, 0)).toBeNull();
  });
});

describe('assertTimeZone', () => {
  it('accepts IANA names and rejects others with the name in the message', () => {
    expect(() => assertTimeZone('Asia/Tokyo')).not.toThrow();
    expect(() => assertTimeZone('Mars/Olympus')).toThrow(/Mars\/Olympus/);
  });
});

describe('monthNumber', () => {
  it('maps English abbreviations', () => {
    expect(monthNumber('Jan')).toBe(1);
    expect(monthNumber('Dec')).toBe(12);
    expect(monthNumber('jan')).toBeUndefined();
  });
});
