import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, isEventTime } from '../../../src/model.ts';
import { createOpenvpnParser } from '../../../src/sources/openvpn/parser.ts';
import { EXAMPLES } from './examples.ts';

const HEADERS = [
  '',
  '2023/04/13 18:00:00 openvpn-vtun0 ',
  '2023-09-26 06:51:09 ',
  '2023-09-26 06:51:09 us=991810 ',
  'Sun Jul 16 12:29:13 2017 ',
  'Fri Aug  6 15:00:53 2021 ',
  'Apr 25 10:57:36 vpn1 ovpn-server[901]: ',
  'Apr 25 10:57:36 openvpn[1]: ',
  '<29>Jul  3 21:42:57 openvpn[66026]: ',
  '2025-04-25T19:57:36+0900 vpn1 openvpn[901]: ',
  '<27>1 2021-07-03T22:17:01.074560-05:00 host openvpn 66026 - - ',
  '<27>1 +275760-09-13T00:00:00.000Z host openvpn 66026 - - ',
  '<27>1 -000001-01-01T00:00:00Z host openvpn 66026 - - ',
  '9999999999.999999 vpn1 openvpn[901]: ',
  '2023/13/45 18:00:00 openvpn-vtun0 ',
  'Feb 30 10:57:36 vpn1 openvpn[1]: ',
];
const PREFIXES = [
  '',
  '203.0.113.5:51234 ',
  'user01/203.0.113.5:51234 ',
  '[2001:db8::1]:1194 ',
  'a b/udp4:192.0.2.1:1 ',
];
const MESSAGES = EXAMPLES.map((example) => example.line.replace(/^\S*\d:\d+ /, ''));
const CATEGORY_SET = new Set<string>(CATEGORIES);

/** Lines built from real framings, prefixes and messages, then cut or mutated. */
const plausibleLine = fc
  .tuple(
    fc.constantFrom(...HEADERS),
    fc.constantFrom(...PREFIXES),
    fc.constantFrom(...MESSAGES),
    fc.nat(400),
    fc.string({ maxLength: 8 }),
  )
  .map(([header, prefix, message, cut, noise]) => {
    const line = `${header}${prefix}${message}`;
    return cut % 3 === 0 ? line : `${line.slice(0, cut)}${noise}${line.slice(cut)}`;
  });

describe('OpenVPN parser properties', () => {
  it('turns any text into exactly one well-formed event and never throws', () => {
    const parser = createOpenvpnParser({ timeZone: 'Asia/Tokyo' });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ unit: 'grapheme', maxLength: 200 }),
          plausibleLine,
        ),
        (line) => {
          const event = parser.parse(line, { origin: { stream: 's', line: 1 } });
          expect(CATEGORY_SET.has(event.category)).toBe(true);
          expect(event.source).toBe('openvpn');
          expect(event.raw).toBe(line);
          expect(event.time === null || isEventTime(event.time)).toBe(true);
          if (event.category === 'malformed') expect(event.reason).toMatch(/^(?!parser error)\S/);
          if (event.category !== 'malformed' && event.category !== 'unclassified') {
            expect(event.hint?.id).toMatch(/\S/);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('classifies a known message the same way whatever framing carries it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...HEADERS.slice(0, 11)),
        fc.constantFrom(...EXAMPLES),
        (header, example) => {
          const event = createOpenvpnParser().parse(`${header}${example.line}`, {
            origin: { line: 1 },
          });
          expect(event.category).toBe(example.category);
        },
      ),
      { numRuns: 500 },
    );
  });
});
