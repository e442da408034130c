/**
 * `Tunnelwatch`: the whole of tunnelwatch as one construct, to drop into an
 * existing stack of another CDK app:
 *
 * ```ts
 * new Tunnelwatch(this, 'Tunnelwatch', {
 *   vpnLogGroups: [{ name: '/aws/vendedlogs/vpn/tunnels' }],
 *   vpnConnections: [{ id: 'vpn-0a1b2c3d4e5f60718', tunnelOutsideIps: ['203.0.113.10'],
 *     logGroup: '/aws/vendedlogs/vpn/tunnels', enableLogging: true }],
 *   alerts: { emails: ['netops-oncall@example.com'] },
 * });
 * ```
 *
 * Props are checked with the same rules as the deployment configuration file
 * (`parseConfig`); every problem is reported at once with the construct path.
 */
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { Alarm, Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { ManagedPolicy, Role } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type {
  ILogGroup,
  LogGroup as LogGroupResource,
  RetentionDays,
  SubscriptionFilter,
} from 'aws-cdk-lib/aws-logs';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  ConfigError,
  DEFAULT_FUNCTION_LOG_RETENTION_DAYS,
  DEFAULT_LOG_RETENTION_DAYS,
  type EncryptionMode,
  type IngestionConfig,
  type LogOutputFormat,
  type PacketLogMode,
  parseConfig,
  type TunnelwatchConfig,
} from '../config.ts';
import { SELF_HOSTED_LOG_GROUP_PREFIX } from '../log-layout.ts';
import { AlertStateTable } from './alert-state-table.ts';
import { AlertTopic } from './alert-topic.ts';
import { TunnelwatchKey } from './encryption-key.ts';
import { KinesisIngestion } from './kinesis-ingestion.ts';
import { ARCHIVE_TABLE_NAME, defaultDatabaseName, TunnelwatchArchive } from './log-archive.ts';
import {
  type MonitoredLogGroup,
  SUBSCRIPTION_FILTER_NAME,
  TunnelAlertSubscriptions,
} from './log-subscriptions.ts';
import {
  CloudWatchAgentWritePolicy,
  OpenVpnGatewayLogs,
  SoftEtherServerLogs,
} from './self-hosted-logs.ts';
import { type LogGroupSource, TunnelAlertFunction } from './tunnel-alert-function.ts';
import type { TunnelLogging } from './tunnel-logging.ts';
import { TunnelwatchAlarms } from './tunnelwatch-alarms.ts';
import { TunnelwatchDashboard } from './tunnelwatch-dashboard.ts';
import { ConstructPropsError } from './validation.ts';
import type { VendedLogsDeliveryPolicy } from './vended-logs-delivery-policy.ts';
import type { VpnLoggingOperatorPolicy } from './vpn-logging-operator-policy.ts';
import { addVpnLogs } from './vpn-logs.ts';

/** A log group that receives AWS Site-to-Site VPN tunnel logs. */
export interface TunnelwatchVpnLogGroup {
  /** Log group name; must start with `/aws/vendedlogs/` (the delivery policy covers it by prefix). */
  readonly name: string;
  /**
   * Retention of the group when the construct creates it.
   * @default - `logRetention`
   */
  readonly retention?: RetentionDays;
  /**
   * True when the group exists already: it is imported and subscribed, not created.
   * @default false
   */
  readonly existing?: boolean;
  /**
   * Subscription filters other tools already put on this group (CloudWatch Logs allows 2, tunnelwatch needs 1).
   * @default 0
   */
  readonly otherSubscriptionFilters?: number;
}

/** An AWS Site-to-Site VPN connection to watch. */
export interface TunnelwatchVpnConnection {
  /** The `vpn-…` id. */
  readonly id: string;
  /** The tunnels' AWS-side outside IPv4 addresses (1 or 2). */
  readonly tunnelOutsideIps: readonly string[];
  /** Name of the log group (one of `vpnLogGroups`) the tunnels log to. */
  readonly logGroup: string;
  /**
   * True: a custom resource turns tunnel logging on (one tunnel at a time) and off on delete.
   * @default false
   */
  readonly enableLogging?: boolean;
  /**
   * Tunnel log output format set when `enableLogging` is true.
   * @default 'json'
   */
  readonly logOutputFormat?: LogOutputFormat;
}

/** An OpenVPN server or gateway whose log the CloudWatch agent ships. */
export interface TunnelwatchOpenVpnGateway {
  /** Part of the log group name: letters, digits, `.`, `_`, `-`. */
  readonly name: string;
  /** IANA zone of the timestamps in its log, e.g. `Asia/Tokyo`. */
  readonly timeZone: string;
}

/** A Virtual Hub of a SoftEther server. */
export interface TunnelwatchSoftEtherHub {
  /** Hub name as on the server (part of log group names). */
  readonly name: string;
  /**
   * `off`: no packet log group; `store`: a log group the agent ships to;
   * `monitor`: also subscribed to the alert function.
   * @default 'store'
   */
  readonly packetLog?: PacketLogMode;
}

/** A SoftEther VPN (PacketiX) server whose logs the CloudWatch agent ships. */
export interface TunnelwatchSoftEtherServer {
  /** Part of the log group names: letters, digits, `.`, `_`, `-`. */
  readonly name: string;
  /** IANA zone of the timestamps in its logs. */
  readonly timeZone: string;
  /** Its Virtual Hubs (at least one). */
  readonly hubs: readonly TunnelwatchSoftEtherHub[];
}

/** Where alerts and alarms are sent. */
export interface TunnelwatchAlerts {
  /**
   * Email addresses subscribed to the alert topic.
   * @default - none
   */
  readonly emails?: readonly string[];
  /**
   * HTTPS endpoints subscribed to the alert topic, e.g. a paging service's SNS integration URL.
   * @default - none
   */
  readonly httpsEndpoints?: readonly string[];
}

/** How log events reach the alert function. */
export interface TunnelwatchIngestion {
  /**
   * `direct`: a subscription filter per log group invokes the function;
   * `kinesis`: the filters write to a Kinesis data stream the function reads.
   * @default 'direct'
   */
  readonly mode?: IngestionConfig['mode'];
  /** Provisioned shards (mode `kinesis`). @default - on-demand */
  readonly shards?: number;
  /** How long the stream keeps records. @default Duration.hours(24) */
  readonly retention?: Duration;
  /** Records per invocation. @default 100 */
  readonly batchSize?: number;
  /** Concurrent invocations per shard. @default 1 */
  readonly parallelizationFactor?: number;
  /** Retries of a failed batch before the dead-letter queue. @default 10 */
  readonly retryAttempts?: number;
  /** @default - generated */
  readonly streamName?: string;
  /** Name of the role CloudWatch Logs assumes to write to the stream. @default - generated */
  readonly logsRoleName?: string;
}

/**
 * VPN log groups in other accounts that send to this one's stream (a
 * monitoring account); they are created by the source accounts' stacks.
 */
export interface TunnelwatchRemoteSources {
  /** Names (or name prefixes) of the source accounts' VPN log groups: read as aws-s2s. */
  readonly vpnLogGroupNames: readonly string[];
  /** Accounts whose CloudWatch Logs may write to the stream. @default - none */
  readonly sourceAccounts?: readonly string[];
  /** Organisation whose accounts' CloudWatch Logs may write to the stream. @default - none */
  readonly organizationId?: string;
}

/** The S3 archive for history older than CloudWatch Logs accepts (`tunnelwatch import --archive`). */
export interface TunnelwatchArchiveOptions {
  /**
   * False: no archive bucket, Glue table or archive policy.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Key prefix of the archive in the bucket (no leading or trailing slash).
   * @default 'archive'
   */
  readonly prefix?: string;
  /**
   * Days after which objects move to S3 Standard-IA (at least 30).
   * @default 30
   */
  readonly infrequentAccessAfterDays?: number;
  /**
   * Days after which objects move to S3 Glacier Instant Retrieval (at least 30 more than Standard-IA).
   * @default 90
   */
  readonly glacierInstantRetrievalAfterDays?: number;
  /**
   * Cap, in GiB, on the data one Athena query in the archive's workgroup may scan.
   * @default 100
   */
  readonly queryScanLimitGiB?: number;
}

/** Props of `Tunnelwatch`. At least one VPN connection, server or remote source is required. */
export interface TunnelwatchProps {
  /**
   * Log groups receiving AWS Site-to-Site VPN tunnel logs.
   * @default - none
   */
  readonly vpnLogGroups?: readonly TunnelwatchVpnLogGroup[];
  /**
   * AWS Site-to-Site VPN connections to watch.
   * @default - none
   */
  readonly vpnConnections?: readonly TunnelwatchVpnConnection[];
  /**
   * OpenVPN servers or gateways to watch.
   * @default - none
   */
  readonly openvpnGateways?: readonly TunnelwatchOpenVpnGateway[];
  /**
   * SoftEther / PacketiX servers to watch.
   * @default - none
   */
  readonly softetherServers?: readonly TunnelwatchSoftEtherServer[];
  /**
   * Subscribers of the alert topic.
   * @default - none (subscribe later through `topic`)
   */
  readonly alerts?: TunnelwatchAlerts;
  /**
   * `customer-managed`: one KMS key (`encryptionKey`, else one the construct
   * creates) encrypts every log group it creates, the topic, the state table,
   * the queues, the stream and the archive. `service-managed` is the explicit
   * opt-out: each service's own keys (CloudWatch Logs default, SNS
   * unencrypted, DynamoDB-owned, SQS-managed, `alias/aws/kinesis`, SSE-S3).
   * @default 'customer-managed'
   */
  readonly encryption?: EncryptionMode;
  /**
   * The key to use instead of creating one (encryption `customer-managed` only).
   * An imported key's policy cannot be edited here: it must let
   * `logs.<region>.amazonaws.com` and `cloudwatch.amazonaws.com` use it
   * (docs/deploy.md, "Encryption").
   * @default - a new key: rotation on, alias `alias/tunnelwatch/<stack name>`, retained on delete
   */
  readonly encryptionKey?: IKey;
  /**
   * The S3 archive, its Glue table and access policy.
   * @default - enabled, prefix 'archive', Standard-IA after 30 days, Glacier Instant Retrieval after 90
   */
  readonly archive?: TunnelwatchArchiveOptions;
  /**
   * Retention of the log groups the construct creates for VPN and server logs.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
  /**
   * Retention of the alert function's own log group.
   * @default RetentionDays.ONE_MONTH
   */
  readonly functionLogRetention?: RetentionDays;
  /**
   * Name of the CloudWatch dashboard on-call opens (letters, digits, `-`, `_`).
   * @default - `tunnelwatch-` and the stack's name
   */
  readonly dashboardName?: string;
  /**
   * Rule settings (the document `tunnelwatch replay --config` reads), passed as `RULES_CONFIG`.
   * @default - the rules' built-in thresholds, windows and severities
   */
  readonly rules?: Readonly<Record<string, unknown>>;
  /**
   * Handler file of the alert function (exports `handler`), bundled with esbuild.
   * @default - the bundle shipped prebuilt in the package (lambda/subscription.ts)
   */
  readonly functionEntry?: string;
  /**
   * Memory of the alert function, MB.
   * @default 512
   */
  readonly functionMemorySize?: number;
  /**
   * Timeout of the alert function.
   * @default Duration.seconds(60)
   */
  readonly functionTimeout?: Duration;
  /**
   * Create stack outputs: topic ARN, dead-letter queue URL and the policies operators attach.
   * @default true
   */
  readonly createOutputs?: boolean;
  /**
   * Ingestion mode and, for `kinesis`, the stream and event source mapping settings.
   * @default - mode `direct`
   */
  readonly ingestion?: TunnelwatchIngestion;
  /**
   * VPN log groups of other accounts (mode `kinesis` only).
   * @default - none
   */
  readonly remoteSources?: TunnelwatchRemoteSources;
}

/** A log group tunnelwatch created or imported, and what it holds. */
export interface TunnelwatchLogGroup {
  readonly logGroupName: string;
  readonly logGroup: ILogGroup;
  readonly source: LogGroupSource['source'];
  /** True when the alert function is subscribed to it. */
  readonly monitored: boolean;
}

/** The constructs `Tunnelwatch` is made of. */
export interface TunnelwatchParts {
  readonly alertTopic: AlertTopic;
  readonly alertFunction: TunnelAlertFunction;
  readonly stateTable: AlertStateTable;
  readonly subscriptions: TunnelAlertSubscriptions;
  readonly alarms: TunnelwatchAlarms;
  readonly dashboard: TunnelwatchDashboard;
  /** Absent without VPN log groups. */
  readonly deliveryPolicy?: VendedLogsDeliveryPolicy;
  /** Absent when no connection has `enableLogging`. */
  readonly tunnelLogging?: TunnelLogging;
  /** Absent without VPN connections. */
  readonly operatorPolicy?: VpnLoggingOperatorPolicy;
  /** Absent without self-hosted servers. */
  readonly agentPolicy?: CloudWatchAgentWritePolicy;
  /** Present in ingestion mode `kinesis`. */
  readonly kinesis?: KinesisIngestion;
  /** The key the construct created (encryption `customer-managed` without `encryptionKey`). */
  readonly key?: TunnelwatchKey;
  /** Absent when the archive is turned off. */
  readonly archive?: TunnelwatchArchive;
  readonly openvpnGateways: readonly OpenVpnGatewayLogs[];
  readonly softetherServers: readonly SoftEtherServerLogs[];
}

/**
 * The deployment configuration (`tunnelwatch.config.json`, parsed) as
 * `Tunnelwatch` props; `encryptionKey` is left to the caller (the file holds
 * an ARN).
 */
export function tunnelwatchPropsFromConfig(config: TunnelwatchConfig): TunnelwatchProps {
  return {
    vpnLogGroups: config.vpnLogGroups.map((g) => ({
      name: g.name,
      retention: g.retentionDays as RetentionDays,
      existing: g.existing,
      otherSubscriptionFilters: g.otherSubscriptionFilters,
    })),
    vpnConnections: config.vpnConnections,
    openvpnGateways: config.openvpnGateways.map((g) => ({ name: g.name, timeZone: g.timeZone })),
    softetherServers: config.softetherServers.map((s) => ({
      name: s.name,
      timeZone: s.timeZone,
      hubs: s.hubs.map((h) => ({ name: h.name, packetLog: h.packetLog })),
    })),
    alerts: config.alerts,
    ingestion: {
      mode: config.ingestion.mode,
      ...(config.ingestion.shards === undefined ? {} : { shards: config.ingestion.shards }),
      retention: Duration.hours(config.ingestion.retentionHours),
      batchSize: config.ingestion.batchSize,
      parallelizationFactor: config.ingestion.parallelizationFactor,
      retryAttempts: config.ingestion.retryAttempts,
    },
    logRetention: config.logRetentionDays as RetentionDays,
    functionLogRetention: config.functionLogRetentionDays as RetentionDays,
    ...(config.rules === undefined ? {} : { rules: config.rules }),
    encryption: config.encryption,
    archive: config.archive,
  };
}

/** Checks `props` with the configuration file's rules and applies its defaults. */
function validatedConfig(scope: Construct, props: TunnelwatchProps): TunnelwatchConfig {
  const json = JSON.parse(
    JSON.stringify({
      logRetentionDays: props.logRetention ?? DEFAULT_LOG_RETENTION_DAYS,
      functionLogRetentionDays: props.functionLogRetention ?? DEFAULT_FUNCTION_LOG_RETENTION_DAYS,
      vpnLogGroups: props.vpnLogGroups?.map((g) => ({
        name: g.name,
        retentionDays: g.retention,
        existing: g.existing,
        otherSubscriptionFilters: g.otherSubscriptionFilters,
      })),
      vpnConnections: props.vpnConnections,
      alerts: props.alerts,
      openvpnGateways: props.openvpnGateways,
      softetherServers: props.softetherServers,
      rules: props.rules,
      encryption: props.encryption,
      archive: props.archive,
    }),
  );
  try {
    return parseConfig(json, scope.node.path, {
      requireWatched: props.remoteSources === undefined,
    });
  } catch (error) {
    if (error instanceof ConfigError)
      throw new ConstructPropsError(scope.node.path, error.problems);
    throw error;
  }
}

/**
 * Everything tunnelwatch deploys: the VPN log groups with their delivery
 * policy and tunnel logging, the self-hosted servers' log groups and
 * policies, the state table, the alert topic, the alert function with its
 * dead-letter queues and subscriptions, the alarms and the dashboard, the
 * S3 archive with its Glue table, and (unless encryption is
 * `service-managed`) the KMS key all of them are encrypted with.
 * The public members are escape hatches to the resources it creates.
 */
export class Tunnelwatch extends Construct {
  /** The alert function. */
  readonly function: LambdaFunction;
  /** The alert function's role. */
  readonly functionRole: Role;
  /** The alert function's own log group. */
  readonly functionLogGroup: LogGroupResource;
  /** Rule state, open alerts and dedup records. */
  readonly table: Table;
  /** Alerts and alarms are published here. */
  readonly topic: Topic;
  /** Failed invocations and poison payloads (`tunnelwatch redrive` reads it). */
  readonly deadLetterQueue: Queue;
  /** Where dead letters go after repeated failed replays. */
  readonly redriveArchiveQueue: Queue;
  /** For people who run `tunnelwatch redrive`. */
  readonly redrivePolicy: ManagedPolicy;
  /** The CloudWatch dashboard. */
  readonly dashboard: Dashboard;
  /** Pipeline and tunnel state alarms. */
  readonly alarms: readonly Alarm[];
  /** Every VPN and server log group created or imported. */
  readonly logGroups: readonly TunnelwatchLogGroup[];
  /** One subscription filter per monitored log group. */
  readonly subscriptionFilters: readonly SubscriptionFilter[];
  /**
   * The key everything is encrypted with: the one given in props, else the
   * one created. Undefined only with encryption `service-managed`.
   */
  readonly encryptionKey?: IKey;
  /** The S3 archive (absent when turned off). */
  readonly archive?: TunnelwatchArchive;
  /** The stream and event source mapping (ingestion mode `kinesis`). */
  readonly kinesis?: KinesisIngestion;
  /** The constructs it is made of, with their own members. */
  readonly parts: TunnelwatchParts;

  constructor(scope: Construct, id: string, props: TunnelwatchProps) {
    super(scope, id);
    const config = validatedConfig(this, props);
    if (config.encryption === 'service-managed' && props.encryptionKey !== undefined) {
      throw new ConstructPropsError(this.node.path, [
        'encryptionKey: a key cannot be used with encryption "service-managed"; leave encryptionKey out, or set encryption to "customer-managed" (the default)',
      ]);
    }
    // Two Tunnelwatch constructs in one stack get names of their own.
    const stackName = Stack.of(this).stackName;
    const ownNames =
      this.node.id === 'Default' ? '' : `-${this.node.id.replace(/[^A-Za-z0-9_-]/g, '')}`;
    const createdKey =
      config.encryption === 'customer-managed' && props.encryptionKey === undefined
        ? new TunnelwatchKey(this, 'EncryptionKey', {
            aliasName: `alias/tunnelwatch/${stackName}${ownNames}`,
          })
        : undefined;
    const key = props.encryptionKey ?? createdKey?.key;
    if (key !== undefined) this.encryptionKey = key;
    const keyProps = key === undefined ? {} : { encryptionKey: key };
    const monitored: MonitoredLogGroup[] = [];
    const sources: LogGroupSource[] = [];
    const logGroups: TunnelwatchLogGroup[] = [];

    // AWS Site-to-Site VPN
    const vpnLogs = addVpnLogs(this, config.vpnLogGroups, config.vpnConnections, key);
    for (const { config: group, logGroup } of vpnLogs.logGroups) {
      monitored.push({
        logGroup,
        logGroupName: group.name,
        otherSubscriptionFilters: group.otherSubscriptionFilters,
      });
      logGroups.push({ logGroup, logGroupName: group.name, source: 'aws-s2s', monitored: true });
      sources.push({ prefix: group.name, source: 'aws-s2s' });
    }
    const { deliveryPolicy, operatorPolicy, tunnelLogging } = vpnLogs;
    const remote = props.remoteSources;
    for (const name of remote?.vpnLogGroupNames ?? []) {
      sources.push({ prefix: name, source: 'aws-s2s' });
    }

    // Self-hosted servers
    const agentGroups: ILogGroup[] = [];
    const openvpnGateways: OpenVpnGatewayLogs[] = [];
    for (const [i, gateway] of config.openvpnGateways.entries()) {
      const logs = new OpenVpnGatewayLogs(this, `OpenVpn${i}`, {
        gatewayName: gateway.name,
        retention: config.logRetentionDays as RetentionDays,
        ...keyProps,
      });
      openvpnGateways.push(logs);
      agentGroups.push(logs.logGroup);
      monitored.push({ logGroup: logs.logGroup, logGroupName: logs.logGroupName });
      logGroups.push({
        logGroup: logs.logGroup,
        logGroupName: logs.logGroupName,
        source: 'openvpn',
        monitored: true,
      });
      sources.push({ prefix: logs.logGroupName, source: 'openvpn', timeZone: gateway.timeZone });
    }
    const outputs = props.createOutputs ?? true;
    const softetherServers: SoftEtherServerLogs[] = [];
    for (const [i, server] of config.softetherServers.entries()) {
      const logs = new SoftEtherServerLogs(this, `SoftEther${i}`, {
        serverName: server.name,
        hubs: server.hubs.map((hub) => ({ name: hub.name, packetLog: hub.packetLog !== 'off' })),
        retention: config.logRetentionDays as RetentionDays,
        ...keyProps,
      });
      softetherServers.push(logs);
      for (const group of logs.logGroups) {
        agentGroups.push(group.logGroup);
        const hub = server.hubs.find((h) => h.name === group.hub);
        const isMonitored = group.kind !== 'packet_log' || hub?.packetLog === 'monitor';
        if (isMonitored) {
          monitored.push({ logGroup: group.logGroup, logGroupName: group.logGroupName });
        }
        logGroups.push({
          logGroup: group.logGroup,
          logGroupName: group.logGroupName,
          source: 'softether',
          monitored: isMonitored,
        });
      }
      sources.push({
        prefix: `${SELF_HOSTED_LOG_GROUP_PREFIX}softether/${server.name}/`,
        source: 'softether',
        timeZone: server.timeZone,
      });
      if (!outputs) continue;
      for (const [hubName, policy] of logs.hubReadPolicies) {
        new CfnOutput(this, `HubReadPolicy${i}${hubName.replace(/[^A-Za-z0-9]/g, '')}`, {
          description: `Attach to administrators of SoftEther hub ${hubName} on ${server.name}`,
          value: policy.managedPolicyArn,
        });
      }
      new CfnOutput(this, `ServerReadPolicy${i}`, {
        description: `Attach to the administrators of SoftEther server ${server.name}: every log of the server`,
        value: logs.serverReadPolicy.managedPolicyArn,
      });
    }
    const agentPolicy =
      agentGroups.length === 0
        ? undefined
        : new CloudWatchAgentWritePolicy(this, 'CloudWatchAgentWritePolicy', {
            logGroups: agentGroups,
          });
    if (agentPolicy !== undefined && outputs) {
      new CfnOutput(this, 'AgentPolicyArn', {
        description: 'Attach to the instance role of the VPN servers running the CloudWatch agent',
        value: agentPolicy.managedPolicy.managedPolicyArn,
      });
    }

    // Alerting
    const stateTable = new AlertStateTable(this, 'StateTable', keyProps);
    const alertTopic = new AlertTopic(this, 'AlertTopic', {
      emails: config.alerts.emails,
      httpsEndpoints: config.alerts.httpsEndpoints,
      ...(key === undefined ? {} : { masterKey: key }),
    });
    const mode = props.ingestion?.mode ?? 'direct';
    const problems: string[] = [];
    if (remote !== undefined && mode !== 'kinesis') {
      problems.push('remoteSources: other accounts can only send through ingestion mode kinesis');
    }
    if (problems.length > 0) throw new ConstructPropsError(this.node.path, problems);
    const entry = props.functionEntry;
    const alertFunction = new TunnelAlertFunction(this, 'AlertFunction', {
      stateTable: stateTable.table,
      alertTopic: alertTopic.topic,
      logGroupSources: sources,
      logRetention: config.functionLogRetentionDays as RetentionDays,
      ...(config.rules === undefined ? {} : { rulesConfig: config.rules }),
      handler: mode === 'kinesis' ? 'kinesis' : 'subscription',
      ...(entry === undefined ? {} : { entry }),
      ...(props.functionMemorySize === undefined ? {} : { memorySize: props.functionMemorySize }),
      ...(props.functionTimeout === undefined ? {} : { timeout: props.functionTimeout }),
      ...keyProps,
    });
    const ingestion = props.ingestion;
    const kinesis =
      mode === 'kinesis'
        ? new KinesisIngestion(this, 'Kinesis', {
            function: alertFunction.function,
            deadLetterQueue: alertFunction.deadLetterQueue,
            redrivePolicy: alertFunction.redrivePolicy,
            ...(key === undefined ? {} : { encryptionKey: key }),
            ...(ingestion?.shards === undefined ? {} : { shards: ingestion.shards }),
            ...(ingestion?.retention === undefined ? {} : { retention: ingestion.retention }),
            ...(ingestion?.batchSize === undefined ? {} : { batchSize: ingestion.batchSize }),
            ...(ingestion?.parallelizationFactor === undefined
              ? {}
              : { parallelizationFactor: ingestion.parallelizationFactor }),
            ...(ingestion?.retryAttempts === undefined
              ? {}
              : { retryAttempts: ingestion.retryAttempts }),
            ...(ingestion?.streamName === undefined ? {} : { streamName: ingestion.streamName }),
            ...(ingestion?.logsRoleName === undefined
              ? {}
              : { logsRoleName: ingestion.logsRoleName }),
            ...(remote?.sourceAccounts === undefined
              ? {}
              : { sourceAccounts: remote.sourceAccounts }),
            ...(remote?.organizationId === undefined
              ? {}
              : { organizationId: remote.organizationId }),
          })
        : undefined;
    const subscriptions = new TunnelAlertSubscriptions(this, 'Subscriptions', {
      function: alertFunction.function,
      logGroups: monitored,
      ...(kinesis === undefined
        ? {}
        : { kinesis: { stream: kinesis.stream, role: kinesis.logsRole } }),
    });
    const archive = config.archive.enabled
      ? new TunnelwatchArchive(this, 'Archive', {
          prefix: config.archive.prefix,
          infrequentAccessAfterDays: config.archive.infrequentAccessAfterDays,
          glacierInstantRetrievalAfterDays: config.archive.glacierInstantRetrievalAfterDays,
          queryScanLimitBytes: config.archive.queryScanLimitGiB * 1024 ** 3,
          databaseName: `${defaultDatabaseName(stackName)}${ownNames.replace(/-/g, '_').toLowerCase()}`,
          ...keyProps,
        })
      : undefined;
    const vpnConnectionIds = config.vpnConnections.map((c) => c.id);
    const alarms = new TunnelwatchAlarms(this, 'Alarms', {
      topic: alertTopic.topic,
      function: alertFunction.function,
      deadLetterQueue: alertFunction.deadLetterQueue,
      subscribedLogGroupNames: monitored.map((m) => m.logGroupName),
      subscriptionFilterName: SUBSCRIPTION_FILTER_NAME,
      vpnConnectionIds,
    });
    const dashboard = new TunnelwatchDashboard(this, 'Dashboard', {
      vpnConnectionIds,
      alarms: alarms.alarms,
      functionLogGroup: alertFunction.logGroup,
      ...(props.dashboardName === undefined ? {} : { dashboardName: props.dashboardName }),
    });

    if (outputs) {
      new CfnOutput(this, 'AlertTopicArn', {
        description: 'Subscribe chat (AWS Chatbot) or other consumers here',
        value: alertTopic.topic.topicArn,
      });
      new CfnOutput(this, 'DeadLetterQueueUrl', {
        value: alertFunction.deadLetterQueue.queueUrl,
      });
      new CfnOutput(this, 'RedrivePolicyArn', {
        description: 'Attach to people who run tunnelwatch redrive',
        value: alertFunction.redrivePolicy.managedPolicyArn,
      });
      if (archive !== undefined) {
        new CfnOutput(this, 'ArchiveBucketName', {
          description: 'S3 bucket of the log archive',
          value: archive.bucket.bucketName,
        });
        new CfnOutput(this, 'ArchiveUrl', {
          description:
            'Pass to tunnelwatch import --archive and to logs get, report and replay --archive',
          value: archive.archiveUrl,
        });
        new CfnOutput(this, 'ArchiveAccessPolicyArn', {
          description:
            'Attach to people who import into the archive, read it back or query it with Athena',
          value: archive.accessPolicy.managedPolicyArn,
        });
        new CfnOutput(this, 'ArchiveTable', {
          description: 'Glue database and table Athena queries the archive through',
          value: `${archive.databaseName}.${ARCHIVE_TABLE_NAME}`,
        });
        new CfnOutput(this, 'ArchiveWorkGroup', {
          description:
            'Athena workgroup to query the archive table in (aws athena start-query-execution --work-group)',
          value: archive.workGroupName,
        });
      }
      if (operatorPolicy !== undefined) {
        new CfnOutput(this, 'VpnLoggingOperatorPolicyArn', {
          description: 'Attach to people or pipelines that enable tunnel logging by hand',
          value: operatorPolicy.managedPolicy.managedPolicyArn,
        });
      }
    }

    this.parts = {
      alertTopic,
      alertFunction,
      stateTable,
      subscriptions,
      alarms,
      dashboard,
      openvpnGateways,
      softetherServers,
      ...(deliveryPolicy === undefined ? {} : { deliveryPolicy }),
      ...(tunnelLogging === undefined ? {} : { tunnelLogging }),
      ...(operatorPolicy === undefined ? {} : { operatorPolicy }),
      ...(agentPolicy === undefined ? {} : { agentPolicy }),
      ...(kinesis === undefined ? {} : { kinesis }),
      ...(createdKey === undefined ? {} : { key: createdKey }),
      ...(archive === undefined ? {} : { archive }),
    };
    if (kinesis !== undefined) this.kinesis = kinesis;
    if (archive !== undefined) this.archive = archive;
    this.function = alertFunction.function;
    this.functionRole = alertFunction.role;
    this.functionLogGroup = alertFunction.logGroup;
    this.table = stateTable.table;
    this.topic = alertTopic.topic;
    this.deadLetterQueue = alertFunction.deadLetterQueue;
    this.redriveArchiveQueue = alertFunction.redriveArchiveQueue;
    this.redrivePolicy = alertFunction.redrivePolicy;
    this.dashboard = dashboard.dashboard;
    this.alarms = alarms.alarms;
    this.logGroups = logGroups;
    this.subscriptionFilters = subscriptions.filters;
  }
}
