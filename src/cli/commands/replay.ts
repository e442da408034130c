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
  type OpenedInput,
  openListedInput,
  readWholeBatch,
  STDIN_PATH,
} from '../input.ts';
import { failOnMatched, failOnOption, inputOptions, parseCommandArgs } from '../options.ts';
import { countedLines, progressBar, ReadProgress, totalBytes } from '../progress.ts';
import { TunnelIdentityCount } from '../tunnel-identity-count.ts';
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
import { streamReplay } from './replay-stream.ts';

export const REPLAY_USAGE =
  'usage: tunnelwatch replay [--source auto|aws-s2s|openvpn|softether] [--stream NAME] [--tz ZONE] [--json] [--config FILE] [--deliveries N [--shuffle SEED] [--repeat K] [--check]] FILE...';

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
  });
  if (values.help) {
    io.out(REPLAY_USAGE);
    return 0;
  }
  const given = inputOptions(values);
  const deliveries = deliveriesOptions(values);
  const failOn = failOnOption(values['fail-on']);
  if (positionals.length === 0) {
    io.err(`tunnelwatch replay: no FILE given\n${REPLAY_USAGE}`);
    return 2;
  }
  const config = await configOption(values.config, 'replay', io);
  if (config === undefined) return 1;
  const options = withConfiguredZones(given, config);

  const expanded = await expandEach(positionals, io.err);
  let exitCode = expanded.failed ? 1 : 0;
  const inputs = expanded.files;

  const opened: OpenedInput[] = [];
  for (const input of inputs) {
    try {
      const file = await openListedInput(input, options, 'replay', io.err);
      if (file !== undefined) opened.push(file);
    } catch (error) {
      if (!(error instanceof UnreadableInputError)) throw error;
      io.err(`tunnelwatch replay: ${error.message}`);
      exitCode = 1;
    }
  }

  // Nothing could be read: the errors above say so; an empty report would not.
  if (opened.length === 0 && exitCode !== 0) return exitCode;

  if (deliveries !== undefined) {
    const batches: StreamBatch[] = [];
    for (const file of opened) {
      try {
        batches.push(await readWholeBatch(file));
      } catch (error) {
        if (!(error instanceof UnreadableInputError)) throw error;
        io.err(`tunnelwatch replay: ${error.message}`);
        exitCode = 1;
      }
    }
    const lossless = await replayDeliveries(batches, config.rules, deliveries, values.json, io);
    return exitCode === 0 && deliveries.check && !lossless ? 1 : exitCode;
  }

  // Only standard input stays open: the merge opens each file when it reaches it.
  for (const file of opened) if (file.path !== STDIN_PATH) await file.close();
  const clock = new ReplayClock();
  const identities = new TunnelIdentityCount();
  const bar = progressBar('replay', await totalBytes(opened.map((file) => file.path)));
  const progress = bar === undefined ? undefined : new ReadProgress(bar);
  const result = await streamReplay(
    opened.map((file) => ({
      path: file.path,
      stream: file.stream,
      definition: file.definition,
      timeZone: file.timeZone,
      ...(file.path === STDIN_PATH ? { lines: file.lines } : {}),
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
    io.out(summaryJson(result, opened.length, extras));
  } else {
    const colour = io.isTTY && process.env['NO_COLOR'] === undefined;
    for (const line of humanReport(result, opened.length, painter(colour), 'file', extras)) {
      io.out(line);
    }
  }
  return exitCode === 0 && failOnMatched(result.alerts, failOn) ? EXIT_FAIL_ON : exitCode;
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
