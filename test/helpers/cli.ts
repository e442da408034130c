import type { CommandIO } from '../../src/cli/commands/io.ts';
import { main } from '../../src/cli/main.ts';

/** Runs the CLI in-process and captures what it prints. */
export async function runCli(
  argv: readonly string[],
): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CommandIO = {
    isTTY: false,
    out: (line) => stdout.push(...line.split('\n')),
    err: (line) => stderr.push(...line.split('\n')),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
