/**
 * A progress bar for long work on a terminal (`import`, `replay`,
 * `report`): bytes and lines done of the total, percentage, rate and time
 * left, redrawn in place on standard error at most ten times a second, and
 * erased when the work ends. Nothing is drawn when standard error is not a
 * terminal or the input is small.
 */
import { stat } from 'node:fs/promises';
import { type InputLine, readLines, STDIN_PATH } from './input.ts';

/** Inputs smaller than this finish before a bar would help: no bar. */
export const PROGRESS_MIN_BYTES = 4 * 1_048_576;
/** Least time between two redraws, ms. */
export const PROGRESS_INTERVAL_MS = 100;

/** Where the work stands. */
export interface ProgressState {
  /** Bytes read (UTF-8, a line end counts as one). */
  readonly bytes: number;
  /** Lines read. */
  readonly lines: number;
}

const MIB = 1_048_576;

function mebibytes(bytes: number): string {
  return (bytes / MIB).toFixed(bytes < 10 * MIB ? 1 : 0);
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * One frame of the bar, for example
 * `replay [##########..............]  42%  12.4/29.6 MiB  95,210/~226,700 lines  8.1 MiB/s  ETA 2s`.
 * The total of lines is estimated from the bytes per line so far.
 */
export function progressLine(
  label: string,
  state: ProgressState,
  totalBytes: number,
  elapsedMs: number,
  width = 24,
): string {
  const fraction = totalBytes > 0 ? Math.min(1, state.bytes / totalBytes) : 0;
  const filled = Math.round(fraction * width);
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? state.bytes / seconds : 0;
  const left = rate > 0 ? (totalBytes - state.bytes) / rate : Number.POSITIVE_INFINITY;
  const totalLines =
    state.bytes > 0 ? (state.lines * totalBytes) / state.bytes : Number.POSITIVE_INFINITY;
  return [
    `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`,
    `${String(Math.floor(fraction * 100)).padStart(3)}%`,
    `${mebibytes(state.bytes)}/${mebibytes(totalBytes)} MiB`,
    `${count(state.lines)}/${Number.isFinite(totalLines) ? `~${count(totalLines)}` : '?'} lines`,
    `${mebibytes(rate)} MiB/s`,
    `ETA ${duration(left)}`,
  ].join('  ');
}

/** A bar drawn in place; `update` as work is done, `end` when it is over. */
export interface ProgressBar {
  update(state: ProgressState): void;
  /** Erases the bar. */
  end(): void;
}

/**
 * A bar for `totalBytes` of input, or undefined when none should be drawn:
 * `terminal` false (standard error is not a terminal) or a small input.
 * `write` puts text on the terminal as it is (carriage returns included).
 */
export function progressBar(
  label: string,
  totalBytes: number,
  options: {
    readonly terminal?: boolean;
    readonly write?: (text: string) => void;
    readonly now?: () => number;
    readonly minBytes?: number;
    readonly intervalMs?: number;
  } = {},
): ProgressBar | undefined {
  const terminal = options.terminal ?? process.stderr.isTTY === true;
  if (!terminal || totalBytes < (options.minBytes ?? PROGRESS_MIN_BYTES)) return undefined;
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? PROGRESS_INTERVAL_MS;
  const started = now();
  let last = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update(state) {
      const at = now();
      if (at - last < interval) return;
      last = at;
      drawn = true;
      write(`\r${progressLine(label, state, totalBytes, at - started)}\u001b[K`);
    },
    end() {
      if (drawn) write('\r\u001b[K');
      drawn = false;
    },
  };
}

/**
 * Counts the lines and bytes a reader hands out, once each even when a file
 * is read again from its start (the replay merge reopens files): only lines
 * past the furthest line seen in that file count.
 */
export class ReadProgress implements ProgressState {
  bytes = 0;
  lines = 0;
  private readonly furthest = new Map<string, number>();

  constructor(private readonly bar: ProgressBar) {}

  /** Records line `number` of `path` with its `text`. */
  line(path: string, number: number, text: string): void {
    if (number <= (this.furthest.get(path) ?? 0)) return;
    this.furthest.set(path, number);
    this.lines++;
    this.bytes += Buffer.byteLength(text, 'utf8') + 1;
    this.bar.update(this);
  }
}

/** Total size in bytes of the files at `paths` (standard input and unreadable paths count 0). */
export async function totalBytes(paths: readonly string[]): Promise<number> {
  let total = 0;
  for (const path of paths) {
    if (path === STDIN_PATH) continue;
    try {
      total += (await stat(path)).size;
    } catch {
      // reported by the reader that opens it
    }
  }
  return total;
}

/** `readLines(path)`, counting each line into `progress`. */
export async function* countedLines(
  path: string,
  progress: ReadProgress,
): AsyncGenerator<InputLine> {
  for await (const line of readLines(path)) {
    progress.line(path, line.number, line.text);
    yield line;
  }
}
