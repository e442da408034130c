/**
 * The import engine behind `tunnelwatch import`: reads log files stream by
 * stream with bounded memory, gives every line a timestamp, and sends each
 * line exactly once to where it can go: CloudWatch Logs, or the S3 archive for
 * lines older than CloudWatch Logs accepts (src/aws/s3-archive.ts).
 *
 * Exactly once, in any order of files and runs: the checkpoint keeps, per
 * destination and stream, the time ranges already imported with a digest of
 * the events each holds (src/aws/checkpoint.ts). A file is first surveyed: for
 * every range it touches, the count and digest of its own events there. Where
 * they match, the range holds those events already; where they do not (a file
 * that covers part of a range, or holds other lines), the destination is read
 * back over the overlap and only what it lacks is sent. Lines outside every
 * range are sent. Older files after newer ones, overlapping downloads and
 * repeated runs therefore add every line once.
 *
 * Across kills: before a batch is sent its range is written as `pending`; the
 * next run reads that range back before anything else and records what the
 * destination holds. A failed request is retried only with the events the
 * destination does not hold yet (read back after the failure).
 *
 * Sending is pipelined (PacketiX VPN manual §3.10.5): the reader fills the next batch
 * while the previous one is in flight; a full queue makes the reader wait.
 */
import { appendFile, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { readLines } from '../cli/input.ts';
import type { SourceChoice } from '../cli/options.ts';
import { isoTime, type SourceDefinition, type StreamParser } from '../model.ts';
import { sniffSource, sourceDefinition } from '../sources/index.ts';
import { backoffDelayMs } from './backoff.ts';
import {
  type BatchLimits,
  type LogEventBatch,
  type PendingEvent,
  PutLogEventsBatcher,
  SERVICE_LIMITS,
} from './batcher.ts';
import { BoundedQueue } from './bounded-queue.ts';
import {
  type CheckpointFile,
  type EventIdentity,
  eventIdentity,
  type ImportedRange,
  RangeDigest,
  RangeSet,
  type StreamCheckpoint,
} from './checkpoint.ts';
import {
  ensureLogStream,
  isRetryable,
  putEvents,
  type RejectReason,
  type RetryPolicy,
  readLogStream,
} from './cloudwatch-logs.ts';
import { splitMessage, utf8Bytes } from './continuation.ts';
import {
  compareFilesChronologically,
  importStreamName,
  type OrderedFile,
  readHeadLines,
} from './import-files.ts';
import { MAX_EVENT_AGE_MS, MAX_EVENT_FUTURE_MS } from './limits.ts';
import { LineClock } from './line-time.ts';
import type { ArchiveFields } from './s3-archive.ts';

/** Default rejects file, relative to the working directory. */
export const DEFAULT_REJECTS_PATH = '.tunnelwatch/import-rejects.ndjson';
/** Lines read at the head of each file to sniff its source and find its first time. */
const HEAD_LINES = 50;
/** Lines at the start of a stream held back while looking for the first timestamp. */
const LOOKAHEAD_LINES = 1000;
/** Sealed batches that may wait behind the one in flight. */
const DEFAULT_QUEUE_DEPTH = 2;
/** How far back in time a line may go within a file and still be surveyed with its range (ms). */
const DISORDER_MS = 10 * 60 * 1000;
/**
 * How long CloudWatch Logs may take before acknowledged events are readable
 * (ms): reading back waits this long after the last write.
 */
export const CLOUDWATCH_SETTLE_MS = 5000;
/** Keep lines this far inside the 14-day limit so that they are not too old by the time they arrive (ms). */
const AGE_MARGIN_MS = 10 * 60 * 1000;

/** Where imported events go: a log group, or the archive. */
export interface ImportDestination {
  /** The checkpoint key and the name in messages: the log group, or s3://bucket/prefix. */
  readonly name: string;
  readonly limits: BatchLimits;
  /** How long after a write its events may still be unreadable (ms). */
  readonly settleMs: number;
  /** True when it stores each line's parsed fields (`meta.fields` of the events it is given). */
  readonly describes?: boolean;
  /** Makes `stream` ready to receive events. */
  prepare(stream: string): Promise<void>;
  /** Stores `events` (time-ordered) in one request; returns the indexes it refused, with why. */
  write(
    stream: string,
    events: readonly PendingEvent<{ readonly fields?: ArchiveFields }>[],
  ): Promise<Map<number, RejectReason>>;
  /** Every event `stream` holds at a time in [start, end] (epoch ms, both inclusive). */
  read(
    stream: string,
    start: number,
    end: number,
  ): AsyncIterable<{ readonly timestamp: number; readonly message: string }>;
}

/** What to import. */
export interface ImportRequest {
  readonly logGroup: string;
  /** Files to import (directories already expanded). */
  readonly files: readonly string[];
  /** One stream for every file (`--stream`); else derived per file. */
  readonly stream?: string;
  readonly source: SourceChoice;
  /** IANA zone for local-time formats. */
  readonly timeZone: string;
  /**
   * Each file should overlap what the stream already holds (successive
   * "latest N lines" downloads): a file that starts after an imported range,
   * outside every range, is reported as a possible gap.
   */
  readonly expectOverlap?: boolean;
}

/** A step of sending one batch, where tests inject a crash. */
export type ImportStep = 'sealed' | 'pending-saved' | 'acknowledged' | 'rejects-written' | 'saved';

/** Collaborators and knobs of an import. */
export interface ImportEnvironment {
  readonly client: CloudWatchLogsClient;
  readonly checkpoints: CheckpointFile;
  /** NDJSON file that receives every line that could go nowhere, with its reason. */
  readonly rejectsPath: string;
  readonly retry: RetryPolicy;
  /** Destination of lines older than CloudWatch Logs accepts; without it they are rejected. */
  readonly archive?: ImportDestination;
  /** Epoch ms now; decides too old / too new. */
  readonly now?: () => number;
  /** Overrides the CloudWatch Logs read-after-write delay (ms); the emulator needs none. */
  readonly settleMs?: number;
  /** Aborting stops reading; the batch in flight is finished and checkpointed. */
  readonly signal?: AbortSignal;
  /** Called after each acknowledged batch and every few thousand lines. */
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Called with each acknowledged batch's figures. */
  readonly onBatch?: (batch: BatchFigures) => void;
  /** Called at each step of each batch (tests throw here to simulate a crash). */
  readonly onStep?: (step: ImportStep, batch: number, destination: string) => void;
  readonly limits?: BatchLimits;
  readonly queueDepth?: number;
}

/** Running counts, also the final summary's core. */
export interface ImportProgress {
  filesTotal: number;
  filesDone: number;
  /** Lines read, blank ones included. */
  lines: number;
  /** Bytes read (UTF-8, line ends counted as one byte). */
  bytes: number;
  /** Lines sent to CloudWatch Logs and acknowledged (a split line counts once). */
  imported: number;
  /** Lines sent to the archive and acknowledged. */
  archived: number;
  /** PutLogEvents events acknowledged (a split line counts once per part). */
  events: number;
  batches: number;
  /** Lines not sent because their destination holds them already. */
  alreadyImported: number;
  /** Events read back from a destination to find out what it holds. */
  readBack: number;
  /** Batches of a killed run whose outcome was read back at the start. */
  recovered: number;
  /** Blank lines (CloudWatch Logs cannot store an empty event). */
  blank: number;
  /** Lines longer than one event, sent as several marked parts. */
  split: number;
  /** Lines that could go nowhere (listed in the rejects file). */
  rejected: number;
  readonly rejectedByReason: Partial<Record<RejectReason, number>>;
  /** Epoch ms of the oldest and newest rejected line. */
  rejectedFirst: number | null;
  rejectedLast: number | null;
  /** Files that could not be read, with the reason. */
  readonly unreadable: string[];
  /** With `expectOverlap`: files that start after an imported range, outside every range (lines may be lost in between). */
  readonly gaps: { readonly file: string; readonly after: string; readonly firstLine: string }[];
  readonly startedAt: number;
}

/** Figures of one acknowledged request. */
export interface BatchFigures {
  readonly destination: string;
  readonly logStream: string;
  readonly events: number;
  readonly bytes: number;
  readonly reason: LogEventBatch<unknown>['reason'];
}

/** The outcome of `importLogs`. */
export interface ImportResult {
  readonly progress: ImportProgress;
  /** True when aborted before the end (rerun to resume). */
  readonly interrupted: boolean;
  /** Streams written, with their CloudWatch Logs checkpoint after the import. */
  readonly streams: readonly { readonly name: string; readonly checkpoint?: StreamCheckpoint }[];
  /** Mean fill of the PutLogEvents requests: events and bytes per request, and the binding fraction. */
  readonly fill: {
    readonly meanEvents: number;
    readonly meanBytes: number;
    readonly meanFraction: number;
  };
}

/** One line of the rejects file. */
interface RejectRecord {
  readonly logGroup: string;
  readonly logStream: string;
  readonly file: string;
  readonly line: number;
  readonly time: string;
  readonly reason: RejectReason;
  readonly message: string;
}

/** Bookkeeping carried with each event. */
interface EventMeta {
  readonly file: string;
  readonly line: number;
  /** True on the last (or only) part of a line. */
  readonly lastPart: boolean;
  readonly identity: EventIdentity;
  /** What the line parsed into, for a destination that `describes`. */
  readonly fields?: ArchiveFields;
}

type LineEvent = PendingEvent<EventMeta>;

/** A sealed batch plus what must be persisted once it is acknowledged. */
interface WorkUnit {
  readonly batch: LogEventBatch<EventMeta> | undefined;
  readonly localRejects: readonly RejectRecord[];
}

/** A file of a stream, opened enough to order it. */
interface PlannedFile extends OrderedFile {
  readonly definition: SourceDefinition | undefined;
  readonly mtimeMs: number;
}

/** Where a line of a given time goes from one stream import's point of view. */
type Route = 'send' | 'elsewhere' | RejectReason;

/** Imports `request.files`; never throws for one unreadable file (it is reported). */
export async function importLogs(
  request: ImportRequest,
  environment: ImportEnvironment,
): Promise<ImportResult> {
  const progress: ImportProgress = {
    filesTotal: request.files.length,
    filesDone: 0,
    lines: 0,
    bytes: 0,
    imported: 0,
    archived: 0,
    events: 0,
    batches: 0,
    alreadyImported: 0,
    readBack: 0,
    recovered: 0,
    blank: 0,
    split: 0,
    rejected: 0,
    rejectedByReason: {},
    rejectedFirst: null,
    rejectedLast: null,
    unreadable: [],
    gaps: [],
    startedAt: Date.now(),
  };
  const fill = { events: 0, bytes: 0, fraction: 0, count: 0 };
  const limits = environment.limits ?? SERVICE_LIMITS;
  const logs = cloudWatchDestination(environment, request.logGroup, limits);
  const now = environment.now ?? Date.now;
  const tooOld = (time: number): boolean => time < now() - MAX_EVENT_AGE_MS + AGE_MARGIN_MS;
  const tooNew = (time: number): boolean => time > now() + MAX_EVENT_FUTURE_MS;
  const { archive } = environment;
  const byStream = new Map<string, string[]>();
  for (const file of request.files) {
    const name = importStreamName(file, request.stream);
    const files = byStream.get(name);
    if (files === undefined) byStream.set(name, [file]);
    else files.push(file);
  }
  const streams: { name: string; checkpoint?: StreamCheckpoint }[] = [];
  let interrupted = false;
  const onBatch = (figures: BatchFigures): void => {
    if (figures.destination === logs.name) {
      fill.events += figures.events;
      fill.bytes += figures.bytes;
      fill.fraction += Math.max(figures.events / limits.maxEvents, figures.bytes / limits.maxBytes);
      fill.count++;
    }
    environment.onBatch?.(figures);
  };
  for (const name of [...byStream.keys()].sort()) {
    if (environment.signal?.aborted) {
      interrupted = true;
      break;
    }
    const files = await planFiles(byStream.get(name) ?? [], request, name, progress);
    const imports: StreamImport[] = [];
    if (archive !== undefined) {
      imports.push(
        new StreamImport(request, environment, archive, name, progress, onBatch, (time) =>
          tooOld(time) ? 'send' : 'elsewhere',
        ),
      );
    }
    imports.push(
      new StreamImport(request, environment, logs, name, progress, onBatch, (time) => {
        if (tooNew(time)) return 'tooNew';
        if (tooOld(time)) return archive === undefined ? 'tooOld' : 'elsewhere';
        return 'send';
      }),
    );
    for (const [index, stream] of imports.entries()) {
      // Lines and files are counted by the last pass over the files only.
      const counting = index === imports.length - 1;
      const outcome = await stream.run(files, counting);
      if (outcome.interrupted) interrupted = true;
      if (interrupted) break;
    }
    const checkpoint = environment.checkpoints.get(request.logGroup, name);
    streams.push({ name, ...(checkpoint === undefined ? {} : { checkpoint }) });
    if (interrupted) break;
  }
  environment.onProgress?.(progress);
  const count = Math.max(1, fill.count);
  return {
    progress,
    interrupted,
    streams,
    fill: {
      meanEvents: fill.events / count,
      meanBytes: fill.bytes / count,
      meanFraction: fill.count === 0 ? 0 : fill.fraction / count,
    },
  };
}

/** The log group as an import destination. */
function cloudWatchDestination(
  environment: ImportEnvironment,
  logGroup: string,
  limits: BatchLimits,
): ImportDestination {
  const { client } = environment;
  return {
    name: logGroup,
    limits,
    settleMs: environment.settleMs ?? CLOUDWATCH_SETTLE_MS,
    prepare: (stream) => ensureLogStream(client, logGroup, stream, environment.retry),
    write: (stream, events) => putEvents(client, logGroup, stream, events),
    read: (stream, start, end) => readLogStream(client, logGroup, stream, { start, end: end + 1 }),
  };
}

/** Reads each file's head for its source and first time, and orders them. */
async function planFiles(
  files: readonly string[],
  request: ImportRequest,
  stream: string,
  progress: ImportProgress,
): Promise<PlannedFile[]> {
  const planned: PlannedFile[] = [];
  for (const path of files) {
    try {
      const head = await readHeadLines(path, HEAD_LINES);
      const definition = definitionFor(head, request);
      const clock = new LineClock(request.timeZone, parserFor(definition, request, stream), {
        file: path,
        stream,
      });
      let firstTime: number | null = null;
      for (const [index, text] of head.entries()) {
        firstTime = clock.timeOf(text, index + 1);
        if (firstTime !== null) break;
      }
      const mtimeMs = (await stat(path)).mtimeMs;
      planned.push({ path, firstTime, definition, mtimeMs });
    } catch (error) {
      progress.unreadable.push(`${path}: ${(error as Error).message}`);
      progress.filesDone++;
    }
  }
  return planned.sort(compareFilesChronologically);
}

function definitionFor(
  head: readonly string[],
  request: Pick<ImportRequest, 'source'>,
): SourceDefinition | undefined {
  return request.source === 'auto' ? sniffSource(head) : sourceDefinition(request.source);
}

/**
 * The clock the importer uses for `path` (its source's parser, else the
 * framing table); `verifyStream` reads times the same way.
 */
export async function importClock(
  path: string,
  request: Pick<ImportRequest, 'source' | 'timeZone'>,
  stream: string,
): Promise<LineClock> {
  const head = await readHeadLines(path, HEAD_LINES);
  return new LineClock(request.timeZone, parserFor(definitionFor(head, request), request, stream), {
    file: path,
    stream,
  });
}

function parserFor(
  definition: SourceDefinition | undefined,
  request: Pick<ImportRequest, 'timeZone'>,
  stream: string,
): StreamParser | undefined {
  return definition?.createParser({ timeZone: request.timeZone, stream });
}

/** The count and digest of `events`. */
function digestOf(events: readonly LineEvent[]): RangeDigest {
  const digest = new RangeDigest();
  for (const event of events) digest.add(event.timestamp, event.meta.identity.term);
  return digest;
}

/** Multiset of event keys: key → count. */
type Counts = Map<string, number>;

/** What a file's survey found for one imported range. */
type Verdict = 'held' | 'read';

/**
 * One stream's import into one destination: producer (reading, deciding,
 * batching) and consumer (sending, recording).
 */
class StreamImport {
  private readonly batcher: PutLogEventsBatcher<EventMeta>;
  private readonly queue: BoundedQueue<WorkUnit>;
  /** What the destination holds or will hold once the sealed batches are sent (the producer's view). */
  private planned = new RangeSet();
  /** What the destination acknowledged (recorded in the checkpoint). */
  private persisted = new RangeSet();
  private lines = 0;
  private localRejects: RejectRecord[] = [];
  private lastProgressLines = 0;
  private sealedUnits = 0;
  private doneUnits = 0;
  private consumerFailure: { readonly error: unknown } | undefined;
  private readonly idleWaiters: (() => void)[] = [];
  /** Time ranges written in this run with when (epoch ms), the last few: what may not be readable yet. */
  private readonly recentWrites: { start: number; end: number; at: number }[] = [];
  private batchNumber = 0;
  private counting = true;

  constructor(
    private readonly request: ImportRequest,
    private readonly environment: ImportEnvironment,
    private readonly destination: ImportDestination,
    private readonly name: string,
    private readonly progress: ImportProgress,
    private readonly onBatch: (figures: BatchFigures) => void,
    private readonly route: (time: number) => Route,
  ) {
    this.batcher = new PutLogEventsBatcher<EventMeta>(destination.limits);
    this.queue = new BoundedQueue<WorkUnit>(environment.queueDepth ?? DEFAULT_QUEUE_DEPTH);
  }

  async run(files: readonly PlannedFile[], counting: boolean): Promise<{ interrupted: boolean }> {
    this.counting = counting;
    const checkpoints = this.environment.checkpoints;
    const saved = checkpoints.get(this.destination.name, this.name);
    this.persisted = new RangeSet(saved?.ranges);
    this.lines = saved?.lines ?? 0;
    await this.destination.prepare(this.name);
    if (saved?.pending !== undefined) await this.recover(saved.pending);
    this.planned = this.persisted.copy();
    const consumer = this.consume().catch((error: unknown) => {
      this.consumerFailure = { error };
      this.queue.fail(error);
      for (const wake of this.idleWaiters.splice(0)) wake();
      throw error;
    });
    // Awaited below; until then its failure reaches the producer through the queue.
    consumer.catch(() => undefined);
    let produced: { interrupted: boolean };
    try {
      produced = await this.produce(files);
    } catch (error) {
      // The consumer failed (its error surfaces below) or reading failed: the
      // batches sealed so far are still sent and recorded.
      this.queue.close();
      await consumer;
      throw error;
    }
    await consumer;
    return { interrupted: produced.interrupted || this.aborted() };
  }

  private aborted(): boolean {
    return this.environment.signal?.aborted === true;
  }

  /**
   * A killed run left a batch unacknowledged: read back what the destination
   * holds over its range (and the ranges it touches) and record that.
   */
  private async recover(pending: ImportedRange & { readonly sentAt: number }): Promise<void> {
    let start = pending.start;
    let end = pending.end;
    for (const range of this.persisted.ranges) {
      if (range.start <= end && range.end >= start) {
        start = Math.min(start, range.start);
        end = Math.max(end, range.end);
      }
    }
    await this.settle(start, end, pending.sentAt);
    const truth = new RangeDigest();
    for await (const event of this.destination.read(this.name, start, end)) {
      if (event.timestamp < start || event.timestamp > end) continue;
      truth.add(event.timestamp, eventIdentity(event.timestamp, event.message).term);
      this.progress.readBack++;
    }
    this.persisted.replace({ start, end, events: truth.events, digest: truth.digest });
    this.progress.recovered++;
    await this.save();
  }

  private async save(pending?: ImportedRange & { readonly sentAt: number }): Promise<void> {
    await this.environment.checkpoints.save(this.destination.name, this.name, {
      ranges: this.persisted.ranges,
      ...(pending === undefined ? {} : { pending }),
      lines: this.lines,
      updatedAt: new Date().toISOString(),
    });
  }

  /** Waits until what this run wrote into [start, end] is readable, or what was written at `since`. */
  private async settle(
    start: number,
    end: number,
    since = Number.NEGATIVE_INFINITY,
  ): Promise<void> {
    let latest = since;
    for (const write of this.recentWrites) {
      if (write.start <= end && write.end >= start) latest = Math.max(latest, write.at);
    }
    const wait = latest + this.destination.settleMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  private async produce(files: readonly PlannedFile[]): Promise<{ interrupted: boolean }> {
    let previousTime: number | null = null;
    for (const file of files) {
      if (this.aborted()) break;
      try {
        previousTime = await this.produceFile(file, previousTime);
      } catch (error) {
        if (this.isFatal(error)) throw error;
        if (this.counting)
          this.progress.unreadable.push(`${file.path}: ${(error as Error).message}`);
      }
      if (this.counting) this.progress.filesDone++;
    }
    if (!this.aborted()) {
      await this.seal(this.batcher.flush(), true);
    }
    this.queue.close();
    return { interrupted: this.aborted() };
  }

  private isFatal(error: unknown): boolean {
    return error instanceof Error && error.name !== 'UnreadableInputError';
  }

  /**
   * The events of `file` this import may send, one array per line (the parts
   * of a split line), in file order. When sending (not surveying), counts
   * splits and rejects on the way, and lines and blank lines when this is the
   * counting pass.
   */
  private async *lineEvents(
    file: PlannedFile,
    previousTime: number | null,
    mode: 'survey' | 'send',
    last: { time: number | null },
  ): AsyncGenerator<LineEvent[]> {
    const clock = new LineClock(
      this.request.timeZone,
      parserFor(file.definition, this.request, this.name),
      { file: file.path, stream: this.name },
    );
    const sending = mode === 'send';
    const counting = sending && this.counting;
    let current = previousTime;
    const held: { text: string; number: number }[] = [];
    const limit = this.destination.limits.maxMessageBytes;
    const describer =
      sending && this.destination.describes
        ? parserFor(file.definition, this.request, this.name)
        : undefined;
    const describe = (text: string, number: number): ArchiveFields | undefined => {
      if (!sending || !this.destination.describes) return undefined;
      if (describer === undefined) {
        return { source: 'unknown', category: 'unclassified', severity: 'info', fields: {} };
      }
      const event = describer.parse(text, {
        origin: { file: file.path, stream: this.name, line: number },
      });
      return {
        source: event.source,
        category: event.category,
        severity: event.severity,
        fields: event.fields,
      };
    };
    const emit = (text: string, number: number, time: number): LineEvent[] | undefined => {
      const route = this.route(time);
      if (route === 'elsewhere') return undefined;
      if (route !== 'send') {
        if (sending) this.localRejects.push(this.reject(file.path, number, time, route, text));
        return undefined;
      }
      const bytes = utf8Bytes(text);
      const parts = bytes <= limit ? [text] : splitMessage(text, limit);
      if (sending && parts.length > 1) this.progress.split++;
      const fields = describe(text, number);
      return parts.map((message, index) => ({
        timestamp: time,
        message,
        bytes: parts.length === 1 ? bytes : utf8Bytes(message),
        meta: {
          file: file.path,
          line: number,
          lastPart: index === parts.length - 1,
          identity: eventIdentity(time, message),
          ...(fields === undefined ? {} : { fields }),
        },
      }));
    };
    for await (const line of readLines(file.path)) {
      if (this.aborted()) break;
      if (counting) {
        this.progress.lines++;
        this.progress.bytes += utf8Bytes(line.text) + 1;
      }
      if (line.text.trim() === '') {
        if (counting) this.progress.blank++;
        continue;
      }
      const own = clock.timeOf(line.text, line.number);
      if (own === null && current === null) {
        // The stream has not shown a time yet: hold the line until one appears.
        held.push(line);
        if (held.length < LOOKAHEAD_LINES) continue;
        current = file.firstTime ?? file.mtimeMs;
      }
      if (own !== null) current = own;
      for (const early of held.splice(0)) {
        const events = emit(early.text, early.number, current!);
        if (events !== undefined) yield events;
      }
      const events = emit(line.text, line.number, current!);
      if (events !== undefined) yield events;
      if (counting && this.progress.lines - this.lastProgressLines >= 5000) {
        this.lastProgressLines = this.progress.lines;
        this.environment.onProgress?.(this.progress);
      }
    }
    if (held.length > 0) {
      const time = current ?? file.mtimeMs;
      for (const early of held.splice(0)) {
        const events = emit(early.text, early.number, time);
        if (events !== undefined) yield events;
      }
      current = time;
    }
    last.time = current;
  }

  /** The ranges imported or planned so far, the open batch included. */
  private currentView(): RangeSet {
    const view = this.planned.copy();
    const open = digestOf(this.batcher.openEvents).toRange();
    if (open !== undefined) view.add(open);
    return view;
  }

  /**
   * For each range of `view` that the file's events touch, whether the file's
   * events there are exactly what the range holds; and the file's time span.
   */
  private async survey(
    file: PlannedFile,
    previousTime: number | null,
    view: RangeSet,
  ): Promise<{ verdicts: Map<number, Verdict>; first: number; last: number }> {
    const digests = new Map<number, RangeDigest>();
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for await (const events of this.lineEvents(file, previousTime, 'survey', { time: null })) {
      for (const event of events) {
        const time = event.timestamp;
        if (time < first) first = time;
        if (time > last) last = time;
        const index = view.indexOf(time);
        if (index < 0) continue;
        let digest = digests.get(index);
        if (digest === undefined) {
          digest = new RangeDigest();
          digests.set(index, digest);
        }
        digest.add(time, event.meta.identity.term);
      }
    }
    const verdicts = new Map<number, Verdict>();
    for (const [index, digest] of digests) {
      verdicts.set(index, digest.matches(view.ranges[index]!) ? 'held' : 'read');
    }
    return { verdicts, first, last };
  }

  /** Reads one file and sends what its destination lacks; returns the time of its last line. */
  private async produceFile(
    file: PlannedFile,
    previousTime: number | null,
  ): Promise<number | null> {
    const view = this.currentView();
    const first = file.firstTime;
    if (this.counting && this.request.expectOverlap && first !== null && view.indexOf(first) < 0) {
      const before = view.before(first);
      if (before !== undefined) {
        this.progress.gaps.push({
          file: file.path,
          after: isoTime(before.end),
          firstLine: isoTime(first),
        });
      }
    }
    const newest = view.newest;
    const touches = newest !== undefined && (first === null || first - DISORDER_MS <= newest);
    const surveyed = touches
      ? await this.survey(file, previousTime, view)
      : {
          verdicts: new Map<number, Verdict>(),
          first: Number.NEGATIVE_INFINITY,
          last: Number.POSITIVE_INFINITY,
        };
    const stored = new Map<number, Counts>();
    const last = { time: previousTime };
    for await (const events of this.lineEvents(file, previousTime, 'send', last)) {
      const send: LineEvent[] = [];
      for (const event of events) {
        if (!(await this.held(event, view, surveyed, stored))) send.push(event);
      }
      if (send.length === 0) {
        this.progress.alreadyImported++;
        continue;
      }
      await this.add(send);
    }
    return last.time;
  }

  /** True when the destination holds `event` already (then it is not sent). */
  private async held(
    event: LineEvent,
    view: RangeSet,
    surveyed: { verdicts: Map<number, Verdict>; first: number; last: number },
    stored: Map<number, Counts>,
  ): Promise<boolean> {
    const index = view.indexOf(event.timestamp);
    if (index < 0) return false;
    if (surveyed.verdicts.get(index) === 'held') return true;
    let counts = stored.get(index);
    if (counts === undefined) {
      const range = view.ranges[index]!;
      counts = await this.storedCounts(
        Math.max(range.start, surveyed.first),
        Math.min(range.end, surveyed.last),
      );
      stored.set(index, counts);
      if (stored.size > 4) {
        for (const [other] of stored) {
          if (view.ranges[other]!.end < event.timestamp - DISORDER_MS) stored.delete(other);
        }
      }
    }
    const key = event.meta.identity.key;
    const have = counts.get(key) ?? 0;
    if (have === 0) return false;
    counts.set(key, have - 1);
    return true;
  }

  /**
   * What the destination holds in [start, end], as a multiset: sends what is
   * sealed first, and waits until it is readable.
   */
  private async storedCounts(start: number, end: number): Promise<Counts> {
    await this.seal(this.batcher.flush(), false);
    await this.drain();
    return this.readCountsSettled(start, end);
  }

  private async readCounts(start: number, end: number): Promise<Counts> {
    const counts: Counts = new Map();
    for await (const event of this.destination.read(this.name, start, end)) {
      if (event.timestamp < start || event.timestamp > end) continue;
      const { key } = eventIdentity(event.timestamp, event.message);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      this.progress.readBack++;
    }
    return counts;
  }

  /** Waits until every sealed batch has been sent and recorded. */
  private async drain(): Promise<void> {
    while (this.doneUnits < this.sealedUnits && this.consumerFailure === undefined) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    if (this.consumerFailure !== undefined) throw this.consumerFailure.error;
  }

  /** Adds the parts of one line to the open batch, sealing batches as they fill. */
  private async add(events: readonly LineEvent[]): Promise<void> {
    // Keep the parts of a split line in one request when they fit in one.
    const together = this.batcher.wouldCloseForAll(events);
    if (together !== undefined) await this.seal(this.batcher.closeFor(events[0]!, together), false);
    for (const event of events) {
      const closing = this.batcher.wouldClose(event);
      if (closing !== undefined) await this.seal(this.batcher.closeFor(event, closing), false);
      this.batcher.add(event);
    }
  }

  private reject(
    file: string,
    line: number,
    time: number,
    reason: RejectReason,
    message: string,
  ): RejectRecord {
    return {
      logGroup: this.destination.name,
      logStream: this.name,
      file,
      line,
      time: isoTime(time),
      reason,
      message,
    };
  }

  private async seal(batch: LogEventBatch<EventMeta> | undefined, final: boolean): Promise<void> {
    if (batch === undefined && this.localRejects.length === 0 && !final) return;
    if (batch !== undefined) {
      const range = digestOf(batch.events).toRange();
      if (range !== undefined) this.planned.add(range);
    }
    const unit: WorkUnit = { batch, localRejects: this.localRejects };
    this.localRejects = [];
    this.sealedUnits++;
    if (this.counting) this.environment.onProgress?.(this.progress);
    await this.queue.push(unit);
  }

  private step(step: ImportStep): void {
    this.environment.onStep?.(step, this.batchNumber, this.destination.name);
  }

  private async consume(): Promise<void> {
    for (;;) {
      const unit = await this.queue.shift();
      if (unit === undefined) return;
      if (!this.aborted()) await this.send(unit);
      this.doneUnits++;
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private async send(unit: WorkUnit): Promise<void> {
    const rejects = [...unit.localRejects];
    const batch = unit.batch;
    if (batch !== undefined && batch.events.length > 0) {
      this.batchNumber++;
      this.step('sealed');
      const intended = digestOf(batch.events);
      const range = intended.toRange()!;
      // Where the batch shares times with imported ranges, what is there already.
      const baseline = this.persisted.overlaps(range.start, range.end)
        ? await this.readCountsSettled(range.start, range.end)
        : undefined;
      await this.save({ ...range, sentAt: Date.now() });
      this.step('pending-saved');
      const refused = await this.write(batch.events, range, baseline);
      this.wrote(range);
      this.step('acknowledged');
      const accepted = new RangeDigest();
      let lines = 0;
      let events = 0;
      for (const event of batch.events) {
        const reason = refused.get(event);
        if (reason !== undefined) {
          rejects.push(
            this.reject(event.meta.file, event.meta.line, event.timestamp, reason, event.message),
          );
          continue;
        }
        accepted.add(event.timestamp, event.meta.identity.term);
        events++;
        if (event.meta.lastPart) lines++;
      }
      await this.writeRejects(rejects);
      this.step('rejects-written');
      const acknowledged = accepted.toRange();
      if (acknowledged !== undefined) this.persisted.add(acknowledged);
      this.lines += lines;
      await this.save();
      this.step('saved');
      if (this.destination.name === this.request.logGroup) {
        this.progress.events += events;
        this.progress.imported += lines;
        this.progress.batches++;
      } else {
        this.progress.archived += lines;
      }
      this.onBatch({
        destination: this.destination.name,
        logStream: this.name,
        events: batch.events.length,
        bytes: batch.bytes,
        reason: batch.reason,
      });
    } else {
      await this.writeRejects(rejects);
    }
    if (this.counting) this.environment.onProgress?.(this.progress);
  }

  private wrote(range: ImportedRange): void {
    this.recentWrites.push({ start: range.start, end: range.end, at: Date.now() });
    if (this.recentWrites.length > 64) this.recentWrites.shift();
  }

  private async readCountsSettled(start: number, end: number): Promise<Counts> {
    await this.settle(start, end);
    return this.readCounts(start, end);
  }

  /**
   * Sends `events`, retrying throttling, 5xx and network failures with
   * backoff; before each retry, reads back what the destination holds over
   * their range and sends only the rest (a request that failed on the way
   * back may have been stored). Returns the refused events with why.
   */
  private async write(
    events: readonly LineEvent[],
    range: ImportedRange,
    baseline: Counts | undefined,
  ): Promise<Map<LineEvent, RejectReason>> {
    const policy = this.environment.retry;
    let toSend: readonly LineEvent[] = events;
    for (let attempt = 1; ; attempt++) {
      try {
        const refused = new Map<LineEvent, RejectReason>();
        if (toSend.length === 0) return refused;
        const indexes = await this.destination.write(this.name, toSend);
        for (const [index, reason] of indexes) {
          const event = toSend[index];
          if (event !== undefined) refused.set(event, reason);
        }
        return refused;
      } catch (error) {
        if (!isRetryable(error) || attempt >= policy.maxAttempts) throw error;
        policy.onRetry?.(attempt, error);
        await policy.sleep(backoffDelayMs(policy, attempt));
        this.wrote(range);
        toSend = await this.unsent(events, range, baseline);
      }
    }
  }

  /** The events of a batch the destination does not hold yet. */
  private async unsent(
    events: readonly LineEvent[],
    range: ImportedRange,
    baseline: Counts | undefined,
  ): Promise<LineEvent[]> {
    const stored = await this.readCountsSettled(range.start, range.end);
    for (const [key, count] of baseline ?? []) stored.set(key, (stored.get(key) ?? 0) - count);
    return events.filter((event) => {
      const key = event.meta.identity.key;
      const have = stored.get(key) ?? 0;
      if (have <= 0) return true;
      stored.set(key, have - 1);
      return false;
    });
  }

  private async writeRejects(rejects: readonly RejectRecord[]): Promise<void> {
    if (rejects.length === 0) return;
    for (const record of rejects) {
      const time = Date.parse(record.time);
      this.progress.rejected++;
      this.progress.rejectedByReason[record.reason] =
        (this.progress.rejectedByReason[record.reason] ?? 0) + 1;
      if (this.progress.rejectedFirst === null || time < this.progress.rejectedFirst) {
        this.progress.rejectedFirst = time;
      }
      if (this.progress.rejectedLast === null || time > this.progress.rejectedLast) {
        this.progress.rejectedLast = time;
      }
    }
    const path = this.environment.rejectsPath;
    await mkdir(dirname(path), { recursive: true });
    await appendFile(path, `${rejects.map((record) => JSON.stringify(record)).join('\n')}\n`);
  }
}
