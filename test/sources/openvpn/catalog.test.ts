import { describe, expect, it } from 'vitest';
import {
  indexCatalog,
  literalPrefix,
  lookup,
  OPENVPN_CATALOG,
  pushReplyFields,
} from '../../../src/sources/openvpn/catalog.ts';
import { createOpenvpnParser, namedGroupIndices } from '../../../src/sources/openvpn/parser.ts';
import { C, EXAMPLES } from './examples.ts';

/** Lines close to a row that must not match it. */
const NEAR_MISSES: readonly { readonly line: string; readonly not: string }[] = [
  { line: `${C} try usernames "x"`, not: 'gateway.try-username' },
  { line: `${C} user01 authentication succeeded twice`, not: 'gateway.authentication-succeeded' },
  {
    line: `${C} TLS Auth Error: Auth Username/Password verification passed`,
    not: 'tls.user-pass-verification-failed',
  },
  { line: `${C} SENT CONTROL [user01]: 'RESTART' (status=1)`, not: 'control.auth-failed' },
  { line: `${C} VERIFY OK: depth=0, CN=user01`, not: 'verify.error' },
  {
    line: `${C} VERIFY WARNING: depth=0, unable to get certificate CRL: CN=CLIENT`,
    not: 'verify.error',
  },
  { line: `${C} VERIFY ERROR: depth=0, error=certificate revoked: CN=x`, not: 'verify.expired' },
  {
    line: `${C} OpenSSL: error:0A000086:SSL routines::certificate verify failed`,
    not: 'openssl.peer-no-certificate',
  },
  {
    line: `${C} WARNING: Bad encapsulated packet from peer (1)`,
    not: 'socket.bad-encapsulated-packet-length',
  },
  { line: `MULTI: Learn FAILED: 10.8.0.6 -> user01/${C}`, not: 'multi.learn' },
  {
    line: `${C} SIGUSR1[soft,connection-reset] received, process restarting`,
    not: 'signal.client-instance',
  },
  { line: `${C} Peer Connection Initiated`, not: 'link.peer-connection-initiated' },
];

function parseOne(line: string) {
  return createOpenvpnParser().parse(line, { origin: { stream: 's', line: 1 } });
}

describe('OpenVPN catalog rows', () => {
  it.each(EXAMPLES.map((example) => [example.row, example.line, example] as const))(
    '%s: %s',
    (_row, _line, example) => {
      // Act
      const event = parseOne(example.line);
      // Assess
      expect(event.hint?.id).toBe(example.row);
      expect(event.category).toBe(example.category);
      expect(event.fields).toMatchObject(example.fields ?? {});
      expect(event.hint?.remediation.length).toBeGreaterThan(10);
    },
  );

  it('has at least one example line per row', () => {
    // Prepare
    const tested = new Set(EXAMPLES.map((example) => example.row));
    // Act
    const untested = OPENVPN_CATALOG.map((row) => row.hint.id).filter((id) => !tested.has(id));
    // Assess
    expect(untested).toEqual([]);
  });

  it.each(NEAR_MISSES.map((miss) => [miss.not, miss.line] as const))(
    'does not classify a near miss as %s: %s',
    (rowId, line) => {
      expect(parseOne(line).hint?.id).not.toBe(rowId);
    },
  );

  // Title wording (ASCII, length, acronym casing) is checked for every catalog in ../catalog-titles.test.ts.
  it('gives every row a title and a documentation link', () => {
    for (const row of OPENVPN_CATALOG) {
      expect(row.hint.title, row.hint.id).not.toBe('');
      expect(row.hint.docUrl, row.hint.id).toMatch(/^https:\/\//);
    }
  });

  it('keeps every bucket small so classification cost does not grow with the catalog', () => {
    // Prepare
    const index = indexCatalog(OPENVPN_CATALOG);
    // Act
    const candidateLists = [
      ...[...index.byFirstWord.values()].flatMap((bucket) => [
        bucket.any,
        ...bucket.bySecondWord.values(),
      ]),
      ...index.bySecondWord.values(),
    ];
    const largest = Math.max(...candidateLists.map((rows) => rows.length));
    // Assess
    expect(largest).toBeLessThanOrEqual(8);
    expect(index.byFirstWord.size).toBeGreaterThan(20);
  });

  it('narrows a bucket by the second word its patterns spell out', () => {
    // Prepare
    const tls = indexCatalog(OPENVPN_CATALOG).byFirstWord.get('TLS');
    // Act
    const errorRows = tls?.bySecondWord.get('Error')?.map((row) => row.hint.id) ?? [];
    // Assess
    expect(errorRows).toContain('tls.handshake-failed');
    expect(errorRows).toContain('tls.error');
    expect(errorRows).not.toContain('tls.user-pass-verification-failed');
  });

  it.each([
    [/^TLS Error: TLS handshake failed/, 'TLS Error: TLS handshake failed'],
    [/^SENT CONTROL \[(?<cn>[^\]]*)\]/, 'SENT CONTROL ['],
    [/^TLS: Username\/Password authentication/, 'TLS: Username/Password authentication'],
    [/^PUSH_REPLY,?(?<options>.*)/, 'PUSH_REPLY'],
    [/^VERIFY (?<check>KU|EKU) ERROR/, 'VERIFY '],
    [/^Connection reset, restarting \[-?\d+\]/, 'Connection reset, restarting ['],
    [/^Inactivity timeouts?/, 'Inactivity timeout'],
    [/TLS/, ''],
  ])('reads the literal start of %s', (pattern, literal) => {
    expect(literalPrefix(pattern)).toBe(literal);
  });

  it('looks only into the bucket of the first word', () => {
    // Prepare: a catalog whose only row would match anywhere, filed under another word
    const index = indexCatalog([{ ...OPENVPN_CATALOG[0]!, key: 'other', pattern: /.*/ }]);
    // Act / Assess
    expect(lookup(index, 'try username "x"')).toBeUndefined();
    expect(lookup(index, 'other thing')?.row.key).toBe('other');
  });

  it('does not treat Peer Connection Initiated as a login success (Wazuh rule 81801)', () => {
    const event = parseOne(`${C} [user01] Peer Connection Initiated with [AF_INET]${C}`);
    expect(event.category).toBe('auth.attempt');
    expect(event.category).not.toBe('auth.succeeded');
  });
});

describe('pushReplyFields', () => {
  it('collects every route and the IPv6 address', () => {
    expect(
      pushReplyFields(
        'route 10.0.0.0 255.0.0.0,route 192.168.5.0 255.255.255.0,ifconfig-ipv6 fd00::1000/64 fd00::1,cipher AES-128-GCM',
      ),
    ).toEqual({
      routes: ['10.0.0.0/255.0.0.0', '192.168.5.0/255.255.255.0'],
      assignedIpv6: 'fd00::1000/64',
      cipher: 'AES-128-GCM',
    });
  });
});

describe('namedGroupIndices', () => {
  it('numbers named groups with the plain ones, skipping non-capturing groups and classes', () => {
    // Prepare
    const pattern = /^(a)(?:b)(?<first>c)[(](?=d)(?<second>e)\((?<third>f)/;
    // Act
    const indices = namedGroupIndices(pattern);
    // Assess
    expect([...indices]).toEqual([
      ['first', 2],
      ['second', 3],
      ['third', 4],
    ]);
    const match = pattern.exec('ac(de(f');
    expect(match?.[indices.get('third') ?? 0]).toBe(match?.groups?.['third']);
  });

  it('agrees with the groups of every catalog row', () => {
    for (const row of OPENVPN_CATALOG) {
      const names = [...namedGroupIndices(row.pattern).keys()];
      const declared = [...row.pattern.source.matchAll(/\(\?<([A-Za-z][A-Za-z0-9]*)>/g)].map(
        (m) => m[1],
      );
      expect(names, row.hint.id).toEqual(declared);
    }
  });
});
