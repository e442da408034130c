/**
 * `tunnelwatch report`: replays log files (or a log group's recent events,
 * or a time range of a stream in the S3 archive) through the rule pipeline and writes one self-contained HTML page: a
 * timeline of every tunnel's state with its causes, BGP sessions, logins,
 * sessions, administration and the alerts on-call would have received
 * (docs/report.md).
 */
import { writeFile } from 'node:fs/promises';
import type { StreamBatch } from '../../pipeline.ts';
import { loadReportAssets } from '../../report/assets.ts';
import { makeReport } from '../../report/index.ts';
import { UsageError } from '../errors.ts';
import { readBatches } from '../input.ts';
import { type InputOptions, inputOptions, parseCommandArgs } from '../options.ts';
import {
  ARCHIVE_OPTION_SPEC,
  type ArchiveFlagValues,
  checkArchiveFlags,
  readingArchive,
  timeRangeOf,
} from './archive-flags.ts';
import {
  AWS_OPTION_SPEC,
  awsFailureLine,
  clientOptions,
  parseTimeArgument,
} from './aws-options.ts';
import { configOption, withConfiguredZones } from './config-option.ts';
import type { CommandIO } from './io.ts';

/** Usage text of `report`. */
export const REPORT_USAGE = `usage: tunnelwatch report [--source auto|aws-s2s|openvpn|softether] [--stream NAME] [--tz ZONE] [--config FILE]
                         [--title TEXT] [--out FILE] FILE|DIR...
       tunnelwatch report --log-group GROUP [--since 1d] [--stream NAME] [--region R] [--endpoint-url URL]
                         [--source …] [--tz ZONE] [--config FILE] [--title TEXT] [--out FILE]
       tunnelwatch report --archive s3://BUCKET/PREFIX --stream NAME [--start T] [--end T] [--region R]
                         [--endpoint-url URL] [--source …] [--tz ZONE] [--config FILE] [--title TEXT] [--out FILE]
Writes one self-contained HTML page (default: tunnelwatch-report.html; - for stdout).
example: tunnelwatch report samples/ --tz Asia/Tokyo --out report.html`;

/** Where the page goes when `--out` is not given. */
export const DEFAULT_REPORT_FILE = 'tunnelwatch-report.html';

/** Runs `report`; returns the exit code. */
export async function reportCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    ...AWS_OPTION_SPEC,
    since: { type: 'string' },
    config: { type: 'string' },
    out: { type: 'string', short: 'o', default: DEFAULT_REPORT_FILE },
    title: { type: 'string' },
    ...ARCHIVE_OPTION_SPEC,
  });
  if (values.help) {
    io.out(REPORT_USAGE);
    return 0;
  }
  const given = inputOptions(values);
  const logGroup = values['log-group'];
  const archive = values.archive;
  const origins = [logGroup !== undefined, archive !== undefined, positionals.length > 0];
  if (origins.filter(Boolean).length > 1) {
    throw new UsageError('give one of --log-group, --archive or FILE|DIR arguments');
  }
  if (origins.every((given) => !given)) {
    io.err(`tunnelwatch report: no FILE|DIR given\n${REPORT_USAGE}`);
    return 2;
  }
  if (logGroup === undefined && values.since !== undefined) {
    throw new UsageError('--since applies to --log-group only');
  }
  checkArchiveFlags(values, given.stream);
  const config = await configOption(values.config, 'report', io);
  if (config === undefined) return 1;
  const input = withConfiguredZones(given, config);

  let batches: StreamBatch[];
  let exitCode = 0;
  if (archive !== undefined) {
    const read = await readArchive(archive, values, input, io);
    if (read === undefined) return 1;
    batches = [read];
  } else if (logGroup === undefined) {
    const read = await readBatches(positionals, input, 'report', io.err);
    if (read.batches.length === 0 && read.failed) return 1;
    batches = read.batches;
    exitCode = read.failed ? 1 : 0;
  } else {
    const read = await readLogGroup(
      logGroup,
      values,
      (await import('./tail.ts')).groupInputOptions(given, config.logGroups.get(logGroup)),
      io,
    );
    if (read === undefined) return 1;
    batches = read;
  }

  const inputs =
    logGroup !== undefined
      ? [`${logGroup} (${batches.length} streams)`]
      : archive !== undefined
        ? [`${archive} ${given.stream}`]
        : batches.map((batch) => batch.file ?? batch.stream);
  const title =
    values.title ??
    `tunnelwatch report: ${logGroup ?? archive ?? (positionals.length <= 3 ? positionals.join(' ') : `${positionals.length} paths`)}`;
  const report = await makeReport(
    batches,
    config.rules,
    { title, inputs, logTimeZone: logZone(input), generatedAt: Date.now() },
    await loadReportAssets(),
  );
  const out = values.out;
  if (out === '-') {
    io.out(report.html);
    return exitCode;
  }
  try {
    await writeFile(out, report.html, 'utf8');
  } catch (error) {
    io.err(
      `tunnelwatch report: --out ${out}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
  const { model } = report;
  const tunnels = model.connections.reduce((n, group) => n + group.tunnels.length, 0);
  io.err(
    `tunnelwatch report: wrote ${out} (${(Buffer.byteLength(report.html) / 1024).toFixed(0)} KiB): ` +
      `${model.summary.events.toLocaleString('en-US')} lines, ${model.alerts.length} alerts, ${tunnels} tunnels`,
  );
  return exitCode;
}

/** `--log-group`: the events since `--since` (default one day), one batch per stream. */
async function readLogGroup(
  logGroup: string,
  values: {
    readonly since?: string;
    readonly region?: string;
    readonly 'endpoint-url'?: string;
  },
  input: InputOptions,
  io: CommandIO,
): Promise<StreamBatch[] | undefined> {
  if (logGroup === '') throw new UsageError('--log-group is required');
  const start = parseTimeArgument('--since', values.since ?? '1d');
  // Loaded on use: the AWS SDK is not needed for files.
  const { createLogsClient } = await import('../../aws/client.ts');
  const { filterLogEvents, LogAccessError } = await import('../../aws/cloudwatch-logs.ts');
  const { addToStream, logGroupBatches } = await import('./log-group-batches.ts');
  const { ZoneCheck } = await import('./tail.ts');
  const zoneCheck = new ZoneCheck(input, io, 'report');
  const client = createLogsClient(clientOptions(values));
  const byStream = new Map<string, import('../../aws/cloudwatch-logs.ts').FilteredEvent[]>();
  const streams = input.stream === undefined ? undefined : [input.stream];
  try {
    for await (const event of filterLogEvents(client, logGroup, { start }, streams)) {
      zoneCheck.see(event);
      addToStream(byStream, event);
    }
  } catch (error) {
    if (error instanceof LogAccessError) {
      io.err(`tunnelwatch report: ${error.message}`);
      return undefined;
    }
    const failure = awsFailureLine(error, logGroup);
    if (failure === undefined) throw error;
    io.err(`tunnelwatch report: ${failure}`);
    return undefined;
  }
  return logGroupBatches(byStream, logGroup, input.source, (stream) => zoneCheck.zoneOf(stream));
}

/** `--archive`: the stream's lines over `--start`/`--end` in the S3 archive, as one batch. */
async function readArchive(
  url: string,
  values: ArchiveFlagValues,
  input: InputOptions,
  io: CommandIO,
): Promise<StreamBatch | undefined> {
  const range = timeRangeOf(values);
  // Loaded on use: the AWS SDK is not needed for files.
  const { archiveBatch } = await import('./archive-input.ts');
  return await readingArchive(url, 'report', io, () =>
    archiveBatch(url, input.stream ?? '', range, input, clientOptions(values)),
  );
}

/** The zone the page offers beside UTC: `--tz`, else the configured servers' zone. */
function logZone(input: InputOptions): string {
  if (input.zoneGiven === true) return input.timeZone;
  return Object.values(input.zones ?? {})[0] ?? input.timeZone;
}
