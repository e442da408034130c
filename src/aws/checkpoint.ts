/**
 * Import checkpoints: per log group and stream, the last imported timestamp
 * and a digest (multiset of line hashes) of the lines imported at exactly that
 * timestamp. Kept in a local JSON file, rewritten atomically (temp file +
 * rename) after every acknowledged batch, so an interrupted import resumes
 * where it stopped and a repeated or overlapping import adds nothing twice.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Default state file, relative to the working directory. */
export const DEFAULT_STATE_PATH = '.tunnelwatch/import-state.json';

/** Where one stream's import stands. */
export interface StreamCheckpoint {
  /** Epoch ms of the newest imported line. */
  readonly time: number;
  /** Hash → how many lines with that text were imported at `time`. */
  readonly atTime: Readonly<Record<string, number>>;
  /** Lines imported into the stream so far, all runs (informational). */
  readonly lines: number;
  /** ISO time of the last update. */
  readonly updatedAt: string;
}

interface StateFile {
  readonly version: 1;
  readonly streams: Record<string, StreamCheckpoint>;
}

/** Thrown when the state file exists but cannot be used. */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

/** Short, stable digest of one line's text (the dedup key within a timestamp). */
export function lineHash(text: string): string {
  return createHash('sha1').update(text).digest('base64url').slice(0, 16);
}

function keyOf(logGroup: string, logStream: string): string {
  return `${logGroup}\u0000${logStream}`;
}

/** The checkpoint file: load once, then save after each acknowledged batch. */
export class CheckpointFile {
  private constructor(
    readonly path: string,
    private readonly state: StateFile,
  ) {}

  /** Reads `path`; a missing file is an empty state. Throws `StateFileError` when unreadable. */
  static async load(path: string = DEFAULT_STATE_PATH): Promise<CheckpointFile> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return new CheckpointFile(path, { version: 1, streams: {} });
      }
      throw new StateFileError(`cannot read state file ${path}: ${(error as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new StateFileError(`state file ${path} is not JSON: ${(error as Error).message}`);
    }
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      (parsed as { version?: unknown }).version !== 1 ||
      typeof (parsed as { streams?: unknown }).streams !== 'object'
    ) {
      throw new StateFileError(`state file ${path}: expected {"version":1,"streams":{…}}`);
    }
    return new CheckpointFile(path, parsed as StateFile);
  }

  /** The checkpoint of `logGroup`/`logStream`, if any. */
  get(logGroup: string, logStream: string): StreamCheckpoint | undefined {
    return this.state.streams[keyOf(logGroup, logStream)];
  }

  /** Sets a checkpoint and writes the whole file atomically. */
  async save(logGroup: string, logStream: string, checkpoint: StreamCheckpoint): Promise<void> {
    this.state.streams[keyOf(logGroup, logStream)] = checkpoint;
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

/** What the deduplicator decided for one line. */
export type DedupDecision = 'import' | 'before-checkpoint' | 'duplicate';

/**
 * The running high-water mark of one stream. Lines older than it were imported
 * before; lines at it are duplicates when their text was imported at that time
 * already (counted with multiplicity, per file: identical lines within one
 * file are distinct lines).
 */
export class StreamDeduplicator {
  private time: number;
  private atTime: Map<string, number>;
  private lines: number;
  /** Lines at `time` imported before the current file: what an overlap may repeat. */
  private seen = new Map<string, number>();

  constructor(checkpoint?: StreamCheckpoint) {
    this.time = checkpoint?.time ?? Number.NEGATIVE_INFINITY;
    this.atTime = new Map(Object.entries(checkpoint?.atTime ?? {}));
    this.lines = checkpoint?.lines ?? 0;
  }

  /** Epoch ms of the newest line recorded; -Infinity before the first. */
  get newest(): number {
    return this.time;
  }

  /** Call at the start of each file of the stream. */
  startFile(): void {
    this.seen = new Map(this.atTime);
  }

  /** What `commit` would decide for a line at `time` with text hash `hash` (no change). */
  peek(time: number, hash: string): DedupDecision {
    if (time < this.time) return 'before-checkpoint';
    if (time === this.time && (this.seen.get(hash) ?? 0) > 0) return 'duplicate';
    return 'import';
  }

  /** Decides for a line at `time` with text hash `hash` and records the decision. */
  commit(time: number, hash: string): DedupDecision {
    const decision = this.peek(time, hash);
    if (decision === 'before-checkpoint') return decision;
    if (decision === 'duplicate') {
      this.seen.set(hash, (this.seen.get(hash) ?? 1) - 1);
      return decision;
    }
    if (time === this.time) {
      this.atTime.set(hash, (this.atTime.get(hash) ?? 0) + 1);
    } else {
      this.time = time;
      this.atTime = new Map([[hash, 1]]);
      this.seen = new Map();
    }
    this.lines++;
    return decision;
  }

  /** The checkpoint as of now (a copy). */
  snapshot(now: Date = new Date()): StreamCheckpoint | undefined {
    if (this.time === Number.NEGATIVE_INFINITY) return undefined;
    return {
      time: this.time,
      atTime: Object.fromEntries(this.atTime),
      lines: this.lines,
      updatedAt: now.toISOString(),
    };
  }
}
