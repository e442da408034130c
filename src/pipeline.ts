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
  type CorrelationMemory,
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
import { eventIdHash } from './rules/id-hash.ts';
import { ALL_RULES } from './rules/index.ts';
import { keyPart } from './rules/key-part.ts';
import type { AlertDraft, Rule, RuleContext, StateView } from './rules/rule.ts';

export { eventIdHash } from './rules/id-hash.ts';

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
  /**
   * The AWS account that owns the log group, when it is not the account the
   * pipeline runs in (multi-account ingestion). Part of the stream's identity:
   * two accounts' streams of the same group and name keep separate state.
   * Absent, every key is the single-account one.
   */
  readonly account?: string;
  /**
   * The AWS region of the log group, when known (shown on alerts). Part of
   * the identity of another account's stream (with `account`), never of the
   * pipeline's own account's streams.
   */
  readonly region?: string;
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
  /** @default DEFAULT_LATENESS_MS (24 hours) */
  readonly latenessMs?: number;
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
  /**
   * Events that came later than the lateness bound behind their stream's
   * newest event: parsed and counted, not judged by the rules.
   */
  readonly late: number;
}

/**
 * A rule's view of the state for another account's events: every key under
 * that account's `ownerScope` (rule keys never start with `account:`), so
 * accounts whose servers, users or streams share names keep separate counts,
 * cooldowns and incidents. Alert keys and ids are the rules' own, unscoped.
 */
class ScopedState implements StateView {
  constructor(
    private readonly state: StateView,
    private readonly scope: string,
  ) {}

  get<T>(key: string): T | undefined {
    return this.state.get<T>(this.scope + key);
  }

  set<T>(key: string, value: T, expiresAt?: number): void {
    this.state.set(this.scope + key, value, expiresAt);
  }

  delete(key: string): void {
    this.state.delete(this.scope + key);
  }
}

/** The rule context of an event: `context` itself for the own account's, else one per `ownerScope`. */
function scopedContexts(context: RuleContext): (event: VpnEvent) => RuleContext {
  const scoped = new Map<string, RuleContext>();
  return (event) => {
    const scope = ownerScope(event.origin);
    if (scope === '') return context;
    let found = scoped.get(scope);
    if (found === undefined) {
      found = { ...context, state: new ScopedState(context.state, scope) };
      scoped.set(scope, found);
    }
    return found;
  };
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
/**
 * The lateness bound (ms): how far behind the newest event of its stream an
 * event may arrive and still be judged by the rules. Every processed event id
 * within it is remembered (in time buckets), so a redelivery raises nothing
 * and a late event is never mistaken for a redelivery. An event older than
 * this is still parsed and counted (`PipelineResult.late`) but not judged.
 */
export const DEFAULT_LATENESS_MS = 24 * 60 * 60_000;
/** Event-time width (ms) of one bucket of remembered event ids. */
export const SEEN_BUCKET_MS = 10 * 60_000;
/**
 * Most ids remembered per stream and bucket (360 KB, under DynamoDB's 400 KB
 * item limit): past 40,000 lines in 10 minutes of one stream the oldest ids
 * of the bucket are forgotten, and a redelivery of those lines is judged
 * again (the rules' cooldowns still hold its alerts back).
 */
export const MAX_SEEN_PER_BUCKET = 40_000;
/** How long (ms, wall clock) a stream's head and a duplicateKey are kept. */
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

/** The stored head of one stream: the newest event time seen (ms). */
interface StreamHead {
  readonly newest: number;
}

/**
 * The stored ids of the events processed in one stream and time bucket: each
 * `eventIdHash` as 9 base64url characters, oldest first, in one string (about
 * 9 bytes per event in DynamoDB).
 */
interface SeenBucket {
  readonly ids: string;
}

const HASH_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const HASH_WIDTH = 9;
const DIGIT_VALUES = new Map([...HASH_DIGITS].map((digit, value) => [digit.charCodeAt(0), value]));

const DIGIT_CODES = [...HASH_DIGITS].map((digit) => digit.charCodeAt(0));
const codes = new Array<number>(HASH_WIDTH);

/** Appends the 9-character form of a 53-bit hash to `out`. */
function encodeHash(hash: number, out: string[]): void {
  let rest = hash;
  for (let i = HASH_WIDTH - 1; i >= 0; i--) {
    codes[i] = DIGIT_CODES[rest % 64] as number;
    rest = Math.floor(rest / 64);
  }
  out.push(String.fromCharCode(...codes));
}

/** The hashes of a stored bucket, oldest first (a malformed tail is ignored). */
function decodeHashes(ids: string | undefined): number[] {
  const hashes: number[] = [];
  if (typeof ids !== 'string') return hashes;
  for (let at = 0; at + HASH_WIDTH <= ids.length; at += HASH_WIDTH) {
    let hash = 0;
    for (let i = 0; i < HASH_WIDTH; i++)
      hash = hash * 64 + (DIGIT_VALUES.get(ids.charCodeAt(at + i)) ?? 0);
    hashes.push(hash);
  }
  return hashes;
}

/** One parsed event with what the pipeline needs to order and book it. */
interface PipelineEvent {
  readonly event: VpnEvent;
  /** Index into the stream list (bookkeeping key). */
  readonly stream: number;
  /** Time used for ordering and bookkeeping, ms (the previous line's when the line has none). */
  readonly orderTime: number;
  /** Earlier events this line completed (`CorrelationMemory.amend`), judged again after it. */
  readonly amended?: readonly VpnEvent[];
}

/**
 * The key prefix of another account's streams: `account:<account>:`, plus
 * `region:<region>:` when the region is known (one account may have log
 * groups of the same name in several regions); empty for the pipeline's own
 * account, so single-account keys are the same as before accounts were known
 * (no single-account key starts with `pipeline:account:`).
 */
function ownerScope(origin: { readonly account?: string; readonly region?: string }): string {
  if (origin.account === undefined) return '';
  const region = origin.region === undefined ? '' : `region:${keyPart(origin.region)}:`;
  return `account:${keyPart(origin.account)}:${region}`;
}

/**
 * A stream's bookkeeping key: `pipeline:stream:<group or file>:<stream>`,
 * after `ownerScope` for another account's stream.
 */
function streamKey(batch: StreamBatch): string {
  return `pipeline:${ownerScope(batch)}stream:${keyPart(batch.logGroup ?? batch.file ?? '')}:${keyPart(batch.stream)}`;
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

  /** The correlation memory the parser is given (scoped to this stream), if any. */
  private readonly correlation: CorrelationMemory | undefined;
  /** Events amended while the current line was parsed. */
  private amended: VpnEvent[] = [];

  constructor(
    private readonly batch: StreamBatch,
    readonly streamIndex: number,
    definitions: readonly SourceDefinition[],
    private readonly counts: ParseCounts,
    slots?: CorrelationSlots,
    streamKey?: string,
  ) {
    this.correlation =
      slots === undefined || streamKey === undefined
        ? undefined
        : slots.memoryFor(streamKey, (event) => this.amended.push(event));
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
      ...(batch.account === undefined ? {} : { account: batch.account }),
      ...(batch.region === undefined ? {} : { region: batch.region }),
    };
    // Ids of lines without their own (CloudWatch always gives one): another
    // account's stream of the same name must not make the same ids.
    this.idPrefix = `${ownerScope(batch)}${batch.logGroup ?? batch.file ?? ''}:${batch.stream}:`;
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
      const context: {
        eventId: string;
        timestamp?: number;
        origin: EventOrigin;
        correlation?: CorrelationMemory;
      } = {
        eventId: id,
        origin:
          raw.line === undefined ? this.sharedOrigin : { ...this.sharedOrigin, line: raw.line },
      };
      if (raw.timestamp !== undefined) context.timestamp = raw.timestamp;
      if (this.correlation !== undefined) context.correlation = this.correlation;
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
      const orderTime = this.lastTime ?? Number.NEGATIVE_INFINITY;
      if (this.amended.length === 0) return { event, stream: this.streamIndex, orderTime };
      const amended = this.amended;
      this.amended = [];
      return { event, stream: this.streamIndex, orderTime, amended };
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

/** The bucket of remembered ids an event of order time `time` (ms) belongs to. */
function seenBucketOf(time: number): number {
  return Number.isFinite(time) ? Math.floor(time / SEEN_BUCKET_MS) : 0;
}

/** The state key of one bucket of a stream's remembered event ids. */
function seenKeyOf(streamKey: string, bucket: number): string {
  return `${streamKey}:seen:${bucket}`;
}

/** Whether an event is new, a redelivery, or too late to be judged. */
type Verdict = 'new' | 'seen' | 'late';

/**
 * The processed events of one stream during an attempt: the ids remembered
 * in each time bucket the batch touches, and the stream's newest event time.
 * Every id within the lateness bound is remembered, so there is no
 * high-water mark below which a late event would pass for a redelivery.
 */
class ProcessedStream {
  private newest: number;
  private readonly loadedNewest: number;
  private readonly buckets = new Map<number, { readonly ids: Set<number>; fresh: number }>();

  constructor(
    private readonly key: string,
    private readonly state: AttemptState,
    private readonly latenessMs: number,
  ) {
    this.newest = state.get<StreamHead>(key)?.newest ?? Number.NEGATIVE_INFINITY;
    this.loadedNewest = this.newest;
  }

  /** Judges an event and, when it is new, records it as processed. */
  check(id: string, time: number): Verdict {
    if (Number.isFinite(time) && time < this.newest - this.latenessMs) return 'late';
    const number = seenBucketOf(time);
    let bucket = this.buckets.get(number);
    if (bucket === undefined) {
      const stored = this.state.get<SeenBucket>(seenKeyOf(this.key, number));
      bucket = { ids: new Set(decodeHashes(stored?.ids)), fresh: 0 };
      this.buckets.set(number, bucket);
    }
    const hash = eventIdHash(id);
    if (bucket.ids.has(hash)) return 'seen';
    bucket.ids.add(hash);
    bucket.fresh++;
    if (time > this.newest) this.newest = time;
    return 'new';
  }

  /** Stores the buckets that gained ids and the stream's head when it moved. */
  save(now: number): void {
    for (const [number, bucket] of this.buckets) {
      if (bucket.fresh === 0) continue;
      const end = (number + 1) * SEEN_BUCKET_MS;
      const kept = [...bucket.ids].slice(-MAX_SEEN_PER_BUCKET);
      const out: string[] = [];
      for (const hash of kept) encodeHash(hash, out);
      this.state.set<SeenBucket>(
        seenKeyOf(this.key, number),
        { ids: out.join('') },
        Math.max(now, end) + this.latenessMs,
      );
    }
    if (this.newest > this.loadedNewest) {
      // Kept a day past the wall clock, or past the newest event when the clock is event time (replays).
      const from = Math.max(now, this.newest);
      this.state.set<StreamHead>(this.key, { newest: this.newest }, from + BOOKKEEPING_TTL_MS);
    }
  }
}

/** Most parse passes per attempt that load correlation entries found missing. */
const MAX_CORRELATION_PASSES = 4;

/** The stream's events in merged order, with the counts gathered while parsing them. */
interface Parsed {
  readonly ordered: PipelineEvent[];
  readonly counts: ParseCounts;
}

function parseBatches(
  batches: readonly StreamBatch[],
  streamKeys: readonly string[],
  definitions: readonly SourceDefinition[],
  slots: CorrelationSlots,
): Parsed {
  const counts: ParseCounts = { events: 0, unclassified: 0, malformed: 0, byCategory: new Map() };
  const cursors = batches.map(
    (batch, index) => new StreamCursor(batch, index, definitions, counts, slots, streamKeys[index]),
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
  return { ordered, counts };
}

/**
 * Parses, runs every rule, commits state; deterministic and idempotent.
 *
 * One attempt: parse every stream with its correlation memory (entries the
 * parsers ask for are loaded, and the streams parsed again when some were
 * missing, unless the store reads synchronously), read every key the events
 * touch with one `getMany`, apply the rules, and commit the rule state, the
 * correlation entries and the bookkeeping with one `putMany`. On a conflict
 * the attempt starts again from fresh state (bounded).
 */
export async function runPipeline(
  batches: readonly StreamBatch[],
  options: PipelineOptions,
): Promise<PipelineResult> {
  const definitions = options.sources ?? SOURCE_DEFINITIONS;
  const streamKeys = batches.map(streamKey);
  const rules = options.rules ?? ALL_RULES;
  const now = options.now ?? Date.now;
  const maxRetries = options.maxConflictRetries ?? DEFAULT_MAX_CONFLICT_RETRIES;
  const { store } = options;
  const readNow = store.readNow?.bind(store);
  let conflicts = 0;
  for (;;) {
    const correlationLoaded = new Map<string, Versioned | undefined>();
    let slots = new CorrelationSlots(correlationLoaded, readNow);
    let parsed = parseBatches(batches, streamKeys, definitions, slots);
    for (let pass = 1; slots.misses.size > 0 && pass < MAX_CORRELATION_PASSES; pass++) {
      const missing = [...slots.misses];
      const found = await store.getMany(missing);
      for (const key of missing) correlationLoaded.set(key, found.get(key));
      slots = new CorrelationSlots(correlationLoaded, readNow);
      parsed = parseBatches(batches, streamKeys, definitions, slots);
    }
    const { ordered, counts } = parsed;
    const keyList = declaredKeys(ordered, streamKeys, rules);
    const loaded = await store.getMany(keyList);
    const attempt = applyBatch(ordered, streamKeys, rules, keyList, loaded, options, now());
    const writes = [
      ...attempt.writes,
      ...slots.writes(),
      ...(options.extraWrites?.(attempt.alerts) ?? []),
    ];
    try {
      if (writes.length > 0) await store.putMany(writes);
    } catch (error) {
      if (!(error instanceof StateConflictError)) throw error;
      conflicts++;
      if (conflicts > maxRetries) throw new StateConflictRetriesExhaustedError(conflicts, error);
      continue;
    }
    if (options.onEvent !== undefined) for (const { event } of ordered) options.onEvent(event);
    return {
      alerts: attempt.alerts,
      events: counts.events,
      byCategory: Object.fromEntries(
        [...counts.byCategory].map(([source, categories]) => [
          source,
          Object.fromEntries(categories),
        ]),
      ),
      unclassified: counts.unclassified,
      malformed: counts.malformed,
      suppressed: attempt.suppressed,
      duplicates: attempt.duplicates,
      conflicts,
      late: attempt.late,
    };
  }
}

/** Every key the events may touch: bookkeeping, duplicate keys and the rules' keys, sorted. */
function declaredKeys(
  ordered: readonly PipelineEvent[],
  streamKeys: readonly string[],
  rules: readonly Rule[],
): string[] {
  const relevant = rulesByCategory(rules);
  const declared = new Set<string>();
  // Each stream's last declared bucket: merged streams take turns, event by event.
  const lastBuckets = new Map<number, number>();
  const declareRules = (event: VpnEvent) => {
    const duplicateKey = event.fields.duplicateKey;
    if (duplicateKey !== undefined) declared.add(duplicateKeyOf(event, duplicateKey));
    if (event.category === 'malformed') return;
    const scope = ownerScope(event.origin);
    for (const rule of relevant.get(event.category) ?? rules) {
      for (const key of rule.keys(event)) declared.add(scope + key);
    }
  };
  for (const { event, stream, orderTime, amended } of ordered) {
    const bucket = seenBucketOf(orderTime);
    if (lastBuckets.get(stream) !== bucket) {
      const streamKey = streamKeys[stream] as string;
      declared.add(streamKey);
      declared.add(seenKeyOf(streamKey, bucket));
      lastBuckets.set(stream, bucket);
    }
    declareRules(event);
    if (amended !== undefined) for (const earlier of amended) declareRules(earlier);
  }
  return [...declared].sort();
}

/**
 * The correlation entries of one attempt: what the parsers read (loaded
 * before the pass, or read at once from a synchronous store) and wrote.
 * Keys are scoped to their stream: `<stream key>:corr:<parser's key>`.
 */
class CorrelationSlots {
  /** Keys a parser asked for that were not loaded: the pass must run again. */
  readonly misses = new Set<string>();
  private readonly slots = new Map<
    string,
    { value: unknown; present: boolean; expiresAt: number | undefined; dirty: boolean }
  >();

  constructor(
    private readonly loaded: Map<string, Versioned | undefined>,
    private readonly readNow: ((key: string) => Versioned | undefined) | undefined,
  ) {}

  memoryFor(streamKey: string, amend: (event: VpnEvent) => void): CorrelationMemory {
    const prefix = `${streamKey}:corr:`;
    return {
      get: <T>(key: string) => this.get(prefix + key) as T | undefined,
      set: (key, value, expiresAt) => this.set(prefix + key, value, expiresAt),
      delete: (key) => this.set(prefix + key, undefined, undefined),
      amend,
    };
  }

  private slot(key: string) {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      if (!this.loaded.has(key)) {
        if (this.readNow === undefined) this.misses.add(key);
        else this.loaded.set(key, this.readNow(key));
      }
      const entry = this.loaded.get(key);
      slot = {
        value: entry?.value,
        present: entry !== undefined,
        expiresAt: entry?.expiresAt,
        dirty: false,
      };
      this.slots.set(key, slot);
    }
    return slot;
  }

  private get(key: string): unknown {
    const slot = this.slot(key);
    return slot.present ? slot.value : undefined;
  }

  private set(key: string, value: unknown, expiresAt: number | undefined): void {
    const slot = this.slot(key);
    slot.present = value !== undefined;
    slot.value = value;
    slot.expiresAt = expiresAt === undefined ? undefined : expiresAt + LATE_ARRIVAL_GRACE_MS;
    slot.dirty = true;
  }

  /** The conditional writes of the entries that changed. */
  writes(): StateWrite[] {
    const writes: StateWrite[] = [];
    for (const [key, slot] of this.slots) {
      if (!slot.dirty) continue;
      const before = this.loaded.get(key);
      const expectedVersion = before?.version ?? 0;
      if (!slot.present) {
        if (before !== undefined) writes.push({ key, value: null, expectedVersion });
        continue;
      }
      writes.push({
        key,
        value: slot.value,
        expectedVersion,
        ...(slot.expiresAt === undefined ? {} : { expiresAt: slot.expiresAt }),
      });
    }
    return writes;
  }
}

/** What the pipeline remembers of the first copy of an event logged twice. */
interface DuplicateRecord {
  readonly eventId: string;
  readonly clientIp?: string;
  readonly user?: string;
}

function recordOf(eventId: string, event: VpnEvent): DuplicateRecord {
  const { clientIp, user } = event.fields;
  return {
    eventId,
    ...(clientIp === undefined ? {} : { clientIp }),
    ...(user === undefined ? {} : { user }),
  };
}

/**
 * The key of a `duplicateKey` (copies of one happening in several streams of
 * one server): `pipeline:duplicate:<source>:<key>`, scoped like `streamKey`
 * to another account's streams, whose servers may log the same line.
 */
function duplicateKeyOf(event: VpnEvent, duplicateKey: string): string {
  return `pipeline:${ownerScope(event.origin)}duplicate:${event.source}:${keyPart(duplicateKey)}`;
}

interface AttemptResult {
  readonly alerts: Alert[];
  readonly writes: StateWrite[];
  readonly suppressed: Record<SuppressionReason, number>;
  readonly duplicates: number;
  readonly late: number;
}

/** One attempt: applies every event to the loaded state; no I/O. */
function applyBatch(
  ordered: readonly PipelineEvent[],
  streamKeys: readonly string[],
  rules: readonly Rule[],
  keyList: readonly string[],
  loaded: ReadonlyMap<string, Versioned>,
  options: PipelineOptions,
  now: number,
): AttemptResult {
  const { config } = options;
  const latenessMs = options.latenessMs ?? DEFAULT_LATENESS_MS;
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
  const contextOf = scopedContexts(context);
  const relevant = rulesByCategory(rules);
  const processed = new Map<string, ProcessedStream>();
  let late = 0;
  let lastStream = -1;
  let record: ProcessedStream | undefined;
  for (const { event, stream, orderTime, amended } of ordered) {
    state.clock = null;
    if (stream !== lastStream || record === undefined) {
      const streamKey = streamKeys[stream] as string;
      record = processed.get(streamKey);
      if (record === undefined) {
        record = new ProcessedStream(streamKey, state, latenessMs);
        processed.set(streamKey, record);
      }
      lastStream = stream;
    }
    const verdict = record.check(event.id, orderTime);
    if (verdict === 'seen') {
      duplicates++;
      continue;
    }
    if (verdict === 'late') {
      late++;
      continue;
    }
    const duplicateKey = event.fields.duplicateKey;
    if (duplicateKey !== undefined) {
      const key = duplicateKeyOf(event, duplicateKey);
      const first = state.get<DuplicateRecord>(key);
      const expiresAt = Math.max(now, event.time ?? now) + BOOKKEEPING_TTL_MS;
      if (first !== undefined) {
        duplicates++;
        // A copy that names what the first judged copy did not (SoftEther's server
        // log knows the address its security log lacks): the first copy is judged
        // again with it.
        const { clientIp, user } = event.fields;
        const richer =
          (clientIp !== undefined && first.clientIp === undefined) ||
          (user !== undefined && first.user === undefined);
        if (richer && event.category !== 'malformed') {
          state.set<DuplicateRecord>(key, recordOf(first.eventId, event), expiresAt);
          const again: VpnEvent = { ...event, id: first.eventId };
          state.clock = again.time;
          for (const rule of relevant.get(again.category) ?? rules)
            rule.apply(again, contextOf(again));
        }
        continue;
      }
      state.set<DuplicateRecord>(key, recordOf(event.id, event), expiresAt);
    }
    // Unclassified records still carry tunnel phase states (the tunnel rules need them).
    if (event.category !== 'malformed') {
      state.clock = event.time;
      const scoped = contextOf(event);
      for (const rule of relevant.get(event.category) ?? rules) rule.apply(event, scoped);
    }
    for (const earlier of amended ?? []) {
      // Judged again with what a later line revealed; only the copy first judged counts.
      const key = earlier.fields.duplicateKey;
      const first =
        key === undefined ? undefined : state.get<DuplicateRecord>(duplicateKeyOf(earlier, key));
      if (first !== undefined && first.eventId !== earlier.id) continue;
      state.clock = earlier.time;
      const scoped = contextOf(earlier);
      for (const rule of relevant.get(earlier.category) ?? rules) rule.apply(earlier, scoped);
    }
  }
  state.clock = null;
  for (const record of processed.values()) record.save(now);
  return { alerts, writes: state.writes(), suppressed, duplicates, late };
}
