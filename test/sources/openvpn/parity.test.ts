/**
 * Parity with the peers, over real lines written by others
 * (test/fixtures/field/openvpn.tsv, each row with its source).
 */
import { describe, expect, it } from 'vitest';
import type { VpnEvent } from '../../../src/model.ts';
import { createOpenvpnParser } from '../../../src/sources/openvpn/parser.ts';
import { readFieldCorpus } from '../../fixtures/field/corpus.ts';
import { EXAMPLES } from './examples.ts';

const rows = readFieldCorpus('openvpn');
const corpus = rows.map((row) => row.line);
const EXPECTED = rows.map((row) => row.expected);

function parseAll(lines: readonly string[]): VpnEvent[] {
  const parser = createOpenvpnParser({ now: () => Date.parse('2025-12-01T00:00:00Z') });
  return lines.map((line, index) =>
    parser.parse(line, { origin: { file: 'openvpn.tsv', line: index + 1 } }),
  );
}

/** fail2ban `filter.d/openvpn.conf` (reference §2.1), with its syslog `__prefix_line`. */
const FAIL2BAN_PREFIX = String.raw`^(?:<\d+>)?\w{3} +\d{1,2} \d{2}:\d{2}:\d{2}(?: \S+)? ovpn-server\d*(?:\[\d+\])?: `;
const FAIL2BAN = [
  new RegExp(
    String.raw`${FAIL2BAN_PREFIX}\d{1,3}(?:\.\d{1,3}){3}:\d{4,5} (?:TLS Auth Error:|VERIFY ERROR:|TLS Error: TLS handshake failed\b|SIGUSR1\[soft,connection-reset\] received\b)`,
  ),
  new RegExp(
    String.raw`${FAIL2BAN_PREFIX}TLS Error: cannot locate HMAC in incoming packet from \[AF_INET\]\s*\d{1,3}(?:\.\d{1,3}){3}:\d{4,5}`,
  ),
];
const countsAsFailure = (line: string): boolean => FAIL2BAN.some((regex) => regex.test(line));

describe('OpenVPN parity with real lines', () => {
  it('reads the whole corpus', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
  });

  it.each(corpus.map((line, index) => [index + 1, EXPECTED[index], line] as const))(
    'line %i is %s',
    (lineNumber, expected) => {
      const event = parseAll(corpus)[lineNumber - 1]!;
      if (expected === null) expect(event.category).toBe('unclassified');
      else expect(event.category).toBe(expected);
    },
  );

  it('classifies every line the reference explains (none unclassified or malformed)', () => {
    const events = parseAll(corpus);
    const unexplained = events
      .filter((_event, index) => EXPECTED[index] !== null)
      .filter((event) => event.category === 'unclassified' || event.category === 'malformed')
      .map((event) => event.raw);
    expect(unexplained).toEqual([]);
  });

  it('treats every line fail2ban counts as a failure as auth, cert, tls or probe (a connection reset is a session end)', () => {
    // Prepare: the corpus plus every catalog example framed as ovpn-server syslog
    const framed = EXAMPLES.map(
      (example) => `Apr 25 10:57:36 vpn1 ovpn-server[901]: ${example.line}`,
    );
    const lines = [...corpus, ...framed];
    const counted = lines.filter(countsAsFailure);
    // Act
    const events = parseAll(counted);
    // Assess
    expect(counted.length).toBeGreaterThanOrEqual(12);
    for (const event of events) {
      // fail2ban counts `SIGUSR1[soft,connection-reset]`; it ends every TCP session, so it is
      // a session end here (the scanner's connection counts once, by its bad packet).
      if (event.raw.includes('SIGUSR1[soft,connection-reset]'))
        expect(event.category, event.raw).toBe('session.ended');
      else expect(event.category, event.raw).toMatch(/^(?:auth\.failed|cert\.|tls\.|probe\.)/);
    }
  });

  it('does not make Wazuh\'s mistake: "Peer Connection Initiated" is an attempt, not a login', () => {
    const peerLines = corpus.filter((line) => line.includes('Peer Connection Initiated with'));
    const events = parseAll(peerLines);
    expect(events.length).toBeGreaterThanOrEqual(4);
    for (const event of events) expect(event.category).toBe('auth.attempt');
    // The 2.4 log of a refused password: the failure comes first, the "initiated" line after.
    const refused = parseAll(corpus.slice(35, 43));
    expect(refused.map((event) => event.category)).toContain('auth.failed');
    expect(refused.map((event) => event.category)).not.toContain('auth.succeeded');
  });
});
