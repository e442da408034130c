/**
 * The deployment configuration (`tunnelwatch.config.json`): which VPN
 * connections and servers tunnelwatch watches, where their logs go and who is
 * alerted. `parseConfig` checks the whole file and throws one `ConfigError`
 * listing every problem with the key it concerns (rule settings are checked by
 * `src/rules/config.ts`, as the function will). Pure: no CDK imports, so the
 * `tunnelwatch agent-config` command can read the same file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseRulesConfig, RulesConfigError } from '../src/rules/config.ts';
import {
  LOG_GROUP_NAME_PATTERN,
  SOFTETHER_SWITCH_CYCLES,
  type SoftEtherSwitchCycle,
} from './log-layout.ts';

/** File name looked up in the working directory when no `-c config=…` is given. */
export const DEFAULT_CONFIG_FILE = 'tunnelwatch.config.json';
/** Default stack name. */
export const DEFAULT_STACK_NAME = 'Tunnelwatch';
/** Default retention of every log group, in days. */
export const DEFAULT_LOG_RETENTION_DAYS = 90;
/** Default retention of the alert function's own log group, in days. */
export const DEFAULT_FUNCTION_LOG_RETENTION_DAYS = 30;
/** Default directory of a SoftEther server's logs (the install directory). */
export const DEFAULT_SOFTETHER_LOG_DIRECTORY = '/usr/local/vpnserver';
/** Default OpenVPN `--log` file. */
export const DEFAULT_OPENVPN_LOG_FILE = '/var/log/openvpn/openvpn.log';
/** Prefix that AWS asks VPN log group names to start with (aws-s2s-vpn.md §4.2). */
export const VENDED_LOGS_PREFIX = '/aws/vendedlogs/';

/** Retention periods CloudWatch Logs accepts, in days. */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** Tunnel log output formats (`LogOutputFormat`). */
export const LOG_OUTPUT_FORMATS = ['json', 'text'] as const;
/** A tunnel log output format. */
export type LogOutputFormat = (typeof LOG_OUTPUT_FORMATS)[number];

/** What tunnelwatch does with a SoftEther hub's packet log. */
export const PACKET_LOG_MODES = ['off', 'store', 'monitor'] as const;
/** `off`: nothing; `store`: a log group the agent ships to; `monitor`: also sent to the alert function. */
export type PacketLogMode = (typeof PACKET_LOG_MODES)[number];

/** OpenVPN timestamp styles: `iso` (2.5+) or `ctime` (2.4 and older). */
export const OPENVPN_TIMESTAMP_STYLES = ['iso', 'ctime'] as const;
/** An OpenVPN timestamp style. */
export type OpenVpnTimestampStyle = (typeof OPENVPN_TIMESTAMP_STYLES)[number];

/** A log group receiving AWS Site-to-Site VPN tunnel logs. */
export interface VpnLogGroupConfig {
  /** Must start with `/aws/vendedlogs/`. */
  readonly name: string;
  /** Days. */
  readonly retentionDays: number;
  /** True when the group exists already: the stack imports it instead of creating it. */
  readonly existing: boolean;
  /** Subscription filters other tools already put on this group (CloudWatch allows 2 in all). */
  readonly otherSubscriptionFilters: number;
}

/** An AWS Site-to-Site VPN connection tunnelwatch watches. */
export interface VpnConnectionConfig {
  /** `vpn-…` id. */
  readonly id: string;
  /** The tunnels' AWS-side outside IPv4 addresses (the key of every tunnel setting). */
  readonly tunnelOutsideIps: readonly string[];
  /** Name of the VPN log group (one of `vpnLogGroups`) the tunnels log to. */
  readonly logGroup: string;
  /** True: the stack turns tunnel logging on (one tunnel at a time) and off on delete. */
  readonly enableLogging: boolean;
  readonly logOutputFormat: LogOutputFormat;
}

/** Where alerts and alarms are sent. */
export interface AlertsConfig {
  readonly emails: readonly string[];
  /** HTTPS endpoints, e.g. a paging service's SNS integration URL. */
  readonly httpsEndpoints: readonly string[];
}

/** An OpenVPN server or gateway whose `--log` file the CloudWatch agent ships. */
export interface OpenVpnGatewayConfig {
  /** Used in the log group name: letters, digits, `.`, `_`, `-`. */
  readonly name: string;
  /** IANA zone of the timestamps in the log. */
  readonly timeZone: string;
  readonly logFile: string;
  readonly timestampStyle: OpenVpnTimestampStyle;
}

/** A SoftEther Virtual Hub. */
export interface SoftEtherHubConfig {
  readonly name: string;
  readonly securityLogSwitch: SoftEtherSwitchCycle;
  readonly packetLogSwitch: SoftEtherSwitchCycle;
  readonly packetLog: PacketLogMode;
}

/** A SoftEther VPN (PacketiX) server. */
export interface SoftEtherServerConfig {
  readonly name: string;
  readonly timeZone: string;
  /** Directory holding `server_log/`, `security_log/`, `packet_log/`. */
  readonly logDirectory: string;
  readonly hubs: readonly SoftEtherHubConfig[];
}

/** The whole validated configuration with defaults applied. */
export interface TunnelwatchConfig {
  readonly stackName: string;
  /** Deployment target; absent members make the stack environment-agnostic. */
  readonly env?: { readonly account?: string; readonly region?: string };
  /** Customer managed KMS key for log groups, topic, queues and table. */
  readonly kmsKeyArn?: string;
  /** Days. */
  readonly logRetentionDays: number;
  /** Days. */
  readonly functionLogRetentionDays: number;
  readonly vpnLogGroups: readonly VpnLogGroupConfig[];
  readonly vpnConnections: readonly VpnConnectionConfig[];
  readonly alerts: AlertsConfig;
  readonly openvpnGateways: readonly OpenVpnGatewayConfig[];
  readonly softetherServers: readonly SoftEtherServerConfig[];
  /** Rule settings passed to the function as `RULES_CONFIG`, checked with `parseRulesConfig`. */
  readonly rules?: Readonly<Record<string, unknown>>;
}

/** The configuration file is invalid; the message lists every problem, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly origin: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${origin}: ${problems.length} problem(s) in the tunnelwatch configuration:\n${problems
        .map((problem) => `  - ${problem}`)
        .join('\n')}`,
    );
  }
}

/** No configuration was given; the message is one line saying how to give one. */
export class MissingConfigError extends Error {
  override readonly name = 'MissingConfigError';
  constructor() {
    super(
      `tunnelwatch: no configuration: pass -c config=path/to/tunnelwatch.config.json (see samples/tunnelwatch.config.json) or create ./${DEFAULT_CONFIG_FILE}`,
    );
  }
}

type Json = unknown;
type JsonObject = Readonly<Record<string, Json>>;

/** Collects problems while reading the untyped JSON. */
class Reader {
  readonly problems: string[] = [];

  problem(key: string, message: string): void {
    this.problems.push(`${key}: ${message}`);
  }

  object(value: Json, key: string, allowed: readonly string[]): JsonObject | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.problem(key === '' ? '(top level)' : key, `expected an object, got ${describe(value)}`);
      return undefined;
    }
    for (const member of Object.keys(value)) {
      if (!allowed.includes(member) && member !== '$comment') {
        this.problem(join(key, member), `unknown key (expected one of ${allowed.join(', ')})`);
      }
    }
    return value as JsonObject;
  }

  array(value: Json, key: string, required = false): readonly Json[] {
    if (value === undefined && !required) return [];
    if (!Array.isArray(value)) {
      this.problem(key, `expected an array, got ${describe(value)}`);
      return [];
    }
    return value;
  }

  string(value: Json, key: string, check?: (s: string) => string | undefined): string | undefined {
    if (typeof value !== 'string' || value === '') {
      this.problem(key, `expected a non-empty string, got ${describe(value)}`);
      return undefined;
    }
    const message = check?.(value);
    if (message !== undefined) {
      this.problem(key, message);
      return undefined;
    }
    return value;
  }

  optionalString(value: Json, key: string, check?: (s: string) => string | undefined) {
    return value === undefined ? undefined : this.string(value, key, check);
  }

  boolean(value: Json, key: string, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') {
      this.problem(key, `expected true or false, got ${describe(value)}`);
      return fallback;
    }
    return value;
  }

  oneOf<T extends string>(value: Json, key: string, allowed: readonly T[], fallback: T): T {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.problem(key, `expected one of ${allowed.join(', ')}, got ${describe(value)}`);
      return fallback;
    }
    return value as T;
  }

  retention(value: Json, key: string, fallback: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !(RETENTION_DAYS as readonly number[]).includes(value)) {
      this.problem(
        key,
        `expected a CloudWatch Logs retention in days (${RETENTION_DAYS.join(', ')}), got ${describe(value)}`,
      );
      return fallback;
    }
    return value;
  }

  count(value: Json, key: string, fallback: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      this.problem(key, `expected a whole number ≥ 0, got ${describe(value)}`);
      return fallback;
    }
    return value;
  }

  unique(values: readonly (string | undefined)[], key: string, what: string): void {
    const seen = new Set<string>();
    const reported = new Set<string>();
    for (const value of values) {
      if (value === undefined) continue;
      if (seen.has(value) && !reported.has(value)) {
        this.problem(key, `${what} "${value}" is listed more than once`);
        reported.add(value);
      }
      seen.add(value);
    }
  }
}

function describe(value: Json): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function join(key: string, member: string | number): string {
  if (typeof member === 'number') return `${key}[${member}]`;
  return key === '' ? member : `${key}.${member}`;
}

const VPN_ID = /^vpn-[0-9a-f]{8,17}$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SERVER_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const HUB_NAME = /^[A-Za-z0-9._#-]{1,64}$/;

function ipv4(value: string): string | undefined {
  const parts = value.split('.');
  const valid =
    parts.length === 4 &&
    parts.every(
      (part) => /^\d{1,3}$/.test(part) && Number(part) <= 255 && String(Number(part)) === part,
    );
  return valid ? undefined : `expected an IPv4 address such as 203.0.113.10, got "${value}"`;
}

function timeZone(value: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return undefined;
  } catch {
    return `unknown time zone "${value}": expected an IANA name such as UTC or Asia/Tokyo`;
  }
}

function https(value: string): string | undefined {
  try {
    return new URL(value).protocol === 'https:'
      ? undefined
      : `expected an https:// URL, got "${value}"`;
  } catch {
    return `expected an https:// URL, got "${value}"`;
  }
}

function absolutePath(value: string): string | undefined {
  return value.startsWith('/') ? undefined : `expected an absolute path, got "${value}"`;
}

/**
 * Validates `json` (the parsed configuration file) and applies defaults.
 * Throws one `ConfigError` naming every problem; `origin` names the file.
 */
export function parseConfig(json: Json, origin: string): TunnelwatchConfig {
  const r = new Reader();
  const root = r.object(json, '', [
    'stackName',
    'env',
    'kmsKeyArn',
    'logRetentionDays',
    'functionLogRetentionDays',
    'vpnLogGroups',
    'vpnConnections',
    'alerts',
    'openvpnGateways',
    'softetherServers',
    'rules',
  ]);
  if (root === undefined) throw new ConfigError(origin, r.problems);

  const stackName =
    r.optionalString(root.stackName, 'stackName', (s) =>
      /^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(s)
        ? undefined
        : `expected a CloudFormation stack name (letters, digits, hyphens), got "${s}"`,
    ) ?? DEFAULT_STACK_NAME;

  let env: TunnelwatchConfig['env'];
  if (root.env !== undefined) {
    const e = r.object(root.env, 'env', ['account', 'region']);
    if (e !== undefined) {
      const account = r.optionalString(e.account, 'env.account', (s) =>
        ACCOUNT.test(s) ? undefined : `expected a 12-digit account id, got "${s}"`,
      );
      const region = r.optionalString(e.region, 'env.region', (s) =>
        REGION.test(s) ? undefined : `expected a region such as ap-northeast-1, got "${s}"`,
      );
      env = {
        ...(account === undefined ? {} : { account }),
        ...(region === undefined ? {} : { region }),
      };
    }
  }

  const kmsKeyArn = r.optionalString(root.kmsKeyArn, 'kmsKeyArn', (s) =>
    KMS_KEY_ARN.test(s)
      ? undefined
      : `expected a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), got "${s}"`,
  );
  const logRetentionDays = r.retention(
    root.logRetentionDays,
    'logRetentionDays',
    DEFAULT_LOG_RETENTION_DAYS,
  );
  const functionLogRetentionDays = r.retention(
    root.functionLogRetentionDays,
    'functionLogRetentionDays',
    DEFAULT_FUNCTION_LOG_RETENTION_DAYS,
  );

  const vpnLogGroups = r.array(root.vpnLogGroups, 'vpnLogGroups').flatMap((item, i) => {
    const key = join('vpnLogGroups', i);
    const g = r.object(item, key, [
      'name',
      'retentionDays',
      'existing',
      'otherSubscriptionFilters',
    ]);
    if (g === undefined) return [];
    const name = r.string(g.name, `${key}.name`, (s) => {
      if (!s.startsWith(VENDED_LOGS_PREFIX)) {
        return `VPN log group names must start with ${VENDED_LOGS_PREFIX} (the delivery policy covers them by prefix), got "${s}"`;
      }
      return LOG_GROUP_NAME_PATTERN.test(s) ? undefined : `not a valid log group name: "${s}"`;
    });
    const otherSubscriptionFilters = r.count(
      g.otherSubscriptionFilters,
      `${key}.otherSubscriptionFilters`,
      0,
    );
    if (otherSubscriptionFilters > 1) {
      r.problem(
        `${key}.otherSubscriptionFilters`,
        `log group already has ${otherSubscriptionFilters} subscription filter(s); CloudWatch Logs allows 2 per log group and tunnelwatch needs 1`,
      );
    }
    const retentionDays = r.retention(g.retentionDays, `${key}.retentionDays`, logRetentionDays);
    const existing = r.boolean(g.existing, `${key}.existing`, false);
    if (name === undefined) return [];
    return [{ name, retentionDays, existing, otherSubscriptionFilters }];
  });
  r.unique(
    vpnLogGroups.map((g) => g.name),
    'vpnLogGroups',
    'log group',
  );
  const groupNames = new Set(vpnLogGroups.map((g) => g.name));

  const vpnConnections = r.array(root.vpnConnections, 'vpnConnections').flatMap((item, i) => {
    const key = join('vpnConnections', i);
    const c = r.object(item, key, [
      'id',
      'tunnelOutsideIps',
      'logGroup',
      'enableLogging',
      'logOutputFormat',
    ]);
    if (c === undefined) return [];
    const id = r.string(c.id, `${key}.id`, (s) =>
      VPN_ID.test(s)
        ? undefined
        : `expected a VPN connection id such as vpn-0123456789abcdef0, got "${s}"`,
    );
    const ips = r.array(c.tunnelOutsideIps, `${key}.tunnelOutsideIps`, true);
    if (Array.isArray(c.tunnelOutsideIps) && (ips.length < 1 || ips.length > 2)) {
      r.problem(`${key}.tunnelOutsideIps`, `expected 1 or 2 tunnel outside IPs, got ${ips.length}`);
    }
    const tunnelOutsideIps = ips.map((ip, j) =>
      r.string(ip, join(`${key}.tunnelOutsideIps`, j), ipv4),
    );
    const logGroup = r.string(c.logGroup, `${key}.logGroup`, (s) =>
      groupNames.has(s) ? undefined : `"${s}" is not one of the vpnLogGroups names`,
    );
    const enableLogging = r.boolean(c.enableLogging, `${key}.enableLogging`, false);
    const logOutputFormat = r.oneOf(
      c.logOutputFormat,
      `${key}.logOutputFormat`,
      LOG_OUTPUT_FORMATS,
      'json',
    );
    if (
      id === undefined ||
      logGroup === undefined ||
      tunnelOutsideIps.some((ip) => ip === undefined)
    ) {
      return [];
    }
    return [
      {
        id,
        tunnelOutsideIps: tunnelOutsideIps as string[],
        logGroup,
        enableLogging,
        logOutputFormat,
      },
    ];
  });
  r.unique(
    vpnConnections.map((c) => c.id),
    'vpnConnections',
    'VPN connection',
  );
  r.unique(
    vpnConnections.flatMap((c) => c.tunnelOutsideIps),
    'vpnConnections',
    'tunnel outside IP',
  );

  let alerts: AlertsConfig = { emails: [], httpsEndpoints: [] };
  if (root.alerts !== undefined) {
    const a = r.object(root.alerts, 'alerts', ['emails', 'httpsEndpoints']);
    if (a !== undefined) {
      const emails = r
        .array(a.emails, 'alerts.emails')
        .map((e, i) =>
          r.string(e, join('alerts.emails', i), (s) =>
            EMAIL.test(s) ? undefined : `expected an email address, got "${s}"`,
          ),
        );
      const httpsEndpoints = r
        .array(a.httpsEndpoints, 'alerts.httpsEndpoints')
        .map((e, i) => r.string(e, join('alerts.httpsEndpoints', i), https));
      alerts = {
        emails: emails.filter((e): e is string => e !== undefined),
        httpsEndpoints: httpsEndpoints.filter((e): e is string => e !== undefined),
      };
      r.unique(emails, 'alerts.emails', 'email address');
      r.unique(httpsEndpoints, 'alerts.httpsEndpoints', 'endpoint');
    }
  }

  const openvpnGateways = r.array(root.openvpnGateways, 'openvpnGateways').flatMap((item, i) => {
    const key = join('openvpnGateways', i);
    const g = r.object(item, key, ['name', 'timeZone', 'logFile', 'timestampStyle']);
    if (g === undefined) return [];
    const name = r.string(g.name, `${key}.name`, (s) =>
      SERVER_NAME.test(s)
        ? undefined
        : `expected letters, digits, ".", "_" or "-" (≤ 64), got "${s}"`,
    );
    const zone = r.string(g.timeZone, `${key}.timeZone`, timeZone);
    const logFile =
      r.optionalString(g.logFile, `${key}.logFile`, absolutePath) ?? DEFAULT_OPENVPN_LOG_FILE;
    const timestampStyle = r.oneOf(
      g.timestampStyle,
      `${key}.timestampStyle`,
      OPENVPN_TIMESTAMP_STYLES,
      'iso',
    );
    if (name === undefined || zone === undefined) return [];
    return [{ name, timeZone: zone, logFile, timestampStyle }];
  });
  r.unique(
    openvpnGateways.map((g) => g.name),
    'openvpnGateways',
    'gateway',
  );

  const softetherServers = r.array(root.softetherServers, 'softetherServers').flatMap((item, i) => {
    const key = join('softetherServers', i);
    const s = r.object(item, key, ['name', 'timeZone', 'logDirectory', 'hubs']);
    if (s === undefined) return [];
    const name = r.string(s.name, `${key}.name`, (v) =>
      SERVER_NAME.test(v)
        ? undefined
        : `expected letters, digits, ".", "_" or "-" (≤ 64), got "${v}"`,
    );
    const zone = r.string(s.timeZone, `${key}.timeZone`, timeZone);
    const logDirectory =
      r.optionalString(s.logDirectory, `${key}.logDirectory`, absolutePath) ??
      DEFAULT_SOFTETHER_LOG_DIRECTORY;
    const hubs = r.array(s.hubs, `${key}.hubs`, true).flatMap((hubItem, j) => {
      const hubKey = join(`${key}.hubs`, j);
      const h = r.object(hubItem, hubKey, [
        'name',
        'securityLogSwitch',
        'packetLogSwitch',
        'packetLog',
      ]);
      if (h === undefined) return [];
      const hubName = r.string(h.name, `${hubKey}.name`, (v) =>
        HUB_NAME.test(v)
          ? undefined
          : `hub names become log group names: expected letters, digits, ".", "_", "#" or "-" (≤ 64), got "${v}"`,
      );
      const securityLogSwitch = r.oneOf(
        h.securityLogSwitch,
        `${hubKey}.securityLogSwitch`,
        SOFTETHER_SWITCH_CYCLES,
        'day',
      );
      const packetLogSwitch = r.oneOf(
        h.packetLogSwitch,
        `${hubKey}.packetLogSwitch`,
        SOFTETHER_SWITCH_CYCLES,
        'day',
      );
      const packetLog = r.oneOf(h.packetLog, `${hubKey}.packetLog`, PACKET_LOG_MODES, 'store');
      const hub: SoftEtherHubConfig | undefined =
        hubName === undefined
          ? undefined
          : { name: hubName, securityLogSwitch, packetLogSwitch, packetLog };
      return hub === undefined ? [] : [hub];
    });
    r.unique(
      hubs.map((h) => h.name.toUpperCase()),
      `${key}.hubs`,
      'hub (names are case-insensitive)',
    );
    if (name === undefined || zone === undefined) return [];
    return [{ name, timeZone: zone, logDirectory, hubs }];
  });
  r.unique(
    softetherServers.map((s) => s.name),
    'softetherServers',
    'server',
  );

  let rules: TunnelwatchConfig['rules'];
  if (root.rules !== undefined) {
    if (typeof root.rules !== 'object' || root.rules === null || Array.isArray(root.rules)) {
      r.problem('rules', `expected an object of rule settings, got ${describe(root.rules)}`);
    } else {
      try {
        parseRulesConfig(root.rules, 'rules');
        rules = root.rules as Record<string, unknown>;
      } catch (error) {
        if (!(error instanceof RulesConfigError)) throw error;
        for (const problem of error.problems) r.problems.push(`rules.${problem}`);
      }
    }
  }

  if (
    vpnConnections.length === 0 &&
    openvpnGateways.length === 0 &&
    softetherServers.length === 0 &&
    r.problems.length === 0
  ) {
    r.problem(
      '(top level)',
      'nothing to watch: give vpnConnections, openvpnGateways or softetherServers',
    );
  }
  if (r.problems.length > 0) throw new ConfigError(origin, r.problems);
  return {
    stackName,
    ...(env === undefined ? {} : { env }),
    ...(kmsKeyArn === undefined ? {} : { kmsKeyArn }),
    logRetentionDays,
    functionLogRetentionDays,
    vpnLogGroups,
    vpnConnections,
    alerts,
    openvpnGateways,
    softetherServers,
    ...(rules === undefined ? {} : { rules }),
  };
}

/** Reads and validates the configuration file at `path`. */
export function loadConfigFile(path: string): TunnelwatchConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [
      `cannot read the file: ${code === 'ENOENT' ? 'no such file' : String(error)}`,
    ]);
  }
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, [`not valid JSON: ${(error as Error).message}`]);
  }
  return parseConfig(json, path);
}

/**
 * The configuration the app runs with: the file named by the `config` context
 * value (`-c config=…`), else `./tunnelwatch.config.json` when it exists.
 * Throws `MissingConfigError` when neither is there.
 */
export function configFromContext(
  contextValue: unknown,
  cwd: string = process.cwd(),
): TunnelwatchConfig {
  if (typeof contextValue === 'string' && contextValue !== '') {
    return loadConfigFile(resolve(cwd, contextValue));
  }
  const fallback = resolve(cwd, DEFAULT_CONFIG_FILE);
  if (existsSync(fallback)) return loadConfigFile(fallback);
  throw new MissingConfigError();
}
