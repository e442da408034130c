import { describe, expect, it } from 'vitest';
import type { Category, Severity } from '../../../src/model.ts';
import { CATALOG, type CatalogRow } from '../../../src/sources/aws-s2s/catalog.ts';
import {
  CatalogDefinitionError,
  compileCatalog,
  matchCatalog,
} from '../../../src/sources/aws-s2s/catalog-index.ts';
import { messageFields, parseBgpDetails, parseDetails } from './helpers.ts';

interface Case {
  readonly row: string;
  readonly line: string;
  readonly category: Category;
  readonly severity: Severity;
  readonly fields: Record<string, unknown>;
}

const N = '169.254.50.85';

/** One positive line (at least) per catalog row, with the fields it must yield. */
const IKE_CASES: readonly Case[] = [
  {
    row: 'ikev1.peer-not-responsive',
    line: 'Peer is not responsive - Declaring peer dead',
    category: 'dpd.timeout',
    severity: 'critical',
    fields: {},
  },
  {
    row: 'ikev1.peer-not-responsive',
    line: 'Peer is not responsive\n• Declaring peer dead',
    category: 'dpd.timeout',
    severity: 'critical',
    fields: {},
  },
  {
    row: 'ikev2.dpd-timeout',
    line: 'AWS tunnel DPD timed out after 5 retransmits',
    category: 'dpd.timeout',
    severity: 'critical',
    fields: { retryCount: 5 },
  },
  {
    row: 'ikev1.invalid-psk',
    line: 'AWS tunnel payload decryption was unsuccessful due to invalid Pre-shared Key',
    category: 'ike.psk_mismatch',
    severity: 'critical',
    fields: {},
  },
  {
    row: 'ikev2.psk-mismatch',
    line: 'AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.7',
    category: 'ike.psk_mismatch',
    severity: 'critical',
    fields: { cgw: '198.51.100.7' },
  },
  {
    row: 'ikev2.authentication-failed',
    line: 'AWS tunnel is sending AUTHENTICATION_FAILED as the response',
    category: 'ike.auth_failed',
    severity: 'critical',
    fields: {},
  },
  {
    row: 'ike.no-proposal-match',
    line: 'No Proposal Match Found by AWS',
    category: 'ike.proposal_mismatch',
    severity: 'critical',
    fields: {},
  },
  {
    row: 'ike.no-proposal-chosen',
    line: 'No Proposal Match Found. Notifying with "No proposal chosen"',
    category: 'ike.proposal_mismatch',
    severity: 'critical',
    fields: {},
  },
  {
    row: 'ikev2.phase2-failed',
    line: 'AWS tunnel Phase 2 was unable to establish while keeping Phase 1',
    category: 'ike.phase2_failed',
    severity: 'critical',
    fields: {},
  },
  {
    row: 'ikev2.ts-unacceptable',
    line: 'AWS: Traffic Selector: TS_UNACCEPTABLE: received from responder',
    category: 'ike.traffic_selector_mismatch',
    severity: 'critical',
    fields: {},
  },
  {
    row: 'ikev2.negotiation-timeout',
    line: 'AWS tunnel Timeout: deleting un-established Phase 1 IKE_SA with cgw: 198.51.100.7',
    category: 'ike.negotiation_timeout',
    severity: 'warning',
    fields: { cgw: '198.51.100.7' },
  },
  {
    row: 'ike.peer-delete-ike-sa',
    line: 'AWS tunnel received DELETE for IKE_SA from CGW',
    category: 'ike.peer_delete',
    severity: 'info',
    fields: {},
  },
  {
    row: 'ike.peer-delete-child-sa',
    line: 'AWS tunnel received DELETE for Phase 2 SA with SPI: 0xc1a2b3d4',
    category: 'ike.peer_delete',
    severity: 'info',
    fields: { spi: '0xc1a2b3d4' },
  },
  {
    row: 'ikev2.child-rekey-collision',
    line: 'AWS tunnel detected a (CHILD_REKEY) collision as CHILD_DELETE',
    category: 'ike.rekey_collision',
    severity: 'info',
    fields: {},
  },
  {
    row: 'ikev2.redundant-sa-deleted',
    line: 'AWS tunnel (CHILD_SA) redundant SA is being deleted due to detected collision',
    category: 'ike.rekey_collision',
    severity: 'info',
    fields: {},
  },
  {
    row: 'ikev2.child-sa-request-processed',
    line: 'AWS tunnel processed request (id=12) for CREATE_CHILD_SA',
    category: 'ike.child_sa',
    severity: 'info',
    fields: { ikeMessageId: 12 },
  },
  {
    row: 'ikev2.child-sa-response-sent',
    line: 'AWS tunnel is sending response (id=12) for CREATE_CHILD_SA',
    category: 'ike.child_sa',
    severity: 'info',
    fields: { ikeMessageId: 12 },
  },
  {
    row: 'ikev2.child-sa-request-sent',
    line: 'AWS tunnel is sending request (id=7) for CREATE_CHILD_SA',
    category: 'ike.child_sa',
    severity: 'info',
    fields: { ikeMessageId: 7 },
  },
  {
    row: 'ikev2.child-sa-response-processed',
    line: 'AWS tunnel processed response (id=7) for CREATE_CHILD_SA',
    category: 'ike.child_sa',
    severity: 'info',
    fields: { ikeMessageId: 7 },
  },
  {
    row: 'ikev2.child-sa',
    line: 'AWS tunnel retried CREATE_CHILD_SA (id=9)',
    category: 'ike.child_sa',
    severity: 'info',
    fields: { ikeMessageId: 9 },
  },
];

const STATE_CHANGES: readonly (readonly [string, string, string])[] = [
  ['bgp.state-idle-connect', 'Idle', 'Connect'],
  ['bgp.state-connect-opensent', 'Connect', 'OpenSent'],
  ['bgp.state-opensent-openconfirm', 'OpenSent', 'OpenConfirm'],
  ['bgp.state-established', 'OpenConfirm', 'Established'],
  ['bgp.state-established-idle', 'Established', 'Idle'],
  ['bgp.state-connect-active', 'Connect', 'Active'],
  ['bgp.state-change', 'Active', 'Connect'],
];

const CEASES: readonly (readonly [string, number, string])[] = [
  ['bgp.cease-max-prefixes', 1, 'Maximum Number of Prefixes Reached'],
  ['bgp.cease-admin-shutdown', 2, 'Administrative Shutdown'],
  ['bgp.cease-peer-unconfigured', 3, 'Peer Unconfigured'],
  ['bgp.cease-admin-reset', 4, 'Administrative Reset'],
  ['bgp.cease-connection-rejected', 5, 'Connection Rejected'],
  ['bgp.cease-config-change', 6, 'Other Configuration Change'],
  ['bgp.cease-collision', 7, 'Connection Collision Resolution'],
];

const BGP_CASES: readonly Case[] = [
  ...STATE_CHANGES.map(
    ([row, from, to]): Case => ({
      row,
      line: `AWS-side peer BGP session state has changed from ${from} to ${to} with neighbor ${N}`,
      category: 'bgp.state_change',
      severity: 'info',
      fields: { bgpFromState: from, bgpToState: to, bgpNeighbor: N },
    }),
  ),
  ...CEASES.flatMap(([row, subcode, reason]): Case[] => [
    {
      row,
      line: `AWS-side peer sent a notification 6/${subcode} (Cease/${reason}) to neighbor ${N}`,
      category: 'bgp.notification',
      severity: 'warning',
      fields: {
        bgpDirection: 'sent',
        bgpNotificationCode: 6,
        bgpNotificationSubcode: subcode,
        bgpNotificationReason: `Cease/${reason}`,
        bgpNeighbor: N,
      },
    },
    {
      row,
      line: `AWS-side peer received notification 6/${subcode} (Cease/${reason}) from neighbor ${N}`,
      category: 'bgp.notification',
      severity: 'warning',
      fields: {
        bgpDirection: 'received',
        bgpNotificationCode: 6,
        bgpNotificationSubcode: subcode,
        bgpNotificationReason: `Cease/${reason}`,
        bgpNeighbor: N,
      },
    },
  ]),
  {
    row: 'bgp.notification',
    line: `AWS-side peer received notification 2/2 (OPEN Message Error/Bad Peer AS) from neighbor ${N}`,
    category: 'bgp.notification',
    severity: 'warning',
    fields: {
      bgpDirection: 'received',
      bgpNotificationCode: 2,
      bgpNotificationSubcode: 2,
      bgpNotificationReason: 'OPEN Message Error/Bad Peer AS',
      bgpNeighbor: N,
    },
  },
  {
    row: 'bgp.prefix-limit-warning',
    line: `AWS-side peer is reporting a maximum prefix limit warning - received 92 prefixes from neighbor ${N}, limit is 100`,
    category: 'bgp.prefix_limit',
    severity: 'warning',
    fields: { prefixCount: 92, prefixLimit: 100, bgpNeighbor: N },
  },
  {
    row: 'bgp.prefix-limit-exceeded',
    line: `AWS-side peer detected the maximum prefix limit was exceeded - received 104 prefixes from neighbor ${N}, limit is 100`,
    category: 'bgp.prefix_limit',
    severity: 'critical',
    fields: { prefixCount: 104, prefixLimit: 100, bgpNeighbor: N },
  },
  {
    row: 'bgp.hold-timer-expired',
    line: `AWS-side peer sent a Hold Timer Expired notification to neighbor ${N}`,
    category: 'bgp.notification',
    severity: 'warning',
    fields: { bgpNeighbor: N },
  },
  {
    row: 'bgp.bad-open',
    line: `AWS-side peer detected a bad OPEN message from neighbor ${N} - remote AS is 65010, expected 65000`,
    category: 'bgp.notification',
    severity: 'warning',
    fields: { bgpNeighbor: N, remoteAsn: 65010, expectedAsn: 65000 },
  },
  {
    row: 'bgp.open-received',
    line: `AWS-side peer received an OPEN message from neighbor ${N} - version 4, AS 65000, holdtime 30, router-id 198.51.100.1`,
    category: 'bgp.message',
    severity: 'info',
    fields: {
      bgpNeighbor: N,
      bgpDirection: 'received',
      bgpVersion: 4,
      asn: 65000,
      holdTimeSeconds: 30,
      routerId: '198.51.100.1',
    },
  },
  {
    row: 'bgp.open-sent',
    line: `AWS-side peer sent an OPEN message to neighbor ${N} - version 4, AS 64512, holdtime 30, router-id 169.254.50.86`,
    category: 'bgp.message',
    severity: 'info',
    fields: {
      bgpNeighbor: N,
      bgpDirection: 'sent',
      bgpVersion: 4,
      asn: 64512,
      holdTimeSeconds: 30,
      routerId: '169.254.50.86',
    },
  },
  {
    row: 'bgp.connect',
    line: `AWS-side peer is initiating a connection (via Connect) to neighbor ${N}`,
    category: 'bgp.message',
    severity: 'info',
    fields: { bgpNeighbor: N },
  },
  {
    row: 'bgp.end-of-rib',
    line: `AWS-side peer sent an End-of-RIB message to neighbor ${N}`,
    category: 'bgp.message',
    severity: 'info',
    fields: { bgpNeighbor: N },
  },
  {
    row: 'bgp.update-received',
    line: `AWS-side peer received update with attributes from neighbor ${N} - AS path: 65000 65010 65020`,
    category: 'bgp.message',
    severity: 'info',
    fields: { bgpNeighbor: N, asPath: '65000 65010 65020' },
  },
  {
    row: 'bgp.route-denied-own-as',
    line: 'DENIED due to: as-path contains our own AS',
    category: 'bgp.route_denied',
    severity: 'warning',
    fields: { deniedReason: 'as-path contains our own AS' },
  },
  {
    row: 'bgp.route-denied-next-hop',
    line: 'DENIED due to: non-connected next-hop',
    category: 'bgp.route_denied',
    severity: 'warning',
    fields: { deniedReason: 'non-connected next-hop' },
  },
  {
    row: 'bgp.route-denied',
    line: 'DENIED due to: prefix list',
    category: 'bgp.route_denied',
    severity: 'warning',
    fields: { deniedReason: 'prefix list' },
  },
];

/** Rows that classify record kinds, tested in parser.test.ts. */
const RECORD_ROWS = new Set(['tunnel.state', 'bgp.route-status']);

describe('aws-s2s message catalog', () => {
  it('has a positive test line for every message row', () => {
    // Prepare
    const tested = new Set([...IKE_CASES, ...BGP_CASES].map((testCase) => testCase.row));
    // Act
    const untested = CATALOG.map((row) => row.id).filter(
      (id) => !tested.has(id) && !RECORD_ROWS.has(id),
    );
    // Assess
    expect(untested).toEqual([]);
  });

  // Title wording (ASCII, length, acronym casing) is checked for every catalog in ../catalog-titles.test.ts.
  it('gives every row a title, a remediation and an AWS doc link', () => {
    for (const row of CATALOG) {
      expect(row.title, row.id).not.toBe('');
      expect(row.remediation.length, row.id).toBeGreaterThan(20);
      expect(row.docUrl, row.id).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/vpn\//);
    }
  });

  describe.each(IKE_CASES)('tunnel message $row: $line', (testCase) => {
    it('is classified with its fields', () => {
      // Act
      const event = parseDetails(testCase.line);
      // Assess
      expect(event.hint?.id).toBe(testCase.row);
      expect(event.category).toBe(testCase.category);
      expect(event.severity).toBe(testCase.severity);
      expect(messageFields(event)).toEqual(testCase.fields);
      expect(event.message).toBe(testCase.line);
    });
  });

  describe.each(BGP_CASES)('BGP message $row: $line', (testCase) => {
    it('is classified with its fields in a BGP record', () => {
      // Act
      const event = parseBgpDetails(testCase.line);
      // Assess
      expect(event.hint?.id).toBe(testCase.row);
      expect(event.category).toBe(testCase.category);
      expect(event.severity).toBe(testCase.severity);
      expect(messageFields(event)).toEqual(testCase.fields);
    });
  });

  describe('rendering variants of two-part messages', () => {
    it.each([[' - '], ['\n'], ['\n• '], [' • '], ['\r\n- ']])(
      'reads the prefix limit message joined by %j',
      (separator) => {
        // Prepare
        const line = `AWS-side peer detected the maximum prefix limit was exceeded${separator}received 101 prefixes from neighbor ${N}, limit is 100`;
        // Act
        const event = parseBgpDetails(line);
        // Assess
        expect(event.hint?.id).toBe('bgp.prefix-limit-exceeded');
        expect(messageFields(event)).toEqual({
          prefixCount: 101,
          prefixLimit: 100,
          bgpNeighbor: N,
        });
      },
    );

    it('reads placeholders written the way the docs write them', () => {
      // Act
      const event = parseBgpDetails(
        'AWS-side peer is reporting a maximum prefix limit warning\n• received {prefixes (count): 95} prefixes from neighbor {ip: 169.254.50.85}, limit is {limit (numeric): 100}',
      );
      // Assess
      expect(messageFields(event)).toEqual({ prefixCount: 95, prefixLimit: 100, bgpNeighbor: N });
    });

    it('classifies a first part alone, without the fields of the missing second part', () => {
      // Act
      const event = parseBgpDetails(`AWS-side peer detected a bad OPEN message from neighbor ${N}`);
      // Assess
      expect(event.hint?.id).toBe('bgp.bad-open');
      expect(messageFields(event)).toEqual({ bgpNeighbor: N });
    });
  });

  describe('near misses', () => {
    it.each([
      ['a word that contains DPD', 'AWS tunnel XDPD timed out after 5 retransmits'],
      ['"timed out" inside another word', 'AWS tunnel DPD timed outright after 5 retransmits'],
      ['lower-cased proposal message', 'no proposal match found by aws'],
      ['the shared start of both proposal messages', 'No Proposal Match Found'],
      ['capitalised key mismatch', 'AWS tunnel detected a Pre-Shared Key Mismatch with cgw: x'],
      ['IKE_SA inside a longer word', 'AWS tunnel received DELETE for IKE_SAX from CGW'],
      [
        'a CREATE_CHILD_SA-like exchange of another kind',
        'AWS tunnel processed request (id=3) for INFORMATIONAL',
      ],
      ['TS_UNACCEPTABLE inside a word', 'AWS: Traffic Selector: TS_UNACCEPTABLEX'],
      ['lower-case peer-not-responsive', 'peer is not responsive'],
    ])('%s is unclassified', (_name, line) => {
      // Act
      const event = parseDetails(line);
      // Assess
      expect(event.category).toBe('unclassified');
      expect(event.hint).toBeUndefined();
    });

    it('tells "No Proposal Match Found by AWS" (phase 1) from "No proposal chosen" (phase 2)', () => {
      expect(parseDetails('No Proposal Match Found by AWS').hint?.id).toBe('ike.no-proposal-match');
      expect(parseDetails('No proposal chosen').hint?.id).toBe('ike.no-proposal-chosen');
      expect(
        parseDetails('No Proposal Match Found. Notifying with "No proposal chosen"').hint?.id,
      ).toBe('ike.no-proposal-chosen');
    });

    it('classifies a child SA exchange whose message id is not a number, without the id', () => {
      const event = parseDetails('AWS tunnel processed request (id=xxx) for CREATE_CHILD_SA');
      expect(event.hint?.id).toBe('ikev2.child-sa-request-processed');
      expect(event.fields.ikeMessageId).toBeUndefined();
    });

    it('keeps an undocumented Cease subcode out of the documented rows', () => {
      const event = parseBgpDetails(
        `AWS-side peer sent a notification 6/9 (Cease/Hard Reset) to neighbor ${N}`,
      );
      expect(event.hint?.id).toBe('bgp.notification');
      expect(event.fields.bgpNotificationSubcode).toBe(9);
    });

    it('uses the generic denial row for a reason that only starts like a documented one', () => {
      const event = parseBgpDetails('DENIED due to: as-path contains our own ASN list');
      expect(event.hint?.id).toBe('bgp.route-denied');
    });

    it('tells the prefix limit warning (warning) from the exceeded message (critical)', () => {
      expect(
        parseBgpDetails('AWS-side peer is reporting a maximum prefix limit warning').severity,
      ).toBe('warning');
      expect(
        parseBgpDetails('AWS-side peer detected the maximum prefix limit was exceeded').severity,
      ).toBe('critical');
    });

    it('finds a known message after an unknown prefix, on word boundaries', () => {
      const event = parseDetails('IKEv2: AWS tunnel DPD timed out after 3 retransmits');
      expect(event.hint?.id).toBe('ikev2.dpd-timeout');
      expect(event.fields.retryCount).toBe(3);
    });
  });

  describe('catalog compilation', () => {
    const row = (id: string, anchors: string[]): CatalogRow => ({
      id,
      category: 'ike.child_sa',
      severity: 'info',
      anchors,
      title: 't',
      remediation: 'r',
      docUrl: 'https://docs.aws.amazon.com/vpn/',
    });

    it('rejects two rows with the same anchor, naming both', () => {
      expect(() => compileCatalog([row('a', ['same words']), row('b', ['same  words'])])).toThrow(
        /anchor "same {2}words" of row "b" is already the anchor of row "a"/,
      );
    });

    it('rejects a pattern with an unnamed capturing group, naming the row', () => {
      const bad = { ...row('a', ['x']), pattern: /(\d+) and (?<retryCount>\d+)/ };
      expect(() => compileCatalog([bad])).toThrow(
        /catalog row "a": pattern has 2 capturing groups but 1 named ones/,
      );
    });

    it('rejects a duplicate row id', () => {
      expect(() => compileCatalog([row('a', ['x']), row('a', ['y'])])).toThrow(
        CatalogDefinitionError,
      );
    });

    it('matches through a catalog of thousands of rows by the same word walk', () => {
      // Prepare: the real rows plus 5,000 rows with unrelated anchors
      const filler = Array.from({ length: 5000 }, (_, i) =>
        row(`filler.${i}`, [`Filler message ${i}`]),
      );
      const big = compileCatalog([...CATALOG, ...filler]);
      // Act
      const found = matchCatalog('AWS tunnel DPD timed out after 2 retransmits', big);
      const fillerFound = matchCatalog('Filler message 4321 here', big);
      // Assess
      expect(found?.indexed.row.id).toBe('ikev2.dpd-timeout');
      expect(fillerFound?.indexed.row.id).toBe('filler.4321');
    });
  });
});
