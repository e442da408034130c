/**
 * Test harness for the aws-s2s incident rules: an event builder shaped like
 * the aws-s2s parser's output, a Map-backed `StateView` that honours
 * `expiresAt` against the current event's time and refuses keys a rule did
 * not declare in `keys(event)`, and a runner that applies rules in order.
 */
import type {
  AwsS2sCategory,
  Category,
  Hint,
  RuleId,
  RulesConfig,
  Severity,
  VpnEvent,
} from '../../src/model.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';
import type { AlertDraft, Rule, RuleContext, StateView } from '../../src/rules/rule.ts';
import { tunnelRules } from '../../src/rules/tunnel.ts';

/** 2025-11-08 05:00:00 UTC, epoch ms: minute 0 of every scenario. */
export const T0 = Date.UTC(2025, 10, 8, 5, 0, 0);
/** One minute in ms. */
export const MINUTE = 60_000;
/** VPN connection and tunnels used by default. */
export const VPN = 'vpn-0abc1234def567890';
export const TUNNEL_A = '203.0.113.10';
export const TUNNEL_B = '203.0.113.20';
export const NEIGHBOR = '169.254.50.85';

/** The shipped defaults (docs/taxonomy.md), which the scenarios are written against. */
export const TEST_CONFIG: RulesConfig = DEFAULT_RULES_CONFIG;

interface CatalogRow {
  readonly message: string;
  readonly severity: Severity;
  readonly title: string;
}

/** A message, default severity and hint title per category, as the aws-s2s catalog gives them. */
const CATALOG: Readonly<Partial<Record<AwsS2sCategory, CatalogRow>>> = {
  'ike.psk_mismatch': {
    message: 'AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.7',
    severity: 'critical',
    title: 'pre-shared key mismatch',
  },
  'ike.auth_failed': {
    message: 'AWS tunnel is sending AUTHENTICATION_FAILED as the response',
    severity: 'critical',
    title: 'IKE authentication failed',
  },
  'dpd.timeout': {
    message: 'AWS tunnel DPD timed out after 3 retransmits',
    severity: 'critical',
    title: 'DPD timeout',
  },
  'ike.proposal_mismatch': {
    message: 'No Proposal Match Found by AWS',
    severity: 'critical',
    title: 'IKE proposal mismatch',
  },
  'ike.negotiation_timeout': {
    message: 'AWS tunnel Timeout: deleting un-established Phase 1 IKE_SA with cgw: 198.51.100.7',
    severity: 'warning',
    title: 'IKE negotiation timed out',
  },
  'ike.peer_delete': {
    message: 'AWS tunnel received DELETE for IKE_SA from CGW',
    severity: 'info',
    title: 'customer gateway deleted the IKE SA',
  },
  'ike.rekey_collision': {
    message: 'AWS tunnel (CHILD_SA) redundant SA is being deleted due to detected collision',
    severity: 'info',
    title: 'rekey collision',
  },
  'ike.child_sa': {
    message: 'AWS tunnel processed request (id=12) for CREATE_CHILD_SA',
    severity: 'info',
    title: 'child SA rekey',
  },
  'tunnel.state': { message: '', severity: 'info', title: 'tunnel state report' },
  'bgp.state_change': {
    message: 'AWS-side peer BGP session state has changed from X to Y with neighbor 169.254.50.85',
    severity: 'info',
    title: 'BGP session state change',
  },
  'bgp.notification': {
    message: 'AWS-side peer sent a Hold Timer Expired notification to neighbor 169.254.50.85',
    severity: 'warning',
    title: 'BGP hold timer expired',
  },
  'bgp.prefix_limit': {
    message:
      'AWS-side peer is reporting a maximum prefix limit warning - received 95 prefixes from neighbor 169.254.50.85, limit is 100',
    severity: 'warning',
    title: 'BGP maximum prefix limit',
  },
  'bgp.route_denied': {
    message: 'DENIED due to: as-path contains our own AS',
    severity: 'warning',
    title: 'BGP route denied',
  },
  'bgp.message': {
    message: 'AWS-side peer sent an End-of-RIB message to neighbor 169.254.50.85',
    severity: 'info',
    title: 'BGP message',
  },
};

/** What a scenario says about one record; everything but `at` has a default. */
export interface RecordSpec {
  /** Minutes after T0 (fractions allowed). */
  readonly at: number;
  readonly category?: AwsS2sCategory | Category;
  readonly severity?: Severity;
  readonly phase1?: string;
  readonly phase2?: string;
  readonly vpn?: string;
  readonly tunnelIp?: string;
  readonly neighbor?: string;
  readonly bgpFrom?: string;
  readonly bgpTo?: string;
  readonly bgpStatus?: string;
  readonly message?: string;
  /** No hint (the rules fall back to their own words). */
  readonly noHint?: boolean;
  /** Event without a time (`time: null`). */
  readonly untimed?: boolean;
}

let sequence = 0;

/** An aws-s2s event as the parser would produce it for `spec`; ids are unique per call. */
export function s2s(spec: RecordSpec): VpnEvent {
  const category = spec.category ?? 'tunnel.state';
  const row = CATALOG[category as AwsS2sCategory];
  const vpn = spec.vpn ?? VPN;
  const tunnelIp = spec.tunnelIp ?? TUNNEL_A;
  const time = T0 + Math.round(spec.at * MINUTE);
  const message = spec.message ?? row?.message ?? '';
  const hint: Hint | undefined =
    row === undefined || spec.noHint === true
      ? undefined
      : {
          id: `aws-s2s.${category}`,
          title: row.title,
          remediation: `Remediation for ${row.title}.`,
          docUrl: 'https://docs.aws.amazon.com/vpn/latest/s2svpn/log-contents.html',
        };
  const fields = {
    vpnConnectionId: vpn,
    tunnelIp,
    ...(spec.phase1 === undefined ? {} : { phase1State: spec.phase1 }),
    ...(spec.phase2 === undefined ? {} : { phase2State: spec.phase2 }),
    ...(spec.neighbor === undefined ? {} : { bgpNeighbor: spec.neighbor }),
    ...(spec.bgpFrom === undefined ? {} : { bgpFromState: spec.bgpFrom }),
    ...(spec.bgpTo === undefined ? {} : { bgpToState: spec.bgpTo }),
    ...(spec.bgpStatus === undefined ? {} : { bgpStatus: spec.bgpStatus }),
  };
  sequence += 1;
  return {
    id: `${vpn}-${tunnelIp}:${sequence}`,
    source: 'aws-s2s',
    category,
    severity: spec.severity ?? row?.severity ?? 'info',
    time: spec.untimed === true ? null : time,
    message,
    raw: JSON.stringify({
      event_timestamp: time,
      details: message,
      ike_phase1_state: spec.phase1,
      ike_phase2_state: spec.phase2,
    }),
    fields,
    origin: { stream: `${vpn}-${tunnelIp}` },
    ...(hint === undefined ? {} : { hint }),
  };
}

/** A record whose phase 1 and phase 2 are both `state`. */
export function phases(
  at: number,
  state: string,
  extra: Omit<RecordSpec, 'at' | 'phase1' | 'phase2'> = {},
): VpnEvent {
  return s2s({ at, phase1: state, phase2: state, ...extra });
}

/** A record that shows the tunnel down (both phases `down`). */
export function down(at: number, extra: Omit<RecordSpec, 'at'> = {}): VpnEvent {
  return s2s({ at, phase1: 'down', phase2: 'down', ...extra });
}

/** A record that shows the tunnel up (both phases `established`). */
export function up(at: number, extra: Omit<RecordSpec, 'at'> = {}): VpnEvent {
  return s2s({ at, phase1: 'established', phase2: 'established', ...extra });
}

interface Entry {
  readonly value: unknown;
  readonly expiresAt?: number;
}

/** A Map-backed `StateView`: JSON values, expiry against `now`, only declared keys. */
export class MapStateView implements StateView {
  /** Live entries by key (expired ones are removed when read). */
  readonly entries = new Map<string, Entry>();
  /** Epoch ms used for expiry: the current event's time. */
  now = 0;
  /** Keys the running rule declared for the current event. */
  declared: ReadonlySet<string> = new Set();
  /** Number of `set` calls. */
  writes = 0;
  /** Every `set` call without an expiry (must stay empty: state is bounded). */
  readonly unbounded: string[] = [];

  get<T>(key: string): T | undefined {
    this.check(key);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value as T;
  }

  set<T>(key: string, value: T, expiresAt?: number): void {
    this.check(key);
    this.writes += 1;
    if (expiresAt === undefined) this.unbounded.push(key);
    const copy: unknown = JSON.parse(JSON.stringify(value));
    this.entries.set(key, expiresAt === undefined ? { value: copy } : { value: copy, expiresAt });
  }

  delete(key: string): void {
    this.check(key);
    this.entries.delete(key);
  }

  private check(key: string): void {
    if (!this.declared.has(key)) throw new Error(`rule touched undeclared state key ${key}`);
  }
}

/** A suppressed alert as the rules reported it. */
export interface Suppression {
  readonly rule: RuleId;
  readonly reason: 'cooldown' | 'dedup' | 'folded';
}

/** What a run of the rules produced. */
export interface RunResult {
  readonly drafts: AlertDraft[];
  readonly suppressed: Suppression[];
  readonly view: MapStateView;
}

/** Options of `runRules`. */
export interface RunOptions {
  readonly rules?: readonly Rule[];
  readonly config?: RulesConfig;
  /** Continue from this state (e.g. a previous run's view). */
  readonly view?: MapStateView;
}

/** Applies `rules.keys` then `rules.apply` to every event, in order. */
export function runRules(events: readonly VpnEvent[], options: RunOptions = {}): RunResult {
  const rules = options.rules ?? tunnelRules;
  const view = options.view ?? new MapStateView();
  const drafts: AlertDraft[] = [];
  const suppressed: Suppression[] = [];
  const context: RuleContext = {
    state: view,
    config: options.config ?? TEST_CONFIG,
    emit: (draft) => drafts.push(draft),
    suppressed: (rule, reason) => suppressed.push({ rule, reason }),
  };
  for (const event of events) {
    if (event.time !== null) view.now = event.time;
    for (const rule of rules) {
      view.declared = new Set(rule.keys(event));
      rule.apply(event, context);
    }
  }
  return { drafts, suppressed, view };
}

/** Drafts as `rule status category` lines, for compact assertions. */
export function summaryOf(drafts: readonly AlertDraft[]): string[] {
  return drafts.map((draft) => `${draft.rule} ${draft.status} ${draft.category}`);
}

/** Minutes after T0 of a draft's triggering event. */
export function minuteOf(draft: AlertDraft): number {
  return ((draft.event.time ?? T0) - T0) / MINUTE;
}
