/**
 * `TunnelwatchStack`: everything one account and region needs, built from a
 * validated `TunnelwatchConfig`.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { type ILogGroup, LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { TunnelwatchConfig } from '../config.ts';
import { AlertStateTable } from '../constructs/alert-state-table.ts';
import { AlertTopic } from '../constructs/alert-topic.ts';
import {
  type MonitoredLogGroup,
  SUBSCRIPTION_FILTER_NAME,
  TunnelAlertSubscriptions,
} from '../constructs/log-subscriptions.ts';
import {
  CloudWatchAgentWritePolicy,
  OpenVpnGatewayLogs,
  SoftEtherServerLogs,
} from '../constructs/self-hosted-logs.ts';
import { type LogGroupSource, TunnelAlertFunction } from '../constructs/tunnel-alert-function.ts';
import { TunnelLogging } from '../constructs/tunnel-logging.ts';
import { TunnelwatchAlarms } from '../constructs/tunnelwatch-alarms.ts';
import { TunnelwatchDashboard } from '../constructs/tunnelwatch-dashboard.ts';
import {
  logGroupNameDirectory,
  VendedLogsDeliveryPolicy,
} from '../constructs/vended-logs-delivery-policy.ts';
import { VpnLoggingOperatorPolicy } from '../constructs/vpn-logging-operator-policy.ts';
import { logGroupArnWithoutSuffix, VpnTunnelLogGroup } from '../constructs/vpn-tunnel-log-group.ts';
import { SELF_HOSTED_LOG_GROUP_PREFIX } from '../log-layout.ts';

/** Props of `TunnelwatchStack`. */
export interface TunnelwatchStackProps extends StackProps {
  readonly config: TunnelwatchConfig;
  /** @default - lambda/subscription.ts */
  readonly functionEntry?: string;
}

/**
 * VPN log groups with their delivery policy, tunnel logging for existing
 * connections, self-hosted server log groups and policies, the state table,
 * alert topic, alert function and its subscriptions, alarms and dashboard.
 */
export class TunnelwatchStack extends Stack {
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
    const key: IKey | undefined =
      config.kmsKeyArn === undefined ? undefined : Key.fromKeyArn(this, 'Key', config.kmsKeyArn);
    const keyProps = key === undefined ? {} : { encryptionKey: key };
    const monitored: MonitoredLogGroup[] = [];
    const sources: LogGroupSource[] = [];

    // AWS Site-to-Site VPN
    const vpnGroups = new Map<string, ILogGroup>();
    for (const [i, group] of config.vpnLogGroups.entries()) {
      const logGroup = group.existing
        ? LogGroup.fromLogGroupName(this, `ExistingVpnLogGroup${i}`, group.name)
        : new VpnTunnelLogGroup(this, `VpnLogGroup${i}`, {
            logGroupName: group.name,
            retention: group.retentionDays as RetentionDays,
            ...keyProps,
          }).logGroup;
      vpnGroups.set(group.name, logGroup);
      monitored.push({
        logGroup,
        logGroupName: group.name,
        otherSubscriptionFilters: group.otherSubscriptionFilters,
      });
      sources.push({ prefix: group.name, source: 'aws-s2s' });
    }
    if (config.vpnLogGroups.length > 0) {
      this.deliveryPolicy = new VendedLogsDeliveryPolicy(this, 'VendedLogsDeliveryPolicy', {
        logGroupNamePrefixes: config.vpnLogGroups.map((g) => logGroupNameDirectory(g.name)),
      });
    }
    if (config.vpnConnections.length > 0) {
      this.operatorPolicy = new VpnLoggingOperatorPolicy(this, 'VpnLoggingOperatorPolicy', {
        vpnConnectionIds: config.vpnConnections.map((c) => c.id),
      });
    }
    const loggingTargets = config.vpnConnections
      .filter((c) => c.enableLogging)
      .flatMap((c) =>
        c.tunnelOutsideIps.map((ip) => ({
          vpnConnectionId: c.id,
          tunnelOutsideIp: ip,
          logGroupArn: logGroupArnWithoutSuffix(this, c.logGroup),
          logOutputFormat: c.logOutputFormat,
        })),
      );
    if (loggingTargets.length > 0 && this.operatorPolicy !== undefined) {
      this.tunnelLogging = new TunnelLogging(this, 'TunnelLogging', {
        tunnels: loggingTargets,
        operatorPolicy: this.operatorPolicy.managedPolicy,
      });
      if (this.deliveryPolicy !== undefined)
        this.tunnelLogging.node.addDependency(this.deliveryPolicy);
      for (const group of vpnGroups.values()) this.tunnelLogging.node.addDependency(group);
    }

    // Self-hosted servers
    const agentGroups: ILogGroup[] = [];
    for (const [i, gateway] of config.openvpnGateways.entries()) {
      const logs = new OpenVpnGatewayLogs(this, `OpenVpn${i}`, {
        gatewayName: gateway.name,
        retention: config.logRetentionDays as RetentionDays,
        ...keyProps,
      });
      agentGroups.push(logs.logGroup);
      monitored.push({ logGroup: logs.logGroup, logGroupName: logs.logGroupName });
      sources.push({ prefix: logs.logGroupName, source: 'openvpn', timeZone: gateway.timeZone });
    }
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
        if (group.kind !== 'packet_log' || hub?.packetLog === 'monitor') {
          monitored.push({ logGroup: group.logGroup, logGroupName: group.logGroupName });
        }
      }
      sources.push({
        prefix: `${SELF_HOSTED_LOG_GROUP_PREFIX}softether/${server.name}/`,
        source: 'softether',
        timeZone: server.timeZone,
      });
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
    this.softetherServers = softetherServers;
    if (agentGroups.length > 0) {
      this.agentPolicy = new CloudWatchAgentWritePolicy(this, 'CloudWatchAgentWritePolicy', {
        logGroups: agentGroups,
      });
      new CfnOutput(this, 'AgentPolicyArn', {
        description: 'Attach to the instance role of the VPN servers running the CloudWatch agent',
        value: this.agentPolicy.managedPolicy.managedPolicyArn,
      });
    }

    // Alerting
    this.stateTable = new AlertStateTable(this, 'StateTable', keyProps);
    this.alertTopic = new AlertTopic(this, 'AlertTopic', {
      emails: config.alerts.emails,
      httpsEndpoints: config.alerts.httpsEndpoints,
      ...(key === undefined ? {} : { masterKey: key }),
    });
    this.alertFunction = new TunnelAlertFunction(this, 'AlertFunction', {
      stateTable: this.stateTable.table,
      alertTopic: this.alertTopic.topic,
      logGroupSources: sources,
      logRetention: config.functionLogRetentionDays as RetentionDays,
      ...(config.rules === undefined ? {} : { rulesConfig: config.rules }),
      ...(props.functionEntry === undefined ? {} : { entry: props.functionEntry }),
      ...keyProps,
    });
    this.subscriptions = new TunnelAlertSubscriptions(this, 'Subscriptions', {
      function: this.alertFunction.function,
      logGroups: monitored,
    });
    const vpnConnectionIds = config.vpnConnections.map((c) => c.id);
    this.alarms = new TunnelwatchAlarms(this, 'Alarms', {
      topic: this.alertTopic.topic,
      function: this.alertFunction.function,
      deadLetterQueue: this.alertFunction.deadLetterQueue,
      subscribedLogGroupNames: monitored.map((m) => m.logGroupName),
      subscriptionFilterName: SUBSCRIPTION_FILTER_NAME,
      vpnConnectionIds,
    });
    this.dashboard = new TunnelwatchDashboard(this, 'Dashboard', { vpnConnectionIds });

    new CfnOutput(this, 'AlertTopicArn', {
      description: 'Subscribe chat (AWS Chatbot) or other consumers here',
      value: this.alertTopic.topic.topicArn,
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.alertFunction.deadLetterQueue.queueUrl,
    });
    new CfnOutput(this, 'RedrivePolicyArn', {
      description: 'Attach to people who run tunnelwatch redrive',
      value: this.alertFunction.redrivePolicy.managedPolicyArn,
    });
    if (this.operatorPolicy !== undefined) {
      new CfnOutput(this, 'VpnLoggingOperatorPolicyArn', {
        description: 'Attach to people or pipelines that enable tunnel logging by hand',
        value: this.operatorPolicy.managedPolicy.managedPolicyArn,
      });
    }
  }
}
