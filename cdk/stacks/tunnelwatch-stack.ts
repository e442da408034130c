/**
 * `TunnelwatchStack`: everything one account and region needs, built from a
 * validated `TunnelwatchConfig`: a stack holding one `Tunnelwatch` construct.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { TunnelwatchConfig } from '../config.ts';
import type { AlertStateTable } from '../constructs/alert-state-table.ts';
import type { AlertTopic } from '../constructs/alert-topic.ts';
import type { TunnelAlertSubscriptions } from '../constructs/log-subscriptions.ts';
import type {
  CloudWatchAgentWritePolicy,
  SoftEtherServerLogs,
} from '../constructs/self-hosted-logs.ts';
import type { TunnelAlertFunction } from '../constructs/tunnel-alert-function.ts';
import type { TunnelLogging } from '../constructs/tunnel-logging.ts';
import { Tunnelwatch, tunnelwatchPropsFromConfig } from '../constructs/tunnelwatch.ts';
import type { TunnelwatchAlarms } from '../constructs/tunnelwatch-alarms.ts';
import type { TunnelwatchDashboard } from '../constructs/tunnelwatch-dashboard.ts';
import type { VendedLogsDeliveryPolicy } from '../constructs/vended-logs-delivery-policy.ts';
import type { VpnLoggingOperatorPolicy } from '../constructs/vpn-logging-operator-policy.ts';

/** Props of `TunnelwatchStack`. */
export interface TunnelwatchStackProps extends StackProps {
  readonly config: TunnelwatchConfig;
  /** @default - the alert function's default handler (see `TunnelwatchProps.functionEntry`) */
  readonly functionEntry?: string;
}

/**
 * A stack with one `Tunnelwatch` construct built from the configuration file.
 * The construct's id is `Default`, so its resources keep the logical ids
 * they had when the stack created them itself.
 */
export class TunnelwatchStack extends Stack {
  /** The construct holding everything. */
  readonly tunnelwatch: Tunnelwatch;
  /** SNS topic of alerts and alarms. */
  readonly alertTopic: AlertTopic;
  /** The subscription function, its role, log group and dead-letter queue. */
  readonly alertFunction: TunnelAlertFunction;
  /** Rule state, open alerts and dedup records. */
  readonly stateTable: AlertStateTable;
  /** One subscription filter per monitored log group. */
  readonly subscriptions: TunnelAlertSubscriptions;
  /** Pipeline and tunnel state alarms. */
  readonly alarms: TunnelwatchAlarms;
  /** The CloudWatch dashboard. */
  readonly dashboard: TunnelwatchDashboard;
  /** Resource policy for vended log delivery; absent without VPN log groups. */
  readonly deliveryPolicy?: VendedLogsDeliveryPolicy;
  /** Tunnel logging of existing connections; absent when no connection has `enableLogging`. */
  readonly tunnelLogging?: TunnelLogging;
  /** Permissions to switch tunnel logging; absent without VPN connections. */
  readonly operatorPolicy?: VpnLoggingOperatorPolicy;
  /** Write-only policy for the CloudWatch agent; absent without self-hosted servers. */
  readonly agentPolicy?: CloudWatchAgentWritePolicy;
  /** Log groups and read policies of each SoftEther server. */
  readonly softetherServers: readonly SoftEtherServerLogs[];

  constructor(scope: Construct, id: string, props: TunnelwatchStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.tunnelwatch = new Tunnelwatch(this, 'Default', {
      ...tunnelwatchPropsFromConfig(config),
      ...(config.kmsKeyArn === undefined
        ? {}
        : { encryptionKey: Key.fromKeyArn(this, 'Key', config.kmsKeyArn) }),
      ...(props.functionEntry === undefined ? {} : { functionEntry: props.functionEntry }),
    });
    const { parts } = this.tunnelwatch;
    this.alertTopic = parts.alertTopic;
    this.alertFunction = parts.alertFunction;
    this.stateTable = parts.stateTable;
    this.subscriptions = parts.subscriptions;
    this.alarms = parts.alarms;
    this.dashboard = parts.dashboard;
    this.softetherServers = parts.softetherServers;
    if (parts.deliveryPolicy !== undefined) this.deliveryPolicy = parts.deliveryPolicy;
    if (parts.tunnelLogging !== undefined) this.tunnelLogging = parts.tunnelLogging;
    if (parts.operatorPolicy !== undefined) this.operatorPolicy = parts.operatorPolicy;
    if (parts.agentPolicy !== undefined) this.agentPolicy = parts.agentPolicy;
  }
}
