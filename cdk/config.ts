/**
 * The deployment configuration (`tunnelwatch.config.json`): which VPN
 * connections and servers tunnelwatch watches, where their logs go and who is
 * alerted. One zod schema is the single source of the configuration's types,
 * its validation, its defaults and the JSON Schema editors use
 * (`schema/tunnelwatch.config.schema.json`, written by `npm run schema`).
 *
 * `parseConfig` checks the whole file and throws one `ConfigError` listing
 * every problem with the key it concerns. What a JSON Schema cannot say
 * (uniqueness, a connection's log group being one of `vpnLogGroups`) is
 * checked after the schema; rule settings are checked by
 * `src/rules/config.ts`, as the function will. Pure: no CDK imports, so the
 * `tunnelwatch` command can read the same file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AWS_S2S_CATEGORIES, type RuleSettings, SEVERITIES } from '../src/model.ts';
import {
  CONFIGURED_RULES,
  DEFAULT_RULES_CONFIG,
  parseRulesConfig,
  RulesConfigError,
  SETTING_KINDS,
  type SettingName,
} from '../src/rules/config.ts';
import { LOG_GROUP_NAME_PATTERN, SOFTETHER_SWITCH_CYCLES } from './log-layout.ts';

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
/**
 * Encryption at rest: `customer-managed` (default) uses one KMS key, created
 * by the stack unless `kmsKeyArn` names one; `service-managed` uses each
 * service's own keys (CloudWatch Logs default, SQS-managed, DynamoDB-owned,
 * SNS unencrypted, Kinesis `alias/aws/kinesis`, S3-managed).
 */
export const ENCRYPTION_MODES = ['customer-managed', 'service-managed'] as const;
/** An encryption mode. */
export type EncryptionMode = (typeof ENCRYPTION_MODES)[number];
/** Default key prefix of the archive in its bucket. */
export const DEFAULT_ARCHIVE_PREFIX = 'archive';
/** Default age, in days, at which archive objects move to S3 Standard-IA (S3's minimum is 30). */
export const DEFAULT_ARCHIVE_INFREQUENT_ACCESS_DAYS = 30;
/** Default age, in days, at which archive objects move to S3 Glacier Instant Retrieval. */
export const DEFAULT_ARCHIVE_GLACIER_IR_DAYS = 90;
/** Default cap, in GiB, on the data one Athena query in the archive's workgroup may scan. */
export const DEFAULT_ARCHIVE_QUERY_SCAN_LIMIT_GIB = 100;
/** S3's minimum stay in a storage class before the next lifecycle transition, in days. */
export const S3_MIN_TRANSITION_DAYS = 30;
/** Prefix that AWS asks VPN log group names to start with (the AWS Site-to-Site VPN logs guide). */
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

/** Where the generated JSON Schema lives, relative to the repository (and package) root. */
export const CONFIG_SCHEMA_PATH = 'schema/tunnelwatch.config.schema.json';
/** The JSON Schema of a rules-only document (`replay --config`, `RULES_CONFIG`). */
export const RULES_SCHEMA_PATH = 'schema/tunnelwatch.rules.schema.json';

// ---------------------------------------------------------------------------
// Messages: each says what was expected and what was found.

/** A value as an error message shows it: JSON, cut at 60 characters; `nothing` when absent. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A zod error function: `expected …, got <the value>`. */
const expected =
  (what: string) =>
  (issue: { readonly input?: unknown }): string =>
    `expected ${what}, got ${describe(issue.input)}`;

/** A check on a string: a message when it fails, undefined when it holds. */
type StringCheck = (value: string) => string | undefined;

const NON_EMPTY = expected('a non-empty string');

/**
 * A non-empty string. `pattern` (with its message) also goes into the JSON
 * Schema; `check` is a rule a JSON Schema cannot state (time zones, URLs).
 */
function text(
  description: string,
  rules: {
    readonly pattern?: RegExp;
    readonly message?: StringCheck;
    readonly check?: StringCheck;
  } = {},
) {
  let schema = z.string({ error: NON_EMPTY }).min(1, { error: NON_EMPTY, abort: true });
  const { pattern, message, check } = rules;
  if (pattern !== undefined) {
    schema = schema.regex(pattern, {
      abort: true,
      error: (issue) => message?.(String(issue.input)) ?? `does not match ${pattern.source}`,
    });
  }
  if (check !== undefined) {
    schema = schema.refine((value) => check(value) === undefined, {
      error: (issue) => check(String(issue.input)) ?? 'invalid',
    });
  }
  return schema.describe(description);
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, description: string) {
  return z.enum(values, { error: expected(`one of ${values.join(', ')}`) }).describe(description);
}

function flag(description: string) {
  return z.boolean({ error: expected('true or false') }).describe(description);
}

function retention(description: string) {
  return z
    .literal(RETENTION_DAYS, {
      error: expected(`a CloudWatch Logs retention in days (${RETENTION_DAYS.join(', ')})`),
    })
    .describe(description);
}

function list<T extends z.ZodType>(item: T, description: string) {
  return z.array(item, { error: expected('an array') }).describe(description);
}

const COMMENT = z.string().optional().describe('A note for people; ignored.');

/**
 * An object that refuses unknown keys (each reported with the keys it
 * accepts) and allows a `$comment`.
 */
function object<const T extends z.core.$ZodLooseShape>(shape: T, description: string) {
  const keys = Object.keys(shape).join(', ');
  return z
    .strictObject(
      { $comment: COMMENT, ...shape },
      {
        error: (issue) =>
          issue.code === 'unrecognized_keys'
            ? `unknown key (expected one of ${keys})`
            : expected('an object')(issue),
      },
    )
    .describe(description);
}

// ---------------------------------------------------------------------------
// The schema.

const VPN_ID = /^vpn-[0-9a-f]{8,17}$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SERVER_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const HUB_NAME = /^[A-Za-z0-9._#-]{1,64}$/;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const ABSOLUTE_PATH = /^\//;
const HTTPS_URL = /^https:\/\//;

function timeZone(value: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return undefined;
  } catch {
    return `unknown time zone "${value}": expected an IANA name such as UTC or Asia/Tokyo`;
  }
}

function httpsUrl(value: string): string | undefined {
  try {
    return new URL(value).protocol === 'https:'
      ? undefined
      : `expected an https:// URL, got "${value}"`;
  } catch {
    return `expected an https:// URL, got "${value}"`;
  }
}

const serverName = (what: string) =>
  text(`${what}; used in log group names: letters, digits, ".", "_", "-" (at most 64).`, {
    pattern: SERVER_NAME,
    message: (s) => `expected letters, digits, ".", "_" or "-" (≤ 64), got "${s}"`,
  });

const zone = text('IANA time zone of the timestamps in the log, e.g. Asia/Tokyo.', {
  check: timeZone,
});

const absolutePath = (description: string) =>
  text(description, {
    pattern: ABSOLUTE_PATH,
    message: (s) => `expected an absolute path, got "${s}"`,
  });

/** A log group name accepted for VPN tunnel logs. */
const vpnLogGroupName = z
  .string({ error: NON_EMPTY })
  .min(1, { error: NON_EMPTY, abort: true })
  .startsWith(VENDED_LOGS_PREFIX, {
    abort: true,
    error: (issue) =>
      `VPN log group names must start with ${VENDED_LOGS_PREFIX} (the delivery policy covers them by prefix), got "${String(issue.input)}"`,
  })
  .regex(LOG_GROUP_NAME_PATTERN, {
    error: (issue) => `not a valid log group name: "${String(issue.input)}"`,
  })
  .describe(`Log group name; must start with ${VENDED_LOGS_PREFIX}.`);

const vpnLogGroupSchema = object(
  {
    name: vpnLogGroupName,
    retentionDays: retention('Days; default: the top-level logRetentionDays.').optional(),
    existing: flag(
      'True when the group exists already: the stack imports it instead of creating it.',
    ).default(false),
    otherSubscriptionFilters: z
      .int({ error: expected('a whole number ≥ 0') })
      .min(0, { error: expected('a whole number ≥ 0'), abort: true })
      .max(1, {
        error: (issue) =>
          `log group already has ${String(issue.input)} subscription filter(s); CloudWatch Logs allows 2 per log group and tunnelwatch needs 1`,
      })
      .default(0)
      .describe(
        'Subscription filters other tools already put on this group (CloudWatch Logs allows 2 in all; tunnelwatch needs 1).',
      ),
  },
  'A log group receiving AWS Site-to-Site VPN tunnel logs.',
);

/** Tunnels per VPN connection. */
const TUNNELS = { min: 1, max: 2 } as const;

const vpnConnectionSchema = object(
  {
    id: text('VPN connection id (vpn-…).', {
      pattern: VPN_ID,
      message: (s) => `expected a VPN connection id such as vpn-0123456789abcdef0, got "${s}"`,
    }),
    tunnelOutsideIps: list(
      text("A tunnel's AWS-side outside IPv4 address.", {
        pattern: IPV4,
        message: (s) => `expected an IPv4 address such as 203.0.113.10, got "${s}"`,
      }),
      "The tunnels' AWS-side outside IPv4 addresses (the key of every tunnel setting).",
    ).meta({ minItems: TUNNELS.min, maxItems: TUNNELS.max }),
    logGroup: text('Name of the VPN log group (one of vpnLogGroups) the tunnels log to.'),
    enableLogging: flag(
      'True: the stack turns tunnel logging on (one tunnel at a time; each tunnel renegotiates) and off on delete.',
    ).default(false),
    logOutputFormat: oneOf(LOG_OUTPUT_FORMATS, 'Tunnel log output format.').default('json'),
  },
  'An AWS Site-to-Site VPN connection tunnelwatch watches.',
);

const alertsSchema = object(
  {
    emails: list(
      text('An email address.', {
        pattern: EMAIL,
        message: (s) => `expected an email address, got "${s}"`,
      }),
      'Email addresses subscribed to the alert topic.',
    ).default([]),
    httpsEndpoints: list(
      text('An https:// URL.', { pattern: HTTPS_URL, check: httpsUrl, message: httpsUrl }),
      "HTTPS endpoints, e.g. a paging service's SNS integration URL.",
    ).default([]),
  },
  'Where alerts and alarms are sent.',
);

const openvpnGatewaySchema = object(
  {
    name: serverName('Gateway name'),
    timeZone: zone,
    logFile: absolutePath('The OpenVPN --log file the CloudWatch agent ships.').default(
      DEFAULT_OPENVPN_LOG_FILE,
    ),
    timestampStyle: oneOf(
      OPENVPN_TIMESTAMP_STYLES,
      'Timestamp style: iso (OpenVPN 2.5+) or ctime (2.4 and older).',
    ).default('iso'),
  },
  'An OpenVPN server or gateway whose --log file the CloudWatch agent ships.',
);

const softetherHubSchema = object(
  {
    name: text('Virtual Hub name; hub names become log group names.', {
      pattern: HUB_NAME,
      message: (s) =>
        `hub names become log group names: expected letters, digits, ".", "_", "#" or "-" (≤ 64), got "${s}"`,
    }),
    securityLogSwitch: oneOf(SOFTETHER_SWITCH_CYCLES, 'Security log switch cycle.').default('day'),
    packetLogSwitch: oneOf(SOFTETHER_SWITCH_CYCLES, 'Packet log switch cycle.').default('day'),
    packetLog: oneOf(
      PACKET_LOG_MODES,
      'off: nothing; store: a log group the agent ships to; monitor: also sent to the alert function.',
    ).default('store'),
  },
  'A SoftEther Virtual Hub.',
);

const softetherServerSchema = object(
  {
    name: serverName('Server name'),
    timeZone: zone,
    logDirectory: absolutePath(
      'Directory holding server_log/, security_log/, packet_log/.',
    ).default(DEFAULT_SOFTETHER_LOG_DIRECTORY),
    hubs: list(softetherHubSchema, 'The Virtual Hubs whose logs are shipped.'),
  },
  'A SoftEther VPN (PacketiX) server.',
);

/** Ingestion modes: a subscription filter per log group straight to the function, or a Kinesis stream. */
export const INGESTION_MODES = ['direct', 'kinesis'] as const;
/** How source accounts subscribe: filters on the named log groups, or the account-level policy. */
export const SOURCE_SUBSCRIPTIONS = ['filters', 'account-policy'] as const;

/** A whole number in [min, max], with a message naming the bounds. */
function whole(min: number, max: number, description: string) {
  const error = expected(`a whole number from ${min} to ${max}`);
  return z
    .int({ error })
    .min(min, { error, abort: true })
    .max(max, { error })
    .describe(description);
}

const ingestionSchema = object(
  {
    mode: oneOf(
      INGESTION_MODES,
      'direct: one subscription filter per log group to the function (one account); kinesis: through a Kinesis data stream.',
    ).default('direct'),
    shards: whole(1, 10_000, 'Provisioned shards of the stream; absent: on-demand.').optional(),
    retentionHours: whole(
      24,
      8_760,
      'Hours the stream keeps records (the window for redriving a failed batch).',
    ).default(24),
    batchSize: whole(1, 10_000, 'Records per invocation.').default(100),
    parallelizationFactor: whole(1, 10, 'Concurrent invocations per shard.').default(1),
    retryAttempts: whole(
      0,
      10_000,
      'Retries of a failed batch before the dead-letter queue.',
    ).default(10),
  },
  'How log events reach the alert function.',
);

const monitoringSchema = object(
  {
    sourceAccounts: list(
      text('12-digit AWS account id.', {
        pattern: ACCOUNT,
        message: (s) => `expected a 12-digit account id, got "${s}"`,
      }),
      'Accounts that send their VPN logs to this monitoring account.',
    ).default([]),
    organizationId: text('AWS Organizations id: every account of the organisation may send.', {
      pattern: /^o-[a-z0-9]{10,32}$/,
      message: (s) => `expected an organization id such as o-a1b2c3d4e5, got "${s}"`,
    }).optional(),
    regions: list(
      text('AWS region, e.g. eu-west-1.', {
        pattern: REGION,
        message: (s) => `expected a region such as ap-northeast-1, got "${s}"`,
      }),
      'Regions of the source log groups: one CloudWatch Logs destination each (env.region is always one).',
    ).default([]),
    subscription: oneOf(
      SOURCE_SUBSCRIPTIONS,
      'filters: a subscription filter on each VPN log group; account-policy: the account-level subscription filter policy (also catches log groups created later).',
    ).default('filters'),
  },
  'One monitoring account for many accounts and regions: vpnLogGroups and vpnConnections then describe a source account (the source stack); the monitoring stack holds the stream, function, table, topic and destinations.',
);

const rulesMemberSchema = z
  .record(z.string(), z.unknown(), { error: expected('an object of rule settings') })
  .describe(
    'Rule settings (thresholds, windows, cooldowns, severities), passed to the function as RULES_CONFIG.',
  );

/** An archive key prefix: no leading or trailing slash, no empty segment, no partition syntax. */
const ARCHIVE_PREFIX = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

const archiveSchema = object(
  {
    enabled: flag(
      'True: the stack creates the S3 archive (bucket, Glue table, access policy) that `tunnelwatch import --archive` writes history older than CloudWatch Logs accepts to.',
    ).default(true),
    prefix: text(
      'Key prefix of the archive in the bucket (no leading or trailing slash); `import --archive s3://BUCKET/PREFIX`.',
      {
        pattern: ARCHIVE_PREFIX,
        message: (s) =>
          `expected path segments of letters, digits, ".", "_" or "-" separated by "/", with no leading or trailing slash, got "${s}"`,
      },
    ).default(DEFAULT_ARCHIVE_PREFIX),
    infrequentAccessAfterDays: whole(
      S3_MIN_TRANSITION_DAYS,
      36_500,
      'Days after which archive objects move to S3 Standard-IA (S3 requires at least 30).',
    ).default(DEFAULT_ARCHIVE_INFREQUENT_ACCESS_DAYS),
    glacierInstantRetrievalAfterDays: whole(
      S3_MIN_TRANSITION_DAYS * 2,
      36_500,
      'Days after which archive objects move to S3 Glacier Instant Retrieval (still queryable by Athena); at least 30 more than infrequentAccessAfterDays.',
    ).default(DEFAULT_ARCHIVE_GLACIER_IR_DAYS),
    queryScanLimitGiB: whole(
      1,
      1_000_000,
      "Cap, in GiB, on the data one Athena query in the archive's workgroup may scan; a query that would scan more is cancelled.",
    ).default(DEFAULT_ARCHIVE_QUERY_SCAN_LIMIT_GIB),
  },
  'The S3 archive for history older than CloudWatch Logs accepts (docs/import.md, "The archive").',
);

/** The schema of the configuration file, with every default. */
export const configSchema = object(
  {
    $schema: z.string().optional().describe('The JSON Schema this file follows.'),
    stackName: text('CloudFormation stack name.', {
      pattern: STACK_NAME,
      message: (s) => `expected a CloudFormation stack name (letters, digits, hyphens), got "${s}"`,
    }).default(DEFAULT_STACK_NAME),
    env: object(
      {
        account: text('12-digit AWS account id.', {
          pattern: ACCOUNT,
          message: (s) => `expected a 12-digit account id, got "${s}"`,
        }).optional(),
        region: text('AWS region, e.g. ap-northeast-1.', {
          pattern: REGION,
          message: (s) => `expected a region such as ap-northeast-1, got "${s}"`,
        }).optional(),
      },
      'Deployment target; absent members make the stack environment-agnostic.',
    ).optional(),
    encryption: oneOf(
      ENCRYPTION_MODES,
      'customer-managed: one KMS key (created by the stack, or kmsKeyArn) encrypts the log groups, topic, table, queues, stream and archive; service-managed: each service keeps its own keys (an explicit opt-out).',
    ).default('customer-managed'),
    kmsKeyArn: text(
      'An existing KMS key to use instead of the one the stack creates (encryption customer-managed only); its policy must allow what docs/deploy.md "Encryption" lists.',
      {
        pattern: KMS_KEY_ARN,
        message: (s) => `expected a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), got "${s}"`,
      },
    ).optional(),
    logRetentionDays: retention('Retention of every log group, in days.').default(
      DEFAULT_LOG_RETENTION_DAYS,
    ),
    functionLogRetentionDays: retention(
      "Retention of the alert function's own log group, in days.",
    ).default(DEFAULT_FUNCTION_LOG_RETENTION_DAYS),
    vpnLogGroups: list(vpnLogGroupSchema, 'Log groups receiving VPN tunnel logs.').default([]),
    vpnConnections: list(vpnConnectionSchema, 'AWS Site-to-Site VPN connections.').default([]),
    alerts: alertsSchema.default({ emails: [], httpsEndpoints: [] }),
    openvpnGateways: list(openvpnGatewaySchema, 'OpenVPN servers and gateways.').default([]),
    softetherServers: list(softetherServerSchema, 'SoftEther VPN servers.').default([]),
    rules: rulesMemberSchema.optional(),
    ingestion: ingestionSchema.default({
      mode: 'direct',
      retentionHours: 24,
      batchSize: 100,
      parallelizationFactor: 1,
      retryAttempts: 10,
    }),
    monitoring: monitoringSchema.optional(),
    archive: archiveSchema.default({
      enabled: true,
      prefix: DEFAULT_ARCHIVE_PREFIX,
      infrequentAccessAfterDays: DEFAULT_ARCHIVE_INFREQUENT_ACCESS_DAYS,
      glacierInstantRetrievalAfterDays: DEFAULT_ARCHIVE_GLACIER_IR_DAYS,
      queryScanLimitGiB: DEFAULT_ARCHIVE_QUERY_SCAN_LIMIT_GIB,
    }),
  },
  'tunnelwatch deployment configuration.',
);

/** Deeply readonly. */
type Frozen<T> = T extends readonly (infer U)[]
  ? readonly Frozen<U>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;

type Parsed = z.output<typeof configSchema>;

/** A log group receiving AWS Site-to-Site VPN tunnel logs (retention resolved). */
export type VpnLogGroupConfig = Frozen<
  Omit<z.output<typeof vpnLogGroupSchema>, 'retentionDays'> & { retentionDays: number }
>;
/** An AWS Site-to-Site VPN connection tunnelwatch watches. */
export type VpnConnectionConfig = Frozen<z.output<typeof vpnConnectionSchema>>;
/** Where alerts and alarms are sent. */
export type AlertsConfig = Frozen<z.output<typeof alertsSchema>>;
/** An OpenVPN server or gateway whose `--log` file the CloudWatch agent ships. */
export type OpenVpnGatewayConfig = Frozen<z.output<typeof openvpnGatewaySchema>>;
/** A SoftEther Virtual Hub. */
export type SoftEtherHubConfig = Frozen<z.output<typeof softetherHubSchema>>;
/** A SoftEther VPN (PacketiX) server. */
export type SoftEtherServerConfig = Frozen<z.output<typeof softetherServerSchema>>;
/** How log events reach the alert function. */
export type IngestionConfig = Frozen<z.output<typeof ingestionSchema>>;
/** The monitoring account's view of its source accounts and regions. */
export type MonitoringConfig = Frozen<z.output<typeof monitoringSchema>>;
/** The S3 archive's settings. */
export type ArchiveConfig = Frozen<z.output<typeof archiveSchema>>;
/** The whole validated configuration with defaults applied. */
export type TunnelwatchConfig = Frozen<
  Omit<Parsed, 'vpnLogGroups' | '$schema' | '$comment'> & {
    vpnLogGroups: VpnLogGroupConfig[];
  }
>;

// ---------------------------------------------------------------------------
// Errors.

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

/** `vpnConnections[0].tunnelOutsideIps[1]` from a zod path. */
function keyOf(path: readonly PropertyKey[]): string {
  let key = '';
  for (const part of path) {
    if (typeof part === 'number') key += `[${part}]`;
    else key += key === '' ? String(part) : `.${String(part)}`;
  }
  return key;
}

/** One problem line per zod issue (one per unknown key). */
function problemsOf(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    const key = keyOf(issue.path);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((member) => `${keyOf([...issue.path, member])}: ${issue.message}`);
    }
    return [`${key === '' ? '(top level)' : key}: ${issue.message}`];
  });
}

// ---------------------------------------------------------------------------
// What the schema cannot say, checked on the raw document so that it is
// reported together with the schema's problems.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object members of an array member of `parent` (none when it is not an array). */
function items(parent: unknown, key: string): Record<string, unknown>[] {
  const value = isRecord(parent) ? parent[key] : undefined;
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** The strings among `values`. */
function strings(values: readonly unknown[]): string[] {
  return values.filter((value): value is string => typeof value === 'string' && value !== '');
}

function duplicates(values: readonly string[], key: string, what: string): string[] {
  const seen = new Set<string>();
  const reported = new Set<string>();
  const problems: string[] = [];
  for (const value of values) {
    if (seen.has(value) && !reported.has(value)) {
      problems.push(`${key}: ${what} "${value}" is listed more than once`);
      reported.add(value);
    }
    seen.add(value);
  }
  return problems;
}

function crossChecks(json: unknown): string[] {
  const problems: string[] = [];
  const groups = strings(items(json, 'vpnLogGroups').map((group) => group.name)).filter(
    (name) => vpnLogGroupName.safeParse(name).success,
  );
  problems.push(...duplicates(groups, 'vpnLogGroups', 'log group'));
  const groupNames = new Set(groups);

  const connections = items(json, 'vpnConnections');
  connections.forEach((connection, i) => {
    const { logGroup, tunnelOutsideIps: ips } = connection;
    if (Array.isArray(ips) && (ips.length < TUNNELS.min || ips.length > TUNNELS.max)) {
      problems.push(
        `vpnConnections[${i}].tunnelOutsideIps: expected ${TUNNELS.min} or ${TUNNELS.max} tunnel outside IPs, got ${ips.length}`,
      );
    }
    if (typeof logGroup === 'string' && logGroup !== '' && !groupNames.has(logGroup)) {
      problems.push(
        `vpnConnections[${i}].logGroup: "${logGroup}" is not one of the vpnLogGroups names`,
      );
    }
  });
  problems.push(
    ...duplicates(strings(connections.map((c) => c.id)), 'vpnConnections', 'VPN connection'),
    ...duplicates(
      strings(
        connections.flatMap((c) => (Array.isArray(c.tunnelOutsideIps) ? c.tunnelOutsideIps : [])),
      ),
      'vpnConnections',
      'tunnel outside IP',
    ),
  );

  const alerts = isRecord(json) ? json.alerts : undefined;
  for (const [member, what] of [
    ['emails', 'email address'],
    ['httpsEndpoints', 'endpoint'],
  ] as const) {
    const values = isRecord(alerts) && Array.isArray(alerts[member]) ? alerts[member] : [];
    problems.push(...duplicates(strings(values), `alerts.${member}`, what));
  }

  problems.push(
    ...duplicates(
      strings(items(json, 'openvpnGateways').map((g) => g.name)),
      'openvpnGateways',
      'gateway',
    ),
  );
  const servers = items(json, 'softetherServers');
  servers.forEach((server, i) => {
    problems.push(
      ...duplicates(
        strings(items(server, 'hubs').map((hub) => hub.name)).map((name) => name.toUpperCase()),
        `softetherServers[${i}].hubs`,
        'hub (names are case-insensitive)',
      ),
    );
  });
  problems.push(...duplicates(strings(servers.map((s) => s.name)), 'softetherServers', 'server'));

  const monitoring = isRecord(json) ? json.monitoring : undefined;
  if (isRecord(monitoring)) {
    const ingestion = isRecord(json) ? json.ingestion : undefined;
    if (isRecord(ingestion) && ingestion.mode === 'direct') {
      problems.push(
        'ingestion.mode: "direct" cannot serve other accounts; a monitoring account reads a Kinesis stream (use "kinesis" or leave it out)',
      );
    }
    const accounts = Array.isArray(monitoring.sourceAccounts) ? monitoring.sourceAccounts : [];
    if (accounts.length === 0 && monitoring.organizationId === undefined) {
      problems.push('monitoring: name sourceAccounts, an organizationId, or both');
    }
    const env = isRecord(json) ? json.env : undefined;
    if (!isRecord(env) || typeof env.account !== 'string' || typeof env.region !== 'string') {
      problems.push(
        'env: a monitoring account needs env.account and env.region (destinations are named after regions)',
      );
    }
    problems.push(
      ...duplicates(strings(accounts), 'monitoring.sourceAccounts', 'account'),
      ...duplicates(
        strings(Array.isArray(monitoring.regions) ? monitoring.regions : []),
        'monitoring.regions',
        'region',
      ),
    );
  }

  if (isRecord(json) && json.encryption === 'service-managed' && json.kmsKeyArn !== undefined) {
    problems.push(
      'kmsKeyArn: a key cannot be used with encryption "service-managed"; remove kmsKeyArn, or set encryption to "customer-managed" (the default)',
    );
  }
  const archive = isRecord(json) ? json.archive : undefined;
  if (isRecord(archive)) {
    const ia = archive.infrequentAccessAfterDays ?? DEFAULT_ARCHIVE_INFREQUENT_ACCESS_DAYS;
    const gir = archive.glacierInstantRetrievalAfterDays ?? DEFAULT_ARCHIVE_GLACIER_IR_DAYS;
    if (typeof ia === 'number' && typeof gir === 'number' && gir < ia + S3_MIN_TRANSITION_DAYS) {
      problems.push(
        `archive.glacierInstantRetrievalAfterDays: expected at least ${ia + S3_MIN_TRANSITION_DAYS} (S3 keeps objects ${S3_MIN_TRANSITION_DAYS} days in Standard-IA, from day ${ia}), got ${gir}`,
      );
    }
  }

  const rules = isRecord(json) ? json.rules : undefined;
  if (isRecord(rules)) {
    try {
      parseRulesConfig(rules, 'rules');
    } catch (error) {
      if (!(error instanceof RulesConfigError)) throw error;
      for (const problem of error.problems) problems.push(`rules.${problem}`);
    }
  }
  return problems;
}

/**
 * Validates `json` (the parsed configuration file) and applies defaults.
 * Throws one `ConfigError` naming every problem; `origin` names the file.
 */
export function parseConfig(
  json: unknown,
  origin: string,
  /** False when the VPNs watched are elsewhere (a monitoring account's construct). */
  { requireWatched = true }: { readonly requireWatched?: boolean } = {},
): TunnelwatchConfig {
  const parsed = configSchema.safeParse(json);
  const problems = [
    ...(parsed.success ? [] : problemsOf(parsed.error.issues)),
    ...(isRecord(json) ? crossChecks(json) : []),
  ];
  if (problems.length > 0) throw new ConfigError(origin, problems);
  const { $schema: _schema, $comment: _comment, ...config } = parsed.data as Parsed;
  if (
    requireWatched &&
    config.vpnConnections.length === 0 &&
    config.openvpnGateways.length === 0 &&
    config.softetherServers.length === 0
  ) {
    throw new ConfigError(origin, [
      '(top level): nothing to watch: give vpnConnections, openvpnGateways or softetherServers',
    ]);
  }
  return {
    ...config,
    // A monitoring account reads a stream whatever `ingestion.mode` defaulted to.
    ingestion:
      config.monitoring === undefined ? config.ingestion : { ...config.ingestion, mode: 'kinesis' },
    vpnLogGroups: config.vpnLogGroups.map((group) => ({
      ...group,
      retentionDays: group.retentionDays ?? config.logRetentionDays,
    })),
  };
}

/** Reads and validates the configuration file at `path`. */
export function loadConfigFile(path: string): TunnelwatchConfig {
  return parseConfig(readConfigJson(path), path);
}

/** The parsed JSON of the file at `path`; `ConfigError` when it cannot be read or is not JSON. */
export function readConfigJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [
      `cannot read the file: ${code === 'ENOENT' ? 'no such file' : String(error)}`,
    ]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, [`not valid JSON: ${(error as Error).message}`]);
  }
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

// ---------------------------------------------------------------------------
// JSON Schema.

/**
 * The schema of a rules document, built from the rules' defaults
 * (`DEFAULT_RULES_CONFIG`): the settings each rule understands, their
 * defaults and value kinds. Used for the JSON Schema only; documents are
 * validated by `parseRulesConfig`, as the function does.
 */
function rulesDocumentSchema() {
  const settings = (defaults: RuleSettings, what: string) =>
    z
      .strictObject(
        Object.fromEntries(
          Object.entries(defaults).map(([name, value]) => {
            if (name === 'enabled') {
              return [name, z.boolean().optional().describe(`A disabled ${what} raises no alert.`)];
            }
            if (name === 'severity') {
              return [name, z.enum(SEVERITIES).optional().describe(`Severity (default ${value}).`)];
            }
            const kind = SETTING_KINDS[name as SettingName];
            const number = kind === 'positive-integer' ? z.int() : z.number();
            return [name, number.positive().optional().describe(`Default ${value}.`)];
          }),
        ),
      )
      .describe(what);
  return z
    .strictObject({
      rules: z
        .strictObject(
          Object.fromEntries(
            CONFIGURED_RULES.map((id) => [
              id,
              settings(DEFAULT_RULES_CONFIG.rules[id], `rule ${id}`).optional(),
            ]),
          ),
        )
        .optional()
        .describe('Settings per rule id; what is given is merged over the defaults.'),
      cause: settings(DEFAULT_RULES_CONFIG.cause, 'cause alerts').optional(),
      causeSeverities: z
        .partialRecord(z.enum(AWS_S2S_CATEGORIES), z.enum(SEVERITIES))
        .optional()
        .describe('Severity of the cause alert of each aws-s2s category.'),
    })
    .describe('tunnelwatch rule settings (thresholds, windows in minutes, cooldowns, severities).');
}

type JsonSchema = Record<string, unknown>;

function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** The JSON Schema of a rules-only document (which may carry `$schema` and `$comment`). */
export function rulesJsonSchema(): JsonSchema {
  const schema = jsonSchemaOf(rulesDocumentSchema());
  const properties = schema.properties as JsonSchema;
  return {
    ...schema,
    title: 'tunnelwatch rules',
    properties: {
      $schema: { type: 'string', description: 'The JSON Schema this file follows.' },
      $comment: { type: 'string', description: 'A note for people; ignored.' },
      ...properties,
    },
  };
}

/** The JSON Schema of the configuration file, with the rules' schema in `rules`. */
export function configJsonSchema(): JsonSchema {
  const schema = jsonSchemaOf(configSchema);
  const properties = schema.properties as JsonSchema;
  const { $schema: _draft, ...rules } = jsonSchemaOf(rulesDocumentSchema());
  return {
    ...schema,
    title: 'tunnelwatch configuration',
    properties: {
      ...properties,
      rules: { ...rules, description: (properties.rules as JsonSchema).description },
    },
  };
}
