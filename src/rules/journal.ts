/**
 * Order-independent judgement for the incident rules whose state is one key
 * per event (a tunnel, a VPN connection, a BGP session).
 *
 * CloudWatch Logs delivers a live log group in pieces, late, twice and
 * concurrently, while these rules are state machines over time-ordered
 * events. `journaled(rule)` keeps, under the rule's own key, beside the
 * rule's state (`live`):
 *
 * - `log`: the events of the last `JOURNAL_HORIZON_MS` in event-time order,
 *   compacted (a run of records that say the same thing is kept as its first
 *   and last record), at most `MAX_JOURNAL_ENTRIES`;
 * - `base`: the rule's state before the oldest logged event;
 * - `sent`: the alerts raised from this key within the horizon.
 *
 * An event at or after the newest logged one (the in-order case) is applied
 * to `live` as before, so in-order delivery, however it is cut, gives exactly
 * the alerts of one time-sorted replay. An earlier event is inserted into the
 * log and the rule is re-run from `base` over the whole log; of the alerts
 * that re-run raises, those already sent (same key, status and triggering
 * event) are skipped, and so are those that belong to an incident already
 * alerted: an opened alert of a state rule whose span overlaps an incident
 * already opened on its key (a late line extends, splits or completes an
 * incident, it does not open a second one), or a cause alert within its
 * cooldown of one already sent. What is left is raised late: an incident the
 * late line revealed, or the resolution of an incident it completed.
 *
 * Cost: within one pipeline attempt a key's log and sent alerts are worked on
 * in place (copied once, when the attempt first touches the key), so an
 * in-order event costs the same however long the log is: it extends the last
 * run or appends one entry. Only a late event re-runs the rule over the log.
 */
import type {
  Category,
  EventFields,
  Hint,
  RulesConfig,
  Severity,
  Source,
  VpnEvent,
} from '../model.ts';
import { STATE_RULES } from '../model.ts';
import { AttemptScoped } from './attempt-scoped.ts';
import type { AlertDraft, Rule, RuleContext, StateView } from './rule.ts';

/** How far back (ms) the log reaches behind a key's newest event: the lateness bound. */
export const JOURNAL_HORIZON_MS = 24 * 60 * 60_000;
/** Most entries kept in one key's log; past it the oldest are folded into `base`. */
export const MAX_JOURNAL_ENTRIES = 128;
/** Entries folded into `base` at once when the log is full. */
const FOLD_BATCH = 32;
/** Most sent alerts remembered per key. */
export const MAX_SENT_ALERTS = 64;
/** Longest raw line kept in the log (the rules cut evidence at 600 characters). */
const MAX_LOGGED_RAW = 600;

/** One logged event (short member names: stored JSON). */
export interface LoggedEvent {
  /** Event id. */
  readonly i: string;
  /** Event time, epoch ms. */
  readonly t: number;
  readonly c: Category;
  readonly s: Severity;
  readonly so: Source;
  readonly m: string;
  readonly r: string;
  readonly f: EventFields;
  /** The catalog hint's id (the hint itself is in `Journal.hints`). */
  readonly h?: string;
  /** A run of records that say the same thing: the id and time of its last record. */
  readonly li?: string;
  readonly lt?: number;
  readonly lr?: string;
}

/** An alert raised from a key: its alert key, status, triggering event and time. */
export interface SentAlert {
  readonly k: string;
  readonly o: boolean;
  readonly e: string;
  readonly t: number;
  readonly rule: string;
}

/** What `journaled` stores under a rule's key. */
export interface Journal<T = unknown> {
  readonly live?: T;
  readonly liveExpiresAt?: number;
  readonly base?: T;
  readonly baseExpiresAt?: number;
  /** Time (ms) of the newest event folded into `base`. */
  readonly baseAt?: number;
  readonly log: readonly LoggedEvent[];
  /** The catalog hints of the logged events, by id. */
  readonly hints?: Readonly<Record<string, Hint>>;
  readonly sent: readonly SentAlert[];
}

/** How far apart (ms) two cause alerts on one key may be and still be one. */
export type ProximityOf = (draft: AlertDraft, config: RulesConfig) => number;

const STATE_RULE_IDS: ReadonlySet<string> = new Set(STATE_RULES);

/** What a record says, for compaction: two records that say the same thing form a run. */
function sayingOf(event: { readonly c: Category; readonly s: Severity; readonly f: EventFields }) {
  const f = event.f;
  return `${event.c}|${event.s}|${f.phase1State ?? ''}|${f.phase2State ?? ''}|${f.bgpStatus ?? ''}|${f.bgpFromState ?? ''}|${f.bgpToState ?? ''}|${f.bgpNeighbor ?? ''}`;
}

function logged(event: VpnEvent, time: number): LoggedEvent {
  return {
    i: event.id,
    t: time,
    c: event.category,
    s: event.severity,
    so: event.source,
    m:
      event.message.length > MAX_LOGGED_RAW
        ? event.message.slice(0, MAX_LOGGED_RAW)
        : event.message,
    r: event.raw.length > MAX_LOGGED_RAW ? event.raw.slice(0, MAX_LOGGED_RAW) : event.raw,
    f: event.fields,
    ...(event.hint === undefined ? {} : { h: event.hint.id }),
  };
}

/** The events a logged entry stands for: one, or the first and last of a run. */
function eventsOf(entry: LoggedEvent, hints: Readonly<Record<string, Hint>>): VpnEvent[] {
  const hint = entry.h === undefined ? undefined : hints[entry.h];
  const first: VpnEvent = {
    id: entry.i,
    source: entry.so,
    category: entry.c,
    severity: entry.s,
    time: entry.t,
    message: entry.m,
    raw: entry.r,
    fields: entry.f,
    origin: {},
    ...(hint === undefined ? {} : { hint }),
  };
  if (entry.li === undefined || entry.lt === undefined) return [first];
  return [first, { ...first, id: entry.li, time: entry.lt, raw: entry.lr ?? entry.r }];
}

/** Inserts `entry` in time order (after entries of the same time), compacting runs. */
function insert(log: readonly LoggedEvent[], entry: LoggedEvent): LoggedEvent[] {
  let at = log.length;
  while (at > 0 && (log[at - 1] as LoggedEvent).t > entry.t) at--;
  const before = log[at - 1];
  if (before?.lt !== undefined && before.li !== undefined && before.lt > entry.t) {
    // Inside a run: the run splits into its first and its last record, around the entry.
    const { li, lt, lr, ...first } = before;
    const last: LoggedEvent = { ...first, i: li, t: lt, r: lr ?? first.r };
    return [...log.slice(0, at - 1), first, entry, last, ...log.slice(at)];
  }
  const after = log[at];
  const saying = sayingOf(entry);
  // Extends the run before it when nothing else comes between (the in-order case).
  if (
    before !== undefined &&
    after === undefined &&
    sayingOf(before) === saying &&
    before.t < entry.t
  ) {
    const extended: LoggedEvent = { ...before, li: entry.i, lt: entry.t, lr: entry.r };
    return [...log.slice(0, at - 1), extended];
  }
  return [...log.slice(0, at), entry, ...log.slice(at)];
}

/** A one-key `StateView` over a working value. */
class OneKeyState<T> implements StateView {
  value: T | undefined;
  expiresAt: number | undefined;
  /** Event time (ms) against which `expiresAt` is judged, as the pipeline does. */
  clock: number | null = null;
  constructor(
    private key: string,
    value: T | undefined,
    expiresAt: number | undefined,
  ) {
    this.value = value;
    this.expiresAt = expiresAt;
  }
  /** Starts over on another key and value (one view serves every in-order step of a rule). */
  reset(key: string, value: T | undefined, expiresAt: number | undefined): void {
    this.key = key;
    this.value = value;
    this.expiresAt = expiresAt;
    this.clock = null;
  }
  get<V>(key: string): V | undefined {
    this.check(key);
    if (this.expiresAt !== undefined && this.clock !== null && this.expiresAt <= this.clock) {
      return undefined;
    }
    return this.value as V | undefined;
  }
  set<V>(key: string, value: V, expiresAt?: number): void {
    this.check(key);
    this.value = value as unknown as T;
    this.expiresAt = expiresAt;
  }
  delete(key: string): void {
    this.check(key);
    this.value = undefined;
    this.expiresAt = undefined;
  }
  private check(key: string): void {
    if (key !== this.key) throw new Error(`journaled rule used key "${key}" besides "${this.key}"`);
  }
}

/** Runs `rule` over `events` from `start`; returns the end state and the drafts raised. */
function run<T>(
  rule: Rule,
  key: string,
  start: { readonly value: T | undefined; readonly expiresAt: number | undefined },
  events: readonly VpnEvent[],
  config: RulesConfig,
  suppressed: RuleContext['suppressed'] = () => {},
): { readonly state: OneKeyState<T>; readonly drafts: AlertDraft[] } {
  const state = new OneKeyState<T>(key, start.value, start.expiresAt);
  const drafts: AlertDraft[] = [];
  const context: RuleContext = {
    state,
    config,
    emit: (draft) => drafts.push(draft),
    suppressed,
  };
  for (const event of events) {
    state.clock = event.time;
    rule.apply(event, context);
  }
  return { state, drafts };
}

/**
 * Applies one in-order event to a key's `live` state: what `run` does for one
 * event, with one state view, context and draft list reused for every event
 * of the rule (the in-order step runs once per event and key).
 */
class InOrderStep {
  private readonly state = new OneKeyState<unknown>('', undefined, undefined);
  private outer: RuleContext | undefined;
  private readonly context: { -readonly [K in keyof RuleContext]: RuleContext[K] };
  /** The drafts of the last step (valid until the next one). */
  readonly drafts: AlertDraft[] = [];

  constructor(private readonly rule: Rule) {
    this.context = {
      state: this.state,
      config: undefined as unknown as RulesConfig,
      emit: (draft) => {
        this.drafts.push(draft);
      },
      suppressed: (id, reason) => this.outer?.suppressed(id, reason),
    };
  }

  /** Applies `event` (with a time) to `value`; the end state, with the drafts in `drafts`. */
  apply(
    key: string,
    value: unknown,
    expiresAt: number | undefined,
    event: VpnEvent,
    outer: RuleContext,
  ): { readonly value: unknown; readonly expiresAt: number | undefined } {
    this.drafts.length = 0;
    this.outer = outer;
    this.context.config = outer.config;
    this.state.reset(key, value, expiresAt);
    this.state.clock = event.time;
    try {
      this.rule.apply(event, this.context);
    } finally {
      this.outer = undefined;
    }
    return this.state;
  }
}

function sentOf(draft: AlertDraft): SentAlert {
  return {
    k: draft.key,
    o: draft.status === 'opened',
    e: draft.event.id,
    t: draft.event.time ?? 0,
    rule: draft.rule,
  };
}

/** Emits `drafts` and records them as sent in the working journal. */
function send(drafts: readonly AlertDraft[], work: WorkingJournal, context: RuleContext): void {
  for (const draft of drafts) {
    context.emit(draft);
    work.sent.push(sentOf(draft));
  }
}

/** An incident on one alert key: opened at `from`, resolved at `to` (Infinity while open). */
interface Span {
  readonly from: number;
  readonly to: number;
  readonly resolved: boolean;
}

/** The incidents that `alerts` (one alert key, time order) open and resolve. */
function spansOf(alerts: readonly { readonly o: boolean; readonly t: number }[]): Span[] {
  const spans: Span[] = [];
  let open: number | undefined;
  for (const alert of alerts) {
    if (alert.o) {
      if (open === undefined) open = alert.t;
    } else if (open !== undefined) {
      spans.push({ from: open, to: alert.t, resolved: true });
      open = undefined;
    }
  }
  if (open !== undefined) spans.push({ from: open, to: Number.POSITIVE_INFINITY, resolved: false });
  return spans;
}

function overlaps(a: Span, b: Span): boolean {
  return a.from <= b.to && b.from <= a.to;
}

/**
 * Of the drafts a re-run raised, the ones to raise now: not sent already, and
 * not part of an incident already alerted.
 */
export function unsentDrafts(
  drafts: readonly AlertDraft[],
  sent: readonly SentAlert[],
  config: RulesConfig,
  proximityOf: ProximityOf,
): AlertDraft[] {
  const sentIds = new Set(sent.map((alert) => `${alert.k}|${alert.o}|${alert.e}`));
  const result: AlertDraft[] = [];
  const byKey = new Map<string, AlertDraft[]>();
  for (const draft of drafts) {
    if (sentIds.has(`${draft.key}|${draft.status === 'opened'}|${draft.event.id}`)) continue;
    if (!STATE_RULE_IDS.has(draft.rule)) {
      const near = proximityOf(draft, config);
      const time = draft.event.time ?? 0;
      const covered = sent.some(
        (alert) => alert.k === draft.key && alert.o && Math.abs(alert.t - time) < near,
      );
      if (!covered) result.push(draft);
      continue;
    }
    const list = byKey.get(draft.key) ?? [];
    list.push(draft);
    byKey.set(draft.key, list);
  }
  for (const [key, list] of byKey) result.push(...unsentIncidents(key, list, drafts, sent));
  return result.sort((a, b) => (a.event.time ?? 0) - (b.event.time ?? 0));
}

/** The state-rule drafts on one alert key that open or resolve an incident not yet alerted. */
function unsentIncidents(
  key: string,
  candidates: readonly AlertDraft[],
  drafts: readonly AlertDraft[],
  sent: readonly SentAlert[],
): AlertDraft[] {
  const onKey = drafts.filter((draft) => draft.key === key);
  const rerun = spansOf(
    onKey.map((draft) => ({ o: draft.status === 'opened', t: draft.event.time ?? 0 })),
  );
  const sentSpans = spansOf(sent.filter((alert) => alert.k === key).sort((a, b) => a.t - b.t));
  const chosen = new Set<AlertDraft>();
  for (const span of rerun) {
    const opened = onKey.find((d) => d.status === 'opened' && (d.event.time ?? 0) === span.from);
    const resolved = span.resolved
      ? onKey.find((d) => d.status === 'resolved' && (d.event.time ?? 0) === span.to)
      : undefined;
    const alerted = sentSpans.filter((other) => overlaps(span, other));
    if (alerted.length === 0) {
      if (opened !== undefined) chosen.add(opened);
      if (resolved !== undefined) chosen.add(resolved);
      continue;
    }
    // Completes an incident alerted but not yet resolved, when no later re-run incident overlaps it.
    const last = alerted[alerted.length - 1] as Span;
    const laterOverlap = rerun.some((other) => other.from > span.from && overlaps(other, last));
    if (resolved !== undefined && !last.resolved && !laterOverlap) chosen.add(resolved);
  }
  return candidates.filter((draft) => chosen.has(draft));
}

/**
 * A key's journal while one `StateView` (one pipeline attempt) works on it:
 * `log` and `sent` are copies owned by that view, changed in place event
 * after event, so that an in-order event costs the same whatever the log's
 * length. The journal stored after each event shares these arrays; a view
 * that did not build it (the next attempt, another store) copies them first,
 * so a value loaded from a store is never changed.
 */
interface WorkingJournal {
  live: unknown;
  liveExpiresAt: number | undefined;
  base: unknown;
  baseExpiresAt: number | undefined;
  baseAt: number | undefined;
  log: LoggedEvent[];
  hints: Readonly<Record<string, Hint>>;
  /** Number of members of `hints`. */
  hintCount: number;
  /** Set when `hints` may hold one no logged event uses (pruned before storing). */
  hintsToPrune: boolean;
  sent: SentAlert[];
  /** The logged entry this working copy created last (it may change it in place). */
  ownEntry: LoggedEvent | undefined;
  /** The journal this working copy stored last, and its members (`shapeOf`). */
  journal: Journal | undefined;
  shape: number;
}

/** The working copy behind each journal a `journaled` rule stored. */
const workingCopies = new AttemptScoped<Journal, WorkingJournal>();

/** The working copy of `stored` for `state`: the one it built, or fresh copies. */
function workingJournal(stored: Journal | undefined, state: StateView): WorkingJournal {
  const known = stored === undefined ? undefined : workingCopies.get(state, stored);
  if (known !== undefined && known.journal === stored) return known;
  const hints = stored?.hints ?? {};
  const hintCount = Object.keys(hints).length;
  return {
    live: stored?.live,
    liveExpiresAt: stored?.liveExpiresAt,
    base: stored?.base,
    baseExpiresAt: stored?.baseExpiresAt,
    baseAt: stored?.baseAt,
    log: [...(stored?.log ?? [])],
    hints,
    hintCount,
    hintsToPrune: hintCount > 0,
    sent: [...(stored?.sent ?? [])],
    ownEntry: undefined,
    journal: undefined,
    shape: 0,
  };
}

/** A stored journal's members, writable while its working copy builds it. */
interface JournalMembers {
  live?: unknown;
  liveExpiresAt?: number;
  base?: unknown;
  baseExpiresAt?: number;
  baseAt?: number;
  log?: readonly LoggedEvent[];
  hints?: Readonly<Record<string, Hint>>;
  sent?: readonly SentAlert[];
}

/** Which optional members a journal has (one bit each). */
function shapeOf(work: WorkingJournal, withHints: boolean): number {
  return (
    (work.live === undefined ? 0 : 1) |
    (work.liveExpiresAt === undefined ? 0 : 2) |
    (work.base === undefined ? 0 : 4) |
    (work.baseExpiresAt === undefined ? 0 : 8) |
    (work.baseAt === undefined ? 0 : 16) |
    (withHints ? 32 : 0)
  );
}

/**
 * The stored form of a working journal: the members in their stored order,
 * absent ones left out. The journal this working copy stored last is updated
 * in place when it has the same members (no new object, and no new entry in
 * `workingCopies`, per event).
 */
function journalOf(work: WorkingJournal, withHints: boolean, state: StateView): Journal {
  const shape = shapeOf(work, withHints);
  const reuse = work.journal !== undefined && work.shape === shape;
  const journal: JournalMembers = reuse ? (work.journal as JournalMembers) : {};
  if (work.live !== undefined) journal.live = work.live;
  if (work.liveExpiresAt !== undefined) journal.liveExpiresAt = work.liveExpiresAt;
  if (work.base !== undefined) journal.base = work.base;
  if (work.baseExpiresAt !== undefined) journal.baseExpiresAt = work.baseExpiresAt;
  if (work.baseAt !== undefined) journal.baseAt = work.baseAt;
  journal.log = work.log;
  if (withHints) journal.hints = work.hints;
  journal.sent = work.sent;
  if (!reuse) {
    work.journal = journal as Journal;
    work.shape = shape;
    workingCopies.set(state, work.journal, work);
  }
  return journal as Journal;
}

/** The raw line as logged (cut to `MAX_LOGGED_RAW`). */
function loggedRaw(event: VpnEvent): string {
  return event.raw.length > MAX_LOGGED_RAW ? event.raw.slice(0, MAX_LOGGED_RAW) : event.raw;
}

/** True when `event` says what `entry` says (`sayingOf`, without building both strings when equal). */
function saysTheSame(entry: LoggedEvent, event: VpnEvent): boolean {
  const a = entry.f;
  const b = event.fields;
  if (
    entry.c === event.category &&
    entry.s === event.severity &&
    (a.phase1State ?? '') === (b.phase1State ?? '') &&
    (a.phase2State ?? '') === (b.phase2State ?? '') &&
    (a.bgpStatus ?? '') === (b.bgpStatus ?? '') &&
    (a.bgpFromState ?? '') === (b.bgpFromState ?? '') &&
    (a.bgpToState ?? '') === (b.bgpToState ?? '') &&
    (a.bgpNeighbor ?? '') === (b.bgpNeighbor ?? '')
  ) {
    return true;
  }
  // Different parts may still join into the same string (a part holding "|").
  return sayingOf(entry) === sayingOf({ c: event.category, s: event.severity, f: b });
}

/**
 * Logs an event at or after every logged one (what `insert` does then, in
 * place): it extends the run before it when it says the same thing at a
 * later time, else it is appended.
 */
function appendInOrder(work: WorkingJournal, event: VpnEvent, time: number): void {
  const log = work.log;
  const before = log[log.length - 1];
  if (before !== undefined && before.t < time && saysTheSame(before, event)) {
    const raw = loggedRaw(event);
    if (before === work.ownEntry) {
      const run = before as { li?: string; lt?: number; lr?: string };
      run.li = event.id;
      run.lt = time;
      run.lr = raw;
      return;
    }
    const extended: LoggedEvent = { ...before, li: event.id, lt: time, lr: raw };
    log[log.length - 1] = extended;
    work.ownEntry = extended;
    return;
  }
  const entry = logged(event, time);
  log.push(entry);
  work.ownEntry = entry;
}

/** Time (ms) of the last record an entry stands for. */
function endOf(entry: LoggedEvent): number {
  return entry.lt ?? entry.t;
}

/**
 * Wraps a rule that keeps all its state under one key per event so that its
 * alerts do not depend on the order or the batching of deliveries.
 */
export function journaled(
  rule: Rule,
  proximityOf: ProximityOf,
  horizonMs: number = JOURNAL_HORIZON_MS,
): Rule {
  const step = new InOrderStep(rule);
  return {
    ...rule,
    apply(event: VpnEvent, context: RuleContext): void {
      const keys = rule.keys(event);
      const key = keys[0];
      if (key === undefined) return;
      if (keys.length > 1) throw new Error(`journaled rule ${rule.id} touches ${keys.length} keys`);
      const work = workingJournal(context.state.get<Journal>(key), context.state);
      const last = work.log[work.log.length - 1];
      const newest = last === undefined ? Number.NEGATIVE_INFINITY : endOf(last);
      const time = event.time ?? (Number.isFinite(newest) ? newest : 0);
      if (event.hint !== undefined && work.hints[event.hint.id] === undefined) {
        work.hints = { ...work.hints, [event.hint.id]: event.hint };
        work.hintCount++;
        work.hintsToPrune = true;
      }
      const tooOld = work.baseAt !== undefined && time < work.baseAt;
      if (time >= newest) {
        // In order: applied to `live`, as without the journal.
        const end = step.apply(
          key,
          work.live,
          work.liveExpiresAt,
          event.time === null ? { ...event, time } : event,
          context,
        );
        work.live = end.value;
        work.liveExpiresAt = end.expiresAt;
        send(step.drafts, work, context);
        if (!tooOld) appendInOrder(work, event, time);
      } else if (tooOld) {
        // Older than the log reaches back: judged alone. Its cause alerts are
        // raised unless one of the kind was sent near it; incidents need the
        // events around it, which are folded into `base`, so none is opened.
        const alone = run(
          rule,
          key,
          { value: undefined, expiresAt: undefined },
          [event],
          context.config,
        );
        const causes = alone.drafts.filter((draft) => !STATE_RULE_IDS.has(draft.rule));
        send(unsentDrafts(causes, work.sent, context.config, proximityOf), work, context);
      } else {
        const withLate = insert(work.log, logged(event, time));
        const rerun = run(
          rule,
          key,
          { value: work.base, expiresAt: work.baseExpiresAt },
          withLate.flatMap((entry) => eventsOf(entry, work.hints)),
          context.config,
        );
        send(unsentDrafts(rerun.drafts, work.sent, context.config, proximityOf), work, context);
        work.live = rerun.state.value;
        work.liveExpiresAt = rerun.state.expiresAt;
        work.log = withLate;
        work.ownEntry = undefined;
      }
      // Fold what fell behind the horizon, or the oldest entries of a full log, into `base`.
      const latest = Math.max(newest, time);
      const log = work.log;
      let fold = 0;
      while (fold < log.length && endOf(log[fold] as LoggedEvent) < latest - horizonMs) fold++;
      if (log.length > MAX_JOURNAL_ENTRIES) fold = Math.max(fold, FOLD_BATCH);
      if (fold > 0) {
        const folded = run(
          rule,
          key,
          { value: work.base, expiresAt: work.baseExpiresAt },
          log.slice(0, fold).flatMap((entry) => eventsOf(entry, work.hints)),
          context.config,
        ).state;
        work.base = folded.value;
        work.baseExpiresAt = folded.expiresAt;
        work.baseAt = Math.max(
          work.baseAt ?? Number.NEGATIVE_INFINITY,
          endOf(log[fold - 1] as LoggedEvent),
        );
        log.splice(0, fold);
        work.hintsToPrune = work.hintCount > 0;
      }
      const cutoff = latest - horizonMs;
      if (work.sent.some((alert) => alert.t < cutoff)) {
        work.sent = work.sent.filter((alert) => alert.t >= cutoff);
      }
      if (work.sent.length > MAX_SENT_ALERTS) {
        work.sent.splice(0, work.sent.length - MAX_SENT_ALERTS);
      }
      const withHints = work.hintCount > 0;
      if (work.hintsToPrune) {
        // Only when an entry left the log or a hint came in: otherwise every hint is still used.
        work.hints = keptHints(work.hints, work.log);
        work.hintCount = Object.keys(work.hints).length;
        work.hintsToPrune = false;
      }
      const journal = journalOf(work, withHints, context.state);
      context.state.set(key, journal, Math.max(work.liveExpiresAt ?? 0, latest + horizonMs));
    },
  };
}

/** The hints that logged events still use. */
function keptHints(
  hints: Readonly<Record<string, Hint>>,
  log: readonly LoggedEvent[],
): Readonly<Record<string, Hint>> {
  const used = new Set(log.map((entry) => entry.h));
  if (Object.keys(hints).every((id) => used.has(id))) return hints;
  return Object.fromEntries(Object.entries(hints).filter(([id]) => used.has(id)));
}
