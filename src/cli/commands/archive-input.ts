/**
 * Reading a stream's time range back from the S3 archive that
 * `import --archive` writes (`logs get --archive`, `report --archive`,
 * `replay --archive`).
 */
import { createS3Client, type LogsClientOptions } from '../../aws/client.ts';
import {
  type ArchiveLocation,
  type ArchiveRecord,
  parseArchiveUrl,
  readArchive,
} from '../../aws/s3-archive.ts';
import { isSource, type Source } from '../../model.ts';
import type { StreamBatch } from '../../pipeline.ts';
import { sourceDefinition } from '../../sources/index.ts';
import { UnreadableInputError, UsageError } from '../errors.ts';
import type { InputLine } from '../input.ts';
import type { InputOptions } from '../options.ts';
import type { TimeRange } from './archive-flags.ts';
import type { ReplayFile } from './replay-stream.ts';

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
    if (archived === undefined && isSource(record.source)) archived = record.source;
    lines.push({ text: record.line, timestamp: record.timestamp });
  }
  const source = input.source === 'auto' ? (archived ?? 'auto') : input.source;
  return { source, stream, timeZone: zoneOf(source, input), lines };
}

/** The zone a source's local times are read in: `--tz`, else the configured zone of its servers. */
function zoneOf(source: Source | 'auto', input: InputOptions): string {
  const zone = input.zoneGiven === true || source === 'auto' ? undefined : input.zones?.[source];
  return zone ?? input.timeZone;
}

/**
 * `stream`'s archived lines over `range` as one streamed replay input, read
 * by the source the archive recorded (unless `--source` names one); undefined
 * when the range holds no line. The first record is read here, so a failing
 * archive fails before the replay starts.
 */
export async function archiveReplayInput(
  url: string,
  stream: string,
  range: TimeRange,
  input: InputOptions,
  options: LogsClientOptions,
): Promise<(ReplayFile & { readonly lines: AsyncIterable<InputLine> }) | undefined> {
  const records = archiveRecords(url, stream, range, options);
  const first = await records.next();
  if (first.done === true) return undefined;
  const archived = first.value.source;
  let source: Source;
  if (input.source !== 'auto') {
    source = input.source;
  } else if (isSource(archived)) {
    source = archived;
  } else {
    throw new UsageError(
      `--archive: the archive does not say which format ${stream} is ("${archived}"); name it with --source`,
    );
  }
  const definition = sourceDefinition(source);
  if (definition === undefined) {
    throw new UsageError(`--source ${source}: this source is not supported yet`);
  }
  const path = `${url} ${stream}`;
  return {
    path,
    stream,
    definition,
    timeZone: zoneOf(source, input),
    readOnce: true,
    lines: (async function* () {
      let number = 1;
      yield { text: first.value.line, number };
      try {
        for await (const record of records) yield { text: record.line, number: ++number };
      } catch (error) {
        // A failed AWS call part way: the lines before it count, like a file cut short.
        if (error instanceof Error && '$metadata' in error)
          throw new UnreadableInputError(path, error);
        throw error;
      }
    })(),
  };
}
