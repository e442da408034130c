/**
 * Import checkpoints: per destination (a log group, or the S3 archive) and
 * stream, the set of time ranges already imported, each with the number of
 * events the destination holds in it and an order-independent digest of those
 * events (the sum, modulo 2^64, of a 64-bit hash of each event's time and
 * message). A file whose events in a range give the same count and digest adds
 * nothing there; any other overlap is settled by reading what the destination
 * holds (src/aws/importer.ts). Before a batch is sent its range is written as
 * `pending`: a run that was killed before the acknowledgement was recorded
 * reads that range back on the next start instead of assuming either way.
 * Kept in a local JSON file, rewritten atomically (temp file + rename).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Default state file, relative to the working directory. */
export const DEFAULT_STATE_PATH = '.tunnelwatch/import-state.json';

/** Events a destination holds in a time range, as the checkpoint records them. */
export interface ImportedRange {
  /** Epoch ms of the first and last event, both inclusive. */
  readonly start: number;
  readonly end: number;
  /** Events held in the range; -1 when unknown (a range carried over from a version 1 state file). */
  readonly events: number;
  /** Sum modulo 2^64 of `eventDigest` over those events, 16 hex digits ('' when unknown). */
  readonly digest: string;
}

/** A batch sent but not yet acknowledged, with the time it was sent (epoch ms). */
export interface PendingRange extends ImportedRange {
  readonly sentAt: number;
}

/** Where one stream's import stands. */
export interface StreamCheckpoint {
  /** Imported ranges, sorted by start, none overlapping another. */
  readonly ranges: readonly ImportedRange[];
  /** The batch in flight when the state was last written, if any. */
  readonly pending?: PendingRange;
  /** Lines imported into the stream so far, all runs (informational). */
  readonly lines: number;
  /** ISO time of the last update. */
  readonly updatedAt: string;
}

interface StateFile {
  readonly version: 2;
  readonly streams: Record<string, StreamCheckpoint>;
}

/** Version 1: one high-water mark per stream. */
interface StreamCheckpointV1 {
  readonly time: number;
  readonly lines?: number;
  readonly updatedAt?: string;
}

/** Thrown when the state file exists but cannot be used. */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

/** Short, stable digest of one line's text. */
export function lineHash(text: string): string {
  return createHash('sha1').update(text).digest('base64url').slice(0, 16);
}

/** One event's identity: `key` tells equal events apart in a multiset, `term` feeds a range digest. */
export interface EventIdentity {
  readonly key: string;
  readonly term: bigint;
}

/** The identity of the event stored at `time` (epoch ms) with `message`. */
export function eventIdentity(time: number, message: string): EventIdentity {
  const hash = createHash('sha1').update(`${time}\u0000${message}`).digest();
  return { key: hash.toString('base64url', 0, 15), term: hash.readBigUInt64BE(12) };
}

/** Accumulates the count and digest of events in a range. */
export class RangeDigest {
  start = Number.POSITIVE_INFINITY;
  end = Number.NEGATIVE_INFINITY;
  events = 0;
  private sum = 0n;

  add(time: number, term: bigint): void {
    if (time < this.start) this.start = time;
    if (time > this.end) this.end = time;
    this.events++;
    this.sum = BigInt.asUintN(64, this.sum + term);
  }

  /** True when it holds the same events as `range` (same count and digest). */
  matches(range: ImportedRange): boolean {
    return range.events === this.events && range.digest === this.digest;
  }

  get digest(): string {
    return this.sum.toString(16).padStart(16, '0');
  }

  /** The range these events span; undefined when there are none. */
  toRange(): ImportedRange | undefined {
    if (this.events === 0) return undefined;
    return { start: this.start, end: this.end, events: this.events, digest: this.digest };
  }
}

function addDigests(a: string, b: string): string {
  if (a === '' || b === '') return '';
  return BigInt.asUintN(64, BigInt(`0x${a}`) + BigInt(`0x${b}`))
    .toString(16)
    .padStart(16, '0');
}

/**
 * A set of imported ranges, kept sorted and disjoint: adding a range that
 * overlaps others (ends inclusive) merges them into one, adding counts and
 * digests (the events of disjoint batches add up).
 */
export class RangeSet {
  private items: ImportedRange[];

  constructor(ranges: readonly ImportedRange[] = []) {
    this.items = [];
    for (const range of ranges) this.add(range);
  }

  get ranges(): readonly ImportedRange[] {
    return this.items;
  }

  /** A copy that can change independently. */
  copy(): RangeSet {
    const other = new RangeSet();
    other.items = [...this.items];
    return other;
  }

  /** Epoch ms of the newest imported event; undefined when empty. */
  get newest(): number | undefined {
    return this.items[this.items.length - 1]?.end;
  }

  /** Index of the range holding `time`, or -1. */
  indexOf(time: number): number {
    let low = 0;
    let high = this.items.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const range = this.items[middle]!;
      if (time < range.start) high = middle - 1;
      else if (time > range.end) low = middle + 1;
      else return middle;
    }
    return -1;
  }

  /** The newest range that ends before `time`, if any. */
  before(time: number): ImportedRange | undefined {
    let found: ImportedRange | undefined;
    for (const range of this.items) {
      if (range.end < time) found = range;
      else break;
    }
    return found;
  }

  /** True when some range shares a time with [start, end]. */
  overlaps(start: number, end: number): boolean {
    return this.items.some((range) => range.start <= end && range.end >= start);
  }

  /** Adds `range`, merging the ranges it overlaps. */
  add(range: ImportedRange): void {
    let merged: ImportedRange = range;
    const kept: ImportedRange[] = [];
    for (const item of this.items) {
      if (item.start <= merged.end && item.end >= merged.start) {
        merged = {
          start: Math.min(item.start, merged.start),
          end: Math.max(item.end, merged.end),
          events: item.events < 0 || merged.events < 0 ? -1 : item.events + merged.events,
          digest: addDigests(item.digest, merged.digest),
        };
      } else kept.push(item);
    }
    kept.push(merged);
    kept.sort((a, b) => a.start - b.start);
    this.items = kept;
  }

  /** Replaces whatever lies in [truth.start, truth.end] by `truth` (what was read back). */
  replace(truth: ImportedRange): void {
    this.items = this.items.filter((item) => item.end < truth.start || item.start > truth.end);
    if (truth.events > 0) this.add(truth);
  }
}

function keyOf(destination: string, logStream: string): string {
  return `${destination}\u0000${logStream}`;
}

function fromV1(old: StreamCheckpointV1): StreamCheckpoint {
  return {
    // Everything up to the mark was imported, with no digest: overlaps are read back.
    ranges: [{ start: 0, end: old.time, events: -1, digest: '' }],
    lines: old.lines ?? 0,
    updatedAt: old.updatedAt ?? new Date(0).toISOString(),
  };
}

/** The checkpoint file: load once, then save after each change. */
export class CheckpointFile {
  private constructor(
    readonly path: string,
    private readonly state: StateFile,
  ) {}

  /**
   * Reads `path`; a missing file is an empty state, a version 1 file (one
   * high-water mark per stream) is carried over. Throws `StateFileError` when unreadable.
   */
  static async load(path: string = DEFAULT_STATE_PATH): Promise<CheckpointFile> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return new CheckpointFile(path, { version: 2, streams: {} });
      }
      throw new StateFileError(`cannot read state file ${path}: ${(error as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new StateFileError(`state file ${path} is not JSON: ${(error as Error).message}`);
    }
    const shape = parsed as { version?: unknown; streams?: unknown } | null;
    if (
      typeof shape !== 'object' ||
      shape === null ||
      (shape.version !== 1 && shape.version !== 2) ||
      typeof shape.streams !== 'object' ||
      shape.streams === null
    ) {
      throw new StateFileError(`state file ${path}: expected {"version":2,"streams":{…}}`);
    }
    const streams: Record<string, StreamCheckpoint> = {};
    for (const [key, value] of Object.entries(shape.streams as Record<string, unknown>)) {
      streams[key] =
        shape.version === 1 ? fromV1(value as StreamCheckpointV1) : (value as StreamCheckpoint);
    }
    return new CheckpointFile(path, { version: 2, streams });
  }

  /** The checkpoint of `destination` (log group name or archive URL) / `logStream`, if any. */
  get(destination: string, logStream: string): StreamCheckpoint | undefined {
    return this.state.streams[keyOf(destination, logStream)];
  }

  /** Sets a checkpoint and writes the whole file atomically. */
  async save(destination: string, logStream: string, checkpoint: StreamCheckpoint): Promise<void> {
    this.state.streams[keyOf(destination, logStream)] = checkpoint;
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(this.state));
    await rename(temporary, this.path);
  }
}

/**
 * Takes the state file's lock (`PATH.lock`, holding the owner's pid) so that
 * two imports never rewrite the same checkpoints from different views; a lock
 * left by a process that no longer runs is taken over. Returns the release
 * function. Throws `StateFileError` naming the running owner.
 */
export async function lockStateFile(path: string): Promise<() => Promise<void>> {
  const lock = `${path}.lock`;
  await mkdir(dirname(lock), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      return async () => {
        await unlink(lock).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StateFileError(`cannot lock state file ${path}: ${(error as Error).message}`);
      }
    }
    const owner = Number(await readFile(lock, 'utf8').catch(() => ''));
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
      throw new StateFileError(
        `state file ${path} is in use by another import (pid ${owner}); wait for it, or remove ${lock} if that process is gone`,
      );
    }
    // Stale: the owner is gone (or it is us, after a crash in this process).
    await unlink(lock).catch(() => undefined);
  }
  throw new StateFileError(`cannot lock state file ${path}: ${lock} keeps reappearing`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
