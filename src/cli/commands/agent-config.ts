/**
 * `tunnelwatch agent-config`: prints the CloudWatch agent configuration
 * (JSON) that ships one SoftEther or OpenVPN server's log files into the log
 * groups the tunnelwatch stack creates for it (same configuration file).
 */
import { parseArgs } from 'node:util';
import {
  ConfigError,
  DEFAULT_CONFIG_FILE,
  loadConfigFile,
  type OpenVpnGatewayConfig,
  type SoftEtherServerConfig,
  type TunnelwatchConfig,
} from '../../../cdk/config.ts';
import {
  AGENT_TIMESTAMP_FORMATS,
  openvpnLogGroupName,
  softetherFilePath,
  softetherLogGroupName,
} from '../../../cdk/log-layout.ts';
import { safeJson } from '../../alerts/sanitize.ts';
import { UsageError } from '../errors.ts';
import type { CommandIO } from './io.ts';

/** Usage line of `agent-config`. */
export const AGENT_CONFIG_USAGE =
  'usage: tunnelwatch agent-config [--config FILE] (--softether SERVER | --openvpn GATEWAY) [--stream NAME]';

/** Default log stream name (SoftEther: its first segment): the agent fills in the host name. */
export const DEFAULT_AGENT_STREAM_NAME = '{hostname}';

/** One `logs.logs_collected.files.collect_list` entry of the CloudWatch agent. */
export interface AgentFileEntry {
  readonly file_path: string;
  readonly log_group_name: string;
  readonly log_stream_name: string;
  readonly timestamp_format: string;
  /** The agent knows only `Local` and `UTC`. */
  readonly timezone: 'Local' | 'UTC';
  readonly encoding: 'utf-8';
}

/** The part of the CloudWatch agent configuration tunnelwatch writes. */
export interface AgentConfig {
  readonly logs: {
    readonly logs_collected: {
      readonly files: { readonly collect_list: readonly AgentFileEntry[] };
    };
  };
}

function agentTimeZone(timeZone: string): 'Local' | 'UTC' {
  return timeZone === 'UTC' || timeZone === 'Etc/UTC' ? 'UTC' : 'Local';
}

/**
 * Agent entries for a SoftEther server: the server log (always daily) and,
 * per hub, the security log and (unless off) the packet log, each with the
 * file glob of the hub's switch cycle, which also matches `~NN` split files.
 * Each stream is `stream` (the host) followed by the on-disk log directory
 * (`{hostname}/security_log/DEFAULT`): the SoftEther parser reads the server,
 * log kind and hub from the stream name only (docs/softether.md).
 */
export function softetherAgentEntries(
  server: SoftEtherServerConfig,
  stream: string,
): AgentFileEntry[] {
  const common = {
    timezone: agentTimeZone(server.timeZone),
    encoding: 'utf-8',
  } as const;
  const entries: AgentFileEntry[] = [
    {
      file_path: softetherFilePath(server.logDirectory, 'server_log', 'day'),
      log_group_name: softetherLogGroupName(server.name, 'server_log'),
      log_stream_name: `${stream}/server_log`,
      timestamp_format: AGENT_TIMESTAMP_FORMATS.softether,
      ...common,
    },
  ];
  for (const hub of server.hubs) {
    entries.push({
      file_path: softetherFilePath(
        server.logDirectory,
        'security_log',
        hub.securityLogSwitch,
        hub.name,
      ),
      log_group_name: softetherLogGroupName(server.name, 'security_log', hub.name),
      log_stream_name: `${stream}/security_log/${hub.name}`,
      timestamp_format: AGENT_TIMESTAMP_FORMATS.softether,
      ...common,
    });
    if (hub.packetLog !== 'off') {
      entries.push({
        file_path: softetherFilePath(
          server.logDirectory,
          'packet_log',
          hub.packetLogSwitch,
          hub.name,
        ),
        log_group_name: softetherLogGroupName(server.name, 'packet_log', hub.name),
        log_stream_name: `${stream}/packet_log/${hub.name}`,
        timestamp_format: AGENT_TIMESTAMP_FORMATS.softetherPacket,
        ...common,
      });
    }
  }
  return entries;
}

/** The agent entry for an OpenVPN server's `--log` file. */
export function openvpnAgentEntries(
  gateway: OpenVpnGatewayConfig,
  stream: string,
): AgentFileEntry[] {
  return [
    {
      file_path: gateway.logFile,
      log_group_name: openvpnLogGroupName(gateway.name),
      log_stream_name: stream,
      timestamp_format:
        gateway.timestampStyle === 'ctime'
          ? AGENT_TIMESTAMP_FORMATS.openvpnCtime
          : AGENT_TIMESTAMP_FORMATS.openvpnIso,
      timezone: agentTimeZone(gateway.timeZone),
      encoding: 'utf-8',
    },
  ];
}

/** Wraps entries into an agent configuration. */
export function agentConfig(entries: readonly AgentFileEntry[]): AgentConfig {
  return { logs: { logs_collected: { files: { collect_list: entries } } } };
}

function pick<T extends { readonly name: string }>(
  list: readonly T[],
  name: string,
  what: string,
  flag: string,
): T {
  const found = list.find((item) => item.name === name);
  if (found === undefined) {
    const known = list.map((item) => item.name).join(', ') || 'none';
    throw new UsageError(
      `${flag}: no ${what} "${name}" in the configuration (configured: ${known})`,
    );
  }
  return found;
}

/** Runs `agent-config`; returns the exit code. */
export async function agentConfigCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  let parsed: ReturnType<typeof parseAgentArgs>;
  try {
    parsed = parseAgentArgs(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help) {
    io.out(AGENT_CONFIG_USAGE);
    return 0;
  }
  if ((values.softether === undefined) === (values.openvpn === undefined)) {
    throw new UsageError(
      `give exactly one of --softether SERVER or --openvpn GATEWAY\n${AGENT_CONFIG_USAGE}`,
    );
  }
  let config: TunnelwatchConfig;
  try {
    config = loadConfigFile(values.config ?? DEFAULT_CONFIG_FILE);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`tunnelwatch agent-config: ${error.message}`);
    return 1;
  }
  const stream = values.stream ?? DEFAULT_AGENT_STREAM_NAME;
  let entries: AgentFileEntry[];
  let timeZone: string;
  if (values.softether !== undefined) {
    const server = pick(
      config.softetherServers,
      values.softether,
      'SoftEther server',
      '--softether',
    );
    entries = softetherAgentEntries(server, stream);
    timeZone = server.timeZone;
  } else {
    const gateway = pick(
      config.openvpnGateways,
      values.openvpn ?? '',
      'OpenVPN gateway',
      '--openvpn',
    );
    entries = openvpnAgentEntries(gateway, stream);
    timeZone = gateway.timeZone;
  }
  if (agentTimeZone(timeZone) === 'Local') {
    io.err(
      `tunnelwatch agent-config: the agent reads timestamps in the server's local zone: set the server's zone to ${timeZone}`,
    );
  }
  io.out(safeJson(agentConfig(entries), { space: 2 }));
  return 0;
}

function parseAgentArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      config: { type: 'string' },
      softether: { type: 'string' },
      openvpn: { type: 'string' },
      stream: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
    strict: true,
  });
}
