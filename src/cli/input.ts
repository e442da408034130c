/**
 * Reading log files for the CLI: expanding directories, streaming lines with
 * bounded memory, and choosing each file's source and stream name.
 */
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { ParserOptions, SourceDefinition, StreamParser } from '../model.ts';
import type { RawLine, StreamBatch } from '../pipeline.ts';
import { sniffSource, sourceDefinition, unsupportedSources } from '../sources/index.ts';
import { compareLogFileNames, softetherStreamName } from '../sources/softether/files.ts';
import { UnreadableInputError, UnrecognisedInputError, UsageError } from './errors.ts';
import { type InputOptions, noZoneWarning, zoneFor } from './options.ts';

/** `-` reads standard input. */
export const STDIN_PATH = '-';

/** How many non-blank lines `--source auto` looks at. */
const SNIFF_LINES = 50;

/** One line of an input file; `number` is 1-based. */
export interface InputLine {
  readonly text: string;
  readonly number: number;
}

/** Something below a directory that could not be read, and why. */
export interface SkippedEntry {
  readonly path: string;
  readonly reason: string;
}

/**
 * Expands directories into the files below them (recursively, in name order,
 * except that SoftEther log trees come out chronologically: `server_log`,
 * `security_log`, `packet_log`, and within a directory `vpn_`/`sec_`/`pkt_`
 * files by period start, then split number) and keeps files as given.
 * Symbolic links below a directory are followed (a link back to a directory
 * being listed is skipped, as is a dangling link). Entries that cannot be
 * read (an unreadable subdirectory, a dangling link) go to `skipped` with the
 * reason when given, and the rest is still listed. Throws
 * `UnreadableInputError` for a path that does not exist or cannot be listed.
 */
export async function expandInputs(
  paths: readonly string[],
  skipped: SkippedEntry[] = [],
): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    if (path === STDIN_PATH) {
      files.push(path);
      continue;
    }
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch (error) {
      throw new UnreadableInputError(path, error);
    }
    if (isDirectory) {
      const top = await listDirectory(path);
      files.push(...(await listFiles(path, top, skipped, new Set([await realpath(path)]))));
    } else files.push(path);
  }
  return files;
}

/** A file to read, and whether it was found by listing a directory (not named). */
export interface ExpandedInput {
  readonly path: string;
  readonly listed: boolean;
}

/**
 * Expands each path on its own (see `expandInputs`), so that an unreadable
 * path is reported in one line through `reportError` and the others are still
 * processed. `failed` tells whether any path could not be read (exit code 1).
 */
export async function expandEach(
  paths: readonly string[],
  reportError: (line: string) => void,
): Promise<{ files: ExpandedInput[]; failed: boolean }> {
  const files: ExpandedInput[] = [];
  let failed = false;
  for (const path of paths) {
    try {
      const skipped: SkippedEntry[] = [];
      const expanded = await expandInputs([path], skipped);
      const listed = !(expanded.length === 1 && expanded[0] === path);
      for (const file of expanded) files.push({ path: file, listed });
      for (const entry of skipped) {
        reportError(`tunnelwatch: skipping ${entry.path}: ${entry.reason}`);
        failed = true;
      }
    } catch (error) {
      if (!(error instanceof UnreadableInputError)) throw error;
      reportError(`tunnelwatch: ${error.message}`);
      failed = true;
    }
  }
  return { files, failed };
}

async function listDirectory(directory: string): Promise<import('node:fs').Dirent[]> {
  try {
    return await readdir(directory, { withFileTypes: true });
  } catch (error) {
    throw new UnreadableInputError(directory, error);
  }
}

/**
 * The files below `directory` (whose entries are `entries`); `open` holds the
 * real paths of the directories being listed, to stop at a link loop.
 */
async function listFiles(
  directory: string,
  entries: import('node:fs').Dirent[],
  skipped: SkippedEntry[],
  open: ReadonlySet<string>,
): Promise<string[]> {
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => compareLogFileNames(a.name, b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const target = await stat(path);
        isDirectory = target.isDirectory();
        isFile = target.isFile();
      } catch (error) {
        skipped.push({ path, reason: `dangling symbolic link (${describeError(error)})` });
        continue;
      }
    }
    if (isDirectory) {
      const real = await realpath(path).catch(() => path);
      if (open.has(real)) {
        skipped.push({ path, reason: 'symbolic link back to a directory already being read' });
        continue;
      }
      let below: import('node:fs').Dirent[];
      try {
        below = await listDirectory(path);
      } catch (error) {
        skipped.push({ path, reason: describeError((error as UnreadableInputError).cause) });
        continue;
      }
      files.push(...(await listFiles(path, below, skipped, new Set([...open, real]))));
    } else if (isFile) files.push(path);
    else skipped.push({ path, reason: 'not a regular file (socket, device or pipe)' });
  }
  return files;
}

function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return error instanceof Error ? error.message : String(error);
}

/**
 * Streams the lines of `path` (`-` = stdin), CRLF or LF, in order. Errors while
 * opening or reading throw `UnreadableInputError` naming the file.
 */
export async function* readLines(path: string): AsyncGenerator<InputLine> {
  const input = path === STDIN_PATH ? process.stdin : createReadStream(path, { encoding: 'utf8' });
  if (input === process.stdin) process.stdin.setEncoding('utf8');
  let number = 0;
  let rest = '';
  // Lines end at \n, \r\n or a lone \r, as in Node 20's readline; Node 24's
  // readline also ends them at U+2028 and U+2029, which log text may hold.
  const ending = /\r\n|\n|\r(?!$)/g;
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      const text = rest + chunk;
      let start = 0;
      ending.lastIndex = 0;
      for (let match = ending.exec(text); match !== null; match = ending.exec(text)) {
        number++;
        yield { text: text.slice(start, match.index), number };
        start = match.index + match[0].length;
      }
      rest = text.slice(start);
    }
    if (rest.endsWith('\r')) rest = rest.slice(0, -1);
    if (rest !== '') {
      number++;
      yield { text: rest, number };
    }
  } catch (error) {
    throw new UnreadableInputError(path, error);
  } finally {
    // A caller that stops early (sniffing, head reads) must not leak the descriptor.
    if (input !== process.stdin) input.destroy();
  }
}

/**
 * The stream name the CLI gives a file: `--stream`; else, inside a SoftEther
 * log tree, the path from the log directory on (`security_log/HUB/sec_20250101`,
 * which carries the hub); else its base name without extension.
 */
export function streamNameFor(path: string, options: InputOptions): string {
  if (options.stream !== undefined) return options.stream;
  if (path === STDIN_PATH) return 'stdin';
  const softether = softetherStreamName(path);
  if (softether !== undefined) return softether;
  const name = basename(path);
  return name.slice(0, name.length - extname(name).length);
}

/** A file opened for parsing: its lines (starting again from the first) and its parser. */
export interface OpenedInput {
  readonly path: string;
  readonly stream: string;
  readonly definition: SourceDefinition;
  readonly parser: StreamParser;
  readonly lines: AsyncIterable<InputLine>;
  /** Closes the file without reading the rest (when only its format was wanted). */
  close(): Promise<void>;
  /** The zone local times are read in. */
  readonly timeZone: string;
  /** True when a local-time format is read in UTC because no zone was given (warn once). */
  readonly zoneGuessed: boolean;
}

/**
 * Opens `path` for parsing: picks the source (`--source`, or sniffing the first
 * lines for `auto`) and creates a parser for the file's stream. Throws
 * `UsageError` when the source cannot be determined or is not supported yet.
 */
export async function openInput(path: string, options: InputOptions): Promise<OpenedInput> {
  const lines = readLines(path);
  const head: InputLine[] = [];
  let nonBlank = 0;
  while (nonBlank < SNIFF_LINES) {
    const next = await lines.next();
    if (next.done) break;
    head.push(next.value);
    if (next.value.text.trim() !== '') nonBlank++;
  }
  const definition = chooseDefinition(
    path,
    options,
    head.map((line) => line.text),
  );
  const stream = streamNameFor(path, options);
  const { timeZone, given } = zoneFor(options, definition.source);
  const parserOptions: ParserOptions = { timeZone, stream };
  const guessed = !given && timesDependOnZone(definition, stream, head);
  return {
    path,
    stream,
    definition,
    timeZone,
    zoneGuessed: guessed,
    parser: definition.createParser(parserOptions),
    lines: (async function* () {
      yield* head;
      yield* lines;
    })(),
    close: async () => {
      await lines.return(undefined);
    },
  };
}

/** A zone 14 hours from UTC: local times read in it differ from the same read in UTC. */
const PROBE_ZONE = 'Pacific/Kiritimati';

/**
 * True when the lines' times depend on the zone they are read in (a local-time
 * format): the same lines read in UTC and in `PROBE_ZONE` give different
 * times. Formats that carry a zone or an epoch give the same time both ways.
 */
export function timesDependOnZone(
  definition: SourceDefinition,
  stream: string,
  lines: readonly InputLine[],
): boolean {
  const utc = definition.createParser({ timeZone: 'UTC', stream });
  const far = definition.createParser({ timeZone: PROBE_ZONE, stream });
  for (const line of lines) {
    if (line.text.trim() === '') continue;
    const context = { origin: { stream, line: line.number } };
    const a = utc.parse(line.text, context).time;
    const b = far.parse(line.text, context).time;
    if (a !== null && b !== null && a !== b) return true;
  }
  return false;
}

function chooseDefinition(
  path: string,
  options: InputOptions,
  head: readonly string[],
): SourceDefinition {
  if (options.source !== 'auto') {
    const definition = sourceDefinition(options.source);
    if (definition === undefined) {
      throw new UsageError(`--source ${options.source}: this source is not supported yet`);
    }
    return definition;
  }
  const sniffed = sniffSource(head);
  if (sniffed !== undefined) return sniffed;
  if (head.every((line) => line.trim() === '')) {
    throw new UnrecognisedInputError(path, 'empty file, nothing to read', true);
  }
  const pending = unsupportedSources();
  const notYet = pending.length > 0 ? ` (not supported yet: ${pending.join(', ')})` : '';
  throw new UnrecognisedInputError(
    path,
    `not a log format tunnelwatch knows (--source auto could not recognise it${notYet}; name it with --source if it is one)`,
    false,
  );
}

/**
 * Opens one input and chooses its format (`replay`, `report`). An empty file,
 * or one found by expanding a directory whose format is not recognised, is
 * skipped with a note through `reportError` (undefined); a named file that is
 * not recognised throws `UnrecognisedInputError`, as in `classify`. A
 * local-time format read without a zone is reported through `reportError`.
 */
export async function openListedInput(
  input: ExpandedInput,
  options: InputOptions,
  command: string,
  reportError: (line: string) => void,
): Promise<OpenedInput | undefined> {
  let opened: OpenedInput;
  try {
    opened = await openInput(input.path, options);
  } catch (error) {
    if (error instanceof UnrecognisedInputError && (input.listed || error.empty)) {
      reportError(`tunnelwatch ${command}: ${error.message}`);
      return undefined;
    }
    throw error;
  }
  if (opened.zoneGuessed) {
    reportError(noZoneWarning(command, input.path, opened.definition.source));
  }
  return opened;
}

/** Reads an opened file (or any input of lines with its format chosen) whole into a pipeline batch. */
export async function readWholeBatch(
  opened: Pick<OpenedInput, 'path' | 'stream' | 'definition' | 'timeZone' | 'lines'>,
): Promise<StreamBatch> {
  const lines: RawLine[] = [];
  for await (const line of opened.lines) lines.push({ text: line.text, line: line.number });
  return {
    source: opened.definition.source,
    stream: opened.stream,
    file: opened.path,
    timeZone: opened.timeZone,
    lines,
  };
}

/** The batches of every file below `paths`, and whether some path could not be read. */
export interface ReadBatches {
  readonly batches: StreamBatch[];
  readonly failed: boolean;
}

/**
 * Expands `paths` and reads every file into a batch (`replay`, `report`):
 * an unreadable path or file is reported in one line through `reportError`
 * (prefixed with `tunnelwatch COMMAND:`) and the others are still read; an
 * empty or listed file of an unknown format is skipped with a note.
 */
export async function readBatches(
  paths: readonly string[],
  options: InputOptions,
  command: string,
  reportError: (line: string) => void,
): Promise<ReadBatches> {
  const expanded = await expandEach(paths, reportError);
  let failed = expanded.failed;
  const batches: StreamBatch[] = [];
  for (const input of expanded.files) {
    try {
      const opened = await openListedInput(input, options, command, reportError);
      if (opened !== undefined) batches.push(await readWholeBatch(opened));
    } catch (error) {
      // UnrecognisedInputError is one too: a named file of an unknown format.
      if (!(error instanceof UnreadableInputError)) throw error;
      reportError(`tunnelwatch ${command}: ${error.message}`);
      failed = true;
    }
  }
  return { batches, failed };
}
