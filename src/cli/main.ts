/**
 * The `tunnelwatch` command: dispatches to one module per subcommand.
 */
import { pathToFileURL } from 'node:url';
import type { CommandIO } from './commands/io.ts';
import { UsageError } from './errors.ts';

type Command = (argv: readonly string[], io: CommandIO) => Promise<number>;

/**
 * Subcommands by name, each loaded on use: the CLI starts by reading this
 * file alone (`--help` costs little more than starting Node), and only the
 * AWS commands (import, logs, tail, redrive) load the AWS SDK.
 */
const COMMANDS: Readonly<Record<string, Command>> = {
  classify: async (argv, io) => (await import('./commands/classify.ts')).classifyCommand(argv, io),
  import: async (argv, io) => (await import('./commands/import.ts')).importCommand(argv, io),
  logs: async (argv, io) => (await import('./commands/logs.ts')).logsCommand(argv, io),
  replay: async (argv, io) => (await import('./commands/replay.ts')).replayCommand(argv, io),
  tail: async (argv, io) => (await import('./commands/tail.ts')).tailCommand(argv, io),
  redrive: async (argv, io) => (await import('./commands/redrive.ts')).redriveCommand(argv, io),
  'agent-config': async (argv, io) =>
    (await import('./commands/agent-config.ts')).agentConfigCommand(argv, io),
};

const USAGE = `usage: tunnelwatch <command> [options] FILE...
commands: ${Object.keys(COMMANDS).join(', ')}
run 'tunnelwatch <command> --help' for a command's options`;

/**
 * An IO that writes to the process's stdout/stderr, buffering stdout: lines
 * are written in 64 KiB chunks, and whatever is buffered is written as soon as
 * the event loop is idle, so a command that keeps running (`tail --follow`)
 * shows its lines without waiting to exit.
 */
export function processIO(): CommandIO & { flush(): Promise<void> } {
  // The reader went away (`tunnelwatch classify … | head`): stop quietly, as
  // other command-line tools do, instead of an unhandled EPIPE stack trace.
  if (!process.stdout.listeners('error').includes(exitOnClosedPipe)) {
    process.stdout.on('error', exitOnClosedPipe);
  }
  let buffer: string[] = [];
  let size = 0;
  let idleFlush: NodeJS.Immediate | undefined;
  const flushSync = (): void => {
    if (idleFlush !== undefined) clearImmediate(idleFlush);
    idleFlush = undefined;
    if (buffer.length === 0) return;
    process.stdout.write(buffer.join(''));
    buffer = [];
    size = 0;
  };
  return {
    isTTY: process.stdout.isTTY === true,
    out(line) {
      buffer.push(line, '\n');
      size += line.length + 1;
      if (size > 64 * 1024) flushSync();
      else idleFlush ??= setImmediate(flushSync);
    },
    err(line) {
      flushSync();
      process.stderr.write(`${line}\n`);
    },
    async flush() {
      if (idleFlush !== undefined) clearImmediate(idleFlush);
      idleFlush = undefined;
      const pending = buffer.join('');
      buffer = [];
      size = 0;
      if (pending === '') return;
      await new Promise<void>((resolve) => {
        if (process.stdout.write(pending)) resolve();
        else process.stdout.once('drain', () => resolve());
      });
    },
  };
}

function exitOnClosedPipe(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
}

/** Runs the command line `argv` (without node and script); returns the exit code. */
export async function main(
  argv: readonly string[],
  io: CommandIO & { flush?(): Promise<void> } = processIO(),
): Promise<number> {
  // The AWS SDK's notice about Node versions (nine lines on stderr, once per
  // process) is not the CLI's output: package.json's `engines` states the Node
  // tunnelwatch supports. Read by the SDK when a client is created.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  try {
    return await dispatch(argv, io);
  } finally {
    await io.flush?.();
  }
}

async function dispatch(argv: readonly string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(USAGE);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`tunnelwatch: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`tunnelwatch ${name}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
