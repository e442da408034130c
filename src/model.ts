/**
 * The shared vocabulary of tunnelwatch: sources, event categories, severities,
 * events, alerts, the state store contract and the parser contract.
 *
 * Category and rule ids are a public contract (docs/taxonomy.md):
 * they are closed unions here, so a typo is a compile error.
 *
 * This module imports nothing.
 */

/** The log sources tunnelwatch understands. */
export const SOURCES = ['aws-s2s', 'openvpn', 'softether'] as const;
/** A log source id. */
export type Source = (typeof SOURCES)[number];

/** True when `value` is a log source id. */
export function isSource(value: unknown): value is Source {
  return (SOURCES as readonly unknown[]).includes(value);
}

/** `info` is recorded and counted, `warning` alerts, `critical` pages on-call. */
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
/** An event's or an alert's severity. */
export type Severity = (typeof SEVERITIES)[number];

/** Categories shared by every source (docs/taxonomy.md, "Shared categories"). */
export const SHARED_CATEGORIES = [
  'unclassified',
  'malformed',
  'auth.attempt',
  /**
   * A step of a client connection before the verdict that is not itself a
   * login attempt: TCP accepted, TLS initial packet, a certificate verified,
   * the client's peer info, the control channel up.
   */
  'connection.progress',
  'auth.succeeded',
  'auth.failed',
  'session.established',
  'session.ended',
  'cert.key_usage',
  'cert.missing',
  'cert.verify_failed',
  'cert.expired',
  'tls.handshake_failed',
  'tls.negotiation_timeout',
  'tls.hmac_failed',
  'probe.bad_packet',
  'admin.login_failed',
  'admin.login_succeeded',
  'admin.change',
  'server.started',
  'server.stopped',
] as const;

/** Categories of AWS Site-to-Site VPN tunnel and BGP logs (docs/taxonomy.md, "aws-s2s categories"). */
export const AWS_S2S_CATEGORIES = [
  'ike.psk_mismatch',
  'ike.auth_failed',
  'dpd.timeout',
  'ike.proposal_mismatch',
  'ike.phase2_failed',
  'ike.traffic_selector_mismatch',
  'ike.negotiation_timeout',
  'ike.peer_delete',
  'ike.rekey_collision',
  'ike.child_sa',
  'bgp.state_change',
  'bgp.prefix_limit',
  'bgp.notification',
  'bgp.route_denied',
  /** Informational BGP messages: OPEN sent/received, End-of-RIB, updates, connect attempts. */
  'bgp.message',
  /** A RouteStatus record that was not denied (advertised, updated, withdrawn). */
  'bgp.route',
  'tunnel.state',
] as const;

/** Categories specific to SoftEther / PacketiX VPN logs (docs/taxonomy.md, "softether categories"). */
export const SOFTETHER_CATEGORIES = [
  'packet.record',
  'access.denied',
  'network.conflict',
  'log.deleted',
] as const;

/** Every category id, in docs/taxonomy.md order. */
export const CATEGORIES = [
  ...SHARED_CATEGORIES,
  ...AWS_S2S_CATEGORIES,
  ...SOFTETHER_CATEGORIES,
] as const;
/** An event category id: a closed union. */
export type Category = (typeof CATEGORIES)[number];
/** An aws-s2s specific category. */
export type AwsS2sCategory = (typeof AWS_S2S_CATEGORIES)[number];

/** Rules whose alerts are opened and later resolved (docs/taxonomy.md, "Alerts"). */
export const STATE_RULES = [
  'tunnel.down',
  'tunnel.flapping',
  'vpn.all_tunnels_down',
  'bgp.session_down',
] as const;
/** Threshold and audit rules over events of every source. */
export const THRESHOLD_RULES = [
  'auth.bruteforce',
  'probe.scan',
  'cert.problem',
  'admin.bruteforce',
  'admin.audit',
  'network.conflict',
] as const;
/** A state rule id. */
export type StateRuleId = (typeof STATE_RULES)[number];
/** A threshold or audit rule id. */
export type ThresholdRuleId = (typeof THRESHOLD_RULES)[number];
/** Cause alerts use the category id as their rule id (e.g. `ike.psk_mismatch`). */
export type RuleId = StateRuleId | ThresholdRuleId | AwsS2sCategory;

/** A value extracted from a log line. */
export type FieldValue = string | number | boolean | readonly string[];

/**
 * Fields extracted from a line. The well-known names below are shared by
 * sources and rules; a source may add others. Units are in the names' docs.
 */
export interface EventFields {
  // aws-s2s
  /** `vpn-…` id, from the log stream name or `resource_id`. */
  readonly vpnConnectionId?: string;
  /** The tunnel's AWS-side outside IPv4 address. */
  readonly tunnelIp?: string;
  /** IKE phase 1 state, lowercased: established | rekeying | negotiating | down. */
  readonly phase1State?: string;
  /** IKE phase 2 state, lowercased. */
  readonly phase2State?: string;
  readonly dpdEnabled?: boolean;
  readonly natTDetected?: boolean;
  /** Customer gateway address or id as AWS prints it. */
  readonly cgw?: string;
  readonly spi?: string;
  readonly retryCount?: number;
  /** IKE message id of a CREATE_CHILD_SA exchange. */
  readonly ikeMessageId?: number;
  readonly bgpNeighbor?: string;
  readonly bgpFromState?: string;
  readonly bgpToState?: string;
  /** `UP` | `DOWN` | `ADVERTISED` | `UPDATED` | `WITHDRAWN` as AWS writes it. */
  readonly bgpStatus?: string;
  // clients and users (openvpn, softether)
  readonly user?: string;
  readonly clientIp?: string;
  readonly clientPort?: number;
  /** Address assigned to the client inside the VPN. */
  readonly assignedIp?: string;
  /** OpenVPN gateway tunnel id / SoftEther server name. */
  readonly server?: string;
  /** SoftEther Virtual Hub name (UTF-8). */
  readonly hub?: string;
  readonly sessionId?: string;
  readonly connectionId?: string;
  /** Free-text reason the log gives (OpenSSL error, exit reason, …). */
  readonly reason?: string;
  /** Session duration in seconds. */
  readonly durationSeconds?: number;
  /**
   * Set when the same happening is logged in more than one stream (SoftEther
   * writes hub events to both the server log and the hub's security log): the
   * pipeline passes the first event with a given key to the rules and counts
   * later ones as duplicates, whichever stream arrives first.
   */
  readonly duplicateKey?: string;
  readonly [extra: string]: FieldValue | undefined;
}

/** The cause a catalog row explains, shared by every event the row matches. */
export interface Hint {
  /** Stable catalog row id, e.g. `ikev2.dpd-timeout`. */
  readonly id: string;
  /**
   * Short human name of the cause: an ASCII sentence fragment of at most 60
   * characters, no final period, that reads after a colon in a subject. Words
   * are lower case except acronyms and proper names, which keep their usual
   * casing: "pre-shared key mismatch", "DPD timeout", "BGP hold timer
   * expired", "customer gateway deleted the IKE SA", "IPsec proposal
   * mismatch". Alert text upper-cases only the first character at the start
   * of a sentence.
   */
  readonly title: string;
  /** What on-call should check or do, in our own words. */
  readonly remediation: string;
  /** Vendor documentation for the message. */
  readonly docUrl?: string;
}

/** Where a line came from; also its identity for idempotent processing. */
export interface EventOrigin {
  /** CloudWatch Logs stream name, or the name the CLI derived for a file. */
  readonly stream?: string;
  /** Local file path (CLI). */
  readonly file?: string;
  /** 1-based line number in `file`. */
  readonly line?: number;
  /** CloudWatch Logs log group name. */
  readonly logGroup?: string;
  /**
   * AWS account id owning the log group, when it is not the pipeline's own
   * (multi-account ingestion; `StreamBatch.account`).
   */
  readonly account?: string;
  /** AWS region of the log group, when known (`StreamBatch.region`). */
  readonly region?: string;
}

/** One log line (or record) read once. Every line becomes exactly one event. */
export interface VpnEvent {
  /**
   * Identity for idempotency: the CloudWatch Logs event id, else `stream:line`
   * or `file:line`. The same input line always yields the same id.
   */
  readonly id: string;
  readonly source: Source;
  readonly category: Category;
  readonly severity: Severity;
  /** Event time, epoch milliseconds UTC; `null` when the line carries none. */
  readonly time: number | null;
  /** The message text the catalog matched (e.g. the `details` field), as logged. */
  readonly message: string;
  /** The whole input line or record as read (untrusted; evidence for alerts). */
  readonly raw: string;
  readonly fields: EventFields;
  readonly origin: EventOrigin;
  /** The catalog row that classified the event; absent for unclassified/malformed. */
  readonly hint?: Hint;
  /** Why the line is `malformed`. */
  readonly reason?: string;
}

/** Earliest event time a line may carry, epoch ms: 1970-01-01T00:00:00.000Z. */
export const MIN_EVENT_TIME_MS = 0;
/**
 * Latest event time a line may carry, epoch ms: 9999-12-31T23:59:59.999Z, the
 * last instant ISO 8601 writes with four year digits. Far inside the range of
 * a JavaScript `Date` (±8.64e15), so rule windows added to it stay valid.
 */
export const MAX_EVENT_TIME_MS = 253_402_300_799_999;

/** True when `ms` is an event time a line may carry (finite, 1970 to 9999). */
export function isEventTime(ms: number): boolean {
  return ms >= MIN_EVENT_TIME_MS && ms <= MAX_EVENT_TIME_MS;
}

/**
 * ISO 8601 UTC text of an epoch-ms time. Never throws: a value a `Date`
 * cannot hold (`new Date(x).toISOString()` throws `RangeError` there) is
 * written as `invalid time <value>`.
 */
export function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `invalid time ${String(ms)}` : date.toISOString();
}

/** An alert's lifecycle step. Only state rules are ever `resolved`. */
export type AlertStatus = 'opened' | 'resolved';

/** What an alert is about, for routing and rendering; every member optional. */
export interface AlertSubject {
  readonly vpnConnectionId?: string;
  readonly tunnelIp?: string;
  readonly bgpNeighbor?: string;
  readonly user?: string;
  readonly clientIp?: string;
  readonly server?: string;
  readonly hub?: string;
  readonly sessionId?: string;
}

/** An alert for on-call people (docs/taxonomy.md, "Alerts"). */
export interface Alert {
  /** Deterministic: derived from `key`, `status` and the triggering event's id. */
  readonly id: string;
  readonly rule: RuleId;
  readonly status: AlertStatus;
  /** The category that explains the alert (the cause). */
  readonly category: Category;
  readonly severity: Severity;
  readonly source: Source;
  /** Dedup key: what the alert is about, e.g. `aws-s2s:tunnel:vpn-0abc:203.0.113.10`. */
  readonly key: string;
  /** Short ASCII subject (< 100 characters). */
  readonly subject: string;
  /** Time of the triggering event, epoch milliseconds UTC. */
  readonly time: number;
  /** One or two sentences: what happened, in plain words. */
  readonly summary: string;
  /** Raw log lines that support the alert (untrusted text; sanitise before rendering). */
  readonly evidence: readonly string[];
  readonly remediation: string;
  readonly docUrl?: string;
  readonly about: AlertSubject;
  /** Id of the event that triggered the alert. */
  readonly eventId: string;
  /**
   * AWS account id of the log group the triggering event came from, when it
   * is not the monitoring account's own (multi-account ingestion). Not part
   * of `id`. Log-derived text: sanitise before rendering.
   */
  readonly account?: string;
  /** AWS region of that log group, when known. Not part of `id`. */
  readonly region?: string;
}

// ---------------------------------------------------------------------------
// State

/** A stored state entry with its version for conditional writes. */
export interface Versioned<T = unknown> {
  readonly value: T;
  /** Starts at 1 on first write; every successful write increments it. */
  readonly version: number;
  /** Epoch milliseconds after which the entry may be discarded. */
  readonly expiresAt?: number;
}

/** A conditional write of one key. */
export interface StateWrite<T = unknown> {
  readonly key: string;
  /** The new value; `null` deletes the entry. */
  readonly value: T | null;
  /** The version read before; `0` means "the key must not exist". */
  readonly expectedVersion: number;
  /** Epoch milliseconds after which the entry may be discarded. */
  readonly expiresAt?: number;
}

/** Thrown by `StateStore.put`/`putMany` when a key changed since it was read. */
export class StateConflictError extends Error {
  override readonly name = 'StateConflictError';
  constructor(readonly keys: readonly string[]) {
    super(`state changed concurrently for ${keys.length} key(s): ${keys.slice(0, 5).join(', ')}`);
  }
}

/**
 * Key-value state with versions and expiry: in memory for the CLI, DynamoDB in
 * the Lambda. Entries past `expiresAt` read as absent.
 */
export interface StateStore {
  get<T = unknown>(key: string): Promise<Versioned<T> | undefined>;
  /** Reads many keys at once (one round trip per batch where the backend allows). */
  getMany(keys: readonly string[]): Promise<Map<string, Versioned>>;
  /** Conditional write of one key; throws `StateConflictError` on a version mismatch. */
  put<T = unknown>(write: StateWrite<T>): Promise<void>;
  /**
   * Conditional writes of many keys, all or nothing; throws `StateConflictError`
   * naming the keys that conflicted, and then writes none of them.
   */
  putMany(writes: readonly StateWrite[]): Promise<void>;
  /**
   * A synchronous read, where the backend can (in memory): the pipeline then
   * parses a batch once instead of parsing it again after loading the
   * correlation entries the parsers asked for.
   */
  readNow?(key: string): Versioned | undefined;
}

// ---------------------------------------------------------------------------
// Parsing

/**
 * What a parser remembers between the lines of its stream (OpenVPN clients,
 * SoftEther connections and sessions). The pipeline keeps it in the
 * `StateStore` with the rule state, committed in the same conditional write,
 * so a delivery boundary changes nothing. Values are plain JSON; keys are the
 * parser's own (the pipeline scopes them to the stream).
 */
export interface CorrelationMemory {
  get<T>(key: string): T | undefined;
  /** `expiresAt`: event time (ms) after which the entry may be forgotten. */
  set<T>(key: string, value: T, expiresAt: number): void;
  delete(key: string): void;
  /**
   * Hands an earlier event, completed by what this line revealed (a late
   * SoftEther connection line naming the address of failed logins), back to
   * the rules; the rules recognise it by its id.
   */
  amend(event: VpnEvent): void;
}

/** What a parser knows about the line it is given besides its text. */
export interface LineContext {
  /** Identity of the line (CloudWatch Logs event id); defaults to `stream:line` / `file:line`. */
  readonly eventId?: string;
  /** CloudWatch Logs ingestion/event timestamp, epoch ms: used when the line has none. */
  readonly timestamp?: number;
  readonly origin: EventOrigin;
  /**
   * Correlation memory kept outside the parser (the pipeline's store); without
   * it a parser keeps its own, bounded, for the lines it is fed.
   */
  readonly correlation?: CorrelationMemory;
}

/**
 * A parser for one stream of one source. It may keep bounded correlation state
 * across the lines of its stream (OpenVPN client addresses, SoftEther CIDs), so
 * create one per stream and feed it the lines in order.
 */
export interface StreamParser {
  readonly source: Source;
  /** Turns one line into exactly one event; never throws. */
  parse(line: string, context: LineContext): VpnEvent;
}

/** Options every source's parser factory accepts. */
export interface ParserOptions {
  /** IANA time zone for local-time formats; default `UTC`. */
  readonly timeZone?: string;
  /** Log stream name (aws-s2s: carries VPN id and tunnel IP). */
  readonly stream?: string;
}

/** A log source's entry point: sniffing and parser creation. */
export interface SourceDefinition {
  readonly source: Source;
  /** True when the line looks like this source's format (for `--source auto`). */
  sniff(line: string): boolean;
  createParser(options: ParserOptions): StreamParser;
}

// ---------------------------------------------------------------------------
// Rule configuration (docs/taxonomy.md defaults live in src/rules/config.ts)

/** Settings of one rule; which members apply depends on the rule. */
export interface RuleSettings {
  /** A disabled rule raises no alert. */
  readonly enabled: boolean;
  /** Severity of the rule's alerts (cause alerts: their category's severity unless set). */
  readonly severity?: Severity;
  /** Events needed within `windowMinutes` (threshold rules). */
  readonly threshold?: number;
  /** Sliding window length in minutes (threshold rules, flapping). */
  readonly windowMinutes?: number;
  /** Quiet period after an alert, per key, in minutes. */
  readonly cooldownMinutes?: number;
  /** `auth.bruteforce`: failures for one user name from several addresses. */
  readonly userThreshold?: number;
  /** `auth.bruteforce`: distinct addresses needed for the per-user variant. */
  readonly userMinAddresses?: number;
  /** `tunnel.down`: how far back (minutes) a critical event may explain a down transition. */
  readonly causeLookbackMinutes?: number;
}

/** Every rule's settings, keyed by rule id; cause alerts share `cause`. */
export interface RulesConfig {
  readonly rules: Readonly<Record<StateRuleId | ThresholdRuleId, RuleSettings>>;
  /** Cause alerts (rule id = aws-s2s category): cooldown per tunnel and category. */
  readonly cause: RuleSettings;
  /** Per-category severity overrides for cause alerts. */
  readonly causeSeverities?: Readonly<Partial<Record<AwsS2sCategory, Severity>>>;
}
