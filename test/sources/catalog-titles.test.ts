import { describe, expect, it } from 'vitest';
import { AWS_S2S_CATEGORIES, type Hint } from '../../src/model.ts';
import { explainCause } from '../../src/rules/cause.ts';
import { CATALOG as AWS_S2S_CATALOG } from '../../src/sources/aws-s2s/catalog.ts';
import { OPENVPN_CATALOG, RESET_BEFORE_AUTH } from '../../src/sources/openvpn/catalog.ts';
import { hintOf, CATALOG as SOFTETHER_CATALOG } from '../../src/sources/softether/catalog.ts';

/** Longest cause title, characters: it follows a colon in a < 100 character subject. */
const MAX_TITLE_LENGTH = 60;

/**
 * Acronyms and product names as on-call writes them. A title may contain any of
 * them only in exactly this casing ("IKE SA", never "ike sa" or "Ike").
 */
const CASED_TERMS = [
  'IKE',
  'IKEv1',
  'IKEv2',
  'IPsec',
  'SA',
  'SPI',
  'DPD',
  'PSK',
  'BGP',
  'ASN',
  'TLS',
  'HMAC',
  'NAT-T',
  'CGW',
  'EKU',
  'KU',
  'CRL',
  'CA',
  'DHCP',
  'IP',
  'MAC',
  'SID',
  'CID',
  'VPN',
  'TCP',
  'UDP',
  'LDAP',
  'PAM',
  'PPP',
  'DoS',
  'JSON-RPC',
  'OpenVPN',
  'SecureNAT',
] as const;

/** "AS" is also an English word: caught only where it names an autonomous system. */
const LOWER_CASE_AS = /\bas (?:path|number)\b|\bown as\b/;

/** OpenVPN option names are written as the option is (`tls-auth`), not as an acronym. */
const OPTION_NAMES = ['tls-auth', 'tls-crypt', 'client-config-dir'] as const;

function miscased(title: string): string[] {
  const text = OPTION_NAMES.reduce((rest, option) => rest.replaceAll(option, ''), title);
  const wrong: string[] = [];
  for (const term of CASED_TERMS) {
    const pattern = new RegExp(`(?<![A-Za-z0-9])${term.replace('-', '\\-')}(?![A-Za-z0-9])`, 'gi');
    for (const [found] of text.matchAll(pattern)) if (found !== term) wrong.push(found);
  }
  const as = LOWER_CASE_AS.exec(text);
  if (as !== null) wrong.push(as[0]);
  return wrong;
}

const HINTS: readonly (readonly [string, Hint])[] = [
  ...AWS_S2S_CATALOG.map((row) => ['aws-s2s', row] as const),
  ...[...OPENVPN_CATALOG, RESET_BEFORE_AUTH].map((row) => ['openvpn', row.hint] as const),
  ...SOFTETHER_CATALOG.map((row) => ['softether', hintOf(row)] as const),
  ...AWS_S2S_CATEGORIES.map(
    (category) =>
      [
        'tunnel rules fallback',
        { id: category, title: explainCause(category, { category }).cause, remediation: '' },
      ] as const,
  ),
];

describe('cause titles', () => {
  it('covers every catalog row and every aws-s2s fallback', () => {
    const sources = new Set(HINTS.map(([source]) => source));
    expect([...sources]).toEqual(['aws-s2s', 'openvpn', 'softether', 'tunnel rules fallback']);
    expect(HINTS.length).toBeGreaterThan(200);
  });

  it.each(HINTS.map(([source, hint]) => [source, hint.id, hint.title] as const))(
    '%s %s: "%s" is a short ASCII fragment with acronyms cased',
    (_source, _id, title) => {
      expect(title).toMatch(/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/);
      expect(title.length).toBeLessThanOrEqual(MAX_TITLE_LENGTH);
      expect(title).not.toMatch(/\.$/);
      expect(title).not.toMatch(/ {2}/);
      expect(miscased(title)).toEqual([]);
    },
  );

  it('flags lower-case and half-capitalised acronyms, and leaves option names alone', () => {
    expect(miscased('customer gateway deleted the ike sa')).toEqual(['ike', 'sa']);
    expect(miscased('Bgp hold timer expired')).toEqual(['Bgp']);
    expect(miscased('Ipsec proposal mismatch')).toEqual(['Ipsec']);
    expect(miscased('non-vpn traffic on the vpn port')).toEqual(['vpn', 'vpn']);
    expect(miscased('route rejected: own as in path')).toEqual(['own as']);
    expect(miscased('packet without a valid tls-auth/tls-crypt HMAC')).toEqual([]);
    expect(miscased('route denied: own AS in AS path')).toEqual([]);
  });
});
