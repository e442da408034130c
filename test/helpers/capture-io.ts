import type { CommandIO } from '../../src/cli/commands/io.ts';

/**
 * A `CommandIO` (not a terminal) that keeps every line a command writes, one
 * array entry per `out`/`err` call, for commands run directly in tests.
 */
export function captureIo(): CommandIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { isTTY: false, stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}
