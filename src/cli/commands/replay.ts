/**
 * `tunnelwatch replay`: the full rule pipeline over log files with in-memory
 * state, printing the alerts on-call would have received (docs/cli.md).
 */

import { safeJson } from '../../alerts/sanitize.ts';
import {
  CountingStateStore,
  compareAlerts,
  isLossless,
  lineTimes,
  planDeliveries,
  ReplayClock,
  runDeliveries,
} from '../../deliveries.ts';
import type { RulesConfig } from '../../model.ts';
import { runPipeline, type StreamBatch } from '../../pipeline.ts';
import { MemoryStateStore } from '../../state/memory-state-store.ts';
import { EXIT_FAIL_ON, UnreadableInputError, UsageError } from '../errors.ts';
import {
  expandEach,
  type InputLine,
  openListedInput,
  readWholeBatch,
  STDIN_PATH,
} from '../input.ts';
import {
  failOnMatched,
  failOnOption,
  type InputOptions,
  inputOptions,
  parseCommandArgs,
} from '../options.ts';
import { countedLines, progressBar, ReadProgress, totalBytes } from '../progress.ts';
import { TunnelIdentityCount } from '../tunnel-identity-count.ts';
import {
  ARCHIVE_OPTION_SPEC,
  type ArchiveFlagValues,
  checkArchiveFlags,
  readingArchive,
  timeRangeOf,
} from './archive-flags.ts';
import { clientOptions } from './aws-options.ts';
import { configOption, withConfiguredZones } from './config-option.ts';
import type { CommandIO } from './io.ts';
import {
  alertJson,
  type DeliveriesPlanInfo,
  deliveriesJson,
  deliveriesReport,
  humanReport,
  painter,
  summaryJson,
  summaryObject,
} from './replay-output.ts';
import { type ReplayFile, streamReplay } from './replay-stream.ts';

export const REPLAY_USAGE = `usage: tunnelwatch replay [--source auto|aws-s2s|openvpn|softether] [--stream NAME] [--tz ZONE] [--json] [--config FILE] [--deliveries N [--shuffle SEED] [--repeat K] [--check]] FILE...
       tunnelwatch replay --archive s3://BUCKET/PREFIX --stream NAME [--start T] [--end T] [--region R] [--endpoint-url URL] [options above]`;

/** `--deliveries` and its companions, validated. */
interface DeliveriesOptions {
  readonly linesPerDelivery: number;
  readonly shuffleSeed?: number;
  readonly repeat: number;
  readonly check: boolean;
}

/** A flag's value as an integer ≥ `min`, or a `UsageError` naming the flag. */
function integerFlag(flag: string, value: string, min: number): number {
  const number = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min) {
    throw new UsageError(`--${flag}: expected an integer ≥ ${min}, got "${value}"`);
  }
  return number;
}

function deliveriesOptions(values: {
  deliveries?: string | undefined;
  shuffle?: string | undefined;
  repeat?: string | undefined;
  check?: boolean | undefined;
}): DeliveriesOptions | undefined {
  if (values.deliveries === undefined) {
    for (const flag of ['shuffle', 'repeat', 'check'] as const) {
      if (values[flag] !== undefined && values[flag] !== false) {
        throw new UsageError(`--${flag}: only with --deliveries N`);
      }
    }
    return undefined;
  }
  return {
    linesPerDelivery: integerFlag('deliveries', values.deliveries, 1),
    ...(values.shuffle === undefined
      ? {}
      : { shuffleSeed: integerFlag('shuffle', values.shuffle, 0) }),
    repeat: values.repeat === undefined ? 1 : integerFlag('repeat', values.repeat, 1),
    check: values.check === true,
  };
}

/** Runs `replay`; returns the exit code. */
export async function replayCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    json: { type: 'boolean', default: false },
    config: { type: 'string' },
    deliveries: { type: 'string' },
    shuffle: { type: 'string' },
    repeat: { type: 'string' },
    check: { type: 'boolean' },
    explain: { type: 'boolean', default: false },
    'fail-on': { type: 'string' },
    ...ARCHIVE_OPTION_SPEC,
    region: { type: 'string' },
    'endpoint-url': { type: 'string' },
  });
  if (values.help) {
    io.out(REPLAY_USAGE);
    return 0;
  }
  const given = inputOptions(values);
  const deliveries = deliveriesOptions(values);
  const failOn = failOnOption(values['fail-on']);
  checkArchiveFlags(values, given.stream);
  const archive = values.archive;
  if (archive !== undefined && positionals.length > 0) {
    throw new UsageError('give either --archive or FILE arguments');
  }
  if (archive === undefined) {
    for (const flag of ['region', 'endpoint-url'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} applies to --archive only`);
    }
  }
  if (positionals.length === 0 && archive === undefined) {
    io.err(`tunnelwatch replay: no FILE given\n${REPLAY_USAGE}`);
    return 2;
  }
  const config = await configOption(values.config, 'replay', io);
  if (config === undefined) return 1;
  const options = withConfiguredZones(given, config);

  let exitCode = 0;
  let inputs: ReplayInput[];
  if (archive === undefined) {
    const read = await openInputs(positionals, options, io);
    // Nothing could be read: the errors say so; an empty report would not.
    if (read.inputs.length === 0 && read.failed) return 1;
    inputs = read.inputs;
    exitCode = read.failed ? 1 : 0;
  } else {
    const read = await openArchive(archive, values, options, io);
    if (read === undefined) return 1;
    inputs = read;
  }

  if (deliveries !== undefined) {
    const batches: StreamBatch[] = [];
    for (const input of inputs) {
      try {
        batches.push(await readWholeBatch(input));
      } catch (error) {
        if (!(error instanceof UnreadableInputError)) throw error;
        io.err(`tunnelwatch replay: ${error.message}`);
        exitCode = 1;
      }
    }
    const lossless = await replayDeliveries(batches, config.rules, deliveries, values.json, io);
    return exitCode === 0 && deliveries.check && !lossless ? 1 : exitCode;
  }

  // Inputs read once (standard input, the archive) stay open: the merge opens each file when it reaches it.
  const files = inputs.filter((input) => input.readOnce !== true);
  for (const file of files) await file.close?.();
  const clock = new ReplayClock();
  const identities = new TunnelIdentityCount();
  const bar = progressBar('replay', await totalBytes(files.map((file) => file.path)));
  const progress = bar === undefined ? undefined : new ReadProgress(bar);
  const result = await streamReplay(
    inputs.map((input) => ({
      path: input.path,
      stream: input.stream,
      definition: input.definition,
      timeZone: input.timeZone,
      ...(input.readOnce === true ? { lines: input.lines, readOnce: true } : {}),
    })),
    {
      store: new MemoryStateStore(clock.now),
      config: config.rules,
      now: clock.now,
      onEvent: (event) => {
        clock.observe(event);
        identities.see(event);
      },
      ...(progress === undefined
        ? {}
        : { readLines: (path: string) => countedLines(path, progress)[Symbol.asyncIterator]() }),
      onUnreadable: (error) => {
        io.err(`tunnelwatch replay: ${error.message}`);
        exitCode = 1;
      },
    },
  );
  bar?.end();
  const extras = { explain: values.explain, withoutTunnel: identities.missing };
  if (values.json) {
    for (const alert of result.alerts) io.out(alertJson(alert));
    io.out(summaryJson(result, inputs.length, extras));
  } else {
    const colour = io.isTTY && process.env['NO_COLOR'] === undefined;
    for (const line of humanReport(result, inputs.length, painter(colour), 'file', extras)) {
      io.out(line);
    }
  }
  return exitCode === 0 && failOnMatched(result.alerts, failOn) ? EXIT_FAIL_ON : exitCode;
}

/**
 * An input of the replay: a file (closed before the merge, which opens it
 * again when it reaches it), or standard input or the archive (`readOnce`:
 * the merge reads their lines as they are).
 */
type ReplayInput = ReplayFile & {
  readonly lines: AsyncIterable<InputLine>;
  readonly close?: () => Promise<void>;
};

/** FILE arguments opened (their format chosen); whether some could not be read. */
async function openInputs(
  paths: readonly string[],
  options: InputOptions,
  io: CommandIO,
): Promise<{ inputs: ReplayInput[]; failed: boolean }> {
  const expanded = await expandEach(paths, io.err);
  let failed = expanded.failed;
  const inputs: ReplayInput[] = [];
  for (const input of expanded.files) {
    try {
      const file = await openListedInput(input, options, 'replay', io.err);
      if (file === undefined) continue;
      inputs.push(file.path === STDIN_PATH ? { ...file, readOnce: true } : file);
    } catch (error) {
      if (!(error instanceof UnreadableInputError)) throw error;
      io.err(`tunnelwatch replay: ${error.message}`);
      failed = true;
    }
  }
  return { inputs, failed };
}

/**
 * `--archive`: the stream's archived lines over `--start`/`--end`, streamed;
 * none when the range holds no line (said on stderr); undefined when the
 * archive could not be read (said on stderr).
 */
async function openArchive(
  url: string,
  values: ArchiveFlagValues,
  options: InputOptions,
  io: CommandIO,
): Promise<ReplayInput[] | undefined> {
  const range = timeRangeOf(values);
  const stream = options.stream ?? '';
  // Loaded on use: the AWS SDK is not needed for files.
  const { archiveReplayInput } = await import('./archive-input.ts');
  const input = await readingArchive(url, 'replay', io, async () => ({
    found: await archiveReplayInput(url, stream, range, options, clientOptions(values)),
  }));
  if (input === undefined) return undefined;
  if (input.found === undefined) {
    io.err(`tunnelwatch replay: archive ${url}: no line of ${stream} in the range`);
    return [];
  }
  return [input.found];
}

/**
 * `--deliveries`: the reference (plain replay) and the delivered replay, each
 * with its own in-memory store; prints the published alerts and what
 * differs. Returns whether no alert was lost or doubled.
 */
async function replayDeliveries(
  batches: readonly StreamBatch[],
  config: RulesConfig,
  options: DeliveriesOptions,
  json: boolean,
  io: CommandIO,
): Promise<boolean> {
  const reference = await runPipeline(batches, { store: new MemoryStateStore(), config });
  const times = batches.map((batch) => lineTimes(batch));
  const plan = planDeliveries(batches, times, {
    linesPerDelivery: options.linesPerDelivery,
    repeat: options.repeat,
    ...(options.shuffleSeed === undefined ? {} : { shuffleSeed: options.shuffleSeed }),
  });
  // Nothing expires in the store (its clock stays at 0): shuffled deliveries
  // of logs months apart are judged by the pipeline's lateness bound alone,
  // not by a clock that the newest line would move past the older logs' state.
  const store = new CountingStateStore(new MemoryStateStore(() => 0));
  const run = await runDeliveries(batches, plan, { store, config }, times);
  const comparison = compareAlerts(reference.alerts, run.published, config);
  const info: DeliveriesPlanInfo = {
    linesPerDelivery: options.linesPerDelivery,
    deliveries: plan.filter((delivery) => delivery.copy === 0).length,
    handOvers: plan.length,
    repeat: options.repeat,
    storeCalls: store.calls,
    late: run.result.late,
    ...(options.shuffleSeed === undefined ? {} : { shuffleSeed: options.shuffleSeed }),
  };
  if (json) {
    for (const alert of run.published) io.out(alertJson(alert));
    io.out(
      safeJson({
        summary: {
          ...summaryObject(run.result, batches.length),
          deliveries: deliveriesJson(info, comparison),
        },
      }),
    );
  } else {
    const paint = painter(io.isTTY && process.env['NO_COLOR'] === undefined);
    for (const line of humanReport(run.result, batches.length, paint)) io.out(line);
    for (const line of deliveriesReport(info, comparison, paint)) io.out(line);
  }
  return isLossless(comparison);
}
