/**
 * Options shared by the commands that read log files (classify, replay, …).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type Alert, isSource, SEVERITIES, type Severity, SOURCES, type Source } from '../model.ts';
import { assertTimeZone, UnknownTimeZoneError } from '../sources/time.ts';
import { UsageError } from './errors.ts';

/** `--source` values: a source id or `auto` (sniff per file). */
export type SourceChoice = Source | 'auto';

/** Options every file-reading command accepts. */
export interface InputOptions {
  readonly source: SourceChoice;
  /** Log stream name to use instead of each file's base name. */
  readonly stream?: string;
  /** IANA zone in which local-time formats are read (`--tz`, else UTC). */
  readonly timeZone: string;
  /** True when `--tz` was given: `zones` and the no-zone warning do not apply. */
  readonly zoneGiven?: boolean;
  /** Without `--tz`: the zone of each source's servers, from the deploy configuration. */
  readonly zones?: Readonly<Partial<Record<Source, string>>>;
}

/** The `parseArgs` option table of `InputOptions`. */
export const INPUT_OPTION_SPEC = {
  source: { type: 'string', default: 'auto' },
  stream: { type: 'string' },
  tz: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

/** What `parseCommandArgs` returns (spelt out so that declaration files can name it). */
export type ParsedCommandArgs<T extends NonNullable<ParseArgsConfig['options']>> = ReturnType<
  typeof parseArgs<{
    args: string[];
    options: typeof INPUT_OPTION_SPEC & T;
    allowPositionals: true;
    strict: true;
  }>
>;

/**
 * Parses `argv` with the shared input options plus `extra`; unknown flags and
 * bad values throw `UsageError` naming the flag.
 */
export function parseCommandArgs<const T extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  extra: T,
): ParsedCommandArgs<T> {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...INPUT_OPTION_SPEC, ...extra },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Validates the shared options' values. */
export function inputOptions(values: {
  source?: string | boolean | undefined;
  stream?: string | boolean | undefined;
  tz?: string | boolean | undefined;
}): InputOptions {
  const source = String(values.source ?? 'auto');
  if (source !== 'auto' && !isSource(source)) {
    throw new UsageError(
      `--source: expected auto or one of ${SOURCES.join(', ')}, got "${source}"`,
    );
  }
  const zoneGiven = typeof values.tz === 'string';
  const timeZone = zoneGiven ? String(values.tz) : 'UTC';
  try {
    assertTimeZone(timeZone);
  } catch (error) {
    if (error instanceof UnknownTimeZoneError) throw new UsageError(`--tz: ${error.message}`);
    throw error;
  }
  const stream = typeof values.stream === 'string' ? values.stream : undefined;
  return {
    source: source as SourceChoice,
    timeZone,
    zoneGiven,
    ...(stream === undefined ? {} : { stream }),
  };
}

/**
 * The zone a file of `source` is read in: `--tz`, else the deploy
 * configuration's zone for that source, else UTC; `given` is false in the
 * last case (a local-time format then deserves a warning).
 */
export function zoneFor(
  options: InputOptions,
  source: Source,
): { readonly timeZone: string; readonly given: boolean } {
  if (options.zoneGiven === true) return { timeZone: options.timeZone, given: true };
  const configured = options.zones?.[source];
  if (configured !== undefined) return { timeZone: configured, given: true };
  return { timeZone: options.timeZone, given: false };
}

/** The one-line warning for a local-time file read without a zone. */
export function noZoneWarning(command: string, what: string, source: Source): string {
  return `tunnelwatch ${command}: ${what}: ${source} times carry no zone and are read as UTC; pass --tz ZONE (e.g. --tz Asia/Tokyo) or --config with the server's timeZone`;
}

/** `--fail-on info|warning|critical`; undefined when absent. Throws `UsageError` naming the flag. */
export function failOnOption(value: string | boolean | undefined): Severity | undefined {
  if (value === undefined || value === false) return undefined;
  if (typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value)) {
    return value as Severity;
  }
  throw new UsageError(
    `--fail-on: expected one of ${SEVERITIES.join(', ')}, got "${String(value)}"`,
  );
}

/** True when an alert of severity `failOn` or higher was opened. */
export function failOnMatched(alerts: readonly Alert[], failOn: Severity | undefined): boolean {
  if (failOn === undefined) return false;
  const floor = SEVERITIES.indexOf(failOn);
  return alerts.some(
    (alert) => alert.status === 'opened' && SEVERITIES.indexOf(alert.severity) >= floor,
  );
}
