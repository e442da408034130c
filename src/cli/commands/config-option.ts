/**
 * `--config FILE`, shared by the commands that run the rule pipeline (replay,
 * tail): the deploy configuration (`tunnelwatch.config.json`: its rules, and
 * each log group's source and time zone) or a rules-only document; the
 * defaults when the flag is absent.
 */
import { readFile } from 'node:fs/promises';
import type { RulesConfig, Source } from '../../model.ts';
import {
  DEFAULT_RULES_CONFIG,
  parseRulesConfig,
  RulesConfigError,
  RulesConfigUnreadableError,
} from '../../rules/config.ts';
import { UsageError } from '../errors.ts';
import type { InputOptions } from '../options.ts';
import type { CommandIO } from './io.ts';

/** Where a log group's lines come from, as the deploy configuration says. */
export interface LogGroupSetting {
  readonly source: Source;
  /** IANA zone of the servers' local times (not for aws-s2s, which logs UTC). */
  readonly timeZone?: string;
}

/** What `--config` gives the pipeline. */
export interface PipelineConfig {
  readonly rules: RulesConfig;
  /** Log groups the deploy configuration names (empty for a rules-only document). */
  readonly logGroups: ReadonlyMap<string, LogGroupSetting>;
  /** Per local-time source, the zone all its configured servers share (none when they differ). */
  readonly zones: Readonly<Partial<Record<Source, string>>>;
}

/** No `--config`: the default rules, no log groups. */
export const DEFAULT_PIPELINE_CONFIG: PipelineConfig = {
  rules: DEFAULT_RULES_CONFIG,
  logGroups: new Map(),
  zones: {},
};

/** Members only a rules document has at its top level (besides `$schema`, `$comment`). */
const RULES_SECTIONS = new Set(['rules', 'cause', 'causeSeverities']);

/**
 * True when `json` is a deploy configuration rather than a rules document: it
 * has a member a rules document does not, or its `rules` member is itself a
 * rules document (`{"rules": {"rules": …}}`).
 */
export function isDeployConfig(json: unknown): boolean {
  if (!isRecord(json)) return false;
  const members = Object.keys(json).filter((key) => key !== '$schema' && key !== '$comment');
  if (members.some((key) => !RULES_SECTIONS.has(key))) return true;
  const rules = json.rules;
  return isRecord(rules) && Object.keys(rules).some((key) => RULES_SECTIONS.has(key));
}

/**
 * Loads the configuration named by `--config` (`DEFAULT_PIPELINE_CONFIG` when
 * `path` is not a string). A file that cannot be read is reported on stderr as
 * `tunnelwatch <command>: --config: …` and gives `undefined`: the command then
 * exits with 1. An invalid file throws `UsageError` (exit code 2) listing its
 * problems.
 */
export async function configOption(
  path: string | boolean | undefined,
  command: string,
  io: CommandIO,
): Promise<PipelineConfig | undefined> {
  if (typeof path !== 'string') return DEFAULT_PIPELINE_CONFIG;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    io.err(
      `tunnelwatch ${command}: --config: ${new RulesConfigUnreadableError(path, error).message}`,
    );
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--config ${path}: not valid JSON (${(error as Error).message})`);
  }
  try {
    if (isDeployConfig(json)) return await deployPipelineConfig(json, path);
    const { $schema: _schema, $comment: _comment, ...document } = json as Record<string, unknown>;
    return { ...DEFAULT_PIPELINE_CONFIG, rules: parseRulesConfig(document, path) };
  } catch (error) {
    if (error instanceof RulesConfigError) throw new UsageError(`--config ${error.message}`);
    throw error;
  }
}

async function deployPipelineConfig(json: unknown, path: string): Promise<PipelineConfig> {
  // Loaded on use: the schema library is not needed by the other commands.
  const { ConfigError, parseConfig } = await import('../../../cdk/config.ts');
  const { openvpnLogGroupName, softetherLogGroupName } = await import('../../../cdk/log-layout.ts');
  let config: Awaited<ReturnType<typeof parseConfig>>;
  try {
    config = parseConfig(json, path);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`--config ${error.message}`);
    throw error;
  }
  const logGroups = new Map<string, LogGroupSetting>();
  for (const group of config.vpnLogGroups) logGroups.set(group.name, { source: 'aws-s2s' });
  for (const gateway of config.openvpnGateways) {
    logGroups.set(openvpnLogGroupName(gateway.name), {
      source: 'openvpn',
      timeZone: gateway.timeZone,
    });
  }
  for (const server of config.softetherServers) {
    const setting: LogGroupSetting = { source: 'softether', timeZone: server.timeZone };
    logGroups.set(softetherLogGroupName(server.name, 'server_log'), setting);
    for (const hub of server.hubs) {
      logGroups.set(softetherLogGroupName(server.name, 'security_log', hub.name), setting);
      logGroups.set(softetherLogGroupName(server.name, 'packet_log', hub.name), setting);
    }
  }
  const zones: Partial<Record<Source, string>> = {};
  for (const [source, servers] of [
    ['openvpn', config.openvpnGateways],
    ['softether', config.softetherServers],
  ] as const) {
    const distinct = new Set(servers.map((server) => server.timeZone));
    const [only] = distinct;
    if (distinct.size === 1 && only !== undefined) zones[source] = only;
  }
  return {
    rules: parseRulesConfig(config.rules ?? {}, `${path}: rules`),
    logGroups,
    zones,
  };
}

/** `options` with the configuration's zones (used where `--tz` was not given). */
export function withConfiguredZones(options: InputOptions, config: PipelineConfig): InputOptions {
  return { ...options, zones: config.zones };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
