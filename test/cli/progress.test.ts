import { describe, expect, it } from 'vitest';
import { progressBar, progressLine, ReadProgress } from '../../src/cli/progress.ts';

const MIB = 1_048_576;

describe('progressLine', () => {
  it('shows bytes and lines of the total, percentage, rate and time left', () => {
    // 12 MiB of 30 MiB in 3 s, 100,000 lines so far: 4 MiB/s, 18 MiB left = 4.5 s
    const line = progressLine('replay', { bytes: 12 * MIB, lines: 100_000 }, 30 * MIB, 3000);
    expect(line).toBe(
      'replay [##########..............]   40%  12/30 MiB  100,000/~250,000 lines  4.0 MiB/s  ETA 5s',
    );
  });

  it('says minutes for long work, and does not divide by nothing at the start', () => {
    expect(progressLine('import', { bytes: MIB, lines: 10 }, 600 * MIB, 10_000)).toMatch(
      /ETA 1h39m$/,
    );
    expect(progressLine('import', { bytes: 0, lines: 0 }, 600 * MIB, 0)).toMatch(
      /0\/600 MiB {2}0\/\? lines {2}0\.0 MiB\/s {2}ETA \?$/,
    );
  });
});

describe('progressBar', () => {
  it('draws nothing off a terminal or for a small input', () => {
    expect(progressBar('replay', 100 * MIB, { terminal: false })).toBeUndefined();
    expect(progressBar('replay', MIB, { terminal: true })).toBeUndefined();
  });

  it('redraws in place at most once per interval and erases itself at the end', () => {
    // Prepare
    const frames: string[] = [];
    let now = 0;
    const bar = progressBar('replay', 10 * MIB, {
      terminal: true,
      write: (text) => frames.push(text),
      now: () => now,
      intervalMs: 100,
    });
    if (bar === undefined) throw new Error('expected a bar');

    // Act
    bar.update({ bytes: MIB, lines: 1 });
    now = 50;
    bar.update({ bytes: 2 * MIB, lines: 2 });
    now = 150;
    bar.update({ bytes: 5 * MIB, lines: 5 });
    bar.end();

    // Assess
    expect(frames).toHaveLength(3);
    expect(frames[0]).toMatch(/^\rreplay \[#{2}\.{22}\] {3}10%/);
    expect(frames[1]).toMatch(/^\rreplay \[#{12}\.{12}\] {3}50% {2}5\.0\/10 MiB/);
    expect(frames[2]).toBe('\r\u001b[K');
  });
});

describe('ReadProgress', () => {
  it('counts each line once, even when a file is read again from its start', () => {
    // Prepare
    const states: number[] = [];
    const progress = new ReadProgress({
      update: (state) => states.push(state.lines),
      end: () => {},
    });

    // Act: a.log lines 1-2, then a.log reopened (1-3), then b.log line 1
    for (const [path, n, text] of [
      ['a.log', 1, 'abc'],
      ['a.log', 2, 'déf'],
      ['a.log', 1, 'abc'],
      ['a.log', 2, 'déf'],
      ['a.log', 3, 'g'],
      ['b.log', 1, ''],
    ] as const) {
      progress.line(path, n, text);
    }

    // Assess: UTF-8 bytes plus one per line end
    expect(progress.lines).toBe(4);
    expect(progress.bytes).toBe(4 + 5 + 2 + 1);
    expect(states).toEqual([1, 2, 3, 4]);
  });
});
