/**
 * Parity with the peers, over real lines written by others
 * (../shared/corpora/openvpn-real.txt, sources in openvpn-real.sources.txt).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Category, VpnEvent } from '../../../src/model.ts';
import { createOpenvpnParser } from '../../../src/sources/openvpn/parser.ts';
import { EXAMPLES } from './examples.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * `../shared/corpora/openvpn-real.txt` from the repository root (the CI
 * checkout has `shared/` beside it); a worktree one level deeper finds it
 * one directory further up.
 */
function findCorpus(): string {
  const tried: string[] = [];
  for (let up = resolve(repoRoot, '..'); ; up = dirname(up)) {
    const candidate = join(up, 'shared', 'corpora', 'openvpn-real.txt');
    if (existsSync(candidate)) return candidate;
    tried.push(candidate);
    if (dirname(up) === up || tried.length >= 3) break;
  }
  throw new Error(`OpenVPN corpus not found; looked at ${tried.join(', ')}`);
}

const corpus = readFileSync(findCorpus(), 'utf8')
  .split('\n')
  .filter((line) => line !== '');

/**
 * What the reference (openvpn-softether.md §1.3–2.3) says each corpus line is;
 * `null` where it says nothing (line 16: `send_push_reply()` debug output) or
 * that the line is no failure (line 48: `VERIFY WARNING`, a missing CRL).
 */
const EXPECTED: readonly (Category | null)[] = [
  'auth.attempt',
  'probe.bad_packet',
  'probe.bad_packet',
  'probe.bad_packet', // 1-4 scanner
  'auth.attempt',
  'probe.bad_packet',
  'probe.bad_packet',
  'probe.bad_packet', // 5-8 scanner
  'cert.verify_failed',
  'tls.handshake_failed',
  'tls.hmac_failed',
  'auth.failed', // 9-12
  'tls.negotiation_timeout',
  'tls.handshake_failed',
  'tls.hmac_failed',
  null, // 13-16
  'auth.attempt',
  'auth.attempt',
  'tls.hmac_failed',
  'auth.attempt', // 17-20
  'auth.succeeded',
  'auth.failed',
  'auth.failed',
  'auth.failed', // 21-24
  'auth.attempt',
  'auth.attempt',
  'auth.succeeded',
  'session.established', // 25-28
  'tls.hmac_failed',
  'auth.failed',
  'auth.attempt',
  'session.established', // 29-32
  'session.ended',
  'auth.failed',
  'auth.failed',
  'auth.failed', // 33-36
  'auth.failed',
  'auth.attempt',
  'auth.attempt',
  'auth.attempt', // 37-40
  'session.ended',
  'auth.failed',
  'session.ended',
  'auth.succeeded', // 41-44
  'auth.succeeded',
  'session.established',
  'session.established',
  null, // 45-48
  'auth.failed',
  'auth.failed',
  'auth.attempt',
  'session.established', // 49-52
  'session.ended',
  'session.ended',
  'cert.verify_failed',
  'cert.verify_failed', // 53-56
  'auth.failed',
  'auth.attempt',
  'auth.failed',
  'tls.handshake_failed', // 57-60
];

function parseAll(lines: readonly string[]): VpnEvent[] {
  const parser = createOpenvpnParser({ now: () => Date.parse('2025-12-01T00:00:00Z') });
  return lines.map((line, index) =>
    parser.parse(line, { origin: { file: 'openvpn-real.txt', line: index + 1 } }),
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
    expect(corpus).toHaveLength(EXPECTED.length);
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

  it('treats every line fail2ban counts as a failure as auth, cert, tls or probe', () => {
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
      expect(event.category, event.raw).toMatch(/^(?:auth\.failed|cert\.|tls\.|probe\.)/);
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
