/**
 * The `tunnelwatch` command: dispatches to one module per subcommand.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { CommandIO } from './commands/io.ts';
import { EXIT_USAGE, UsageError } from './errors.ts';
import { COMMAND_HELP, commandHelpText, overviewText } from './help.ts';

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
  // it reads the deploy configuration with its schema library
  'agent-config': async (argv, io) =>
    (await import('./commands/agent-config.ts')).agentConfigCommand(argv, io),
};

const USAGE = `usage: tunnelwatch <command> [options] FILE...
commands: ${Object.keys(COMMANDS).join(', ')}
run 'tunnelwatch help <command>' (or 'tunnelwatch <command> --help') for a command's options, 'tunnelwatch help' for an overview`;

/**
 * The package's version, from the nearest package.json named `tunnelwatch`
 * above this module (the source tree and the built package alike).
 */
export function packageVersion(): string {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    try {
      const json = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (json.name === 'tunnelwatch' && json.version !== undefined) return json.version;
    } catch {
      // no package.json here: look further up
    }
    if (dir.pathname === '/') return 'unknown';
  }
}

/** True when `argv` asks for help (`--help`/`-h` before any `--`). */
function asksForHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/**
 * One line for an error the AWS SDK throws before any request: no region
 * configured anywhere. Undefined for anything else.
 */
function missingRegionLine(error: unknown): string | undefined {
  if (!(error instanceof Error) || !/^Region is missing/.test(error.message)) return undefined;
  return 'no AWS region: pass --region REGION (e.g. --region ap-northeast-1) or set AWS_REGION';
}

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
  if (name === '--version' || name === '-V' || name === 'version') {
    io.out(packageVersion());
    return 0;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = rest[0];
    if (topic === undefined || topic === '--help' || topic === '-h') {
      io.out(overviewText(packageVersion()));
      return 0;
    }
    const text = commandHelpText(topic);
    if (text === undefined) {
      io.err(`tunnelwatch help: unknown command "${topic}"\n${USAGE}`);
      return EXIT_USAGE;
    }
    io.out(text);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`tunnelwatch: unknown command "${name}"\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (asksForHelp(rest) && COMMAND_HELP[name] !== undefined) {
    io.out(commandHelpText(name) ?? '');
    return 0;
  }
  // The SDK's notice that its 2027 releases need Node 22 is for this
  // package's maintainers, not for the person running a command.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`tunnelwatch ${name}: ${error.message}`);
      return EXIT_USAGE;
    }
    const region = missingRegionLine(error);
    if (region !== undefined) {
      io.err(`tunnelwatch ${name}: ${region}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
