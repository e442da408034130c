import { describe, expect, it } from 'vitest';
import { painter } from '../../src/cli/commands/replay-output.ts';

describe('painter', () => {
  it('adds SGR codes only when colouring', () => {
    expect(painter(false)('red', 'x')).toBe('x');
    expect(painter(true)('red', 'x')).toBe('\u001b[31mx\u001b[39m');
  });
});
