/**
 * `tunnelwatch import`: sends log files to a CloudWatch Logs group without
 * loss or duplicates (src/aws/importer.ts), with a progress bar on a
 * terminal, a one-line summary otherwise, or one JSON object (`--json`).
 */

import { safeJson } from '../../alerts/sanitize.ts';
import {
  CheckpointFile,
  DEFAULT_STATE_PATH,
  lockStateFile,
  StateFileError,
} from '../../aws/checkpoint.ts';
import { createLogsClient, createS3Client, type LogsClientOptions } from '../../aws/client.ts';
import { DEFAULT_RETRY, LogAccessError, type RetryPolicy } from '../../aws/cloudwatch-logs.ts';
import { importStreamName } from '../../aws/import-files.ts';
import {
  DEFAULT_REJECTS_PATH,
  type ImportDestination,
  type ImportProgress,
  type ImportResult,
  importClock,
  importLogs,
} from '../../aws/importer.ts';
import { parseArchiveUrl, s3Archive } from '../../aws/s3-archive.ts';
import { type VerifyReport, verifyStream } from '../../aws/verify.ts';
import { isoTime } from '../../model.ts';
import { UsageError } from '../errors.ts';
import { expandEach } from '../input.ts';
import { inputOptions, parseCommandArgs } from '../options.ts';
import { progressLine, totalBytes } from '../progress.ts';
import { AWS_OPTION_SPEC, clientOptions, requiredLogGroup } from './aws-options.ts';
import type { CommandIO } from './io.ts';

/** Usage text of `import`. */
export const IMPORT_USAGE = `usage: tunnelwatch import --log-group GROUP [--stream NAME] [--source auto|aws-s2s|openvpn|softether]
                         [--tz ZONE] [--verify] [--expect-overlap] [--json] [--state FILE] [--rejects FILE] [--settle SECONDS] [--archive s3://BUCKET/PREFIX]
                         [--region REGION] [--endpoint-url URL] FILE|DIR...`;

/** Test and bench hooks: abort signal, retry policy, progress sink. */
export interface ImportHooks {
  readonly signal?: AbortSignal;
  readonly retry?: RetryPolicy;
  /** Progress sink for terminals; default writes a bar to stderr when it is a TTY. */
  readonly progress?: (progress: ImportProgress) => void;
  /** Read-after-write delay of the log group (ms); the emulator needs none. */
  readonly settleMs?: number;
}

/** Runs `import`; returns the exit code (0 done, 1 unreadable input / failed / interrupted / verify mismatch, 2 usage). */
export async function importCommand(
  argv: readonly string[],
  io: CommandIO,
  hooks: ImportHooks = {},
): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    ...AWS_OPTION_SPEC,
    verify: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'expect-overlap': { type: 'boolean', default: false },
    state: { type: 'string', default: DEFAULT_STATE_PATH },
    rejects: { type: 'string', default: DEFAULT_REJECTS_PATH },
    settle: { type: 'string' },
    archive: { type: 'string' },
  });
  if (values.help) {
    io.out(IMPORT_USAGE);
    return 0;
  }
  const logGroup = requiredLogGroup(values);
  const settleMs = settleOption(values.settle) ?? hooks.settleMs;
  const input = inputOptions(values);
  const client = createLogsClient({ ...clientOptions(values), maxAttempts: 1 });
  const archive = archiveOption(values.archive, clientOptions(values));
  if (positionals.length === 0) {
    io.err(`tunnelwatch import: no FILE or DIR given\n${IMPORT_USAGE}`);
    return 2;
  }
  if (positionals.includes('-')) {
    throw new UsageError(
      'import reads files twice (to order them, then to send them): save standard input to a file and import that',
    );
  }
  const expanded = await expandEach(positionals, io.err);
  let exitCode = expanded.failed ? 1 : 0;
  const files = expanded.files.map((file) => file.path);
  const run = async (checkpoints: CheckpointFile): Promise<number> => {
    const interrupt = new AbortController();
    const outer = hooks.signal;
    const forward = (): void => interrupt.abort();
    outer?.addEventListener('abort', forward);
    const onSigint = (): void => {
      if (interrupt.signal.aborted) process.exit(130);
      io.err('tunnelwatch import: stopping after the batch in flight (Ctrl-C again to quit now)');
      interrupt.abort();
    };
    process.on('SIGINT', onSigint);
    const bar =
      hooks.progress ??
      (io.isTTY && process.stderr.isTTY ? terminalBar(await totalBytes(files)) : undefined);
    let result: ImportResult;
    try {
      result = await importLogs(
        {
          logGroup,
          files,
          source: input.source,
          timeZone: input.timeZone,
          expectOverlap: values['expect-overlap'],
          ...(input.stream === undefined ? {} : { stream: input.stream }),
        },
        {
          client,
          checkpoints,
          rejectsPath: values.rejects,
          retry: {
            ...(hooks.retry ?? DEFAULT_RETRY),
            onRetry: (attempt, error) =>
              io.err(
                `tunnelwatch import: retrying after ${(error as Error).name ?? 'error'} (attempt ${attempt})`,
              ),
          },
          signal: interrupt.signal,
          ...(settleMs === undefined ? {} : { settleMs }),
          ...(archive === undefined ? {} : { archive }),
          ...(bar === undefined ? {} : { onProgress: bar }),
        },
      );
    } catch (error) {
      if (error instanceof LogAccessError && error.missing !== undefined) {
        io.err(`tunnelwatch import: ${error.message}`);
        return 1;
      }
      if (error instanceof LogAccessError || isServiceError(error)) {
        io.err(
          `tunnelwatch import: ${(error as Error).message}; nothing after the last acknowledged batch was recorded, run again to resume`,
        );
        return 1;
      }
      throw error;
    } finally {
      process.off('SIGINT', onSigint);
      outer?.removeEventListener('abort', forward);
      if (bar !== undefined && hooks.progress === undefined) process.stderr.write('\n');
    }
    for (const problem of result.progress.unreadable)
      io.err(`tunnelwatch import: cannot read ${problem}`);
    if (result.progress.unreadable.length > 0) exitCode = 1;
    for (const gap of result.progress.gaps) {
      io.err(
        `tunnelwatch import: ${gap.file} does not overlap the stream: it starts at ${gap.firstLine}, the last imported line is from ${gap.after}; lines in between may be lost at the source`,
      );
    }
    if (result.interrupted) exitCode = 1;
    if (result.progress.rejected > 0) {
      exitCode = 1;
      io.err(
        `tunnelwatch import: ${result.progress.rejected} line(s) could go nowhere (${rejectReasons(result.progress)}), listed in ${values.rejects}${archive === undefined && (result.progress.rejectedByReason.tooOld ?? 0) > 0 ? '; lines older than CloudWatch Logs accepts go to an archive with --archive s3://BUCKET/PREFIX' : ''}`,
      );
    }
    const verified: VerifyReport[] = [];
    if (values.verify && !result.interrupted) {
      for (const stream of result.streams) {
        const streamFiles = files.filter(
          (file) => importStreamName(file, input.stream) === stream.name,
        );
        const report = await verifyStream(client, logGroup, stream.name, streamFiles, (file) =>
          importClock(file, input, stream.name),
        );
        verified.push(report);
        if (report.missing > 0 || report.duplicated > 0) exitCode = 1;
      }
    }
    if (values.json) {
      io.out(safeJson(jsonSummary(logGroup, result, verified, values.rejects, values.archive)));
    } else {
      io.out(summaryLine(logGroup, result, values.rejects, values.archive));
      for (const report of verified) io.out(verifyLine(report));
      if (result.interrupted) {
        io.err('tunnelwatch import: interrupted; run the same command again to resume');
      }
    }
    return exitCode;
  };
  let unlock: () => Promise<void>;
  try {
    unlock = await lockStateFile(values.state);
  } catch (error) {
    if (!(error instanceof StateFileError)) throw error;
    io.err(`tunnelwatch import: ${error.message}`);
    return 1;
  }
  let checkpoints: CheckpointFile;
  try {
    checkpoints = await CheckpointFile.load(values.state);
  } catch (error) {
    await unlock();
    if (!(error instanceof StateFileError)) throw error;
    io.err(`tunnelwatch import: ${error.message}`);
    return 1;
  }
  try {
    return await run(checkpoints);
  } finally {
    await unlock();
  }
}

/** `--archive s3://BUCKET/PREFIX`: the archive for lines older than CloudWatch Logs accepts. */
function archiveOption(
  url: string | undefined,
  options: LogsClientOptions,
): ImportDestination | undefined {
  if (url === undefined) return undefined;
  try {
    parseArchiveUrl(url);
  } catch (error) {
    throw new UsageError(`--archive: ${(error as Error).message}`);
  }
  return s3Archive({ client: createS3Client(options), url });
}

function rejectReasons(progress: ImportProgress): string {
  return Object.entries(progress.rejectedByReason)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
}

/** `--settle SECONDS`: how long written events may take to become readable. */
function settleOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > 600) {
    throw new UsageError(`--settle: expected seconds from 0 to 600, got "${text}"`);
  }
  return seconds * 1000;
}

function isServiceError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && '$metadata' in error;
}

function iso(time: number | null): string | null {
  return time === null ? null : isoTime(time);
}

function rate(progress: ImportProgress): number {
  const seconds = Math.max(0.001, (Date.now() - progress.startedAt) / 1000);
  return Math.round(progress.events / seconds);
}

/** The `--json` summary object. */
function jsonSummary(
  logGroup: string,
  result: ImportResult,
  verified: readonly VerifyReport[],
  rejectsPath: string,
  archiveUrl: string | undefined,
): Record<string, unknown> {
  const { progress } = result;
  return {
    logGroup,
    interrupted: result.interrupted,
    files: progress.filesDone,
    lines: progress.lines,
    bytes: progress.bytes,
    imported: progress.imported,
    events: progress.events,
    batches: progress.batches,
    eventsPerSecond: rate(progress),
    archived: progress.archived,
    archive: archiveUrl ?? null,
    alreadyImported: progress.alreadyImported,
    readBack: progress.readBack,
    recovered: progress.recovered,
    blank: progress.blank,
    split: progress.split,
    rejected: {
      count: progress.rejected,
      byReason: progress.rejectedByReason,
      first: iso(progress.rejectedFirst),
      last: iso(progress.rejectedLast),
      file: progress.rejected > 0 ? rejectsPath : null,
    },
    unreadable: progress.unreadable,
    gaps: progress.gaps,
    fill: result.fill,
    streams: result.streams.map((stream) => ({
      name: stream.name,
      ranges: stream.checkpoint?.ranges.length ?? 0,
      newest: iso(stream.checkpoint?.ranges.at(-1)?.end ?? null),
    })),
    ...(verified.length === 0 ? {} : { verify: verified }),
  };
}

/** The one-line summary printed when not `--json`. */
function summaryLine(
  logGroup: string,
  result: ImportResult,
  rejectsPath: string,
  archived: string | undefined,
): string {
  const p = result.progress;
  const parts = [
    `${result.interrupted ? 'interrupted after importing' : 'imported'} ${p.imported} lines (${p.events} events, ${p.batches} requests) into ${logGroup}`,
    ...(p.archived > 0 || archived !== undefined
      ? [`archived ${p.archived} lines into ${archived ?? 'the archive'}`]
      : []),
    `${result.streams.length} stream(s)`,
    `${p.lines} lines read from ${p.filesDone} file(s)`,
    `skipped ${p.alreadyImported} already imported (${p.readBack} events read back to check)`,
    `${p.blank} blank`,
  ];
  if (p.split > 0) parts.push(`${p.split} split into parts`);
  if (p.rejected > 0) {
    const reasons = rejectReasons(p);
    parts.push(
      `rejected ${p.rejected} (${reasons}) from ${iso(p.rejectedFirst)} to ${iso(p.rejectedLast)}, listed in ${rejectsPath}`,
    );
  } else {
    parts.push('rejected 0');
  }
  parts.push(`${rate(p)} events/s`);
  return parts.join('; ');
}

function verifyLine(report: VerifyReport): string {
  const verdict = report.missing === 0 && report.duplicated === 0 ? 'OK' : 'MISMATCH';
  const lines = [
    `verify ${report.logStream} ${iso(report.start)}..${iso(report.end)}: ${verdict}: ${report.expected} expected, ${report.stored} stored, ${report.missing} missing, ${report.duplicated} duplicated, ${report.extra} not in the files`,
    ...report.examples.map((example) => `  ${example}`),
  ];
  return lines.join('\n');
}

/**
 * The import's progress bar (src/cli/progress.ts): bytes and lines read of
 * the files' `totalBytes`, percentage, rate and time left, then events/s and
 * rejected lines, redrawn in place with `write` (default: stderr) at most
 * every `intervalMs`.
 */
export function terminalBar(
  totalBytes: number,
  write: (text: string) => void = (text) => process.stderr.write(text),
  intervalMs = 200,
): (progress: ImportProgress) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (progress) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    const state = { bytes: Math.min(progress.bytes, totalBytes), lines: progress.lines };
    const line = progressLine('import', state, totalBytes, now - progress.startedAt);
    write(`\r${line}  ${rate(progress)} events/s  rejected ${progress.rejected}\u001b[K`);
  };
}
