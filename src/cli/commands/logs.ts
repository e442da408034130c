/**
 * `tunnelwatch logs list|get`: the remote log list and download of the
 * PacketiX manual (PacketiX VPN manual §3.10.6) for CloudWatch Logs. `list` shows each
 * stream with its size and first/last event time; `get` downloads a stream
 * (or a time range of it) in its original line form, joining split lines,
 * from the log group or (`--archive`) from the S3 archive of older history.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { safeJson, sanitizeLine } from '../../alerts/sanitize.ts';
import { createLogsClient, type LogsClientOptions } from '../../aws/client.ts';
import { LogAccessError, listLogStreams, readLogStream } from '../../aws/cloudwatch-logs.ts';
import { ContinuationJoiner } from '../../aws/continuation.ts';
import { isoTime } from '../../model.ts';
import { UsageError } from '../errors.ts';
import { parseCommandArgs } from '../options.ts';
import { type TimeRange, timeRangeOf } from './archive-flags.ts';
import { archiveRecords } from './archive-input.ts';
import { AWS_OPTION_SPEC, awsFailureLine, clientOptions, requiredLogGroup } from './aws-options.ts';
import type { CommandIO } from './io.ts';

/** Usage text of `logs`. */
export const LOGS_USAGE = `usage: tunnelwatch logs list --log-group GROUP [--measure] [--json] [--region R] [--endpoint-url URL]
       tunnelwatch logs get --log-group GROUP --stream NAME [--start T] [--end T] [-o FILE]
       tunnelwatch logs get --archive s3://BUCKET/PREFIX --stream NAME [--start T] [--end T] [-o FILE]
T: a duration before now (15m, 1h, 2d), an ISO time with zone, or epoch ms
--measure reads every stream to count its events and bytes (CloudWatch Logs reports 0 bytes per stream)`;

/** Runs `logs`; returns the exit code. */
export async function logsCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const [action, ...rest] = argv;
  if (action === undefined || action === '--help' || action === '-h') {
    (action === undefined ? io.err : io.out)(LOGS_USAGE);
    return action === undefined ? 2 : 0;
  }
  const { values } = parseCommandArgs(rest, {
    ...AWS_OPTION_SPEC,
    json: { type: 'boolean', default: false },
    measure: { type: 'boolean', default: false },
    start: { type: 'string' },
    end: { type: 'string' },
    output: { type: 'string', short: 'o' },
    archive: { type: 'string' },
  });
  if (values.help) {
    io.out(LOGS_USAGE);
    return 0;
  }
  const archive = values.archive;
  const logGroup = archive !== undefined && action === 'get' ? archive : requiredLogGroup(values);
  const client = createLogsClient(clientOptions(values));
  try {
    if (action === 'list') {
      for await (const stream of listLogStreams(client, logGroup)) {
        const name = stream.logStreamName ?? '';
        // AWS has reported 0 stored bytes for every log stream since June 2019
        // (LogStream API reference); --measure counts by reading the stream.
        const measured = values.measure ? await measureStream(client, logGroup, name) : undefined;
        const row = {
          stream: name,
          storedBytes: stream.storedBytes ?? 0,
          ...(measured === undefined ? {} : measured),
          firstEvent: isoOrNull(stream.firstEventTimestamp),
          lastEvent: isoOrNull(stream.lastEventTimestamp),
        };
        const size = measured?.messageBytes ?? (row.storedBytes > 0 ? row.storedBytes : '-');
        io.out(
          values.json
            ? safeJson(row)
            : `${row.stream}\t${size}\t${measured === undefined ? '' : `${measured.events} events\t`}${row.firstEvent ?? '-'}\t${row.lastEvent ?? '-'}`,
        );
      }
      return 0;
    }
    if (action === 'get') {
      if (values.stream === undefined) throw new UsageError('logs get: --stream is required');
      const range = timeRangeOf(values);
      const joiner = new ContinuationJoiner();
      const read = (): AsyncIterable<{ readonly message: string }> =>
        archive === undefined
          ? readLogStream(client, logGroup, values.stream!, range)
          : archiveMessages(archive, values.stream!, range, clientOptions(values));
      if (values.output === undefined) {
        // On a terminal, log text is shown, never obeyed (escapes made visible);
        // into a pipe or a file it is written as it was stored.
        const show = io.isTTY
          ? (line: string) => io.out(sanitizeLine(line, Number.POSITIVE_INFINITY))
          : (line: string) => io.out(line);
        for await (const event of read()) {
          for (const line of joiner.push(event.message)) show(line);
        }
        for (const line of joiner.end()) show(line);
        return 0;
      }
      const file = createWriteStream(values.output, { encoding: 'utf8' });
      let lines = 0;
      const write = async (line: string): Promise<void> => {
        lines++;
        if (!file.write(`${line}\n`)) await once(file, 'drain');
      };
      for await (const event of read()) {
        for (const line of joiner.push(event.message)) await write(line);
      }
      for (const line of joiner.end()) await write(line);
      file.end();
      await once(file, 'finish');
      io.err(`tunnelwatch logs get: wrote ${lines} lines to ${values.output}`);
      return 0;
    }
    throw new UsageError(`unknown action "${action}": expected list or get`);
  } catch (error) {
    if (error instanceof LogAccessError) {
      io.err(`tunnelwatch logs ${action}: ${error.message}`);
      return 1;
    }
    const failure = awsFailureLine(error, logGroup);
    if (failure === undefined) throw error;
    io.err(`tunnelwatch logs ${action}: ${failure}`);
    return 1;
  }
}

/** Events and UTF-8 message bytes of a stream, by reading it whole. */
async function measureStream(
  client: ReturnType<typeof createLogsClient>,
  logGroup: string,
  logStream: string,
): Promise<{ events: number; messageBytes: number }> {
  let events = 0;
  let messageBytes = 0;
  for await (const event of readLogStream(client, logGroup, logStream)) {
    events++;
    messageBytes += Buffer.byteLength(event.message, 'utf8');
  }
  return { events, messageBytes };
}

function isoOrNull(time: number | undefined): string | null {
  return time === undefined ? null : isoTime(time);
}

/** The archived lines of `stream` over `range`, as events. */
async function* archiveMessages(
  url: string,
  stream: string,
  range: TimeRange,
  options: LogsClientOptions,
): AsyncGenerator<{ readonly message: string }> {
  for await (const record of archiveRecords(url, stream, range, options)) {
    yield { message: record.line };
  }
}
