/**
 * `tunnelwatch replay`: the full rule pipeline over log files with in-memory
 * state, printing the alerts on-call would have received (CLI.md).
 */
import { type RawLine, runPipeline, type StreamBatch } from '../../pipeline.ts';
import { MemoryStateStore } from '../../state/memory-state-store.ts';
import { UnreadableInputError, UsageError } from '../errors.ts';
import { type ExpandedInput, expandEach, openInput } from '../input.ts';
import { type InputOptions, inputOptions, noZoneWarning, parseCommandArgs } from '../options.ts';
import { configOption, withConfiguredZones } from './config-option.ts';
import type { CommandIO } from './io.ts';
import { alertJson, humanReport, painter } from './replay-output.ts';

export const REPLAY_USAGE =
  'usage: tunnelwatch replay [--source auto|aws-s2s|openvpn|softether] [--stream NAME] [--tz ZONE] [--json] [--config FILE] FILE...';

/** A file to replay; `listed` when it came from expanding a directory. */
/** Runs `replay`; returns the exit code. */
export async function replayCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    json: { type: 'boolean', default: false },
    config: { type: 'string' },
  });
  if (values.help) {
    io.out(REPLAY_USAGE);
    return 0;
  }
  const given = inputOptions(values);
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

  const batches: StreamBatch[] = [];
  for (const input of inputs) {
    try {
      const batch = await readBatch(input, options, io);
      if (batch !== undefined) batches.push(batch);
      else io.err(`tunnelwatch replay: skipping ${input.path}: not a log format tunnelwatch knows`);
    } catch (error) {
      if (!(error instanceof UnreadableInputError)) throw error;
      io.err(`tunnelwatch replay: ${error.message}`);
      exitCode = 1;
    }
  }

  // Nothing could be read: the errors above say so; an empty report would not.
  if (batches.length === 0 && exitCode !== 0) return exitCode;

  const store = new MemoryStateStore();
  const result = await runPipeline(batches, { store, config: config.rules });
  if (values.json) {
    for (const alert of result.alerts) io.out(alertJson(alert));
  } else {
    const colour = io.isTTY && process.env['NO_COLOR'] === undefined;
    for (const line of humanReport(result, batches.length, painter(colour))) io.out(line);
  }
  return exitCode;
}

/**
 * Reads one file into a batch. A file found by expanding a directory whose
 * format is not recognised is skipped (undefined); a file named on the
 * command line is a usage error then, as in `classify`.
 */
async function readBatch(
  input: ExpandedInput,
  options: InputOptions,
  io: CommandIO,
): Promise<StreamBatch | undefined> {
  let opened: Awaited<ReturnType<typeof openInput>>;
  try {
    opened = await openInput(input.path, options);
  } catch (error) {
    if (error instanceof UsageError && input.listed && options.source === 'auto') return undefined;
    throw error;
  }
  if (opened.zoneGuessed) io.err(noZoneWarning('replay', input.path, opened.definition.source));
  const lines: RawLine[] = [];
  for await (const line of opened.lines) lines.push({ text: line.text, line: line.number });
  return {
    source: opened.definition.source,
    stream: opened.stream,
    file: input.path,
    timeZone: opened.timeZone,
    lines,
  };
}
