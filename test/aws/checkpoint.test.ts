import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CheckpointFile,
  eventIdentity,
  lockStateFile,
  RangeDigest,
  RangeSet,
  StateFileError,
} from '../../src/aws/checkpoint.ts';

function digestOf(events: readonly [number, string][]): RangeDigest {
  const digest = new RangeDigest();
  for (const [time, message] of events) digest.add(time, eventIdentity(time, message).term);
  return digest;
}

describe('RangeDigest', () => {
  it('gives the same digest for the same events in any order, and tells repeats apart', () => {
    const a = digestOf([
      [1, 'x'],
      [2, 'y'],
      [2, 'y'],
    ]);
    const b = digestOf([
      [2, 'y'],
      [1, 'x'],
      [2, 'y'],
    ]);
    const once = digestOf([
      [1, 'x'],
      [2, 'y'],
    ]);
    const shifted = digestOf([
      [1, 'x'],
      [3, 'y'],
      [3, 'y'],
    ]);
    expect(a.digest).toBe(b.digest);
    expect(a.toRange()).toEqual({ start: 1, end: 2, events: 3, digest: a.digest });
    expect(once.digest).not.toBe(a.digest);
    expect(shifted.digest).not.toBe(a.digest);
    expect(a.matches(b.toRange()!)).toBe(true);
    expect(once.matches(a.toRange()!)).toBe(false);
  });
});

describe('RangeSet', () => {
  const range = (start: number, end: number, events: [number, string][]) => ({
    ...digestOf(events).toRange()!,
    start,
    end,
  });

  it('keeps ranges sorted and disjoint, merging overlaps with their counts and digests', () => {
    const set = new RangeSet();
    set.add(range(20, 30, [[20, 'b']]));
    set.add(range(1, 5, [[1, 'a']]));
    expect(set.ranges.map((r) => [r.start, r.end])).toEqual([
      [1, 5],
      [20, 30],
    ]);
    expect(set.indexOf(3)).toBe(0);
    expect(set.indexOf(30)).toBe(1);
    expect(set.indexOf(10)).toBe(-1);
    expect(set.before(10)?.end).toBe(5);
    set.add(range(5, 20, [[10, 'c']]));
    expect(set.ranges).toHaveLength(1);
    const all = digestOf([
      [1, 'a'],
      [20, 'b'],
      [10, 'c'],
    ]);
    expect(set.ranges[0]).toEqual({ start: 1, end: 30, events: 3, digest: all.digest });
  });

  it('replaces a span by what was read back, and keeps an unknown range unknown when merged', () => {
    const set = new RangeSet([range(1, 5, [[1, 'a']]), range(10, 12, [[10, 'b']])]);
    set.replace({ start: 4, end: 11, events: 0, digest: digestOf([]).digest });
    expect(set.ranges).toEqual([]);
    set.add({ start: 0, end: 9, events: -1, digest: '' });
    set.add(range(5, 6, [[5, 'c']]));
    expect(set.ranges).toEqual([{ start: 0, end: 9, events: -1, digest: '' }]);
  });
});

describe('CheckpointFile', () => {
  it('starts empty, saves atomically and loads what it saved', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-state-'));
    const path = join(dir, 'nested', 'state.json');
    const file = await CheckpointFile.load(path);
    expect(file.get('g', 's')).toBeUndefined();
    const checkpoint = {
      ranges: [{ start: 1, end: 5, events: 2, digest: '00000000000000ff' }],
      pending: { start: 6, end: 7, events: 1, digest: '0000000000000001', sentAt: 8 },
      lines: 9,
      updatedAt: '2026-11-20T00:00:00.000Z',
    };
    await file.save('g', 's', checkpoint);
    const again = await CheckpointFile.load(path);
    expect(again.get('g', 's')).toEqual(checkpoint);
    expect(again.get('g', 'other')).toBeUndefined();
    expect(await readdir(join(dir, 'nested'))).toEqual(['state.json']);
  });

  it('names the file when it is not a state file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-state-'));
    const path = join(dir, 'state.json');
    await writeFile(path, '{"streams": 1');
    await expect(CheckpointFile.load(path)).rejects.toThrow(StateFileError);
    await expect(CheckpointFile.load(path)).rejects.toThrow(path);
    await writeFile(path, '{"version": 3}');
    await expect(CheckpointFile.load(path)).rejects.toThrow(/expected \{"version":2/);
    expect(await readFile(path, 'utf8')).toBe('{"version": 3}');
  });

  it('carries a version 1 high-water mark over as one range without a digest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-state-'));
    const path = join(dir, 'state.json');
    await writeFile(
      path,
      JSON.stringify({
        version: 1,
        streams: { 'g\u0000s': { time: 50, atTime: { h: 1 }, lines: 3, updatedAt: 'then' } },
      }),
    );
    const file = await CheckpointFile.load(path);
    expect(file.get('g', 's')).toEqual({
      ranges: [{ start: 0, end: 50, events: -1, digest: '' }],
      lines: 3,
      updatedAt: 'then',
    });
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
