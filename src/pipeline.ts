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
import { ALL_RULES } from './rules/index.ts';
import type { AlertDraft, Rule, RuleContext, StateView } from './rules/rule.ts';
import { keyPart } from './rules/threshold.ts';
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

/** The stored record of the events processed in one stream. */
interface ProcessedRecord {
  /** Every event at or before this time (ms) counts as processed; null = none forgotten yet. */
  readonly floor: number | null;
  /** `[eventIdHash, time ms]` of the events processed after `floor` (`eventIdHash`). */
  readonly seen: readonly (readonly [string, number])[];
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
 * A 53-bit hash of an event id in base 36 (at most 11 characters): keeps the
 * processed-event record small whatever the id length (CloudWatch ids have 56
 * digits). cyrb53 (public domain); at the 1,000 ids kept per stream the
 * chance of a collision is about 1 in 10^10.
 */
export function eventIdHash(id: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < id.length; i++) {
    const ch = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** A stream's bookkeeping key. */
function streamKey(batch: StreamBatch): string {
  return `pipeline:stream:${keyPart(batch.logGroup ?? batch.file ?? '')}:${keyPart(batch.stream)}`;
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

interface Parsed {
  /** Per batch, its events in stream order. */
  readonly perBatch: readonly (readonly PipelineEvent[])[];
  readonly events: number;
  readonly byCategory: Partial<Record<Source, Partial<Record<Category, number>>>>;
  readonly unclassified: number;
  readonly malformed: number;
}

function parseBatches(
  batches: readonly StreamBatch[],
  definitions: readonly SourceDefinition[],
): Parsed {
  const byCategory: Partial<Record<Source, Partial<Record<Category, number>>>> = {};
  let events = 0;
  let unclassified = 0;
  let malformed = 0;
  const perBatch = batches.map((batch, streamIndex) => {
    const definition =
      batch.source === 'auto'
        ? sniff(definitions, batch.lines)
        : definitions.find((candidate) => candidate.source === batch.source);
    const parser: StreamParser | undefined = definition?.createParser({
      stream: batch.stream,
      timeZone: batch.timeZone ?? 'UTC',
    });
    const out: PipelineEvent[] = [];
    let lastTime: number | null = null;
    batch.lines.forEach((raw, index) => {
      if (raw.text.trim() === '') return;
      events++;
      if (parser === undefined) {
        unclassified++;
        return;
      }
      const id =
        raw.eventId ?? `${batch.logGroup ?? batch.file ?? ''}:${batch.stream}:${raw.line ?? index}`;
      let event = parser.parse(raw.text, {
        eventId: id,
        ...(raw.timestamp === undefined ? {} : { timestamp: raw.timestamp }),
        origin: {
          stream: batch.stream,
          ...(batch.file === undefined ? {} : { file: batch.file }),
          ...(raw.line === undefined ? {} : { line: raw.line }),
          ...(batch.logGroup === undefined ? {} : { logGroup: batch.logGroup }),
        },
      });
      if (event.id !== id) event = { ...event, id };
      if (event.time === null && lastTime !== null) event = { ...event, time: lastTime };
      if (event.time !== null) lastTime = event.time;
      const perSource = byCategory[event.source] ?? {};
      byCategory[event.source] = perSource;
      perSource[event.category] = (perSource[event.category] ?? 0) + 1;
      if (event.category === 'unclassified') unclassified++;
      if (event.category === 'malformed') malformed++;
      out.push({ event, stream: streamIndex, orderTime: lastTime ?? Number.NEGATIVE_INFINITY });
    });
    return out;
  });
  return { perBatch, events, byCategory, unclassified, malformed };
}

/**
 * Merges the batches' events in timestamp order: a k-way merge on
 * (time, batch index), so each stream keeps its own order and ties are stable.
 */
function mergeByTime(perBatch: readonly (readonly PipelineEvent[])[]): PipelineEvent[] {
  const nonEmpty = perBatch.filter((events) => events.length > 0);
  if (nonEmpty.length <= 1) return [...(nonEmpty[0] ?? [])];
  const merged: PipelineEvent[] = [];
  // Binary min-heap of [batch index, position].
  const heap: [number, number][] = [];
  const before = (a: [number, number], b: [number, number]): boolean => {
    const ea = perBatch[a[0]]?.[a[1]];
    const eb = perBatch[b[0]]?.[b[1]];
    if (ea === undefined || eb === undefined) return ea !== undefined;
    return ea.orderTime < eb.orderTime || (ea.orderTime === eb.orderTime && a[0] < b[0]);
  };
  const swap = (i: number, j: number): void => {
    const a = heap[i];
    const b = heap[j];
    if (a === undefined || b === undefined) return;
    heap[i] = b;
    heap[j] = a;
  };
  const push = (item: [number, number]): void => {
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as [number, number], heap[parent] as [number, number])) break;
      swap(i, parent);
      i = parent;
    }
  };
  const pop = (): [number, number] | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (
          left < heap.length &&
          before(heap[left] as [number, number], heap[smallest] as [number, number])
        )
          smallest = left;
        if (
          right < heap.length &&
          before(heap[right] as [number, number], heap[smallest] as [number, number])
        )
          smallest = right;
        if (smallest === i) break;
        swap(i, smallest);
        i = smallest;
      }
    }
    return top;
  };
  perBatch.forEach((events, index) => {
    if (events.length > 0) push([index, 0]);
  });
  for (let next = pop(); next !== undefined; next = pop()) {
    const [batch, position] = next;
    const events = perBatch[batch] ?? [];
    const item = events[position];
    if (item !== undefined) merged.push(item);
    if (position + 1 < events.length) push([batch, position + 1]);
  }
  return merged;
}

/** A `StateView` over the values loaded for one attempt; records what changed. */
class AttemptState implements StateView {
  private readonly current = new Map<string, { value: unknown; expiresAt?: number } | null>();
  private readonly dirty = new Set<string>();
  /** Event time (ms) against which `expiresAt` is judged; null = do not hide. */
  clock: number | null = null;

  constructor(
    private readonly loaded: ReadonlyMap<string, Versioned>,
    private readonly declared: ReadonlySet<string>,
  ) {}

  private check(key: string): void {
    if (!this.declared.has(key)) {
      throw new Error(`state key "${key}" was used by a rule but not returned by its keys()`);
    }
  }

  private entry(key: string): { value: unknown; expiresAt?: number } | null | undefined {
    return this.current.has(key) ? this.current.get(key) : this.loaded.get(key);
  }

  get<T>(key: string): T | undefined {
    this.check(key);
    const entry = this.entry(key);
    if (entry === undefined || entry === null) return undefined;
    if (entry.expiresAt !== undefined && this.clock !== null && entry.expiresAt <= this.clock) {
      return undefined;
    }
    return entry.value as T;
  }

  set<T>(key: string, value: T, expiresAt?: number): void {
    this.check(key);
    this.current.set(key, expiresAt === undefined ? { value } : { value, expiresAt });
    this.dirty.add(key);
  }

  delete(key: string): void {
    this.check(key);
    this.current.set(key, null);
    this.dirty.add(key);
  }

  /** The conditional writes of every key whose value or expiry changed. */
  writes(): StateWrite[] {
    const writes: StateWrite[] = [];
    for (const key of [...this.dirty].sort()) {
      const before = this.loaded.get(key);
      const after = this.current.get(key) ?? null;
      const expectedVersion = before?.version ?? 0;
      if (after === null) {
        if (before !== undefined) writes.push({ key, value: null, expectedVersion });
        continue;
      }
      if (
        before !== undefined &&
        before.expiresAt === after.expiresAt &&
        JSON.stringify(before.value) === JSON.stringify(after.value)
      ) {
        continue;
      }
      writes.push({
        key,
        value: after.value,
        expectedVersion,
        ...(after.expiresAt === undefined ? {} : { expiresAt: after.expiresAt }),
      });
    }
    return writes;
  }
}

/** The processed-event record of one stream during an attempt. */
class ProcessedStream {
  private readonly seen: Map<string, number>;
  private floor: number | null;
  private changed = false;

  constructor(record: ProcessedRecord | undefined) {
    this.floor = record?.floor ?? null;
    this.seen = new Map(record?.seen ?? []);
  }

  /** True when the event was processed before; else records it. */
  check(id: string, time: number): boolean {
    const hash = eventIdHash(id);
    if (this.seen.has(hash)) return true;
    if (this.floor !== null && time <= this.floor) return true;
    this.seen.set(hash, time);
    this.changed = true;
    return false;
  }

  /** The bounded record to store, or undefined when nothing new was processed. */
  record(): ProcessedRecord | undefined {
    if (!this.changed) return undefined;
    let newest = Number.NEGATIVE_INFINITY;
    for (const time of this.seen.values()) newest = Math.max(newest, time);
    let floor = this.floor;
    const cutoff = newest - PROCESSED_WINDOW_MS;
    const raise = (to: number): void => {
      if (Number.isFinite(to) && (floor === null || to > floor)) floor = to;
    };
    let entries = [...this.seen].filter(([, time]) => time > cutoff);
    if (entries.length < this.seen.size) raise(cutoff);
    if (entries.length > PROCESSED_MAX_IDS) {
      entries.sort((a, b) => a[1] - b[1]);
      const dropped = entries[entries.length - PROCESSED_MAX_IDS - 1];
      if (dropped !== undefined) raise(dropped[1]);
      const limit = floor;
      entries = entries.filter(([, time]) => limit === null || time > limit);
    }
    return { floor, seen: entries };
  }
}

/** Parses, runs every rule, commits state; deterministic and idempotent. */
export async function runPipeline(
  batches: readonly StreamBatch[],
  options: PipelineOptions,
): Promise<PipelineResult> {
  const rules = options.rules ?? ALL_RULES;
  const now = options.now ?? Date.now;
  const maxRetries = options.maxConflictRetries ?? DEFAULT_MAX_CONFLICT_RETRIES;
  const parsed = parseBatches(batches, options.sources ?? SOURCE_DEFINITIONS);
  const ordered = mergeByTime(parsed.perBatch);
  const streamKeys = batches.map(streamKey);

  // Every key any event may touch: one getMany per attempt.
  const declared = new Set<string>();
  for (const { event, stream } of ordered) {
    declared.add(streamKeys[stream] as string);
    const duplicateKey = event.fields.duplicateKey;
    if (duplicateKey !== undefined) declared.add(duplicateKeyOf(event.source, duplicateKey));
    for (const rule of rules) for (const key of rule.keys(event)) declared.add(key);
  }
  const keyList = [...declared].sort();

  let conflicts = 0;
  for (;;) {
    const loaded =
      keyList.length === 0 ? new Map<string, Versioned>() : await options.store.getMany(keyList);
    const attempt = applyBatch(ordered, streamKeys, rules, loaded, declared, options.config, now());
    const writes = [...attempt.writes, ...(options.extraWrites?.(attempt.alerts) ?? [])];
    try {
      if (writes.length > 0) await options.store.putMany(writes);
    } catch (error) {
      if (!(error instanceof StateConflictError)) throw error;
      conflicts++;
      if (conflicts > maxRetries) throw new StateConflictRetriesExhaustedError(conflicts, error);
      continue;
    }
    return {
      alerts: attempt.alerts,
      events: parsed.events,
      byCategory: parsed.byCategory,
      unclassified: parsed.unclassified,
      malformed: parsed.malformed,
      suppressed: attempt.suppressed,
      duplicates: attempt.duplicates,
      conflicts,
    };
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
  loaded: ReadonlyMap<string, Versioned>,
  declared: ReadonlySet<string>,
  config: RulesConfig,
  now: number,
): AttemptResult {
  const state = new AttemptState(loaded, declared);
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
  const processed = new Map<string, ProcessedStream>();
  for (const { event, stream, orderTime } of ordered) {
    state.clock = null;
    const streamKey = streamKeys[stream] as string;
    let record = processed.get(streamKey);
    if (record === undefined) {
      record = new ProcessedStream(state.get<ProcessedRecord>(streamKey));
      processed.set(streamKey, record);
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
    for (const rule of rules) rule.apply(event, context);
  }
  state.clock = null;
  for (const [streamKey, record] of processed) {
    const value = record.record();
    if (value !== undefined) state.set(streamKey, value, now + BOOKKEEPING_TTL_MS);
  }
  return { alerts, writes: state.writes(), suppressed, duplicates };
}
