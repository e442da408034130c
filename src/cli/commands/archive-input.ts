/**
 * Reading a stream's time range back from the S3 archive that
 * `import --archive` writes (`logs get --archive`, `report --archive`).
 */
import { createS3Client, type LogsClientOptions } from '../../aws/client.ts';
import {
  type ArchiveLocation,
  type ArchiveRecord,
  parseArchiveUrl,
  readArchive,
} from '../../aws/s3-archive.ts';
import { SOURCES, type Source } from '../../model.ts';
import type { StreamBatch } from '../../pipeline.ts';
import { UsageError } from '../errors.ts';
import type { InputOptions } from '../options.ts';
import { parseTimeArgument } from './aws-options.ts';

/** A time range from `--start` / `--end` (`end` exclusive); either may be open. */
export interface TimeRange {
  readonly start?: number;
  readonly end?: number;
}

/** `--start` and `--end` as a range; a bad time is a usage error naming the flag. */
export function timeRangeOf(values: { readonly start?: string; readonly end?: string }): TimeRange {
  const now = Date.now();
  return {
    ...(values.start === undefined
      ? {}
      : { start: parseTimeArgument('--start', values.start, now) }),
    ...(values.end === undefined ? {} : { end: parseTimeArgument('--end', values.end, now) }),
  };
}

/** The archived records of `stream` over `range`, in time order; a bad URL is a usage error. */
export async function* archiveRecords(
  url: string,
  stream: string,
  range: TimeRange,
  options: LogsClientOptions,
): AsyncGenerator<ArchiveRecord> {
  let location: ArchiveLocation;
  try {
    location = parseArchiveUrl(url);
  } catch (error) {
    throw new UsageError(`--archive: ${(error as Error).message}`);
  }
  const client = createS3Client(options);
  const end = range.end === undefined ? Number.MAX_SAFE_INTEGER : range.end - 1;
  yield* readArchive(client, location, stream, range.start ?? 0, end);
}

/**
 * `stream`'s archived lines over `range` as one pipeline batch: the original
 * lines with their archived times, read by the source the archive recorded
 * (unless `--source` names one) in the stream's zone.
 */
export async function archiveBatch(
  url: string,
  stream: string,
  range: TimeRange,
  input: InputOptions,
  options: LogsClientOptions,
): Promise<StreamBatch> {
  const lines: { text: string; timestamp: number }[] = [];
  let archived: Source | undefined;
  for await (const record of archiveRecords(url, stream, range, options)) {
    if (archived === undefined && (SOURCES as readonly string[]).includes(record.source)) {
      archived = record.source as Source;
    }
    lines.push({ text: record.line, timestamp: record.timestamp });
  }
  const source = input.source === 'auto' ? (archived ?? 'auto') : input.source;
  const zone = input.zoneGiven === true || source === 'auto' ? undefined : input.zones?.[source];
  return { source, stream, timeZone: zone ?? input.timeZone, lines };
}
