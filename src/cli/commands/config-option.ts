/**
 * `--config FILE`, shared by the commands that run the rule pipeline (replay,
 * tail): the rules config to use, or the defaults when the flag is absent.
 */
import type { RulesConfig } from '../../model.ts';
import {
  DEFAULT_RULES_CONFIG,
  loadRulesConfig,
  RulesConfigError,
  RulesConfigUnreadableError,
} from '../../rules/config.ts';
import { UsageError } from '../errors.ts';
import type { CommandIO } from './io.ts';

/**
 * Loads the rules config named by `--config` (`DEFAULT_RULES_CONFIG` when
 * `path` is not a string). A file that cannot be read is reported on stderr as
 * `tunnelwatch <command>: --config: …` and gives `undefined`: the command then
 * exits with 1. An invalid config throws `UsageError` (exit code 2).
 */
export async function configOption(
  path: string | boolean | undefined,
  command: string,
  io: CommandIO,
): Promise<RulesConfig | undefined> {
  if (typeof path !== 'string') return DEFAULT_RULES_CONFIG;
  try {
    return await loadRulesConfig(path);
  } catch (error) {
    if (error instanceof RulesConfigUnreadableError) {
      io.err(`tunnelwatch ${command}: --config: ${error.message}`);
      return undefined;
    }
    if (error instanceof RulesConfigError) throw new UsageError(`--config ${error.message}`);
    throw error;
  }
}
