/**
 * The pipeline: raw lines of one or more streams → events → rules → alerts,
 * with state in a `StateStore` passed in. Pure apart from the store: the CLI
 * (in-memory store) and the Lambda (DynamoDB) run the same code.
 *
 * - Events of all batches are merged in timestamp order (stable: per-stream
 *   order is kept, ties go to the earlier batch).
 * - State is read with one `getMany` and written with one `putMany` per
 *   attempt; on `StateConflictError` the whole batch is re-applied on fresh
 *   state (bounded), and only the attempt that committed returns alerts.
 * - Idempotent: per stream, the ids of events processed in a trailing window
 *   (plus a floor below which everything counts as processed) are kept in
 *   state, so a redelivered batch raises nothing and changes nothing.
 */
import { renderAlert } from './alerts/render.ts';
import {
  type Alert,
  type Category,
  type EventOrigin,
  type RuleId,
  type RulesConfig,
  type Source,
  type SourceDefinition,
  StateConflictError,
  type StateStore,
  type StateWrite,
  type StreamParser,
  type Versioned,
  type VpnEvent,
} from './model.ts';
import { rulesByCategory } from './rules/category-scope.ts';
import { ALL_RULES } from './rules/index.ts';
import { keyPart } from './rules/key-part.ts';
import type { AlertDraft, Rule, RuleContext, StateView } from './rules/rule.ts';
import { SOURCE_DEFINITIONS } from './sources/index.ts';

/** One raw log line (or JSON record) as read. */
export interface RawLine {
  readonly text: string;
  /** CloudWatch Logs event id (Lambda) — the event's identity. */
  readonly eventId?: string;
  /** CloudWatch Logs event timestamp, epoch ms: used when the line has no time. */
  readonly timestamp?: number;
  /** 1-based line number in `file` (CLI). */
  readonly line?: number;
}

/** The lines of one stream, in stream order. */
export interface StreamBatch {
  /** `auto` sniffs the first lines (src/sources/index.ts). */
  readonly source: Source | 'auto';
  /** Log stream name / CLI stream name. */
  readonly stream: string;
  readonly logGroup?: string;
  readonly file?: string;
  /** IANA zone for local-time formats; default UTC. */
  readonly timeZone?: string;
  readonly lines: readonly RawLine[];
  /**
   * The time (epoch ms) of the stream's last timed line before this batch,
   * when the batch continues the stream (a chunk of a long file): leading
   * lines without their own time take it, as they would inside one batch.
   */
  readonly previousTime?: number;
}

/** What the pipeline works with. */
export interface PipelineOptions {
  readonly store: StateStore;
  /** Rule settings; `DEFAULT_RULES_CONFIG` from src/rules/config.ts for the defaults. */
  readonly config: RulesConfig;
  /**
   * Extra conditional writes committed in the same putMany as the rule state
   * (the Lambda's outbox of alerts to publish). Called once per attempt.
   */
  readonly extraWrites?: (alerts: readonly Alert[]) => readonly StateWrite[];
  /** Re-read + re-apply attempts on StateConflictError; default 5. */
  readonly maxConflictRetries?: number;
  /** Clock (epoch ms) for the expiry of the pipeline's bookkeeping; default Date.now. */
  readonly now?: () => number;
  /** @default - `ALL_RULES` (src/rules/index.ts). Tests pass their own. */
  readonly rules?: readonly Rule[];
  /** @default - the registry's `SOURCE_DEFINITIONS`. Tests pass their own. */
  readonly sources?: readonly SourceDefinition[];
  /**
   * Observer of every parsed event, in merged (time) order, before the rules
   * and the duplicate checks (the report draws its timeline from it). Called
   * once per event per run, whatever the conflict retries.
   */
  readonly onEvent?: (event: VpnEvent) => void;
}

/** Why an alert was held back. */
export type SuppressionReason = 'cooldown' | 'dedup' | 'folded';

/** What one run did. */
export interface PipelineResult {
  /** In emission order. */
  readonly alerts: readonly Alert[];
  /** Lines read (blank lines skipped). */
  readonly events: number;
  /** Events per source and category. */
  readonly byCategory: Readonly<Partial<Record<Source, Partial<Record<Category, number>>>>>;
  /** Unclassified events, plus the lines of a stream whose format could not be recognised. */
  readonly unclassified: number;
  readonly malformed: number;
  /** Alerts held back: cooldown, dedup (already raised), folded into an incident. */
  readonly suppressed: Readonly<Record<SuppressionReason, number>>;
  /**
   * Events skipped because they were already processed (redelivery) or are
   * a `duplicateKey` repeat from another stream.
   */
  readonly duplicates: number;
  /** StateConflictErrors that were retried. */
  readonly conflicts: number;
}

/** Thrown when state conflicts persist after maxConflictRetries. */
export class StateConflictRetriesExhaustedError extends Error {
  override readonly name = 'StateConflictRetriesExhaustedError';
  constructor(
    readonly attempts: number,
    readonly lastConflict: StateConflictError,
  ) {
    super(`state still conflicting after ${attempts} attempts: ${lastConflict.message}`);
  }
}

/** Default bound on re-read + re-apply attempts after a conflict. */
export const DEFAULT_MAX_CONFLICT_RETRIES = 5;
/** Non-blank lines sniffed for `source: 'auto'`. */
const SNIFF_LINES = 50;
/** Event-time span (ms) behind a stream's newest event whose ids are remembered. */
export const PROCESSED_WINDOW_MS = 10 * 60_000;
/** Most event ids remembered per stream. */
export const PROCESSED_MAX_IDS = 1000;
/** How long (ms, wall clock) a stream's record and a duplicateKey are kept. */
export const BOOKKEEPING_TTL_MS = 24 * 60 * 60_000;

/**
 * How long the store keeps an entry after its expiry (ms). Rules judge expiry
 * by event time, stores by the wall clock; a batch can arrive long after its
 * events (CloudWatch Logs retries for up to 24 h, Lambda's event age up to
 * 6 h, a redrive from the dead-letter queue up to SQS's 14-day retention).
 * The store is given `expiresAt + LATE_ARRIVAL_GRACE_MS`, and the pipeline
 * subtracts it again when it reads, so a late batch sees the cooldowns and
 * windows its own events fall into.
 */
export const LATE_ARRIVAL_GRACE_MS = 14 * 24 * 60 * 60_000;

/** The stored record of the events processed in one stream. */
interface ProcessedRecord {
  /** Every event at or before this time (ms) counts as processed; null = none forgotten yet. */
  readonly floor: number | null;
  /** `eventIdHash` of each event processed after `floor`, in processing order. */
  readonly ids: readonly number[];
  /** The time (ms) of each of `ids`, same order. */
  readonly times: readonly number[];
}

/** One parsed event with what the pipeline needs to order and book it. */
interface PipelineEvent {
  readonly event: VpnEvent;
  /** Index into the stream list (bookkeeping key). */
  readonly stream: number;
  /** Time used for ordering and bookkeeping, ms (the previous line's when the line has none). */
  readonly orderTime: number;
}

/**
 * A 53-bit hash of an event id, as a JSON-safe integer: keeps the
 * processed-event record small whatever the id length (CloudWatch ids have 56
 * digits). cyrb53 (public domain); at the 1,000 ids kept per stream the
 * chance of a collision is about 1 in 10^10.
 */
export function eventIdHash(id: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < id.length; i++) {
    const ch = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A stream's bookkeeping key. */
function streamKey(batch: StreamBatch): string {
  return `pipeline:stream:${keyPart(batch.logGroup ?? batch.file ?? '')}:${keyPart(batch.stream)}`;
}

/** True for an empty or whitespace-only line (without copying it). */
function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  if (text.charCodeAt(0) > 32) return false;
  return text.trim() === '';
}

function sniff(
  definitions: readonly SourceDefinition[],
  lines: readonly RawLine[],
): SourceDefinition | undefined {
  const sample: string[] = [];
  for (const line of lines) {
    if (line.text.trim() === '') continue;
    sample.push(line.text);
    if (sample.length >= SNIFF_LINES) break;
  }
  let best: SourceDefinition | undefined;
  let bestCount = 0;
  for (const definition of definitions) {
    const count = sample.filter((text) => definition.sniff(text)).length;
    if (count > bestCount) {
      best = definition;
      bestCount = count;
    }
  }
  return best;
}

/** Event counts gathered while parsing. */
interface ParseCounts {
  events: number;
  unclassified: number;
  malformed: number;
  /** Events per source and category (Maps: cheaper to update per event than records). */
  readonly byCategory: Map<Source, Map<Category, number>>;
}

/**
 * Parses one batch line by line, with one parser for the stream, one event
 * ahead of the merge that consumes it.
 */
class StreamCursor {
  private index = 0;
  private lastTime: number | null = null;
  private readonly parser: StreamParser | undefined;
  private readonly sharedOrigin: EventOrigin;
  private readonly idPrefix: string;
  /** The per-category counts of the last event's source (a stream's events share one). */
  private lastSource: Source | undefined;
  private lastPerSource: Map<Category, number> | undefined;
  /** The next event, parsed ahead (the merge orders streams by it). */
  head: PipelineEvent | undefined;
  /** `head.orderTime`, kept here for the merge's comparisons. */
  headTime = 0;

  constructor(
    private readonly batch: StreamBatch,
    readonly streamIndex: number,
    definitions: readonly SourceDefinition[],
    private readonly counts: ParseCounts,
  ) {
    const definition =
      batch.source === 'auto'
        ? sniff(definitions, batch.lines)
        : definitions.find((candidate) => candidate.source === batch.source);
    this.parser = definition?.createParser({
      stream: batch.stream,
      timeZone: batch.timeZone ?? 'UTC',
    });
    this.sharedOrigin = {
      stream: batch.stream,
      ...(batch.file === undefined ? {} : { file: batch.file }),
      ...(batch.logGroup === undefined ? {} : { logGroup: batch.logGroup }),
    };
    this.idPrefix = `${batch.logGroup ?? batch.file ?? ''}:${batch.stream}:`;
    if (batch.previousTime !== undefined) this.lastTime = batch.previousTime;
    if (this.parser === undefined) {
      // A format no parser recognises: every line is counted, none reaches the rules.
      const lines = batch.lines.filter((line) => !isBlank(line.text)).length;
      counts.events += lines;
      counts.unclassified += lines;
      this.index = batch.lines.length;
    }
    this.head = this.parseNext();
    this.headTime = this.head?.orderTime ?? 0;
  }

  /** Returns the head event and parses the one after it. */
  advance(): PipelineEvent | undefined {
    const current = this.head;
    this.head = this.parseNext();
    this.headTime = this.head?.orderTime ?? 0;
    return current;
  }

  private parseNext(): PipelineEvent | undefined {
    const { parser, counts } = this;
    const lines = this.batch.lines;
    if (parser === undefined) return undefined;
    while (this.index < lines.length) {
      const index = this.index++;
      const raw = lines[index] as RawLine;
      const text = raw.text;
      if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) continue;
      counts.events++;
      const id = raw.eventId ?? `${this.idPrefix}${raw.line ?? index}`;
      const context: { eventId: string; timestamp?: number; origin: EventOrigin } = {
        eventId: id,
        origin:
          raw.line === undefined ? this.sharedOrigin : { ...this.sharedOrigin, line: raw.line },
      };
      if (raw.timestamp !== undefined) context.timestamp = raw.timestamp;
      let event = parser.parse(text, context);
      if (event.id !== id) event = { ...event, id };
      if (event.time === null && this.lastTime !== null) event = { ...event, time: this.lastTime };
      if (event.time !== null) this.lastTime = event.time;
      let perSource = this.lastPerSource;
      if (event.source !== this.lastSource || perSource === undefined) {
        perSource = counts.byCategory.get(event.source);
        if (perSource === undefined) {
          perSource = new Map();
          counts.byCategory.set(event.source, perSource);
        }
        this.lastSource = event.source;
        this.lastPerSource = perSource;
      }
      perSource.set(event.category, (perSource.get(event.category) ?? 0) + 1);
      if (event.category === 'unclassified') counts.unclassified++;
      if (event.category === 'malformed') counts.malformed++;
      return {
        event,
        stream: this.streamIndex,
        orderTime: this.lastTime ?? Number.NEGATIVE_INFINITY,
      };
    }
    return undefined;
  }
}

/**
 * Merges the streams' events in timestamp order: a k-way merge on
 * (time, batch index) over lazily parsed streams, so each stream keeps its
 * own order and ties are stable.
 */
class TimeOrderedEvents {
  private readonly heap: StreamCursor[] = [];

  constructor(cursors: readonly StreamCursor[]) {
    for (const cursor of cursors) if (cursor.head !== undefined) this.heap.push(cursor);
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** The next event in merged order, or undefined when every stream is done. */
  next(): PipelineEvent | undefined {
    const top = this.heap[0];
    if (top === undefined) return undefined;
    const event = top.advance();
    if (top.head === undefined) {
      const last = this.heap.pop() as StreamCursor;
      if (this.heap.length > 0) this.heap[0] = last;
    }
    this.siftDown(0);
    return event;
  }

  private static before(a: StreamCursor, b: StreamCursor): boolean {
    return a.headTime < b.headTime || (a.headTime === b.headTime && a.streamIndex < b.streamIndex);
  }

  private siftDown(from: number): void {
    const heap = this.heap;
    const size = heap.length;
    if (size === 0) return;
    let i = from;
    const item = heap[i] as StreamCursor;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      const child =
        right < size &&
        TimeOrderedEvents.before(heap[right] as StreamCursor, heap[left] as StreamCursor)
          ? right
          : left;
      if (!TimeOrderedEvents.before(heap[child] as StreamCursor, item)) break;
      heap[i] = heap[child] as StreamCursor;
      i = child;
    }
    heap[i] = item;
  }
}

/** One declared key during an attempt: what was loaded and what it is now. */
interface Slot {
  readonly loaded: Versioned | undefined;
  present: boolean;
  value: unknown;
  expiresAt: number | undefined;
  dirty: boolean;
}

/** A `StateView` over the values loaded for one attempt; records what changed. */
class AttemptState implements StateView {
  private readonly slots = new Map<string, Slot>();
  /** Event time (ms) against which `expiresAt` is judged; null = do not hide. */
  clock: number | null = null;

  constructor(keys: readonly string[], loaded: ReadonlyMap<string, Versioned>) {
    for (const key of keys) {
      const entry = loaded.get(key);
      this.slots.set(key, {
        loaded: entry,
        present: entry !== undefined,
        value: entry?.value,
        expiresAt:
          entry?.expiresAt === undefined ? undefined : entry.expiresAt - LATE_ARRIVAL_GRACE_MS,
        dirty: false,
      });
    }
  }

  private slot(key: string): Slot {
    const slot = this.slots.get(key);
    if (slot === undefined) {
      throw new Error(`state key "${key}" was used by a rule but not returned by its keys()`);
    }
    return slot;
  }

  get<T>(key: string): T | undefined {
    const slot = this.slot(key);
    if (!slot.present) return undefined;
    if (slot.expiresAt !== undefined && this.clock !== null && slot.expiresAt <= this.clock) {
      return undefined;
    }
    return slot.value as T;
  }

  set<T>(key: string, value: T, expiresAt?: number): void {
    const slot = this.slot(key);
    slot.present = true;
    slot.value = value;
    slot.expiresAt = expiresAt;
    slot.dirty = true;
  }

  delete(key: string): void {
    const slot = this.slot(key);
    slot.present = false;
    slot.value = undefined;
    slot.expiresAt = undefined;
    slot.dirty = true;
  }

  /** The conditional writes of every key whose value or expiry changed, in key order. */
  writes(): StateWrite[] {
    const writes: StateWrite[] = [];
    for (const [key, slot] of this.slots) {
      if (!slot.dirty) continue;
      const before = slot.loaded;
      const expectedVersion = before?.version ?? 0;
      if (!slot.present) {
        if (before !== undefined) writes.push({ key, value: null, expectedVersion });
        continue;
      }
      const storedExpiresAt =
        slot.expiresAt === undefined ? undefined : slot.expiresAt + LATE_ARRIVAL_GRACE_MS;
      if (
        before !== undefined &&
        before.expiresAt === storedExpiresAt &&
        (before.value === slot.value || JSON.stringify(before.value) === JSON.stringify(slot.value))
      ) {
        continue;
      }
      writes.push({
        key,
        value: slot.value,
        expectedVersion,
        ...(storedExpiresAt === undefined ? {} : { expiresAt: storedExpiresAt }),
      });
    }
    return writes;
  }
}

/**
 * The processed-event record of one stream during an attempt. Ids are hashed
 * only when needed: to compare an event with stored ones it could repeat
 * (its time is within the stored span), and to store the ids kept.
 */
class ProcessedStream {
  /** Stored: event id hash → time (ms). */
  private readonly stored = new Map<number, number>();
  /** Newest stored time (ms); an event after it cannot repeat a stored one. */
  private readonly storedNewest: number;
  /** Ids processed in this attempt, for a stream given in more than one batch. */
  private readonly freshIds: Set<string> | undefined;
  /** Processed in this attempt: ids and times (ms), same order. */
  private readonly freshIdList: string[] = [];
  private readonly freshTimes: number[] = [];
  private readonly floor: number | null;

  /**
   * `repeatedStream`: the stream appears in more than one batch of the call,
   * so the same event may come twice within it (a file given twice).
   */
  constructor(record: ProcessedRecord | undefined, repeatedStream: boolean) {
    this.freshIds = repeatedStream ? new Set() : undefined;
    this.floor = record?.floor ?? null;
    const ids = record?.ids ?? [];
    const times = record?.times ?? [];
    let newest = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < ids.length; i++) {
      const time = times[i] as number;
      this.stored.set(ids[i] as number, time);
      if (time > newest) newest = time;
    }
    this.storedNewest = newest;
  }

  /** True when the event was processed before; else records it. */
  check(id: string, time: number): boolean {
    if (this.floor !== null && time <= this.floor) return true;
    if (time <= this.storedNewest && this.stored.has(eventIdHash(id))) return true;
    if (this.freshIds !== undefined) {
      if (this.freshIds.has(id)) return true;
      this.freshIds.add(id);
    }
    this.freshIdList.push(id);
    this.freshTimes.push(time);
    return false;
  }

  /** The bounded record to store, or undefined when nothing new was processed. */
  record(): ProcessedRecord | undefined {
    const freshCount = this.freshIdList.length;
    if (freshCount === 0) return undefined;
    let newest = this.storedNewest;
    for (const time of this.freshTimes) if (time > newest) newest = time;
    let floor = this.floor;
    const raise = (to: number): void => {
      if (Number.isFinite(to) && (floor === null || to > floor)) floor = to;
    };
    const cutoff = newest - PROCESSED_WINDOW_MS;
    let entries: [number, number][] = [];
    let dropped = false;
    for (const [hash, time] of this.stored) {
      if (time > cutoff) entries.push([hash, time]);
      else dropped = true;
    }
    for (let i = 0; i < freshCount; i++) {
      const time = this.freshTimes[i] as number;
      if (time > cutoff) entries.push([eventIdHash(this.freshIdList[i] as string), time]);
      else dropped = true;
    }
    if (dropped) raise(cutoff);
    if (entries.length > PROCESSED_MAX_IDS) {
      entries.sort((a, b) => a[1] - b[1]);
      const newestDropped = entries[entries.length - PROCESSED_MAX_IDS - 1];
      if (newestDropped !== undefined) raise(newestDropped[1]);
      const limit = floor;
      entries = entries.filter(([, time]) => limit === null || time > limit);
    }
    return { floor, ids: entries.map(([hash]) => hash), times: entries.map(([, time]) => time) };
  }
}

/** Parses, runs every rule, commits state; deterministic and idempotent. */
export async function runPipeline(
  batches: readonly StreamBatch[],
  options: PipelineOptions,
): Promise<PipelineResult> {
  const definitions = options.sources ?? SOURCE_DEFINITIONS;
  const counts: ParseCounts = {
    events: 0,
    unclassified: 0,
    malformed: 0,
    byCategory: new Map(),
  };
  const cursors = batches.map(
    (batch, index) => new StreamCursor(batch, index, definitions, counts),
  );
  const ordered: PipelineEvent[] = [];
  if (cursors.length === 1) {
    // One stream (the Lambda's case) is already in order: no merge.
    const cursor = cursors[0] as StreamCursor;
    for (let next = cursor.advance(); next !== undefined; next = cursor.advance())
      ordered.push(next);
  } else {
    const merged = new TimeOrderedEvents(cursors);
    for (let next = merged.next(); next !== undefined; next = merged.next()) ordered.push(next);
  }
  if (options.onEvent !== undefined) for (const { event } of ordered) options.onEvent(event);
  const committed = await commitBatch(ordered, batches.map(streamKey), options);
  return {
    alerts: committed.alerts,
    events: counts.events,
    byCategory: Object.fromEntries(
      [...counts.byCategory].map(([source, categories]) => [
        source,
        Object.fromEntries(categories),
      ]),
    ),
    unclassified: counts.unclassified,
    malformed: counts.malformed,
    suppressed: committed.suppressed,
    duplicates: committed.duplicates,
    conflicts: committed.conflicts,
  };
}

/**
 * The events in merged order: gathers every key they may touch,
 * reads them with one `getMany`, applies the rules, commits with one
 * `putMany`; on a conflict re-reads and re-applies (bounded).
 */
async function commitBatch(
  ordered: readonly PipelineEvent[],
  streamKeys: readonly string[],
  options: PipelineOptions,
): Promise<AttemptResult & { readonly conflicts: number }> {
  const rules = options.rules ?? ALL_RULES;
  const now = options.now ?? Date.now;
  const maxRetries = options.maxConflictRetries ?? DEFAULT_MAX_CONFLICT_RETRIES;
  const relevant = rulesByCategory(rules);
  const declared = new Set<string>();
  let lastStream = -1;
  for (const { event, stream } of ordered) {
    if (stream !== lastStream) {
      declared.add(streamKeys[stream] as string);
      lastStream = stream;
    }
    const duplicateKey = event.fields.duplicateKey;
    if (duplicateKey !== undefined) declared.add(duplicateKeyOf(event.source, duplicateKey));
    if (event.category === 'malformed') continue;
    for (const rule of relevant.get(event.category) ?? rules) {
      for (const key of rule.keys(event)) declared.add(key);
    }
  }
  const keyList = [...declared].sort();

  let conflicts = 0;
  for (;;) {
    const loaded = await options.store.getMany(keyList);
    const attempt = applyBatch(ordered, streamKeys, rules, keyList, loaded, options.config, now());
    const writes = [...attempt.writes, ...(options.extraWrites?.(attempt.alerts) ?? [])];
    try {
      if (writes.length > 0) await options.store.putMany(writes);
    } catch (error) {
      if (!(error instanceof StateConflictError)) throw error;
      conflicts++;
      if (conflicts > maxRetries) throw new StateConflictRetriesExhaustedError(conflicts, error);
      continue;
    }
    return { ...attempt, conflicts };
  }
}

function duplicateKeyOf(source: Source, duplicateKey: string): string {
  return `pipeline:duplicate:${source}:${keyPart(duplicateKey)}`;
}

interface AttemptResult {
  readonly alerts: Alert[];
  readonly writes: StateWrite[];
  readonly suppressed: Record<SuppressionReason, number>;
  readonly duplicates: number;
}

/** One attempt: applies every event to the loaded state; no I/O. */
function applyBatch(
  ordered: readonly PipelineEvent[],
  streamKeys: readonly string[],
  rules: readonly Rule[],
  keyList: readonly string[],
  loaded: ReadonlyMap<string, Versioned>,
  config: RulesConfig,
  now: number,
): AttemptResult {
  const state = new AttemptState(keyList, loaded);
  const alerts: Alert[] = [];
  const alertIds = new Set<string>();
  const suppressed: Record<SuppressionReason, number> = { cooldown: 0, dedup: 0, folded: 0 };
  let duplicates = 0;
  const context: RuleContext = {
    state,
    config,
    emit(draft: AlertDraft) {
      const alert = renderAlert(draft);
      if (alertIds.has(alert.id)) {
        suppressed.dedup++;
        return;
      }
      alertIds.add(alert.id);
      alerts.push(alert);
    },
    suppressed(_rule: RuleId, reason: SuppressionReason) {
      suppressed[reason]++;
    },
  };
  const relevant = rulesByCategory(rules);
  const seenStreams = new Set<string>();
  const repeated = new Set<string>();
  for (const key of streamKeys) {
    if (seenStreams.has(key)) repeated.add(key);
    seenStreams.add(key);
  }
  const processed = new Map<string, ProcessedStream>();
  let lastStream = -1;
  let record: ProcessedStream | undefined;
  for (const { event, stream, orderTime } of ordered) {
    state.clock = null;
    if (stream !== lastStream || record === undefined) {
      const streamKey = streamKeys[stream] as string;
      record = processed.get(streamKey);
      if (record === undefined) {
        record = new ProcessedStream(
          state.get<ProcessedRecord>(streamKey),
          repeated.has(streamKey),
        );
        processed.set(streamKey, record);
      }
      lastStream = stream;
    }
    if (record.check(event.id, Number.isFinite(orderTime) ? orderTime : 0)) {
      duplicates++;
      continue;
    }
    const duplicateKey = event.fields.duplicateKey;
    if (duplicateKey !== undefined) {
      const key = duplicateKeyOf(event.source, duplicateKey);
      if (state.get(key) !== undefined) {
        duplicates++;
        continue;
      }
      state.set(key, { eventId: event.id }, Math.max(now, event.time ?? now) + BOOKKEEPING_TTL_MS);
    }
    // Unclassified records still carry tunnel phase states (the tunnel rules need them).
    if (event.category === 'malformed') continue;
    state.clock = event.time;
    for (const rule of relevant.get(event.category) ?? rules) rule.apply(event, context);
  }
  state.clock = null;
  for (const [streamKey, record] of processed) {
    const value = record.record();
    if (value !== undefined) state.set(streamKey, value, now + BOOKKEEPING_TTL_MS);
  }
  return { alerts, writes: state.writes(), suppressed, duplicates };
}
