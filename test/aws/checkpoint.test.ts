import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CheckpointFile,
  lineHash,
  lockStateFile,
  StateFileError,
  StreamDeduplicator,
} from '../../src/aws/checkpoint.ts';

/** Feeds (time, text) lines as one file; returns the decisions. */
function feed(dedup: StreamDeduplicator, lines: readonly [number, string][]): string[] {
  dedup.startFile();
  return lines.map(([time, text]) => dedup.commit(time, lineHash(text)));
}

describe('StreamDeduplicator', () => {
  it('imports everything the first time, identical lines at one time included', () => {
    const dedup = new StreamDeduplicator();
    expect(
      feed(dedup, [
        [1, 'a'],
        [2, 'x'],
        [2, 'x'],
        [3, 'b'],
      ]),
    ).toEqual(['import', 'import', 'import', 'import']);
  });

  it('skips the whole file on a second import', () => {
    const dedup = new StreamDeduplicator();
    const file: [number, string][] = [
      [1, 'a'],
      [2, 'x'],
      [2, 'x'],
    ];
    feed(dedup, file);
    expect(feed(dedup, file)).toEqual(['before-checkpoint', 'duplicate', 'duplicate']);
  });

  it('imports only the new tail of an overlapping download, counting repeats at the boundary', () => {
    // Prepare: download 1 ends with two identical lines at t=5; download 2
    // starts in the same second with three of them (one is new) and goes on.
    const dedup = new StreamDeduplicator();
    feed(dedup, [
      [4, 'a'],
      [5, 'x'],
      [5, 'x'],
    ]);
    // Act
    const decisions = feed(dedup, [
      [5, 'x'],
      [5, 'x'],
      [5, 'x'],
      [5, 'y'],
      [6, 'z'],
    ]);
    // Assess
    expect(decisions).toEqual(['duplicate', 'duplicate', 'import', 'import', 'import']);
  });

  it('resumes from a saved checkpoint exactly where it stopped', () => {
    const lines: [number, string][] = [
      [1, 'a'],
      [2, 'b'],
      [2, 'b'],
      [2, 'c'],
      [3, 'd'],
    ];
    const first = new StreamDeduplicator();
    feed(first, lines.slice(0, 3));
    const resumed = new StreamDeduplicator(first.snapshot());
    expect(feed(resumed, lines)).toEqual([
      'before-checkpoint',
      'duplicate',
      'duplicate',
      'import',
      'import',
    ]);
  });

  it('peek does not change the state', () => {
    const dedup = new StreamDeduplicator();
    feed(dedup, [[2, 'a']]);
    dedup.startFile();
    expect(dedup.peek(2, lineHash('a'))).toBe('duplicate');
    expect(dedup.peek(2, lineHash('a'))).toBe('duplicate');
    expect(dedup.commit(2, lineHash('a'))).toBe('duplicate');
    expect(dedup.peek(2, lineHash('a'))).toBe('import');
  });
});

describe('CheckpointFile', () => {
  it('starts empty, saves atomically and loads what it saved', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-state-'));
    const path = join(dir, 'nested', 'state.json');
    const file = await CheckpointFile.load(path);
    expect(file.get('g', 's')).toBeUndefined();
    await file.save('g', 's', {
      time: 5,
      atTime: { h: 2 },
      lines: 9,
      updatedAt: '2026-11-20T00:00:00.000Z',
    });
    const again = await CheckpointFile.load(path);
    expect(again.get('g', 's')).toEqual({
      time: 5,
      atTime: { h: 2 },
      lines: 9,
      updatedAt: '2026-11-20T00:00:00.000Z',
    });
    expect(again.get('g', 'other')).toBeUndefined();
    expect(await readdir(join(dir, 'nested'))).toEqual(['state.json']);
  });

  it('names the file when it is not a state file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-state-'));
    const path = join(dir, 'state.json');
    await writeFile(path, '{"streams": 1');
    await expect(CheckpointFile.load(path)).rejects.toThrow(StateFileError);
    await expect(CheckpointFile.load(path)).rejects.toThrow(path);
    await writeFile(path, '{"version": 2}');
    await expect(CheckpointFile.load(path)).rejects.toThrow(/expected \{"version":1/);
    expect(await readFile(path, 'utf8')).toBe('{"version": 2}');
  });
});

describe('lockStateFile', () => {
  it('refuses a state file another running import holds, takes over a stale lock, and releases', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-lock-'));
    const path = join(dir, 'state.json');
    // Held by a live process (our parent).
    await writeFile(`${path}.lock`, String(process.ppid));
    await expect(lockStateFile(path)).rejects.toThrow(
      `in use by another import (pid ${process.ppid})`,
    );
    // Left by a process that is gone.
    await writeFile(`${path}.lock`, '2147483646');
    const release = await lockStateFile(path);
    expect(await readFile(`${path}.lock`, 'utf8')).toBe(String(process.pid));
    await release();
    expect(await readdir(dir)).toEqual([]);
  });
});
