/**
 * `tunnelwatch replay`: the full rule pipeline over log files with in-memory
 * state, printing the alerts on-call would have received (CLI.md).
 */
import { runPipeline } from '../../pipeline.ts';
import { MemoryStateStore } from '../../state/memory-state-store.ts';
import { readBatches } from '../input.ts';
import { inputOptions, parseCommandArgs } from '../options.ts';
import { configOption } from './config-option.ts';
import type { CommandIO } from './io.ts';
import { alertJson, humanReport, painter } from './replay-output.ts';

export const REPLAY_USAGE =
  'usage: tunnelwatch replay [--source auto|aws-s2s|openvpn|softether] [--stream NAME] [--tz ZONE] [--json] [--config FILE] FILE...';

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
  const options = inputOptions(values);
  if (positionals.length === 0) {
    io.err(`tunnelwatch replay: no FILE given\n${REPLAY_USAGE}`);
    return 2;
  }
  const config = await configOption(values.config, 'replay', io);
  if (config === undefined) return 1;

  const { batches, failed } = await readBatches(positionals, options, 'replay', io.err);
  const exitCode = failed ? 1 : 0;

  // Nothing could be read: the errors above say so; an empty report would not.
  if (batches.length === 0 && exitCode !== 0) return exitCode;

  const store = new MemoryStateStore();
  const result = await runPipeline(batches, { store, config });
  if (values.json) {
    for (const alert of result.alerts) io.out(alertJson(alert));
  } else {
    const colour = io.isTTY && process.env['NO_COLOR'] === undefined;
    for (const line of humanReport(result, batches.length, painter(colour))) io.out(line);
  }
  return exitCode;
}
