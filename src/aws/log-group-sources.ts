/**
 * `LOG_GROUP_SOURCES`: which source parses which log group, by name prefix.
 * JSON array of `{"prefix": "/aws/vendedlogs/vpn/", "source": "aws-s2s",
 * "timeZone"?: "Asia/Tokyo"}`; the longest matching prefix wins; no match
 * means auto-detection.
 */
import { isSource, SOURCES, type Source } from '../model.ts';
import { assertTimeZone } from '../sources/time.ts';

/** One row of the mapping. */
export interface LogGroupSource {
  readonly prefix: string;
  readonly source: Source;
  /** IANA zone for local-time formats; default UTC. */
  readonly timeZone?: string;
}

/** The source chosen for a log group. */
export interface SourceChoice {
  readonly source: Source | 'auto';
  readonly timeZone?: string;
}

/** Thrown for a bad `LOG_GROUP_SOURCES` value; the message names every bad entry. */
export class LogGroupSourcesError extends Error {
  override readonly name = 'LogGroupSourcesError';
}

/** Parses and validates the JSON of `LOG_GROUP_SOURCES` (`origin` names it in errors); absent ⇒ `[]`. */
export function parseLogGroupSources(
  json: string | undefined,
  origin = 'LOG_GROUP_SOURCES',
): LogGroupSource[] {
  if (json === undefined || json.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new LogGroupSourcesError(`${origin}: not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new LogGroupSourcesError(`${origin}: expected a JSON array`);
  const problems: string[] = [];
  const rows: LogGroupSource[] = [];
  parsed.forEach((entry: unknown, index) => {
    const where = `${origin}[${index}]`;
    if (typeof entry !== 'object' || entry === null) {
      problems.push(`${where}: expected an object`);
      return;
    }
    const { prefix, source, timeZone } = entry as Record<string, unknown>;
    if (typeof prefix !== 'string' || prefix === '')
      problems.push(`${where}.prefix: expected a non-empty string`);
    if (!isSource(source)) {
      problems.push(
        `${where}.source: expected one of ${SOURCES.join(', ')}, got ${JSON.stringify(source)}`,
      );
    }
    if (timeZone !== undefined) {
      try {
        assertTimeZone(String(timeZone));
      } catch (error) {
        problems.push(`${where}.timeZone: ${(error as Error).message}`);
      }
    }
    rows.push({
      prefix: String(prefix),
      source: source as Source,
      ...(timeZone === undefined ? {} : { timeZone: String(timeZone) }),
    });
  });
  if (problems.length > 0) throw new LogGroupSourcesError(problems.join('; '));
  return rows;
}

/** The source for `logGroup`: the row with the longest matching prefix, else `auto`. */
export function sourceForLogGroup(rows: readonly LogGroupSource[], logGroup: string): SourceChoice {
  let best: LogGroupSource | undefined;
  for (const row of rows) {
    if (logGroup.startsWith(row.prefix) && row.prefix.length > (best?.prefix.length ?? -1))
      best = row;
  }
  if (best === undefined) return { source: 'auto' };
  return {
    source: best.source,
    ...(best.timeZone === undefined ? {} : { timeZone: best.timeZone }),
  };
}
