/**
 * `tunnelwatch tail`: recent events of a log group (FilterLogEvents),
 * classified by the source's parser, one NDJSON object per event in the
 * `classify` shape plus `stream` and `eventId`; on a terminal, a readable line
 * with warning/critical events highlighted. `--follow` keeps polling.
 */

import { createLogsClient } from '../../aws/client.ts';
import { type FilteredEvent, filterLogEvents, LogAccessError } from '../../aws/cloudwatch-logs.ts';
import type { SourceDefinition, StreamParser } from '../../model.ts';
import { sniffSource, sourceDefinition } from '../../sources/index.ts';
import { UsageError } from '../errors.ts';
import { inputOptions, parseCommandArgs } from '../options.ts';
import {
  AWS_OPTION_SPEC,
  clientOptions,
  parseTimeArgument,
  requiredLogGroup,
} from './aws-options.ts';
import type { CommandIO } from './io.ts';

export const TAIL_USAGE = `usage: tunnelwatch tail --log-group GROUP [--stream NAME] [--since 10m] [--follow] [--interval SECONDS]
                       [--source auto|aws-s2s|openvpn|softether] [--tz ZONE] [--json] [--region R] [--endpoint-url URL]`;

/** Hooks for tests: stop following, and the wait between polls. */
export interface TailHooks {
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number) => Promise<void>;
}

const HIGHLIGHT: Readonly<Record<string, string>> = {
  critical: '\u001b[1;31m',
  warning: '\u001b[33m',
  info: '',
};

/** Runs `tail`; returns the exit code. */
export async function tailCommand(
  argv: readonly string[],
  io: CommandIO,
  hooks: TailHooks = {},
): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    ...AWS_OPTION_SPEC,
    follow: { type: 'boolean', short: 'f', default: false },
    since: { type: 'string', default: '10m' },
    interval: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  });
  if (values.help) {
    io.out(TAIL_USAGE);
    return 0;
  }
  const logGroup = requiredLogGroup(values);
  const input = inputOptions(values);
  const interval = Number(values.interval);
  if (!(interval > 0))
    throw new UsageError(`--interval: expected seconds > 0, got "${values.interval}"`);
  const client = createLogsClient(clientOptions(values));
  let start = parseTimeArgument('--since', values.since);
  const pretty = io.isTTY && !values.json;
  const parsers = new Map<string, StreamParser | null>();
  const parserFor = (event: FilteredEvent): StreamParser | null => {
    let parser = parsers.get(event.logStreamName);
    if (parser === undefined) {
      const definition: SourceDefinition | undefined =
        input.source === 'auto' ? sniffSource([event.message]) : sourceDefinition(input.source);
      parser =
        definition?.createParser({ timeZone: input.timeZone, stream: event.logStreamName }) ?? null;
      if (parser === null) {
        io.err(
          `tunnelwatch tail: no parser for stream ${event.logStreamName} (source ${input.source}); printing raw lines`,
        );
      }
      parsers.set(event.logStreamName, parser);
    }
    return parser;
  };
  const sleep =
    hooks.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // Events at the newest timestamp seen, to skip them when the next poll starts there.
  let seenAtStart = new Set<string>();
  try {
    for (;;) {
      let newest = start;
      const seenNow = new Set<string>();
      const streams = input.stream === undefined ? undefined : [input.stream];
      for await (const event of filterLogEvents(client, logGroup, { start }, streams)) {
        if (event.timestamp === start && seenAtStart.has(event.eventId)) continue;
        if (event.timestamp > newest) {
          newest = event.timestamp;
          seenNow.clear();
        }
        if (event.timestamp === newest) seenNow.add(event.eventId);
        io.out(render(event, parserFor(event), pretty));
      }
      if (!values.follow || hooks.signal?.aborted) return 0;
      seenAtStart = newest === start ? new Set([...seenAtStart, ...seenNow]) : seenNow;
      start = newest;
      await sleep(interval * 1000);
      if (hooks.signal?.aborted) return 0;
    }
  } catch (error) {
    if (error instanceof LogAccessError) {
      io.err(`tunnelwatch tail: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** One event as NDJSON (classify shape + stream, eventId) or as a highlighted terminal line. */
function render(event: FilteredEvent, parser: StreamParser | null, pretty: boolean): string {
  const time = new Date(event.timestamp).toISOString();
  if (parser === null) {
    return pretty
      ? `${time} ${event.logStreamName} ${event.message}`
      : JSON.stringify({
          stream: event.logStreamName,
          eventId: event.eventId,
          source: null,
          category: null,
          severity: null,
          time,
          raw: event.message,
        });
  }
  const parsed = parser.parse(event.message, {
    eventId: event.eventId,
    timestamp: event.timestamp,
    origin: { stream: event.logStreamName },
  });
  if (pretty) {
    const colour = HIGHLIGHT[parsed.severity] ?? '';
    const reset = colour === '' ? '' : '\u001b[0m';
    return `${colour}${time} ${parsed.severity.toUpperCase().padEnd(8)} ${parsed.category.padEnd(24)} ${event.logStreamName} ${parsed.message}${reset}`;
  }
  return JSON.stringify({
    stream: event.logStreamName,
    eventId: event.eventId,
    source: parsed.source,
    category: parsed.category,
    severity: parsed.severity,
    time: parsed.time === null ? time : new Date(parsed.time).toISOString(),
    fields: parsed.fields,
    ...(parsed.reason === undefined ? {} : { reason: parsed.reason }),
  });
}
