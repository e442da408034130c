/**
 * The AWS Site-to-Site VPN message catalog, as a data table: every message of
 * the tunnel-activity log (IKEv1 and IKEv2 errors, IKEv2 negotiation) and of
 * the tunnel BGP log (session state, notifications, OPEN, End-of-RIB,
 * updates, prefix limits, denied routes), with the category it belongs to
 * (docs/taxonomy.md), its default severity, the fields it carries and what on-call
 * should do about it.
 *
 * Messages are quoted from the AWS "Site-to-Site VPN logs" page
 * (docs.aws.amazon.com/vpn/latest/s2svpn/monitoring-logs.html). `catalog-index.ts`
 * turns the table into a word trie; adding a message is adding a row here and
 * a test line.
 */
import type { AwsS2sCategory, FieldValue, Severity } from '../../model.ts';

/** One known message (or one record kind, for rows without anchors). */
export interface CatalogRow {
  /** Stable id, also the `Hint` id: `ikev1.…`, `ikev2.…`, `ike.…` (both versions), `bgp.…`. */
  readonly id: string;
  readonly category: AwsS2sCategory;
  /** Default severity of events of this row (docs/taxonomy.md). */
  readonly severity: Severity;
  /**
   * Literal phrases, case-sensitive as AWS writes them, matched on whole
   * words anywhere in the message; the earliest match wins, and at one
   * position the longest phrase. Placeholders (SPI, addresses, counts) are
   * never part of a phrase. Rows without anchors classify record kinds.
   */
  readonly anchors: readonly string[];
  /**
   * Extracts fields: searched from the start of the matched phrase; each named
   * group is a field (names from `EventFields` where they exist). Numeric
   * fields are converted by `INTEGER_FIELDS`.
   */
  readonly pattern?: RegExp;
  /** When true, a message whose `pattern` does not match is not this row (it stays unclassified). */
  readonly patternRequired?: boolean;
  /**
   * Integer fields that follow a literal, e.g. `['(id=', 'ikeMessageId']`:
   * read without a regex (for the messages logged most often). The field is
   * absent when no digits follow the literal.
   */
  readonly integersAfter?: readonly (readonly [literal: string, field: string])[];
  /** Text that must follow the anchor for the message to be this row. */
  readonly requires?: string;
  /** Fields every event of this row carries. */
  readonly constants?: Readonly<Record<string, FieldValue>>;
  /** Short cause, lower-case ASCII: "pre-shared key mismatch". */
  readonly title: string;
  /** What to check or do, in our own words. */
  readonly remediation: string;
  readonly docUrl: string;
}

/** Field names whose captured text is converted to an integer (absent when not one). */
export const INTEGER_FIELDS: ReadonlySet<string> = new Set([
  'retryCount',
  'ikeMessageId',
  'prefixCount',
  'prefixLimit',
  'remoteAsn',
  'expectedAsn',
  'asn',
  'holdTimeSeconds',
  'bgpVersion',
  'bgpNotificationCode',
  'bgpNotificationSubcode',
]);

/** The AWS page that lists every tunnel and BGP log message. */
export const LOG_MESSAGES_DOC =
  'https://docs.aws.amazon.com/vpn/latest/s2svpn/monitoring-logs.html';
const FIREWALL_DOC = 'https://docs.aws.amazon.com/vpn/latest/s2svpn/FirewallRules.html';
const DPD_DOC = 'https://docs.aws.amazon.com/vpn/latest/s2svpn/initiate-vpn-tunnels.html';
const CGW_REQUIREMENTS_DOC = 'https://docs.aws.amazon.com/vpn/latest/s2svpn/CGRequirements.html';

/**
 * A placeholder value: AWS's docs write `{ip: xxx}` / `{asn: xxx}`, real lines
 * the bare value. `inner` is the capture for the value itself.
 */
function slot(inner: string): string {
  return `(?:\\{[^:{}]*:\\s*)?${inner}\\}?`;
}
const NEIGHBOR = slot('(?<bgpNeighbor>[0-9A-Fa-f:.]*[0-9A-Fa-f])');
const TOKEN = '[^\\s,;)}]+';

/** `from X to Y`, optionally followed by the neighbor. */
const STATE_CHANGE = new RegExp(
  `from (?<bgpFromState>[A-Za-z]+) to (?<bgpToState>[A-Za-z]+)(?: with neighbor ${NEIGHBOR})?`,
);
/** `sent a notification 6/2 (Cease/Administrative Shutdown) to neighbor …` and the received form. */
const NOTIFICATION = new RegExp(
  `(?<bgpDirection>sent|received) (?:a )?notification (?<bgpNotificationCode>\\d+)/(?<bgpNotificationSubcode>\\d+)(?: \\((?<bgpNotificationReason>[^)]*)\\))?(?: (?:to|from) neighbor ${NEIGHBOR})?`,
);
/** First part `… neighbor X`, then (any separator) `received N prefixes from neighbor X, limit is L`. */
const PREFIX_LIMIT = new RegExp(
  `received ${slot('(?<prefixCount>\\d+)')} prefixes from neighbor ${NEIGHBOR},? limit is ${slot('(?<prefixLimit>\\d+)')}`,
);
/** `… an OPEN message from/to neighbor X` then `version 4, AS N, holdtime S, router-id R`. */
const OPEN_MESSAGE = new RegExp(
  `neighbor ${NEIGHBOR}(?:[\\s\\S]*?version ${slot('(?<bgpVersion>\\d+)')},? AS ${slot('(?<asn>\\d+)')},? holdtime ${slot('(?<holdTimeSeconds>\\d+)')},? router-id ${slot(`(?<routerId>${TOKEN})`)})?`,
);
const NEIGHBOR_ONLY = new RegExp(`neighbor ${NEIGHBOR}`);
/** `CREATE_CHILD_SA` exchange lines: `(id=12) for CREATE_CHILD_SA`. */
const CHILD_SA_ID: readonly (readonly [string, string])[] = [['(id=', 'ikeMessageId']];
const DENIED = /DENIED due to:?\s*(?<deniedReason>\S(?:.*\S)?)/;

/**
 * The six BGP Cease subcodes AWS documents (RFC 4486 names), each its own row
 * so on-call gets advice for the reason.
 */
const CEASE_REASONS: readonly {
  readonly subcode: number;
  readonly id: string;
  readonly title: string;
  readonly remediation: string;
}[] = [
  {
    subcode: 1,
    id: 'bgp.cease-max-prefixes',
    title: 'BGP maximum prefixes reached',
    remediation:
      'One side advertised more prefixes than the other accepts, and the session was closed. Summarise the routes the customer gateway advertises (AWS accepts at most 100 per BGP session) or filter them, then clear the session.',
  },
  {
    subcode: 2,
    id: 'bgp.cease-admin-shutdown',
    title: 'BGP administrative shutdown',
    remediation:
      'The BGP session was shut down on purpose. If no one planned it, check the customer gateway for a neighbor shutdown command or a change window, and bring the neighbor back up.',
  },
  {
    subcode: 3,
    id: 'bgp.cease-peer-unconfigured',
    title: 'BGP peer unconfigured',
    remediation:
      'The neighbor configuration was removed on one side. Check that the customer gateway still has the AWS inside tunnel address (169.254.x.x) configured as a BGP neighbor with the right AS number.',
  },
  {
    subcode: 4,
    id: 'bgp.cease-admin-reset',
    title: 'BGP administrative reset',
    remediation:
      'The BGP session was reset by an operator or a policy change. It usually re-establishes on its own; if it does not, look for a hard clear or a policy push on the customer gateway.',
  },
  {
    subcode: 5,
    id: 'bgp.cease-connection-rejected',
    title: 'BGP connection rejected',
    remediation:
      'A BGP connection attempt was refused. Check that the customer gateway accepts BGP from the AWS inside tunnel address on TCP 179 and that the neighbor is not administratively down.',
  },
  {
    subcode: 6,
    id: 'bgp.cease-config-change',
    title: 'BGP configuration change',
    remediation:
      'The session was restarted because the neighbor configuration changed. Confirm the change was intended and that the AS numbers, timers and authentication still match on both sides.',
  },
  {
    subcode: 7,
    id: 'bgp.cease-collision',
    title: 'BGP connection collision',
    remediation:
      'Both sides opened a BGP connection at once and one was closed (normal collision handling). Act only if the session does not reach Established shortly after.',
  },
];

/**
 * BGP session state transitions AWS documents, one row each (the advice
 * differs); other transitions fall back to the generic `bgp.state-change` row.
 */
const STATE_TRANSITIONS: readonly {
  readonly from: string;
  readonly to: string;
  readonly id: string;
  readonly title: string;
  readonly remediation: string;
}[] = [
  {
    from: 'Idle',
    to: 'Connect',
    id: 'bgp.state-idle-connect',
    title: 'BGP session connecting',
    remediation: 'Normal start of a BGP session: AWS is opening the TCP connection.',
  },
  {
    from: 'Connect',
    to: 'OpenSent',
    id: 'bgp.state-connect-opensent',
    title: 'BGP OPEN sent',
    remediation: 'Normal BGP start-up: the TCP connection is up and AWS sent its OPEN.',
  },
  {
    from: 'OpenSent',
    to: 'OpenConfirm',
    id: 'bgp.state-opensent-openconfirm',
    title: 'BGP OPEN confirmed',
    remediation: 'Normal BGP start-up: the OPEN messages were accepted.',
  },
  {
    from: 'OpenConfirm',
    to: 'Established',
    id: 'bgp.state-established',
    title: 'BGP session established',
    remediation: 'The BGP session is up; routes are exchanged from now on.',
  },
  {
    from: 'Established',
    to: 'Idle',
    id: 'bgp.state-established-idle',
    title: 'BGP session dropped',
    remediation:
      'The BGP session went down and routes over this tunnel were withdrawn. Look at the messages just before it (hold timer, notification, IPsec down) for the reason; check that the tunnel is up and that the customer gateway sends keepalives.',
  },
  {
    from: 'Connect',
    to: 'Active',
    id: 'bgp.state-connect-active',
    title: 'BGP stuck in Active',
    remediation:
      'AWS could not open the BGP TCP connection. Check that the customer gateway listens for BGP on TCP 179 on its inside tunnel address and that no firewall or ACL blocks it inside the tunnel.',
  },
];

const IKE_ROWS: readonly CatalogRow[] = [
  {
    id: 'ikev1.peer-not-responsive',
    category: 'dpd.timeout',
    severity: 'critical',
    anchors: ['Peer is not responsive'],
    title: 'DPD timeout',
    remediation:
      'The customer gateway stopped answering dead peer detection probes and AWS declared it dead. Check that the gateway is up, has a route to the tunnel outside IP and allows UDP 500/4500; consider the "restart" DPD timeout action so AWS renegotiates by itself.',
    docUrl: DPD_DOC,
  },
  {
    id: 'ikev2.dpd-timeout',
    category: 'dpd.timeout',
    severity: 'critical',
    anchors: ['AWS tunnel DPD timed out after', 'DPD timed out'],
    pattern: /after (?<retryCount>\d+) retransmit/,
    title: 'DPD timeout',
    remediation:
      'The customer gateway did not answer dead peer detection after several retransmits, so AWS applied its DPD timeout action. Check the gateway, its internet link and UDP 500/4500 reachability; enable DPD on the gateway so it answers probes, and consider the "restart" DPD timeout action.',
    docUrl: DPD_DOC,
  },
  {
    id: 'ikev1.invalid-psk',
    category: 'ike.psk_mismatch',
    severity: 'critical',
    anchors: [
      'AWS tunnel payload decryption was unsuccessful due to invalid Pre-shared Key',
      'invalid Pre-shared Key',
    ],
    title: 'pre-shared key mismatch',
    remediation:
      "AWS could not decrypt the gateway's IKE payload: the pre-shared keys differ. Copy the tunnel's key from the VPN configuration (or Secrets Manager) to the customer gateway again, watching for trailing spaces and the tunnel order.",
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'ikev2.psk-mismatch',
    category: 'ike.psk_mismatch',
    severity: 'critical',
    anchors: ['AWS tunnel detected a pre-shared key mismatch with cgw', 'pre-shared key mismatch'],
    pattern: new RegExp(`with cgw:?\\s*(?<cgw>${TOKEN})`),
    title: 'pre-shared key mismatch',
    remediation:
      'The customer gateway authenticated with a different pre-shared key than AWS has for this tunnel. Set the same key on both sides (each tunnel has its own key) and check that the gateway uses the right key for this tunnel outside IP.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'ikev2.authentication-failed',
    category: 'ike.auth_failed',
    severity: 'critical',
    anchors: [
      'AWS tunnel is sending AUTHENTICATION_FAILED as the response',
      'AUTHENTICATION_FAILED',
    ],
    title: 'IKE authentication failed',
    remediation:
      "AWS rejected the gateway's IKE_AUTH. Check the pre-shared key, or for certificate tunnels the certificate chain and expiry, and that the gateway's IKE identity (IP address or FQDN) is what AWS expects.",
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'ike.no-proposal-match',
    category: 'ike.proposal_mismatch',
    severity: 'critical',
    anchors: ['No Proposal Match Found by AWS'],
    title: 'unsupported IKE proposal',
    remediation:
      'None of the encryption, integrity or Diffie-Hellman choices the gateway offered is allowed on this tunnel (3DES, for example, is not supported). Configure the gateway with algorithms the tunnel options allow, e.g. AES-GCM or AES with SHA-2 and DH group 14 or higher.',
    docUrl: CGW_REQUIREMENTS_DOC,
  },
  {
    id: 'ike.no-proposal-chosen',
    category: 'ike.proposal_mismatch',
    severity: 'critical',
    anchors: ['No Proposal Match Found. Notifying with "No proposal chosen"', 'No proposal chosen'],
    title: 'IPsec proposal mismatch',
    remediation:
      'The phase 2 (IPsec) proposals do not overlap. Align the gateway phase 2 encryption, integrity, PFS group and lifetime with the tunnel options.',
    docUrl: CGW_REQUIREMENTS_DOC,
  },
  {
    id: 'ikev2.phase2-failed',
    category: 'ike.phase2_failed',
    severity: 'critical',
    anchors: [
      'AWS tunnel Phase 2 was unable to establish while keeping Phase 1',
      'Phase 2 was unable to establish',
    ],
    title: 'phase 2 could not be established',
    remediation:
      'IKE (phase 1) is up but the IPsec child SA failed. Compare the phase 2 proposals and the traffic selectors on the gateway with the tunnel options.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'ikev2.ts-unacceptable',
    category: 'ike.traffic_selector_mismatch',
    severity: 'critical',
    anchors: ['AWS: Traffic Selector: TS_UNACCEPTABLE: received from responder', 'TS_UNACCEPTABLE'],
    title: 'traffic selector mismatch',
    remediation:
      'The traffic selectors (encryption domain) differ. Make the local and remote CIDRs identical on both sides; policy-based gateways must use a single pair, usually 0.0.0.0/0 to 0.0.0.0/0 or the VPN connection local/remote network CIDRs.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'ikev2.negotiation-timeout',
    category: 'ike.negotiation_timeout',
    severity: 'warning',
    anchors: [
      'AWS tunnel Timeout: deleting un-established Phase 1 IKE_SA with cgw',
      'deleting un-established Phase 1 IKE_SA',
    ],
    pattern: new RegExp(`with cgw:?\\s*(?<cgw>${TOKEN})`),
    title: 'IKE negotiation never completed',
    remediation:
      'The gateway started IKE but stopped answering, so AWS dropped the half-open SA. Usually UDP 500 or 4500 is blocked or NATed on the way; check firewalls between the gateway and the tunnel outside IP.',
    docUrl: FIREWALL_DOC,
  },
  {
    id: 'ike.peer-delete-ike-sa',
    category: 'ike.peer_delete',
    severity: 'info',
    anchors: ['AWS tunnel received DELETE for IKE_SA from CGW', 'received DELETE for IKE_SA'],
    title: 'customer gateway deleted the IKE SA',
    remediation:
      'The customer gateway tore down the IKE SA. Expected during its rekeys or restarts; if the tunnel stays down, look at the gateway log for why it closed the SA.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'ike.peer-delete-child-sa',
    category: 'ike.peer_delete',
    severity: 'info',
    anchors: [
      'AWS tunnel received DELETE for Phase 2 SA with SPI',
      'received DELETE for Phase 2 SA',
    ],
    pattern: new RegExp(`SPI:?\\s*(?<spi>${TOKEN})`),
    title: 'customer gateway deleted a phase 2 SA',
    remediation:
      'The customer gateway deleted an IPsec SA. Normal after a rekey; if phase 2 stays down, check the gateway for idle timeouts or lifetime settings shorter than the tunnel options.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'ikev2.child-rekey-collision',
    category: 'ike.rekey_collision',
    severity: 'info',
    anchors: [
      'AWS tunnel detected a (CHILD_REKEY) collision as CHILD_DELETE',
      '(CHILD_REKEY) collision',
    ],
    title: 'child SA rekey collision',
    remediation:
      'The gateway deleted the SA AWS was rekeying. Usually transient; if it repeats, give the gateway a phase 2 lifetime different from AWS so both sides do not rekey at once.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'ikev2.redundant-sa-deleted',
    category: 'ike.rekey_collision',
    severity: 'info',
    anchors: [
      'AWS tunnel (CHILD_SA) redundant SA is being deleted due to detected collision',
      'redundant SA is being deleted',
    ],
    title: 'redundant child SA removed',
    remediation:
      'Both sides rekeyed at once and the duplicate SA was removed (RFC 7296). Benign on its own.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'ikev2.child-sa-request-processed',
    category: 'ike.child_sa',
    severity: 'info',
    anchors: ['AWS tunnel processed request'],
    integersAfter: CHILD_SA_ID,
    requires: ' for CREATE_CHILD_SA',
    title: 'child SA request from the gateway',
    remediation: 'Normal rekey or child SA traffic; nothing to do.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'ikev2.child-sa-response-sent',
    category: 'ike.child_sa',
    severity: 'info',
    anchors: ['AWS tunnel is sending response'],
    integersAfter: CHILD_SA_ID,
    requires: ' for CREATE_CHILD_SA',
    title: 'child SA response to the gateway',
    remediation: 'Normal rekey or child SA traffic; nothing to do.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'ikev2.child-sa-request-sent',
    category: 'ike.child_sa',
    severity: 'info',
    anchors: ['AWS tunnel is sending request'],
    integersAfter: CHILD_SA_ID,
    requires: ' for CREATE_CHILD_SA',
    title: 'child SA request to the gateway',
    remediation: 'Normal rekey or child SA traffic; nothing to do.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'ikev2.child-sa-response-processed',
    category: 'ike.child_sa',
    severity: 'info',
    anchors: ['AWS tunnel processed response'],
    integersAfter: CHILD_SA_ID,
    requires: ' for CREATE_CHILD_SA',
    title: 'child SA response from the gateway',
    remediation: 'Normal rekey or child SA traffic; nothing to do.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'ikev2.child-sa',
    category: 'ike.child_sa',
    severity: 'info',
    anchors: ['CREATE_CHILD_SA'],
    integersAfter: CHILD_SA_ID,
    title: 'child SA exchange',
    remediation: 'Normal rekey or child SA traffic; nothing to do.',
    docUrl: LOG_MESSAGES_DOC,
  },
];

const BGP_ROWS: readonly CatalogRow[] = [
  {
    id: 'bgp.state-change',
    category: 'bgp.state_change',
    severity: 'info',
    anchors: [
      'AWS-side peer BGP session state has changed from',
      'BGP session state has changed from',
    ],
    pattern: STATE_CHANGE,
    title: 'BGP session state changed',
    remediation:
      'The BGP session changed state. Only leaving Established matters; the BGP session rule raises that.',
    docUrl: LOG_MESSAGES_DOC,
  },
  ...STATE_TRANSITIONS.map(
    (transition): CatalogRow => ({
      id: transition.id,
      category: 'bgp.state_change',
      severity: 'info',
      anchors: [
        `AWS-side peer BGP session state has changed from ${transition.from} to ${transition.to} with neighbor`,
      ],
      pattern: STATE_CHANGE,
      title: transition.title,
      remediation: transition.remediation,
      docUrl: LOG_MESSAGES_DOC,
    }),
  ),
  {
    id: 'bgp.prefix-limit-warning',
    category: 'bgp.prefix_limit',
    severity: 'warning',
    anchors: ['AWS-side peer is reporting a maximum prefix limit warning'],
    pattern: PREFIX_LIMIT,
    title: 'BGP prefix limit nearly reached',
    remediation:
      'The customer gateway advertises almost as many prefixes as AWS accepts on this session. Summarise or filter the advertised routes before the limit is exceeded and the session is closed.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'bgp.prefix-limit-exceeded',
    category: 'bgp.prefix_limit',
    severity: 'critical',
    anchors: ['AWS-side peer detected the maximum prefix limit was exceeded'],
    pattern: PREFIX_LIMIT,
    title: 'BGP prefix limit exceeded',
    remediation:
      'The customer gateway advertised more prefixes than AWS accepts, so AWS closes the BGP session. Summarise or filter the advertised routes (at most 100 per session), then clear the session.',
    docUrl: LOG_MESSAGES_DOC,
  },
  ...CEASE_REASONS.map(
    (reason): CatalogRow => ({
      id: reason.id,
      category: 'bgp.notification',
      severity: 'warning',
      anchors: [
        `AWS-side peer sent a notification 6/${reason.subcode}`,
        `AWS-side peer received notification 6/${reason.subcode}`,
      ],
      pattern: NOTIFICATION,
      title: reason.title,
      remediation: reason.remediation,
      docUrl: LOG_MESSAGES_DOC,
    }),
  ),
  {
    id: 'bgp.notification',
    category: 'bgp.notification',
    severity: 'warning',
    anchors: ['AWS-side peer sent a notification', 'AWS-side peer received notification'],
    pattern: NOTIFICATION,
    title: 'BGP notification',
    remediation:
      'A BGP NOTIFICATION closed the session. The code/subcode says why; check the customer gateway BGP log for the same notification.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'bgp.hold-timer-expired',
    category: 'bgp.notification',
    severity: 'warning',
    anchors: ['AWS-side peer sent a Hold Timer Expired notification', 'Hold Timer Expired'],
    pattern: NEIGHBOR_ONLY,
    title: 'BGP hold timer expired',
    remediation:
      'AWS received no keepalive from the customer gateway within the hold time and closed the session. Check that the tunnel carries traffic both ways, that the gateway is not overloaded, and that its keepalive/hold timers are sane (AWS uses 10/30 seconds).',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'bgp.bad-open',
    category: 'bgp.notification',
    severity: 'warning',
    anchors: ['AWS-side peer detected a bad OPEN message'],
    pattern: new RegExp(
      `neighbor ${NEIGHBOR}(?:[\\s\\S]*?remote AS is ${slot('(?<remoteAsn>\\d+)')},? expected ${slot('(?<expectedAsn>\\d+)')})?`,
    ),
    title: 'BGP AS number mismatch',
    remediation:
      'The customer gateway opened BGP with an AS number AWS does not expect. Set the gateway BGP AS to the customer gateway ASN configured in AWS (or recreate the customer gateway with the right ASN), and peer with the AWS-side ASN.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'bgp.open-received',
    category: 'bgp.message',
    severity: 'info',
    anchors: ['AWS-side peer received an OPEN message'],
    pattern: OPEN_MESSAGE,
    constants: { bgpDirection: 'received' },
    title: 'BGP OPEN received',
    remediation: 'Normal BGP start-up; nothing to do.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'bgp.open-sent',
    category: 'bgp.message',
    severity: 'info',
    anchors: ['AWS-side peer sent an OPEN message'],
    pattern: OPEN_MESSAGE,
    constants: { bgpDirection: 'sent' },
    title: 'BGP OPEN sent',
    remediation: 'Normal BGP start-up; nothing to do.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'bgp.connect',
    category: 'bgp.message',
    severity: 'info',
    anchors: ['AWS-side peer is initiating a connection'],
    pattern: NEIGHBOR_ONLY,
    title: 'BGP connection attempt',
    remediation:
      'AWS is opening the BGP connection. Repeated attempts without Established mean TCP 179 does not get through.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'bgp.end-of-rib',
    category: 'bgp.message',
    severity: 'info',
    anchors: ['AWS-side peer sent an End-of-RIB message'],
    pattern: NEIGHBOR_ONLY,
    title: 'BGP initial routes sent',
    remediation: 'AWS finished sending its routes; nothing to do.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'bgp.update-received',
    category: 'bgp.message',
    severity: 'info',
    anchors: ['AWS-side peer received update with attributes'],
    pattern: new RegExp(
      `neighbor ${NEIGHBOR}(?:[\\s\\S]*?AS path:\\s*${slot('(?<asPath>\\d+(?:[ ,]+\\d+)*)')})?`,
    ),
    title: 'BGP UPDATE received',
    remediation: 'Normal route update from the customer gateway; nothing to do.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'bgp.route-denied-own-as',
    category: 'bgp.route_denied',
    severity: 'warning',
    anchors: ['DENIED due to: as-path contains our own AS'],
    pattern: DENIED,
    title: 'route denied: own AS in AS path',
    remediation:
      "AWS rejected a route whose AS path already holds AWS's own ASN (loop prevention). Stop re-advertising routes learned from AWS back to it, or use AS path prepending with your own ASN only.",
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'bgp.route-denied-next-hop',
    category: 'bgp.route_denied',
    severity: 'warning',
    anchors: ['DENIED due to: non-connected next-hop'],
    pattern: DENIED,
    title: 'route denied: next hop not connected',
    remediation:
      'AWS rejected a route whose next hop is not the customer gateway inside tunnel address. Advertise routes with next-hop-self (the 169.254.x.x inside address of this tunnel).',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'bgp.route-denied',
    category: 'bgp.route_denied',
    severity: 'warning',
    anchors: ['DENIED due to'],
    pattern: DENIED,
    title: 'route denied',
    remediation:
      'AWS rejected a route the customer gateway advertised; the reason is in the message. Fix the advertisement on the gateway.',
    docUrl: LOG_MESSAGES_DOC,
  },
];

/** Rows for record kinds rather than messages (no anchors: chosen by record shape). */
const RECORD_ROWS: readonly CatalogRow[] = [
  {
    id: 'tunnel.state',
    category: 'tunnel.state',
    severity: 'info',
    anchors: [],
    title: 'tunnel state report',
    remediation: 'A record with only the phase 1 / phase 2 state; the tunnel state rule tracks it.',
    docUrl: LOG_MESSAGES_DOC,
  },
  {
    id: 'bgp.route-status',
    category: 'bgp.route',
    severity: 'info',
    anchors: [],
    title: 'BGP route status',
    remediation: 'A route was advertised, updated or withdrawn; nothing to do.',
    docUrl: LOG_MESSAGES_DOC,
  },
];

/** Every row: IKE messages, BGP messages, record kinds. */
export const CATALOG: readonly CatalogRow[] = [...IKE_ROWS, ...BGP_ROWS, ...RECORD_ROWS];

/** The row for a record with state fields and no details. */
export const TUNNEL_STATE_ROW = RECORD_ROWS[0] as CatalogRow;
/** The row for a RouteStatus record that was not denied. */
export const ROUTE_STATUS_ROW = RECORD_ROWS[1] as CatalogRow;
