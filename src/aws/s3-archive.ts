/**
 * The S3 archive for history CloudWatch Logs does not accept (events older
 * than 14 days): gzip-compressed NDJSON objects, one record per event with the
 * original line and its parsed fields, under keys partitioned for Glue/Athena:
 *
 *   PREFIX/source=SOURCE/server=SERVER/day=YYYY-MM-DD/STREAM.START-END.DIGEST.ndjson.gz
 *
 * `SERVER` is the first segment of the stream name (the SoftEther server
 * directory, the gateway stream); `STREAM` is the whole stream name, URI
 * encoded; `START`/`END` are the epoch ms of the first and last event and
 * `DIGEST` the events' digest, so writing the same events again writes the
 * same object (idempotent). An import destination (src/aws/importer.ts).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { PendingEvent } from './batcher.ts';
import { eventIdentity, RangeDigest } from './checkpoint.ts';
import type { ImportDestination } from './importer.ts';

type ArchivedEvent = PendingEvent<{ readonly fields?: ArchiveFields }>;

/** Events per archive object at most, and UTF-8 bytes (before compression). */
const ARCHIVE_LIMITS = {
  maxEvents: 50_000,
  maxBytes: 16 * 1024 * 1024,
  maxSpanMs: 24 * 60 * 60 * 1000,
  maxMessageBytes: 16 * 1024 * 1024,
};

/** What a line parsed into, stored next to it. */
export interface ArchiveFields {
  readonly source: string;
  readonly category: string;
  readonly severity: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** One archived record (one NDJSON line). */
export interface ArchiveRecord extends ArchiveFields {
  /** Epoch ms. */
  readonly timestamp: number;
  readonly time: string;
  readonly stream: string;
  /** The original line, as read. */
  readonly line: string;
}

/** Where an archive lives: `s3://bucket/prefix`. */
export interface ArchiveLocation {
  readonly bucket: string;
  readonly prefix: string;
}

/** Reads `s3://bucket[/prefix]`; throws a `RangeError` naming the expected form. */
export function parseArchiveUrl(url: string): ArchiveLocation {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (match === null) {
    throw new RangeError(`expected s3://BUCKET[/PREFIX], got "${url}"`);
  }
  return { bucket: match[1]!, prefix: (match[2] ?? '').replace(/\/+$/, '') };
}

/** `value` made safe for one key segment: no slash, no partition syntax. */
function segment(value: string): string {
  return encodeURIComponent(value === '' ? '-' : value);
}

/** The server a stream belongs to: its first path segment. */
export function archiveServer(stream: string): string {
  return stream.split('/')[0] || stream;
}

function dayOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** Collaborators of the archive. */
export interface S3ArchiveOptions {
  readonly client: S3Client;
  /** `s3://bucket[/prefix]`. */
  readonly url: string;
}

const UNDESCRIBED: ArchiveFields = {
  source: 'unknown',
  category: 'unclassified',
  severity: 'info',
  fields: {},
};

/** The archive as an import destination, plus a reader for `logs get` and `replay`. */
export function s3Archive(options: S3ArchiveOptions): ImportDestination & {
  readonly location: ArchiveLocation;
} {
  const location = parseArchiveUrl(options.url);
  const { client } = options;
  const base = location.prefix === '' ? '' : `${location.prefix}/`;
  return {
    name: options.url,
    location,
    limits: ARCHIVE_LIMITS,
    settleMs: 0,
    describes: true,
    prepare: async () => undefined,
    async write(stream, events) {
      const byKey = new Map<string, ArchivedEvent[]>();
      for (const event of events) {
        const described = event.meta.fields ?? UNDESCRIBED;
        const partition = `source=${segment(described.source)}/server=${segment(archiveServer(stream))}/day=${dayOf(event.timestamp)}`;
        const group = byKey.get(partition) ?? [];
        group.push(event);
        byKey.set(partition, group);
      }
      for (const [partition, group] of byKey) {
        const digest = new RangeDigest();
        const lines = group.map((event) => {
          digest.add(event.timestamp, eventIdentity(event.timestamp, event.message).term);
          const record: ArchiveRecord = {
            timestamp: event.timestamp,
            time: new Date(event.timestamp).toISOString(),
            stream,
            line: event.message,
            ...(event.meta.fields ?? UNDESCRIBED),
          };
          return JSON.stringify(record);
        });
        const key = `${base}${partition}/${segment(stream)}.${digest.start}-${digest.end}.${digest.digest}.ndjson.gz`;
        await client.send(
          new PutObjectCommand({
            Bucket: location.bucket,
            Key: key,
            Body: gzipSync(`${lines.join('\n')}\n`),
            ContentType: 'application/x-ndjson',
            ContentEncoding: 'gzip',
          }),
        );
      }
      return new Map();
    },
    async *read(stream, start, end) {
      for await (const record of readArchive(client, location, stream, start, end)) {
        yield { timestamp: record.timestamp, message: record.line };
      }
    },
  };
}

async function* listKeys(
  client: S3Client,
  bucket: string,
  prefix: string,
  delimiter?: string,
): AsyncGenerator<{ key?: string; prefix?: string }> {
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
        ...(token === undefined ? {} : { ContinuationToken: token }),
      }),
    );
    for (const common of page.CommonPrefixes ?? []) {
      if (common.Prefix !== undefined) yield { prefix: common.Prefix };
    }
    for (const object of page.Contents ?? []) {
      if (object.Key !== undefined) yield { key: object.Key };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}

/**
 * The records of `stream` with a time in [start, end] (epoch ms, inclusive),
 * in time order within each day, days in order.
 */
export async function* readArchive(
  client: S3Client,
  location: ArchiveLocation,
  stream: string,
  start: number,
  end: number,
): AsyncGenerator<ArchiveRecord> {
  const base = location.prefix === '' ? '' : `${location.prefix}/`;
  const server = segment(archiveServer(stream));
  const name = `${segment(stream)}.`;
  // Day folders of this server under every source, in the range.
  const days = new Map<string, string[]>();
  for await (const source of listKeys(client, location.bucket, `${base}source=`, '/')) {
    if (source.prefix === undefined) continue;
    const serverFolder = `${source.prefix}server=${server}/`;
    for await (const day of listKeys(client, location.bucket, `${serverFolder}day=`, '/')) {
      if (day.prefix === undefined) continue;
      const date = day.prefix.slice(serverFolder.length + 4, -1);
      const dayStart = Date.parse(`${date}T00:00:00Z`);
      if (!(dayStart <= end && dayStart + 86_400_000 > start)) continue;
      const folders = days.get(date) ?? [];
      folders.push(day.prefix);
      days.set(date, folders);
    }
  }
  for (const date of [...days.keys()].sort()) {
    const records: ArchiveRecord[] = [];
    for (const folder of days.get(date) ?? []) {
      for await (const entry of listKeys(client, location.bucket, `${folder}${name}`)) {
        if (entry.key === undefined) continue;
        // Another stream whose encoded name starts with this one's: the rest must be the range.
        if (
          !/^\d+-\d+\.[0-9a-f]{16}\.ndjson\.gz$/.test(entry.key.slice(folder.length + name.length))
        ) {
          continue;
        }
        const object = await client.send(
          new GetObjectCommand({ Bucket: location.bucket, Key: entry.key }),
        );
        const bytes = await object.Body?.transformToByteArray();
        if (bytes === undefined) continue;
        for (const text of gunzipSync(bytes).toString('utf8').split('\n')) {
          if (text === '') continue;
          const record = JSON.parse(text) as ArchiveRecord;
          if (record.stream !== stream || record.timestamp < start || record.timestamp > end) {
            continue;
          }
          records.push(record);
        }
      }
    }
    records.sort((a, b) => a.timestamp - b.timestamp);
    yield* records;
  }
}
