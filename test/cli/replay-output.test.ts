import { describe, expect, it } from 'vitest';
import { painter, wrap } from '../../src/cli/commands/replay-output.ts';

describe('wrap', () => {
  it('wraps at word boundaries within the width', () => {
    expect(wrap('aaa bbb ccc ddd', 7, 5)).toEqual(['aaa bbb', 'ccc ddd']);
  });

  it('keeps at most maxLines lines and marks the cut', () => {
    const lines = wrap('one two three four five six seven', 9, 2);
    expect(lines).toHaveLength(2);
    expect(lines[1]?.endsWith('…')).toBe(true);
    expect(lines.every((line) => line.length <= 9)).toBe(true);
  });
});

describe('painter', () => {
  it('adds SGR codes only when colouring', () => {
    expect(painter(false)('red', 'x')).toBe('x');
    expect(painter(true)('red', 'x')).toBe('\u001b[31mx\u001b[39m');
  });
});
