/**
 * `import --verify`: reads a stream back over the time range the imported
 * files cover and compares it, line by line (as multisets of line hashes), with
 * what the files hold. Reports lines missing from the stream, lines stored more
 * often than the files hold them, and lines in the range the files do not have.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { readLines } from '../cli/input.ts';
import { lineHash } from './checkpoint.ts';
import { readLogStream } from './cloudwatch-logs.ts';
import { ContinuationJoiner } from './continuation.ts';
import { MAX_EVENT_AGE_MS, MAX_EVENT_FUTURE_MS } from './limits.ts';
import type { LineClock } from './line-time.ts';

/** What `verifyStream` found. */
export interface VerifyReport {
  readonly logStream: string;
  /** Epoch ms range compared, `end` exclusive; null when the files have no timed line. */
  readonly start: number | null;
  readonly end: number | null;
  /** Non-blank lines in the files within the range that CloudWatch Logs can store. */
  readonly expected: number;
  /** Lines read back in the range. */
  readonly stored: number;
  /** Lines the files hold more often than the stream: first few, with their counts. */
  readonly missing: number;
  readonly duplicated: number;
  /** Lines in the stream that none of the files hold (other imports, other writers). */
  readonly extra: number;
  /** Up to 5 examples of missing or duplicated lines. */
  readonly examples: readonly string[];
}

/**
 * Compares `files` (one stream, chronological) with what `logStream` holds
 * over the files' time range. Lines the service would reject (older than 14
 * days, over 2 h ahead of `now`) are left out of the expectation.
 */
export async function verifyStream(
  client: CloudWatchLogsClient,
  logGroup: string,
  logStream: string,
  files: readonly string[],
  clockFor: (file: string) => Promise<LineClock>,
  now: number = Date.now(),
): Promise<VerifyReport> {
  // Per (time, line) key, the largest count any one file holds: overlapping
  // downloads repeat lines, identical lines within one file are distinct.
  const expected = new Map<string, { count: number; text: string }>();
  let start: number | null = null;
  let end: number | null = null;
  let previous: number | null = null;
  for (const file of files) {
    const clock = await clockFor(file);
    const counts = new Map<string, { count: number; text: string }>();
    for await (const line of readLines(file)) {
      if (line.text.trim() === '') continue;
      const time: number | null = clock.timeOf(line.text, line.number) ?? previous;
      previous = time;
      if (time === null) continue;
      if (time < now - MAX_EVENT_AGE_MS || time > now + MAX_EVENT_FUTURE_MS) continue;
      start = start === null ? time : Math.min(start, time);
      end = end === null ? time + 1 : Math.max(end, time + 1);
      const key = `${time}|${lineHash(line.text)}`;
      const entry = counts.get(key);
      if (entry === undefined) counts.set(key, { count: 1, text: line.text });
      else entry.count++;
    }
    for (const [key, entry] of counts) {
      const known = expected.get(key);
      if (known === undefined || known.count < entry.count) expected.set(key, entry);
    }
  }
  let expectedCount = 0;
  for (const entry of expected.values()) expectedCount += entry.count;
  if (start === null || end === null) {
    return {
      logStream,
      start,
      end,
      expected: 0,
      stored: 0,
      missing: 0,
      duplicated: 0,
      extra: 0,
      examples: [],
    };
  }
  const stored = new Map<string, number>();
  let storedCount = 0;
  const joiner = new ContinuationJoiner();
  const record = (time: number, text: string): void => {
    const hash = `${time}|${lineHash(text)}`;
    stored.set(hash, (stored.get(hash) ?? 0) + 1);
    storedCount++;
  };
  for await (const event of readLogStream(client, logGroup, logStream, { start, end })) {
    for (const text of joiner.push(event.message)) record(event.timestamp, text);
  }
  for (const text of joiner.end()) record(end, text);
  let missing = 0;
  let duplicated = 0;
  let extra = 0;
  const examples: string[] = [];
  for (const [hash, entry] of expected) {
    const have = stored.get(hash) ?? 0;
    if (have < entry.count) {
      missing += entry.count - have;
      if (examples.length < 5) examples.push(`missing ×${entry.count - have}: ${entry.text}`);
    } else if (have > entry.count) {
      duplicated += have - entry.count;
      if (examples.length < 5) examples.push(`duplicated ×${have - entry.count}: ${entry.text}`);
    }
  }
  for (const [hash, count] of stored) if (!expected.has(hash)) extra += count;
  return {
    logStream,
    start,
    end,
    expected: expectedCount,
    stored: storedCount,
    missing,
    duplicated,
    extra,
    examples,
  };
}
