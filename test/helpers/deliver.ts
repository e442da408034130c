/**
 * Live delivery, simulated: stream batches cut into deliveries, handed to the
 * pipeline one at a time (in time order, shuffled, repeated, concurrently)
 * with state only through the store, as the subscription Lambda sees them.
 */
import { lineTimes, seededRandom } from '../../src/deliveries.ts';
import type { Alert, RulesConfig } from '../../src/model.ts';
import { type RawLine, runPipeline, type StreamBatch } from '../../src/pipeline.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';
import { MemoryStateStore } from '../../src/state/memory-state-store.ts';

/** One delivery: some consecutive lines of one stream. */
export interface Delivery {
  readonly batch: StreamBatch;
  /** Time of its first line (ms), for time-ordered delivery. */
  readonly firstTime: number;
  /** Position of the stream among the batches, then of the delivery in its stream. */
  readonly order: readonly [number, number];
}

/** Gives every line an event id (as CloudWatch Logs does), so ids survive any cut. */
export function withEventIds(batches: readonly StreamBatch[]): StreamBatch[] {
  return batches.map((batch) => ({
    ...batch,
    lines: batch.lines.map((line, index) => ({
      ...line,
      eventId: line.eventId ?? `${batch.stream}#${line.line ?? index + 1}`,
    })),
  }));
}

/** The event time of each line of a batch (ms; the previous line's when it has none). */
function timesOf(batch: StreamBatch): number[] {
  let last = Number.NEGATIVE_INFINITY;
  return lineTimes(batch).map((time) => {
    if (time !== null) last = time;
    return last;
  });
}

/** Cuts each stream into deliveries at the given sizes (cycled). */
export function cut(batches: readonly StreamBatch[], sizes: readonly number[]): Delivery[] {
  const deliveries: Delivery[] = [];
  let turn = 0;
  batches.forEach((batch, streamIndex) => {
    const times = timesOf(batch);
    let at = 0;
    let index = 0;
    while (at < batch.lines.length) {
      const size = Math.max(1, sizes[turn++ % sizes.length] ?? 1);
      const lines: RawLine[] = batch.lines.slice(at, at + size);
      deliveries.push({
        batch: { ...batch, lines },
        firstTime: times[at] ?? 0,
        order: [streamIndex, index++],
      });
      at += size;
    }
  });
  return deliveries;
}

/**
 * The time-sorted log (all streams merged by time, ties in stream order) cut
 * into deliveries in that order: a delivery holds consecutive lines of one
 * stream, at most the next of `sizes` (cycled), so that handing them over one
 * after the other is the sorted log, however it is cut.
 */
export function cutInOrder(batches: readonly StreamBatch[], sizes: readonly number[]): Delivery[] {
  const lines = batches.flatMap((batch, streamIndex) =>
    timesOf(batch).map((time, index) => ({ time, streamIndex, index })),
  );
  lines.sort((a, b) => a.time - b.time || a.streamIndex - b.streamIndex || a.index - b.index);
  const deliveries: Delivery[] = [];
  let turn = 0;
  let at = 0;
  while (at < lines.length) {
    const size = Math.max(1, sizes[turn++ % sizes.length] ?? 1);
    const first = lines[at] as (typeof lines)[number];
    let end = at + 1;
    while (
      end < lines.length &&
      end - at < size &&
      (lines[end] as (typeof lines)[number]).streamIndex === first.streamIndex &&
      (lines[end] as (typeof lines)[number]).index ===
        (lines[end - 1] as (typeof lines)[number]).index + 1
    ) {
      end++;
    }
    const batch = batches[first.streamIndex] as StreamBatch;
    deliveries.push({
      batch: { ...batch, lines: batch.lines.slice(first.index, first.index + (end - at)) },
      firstTime: first.time,
      order: [first.streamIndex, first.index],
    });
    at = end;
  }
  return deliveries;
}

/** Deliveries in time order of their first line (stream order, then cut order, on ties). */
export function inTimeOrder(deliveries: readonly Delivery[]): Delivery[] {
  return [...deliveries].sort(
    (a, b) => a.firstTime - b.firstTime || a.order[0] - b.order[0] || a.order[1] - b.order[1],
  );
}

/** A seeded permutation. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const list = [...items];
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j] as T, list[i] as T];
  }
  return list;
}

/** Runs deliveries one at a time through one store; returns every alert raised, in order. */
export async function deliverAll(
  deliveries: readonly Delivery[],
  config: RulesConfig = DEFAULT_RULES_CONFIG,
  store = new MemoryStateStore(() => 0),
): Promise<Alert[]> {
  const alerts: Alert[] = [];
  for (const delivery of deliveries) {
    const result = await runPipeline([delivery.batch], { store, config });
    alerts.push(...result.alerts);
  }
  return alerts;
}

/** Runs deliveries `concurrency` at a time (overlapping invocations) through one store. */
export async function deliverConcurrently(
  deliveries: readonly Delivery[],
  concurrency: number,
  config: RulesConfig = DEFAULT_RULES_CONFIG,
  store = new MemoryStateStore(() => 0),
): Promise<Alert[]> {
  const alerts: Alert[] = [];
  let next = 0;
  const worker = async () => {
    while (next < deliveries.length) {
      const delivery = deliveries[next++] as Delivery;
      const result = await runPipeline([delivery.batch], {
        store,
        config,
        maxConflictRetries: 1_000,
      });
      alerts.push(...result.alerts);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return alerts;
}

/** The reference: every batch replayed once, in one run. */
export async function replayOnce(
  batches: readonly StreamBatch[],
  config: RulesConfig = DEFAULT_RULES_CONFIG,
): Promise<Alert[]> {
  return [...(await runPipeline(batches, { store: new MemoryStateStore(), config })).alerts];
}

/** A state rule: its alerts open and resolve incidents. */
const STATE_RULES = new Set([
  'tunnel.down',
  'tunnel.flapping',
  'vpn.all_tunnels_down',
  'bgp.session_down',
]);

/** What the comparison reads of an alert (also all that the topic's messages tell). */
export type ComparedAlert = Pick<Alert, 'id' | 'rule' | 'key' | 'status' | 'time' | 'subject'>;

/** What a live run lost and doubled against the reference. */
export interface Comparison<A extends ComparedAlert = Alert> {
  /** Reference alerts with no published alert of the same incident. */
  readonly lost: A[];
  /** Alert ids published more than once. */
  readonly doubled: string[];
  /** State-rule incidents opened twice on one key with no resolution between. */
  readonly reopened: A[];
}

/** The incidents a key's state-rule alerts open and resolve (time order). */
function spans(
  alerts: readonly ComparedAlert[],
): { from: number; to: number; resolved: boolean }[] {
  const result: { from: number; to: number; resolved: boolean }[] = [];
  let open: number | undefined;
  for (const alert of [...alerts].sort((a, b) => a.time - b.time)) {
    if (alert.status === 'opened') open ??= alert.time;
    else if (open !== undefined) {
      result.push({ from: open, to: alert.time, resolved: true });
      open = undefined;
    }
  }
  if (open !== undefined)
    result.push({ from: open, to: Number.POSITIVE_INFINITY, resolved: false });
  return result;
}

/**
 * Compares published alerts with the reference. A state-rule incident of the
 * reference (opened, and resolved when it was) is not lost when a published
 * incident on the same key overlaps it (and, when the reference resolved it,
 * the last such published incident was resolved too): a late line may move
 * an incident's start or end. Any other alert is not lost when the same id,
 * or an alert of the same rule and key within `nearMs` (its cooldown), was
 * published.
 */
export function compare<A extends ComparedAlert>(
  reference: readonly A[],
  published: readonly A[],
  nearMs: number,
): Comparison<A> {
  const ids = new Map<string, number>();
  for (const alert of published) ids.set(alert.id, (ids.get(alert.id) ?? 0) + 1);
  const doubled = [...ids].filter(([, count]) => count > 1).map(([id]) => id);
  const lost: A[] = [];
  const stateKeys = new Set(reference.filter((a) => STATE_RULES.has(a.rule)).map((a) => a.key));
  for (const key of stateKeys) {
    const onKey = (list: readonly A[]) =>
      list.filter((a) => a.key === key && STATE_RULES.has(a.rule));
    const got = spans(onKey(published));
    for (const want of spans(onKey(reference))) {
      const overlapping = got.filter((span) => span.from <= want.to && want.from <= span.to);
      const last = overlapping[overlapping.length - 1];
      const opened = onKey(reference).find((a) => a.status === 'opened' && a.time === want.from);
      const resolved = onKey(reference).find((a) => a.status === 'resolved' && a.time === want.to);
      if (last === undefined) {
        if (opened !== undefined) lost.push(opened);
        if (resolved !== undefined) lost.push(resolved);
      } else if (want.resolved && !last.resolved && resolved !== undefined) {
        lost.push(resolved);
      }
    }
  }
  for (const want of reference) {
    if (STATE_RULES.has(want.rule) || ids.has(want.id)) continue;
    const near = published.some(
      (got) =>
        got.rule === want.rule &&
        got.key === want.key &&
        got.status === want.status &&
        Math.abs(got.time - want.time) <= nearMs,
    );
    if (!near) lost.push(want);
  }
  const reopened: A[] = [];
  const open = new Map<string, boolean>();
  for (const alert of [...published].sort((a, b) => a.time - b.time)) {
    if (!STATE_RULES.has(alert.rule)) continue;
    if (alert.status === 'opened') {
      if (open.get(alert.key) === true) reopened.push(alert);
      open.set(alert.key, true);
    } else {
      open.set(alert.key, false);
    }
  }
  return { lost, doubled, reopened };
}

/** The batches `replay` reads from `paths` (files or directories), with event ids. */
export async function batchesOf(
  paths: readonly string[],
  timeZone = 'UTC',
): Promise<StreamBatch[]> {
  const { expandEach, openInput } = await import('../../src/cli/input.ts');
  const expanded = await expandEach(paths, () => {});
  const batches: StreamBatch[] = [];
  for (const input of expanded.files) {
    const opened = await openInput(input.path, { source: 'auto', timeZone });
    const lines: RawLine[] = [];
    for await (const line of opened.lines) lines.push({ text: line.text, line: line.number });
    batches.push({
      source: opened.definition.source,
      stream: opened.stream,
      file: input.path,
      timeZone,
      lines,
    });
  }
  return withEventIds(batches);
}
