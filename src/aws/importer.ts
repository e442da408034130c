/**
 * The import engine behind `tunnelwatch import`: reads log files stream by
 * stream in chronological order with bounded memory, gives every line a
 * timestamp, drops what an earlier import already sent (checkpoints), packs the
 * rest into PutLogEvents batches and sends them through a two-stage pipeline
 * (PacketiX VPN manual §3.10.5): the reader fills the next batch while the previous one
 * is in flight, and a full queue makes the reader wait instead of dropping.
 * After each acknowledged batch the rejects are written and the checkpoint is
 * saved, so an interrupted import resumes where it stopped.
 */
import { appendFile, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { readLines } from '../cli/input.ts';
import type { SourceChoice } from '../cli/options.ts';
import { isoTime, type SourceDefinition, type StreamParser } from '../model.ts';
import { sniffSource, sourceDefinition } from '../sources/index.ts';
import {
  type BatchLimits,
  type LogEventBatch,
  PutLogEventsBatcher,
  SERVICE_LIMITS,
} from './batcher.ts';
import { BoundedQueue } from './bounded-queue.ts';
import {
  type CheckpointFile,
  lineHash,
  type StreamCheckpoint,
  StreamDeduplicator,
} from './checkpoint.ts';
import {
  ensureLogStream,
  putBatch,
  type RejectReason,
  type RetryPolicy,
  rejectedIndexes,
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

/** Default rejects file, relative to the working directory. */
export const DEFAULT_REJECTS_PATH = '.tunnelwatch/import-rejects.ndjson';
/** Lines read at the head of each file to sniff its source and find its first time. */
const HEAD_LINES = 50;
/** Lines at the start of a stream held back while looking for the first timestamp. */
const LOOKAHEAD_LINES = 1000;
/** Sealed batches that may wait behind the one in flight. */
const DEFAULT_QUEUE_DEPTH = 2;

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
   * "latest N lines" downloads): a file that starts after the checkpoint is
   * reported as a possible gap.
   */
  readonly expectOverlap?: boolean;
}

/** Collaborators and knobs of an import. */
export interface ImportEnvironment {
  readonly client: CloudWatchLogsClient;
  readonly checkpoints: CheckpointFile;
  /** NDJSON file that receives every rejected line with its reason. */
  readonly rejectsPath: string;
  readonly retry: RetryPolicy;
  /** Epoch ms now; decides too old / too new. */
  readonly now?: () => number;
  /** Aborting stops reading; the batch in flight is finished and checkpointed. */
  readonly signal?: AbortSignal;
  /** Called after each acknowledged batch and every few thousand lines. */
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Called with each acknowledged batch's figures. */
  readonly onBatch?: (batch: BatchFigures) => void;
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
  /** Lines sent and acknowledged (a split line counts once). */
  imported: number;
  /** PutLogEvents events acknowledged (a split line counts once per part). */
  events: number;
  batches: number;
  /** Lines older than the stream's checkpoint: imported before. */
  skippedBeforeCheckpoint: number;
  /** Lines at the checkpoint's timestamp already imported (overlap). */
  duplicates: number;
  /** Blank lines (CloudWatch Logs cannot store an empty event). */
  blank: number;
  /** Lines longer than one event, sent as several marked parts. */
  split: number;
  rejected: number;
  readonly rejectedByReason: Partial<Record<RejectReason, number>>;
  /** Epoch ms of the oldest and newest rejected line. */
  rejectedFirst: number | null;
  rejectedLast: number | null;
  /** Files that could not be read, with the reason. */
  readonly unreadable: string[];
  /** With `expectOverlap`: files that start after the stream's checkpoint (lines may be lost in between). */
  readonly gaps: { readonly file: string; readonly after: string; readonly firstLine: string }[];
  readonly startedAt: number;
}

/** Figures of one acknowledged PutLogEvents request. */
export interface BatchFigures {
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
  /** Streams written, with their checkpoint after the import. */
  readonly streams: readonly { readonly name: string; readonly checkpoint?: StreamCheckpoint }[];
  /** Mean fill of the requests: events and bytes per request, and the binding fraction. */
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
  readonly splitLine: boolean;
}

/** A sealed batch plus what must be persisted once it is acknowledged. */
interface WorkUnit {
  readonly batch: LogEventBatch<EventMeta> | undefined;
  readonly checkpoint: StreamCheckpoint | undefined;
  readonly localRejects: readonly RejectRecord[];
}

/** A file of a stream, opened enough to order it. */
interface PlannedFile extends OrderedFile {
  readonly definition: SourceDefinition | undefined;
  readonly mtimeMs: number;
}

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
    events: 0,
    batches: 0,
    skippedBeforeCheckpoint: 0,
    duplicates: 0,
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
  const byStream = new Map<string, string[]>();
  for (const file of request.files) {
    const name = importStreamName(file, request.stream);
    const files = byStream.get(name);
    if (files === undefined) byStream.set(name, [file]);
    else files.push(file);
  }
  const streams: { name: string; checkpoint?: StreamCheckpoint }[] = [];
  let interrupted = false;
  for (const name of [...byStream.keys()].sort()) {
    if (environment.signal?.aborted) {
      interrupted = true;
      break;
    }
    const files = await planFiles(byStream.get(name) ?? [], request, name, progress);
    const stream = new StreamImport(request, environment, name, progress, limits, (figures) => {
      fill.events += figures.events;
      fill.bytes += figures.bytes;
      fill.fraction += Math.max(figures.events / limits.maxEvents, figures.bytes / limits.maxBytes);
      fill.count++;
      environment.onBatch?.(figures);
    });
    const outcome = await stream.run(files);
    if (outcome.interrupted) interrupted = true;
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
  const definition =
    request.source === 'auto' ? sniffSource(head) : sourceDefinition(request.source);
  return new LineClock(
    request.timeZone,
    definition?.createParser({ timeZone: request.timeZone, stream }),
    {
      file: path,
      stream,
    },
  );
}

function parserFor(
  definition: SourceDefinition | undefined,
  request: Pick<ImportRequest, 'timeZone'>,
  stream: string,
): StreamParser | undefined {
  return definition?.createParser({ timeZone: request.timeZone, stream });
}

/** One stream's import: producer (reading, batching) and consumer (sending). */
class StreamImport {
  private readonly batcher: PutLogEventsBatcher<EventMeta>;
  private readonly dedup: StreamDeduplicator;
  private readonly queue: BoundedQueue<WorkUnit>;
  private localRejects: RejectRecord[] = [];
  private readonly now: () => number;
  private lastProgressLines = 0;
  /** Whether the current file's first line is still to come, and the checkpoint before the file. */
  private fileStart = { first: true, checkpoint: Number.NEGATIVE_INFINITY };

  constructor(
    private readonly request: ImportRequest,
    private readonly environment: ImportEnvironment,
    private readonly name: string,
    private readonly progress: ImportProgress,
    limits: BatchLimits,
    private readonly onBatch: (figures: BatchFigures) => void,
  ) {
    this.batcher = new PutLogEventsBatcher<EventMeta>(limits);
    this.dedup = new StreamDeduplicator(environment.checkpoints.get(request.logGroup, name));
    this.queue = new BoundedQueue<WorkUnit>(environment.queueDepth ?? DEFAULT_QUEUE_DEPTH);
    this.now = environment.now ?? Date.now;
  }

  async run(files: readonly PlannedFile[]): Promise<{ interrupted: boolean }> {
    await ensureLogStream(
      this.environment.client,
      this.request.logGroup,
      this.name,
      this.environment.retry,
    );
    const consumer = this.consume().catch((error: unknown) => {
      this.queue.fail(error);
      throw error;
    });
    let produced: { interrupted: boolean };
    try {
      produced = await this.produce(files);
    } catch (error) {
      // The consumer failed (its error surfaces below) or reading failed.
      await consumer;
      throw error;
    }
    await consumer;
    return { interrupted: produced.interrupted || this.aborted() };
  }

  private aborted(): boolean {
    return this.environment.signal?.aborted === true;
  }

  private async produce(files: readonly PlannedFile[]): Promise<{ interrupted: boolean }> {
    let previousTime: number | null = null;
    for (const file of files) {
      if (this.aborted()) break;
      const clock = new LineClock(
        this.request.timeZone,
        parserFor(file.definition, this.request, this.name),
        { file: file.path, stream: this.name },
      );
      this.dedup.startFile();
      this.fileStart = { first: true, checkpoint: this.dedup.newest };
      try {
        previousTime = await this.produceFile(file, clock, previousTime);
      } catch (error) {
        if (this.isFatal(error)) throw error;
        this.progress.unreadable.push(`${file.path}: ${(error as Error).message}`);
      }
      this.progress.filesDone++;
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

  /** Reads one file; returns the time of its last line (for the next file's untimed head). */
  private async produceFile(
    file: PlannedFile,
    clock: LineClock,
    previousTime: number | null,
  ): Promise<number | null> {
    let current = previousTime;
    const held: { text: string; number: number }[] = [];
    for await (const line of readLines(file.path)) {
      if (this.aborted()) return current;
      this.progress.lines++;
      this.progress.bytes += utf8Bytes(line.text) + 1;
      if (line.text.trim() === '') {
        this.progress.blank++;
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
      for (const early of held.splice(0)) await this.line(early.text, early.number, file, current!);
      await this.line(line.text, line.number, file, current!);
      if (this.progress.lines - this.lastProgressLines >= 5000) {
        this.lastProgressLines = this.progress.lines;
        this.environment.onProgress?.(this.progress);
      }
    }
    if (held.length > 0) {
      const time = current ?? file.mtimeMs;
      for (const early of held.splice(0)) await this.line(early.text, early.number, file, time);
      current = time;
    }
    return current;
  }

  private async line(text: string, number: number, file: PlannedFile, time: number): Promise<void> {
    const hash = lineHash(text);
    const decision = this.dedup.peek(time, hash);
    if (this.fileStart.first) {
      this.fileStart.first = false;
      const { checkpoint } = this.fileStart;
      if (this.request.expectOverlap && Number.isFinite(checkpoint) && time > checkpoint) {
        this.progress.gaps.push({
          file: file.path,
          after: isoTime(checkpoint),
          firstLine: isoTime(time),
        });
      }
    }
    if (decision === 'before-checkpoint') {
      this.progress.skippedBeforeCheckpoint++;
      return;
    }
    if (decision === 'duplicate') {
      this.dedup.commit(time, hash);
      this.progress.duplicates++;
      return;
    }
    const now = this.now();
    const tooOld = time < now - MAX_EVENT_AGE_MS;
    const tooNew = time > now + MAX_EVENT_FUTURE_MS;
    if (tooOld || tooNew) {
      // The service would reject it: keep it in the rejects file instead of sending it.
      this.dedup.commit(time, hash);
      this.localRejects.push(
        this.reject(file.path, number, time, tooOld ? 'tooOld' : 'tooNew', text),
      );
      return;
    }
    const limit = this.batcherLimit();
    const bytes = utf8Bytes(text);
    const parts = bytes <= limit ? [text] : splitMessage(text, limit);
    if (parts.length > 1) this.progress.split++;
    const events = parts.map((message, index) => ({
      timestamp: time,
      message,
      bytes: parts.length === 1 ? bytes : utf8Bytes(message),
      meta: {
        file: file.path,
        line: number,
        lastPart: index === parts.length - 1,
        splitLine: parts.length > 1,
      },
    }));
    // Keep the parts of a split line in one request when they fit in one.
    const together = this.batcher.wouldCloseForAll(events);
    if (together !== undefined) await this.seal(this.batcher.flush(), false, together);
    for (const event of events) {
      const closing = this.batcher.wouldClose(event);
      if (closing !== undefined) await this.seal(this.batcher.flush(), false, closing);
      this.batcher.add(event);
    }
    // Recorded after its parts are queued: a checkpoint taken when a request
    // closed inside a long line excludes the line, so a resumed import sends
    // the whole line again (duplicate parts at worst, never lost parts).
    this.dedup.commit(time, hash);
  }

  private batcherLimit(): number {
    return (this.environment.limits ?? SERVICE_LIMITS).maxMessageBytes;
  }

  private reject(
    file: string,
    line: number,
    time: number,
    reason: RejectReason,
    message: string,
  ): RejectRecord {
    return {
      logGroup: this.request.logGroup,
      logStream: this.name,
      file,
      line,
      time: isoTime(time),
      reason,
      message,
    };
  }

  private async seal(
    batch: LogEventBatch<EventMeta> | undefined,
    final: boolean,
    reason?: LogEventBatch<EventMeta>['reason'],
  ): Promise<void> {
    if (batch === undefined && this.localRejects.length === 0 && !final) return;
    const unit: WorkUnit = {
      batch: batch === undefined || reason === undefined ? batch : { ...batch, reason },
      checkpoint: this.dedup.snapshot(),
      localRejects: this.localRejects,
    };
    this.localRejects = [];
    this.environment.onProgress?.(this.progress);
    await this.queue.push(unit);
  }

  private async consume(): Promise<void> {
    const { client } = this.environment;
    const { logGroup } = this.request;
    for (;;) {
      const unit = await this.queue.shift();
      if (unit === undefined) return;
      if (this.aborted()) continue;
      const rejects = [...unit.localRejects];
      const batch = unit.batch;
      if (batch !== undefined && batch.events.length > 0) {
        const info = await putBatch(client, logGroup, this.name, batch, this.environment.retry);
        const rejected = rejectedIndexes(info, batch.events.length);
        for (const [index, reason] of rejected) {
          const event = batch.events[index];
          if (event === undefined) continue;
          rejects.push(
            this.reject(event.meta.file, event.meta.line, event.timestamp, reason, event.message),
          );
        }
        let events = 0;
        let lines = 0;
        for (const [index, event] of batch.events.entries()) {
          if (rejected.has(index)) continue;
          events++;
          if (event.meta.lastPart) lines++;
        }
        this.progress.events += events;
        this.progress.imported += lines;
        this.progress.batches++;
        this.onBatch({
          logStream: this.name,
          events: batch.events.length,
          bytes: batch.bytes,
          reason: batch.reason,
        });
      }
      await this.writeRejects(rejects);
      if (unit.checkpoint !== undefined) {
        await this.environment.checkpoints.save(logGroup, this.name, unit.checkpoint);
      }
      this.environment.onProgress?.(this.progress);
    }
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
