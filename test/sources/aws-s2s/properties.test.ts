import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CATEGORIES,
  type FieldValue,
  isEventTime,
  isoTime,
  type VpnEvent,
} from '../../../src/model.ts';
import {
  classifyMessage,
  extractFields,
  matchCatalog,
} from '../../../src/sources/aws-s2s/catalog-index.ts';
import {
  BGP_RECORD_KEYS,
  createAwsS2sParser,
  TUNNEL_RECORD_KEYS,
} from '../../../src/sources/aws-s2s/parser.ts';
import { STREAM } from './helpers.ts';

/** Parses `line` and checks the invariants every event must keep. */
function parseChecked(line: string): VpnEvent {
  const parser = createAwsS2sParser({ stream: STREAM });
  const event = parser.parse(line, { origin: { stream: STREAM, line: 1 } });
  expect(CATEGORIES).toContain(event.category);
  expect(event.raw).toBe(line);
  expect(event.source).toBe('aws-s2s');
  expect(event.id).toBe(`:${STREAM}:1`);
  expect(event.time === null || isEventTime(event.time)).toBe(true);
  if (event.time !== null) expect(isoTime(event.time)).toMatch(/^\d{4}-\d{2}-\d{2}T/);
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
    const keys = [...TUNNEL_RECORD_KEYS, ...BGP_RECORD_KEYS];
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

  it('reads any value a time key can hold as a time in range, or malformed naming the key', () => {
    const extreme = fc.oneof(
      fc.double(),
      fc.integer(),
      fc.constantFrom(1e20, 8.64e15, 8.64e15 + 1, 1e11, 1e11 - 1, -1, -0, 2 ** 53, 1e308),
      fc.bigInt().map((n) => n.toString()),
      fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e400', '1e20', '0x10', '+275760-09-13'),
      fc.constantFrom('9999-12-31 23:59:59.999Z', '10000-01-01T00:00:00Z', '1969-12-31T23:59:59Z'),
      fc.string({ maxLength: 30 }),
      fc.string({ minLength: 5000, maxLength: 20000 }),
      fc.jsonValue(),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('event_timestamp', 'timestamp'),
        extreme,
        fc.boolean(),
        (key, value, withDetails) => {
          const record: Record<string, unknown> = { [key]: value, ike_phase1_state: 'down' };
          if (withDetails) record.details = 'AWS tunnel DPD timed out. Peer is not responsive';
          // Raw JSON so that numbers keep their written form (1e400 is not a JSON.stringify output).
          const event = parseChecked(JSON.stringify(record));
          if (event.category === 'malformed') expect(event.reason).toMatch(new RegExp(`^${key}: `));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('gives malformed, naming the key, for an event_timestamp of 1e20 (a Date cannot hold it)', () => {
    for (const text of ['1e20', '1e400', '-1e20', '8640000000000001']) {
      const event = parseChecked(`{"event_timestamp": ${text}, "details": "x"}`);
      expect(event.category).toBe('malformed');
      expect(event.reason).toMatch(/^event_timestamp: /);
    }
    const last = parseChecked('{"timestamp": "9999-12-31 23:59:59.999Z", "details": "x"}');
    expect(last.time).toBe(Date.UTC(9999, 11, 31, 23, 59, 59, 999));
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

describe('catalog template memo', () => {
  /** The row and fields the plain word walk gives, without the memo. */
  function walk(text: string): { id: string | undefined; fields: Record<string, unknown> } {
    const fields: Record<string, FieldValue> = {};
    const match = matchCatalog(text);
    if (match === undefined || !extractFields(match.indexed, text, match.start, fields)) {
      return { id: undefined, fields: {} };
    }
    return { id: match.indexed.row.id, fields };
  }

  function memo(text: string): { id: string | undefined; fields: Record<string, unknown> } {
    const fields: Record<string, FieldValue> = {};
    const indexed = classifyMessage(text, fields);
    return indexed === undefined ? { id: undefined, fields: {} } : { id: indexed.row.id, fields };
  }

  const words = fc.constantFrom(
    'AWS',
    'AWS-side',
    'peer',
    'tunnel',
    'processed',
    'request',
    'response',
    'is',
    'sending',
    '(id=7)',
    '(id=12)',
    'for',
    'CREATE_CHILD_SA',
    'INFORMATIONAL',
    'DPD',
    'timed',
    'out',
    'after',
    '3',
    '12',
    'retransmits',
    'sent',
    'a',
    'notification',
    '6/1',
    '6/2',
    '4/0',
    '(Cease/x)',
    'to',
    'neighbor',
    '169.254.1.1',
    'Phase',
    '2',
    '1',
    'was',
    'unable',
    'establish',
    'while',
    'keeping',
    'No',
    'proposal',
    'chosen',
    '-',
    '\n•',
  );

  it('gives every text the same row and fields as the word walk, first time and from the memo', () => {
    fc.assert(
      fc.property(
        fc.array(words, { maxLength: 14 }),
        fc.array(words, { maxLength: 14 }),
        (a, b) => {
          // Prepare: two texts that often share the part before their first digit
          const first = a.join(' ');
          const second = [...a.slice(0, Math.ceil(a.length / 2)), ...b].join(' ');
          // Act + Assess: memo answers (cold, warm, and for the other text) equal the walk
          expect(memo(first)).toEqual(walk(first));
          expect(memo(second)).toEqual(walk(second));
          expect(memo(first)).toEqual(walk(first));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
