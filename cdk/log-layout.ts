/**
 * Where self-hosted VPN servers keep their logs on disk and which CloudWatch
 * Logs log groups tunnelwatch gives them. Pure data and functions: the stack
 * creates the groups with these names and `tunnelwatch agent-config` prints a
 * CloudWatch agent configuration that ships the files into the same groups.
 *
 * SoftEther facts: the SoftEther source (file names from `Logging.c`,
 * `Cedar.h`) and the PacketiX VPN manual §3.10.1 (switch cycles, `~NN` size split).
 */

/** Prefix of every log group tunnelwatch creates for self-hosted servers. */
export const SELF_HOSTED_LOG_GROUP_PREFIX = '/tunnelwatch/';

/** A SoftEther log switch cycle (`LogSwitchSet`): how often a new file is started. */
export const SOFTETHER_SWITCH_CYCLES = [
  'none',
  'second',
  'minute',
  'hour',
  'day',
  'month',
] as const;
/** A SoftEther log switch cycle name. */
export type SoftEtherSwitchCycle = (typeof SOFTETHER_SWITCH_CYCLES)[number];

/** The three SoftEther logs: the server log and, per Virtual Hub, the security and packet logs. */
export type SoftEtherLogKind = 'server_log' | 'security_log' | 'packet_log';

/** Directory (under the log directory) and file prefix of each SoftEther log (`Cedar.h`). */
export const SOFTETHER_LOG_FILES: Readonly<
  Record<SoftEtherLogKind, { readonly directory: string; readonly filePrefix: string }>
> = {
  server_log: { directory: 'server_log', filePrefix: 'vpn' },
  security_log: { directory: 'security_log', filePrefix: 'sec' },
  packet_log: { directory: 'packet_log', filePrefix: 'pkt' },
};

const D = '[0-9]';
const digits = (n: number): string => D.repeat(n);

/**
 * The date part of a SoftEther log file name per switch cycle, as a glob
 * (`MakeLogFileNameStringFromTick`: `_%04u%02u%02u_%02u%02u%02u` … `_%04u%02u`).
 */
export const SOFTETHER_DATE_GLOBS: Readonly<Record<SoftEtherSwitchCycle, string>> = {
  none: '',
  second: `_${digits(8)}_${digits(6)}`,
  minute: `_${digits(8)}_${digits(4)}`,
  hour: `_${digits(8)}_${digits(2)}`,
  day: `_${digits(8)}`,
  month: `_${digits(6)}`,
};

/**
 * The glob that matches every file a SoftEther log writes with `cycle`: the
 * date part, then optionally the size-split suffix `~NN` (`~01`, `~02`, …; up
 * to 9 digits when `LoggerMaxLogSize` is changed), then `.log`. The trailing
 * `*` before `.log` takes the split suffix; the CloudWatch agent publishes the
 * most recently modified match, which is always the file being written.
 */
export function softetherFileGlob(kind: SoftEtherLogKind, cycle: SoftEtherSwitchCycle): string {
  return `${SOFTETHER_LOG_FILES[kind].filePrefix}${SOFTETHER_DATE_GLOBS[cycle]}*.log`;
}

/**
 * Path of a SoftEther log's files: `<logDirectory>/server_log/vpn_*.log`, or
 * `<logDirectory>/security_log/<HUB>/sec_*.log` and `packet_log/<HUB>/pkt_*.log`.
 * The server log always switches daily (`LOG_SWITCH_DAY` in Server.c).
 */
export function softetherFilePath(
  logDirectory: string,
  kind: SoftEtherLogKind,
  cycle: SoftEtherSwitchCycle,
  hub?: string,
): string {
  const base = logDirectory.replace(/\/+$/, '');
  const directory = SOFTETHER_LOG_FILES[kind].directory;
  const effectiveCycle = kind === 'server_log' ? 'day' : cycle;
  const folder = kind === 'server_log' ? directory : `${directory}/${hub ?? ''}`;
  return `${base}/${folder}/${softetherFileGlob(kind, effectiveCycle)}`;
}

/**
 * Timestamp formats of each log in CloudWatch agent `timestamp_format` syntax.
 * SoftEther: `YYYY-MM-DD hh:mm:ss.mmm` (packet log: comma between date and
 * time). OpenVPN ≥ 2.5 `--log`: `YYYY-MM-DD hh:mm:ss`; ≤ 2.4: ctime.
 */
export const AGENT_TIMESTAMP_FORMATS = {
  softether: '%Y-%m-%d %H:%M:%S.%f',
  softetherPacket: '%Y-%m-%d,%H:%M:%S.%f',
  openvpnIso: '%Y-%m-%d %H:%M:%S',
  openvpnCtime: '%a %b %-d %H:%M:%S %Y',
} as const;

/** Log group of an OpenVPN gateway: `/tunnelwatch/openvpn/<gateway>`. */
export function openvpnLogGroupName(gateway: string): string {
  return `${SELF_HOSTED_LOG_GROUP_PREFIX}openvpn/${gateway}`;
}

/**
 * Log group of a SoftEther log: `/tunnelwatch/softether/<server>/server_log`,
 * `/tunnelwatch/softether/<server>/security_log/<hub>`,
 * `/tunnelwatch/softether/<server>/packet_log/<hub>` (the on-disk layout).
 */
export function softetherLogGroupName(
  server: string,
  kind: SoftEtherLogKind,
  hub?: string,
): string {
  const base = `${SELF_HOSTED_LOG_GROUP_PREFIX}softether/${server}/${kind}`;
  return kind === 'server_log' ? base : `${base}/${hub ?? ''}`;
}

/** Characters CloudWatch Logs allows in a log group name. */
export const LOG_GROUP_NAME_PATTERN = /^[A-Za-z0-9._\-/#]{1,512}$/;
