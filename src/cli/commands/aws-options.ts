/**
 * Flags shared by the commands that talk to CloudWatch Logs (import, logs,
 * tail): log group, region, endpoint; and time arguments (`--since 1h`,
 * `--start 2026-11-20T10:00:00Z`).
 */
import type { ParseArgsConfig } from 'node:util';
import type { LogsClientOptions } from '../../aws/client.ts';
import { UsageError } from '../errors.ts';

/** The `parseArgs` table of the CloudWatch Logs flags. */
export const AWS_OPTION_SPEC = {
  'log-group': { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** `--log-group`, required; throws `UsageError` when missing. */
export function requiredLogGroup(values: { readonly 'log-group'?: string | boolean }): string {
  const group = values['log-group'];
  if (typeof group !== 'string' || group === '') throw new UsageError('--log-group is required');
  return group;
}

/** Client options from `--region` and `--endpoint-url`. */
export function clientOptions(values: {
  readonly region?: string | boolean;
  readonly 'endpoint-url'?: string | boolean;
}): LogsClientOptions {
  const region = typeof values.region === 'string' ? values.region : undefined;
  const endpoint = typeof values['endpoint-url'] === 'string' ? values['endpoint-url'] : undefined;
  if (endpoint !== undefined && !/^https?:\/\//.test(endpoint)) {
    throw new UsageError(`--endpoint-url: expected http(s)://host:port, got "${endpoint}"`);
  }
  return {
    ...(region === undefined ? {} : { region }),
    ...(endpoint === undefined ? {} : { endpoint }),
  };
}

/**
 * One line for an AWS call that failed with a service or network error (the
 * SDK tags both with `$metadata`), naming what was read (`log group NAME` by
 * default; an `s3://` archive URL names itself); undefined for any other
 * error, which is a bug to surface whole.
 */
export function awsFailureLine(error: unknown, logGroup: string): string | undefined {
  if (!(error instanceof Error) || !('$metadata' in error)) return undefined;
  const name = error.name === 'Error' ? '' : `${error.name}: `;
  const what = logGroup.startsWith('s3://') ? `archive ${logGroup}` : `log group ${logGroup}`;
  return `${what}: ${name}${error.message}`;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Epoch ms of a time argument: a duration before `now` (`90s`, `15m`, `1h`,
 * `2d`, `1w`), an ISO 8601 date-time (zone required unless it is a date), or
 * epoch milliseconds. Throws `UsageError` naming `flag`.
 */
export function parseTimeArgument(flag: string, text: string, now: number = Date.now()): number {
  const duration = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text);
  if (duration !== null) return now - Number(duration[1]) * (UNIT_MS[duration[2] ?? 's'] ?? 0);
  if (/^\d{12,14}$/.test(text)) return Number(text);
  if (/^\d{4}-\d{2}-\d{2}(?:$|T.*(?:Z|[+-]\d{2}:?\d{2})$)/.test(text)) {
    const time = Date.parse(text);
    if (!Number.isNaN(time)) return time;
  }
  throw new UsageError(
    `${flag}: expected a duration (15m, 1h, 2d), an ISO time with zone (2026-11-20T10:00:00Z) or epoch ms, got "${text}"`,
  );
}
