/**
 * `tunnelwatch tail`: recent events of a log group (FilterLogEvents) through
 * the rule pipeline with in-memory state, printed like `replay`: the human
 * report (alerts highlighted by severity on a terminal) or, with `--json`, one
 * object per alert. `--events` also prints every event in the `classify`
 * shape plus `stream` and `eventId`. `--follow` keeps polling; state carries
 * over between polls, so an event seen twice raises nothing twice.
 */
import { aboutText } from '../../alerts/render.ts';
import { safeJson, sanitizeLine } from '../../alerts/sanitize.ts';
import { createLogsClient } from '../../aws/client.ts';
import { type FilteredEvent, filterLogEvents, LogAccessError } from '../../aws/cloudwatch-logs.ts';
import { type Alert, isoTime, type SourceDefinition, type StreamParser } from '../../model.ts';
import { runPipeline } from '../../pipeline.ts';
import { sniffSource, sourceDefinition } from '../../sources/index.ts';
import { MemoryStateStore } from '../../state/memory-state-store.ts';
import { UsageError } from '../errors.ts';
import { timesDependOnZone } from '../input.ts';
import {
  type InputOptions,
  inputOptions,
  noZoneWarning,
  parseCommandArgs,
  zoneFor,
} from '../options.ts';
import {
  AWS_OPTION_SPEC,
  awsFailureLine,
  clientOptions,
  parseTimeArgument,
  requiredLogGroup,
} from './aws-options.ts';
import { configOption, type LogGroupSetting } from './config-option.ts';
import type { CommandIO } from './io.ts';
import { addToStream, logGroupBatches } from './log-group-batches.ts';
import { alertJson, humanReport, type Paint, painter } from './replay-output.ts';

/** Usage text of `tail`. */
export const TAIL_USAGE = `usage: tunnelwatch tail --log-group GROUP [--stream NAME] [--since 10m] [--follow] [--interval SECONDS]
                       [--source auto|aws-s2s|openvpn|softether] [--tz ZONE] [--config FILE] [--json] [--events]
                       [--region R] [--endpoint-url URL]`;

/** Hooks for tests: stop following, and the wait between polls. */
export interface TailHooks {
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number) => Promise<void>;
}

const SEVERITY_STYLE = { critical: 'red', warning: 'yellow', info: 'cyan' } as const;

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
    events: { type: 'boolean', default: false },
    config: { type: 'string' },
  });
  if (values.help) {
    io.out(TAIL_USAGE);
    return 0;
  }
  const logGroup = requiredLogGroup(values);
  const given = inputOptions(values);
  const interval = Number(values.interval);
  if (!(interval > 0)) {
    throw new UsageError(`--interval: expected seconds > 0, got "${values.interval}"`);
  }
  const config = await configOption(values.config, 'tail', io);
  if (config === undefined) return 1;
  const input = groupInputOptions(given, config.logGroups.get(logGroup));
  const client = createLogsClient(clientOptions(values));
  let start = parseTimeArgument('--since', values.since);
  const since = start;
  const paint = painter(io.isTTY && process.env['NO_COLOR'] === undefined);
  const eventPrinter = values.events ? new EventPrinter(input, io, paint) : undefined;
  const zoneCheck = new ZoneCheck(input, io);
  const store = new MemoryStateStore();
  const sleep =
    hooks.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // Ids at the newest timestamp seen: the next poll starts there and skips them.
  let seenAtStart = new Set<string>();
  let polls = 0;
  try {
    for (;;) {
      let newest = start;
      const seenNow = new Set<string>();
      const byStream = new Map<string, FilteredEvent[]>();
      const streams = input.stream === undefined ? undefined : [input.stream];
      let read = 0;
      for await (const event of filterLogEvents(client, logGroup, { start }, streams)) {
        if (event.timestamp === start && seenAtStart.has(event.eventId)) continue;
        if (event.timestamp > newest) {
          newest = event.timestamp;
          seenNow.clear();
        }
        if (event.timestamp === newest) seenNow.add(event.eventId);
        read++;
        zoneCheck.see(event);
        addToStream(byStream, event);
        eventPrinter?.print(event);
      }
      const batches = logGroupBatches(byStream, logGroup, input.source, (stream) =>
        zoneCheck.zoneOf(stream),
      );
      const result = await runPipeline(batches, { store, config: config.rules });
      if (polls === 0) {
        io.err(readLine(logGroup, since, read, byStream.size, values.since));
        if (values.follow) {
          io.err(
            `tunnelwatch tail: watching ${logGroup} every ${interval}s for new events (Ctrl-C to stop)`,
          );
        }
      }
      polls++;
      if (values.json || values.events) {
        for (const alert of result.alerts) io.out(alertJson(alert));
      } else if (!values.follow) {
        if (read > 0) {
          for (const line of humanReport(result, batches.length, paint, 'stream')) io.out(line);
        }
      } else {
        for (const alert of result.alerts) io.out(alertLine(alert, paint));
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
    const failure = awsFailureLine(error, logGroup);
    if (failure === undefined) throw error;
    io.err(`tunnelwatch tail: ${failure}`);
    return 1;
  }
}

/** What the first poll read, on stderr: counts, and what to try when it found nothing. */
function readLine(
  logGroup: string,
  since: number,
  events: number,
  streams: number,
  sinceArgument: string,
): string {
  const from = new Date(since).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (events === 0) {
    return `tunnelwatch tail: no events in ${logGroup} since ${from} (--since ${sinceArgument}); look further back with --since 1d, or list the streams with tunnelwatch logs list --log-group ${logGroup}`;
  }
  return `tunnelwatch tail: read ${events.toLocaleString('en-US')} event${events === 1 ? '' : 's'} from ${streams} stream${streams === 1 ? '' : 's'} of ${logGroup} since ${from}`;
}

/**
 * The input options for a log group the deploy configuration names: its
 * source (unless `--source` names one) and its servers' zone (unless `--tz`).
 */
export function groupInputOptions(
  given: InputOptions,
  setting: LogGroupSetting | undefined,
): InputOptions {
  if (setting === undefined) return given;
  return {
    ...given,
    source: given.source === 'auto' ? setting.source : given.source,
    ...(setting.timeZone === undefined ? {} : { zones: { [setting.source]: setting.timeZone } }),
  };
}

/**
 * Picks each stream's zone and warns once per stream whose format is local
 * time when no zone was given (`--tz`, or the log group's in `--config`).
 */
export class ZoneCheck {
  private readonly zones = new Map<string, string>();

  constructor(
    private readonly input: InputOptions,
    private readonly io: CommandIO,
    private readonly command = 'tail',
  ) {}

  see(event: FilteredEvent): void {
    if (this.zones.has(event.logStreamName)) return;
    const definition =
      this.input.source === 'auto'
        ? sniffSource([event.message])
        : sourceDefinition(this.input.source);
    if (definition === undefined) {
      this.zones.set(event.logStreamName, this.input.timeZone);
      return;
    }
    const { timeZone, given } = zoneFor(this.input, definition.source);
    const line = { text: event.message, number: 1 };
    if (!given && timesDependOnZone(definition, event.logStreamName, [line])) {
      this.io.err(noZoneWarning(this.command, `stream ${event.logStreamName}`, definition.source));
    }
    this.zones.set(event.logStreamName, timeZone);
  }

  zoneOf(stream: string): string {
    return this.zones.get(stream) ?? this.input.timeZone;
  }
}

/** One alert as a single line for `--follow`, coloured by severity on a terminal. */
function alertLine(alert: Alert, paint: Paint): string {
  const time = isoTime(alert.time)
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '');
  const status = alert.status === 'resolved' ? 'RESOLVED' : 'OPENED';
  const style = alert.status === 'resolved' ? 'green' : SEVERITY_STYLE[alert.severity];
  const about = sanitizeLine(aboutText(alert.about)) || alert.key;
  return `${time}  ${paint('bold', paint(style, status))}  ${paint(SEVERITY_STYLE[alert.severity], alert.severity)}  ${alert.rule}  ${alert.category}  ${about}  ${sanitizeLine(alert.summary)}`;
}

/** `--events`: every event in the classify shape, parsed with its stream's source. */
class EventPrinter {
  private readonly parsers = new Map<string, StreamParser | null>();

  constructor(
    private readonly input: InputOptions,
    private readonly io: CommandIO,
    private readonly paint: Paint,
  ) {}

  print(event: FilteredEvent): void {
    const parser = this.parserFor(event);
    const time = isoTime(event.timestamp);
    if (parser === null) {
      this.io.out(
        safeJson({
          stream: event.logStreamName,
          eventId: event.eventId,
          source: null,
          category: null,
          severity: null,
          time,
          raw: event.message,
        }),
      );
      return;
    }
    const parsed = parser.parse(event.message, {
      eventId: event.eventId,
      timestamp: event.timestamp,
      origin: { stream: event.logStreamName },
    });
    const json = safeJson({
      stream: event.logStreamName,
      eventId: event.eventId,
      source: parsed.source,
      category: parsed.category,
      severity: parsed.severity,
      time: parsed.time === null ? time : isoTime(parsed.time),
      fields: parsed.fields,
      ...(parsed.reason === undefined ? {} : { reason: parsed.reason }),
    });
    this.io.out(
      parsed.severity === 'info' ? json : this.paint(SEVERITY_STYLE[parsed.severity], json),
    );
  }

  private parserFor(event: FilteredEvent): StreamParser | null {
    let parser = this.parsers.get(event.logStreamName);
    if (parser === undefined) {
      const definition: SourceDefinition | undefined =
        this.input.source === 'auto'
          ? sniffSource([event.message])
          : sourceDefinition(this.input.source);
      parser =
        definition?.createParser({
          timeZone: zoneFor(this.input, definition.source).timeZone,
          stream: event.logStreamName,
        }) ?? null;
      if (parser === null) {
        this.io.err(
          `tunnelwatch tail: no parser for stream ${event.logStreamName} (source ${this.input.source}); printing raw lines`,
        );
      }
      this.parsers.set(event.logStreamName, parser);
    }
    return parser;
  }
}
