/**
 * `tunnelwatch tail`: recent events of a log group (FilterLogEvents) through
 * the rule pipeline with in-memory state, printed like `replay`: the human
 * report (alerts highlighted by severity on a terminal) or, with `--json`, one
 * object per alert. `--events` also prints every event in the `classify`
 * shape plus `stream` and `eventId`. `--follow` keeps polling; state carries
 * over between polls, so an event seen twice raises nothing twice.
 */
import { aboutText } from '../../alerts/render.ts';
import { sanitizeLine } from '../../alerts/sanitize.ts';
import { createLogsClient } from '../../aws/client.ts';
import { type FilteredEvent, filterLogEvents, LogAccessError } from '../../aws/cloudwatch-logs.ts';
import { type Alert, isoTime, type SourceDefinition, type StreamParser } from '../../model.ts';
import { runPipeline, type StreamBatch } from '../../pipeline.ts';
import { sniffSource, sourceDefinition } from '../../sources/index.ts';
import { MemoryStateStore } from '../../state/memory-state-store.ts';
import { UsageError } from '../errors.ts';
import { type InputOptions, inputOptions, parseCommandArgs } from '../options.ts';
import {
  AWS_OPTION_SPEC,
  awsFailureLine,
  clientOptions,
  parseTimeArgument,
  requiredLogGroup,
} from './aws-options.ts';
import { configOption } from './config-option.ts';
import type { CommandIO } from './io.ts';
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
  const input = inputOptions(values);
  const interval = Number(values.interval);
  if (!(interval > 0)) {
    throw new UsageError(`--interval: expected seconds > 0, got "${values.interval}"`);
  }
  const config = await configOption(values.config, 'tail', io);
  if (config === undefined) return 1;
  const client = createLogsClient(clientOptions(values));
  let start = parseTimeArgument('--since', values.since);
  const paint = painter(io.isTTY && process.env['NO_COLOR'] === undefined);
  const eventPrinter = values.events ? new EventPrinter(input, io, paint) : undefined;
  const store = new MemoryStateStore();
  const sleep =
    hooks.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // Ids at the newest timestamp seen: the next poll starts there and skips them.
  let seenAtStart = new Set<string>();
  try {
    for (;;) {
      let newest = start;
      const seenNow = new Set<string>();
      const byStream = new Map<string, FilteredEvent[]>();
      const streams = input.stream === undefined ? undefined : [input.stream];
      for await (const event of filterLogEvents(client, logGroup, { start }, streams)) {
        if (event.timestamp === start && seenAtStart.has(event.eventId)) continue;
        if (event.timestamp > newest) {
          newest = event.timestamp;
          seenNow.clear();
        }
        if (event.timestamp === newest) seenNow.add(event.eventId);
        byStream.set(event.logStreamName, [...(byStream.get(event.logStreamName) ?? []), event]);
        eventPrinter?.print(event);
      }
      const batches: StreamBatch[] = [...byStream].map(([stream, events]) => ({
        source: input.source,
        stream,
        logGroup,
        timeZone: input.timeZone,
        lines: events.map((event) => ({
          text: event.message,
          eventId: event.eventId,
          timestamp: event.timestamp,
        })),
      }));
      const result = await runPipeline(batches, { store, config });
      if (values.json || values.events) {
        for (const alert of result.alerts) io.out(alertJson(alert));
      } else if (!values.follow) {
        for (const line of humanReport(result, batches.length, paint, 'stream')) io.out(line);
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
        JSON.stringify({
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
    const json = JSON.stringify({
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
        definition?.createParser({ timeZone: this.input.timeZone, stream: event.logStreamName }) ??
        null;
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
