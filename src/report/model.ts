/**
 * The report's data model: what the timeline page draws, aggregated from the
 * pipeline's events and alerts so that its size depends on how much happened
 * (state changes, alerts, distinct addresses), not on how many lines were read.
 *
 * Times are epoch milliseconds UTC. Bulky series are flat number arrays
 * (`[bucket, count, bucket, count, …]`, buckets counted from
 * `ReportModel.bucketStart` in steps of `ReportModel.bucketMs`) and spans are
 * tuples, so that the JSON embedded in the page stays small. Every string that
 * came from a log is untrusted: the page sets it as text, never as markup.
 */
import type { AlertStatus, Category, RuleId, Severity, Source } from '../model.ts';

/** A closed time interval, epoch ms. */
export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

/** A stretch of time with activity, for the page's "jump to" buttons. */
export interface Episode extends TimeRange {
  /** The sources with events in it, in `SOURCES` order. */
  readonly sources: readonly Source[];
  readonly events: number;
  readonly alerts: number;
}

/** Sparse counts per bucket: `[bucket, count, bucket, count, …]`, buckets ascending. */
export type BucketCounts = readonly number[];

/** What a tunnel's records say about it (IKE phase states). */
export type TunnelState = 'up' | 'down' | 'negotiating';

/**
 * A span of one tunnel state: `[start, end, state, cause]`. `cause` is the
 * short phrase that explains a `down` span ("DPD timeout"), with other causes
 * seen during the span after " · "; null for other states.
 */
export type StateSpan = readonly [
  start: number,
  end: number,
  state: TunnelState,
  cause: string | null,
];

/** A span of one BGP session state as AWS names it (`Established`, `Idle`, `Active`, …). */
export type BgpSpan = readonly [start: number, end: number, state: string];

/** A BGP session lane, drawn under its tunnel. */
export interface BgpLane {
  /** `bgp:<vpn>:<tunnel ip>:<neighbor>` */
  readonly laneId: string;
  readonly neighbor: string;
  readonly spans: readonly BgpSpan[];
}

/** One tunnel's lane: its state spans, flapping periods and BGP sessions. */
export interface TunnelLane {
  /** `tunnel:<vpn>:<tunnel ip>` */
  readonly laneId: string;
  readonly tunnelIp: string;
  readonly spans: readonly StateSpan[];
  /** Periods with an open `tunnel.flapping` alert. */
  readonly flapping: readonly TimeRange[];
  readonly bgp: readonly BgpLane[];
}

/** A VPN connection and its tunnels. */
export interface ConnectionGroup {
  /** `vpn:<vpn>`: the group's own row carries `vpn.all_tunnels_down` periods and alerts. */
  readonly laneId: string;
  readonly vpnConnectionId: string;
  /** Periods with an open `vpn.all_tunnels_down` alert. */
  readonly allDown: readonly TimeRange[];
  readonly tunnels: readonly TunnelLane[];
}

/** One row of failed-login counts (an address or a user name). */
export interface CountRow {
  readonly label: string;
  readonly total: number;
  readonly counts: BucketCounts;
}

/** The rows left out of a top-N list, summed. */
export interface OtherRows {
  /** How many rows were summed. */
  readonly rows: number;
  readonly total: number;
  readonly counts: BucketCounts;
}

/**
 * One VPN session: `[start, end, assigned address, client address, end reason]`.
 * `end` is null while it is still open at the end of the logs; `start` is null
 * when only its end (with a duration) was logged before the logs begin.
 */
export type SessionBar = readonly [
  start: number,
  end: number | null,
  assignedIp: string | null,
  clientIp: string | null,
  reason: string | null,
];

/** The sessions of one user. */
export interface SessionRow {
  readonly user: string;
  readonly sessions: readonly SessionBar[];
}

/** An administrative event: `[time, category, text]` (text sanitised and cut). */
export type AdminMark = readonly [time: number, category: Category, text: string];

/** Logins, sessions and administration of one remote-access source (OpenVPN, SoftEther). */
export interface ClientSection {
  readonly source: Source;
  /** `alerts:<source>`: the row of this source's alerts that concern no other lane. */
  readonly alertLaneId: string;
  readonly failedTotal: number;
  readonly failedCounts: BucketCounts;
  readonly failedByAddress: readonly CountRow[];
  readonly otherAddresses: OtherRows;
  readonly failedByUser: readonly CountRow[];
  readonly otherUsers: OtherRows;
  readonly sessions: readonly SessionRow[];
  /** Sessions counted but not drawn (users past the row limit, bars past the bar limit). */
  readonly sessionsOmitted: number;
  readonly sessionsTotal: number;
  /** Time of the source's latest event: sessions still open are drawn up to it. */
  readonly end: number;
  readonly admin: readonly AdminMark[];
  /** Administrative events counted but not drawn (past the limit). */
  readonly adminOmitted: number;
}

/** An alert as the page shows it; `laneId` names the row its marker sits in. */
export interface AlertView {
  readonly id: string;
  readonly rule: RuleId;
  readonly status: AlertStatus;
  readonly severity: Severity;
  readonly category: Category;
  readonly source: Source;
  readonly time: number;
  readonly subject: string;
  readonly summary: string;
  /** The cause phrase ("DPD timeout", "pre-shared key mismatch"): an index into `ReportModel.texts`. */
  readonly cause: number;
  /** Evidence lines, sanitised and cut to the page's budget. */
  readonly evidence: readonly string[];
  /** Evidence lines the alert has beyond those shown (`replay --json` has them all). */
  readonly evidenceOmitted: number;
  /** What to do: an index into `ReportModel.texts` (alerts of one cause share it). */
  readonly remediation: number;
  /** Vendor documentation: an index into `ReportModel.texts`, or null. */
  readonly docUrl: number | null;
  readonly laneId: string;
}

/** The counts `replay` prints under its table. */
export interface ReportSummary {
  readonly events: number;
  readonly unclassified: number;
  readonly malformed: number;
  readonly duplicates: number;
  /** Events behind their stream's newest by more than the lateness bound: counted, not judged. */
  readonly late: number;
  /** Events without a time (before the first timed line of their stream): counted, not drawn. */
  readonly untimed: number;
  readonly suppressed: Readonly<Record<'cooldown' | 'dedup' | 'folded', number>>;
  readonly alertsByRule: readonly {
    readonly rule: RuleId;
    readonly opened: number;
    readonly resolved: number;
  }[];
  readonly eventsByCategory: readonly {
    readonly source: Source;
    readonly category: Category;
    readonly count: number;
  }[];
}

/** Everything the page draws. */
export interface ReportModel {
  readonly version: 1;
  readonly title: string;
  /** When the report was made, epoch ms. */
  readonly generatedAt: number;
  /** The files or log group read. */
  readonly inputs: readonly string[];
  /** The zone the logs' local times were read in (`--tz`): offered beside UTC. */
  readonly logTimeZone: string;
  /** First and last event time; null when no event had a time. */
  readonly range: TimeRange | null;
  /** Width of one count bucket, ms (one minute, more for logs dense over a long range). */
  readonly bucketMs: number;
  /** Start of bucket 0, epoch ms. */
  readonly bucketStart: number;
  readonly episodes: readonly Episode[];
  /** Events per bucket by severity. */
  readonly activity: Readonly<Record<Severity, BucketCounts>>;
  readonly connections: readonly ConnectionGroup[];
  readonly clients: readonly ClientSection[];
  /** In time order. */
  readonly alerts: readonly AlertView[];
  /** Texts many alerts share (causes, remediation, links), stored once. */
  readonly texts: readonly string[];
  readonly summary: ReportSummary;
}
