/**
 * Plain `replay` with bounded memory: the input files are read lazily, line
 * by line, merged in timestamp order (a k-way merge on each line's time and
 * the file's position, exactly as `runPipeline` merges the batches it is
 * given), and handed to the pipeline in chunks of `chunkLines` lines with one
 * state store, so memory holds one chunk, one head line per file and the
 * rules' state, whatever the length of the logs.
 *
 * Why the result equals one `runPipeline` call over the whole files: any cut
 * of the merged sequence, given to `runPipeline` as per-file runs, is merged
 * back by it into the same order (its heap sees the same heads, minus the
 * runs that ended), and the state between chunks is the store's. Each file
 * keeps its own order, as plain replay always did: a line earlier than its
 * predecessor stays after it, and the pipeline judges it in event time. A
 * run that starts with lines without their own time is given the time they
 * carry over (`StreamBatch.previousTime`), as inside one call.
 *
 * A single file needs no merge: its lines are not parsed before the
 * pipeline parses them.
 *
 * Files are opened one at a time to read their first line, then only when
 * the merge reaches them, and closed at their end: a tree of years of daily
 * files keeps only the files that overlap in time open.
 */
import { addResults } from '../../deliveries.ts';
import type { Source, SourceDefinition, StreamParser } from '../../model.ts';
import {
  type PipelineOptions,
  type PipelineResult,
  type RawLine,
  runPipeline,
  type StreamBatch,
} from '../../pipeline.ts';
import { UnreadableInputError } from '../errors.ts';
import { type InputLine, readLines } from '../input.ts';

/** Lines handed to the pipeline per call. */
export const REPLAY_CHUNK_LINES = 5_000;

/** One input file, its format chosen. */
export interface ReplayFile {
  readonly path: string;
  readonly stream: string;
  readonly definition: SourceDefinition;
  /** IANA zone for local-time formats. */
  readonly timeZone: string;
  /**
   * Lines that can be read only once (standard input, the S3 archive): kept
   * open from the first line to the last instead of closed until the merge
   * reaches them and reopened by path.
   */
  readonly readOnce?: boolean;
}

/** What `streamReplay` needs besides the files. */
export interface StreamReplayOptions extends PipelineOptions {
  /** Lines per pipeline call; default `REPLAY_CHUNK_LINES`. */
  readonly chunkLines?: number;
  /** Reads a file's lines (default: from disk); tests pass their own. */
  readonly readLines?: (path: string) => AsyncIterator<InputLine>;
  /**
   * Told when a file cannot be read to its end; the lines read before count,
   * the rest of the file is left out. Default: the error is thrown.
   */
  readonly onUnreadable?: (error: UnreadableInputError) => void;
}

/** The next line of a file, with the time the merge orders it by. */
interface Head {
  readonly text: string;
  readonly line: number;
  /** The line's own time (epoch ms), null when it has none. */
  readonly ownTime: number | null;
  /** Own time, else the file's previous time; -Infinity before the first. */
  readonly orderTime: number;
}

/** Reads one file lazily and keeps its next non-blank line. */
class FileCursor {
  private lines: AsyncIterator<InputLine> | undefined;
  /** Line number of the last line read (to skip ahead when reopening). */
  private position = 0;
  /** Reads each line's time for the merge; undefined when there is nothing to merge with. */
  private readonly parser: StreamParser | undefined;
  private carried = Number.NEGATIVE_INFINITY;
  head: Head | undefined;
  /** Lines taken for the chunk being built. */
  pending: RawLine[] = [];
  /**
   * The time carried into `pending` from the file's earlier lines: the
   * merge's order time, or (one file, no merge) the pipeline's last event time.
   */
  pendingAfter = Number.NEGATIVE_INFINITY;

  /**
   * `lines`: the file's lines when it is already open (the CLI sniffed its
   * format); read first, then the file is reopened by `open` as needed.
   */
  constructor(
    readonly file: ReplayFile,
    readonly index: number,
    private readonly open: (path: string) => AsyncIterator<InputLine>,
    private readonly onUnreadable: ((error: UnreadableInputError) => void) | undefined,
    lines: AsyncIterator<InputLine> | undefined,
    merged: boolean,
  ) {
    this.lines = lines;
    this.parser = merged
      ? file.definition.createParser({ stream: file.stream, timeZone: file.timeZone })
      : undefined;
  }

  /**
   * Reads the first line, then closes the file until the merge reaches it
   * (inputs read once stay open).
   */
  async peek(): Promise<void> {
    await this.advance();
    if (this.file.readOnce !== true) await this.close();
  }

  /** Moves `head` to the next non-blank line (undefined at the end, or when the file fails). */
  async advance(): Promise<void> {
    try {
      await this.read();
    } catch (error) {
      if (!(error instanceof UnreadableInputError) || this.onUnreadable === undefined) throw error;
      this.onUnreadable(error);
      this.head = undefined;
      await this.close();
    }
  }

  private async read(): Promise<void> {
    if (this.lines === undefined) {
      this.lines = this.open(this.file.path);
      // Reopened: skip what was read before.
      for (let skipped = 0; skipped < this.position; skipped++) {
        if ((await this.lines.next()).done) break;
      }
    }
    for (;;) {
      const next = await this.lines.next();
      if (next.done === true) {
        this.head = undefined;
        this.lines = undefined;
        return;
      }
      const { text, number } = next.value;
      this.position = number;
      if (text.trim() === '') continue;
      const ownTime =
        this.parser?.parse(text, {
          origin: { stream: this.file.stream, file: this.file.path, line: number },
        }).time ?? null;
      if (ownTime !== null) this.carried = ownTime;
      this.head = { text, line: number, ownTime, orderTime: this.carried };
      return;
    }
  }

  /** Closes the file (it is reopened where it stopped when read again). */
  async close(): Promise<void> {
    const lines = this.lines;
    this.lines = undefined;
    await lines?.return?.();
  }

  /** Moves the head into `pending`. */
  take(): void {
    const head = this.head as Head;
    this.pending.push({ text: head.text, line: head.line });
    this.lastTaken = head.orderTime;
  }

  /** Hands `pending` over: the lines and the time carried into them. */
  drain(): { lines: RawLine[]; previousTime: number } {
    const drained = { lines: this.pending, previousTime: this.pendingAfter };
    this.pending = [];
    if (this.parser !== undefined) this.pendingAfter = this.lastTaken;
    return drained;
  }

  private lastTaken = Number.NEGATIVE_INFINITY;
}

/** A binary heap of cursors on (head time, file index), as the pipeline's merge. */
class CursorHeap {
  private readonly items: FileCursor[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): FileCursor | undefined {
    return this.items[0];
  }

  push(cursor: FileCursor): void {
    const items = this.items;
    items.push(cursor);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!CursorHeap.before(items[i] as FileCursor, items[parent] as FileCursor)) break;
      [items[i], items[parent]] = [items[parent] as FileCursor, items[i] as FileCursor];
      i = parent;
    }
  }

  pop(): FileCursor | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (
          left < items.length &&
          CursorHeap.before(items[left] as FileCursor, items[smallest] as FileCursor)
        )
          smallest = left;
        if (
          right < items.length &&
          CursorHeap.before(items[right] as FileCursor, items[smallest] as FileCursor)
        )
          smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest] as FileCursor, items[i] as FileCursor];
        i = smallest;
      }
    }
    return top;
  }

  private static before(a: FileCursor, b: FileCursor): boolean {
    const at = (a.head as Head).orderTime;
    const bt = (b.head as Head).orderTime;
    return at < bt || (at === bt && a.index < b.index);
  }
}

/** The source id of a file, for its batches. */
function sourceOf(file: ReplayFile): Source {
  return file.definition.source;
}

/**
 * Replays `files` through `runPipeline` in merged chunks (see the module
 * comment); returns the counts of every chunk added and every alert.
 */
export async function streamReplay(
  files: readonly (ReplayFile & { readonly lines?: AsyncIterable<InputLine> })[],
  options: StreamReplayOptions,
): Promise<PipelineResult> {
  const chunkLines = options.chunkLines ?? REPLAY_CHUNK_LINES;
  const open = options.readLines ?? ((path: string) => readLines(path)[Symbol.asyncIterator]());
  const { chunkLines: _chunk, readLines: _read, onUnreadable, ...given } = options;
  let pipelineOptions: PipelineOptions = given;
  // One file needs no merge, so no line is parsed twice: the time carried
  // into its next chunk is the pipeline's own, seen through `onEvent`.
  const merged = files.length > 1;
  const cursors = files.map(
    (file, index) =>
      new FileCursor(file, index, open, onUnreadable, file.lines?.[Symbol.asyncIterator](), merged),
  );
  const single = cursors[0];
  if (!merged && single !== undefined) {
    const observer = given.onEvent;
    pipelineOptions = {
      ...given,
      onEvent: (event) => {
        if (event.time !== null) single.pendingAfter = event.time;
        observer?.(event);
      },
    };
  }
  const heap = new CursorHeap();
  for (const cursor of cursors) {
    await cursor.peek();
    if (cursor.head !== undefined) heap.push(cursor);
  }

  let total: PipelineResult | undefined;
  let taken = 0;
  const flush = async (): Promise<void> => {
    const batches: StreamBatch[] = [];
    for (const cursor of cursors) {
      if (cursor.pending.length === 0) continue;
      const { lines, previousTime } = cursor.drain();
      batches.push({
        source: sourceOf(cursor.file),
        stream: cursor.file.stream,
        file: cursor.file.path,
        timeZone: cursor.file.timeZone,
        lines,
        ...(Number.isFinite(previousTime) ? { previousTime } : {}),
      });
    }
    taken = 0;
    if (batches.length === 0) return;
    const result = await runPipeline(batches, pipelineOptions);
    total = total === undefined ? result : addResults(total, result);
  };

  try {
    for (let cursor = heap.pop(); cursor !== undefined; cursor = heap.pop()) {
      cursor.take();
      await cursor.advance();
      if (cursor.head !== undefined) heap.push(cursor);
      if (++taken >= chunkLines) await flush();
    }
    await flush();
  } finally {
    for (const cursor of cursors) await cursor.close();
  }
  return total ?? runPipeline([], pipelineOptions);
}
