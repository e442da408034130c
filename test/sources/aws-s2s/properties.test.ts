import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, type VpnEvent } from '../../../src/model.ts';
import { createAwsS2sParser } from '../../../src/sources/aws-s2s/parser.ts';
import { STREAM } from './helpers.ts';

/** Parses `line` and checks the invariants every event must keep. */
function parseChecked(line: string): VpnEvent {
  const parser = createAwsS2sParser({ stream: STREAM });
  const event = parser.parse(line, { origin: { stream: STREAM, line: 1 } });
  expect(CATEGORIES).toContain(event.category);
  expect(event.raw).toBe(line);
  expect(event.source).toBe('aws-s2s');
  expect(event.id).toBe(`:${STREAM}:1`);
  expect(event.time === null || Number.isFinite(event.time)).toBe(true);
  if (event.category === 'malformed') {
    expect(event.reason).toEqual(expect.any(String));
    expect(event.reason).not.toMatch(/^internal parser error/);
  } else {
    expect(event.reason).toBeUndefined();
  }
  return event;
}

describe('aws-s2s parser properties', () => {
  it('turns any string into exactly one event without throwing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme', maxLength: 300 }),
          fc.string({ unit: 'binary', maxLength: 300 }),
        ),
        (line) => {
          parseChecked(line);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('turns any JSON text into exactly one event without throwing', () => {
    fc.assert(
      fc.property(fc.json(), (line) => {
        parseChecked(line);
      }),
      { numRuns: 500 },
    );
  });

  it('turns any stringified value into exactly one event without throwing', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const line = JSON.stringify(value) ?? String(value);
        parseChecked(line);
      }),
      { numRuns: 500 },
    );
  });

  it('survives records with tunnel and BGP keys holding any JSON value', () => {
    const keys = [
      'details',
      'event_timestamp',
      'timestamp',
      'dpd_enabled',
      'nat_t_detected',
      'ike_phase1_state',
      'ike_phase2_state',
      'resource_id',
      'type',
      'status',
      'message',
    ];
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...keys), fc.jsonValue()),
        fc.dictionary(
          fc.constantFrom('details', 'prefix', 'asPath', 'localPref', 'med'),
          fc.jsonValue(),
        ),
        (record, message) => {
          parseChecked(
            JSON.stringify({ ...record, ...(record.message === undefined ? {} : { message }) }),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('classifies any message text inside a record without throwing', () => {
    const words = fc.constantFrom(
      'AWS',
      'AWS-side',
      'peer',
      'tunnel',
      'DPD',
      'timed',
      'out',
      'after',
      'No',
      'Proposal',
      'sent',
      'a',
      'notification',
      '6/1',
      '(Cease/x)',
      'neighbor',
      '169.254.1.1',
      '-',
      '\n•',
      'DENIED',
      'due',
      'to:',
      'CREATE_CHILD_SA',
      '(id=',
      ')',
      'received',
      '{ip:',
      '}',
    );
    fc.assert(
      fc.property(fc.array(words, { maxLength: 20 }), (parts) => {
        parseChecked(JSON.stringify({ details: parts.join(' ') }));
        parseChecked(parts.join(' '));
      }),
      { numRuns: 500 },
    );
  });
});
