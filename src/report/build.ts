/**
 * From the pipeline's events and alerts to the report's data model
 * (src/report/model.ts). Pure and streaming: `add` takes each event once, in
 * the pipeline's merged time order (its `onEvent` hook), and keeps only
 * aggregates (per-minute counts, state spans, compact login records), so that
 * a million lines make a model of at most a few MB; `finish` adds the alerts
 * and the pipeline's counts.
 */
import { sanitizeLine } from '../alerts/sanitize.ts';
import {
  type Alert,
  type Category,
  type RuleId,
  SEVERITIES,
  type Severity,
  SOURCES,
  type Source,
  type VpnEvent,
} from '../model.ts';
import type { PipelineResult } from '../pipeline.ts';
import { explainCause, isAwsS2sCategory } from '../rules/cause.ts';
import type {
  AdminMark,
  AlertView,
  BgpSpan,
  ClientSection,
  ConnectionGroup,
  CountRow,
  Episode,
  OtherRows,
  ReportModel,
  SessionBar,
  SessionRow,
  StateSpan,
  TimeRange,
  TunnelState,
} from './model.ts';

/** Smallest count bucket: one minute. */
export const MINUTE_MS = 60_000;
/** Most buckets a count series may have; longer ranges get wider buckets. */
export const MAX_BUCKETS = 10_000;
/** Addresses and users shown one per row in the failed-login charts; the rest are summed. */
export const TOP_LOGIN_ROWS = 10;
/** Users whose sessions are drawn one row each. */
export const MAX_SESSION_ROWS = 30;
/** Session bars drawn in all; the rest are counted. */
export const MAX_SESSION_BARS = 3_000;
/** Administrative events drawn per source; the rest are counted. */
export const MAX_ADMIN_MARKS = 1_000;
/** Evidence lines shown per alert, and characters per line. */
export const MAX_EVIDENCE_LINES_SHOWN = 10;
export const MAX_EVIDENCE_CHARS = 400;
/** Characters of evidence the whole page may carry; many alerts get fewer lines each. */
export const EVIDENCE_BUDGET_CHARS = 800_000;
/** How far back (ms) a critical event may explain a tunnel going down (the rule's default). */
export const CAUSE_LOOKBACK_MS = 5 * MINUTE_MS;
/** A gap (ms) without events that separates two episodes. */
export const EPISODE_GAP_MS = 6 * 60 * MINUTE_MS;
/** Most episodes offered; the closest ones are merged beyond it. */
export const MAX_EPISODES = 8;
/**
 * How long (ms of event time) a `duplicateKey` is remembered: the copies of
 * one happening (SoftEther server and security log) carry the same time.
 */
const DUPLICATE_WINDOW_MS = 10 * MINUTE_MS;
/** Bucket widths tried for long ranges, in minutes. */
const BUCKET_STEPS_MIN = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080];
/** Longest admin event text kept, characters. */
const MAX_ADMIN_TEXT = 240;
const CLIENT_SOURCES: readonly Source[] = ['openvpn', 'softether'];

/** What the report says about where its data came from. */
export interface ReportContext {
  readonly title: string;
  readonly inputs: readonly string[];
  /** The zone local log times were read in (`--tz`). */
  readonly logTimeZone: string;
  /** When the report is made, epoch ms. */
  readonly generatedAt: number;
}

/** The last-seen phase states of a tunnel and its open span. */
interface TunnelTrack {
  readonly vpnConnectionId: string;
  readonly tunnelIp: string;
  phase1: string | undefined;
  phase2: string | undefined;
  readonly spans: MutableSpan[];
  open: MutableSpan | undefined;
  /** Critical and warning events of the last `CAUSE_LOOKBACK_MS`: time, category, phrase. */
  recent: { time: number; category: Category; severity: Severity; cause: string }[];
  readonly bgp: Map<string, BgpTrack>;
}

interface MutableSpan {
  readonly start: number;
  end: number;
  readonly state: TunnelState;
  /** Id of the record that opened it (a `tunnel.down` alert names it). */
  readonly eventId: string;
  /** Candidate causes of a down span, by category, from the opening record and the lookback. */
  readonly candidates: Map<Category, string>;
  /** The rule's choice when no alert names the span: the opening record's critical cause, else the latest critical one. */
  readonly fallback: string;
  /** Other cause phrases seen during a down span, in order. */
  readonly seen: string[];
}

interface BgpTrack {
  readonly neighbor: string;
  readonly spans: { start: number; end: number; state: string }[];
}

/** An open VPN session. */
interface OpenSession {
  readonly user: string;
  readonly start: number;
  assignedIp: string | null;
  readonly clientIp: string | null;
  readonly connectionId: string | undefined;
}

/** One closed session, with the user it belongs to. */
interface ClosedSession {
  readonly user: string;
  readonly bar: SessionBar;
}

/** Failed logins of one source as compact parallel arrays (12 bytes per failure). */
class FailureLog {
  private minutes = new Float64Array(1024);
  private addresses = new Int32Array(1024);
  private users = new Int32Array(1024);
  length = 0;
  readonly addressNames: string[] = [];
  readonly userNames: string[] = [];
  private readonly addressIndex = new Map<string, number>();
  private readonly userIndex = new Map<string, number>();

  add(minute: number, address: string, user: string): void {
    if (this.length === this.minutes.length) {
      const grow = <T extends Float64Array | Int32Array>(array: T, make: (n: number) => T): T => {
        const bigger = make(array.length * 2);
        bigger.set(array);
        return bigger;
      };
      this.minutes = grow(this.minutes, (n) => new Float64Array(n));
      this.addresses = grow(this.addresses, (n) => new Int32Array(n));
      this.users = grow(this.users, (n) => new Int32Array(n));
    }
    this.minutes[this.length] = minute;
    this.addresses[this.length] = intern(address, this.addressIndex, this.addressNames);
    this.users[this.length] = intern(user, this.userIndex, this.userNames);
    this.length++;
  }

  /** The minute and the address or user index of failure `i`. */
  at(i: number, by: 'address' | 'user'): [minute: number, index: number] {
    return [
      this.minutes[i] as number,
      (by === 'address' ? this.addresses[i] : this.users[i]) as number,
    ];
  }
}

function intern(name: string, index: Map<string, number>, names: string[]): number {
  let id = index.get(name);
  if (id === undefined) {
    id = names.length;
    names.push(name);
    index.set(name, id);
  }
  return id;
}

/** Per remote-access source: logins, sessions, administration. */
interface ClientTrack {
  readonly failures: FailureLog;
  readonly open: Map<string, OpenSession>;
  /** SoftEther: connection id → session key, to close a session by its CID. */
  readonly byConnection: Map<string, string>;
  readonly closed: ClosedSession[];
  readonly admin: AdminMark[];
  adminOmitted: number;
  /** Time of the source's latest event: where a session still open ends on the page. */
  last: number;
}

/** Accumulates the report's aggregates from the pipeline's events; see the module doc. */
export class ReportBuilder {
  private readonly activity: Record<Severity, Map<number, number>> = {
    info: new Map(),
    warning: new Map(),
    critical: new Map(),
  };
  private readonly tunnels = new Map<string, TunnelTrack>();
  private readonly clients = new Map<Source, ClientTrack>();
  private readonly sourcesByMinute = new Map<number, number>();
  private readonly duplicateKeys = new Map<string, number>();
  private duplicateSweep = 0;
  private first = Number.POSITIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;
  private untimed = 0;

  /** Takes one event, in the pipeline's merged time order. */
  add(event: VpnEvent): void {
    const time = event.time;
    if (time === null || !Number.isFinite(time)) {
      this.untimed++;
      return;
    }
    if (time < this.first) this.first = time;
    if (time > this.last) this.last = time;
    const minute = Math.floor(time / MINUTE_MS);
    const series = this.activity[event.severity];
    series.set(minute, (series.get(minute) ?? 0) + 1);
    this.sourcesByMinute.set(
      minute,
      (this.sourcesByMinute.get(minute) ?? 0) | (1 << SOURCES.indexOf(event.source)),
    );
    if (this.isRepeat(event, time)) return;
    if (event.source === 'aws-s2s') this.addTunnelEvent(event, time);
    else this.addClientEvent(event, time, minute);
  }

  /** True for a later copy of a happening logged twice (same `duplicateKey`). */
  private isRepeat(event: VpnEvent, time: number): boolean {
    const key = event.fields.duplicateKey;
    if (key === undefined) return false;
    const scoped = `${event.source}\u0000${key}`;
    if (this.duplicateKeys.has(scoped)) return true;
    this.duplicateKeys.set(scoped, time);
    if (time - this.duplicateSweep > DUPLICATE_WINDOW_MS) {
      for (const [seen, at] of this.duplicateKeys) {
        if (at < time - DUPLICATE_WINDOW_MS) this.duplicateKeys.delete(seen);
      }
      this.duplicateSweep = time;
    }
    return false;
  }

  private addTunnelEvent(event: VpnEvent, time: number): void {
    const { vpnConnectionId, tunnelIp } = event.fields;
    if (typeof vpnConnectionId !== 'string' || typeof tunnelIp !== 'string') return;
    const laneKey = `${vpnConnectionId}\u0000${tunnelIp}`;
    let track = this.tunnels.get(laneKey);
    if (track === undefined) {
      track = {
        vpnConnectionId,
        tunnelIp,
        phase1: undefined,
        phase2: undefined,
        spans: [],
        open: undefined,
        recent: [],
        bgp: new Map(),
      };
      this.tunnels.set(laneKey, track);
    }
    const open = track.open;
    if (open !== undefined) open.end = time;
    for (const bgp of track.bgp.values()) {
      const lastSpan = bgp.spans[bgp.spans.length - 1];
      if (lastSpan !== undefined) lastSpan.end = time;
    }
    const cause = event.severity === 'info' ? undefined : explainCause(event.category, event).cause;
    if (cause !== undefined) {
      track.recent = track.recent.filter((entry) => entry.time >= time - CAUSE_LOOKBACK_MS);
      track.recent.push({ time, category: event.category, severity: event.severity, cause });
      if (open?.state === 'down' && !open.seen.includes(cause)) open.seen.push(cause);
    }
    this.addBgpEvent(track, event, time);
    const { phase1State, phase2State } = event.fields;
    if (phase1State === undefined && phase2State === undefined) return;
    if (phase1State !== undefined) track.phase1 = phase1State.toLowerCase();
    if (phase2State !== undefined) track.phase2 = phase2State.toLowerCase();
    const state = displayState(track.phase1, track.phase2);
    if (open !== undefined && open.state === state) return;
    const span: MutableSpan = {
      start: time,
      end: time,
      state,
      eventId: event.id,
      candidates: new Map(),
      fallback: '',
      seen: [],
    };
    if (state === 'down') {
      const ownCause = explainCause(event.category, event).cause;
      for (const entry of track.recent) span.candidates.set(entry.category, entry.cause);
      span.candidates.set(event.category, ownCause);
      const latestCritical = [...track.recent].reverse().find((e) => e.severity === 'critical');
      const fallback =
        event.severity === 'critical' ? ownCause : (latestCritical?.cause ?? ownCause);
      track.open = { ...span, fallback, seen: [fallback] };
    } else {
      track.open = span;
    }
    track.spans.push(track.open);
  }

  private addBgpEvent(track: TunnelTrack, event: VpnEvent, time: number): void {
    const neighbor = event.fields.bgpNeighbor;
    if (typeof neighbor !== 'string' || neighbor === '') return;
    let bgp = track.bgp.get(neighbor);
    if (bgp === undefined) {
      bgp = { neighbor, spans: [] };
      track.bgp.set(neighbor, bgp);
    }
    const to = event.fields.bgpToState;
    if (event.category !== 'bgp.state_change' || typeof to !== 'string') return;
    const lastSpan = bgp.spans[bgp.spans.length - 1];
    if (lastSpan?.state === to) return;
    bgp.spans.push({ start: time, end: time, state: to });
  }

  private client(source: Source): ClientTrack {
    let track = this.clients.get(source);
    if (track === undefined) {
      track = {
        failures: new FailureLog(),
        open: new Map(),
        byConnection: new Map(),
        closed: [],
        admin: [],
        adminOmitted: 0,
        last: Number.NEGATIVE_INFINITY,
      };
      this.clients.set(source, track);
    }
    return track;
  }

  private addClientEvent(event: VpnEvent, time: number, minute: number): void {
    const track = this.client(event.source);
    if (time > track.last) track.last = time;
    const fields = event.fields;
    switch (event.category) {
      case 'auth.failed':
        track.failures.add(
          minute,
          fields.clientIp ?? '(no address)',
          fields.user ?? '(no user name)',
        );
        return;
      case 'session.established':
        this.openSession(track, event, time);
        return;
      case 'session.ended':
        this.closeSession(track, event, time);
        return;
      case 'admin.change':
      case 'admin.login_failed':
      case 'admin.login_succeeded':
      case 'log.deleted':
        if (track.admin.length >= MAX_ADMIN_MARKS) track.adminOmitted++;
        else track.admin.push([time, event.category, adminText(event)]);
        return;
      default:
        return;
    }
  }

  private openSession(track: ClientTrack, event: VpnEvent, time: number): void {
    const key = sessionKey(event);
    if (key === undefined) return;
    const fields = event.fields;
    const known = track.open.get(key);
    if (known !== undefined) {
      if (known.assignedIp === null && fields.assignedIp !== undefined) {
        known.assignedIp = fields.assignedIp;
      }
      return;
    }
    track.open.set(key, {
      user: fields.user ?? '(unknown user)',
      start: time,
      assignedIp: fields.assignedIp ?? null,
      clientIp: fields.clientIp ?? null,
      connectionId: fields.connectionId,
    });
    if (fields.connectionId !== undefined) track.byConnection.set(fields.connectionId, key);
  }

  private closeSession(track: ClientTrack, event: VpnEvent, time: number): void {
    const fields = event.fields;
    let key = sessionKey(event);
    if ((key === undefined || !track.open.has(key)) && fields.connectionId !== undefined) {
      key = track.byConnection.get(fields.connectionId);
    }
    const reason = fields.reason === undefined ? null : sanitizeLine(fields.reason, 120);
    const session = key === undefined ? undefined : track.open.get(key);
    if (session !== undefined && key !== undefined) {
      track.open.delete(key);
      if (session.connectionId !== undefined) track.byConnection.delete(session.connectionId);
      track.closed.push({
        user: session.user,
        bar: [session.start, time, session.assignedIp, session.clientIp, reason],
      });
      return;
    }
    // Only its end is logged (it began before these logs): drawn from its duration.
    const duration = fields.durationSeconds;
    if (typeof duration === 'number' && duration > 0 && fields.user !== undefined) {
      track.closed.push({
        user: fields.user,
        bar: [
          time - duration * 1000,
          time,
          fields.assignedIp ?? null,
          fields.clientIp ?? null,
          reason,
        ],
      });
    }
  }

  /** The model, with the alerts and counts of the pipeline run that fed `add`. */
  finish(result: PipelineResult, context: ReportContext): ReportModel {
    const range: TimeRange | null =
      this.first <= this.last ? { start: this.first, end: this.last } : null;
    const bucketMs = bucketWidth(this.sourcesByMinute.keys());
    const bucketStart = range === null ? 0 : Math.floor(range.start / bucketMs) * bucketMs;
    const toBucket = (minute: number): number =>
      Math.floor((minute * MINUTE_MS - bucketStart) / bucketMs);
    const end = range?.end ?? 0;
    const alerts = [...result.alerts].sort((a, b) => a.time - b.time);
    const connections = this.connectionGroups(alerts, end);
    const clients = this.clientSections(toBucket);
    const texts = new TextTable();
    const lanes = new Set<string>();
    for (const group of connections) {
      lanes.add(group.laneId);
      for (const tunnel of group.tunnels) {
        lanes.add(tunnel.laneId);
        for (const bgp of tunnel.bgp) lanes.add(bgp.laneId);
      }
    }
    return {
      version: 1,
      title: context.title,
      generatedAt: context.generatedAt,
      inputs: context.inputs,
      logTimeZone: context.logTimeZone,
      range,
      bucketMs,
      bucketStart,
      episodes: this.episodes(alerts),
      activity: {
        info: rebucket(this.activity.info, toBucket),
        warning: rebucket(this.activity.warning, toBucket),
        critical: rebucket(this.activity.critical, toBucket),
      },
      connections,
      clients,
      alerts: alertViews(alerts, lanes, texts),
      texts: texts.list,
      summary: {
        events: result.events,
        unclassified: result.unclassified,
        malformed: result.malformed,
        duplicates: result.duplicates,
        late: result.late,
        untimed: this.untimed,
        suppressed: { ...result.suppressed },
        alertsByRule: alertsByRule(alerts),
        eventsByCategory: eventsByCategory(result),
      },
    };
  }

  private connectionGroups(alerts: readonly Alert[], end: number): ConnectionGroup[] {
    const byVpn = new Map<string, TunnelTrack[]>();
    for (const track of this.tunnels.values()) {
      byVpn.set(track.vpnConnectionId, [...(byVpn.get(track.vpnConnectionId) ?? []), track]);
    }
    const opening = new Map<string, Alert>();
    for (const alert of alerts) {
      if (
        alert.status === 'opened' &&
        (alert.rule === 'tunnel.down' || alert.rule === 'tunnel.flapping')
      ) {
        opening.set(alert.eventId, alert);
      }
    }
    return [...byVpn]
      .sort(([a], [b]) => compareText(a, b))
      .map(([vpnConnectionId, tracks]) => ({
        laneId: `vpn:${vpnConnectionId}`,
        vpnConnectionId,
        allDown: openPeriods(
          alerts,
          'vpn.all_tunnels_down',
          (about) => {
            return about.vpnConnectionId === vpnConnectionId;
          },
          end,
        ),
        tunnels: tracks
          .sort((a, b) => compareAddresses(a.tunnelIp, b.tunnelIp))
          .map((track) => ({
            laneId: `tunnel:${vpnConnectionId}:${track.tunnelIp}`,
            tunnelIp: track.tunnelIp,
            spans: track.spans.map((span): StateSpan => {
              if (span.state !== 'down') return [span.start, span.end, span.state, null];
              const named = opening.get(span.eventId);
              const first =
                (named === undefined ? undefined : span.candidates.get(named.category)) ??
                (named === undefined ? span.fallback : explainCause(named.category, named).cause);
              const causes = [first, ...span.seen.filter((cause) => cause !== first)];
              return [span.start, span.end, 'down', causes.join(' · ')];
            }),
            flapping: openPeriods(
              alerts,
              'tunnel.flapping',
              (about) =>
                about.vpnConnectionId === vpnConnectionId && about.tunnelIp === track.tunnelIp,
              end,
            ),
            bgp: [...track.bgp.values()]
              .sort((a, b) => compareAddresses(a.neighbor, b.neighbor))
              .map((bgp) => ({
                laneId: `bgp:${vpnConnectionId}:${track.tunnelIp}:${bgp.neighbor}`,
                neighbor: bgp.neighbor,
                spans: bgp.spans.map((span): BgpSpan => [span.start, span.end, span.state]),
              })),
          })),
      }));
  }

  private clientSections(toBucket: (minute: number) => number): ClientSection[] {
    const sections: ClientSection[] = [];
    for (const source of CLIENT_SOURCES) {
      const track = this.clients.get(source);
      if (track === undefined) continue;
      const failures = track.failures;
      const allCounts = new Map<number, number>();
      for (let i = 0; i < failures.length; i++) {
        const bucket = toBucket(failures.at(i, 'address')[0]);
        allCounts.set(bucket, (allCounts.get(bucket) ?? 0) + 1);
      }
      const byAddress = topRows(failures, 'address', failures.addressNames, toBucket);
      const byUser = topRows(failures, 'user', failures.userNames, toBucket);
      const sessions = sessionRows(track, track.last);
      sections.push({
        source,
        alertLaneId: `alerts:${source}`,
        failedTotal: failures.length,
        failedCounts: sortedPairs(allCounts),
        failedByAddress: byAddress.rows,
        otherAddresses: byAddress.other,
        failedByUser: byUser.rows,
        otherUsers: byUser.other,
        sessions: sessions.rows,
        sessionsOmitted: sessions.omitted,
        sessionsTotal: sessions.total,
        end: track.last,
        admin: track.admin,
        adminOmitted: track.adminOmitted,
      });
    }
    return sections;
  }

  /** Stretches of activity separated by quiet gaps of `EPISODE_GAP_MS` or more. */
  private episodes(alerts: readonly Alert[]): Episode[] {
    const minutes = [...this.sourcesByMinute.keys()].sort((a, b) => a - b);
    const spans: { start: number; end: number; sources: number }[] = [];
    for (const minute of minutes) {
      const time = minute * MINUTE_MS;
      const previous = spans[spans.length - 1];
      const mask = this.sourcesByMinute.get(minute) ?? 0;
      if (previous !== undefined && time - previous.end < EPISODE_GAP_MS) {
        previous.end = time + MINUTE_MS;
        previous.sources |= mask;
      } else {
        spans.push({ start: time, end: time + MINUTE_MS, sources: mask });
      }
    }
    while (spans.length > MAX_EPISODES) {
      let closest = 1;
      for (let i = 2; i < spans.length; i++) {
        const gap = (spans[i] as TimeRange).start - (spans[i - 1] as TimeRange).end;
        const best = (spans[closest] as TimeRange).start - (spans[closest - 1] as TimeRange).end;
        if (gap < best) closest = i;
      }
      const [merged] = spans.splice(closest, 1);
      const into = spans[closest - 1];
      if (merged !== undefined && into !== undefined) {
        into.end = merged.end;
        into.sources |= merged.sources;
      }
    }
    if (spans.length < 2) return [];
    const countEvents = (range: TimeRange): number => {
      let n = 0;
      for (const severity of SEVERITIES) {
        for (const [minute, count] of this.activity[severity]) {
          const time = minute * MINUTE_MS;
          if (time >= range.start && time < range.end) n += count;
        }
      }
      return n;
    };
    return spans.map((span) => ({
      start: span.start,
      end: span.end,
      sources: SOURCES.filter((_, index) => (span.sources & (1 << index)) !== 0),
      events: countEvents(span),
      alerts: alerts.filter((alert) => alert.time >= span.start && alert.time < span.end).length,
    }));
  }
}

/** A tunnel's display state from its last known phase states. */
export function displayState(phase1: string | undefined, phase2: string | undefined): TunnelState {
  if (phase1 === 'down' || phase2 === 'down') return 'down';
  const up = (phase: string | undefined) => phase === 'established' || phase === 'rekeying';
  return up(phase1) && up(phase2) ? 'up' : 'negotiating';
}

function sessionKey(event: VpnEvent): string | undefined {
  const { sessionId, server, clientIp, clientPort } = event.fields;
  if (event.source === 'softether' && sessionId !== undefined) {
    return `${event.fields.hub ?? ''}\u0000${sessionId}`;
  }
  if (clientIp === undefined) return undefined;
  return `${server ?? ''}\u0000${clientIp}:${clientPort ?? ''}`;
}

function adminText(event: VpnEvent): string {
  const { hub, user, clientIp } = event.fields;
  const where = [hub === undefined ? '' : `hub ${hub}`, user === undefined ? '' : `user ${user}`]
    .concat(clientIp === undefined ? [] : [`from ${clientIp}`])
    .filter((part) => part !== '')
    .join(', ');
  const message = sanitizeLine(event.message || event.raw, MAX_ADMIN_TEXT);
  return where === '' ? message : `${message} (${sanitizeLine(where, 120)})`;
}

/** One-minute-granular `minutes` map → sorted flat pairs in `toBucket` buckets. */
function rebucket(minutes: ReadonlyMap<number, number>, toBucket: (m: number) => number): number[] {
  const buckets = new Map<number, number>();
  for (const [minute, count] of minutes) {
    const bucket = toBucket(minute);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + count);
  }
  return sortedPairs(buckets);
}

function sortedPairs(buckets: ReadonlyMap<number, number>): number[] {
  const flat: number[] = [];
  for (const bucket of [...buckets.keys()].sort((a, b) => a - b)) {
    flat.push(bucket, buckets.get(bucket) as number);
  }
  return flat;
}

/**
 * The narrowest bucket width (ms) that gives at most `MAX_BUCKETS` non-empty
 * buckets for events in the given minutes: sparse logs keep one-minute
 * buckets over any range, dense months get wider ones.
 */
export function bucketWidth(minutes: Iterable<number>): number {
  const list = [...minutes];
  for (const step of BUCKET_STEPS_MIN) {
    const buckets = new Set<number>();
    for (const minute of list) {
      buckets.add(Math.floor(minute / step));
      if (buckets.size > MAX_BUCKETS) break;
    }
    if (buckets.size <= MAX_BUCKETS) return step * MINUTE_MS;
  }
  const widest = BUCKET_STEPS_MIN[BUCKET_STEPS_MIN.length - 1] as number;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const minute of list) {
    if (minute < first) first = minute;
    if (minute > last) last = minute;
  }
  const spanMinutes = list.length === 0 ? 0 : last - first;
  return Math.max(widest, Math.ceil(spanMinutes / MAX_BUCKETS / widest) * widest) * MINUTE_MS;
}

/** The `TOP_LOGIN_ROWS` names with most failures, one row each, and the rest summed. */
function topRows(
  failures: FailureLog,
  by: 'address' | 'user',
  names: readonly string[],
  toBucket: (minute: number) => number,
): { rows: CountRow[]; other: OtherRows } {
  const totals = new Array<number>(names.length).fill(0);
  for (let i = 0; i < failures.length; i++) {
    const index = failures.at(i, by)[1];
    totals[index] = (totals[index] ?? 0) + 1;
  }
  const order = names
    .map((_, index) => index)
    .sort(
      (a, b) => (totals[b] ?? 0) - (totals[a] ?? 0) || compareText(names[a] ?? '', names[b] ?? ''),
    );
  const top = new Map<number, Map<number, number>>();
  for (const index of order.slice(0, TOP_LOGIN_ROWS)) top.set(index, new Map());
  const other = new Map<number, number>();
  for (let i = 0; i < failures.length; i++) {
    const [minute, index] = failures.at(i, by);
    const bucket = toBucket(minute);
    const counts = top.get(index) ?? other;
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  }
  const rest = order.slice(TOP_LOGIN_ROWS);
  return {
    rows: [...top].map(([index, counts]) => ({
      label: sanitizeLine(names[index] ?? '', 80),
      total: totals[index] ?? 0,
      counts: sortedPairs(counts),
    })),
    other: {
      rows: rest.length,
      total: rest.reduce((sum, index) => sum + (totals[index] ?? 0), 0),
      counts: sortedPairs(other),
    },
  };
}

/** Session rows of the users with most session time, bars capped at `MAX_SESSION_BARS`. */
function sessionRows(
  track: ClientTrack,
  end: number,
): { rows: SessionRow[]; omitted: number; total: number } {
  const all: ClosedSession[] = [
    ...track.closed,
    ...[...track.open.values()].map(
      (session): ClosedSession => ({
        user: session.user,
        bar: [session.start, null, session.assignedIp, session.clientIp, null],
      }),
    ),
  ];
  const byUser = new Map<string, { time: number; bars: SessionBar[] }>();
  for (const { user, bar } of all) {
    const entry = byUser.get(user) ?? { time: 0, bars: [] };
    entry.time += (bar[1] ?? end) - bar[0];
    entry.bars.push(bar);
    byUser.set(user, entry);
  }
  const users = [...byUser]
    .sort(([a, x], [b, y]) => y.time - x.time || compareText(a, b))
    .slice(0, MAX_SESSION_ROWS);
  let budget = MAX_SESSION_BARS;
  let drawn = 0;
  const rows: SessionRow[] = [];
  for (const [user, entry] of users) {
    if (budget <= 0) break;
    const bars = entry.bars.sort((a, b) => a[0] - b[0]).slice(0, budget);
    budget -= bars.length;
    drawn += bars.length;
    rows.push({ user: sanitizeLine(user, 80), sessions: bars });
  }
  rows.sort((a, b) => compareText(a.user, b.user));
  return { rows, omitted: all.length - drawn, total: all.length };
}

/** Periods between a state rule's `opened` and `resolved` alerts whose subject matches. */
function openPeriods(
  alerts: readonly Alert[],
  rule: RuleId,
  matches: (about: Alert['about']) => boolean,
  end: number,
): TimeRange[] {
  const periods: TimeRange[] = [];
  const openSince = new Map<string, number>();
  for (const alert of alerts) {
    if (alert.rule !== rule || !matches(alert.about)) continue;
    const since = openSince.get(alert.key);
    if (alert.status === 'opened' && since === undefined) openSince.set(alert.key, alert.time);
    if (alert.status === 'resolved' && since !== undefined) {
      periods.push({ start: since, end: alert.time });
      openSince.delete(alert.key);
    }
  }
  for (const since of openSince.values()) periods.push({ start: since, end: Math.max(end, since) });
  return periods.sort((a, b) => a.start - b.start);
}

/** The lane an alert's marker sits in: its tunnel, BGP session or VPN, else its source's row. */
export function alertLane(alert: Alert, lanes: ReadonlySet<string>): string {
  const { vpnConnectionId, tunnelIp, bgpNeighbor } = alert.about;
  if (vpnConnectionId !== undefined) {
    const candidates = [
      tunnelIp !== undefined && bgpNeighbor !== undefined
        ? `bgp:${vpnConnectionId}:${tunnelIp}:${bgpNeighbor}`
        : '',
      tunnelIp === undefined ? '' : `tunnel:${vpnConnectionId}:${tunnelIp}`,
      `vpn:${vpnConnectionId}`,
    ];
    for (const lane of candidates) if (lane !== '' && lanes.has(lane)) return lane;
  }
  return `alerts:${alert.source}`;
}

/** Texts stored once and referred to by index. */
class TextTable {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();

  /** The index of `text`, added when new. */
  of(text: string): number {
    let at = this.index.get(text);
    if (at === undefined) {
      at = this.list.length;
      this.list.push(text);
      this.index.set(text, at);
    }
    return at;
  }
}

function alertViews(
  alerts: readonly Alert[],
  lanes: ReadonlySet<string>,
  texts: TextTable,
): AlertView[] {
  const totalChars = alerts.reduce(
    (sum, alert) =>
      sum +
      alert.evidence
        .slice(-MAX_EVIDENCE_LINES_SHOWN)
        .reduce((n, line) => n + Math.min(line.length, MAX_EVIDENCE_CHARS), 0),
    0,
  );
  // Over budget: every alert keeps the same share of lines (at least one).
  const linesEach =
    totalChars <= EVIDENCE_BUDGET_CHARS
      ? MAX_EVIDENCE_LINES_SHOWN
      : Math.max(1, Math.floor((MAX_EVIDENCE_LINES_SHOWN * EVIDENCE_BUDGET_CHARS) / totalChars));
  return alerts.map((alert) => {
    const shown = alert.evidence.slice(-linesEach);
    return {
      id: alert.id,
      rule: alert.rule,
      status: alert.status,
      severity: alert.severity,
      category: alert.category,
      source: alert.source,
      time: alert.time,
      subject: sanitizeLine(alert.subject, 200),
      summary: sanitizeLine(alert.summary, 600),
      cause: texts.of(causeOf(alert)),
      evidence: shown.map((line) => sanitizeLine(line, MAX_EVIDENCE_CHARS)),
      evidenceOmitted: alert.evidence.length - shown.length,
      remediation: texts.of(sanitizeLine(alert.remediation, 600)),
      docUrl: alert.docUrl === undefined ? null : texts.of(sanitizeLine(alert.docUrl, 300)),
      laneId: alertLane(alert, lanes),
    };
  });
}

/**
 * The cause phrase of an alert as its subject states it (`… DOWN: DPD
 * timeout`), else the category's phrase for aws-s2s, else the category id.
 */
function causeOf(alert: Alert): string {
  const colon = alert.subject.indexOf(': ');
  if (colon >= 0) return sanitizeLine(alert.subject.slice(colon + 2), 200);
  return isAwsS2sCategory(alert.category)
    ? explainCause(alert.category, alert).cause
    : alert.category;
}

function alertsByRule(alerts: readonly Alert[]): ReportModel['summary']['alertsByRule'] {
  const byRule = new Map<RuleId, { opened: number; resolved: number }>();
  for (const alert of alerts) {
    const entry = byRule.get(alert.rule) ?? { opened: 0, resolved: 0 };
    entry[alert.status]++;
    byRule.set(alert.rule, entry);
  }
  return [...byRule]
    .sort(([a], [b]) => compareText(a, b))
    .map(([rule, counts]) => ({ rule, ...counts }));
}

function eventsByCategory(result: PipelineResult): ReportModel['summary']['eventsByCategory'] {
  const rows: { source: Source; category: Category; count: number }[] = [];
  for (const source of SOURCES) {
    const categories = result.byCategory[source];
    if (categories === undefined) continue;
    for (const [category, count] of Object.entries(categories) as [Category, number][]) {
      rows.push({ source, category, count });
    }
  }
  return rows.sort(
    (a, b) =>
      SOURCES.indexOf(a.source) - SOURCES.indexOf(b.source) ||
      b.count - a.count ||
      compareText(a.category, b.category),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Dotted IPv4 addresses in numeric order, anything else after them by text. */
function compareAddresses(a: string, b: string): number {
  const key = (text: string): number | undefined => {
    const parts = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
    if (parts === null) return undefined;
    return parts.slice(1).reduce((n, part) => n * 256 + Number(part), 0);
  };
  const x = key(a);
  const y = key(b);
  if (x !== undefined && y !== undefined) return x - y;
  if (x !== undefined) return -1;
  if (y !== undefined) return 1;
  return compareText(a, b);
}
