/**
 * Replaying a log the way the subscription Lambda sees a live log group:
 * each stream cut into deliveries of N lines, handed to the pipeline one
 * delivery at a time (in time order, or in a seeded random order, each
 * delivery possibly several times), with state passing only through the
 * `StateStore`; and comparing the alerts published that way with the
 * reference (one plain replay of the same input). Pure: no I/O.
 *
 * The pieces, for `tunnelwatch replay --deliveries` and for property tests:
 *
 * - `lineTimes(batch, sources?) → (number | null)[]`: each line's own event
 *   time (epoch ms) by the stream's parser, null when it has none.
 * - `planDeliveries(batches, times, { linesPerDelivery, shuffleSeed?, repeat? })
 *   → Delivery[]`: the deliveries in hand-over order. Blank lines are left
 *   out (CloudWatch Logs has no empty events). Without a seed, deliveries are
 *   ordered by the time of their first line (stable: batch, then position),
 *   and a delivery's repeats follow it at once; with N = 1 that is the
 *   time-sorted log. With a seed: a seeded permutation, and each repeat at a
 *   random position after its original.
 * - `deliveryBatch(batches, delivery) → StreamBatch`: what the pipeline is
 *   given for one delivery. A line without its own time carries its stream's
 *   previous time as its CloudWatch `timestamp`, as an agent would stamp it.
 * - `runDeliveries(batches, plan, pipelineOptions) → { published, result }`:
 *   runs `runPipeline` once per delivery with the options' (shared) store;
 *   `published` lists every alert in publish order, repeats included.
 * - `compareAlerts(reference, published, config) → AlertComparison`: what
 *   differs (see `AlertComparison`); `isLossless` / `isExact` judge it.
 * - `addResults(a, b) → PipelineResult`: the counts of two runs added.
 * - `seededRandom(seed) → () => number`: the PRNG used for shuffling.
 * - `new ReplayClock()`: the clock of a replay (`now`, for the store and the
 *   pipeline), the newest event time handed over so far (`observe` it with
 *   the pipeline's `onEvent`), so that state expires as in a live deployment.
 * - `new CountingStateStore(store)`: a `StateStore` that counts the calls and
 *   keys passed to the one it wraps (what DynamoDB would be asked per delivery).
 */
import {
  type Alert,
  type AlertStatus,
  type RuleId,
  type RuleSettings,
  type RulesConfig,
  type SourceDefinition,
  STATE_RULES,
  type StateStore,
  type StateWrite,
  type Versioned,
  type VpnEvent,
} from './model.ts';
import type { PipelineOptions, PipelineResult, RawLine, StreamBatch } from './pipeline.ts';
import { runPipeline } from './pipeline.ts';
import { SOURCE_DEFINITIONS, sniffSource } from './sources/index.ts';

/** Non-blank lines sniffed for `source: 'auto'` (as the pipeline does). */
const SNIFF_LINES = 50;

/** A deterministic PRNG (mulberry32): numbers in [0, 1), the same sequence for the same `seed`. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

/**
 * Each line's own event time (epoch ms) as the batch's parser reads it, or
 * null for a line without one (and for every line of a batch no source
 * recognises). One parser reads the whole stream, as in a plain replay.
 */
export function lineTimes(
  batch: StreamBatch,
  sources: readonly SourceDefinition[] = SOURCE_DEFINITIONS,
): (number | null)[] {
  const definition =
    batch.source === 'auto'
      ? sniffSource(
          batch.lines
            .filter((line) => !isBlank(line.text))
            .slice(0, SNIFF_LINES)
            .map((line) => line.text),
          sources,
        )
      : sources.find((candidate) => candidate.source === batch.source);
  if (definition === undefined) return batch.lines.map(() => null);
  const parser = definition.createParser({
    stream: batch.stream,
    timeZone: batch.timeZone ?? 'UTC',
  });
  const origin = {
    stream: batch.stream,
    ...(batch.file === undefined ? {} : { file: batch.file }),
    ...(batch.logGroup === undefined ? {} : { logGroup: batch.logGroup }),
  };
  return batch.lines.map((line, index) => {
    if (isBlank(line.text)) return null;
    const context = {
      origin: { ...origin, line: line.line ?? index + 1 },
      ...(line.eventId === undefined ? {} : { eventId: line.eventId }),
      ...(line.timestamp === undefined ? {} : { timestamp: line.timestamp }),
    };
    return parser.parse(line.text, context).time;
  });
}

/** One delivery: consecutive non-blank lines of one batch. */
export interface Delivery {
  /** Index of the batch (stream) in the planned batches. */
  readonly batch: number;
  /** Indexes into that batch's `lines`, ascending. */
  readonly lines: readonly number[];
  /** Time of its first line (its own, else the stream's previous one), epoch ms; -Infinity when none. */
  readonly time: number;
  /** 0 for the first hand-over of these lines, 1… for repeats. */
  readonly copy: number;
}

/** How to cut and hand over the deliveries. */
export interface DeliveryPlanOptions {
  /** Lines per delivery (N ≥ 1); a stream's last delivery may hold fewer. */
  readonly linesPerDelivery: number;
  /** Shuffle with this seed; without it, deliveries go in time order. */
  readonly shuffleSeed?: number;
  /** How many times each delivery is handed over (K ≥ 1); default 1. */
  readonly repeat?: number;
}

/**
 * The deliveries of `batches` in hand-over order. `times[b][i]` is line i of
 * batch b's own time (`lineTimes`); a line without one takes its stream's
 * previous time for ordering.
 */
export function planDeliveries(
  batches: readonly StreamBatch[],
  times: readonly (readonly (number | null)[])[],
  options: DeliveryPlanOptions,
): Delivery[] {
  const size = options.linesPerDelivery;
  const repeat = options.repeat ?? 1;
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`linesPerDelivery: expected a positive integer, got ${size}`);
  }
  if (!Number.isInteger(repeat) || repeat < 1) {
    throw new RangeError(`repeat: expected a positive integer, got ${repeat}`);
  }
  const originals: Delivery[] = [];
  batches.forEach((batch, batchIndex) => {
    const own = times[batchIndex] ?? [];
    let carried = Number.NEGATIVE_INFINITY;
    let current: number[] = [];
    let firstTime = carried;
    batch.lines.forEach((line, index) => {
      const time = own[index] ?? null;
      if (time !== null) carried = time;
      if (isBlank(line.text)) return;
      if (current.length === 0) firstTime = carried;
      current.push(index);
      if (current.length === size) {
        originals.push({ batch: batchIndex, lines: current, time: firstTime, copy: 0 });
        current = [];
      }
    });
    if (current.length > 0) {
      originals.push({ batch: batchIndex, lines: current, time: firstTime, copy: 0 });
    }
  });

  if (options.shuffleSeed === undefined) {
    // Stable: equal times keep batch order, then position (originals are built in that order).
    const ordered = originals
      .map((delivery, index) => ({ delivery, index }))
      .sort((a, b) => a.delivery.time - b.delivery.time || a.index - b.index || 0)
      .map(({ delivery }) => delivery);
    return ordered.flatMap((delivery) =>
      Array.from({ length: repeat }, (_, copy) => ({ ...delivery, copy })),
    );
  }

  const random = seededRandom(options.shuffleSeed);
  const shuffled = [...originals];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as Delivery, shuffled[i] as Delivery];
  }
  // Each original sits at its position; each repeat at a random real position after it.
  const n = shuffled.length;
  const placed: { delivery: Delivery; at: number }[] = [];
  shuffled.forEach((delivery, position) => {
    placed.push({ delivery, at: position });
    for (let copy = 1; copy < repeat; copy++) {
      placed.push({
        delivery: { ...delivery, copy },
        at: position + random() * (n - position),
      });
    }
  });
  // A repeat drawn at its original's very position still comes after it.
  return placed
    .sort((a, b) => a.at - b.at || a.delivery.copy - b.delivery.copy)
    .map(({ delivery }) => delivery);
}

/** The `StreamBatch` the pipeline is handed for one delivery. */
export function deliveryBatch(
  batches: readonly StreamBatch[],
  delivery: Delivery,
  times?: readonly (readonly (number | null)[])[],
): StreamBatch {
  const batch = batches[delivery.batch] as StreamBatch;
  const own = times?.[delivery.batch];
  let carried = delivery.time;
  const lines: RawLine[] = delivery.lines.map((index) => {
    const line = batch.lines[index] as RawLine;
    const time = own?.[index] ?? null;
    if (time !== null) {
      carried = time;
      return line;
    }
    if (line.timestamp !== undefined || !Number.isFinite(carried)) return line;
    return { ...line, timestamp: carried };
  });
  return { ...batch, lines };
}

/**
 * The wall clock of a replay: a live deployment's clock runs with the events
 * it receives, so a replay's store and pipeline take as "now" the newest
 * event time handed over so far (before any, 0). With the machine's clock
 * instead, state written for last year's events would expire between two
 * pipeline calls. A line dated in the future moves this clock too.
 */
export class ReplayClock {
  private newest = 0;

  /** The clock, epoch ms: for `MemoryStateStore` and `PipelineOptions.now`. */
  readonly now = (): number => this.newest;

  /** Moves the clock to `event`'s time when it is newer: for `PipelineOptions.onEvent`. */
  readonly observe = (event: VpnEvent): void => {
    if (event.time !== null && event.time > this.newest) this.newest = event.time;
  };
}

/** Calls and keys a `CountingStateStore` passed on. */
export interface StoreCalls {
  readonly get: number;
  readonly getMany: number;
  readonly put: number;
  readonly putMany: number;
  /** Keys asked for by `get` and `getMany`. */
  readonly keysRead: number;
  /** Writes passed by `put` and `putMany`. */
  readonly keysWritten: number;
}

/** A `StateStore` that counts what it passes to the one it wraps. */
export class CountingStateStore implements StateStore {
  private counts = { get: 0, getMany: 0, put: 0, putMany: 0, keysRead: 0, keysWritten: 0 };

  constructor(private readonly inner: StateStore) {}

  /** The counts so far. */
  get calls(): StoreCalls {
    return { ...this.counts };
  }

  get<T = unknown>(key: string): Promise<Versioned<T> | undefined> {
    this.counts.get++;
    this.counts.keysRead++;
    return this.inner.get<T>(key);
  }

  getMany(keys: readonly string[]): Promise<Map<string, Versioned>> {
    this.counts.getMany++;
    this.counts.keysRead += keys.length;
    return this.inner.getMany(keys);
  }

  put<T = unknown>(write: StateWrite<T>): Promise<void> {
    this.counts.put++;
    this.counts.keysWritten++;
    return this.inner.put(write);
  }

  putMany(writes: readonly StateWrite[]): Promise<void> {
    this.counts.putMany++;
    this.counts.keysWritten += writes.length;
    return this.inner.putMany(writes);
  }
}

/** What handing the deliveries over did. */
export interface DeliveryRun {
  /** Every alert published, in publish order (an alert published twice appears twice). */
  readonly published: readonly Alert[];
  /** The pipeline's counts, added over every delivery. */
  readonly result: PipelineResult;
}

/**
 * Hands the deliveries to `runPipeline` one at a time, with `options.store`
 * shared by all (state passes only through it, as in the Lambda).
 */
export async function runDeliveries(
  batches: readonly StreamBatch[],
  plan: readonly Delivery[],
  options: PipelineOptions,
  times?: readonly (readonly (number | null)[])[],
): Promise<DeliveryRun> {
  const published: Alert[] = [];
  let total: PipelineResult | undefined;
  for (const delivery of plan) {
    const result = await runPipeline([deliveryBatch(batches, delivery, times)], options);
    published.push(...result.alerts);
    total = total === undefined ? result : addResults(total, result);
  }
  // No delivery at all: the counts of an empty run.
  total ??= await runPipeline([], options);
  return { published, result: { ...total, alerts: published } };
}

/**
 * The counts of two pipeline runs added (numbers added, nested count tables
 * added key by key); `alerts` concatenated.
 */
export function addResults(a: PipelineResult, b: PipelineResult): PipelineResult {
  const add = (x: unknown, y: unknown): unknown => {
    if (typeof x === 'number' || typeof y === 'number') {
      return (typeof x === 'number' ? x : 0) + (typeof y === 'number' ? y : 0);
    }
    if (Array.isArray(x) || Array.isArray(y)) {
      return [...((x as unknown[]) ?? []), ...((y as unknown[]) ?? [])];
    }
    if (typeof x === 'object' || typeof y === 'object') {
      const out: Record<string, unknown> = {};
      const left = (x ?? {}) as Record<string, unknown>;
      const right = (y ?? {}) as Record<string, unknown>;
      for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
        out[key] = add(left[key], right[key]);
      }
      return out;
    }
    return y ?? x;
  };
  return add(a, b) as PipelineResult;
}

// ---------------------------------------------------------------------------
// Comparing with the reference

/** An alert as the comparison names it. */
export interface AlertRef {
  readonly id: string;
  readonly rule: RuleId;
  readonly key: string;
  readonly status: AlertStatus;
  /** Epoch ms. */
  readonly time: number;
}

/** A state rule's incident opened twice on one key with no `resolved` between. */
export interface DoubledOpen {
  readonly first: AlertRef;
  readonly second: AlertRef;
}

/** What differs between the reference alerts and the published ones. */
export interface AlertComparison {
  /** Alerts of the reference. */
  readonly reference: number;
  /** Alerts published, repeats included. */
  readonly published: number;
  /** Reference ids never published. */
  readonly missingIds: readonly string[];
  /** Published ids the reference does not have. */
  readonly extraIds: readonly string[];
  /** Ids published more than once. */
  readonly doubledIds: readonly string[];
  /**
   * Lost reference alerts. A state rule's (tunnel.down, tunnel.flapping,
   * vpn.all_tunnels_down, bgp.session_down) incident is lost when no
   * published incident of the same rule and key overlaps its time span, its
   * `resolved` when the last overlapping one was never resolved; any other
   * alert when no published alert of the same rule, key and status lies
   * within the rule's tolerance (`matchToleranceMs`) of its time.
   */
  readonly lost: readonly AlertRef[];
  /** Published alerts that match no reference alert (by span for state rules, else by tolerance). */
  readonly extra: readonly AlertRef[];
  /**
   * Reference alerts whose id was not published but whose incident was, under
   * another id (its trigger line came in another delivery): not lost.
   */
  readonly moved: readonly { readonly reference: AlertRef; readonly published: AlertRef }[];
  /** State-rule incidents opened twice on one key with no `resolved` between them. */
  readonly doubled: readonly DoubledOpen[];
}

/** Least tolerance (ms) when matching an incident by time. */
export const MIN_MATCH_TOLERANCE_MS = 5 * 60_000;

/**
 * How far apart (ms) a published alert and a reference alert of the same
 * rule, key and status may be and still be one incident: the rule's window,
 * cooldown or cause look-back, whichever is longest, at least
 * `MIN_MATCH_TOLERANCE_MS`. Cause alerts use `config.cause`.
 */
export function matchToleranceMs(rule: RuleId, config: RulesConfig): number {
  const settings: RuleSettings | undefined =
    (config.rules as Readonly<Record<string, RuleSettings>>)[rule] ?? config.cause;
  const minutes = Math.max(
    settings?.windowMinutes ?? 0,
    settings?.cooldownMinutes ?? 0,
    settings?.causeLookbackMinutes ?? 0,
  );
  return Math.max(MIN_MATCH_TOLERANCE_MS, minutes * 60_000);
}

function refOf(alert: Alert): AlertRef {
  return { id: alert.id, rule: alert.rule, key: alert.key, status: alert.status, time: alert.time };
}

const STATE_RULE_IDS: ReadonlySet<string> = new Set(STATE_RULES);

/**
 * Matches reference alerts to published ones of the same rule, key and
 * status, one to one, nearest in time first, within the rule's tolerance.
 * Returns the unmatched of each side and the pairs.
 */
function matchIncidents(
  reference: readonly AlertRef[],
  published: readonly AlertRef[],
  config: RulesConfig,
): { lost: AlertRef[]; extra: AlertRef[]; pairs: [AlertRef, AlertRef][] } {
  const groups = new Map<string, { reference: AlertRef[]; published: AlertRef[] }>();
  const groupOf = (alert: AlertRef) => {
    const name = `${alert.rule}\u0000${alert.key}\u0000${alert.status}`;
    let group = groups.get(name);
    if (group === undefined) {
      group = { reference: [], published: [] };
      groups.set(name, group);
    }
    return group;
  };
  for (const alert of reference) groupOf(alert).reference.push(alert);
  for (const alert of published) groupOf(alert).published.push(alert);
  const lost: AlertRef[] = [];
  const extra: AlertRef[] = [];
  const pairs: [AlertRef, AlertRef][] = [];
  for (const group of groups.values()) {
    const rule = (group.reference[0] ?? group.published[0])?.rule;
    if (rule === undefined) continue;
    const tolerance = matchToleranceMs(rule, config);
    // Candidate pairs within tolerance, nearest first; identical ids before anything else.
    const candidates: { r: number; p: number; distance: number }[] = [];
    group.reference.forEach((r, ri) => {
      group.published.forEach((p, pi) => {
        const distance = Math.abs(r.time - p.time);
        if (r.id === p.id) candidates.push({ r: ri, p: pi, distance: -1 });
        else if (distance <= tolerance) candidates.push({ r: ri, p: pi, distance });
      });
    });
    candidates.sort((a, b) => a.distance - b.distance || a.r - b.r || a.p - b.p);
    const usedR = new Set<number>();
    const usedP = new Set<number>();
    for (const { r, p } of candidates) {
      if (usedR.has(r) || usedP.has(p)) continue;
      usedR.add(r);
      usedP.add(p);
      pairs.push([group.reference[r] as AlertRef, group.published[p] as AlertRef]);
    }
    group.reference.forEach((alert, index) => {
      if (!usedR.has(index)) lost.push(alert);
    });
    group.published.forEach((alert, index) => {
      if (!usedP.has(index)) extra.push(alert);
    });
  }
  const byTime = (a: AlertRef, b: AlertRef) => a.time - b.time || (a.id < b.id ? -1 : 1);
  return { lost: lost.sort(byTime), extra: extra.sort(byTime), pairs };
}

/** State-rule `opened` alerts that follow another `opened` on the same key with no `resolved` between (in time order). */
function doubledOpens(published: readonly AlertRef[]): DoubledOpen[] {
  const byKey = new Map<string, { alert: AlertRef; order: number }[]>();
  published.forEach((alert, order) => {
    if (!STATE_RULE_IDS.has(alert.rule)) return;
    const name = `${alert.rule}\u0000${alert.key}`;
    const list = byKey.get(name) ?? [];
    list.push({ alert, order });
    byKey.set(name, list);
  });
  const doubled: DoubledOpen[] = [];
  for (const list of byKey.values()) {
    list.sort((a, b) => a.alert.time - b.alert.time || a.order - b.order);
    let open: AlertRef | undefined;
    for (const { alert } of list) {
      if (alert.status === 'resolved') {
        open = undefined;
      } else if (open !== undefined) {
        doubled.push({ first: open, second: alert });
      } else {
        open = alert;
      }
    }
  }
  return doubled;
}

/** A state-rule incident: its `opened` alert and, once resolved, its `resolved` alert. */
interface Span {
  readonly opened: AlertRef | undefined;
  readonly resolved: AlertRef | undefined;
  readonly from: number;
  readonly to: number;
}

/**
 * The incidents a key's state-rule alerts open and resolve, in time order:
 * from the first `opened` to the next `resolved` (a later `opened` in between
 * belongs to the same incident; a `resolved` with none open stands alone).
 */
function spansOf(alerts: readonly AlertRef[]): Span[] {
  const spans: Span[] = [];
  let opened: AlertRef | undefined;
  for (const alert of [...alerts].sort((a, b) => a.time - b.time)) {
    if (alert.status === 'opened') {
      opened ??= alert;
      continue;
    }
    spans.push({ opened, resolved: alert, from: opened?.time ?? alert.time, to: alert.time });
    opened = undefined;
  }
  if (opened !== undefined) {
    spans.push({ opened, resolved: undefined, from: opened.time, to: Number.POSITIVE_INFINITY });
  }
  return spans;
}

/**
 * Matches state-rule incidents by time span: a reference incident is not lost
 * when a published incident of the same rule and key overlaps it (a late line
 * may move its start or end), and, when the reference resolved it, the last
 * such published incident was resolved too. Published incidents that overlap
 * none of the reference are extra.
 */
function matchSpans(
  reference: readonly AlertRef[],
  published: readonly AlertRef[],
): { lost: AlertRef[]; extra: AlertRef[]; pairs: [AlertRef, AlertRef][] } {
  const lost: AlertRef[] = [];
  const extra: AlertRef[] = [];
  const pairs: [AlertRef, AlertRef][] = [];
  const overlaps = (a: Span, b: Span) => a.from <= b.to && b.from <= a.to;
  const keys = new Set([...reference, ...published].map((a) => `${a.rule}\u0000${a.key}`));
  for (const name of keys) {
    const onKey = (list: readonly AlertRef[]) =>
      list.filter((a) => `${a.rule}\u0000${a.key}` === name);
    const want = spansOf(onKey(reference));
    const got = spansOf(onKey(published));
    for (const span of want) {
      const matching = got.filter((candidate) => overlaps(span, candidate));
      const last = matching[matching.length - 1];
      const first = matching[0];
      if (first === undefined || last === undefined) {
        if (span.opened !== undefined) lost.push(span.opened);
        if (span.resolved !== undefined) lost.push(span.resolved);
        continue;
      }
      if (span.opened !== undefined && first.opened !== undefined) {
        pairs.push([span.opened, first.opened]);
      }
      if (span.resolved !== undefined) {
        if (last.resolved === undefined) lost.push(span.resolved);
        else pairs.push([span.resolved, last.resolved]);
      }
    }
    for (const span of got) {
      if (want.some((candidate) => overlaps(span, candidate))) continue;
      if (span.opened !== undefined) extra.push(span.opened);
      if (span.resolved !== undefined) extra.push(span.resolved);
    }
  }
  return { lost, extra, pairs };
}

/**
 * Compares the alerts published (in publish order, repeats included) with
 * the reference (a plain replay's alerts). Lost: a reference incident with no
 * published alert of the same rule, key and status within tolerance.
 * Doubled: an id published twice, or a state rule opened twice on one key
 * with no `resolved` between.
 */
export function compareAlerts(
  reference: readonly Alert[],
  published: readonly Alert[],
  config: RulesConfig,
): AlertComparison {
  return compareAlertRefs(reference.map(refOf), published.map(refOf), config);
}

/** `compareAlerts` over alerts known only by id, rule, key, status and time (e.g. read back from SNS). */
export function compareAlertRefs(
  reference: readonly AlertRef[],
  published: readonly AlertRef[],
  config: RulesConfig,
): AlertComparison {
  const referenceIds = new Set(reference.map((alert) => alert.id));
  const seen = new Set<string>();
  const doubledIds = new Set<string>();
  const unique: AlertRef[] = [];
  for (const alert of published) {
    if (seen.has(alert.id)) {
      doubledIds.add(alert.id);
      continue;
    }
    seen.add(alert.id);
    unique.push(alert);
  }
  const isState = (alert: AlertRef) => STATE_RULE_IDS.has(alert.rule);
  const states = matchSpans(reference.filter(isState), unique.filter(isState));
  const others = matchIncidents(
    reference.filter((alert) => !isState(alert)),
    unique.filter((alert) => !isState(alert)),
    config,
  );
  const byTime = (a: AlertRef, b: AlertRef) => a.time - b.time || (a.id < b.id ? -1 : 1);
  const lost = [...states.lost, ...others.lost].sort(byTime);
  const extra = [...states.extra, ...others.extra].sort(byTime);
  const pairs = [...states.pairs, ...others.pairs];
  return {
    reference: reference.length,
    published: published.length,
    missingIds: reference.filter((alert) => !seen.has(alert.id)).map((alert) => alert.id),
    extraIds: unique.filter((alert) => !referenceIds.has(alert.id)).map((alert) => alert.id),
    doubledIds: [...doubledIds],
    lost,
    extra,
    moved: pairs
      .filter(([r, p]) => r.id !== p.id)
      .map(([r, p]) => ({ reference: r, published: p })),
    doubled: doubledOpens(unique),
  };
}

/** No reference incident lost and nothing doubled (what `--check` requires). */
export function isLossless(comparison: AlertComparison): boolean {
  return (
    comparison.lost.length === 0 &&
    comparison.doubledIds.length === 0 &&
    comparison.doubled.length === 0
  );
}

/** Exactly the reference's alerts by id, each published once. */
export function isExact(comparison: AlertComparison): boolean {
  return (
    comparison.missingIds.length === 0 &&
    comparison.extraIds.length === 0 &&
    comparison.doubledIds.length === 0
  );
}
