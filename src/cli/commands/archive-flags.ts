/**
 * The flags that read a stream's time range back from the S3 archive
 * (`--archive`, `--start`, `--end`), and reporting its failures. Kept apart
 * from the reader (archive-input.ts) so that commands reading files do not
 * load the AWS SDK.
 */
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.ts';
import { awsFailureLine, parseTimeArgument } from './aws-options.ts';
import type { CommandIO } from './io.ts';

/** The flags that read a stream's time range from the archive (`report`, `replay`). */
export const ARCHIVE_OPTION_SPEC = {
  archive: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** The values of the flags that read the archive: the range and where the bucket is. */
export interface ArchiveFlagValues {
  readonly start?: string;
  readonly end?: string;
  readonly region?: string;
  readonly 'endpoint-url'?: string;
}

/**
 * Checks `--archive`'s companions: `--stream` is required with it, and
 * `--start`/`--end` mean nothing without it.
 */
export function checkArchiveFlags(
  values: { readonly archive?: string; readonly start?: string; readonly end?: string },
  stream: string | undefined,
): void {
  if (values.archive === undefined && (values.start !== undefined || values.end !== undefined)) {
    throw new UsageError('--start and --end apply to --archive only');
  }
  if (values.archive !== undefined && stream === undefined) {
    throw new UsageError('--archive: --stream is required');
  }
}

/**
 * Runs `read` against the archive at `url`: a failed AWS call is reported in
 * one line naming the archive (`tunnelwatch COMMAND: archive s3://…: …`) and
 * gives undefined; any other error is a bug and is thrown.
 */
export async function readingArchive<T>(
  url: string,
  command: string,
  io: CommandIO,
  read: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    const failure = awsFailureLine(error, url);
    if (failure === undefined) throw error;
    io.err(`tunnelwatch ${command}: ${failure}`);
    return undefined;
  }
}

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
