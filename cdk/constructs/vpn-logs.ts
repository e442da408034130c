/**
 * The AWS Site-to-Site VPN side of a deployment, shared by `Tunnelwatch`
 * (one account) and `SourceAccountStack` (a source account of a monitoring
 * account): the vended log groups, their delivery resource policy, the
 * logging-operator policy and tunnel logging of existing connections. Built
 * in the caller's scope, so construct ids stay those the caller always had.
 */
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type ILogGroup, LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { VpnConnectionConfig, VpnLogGroupConfig } from '../config.ts';
import { TunnelLogging } from './tunnel-logging.ts';
import { logGroupNameDirectory, VendedLogsDeliveryPolicy } from './vended-logs-delivery-policy.ts';
import { VpnLoggingOperatorPolicy } from './vpn-logging-operator-policy.ts';
import { logGroupArnWithoutSuffix, VpnTunnelLogGroup } from './vpn-tunnel-log-group.ts';

/** A VPN log group created or imported. */
export interface VpnLogGroupPart {
  readonly config: VpnLogGroupConfig;
  readonly logGroup: ILogGroup;
}

/** What `addVpnLogs` built. */
export interface VpnLogParts {
  readonly logGroups: readonly VpnLogGroupPart[];
  /** Absent without VPN log groups. */
  readonly deliveryPolicy?: VendedLogsDeliveryPolicy;
  /** Absent without VPN connections. */
  readonly operatorPolicy?: VpnLoggingOperatorPolicy;
  /** Absent when no connection has `enableLogging`. */
  readonly tunnelLogging?: TunnelLogging;
}

/**
 * Builds the VPN log groups, delivery policy, operator policy and tunnel
 * logging in `scope`; `encryptionKey` encrypts the log groups it creates
 * (VPN groups and the tunnel-logging provider's group).
 */
export function addVpnLogs(
  scope: Construct,
  vpnLogGroups: readonly VpnLogGroupConfig[],
  vpnConnections: readonly VpnConnectionConfig[],
  encryptionKey?: IKey,
): VpnLogParts {
  const keyProps = encryptionKey === undefined ? {} : { encryptionKey };
  const logGroups = vpnLogGroups.map((group, i) => ({
    config: group,
    logGroup: group.existing
      ? LogGroup.fromLogGroupName(scope, `ExistingVpnLogGroup${i}`, group.name)
      : new VpnTunnelLogGroup(scope, `VpnLogGroup${i}`, {
          logGroupName: group.name,
          retention: group.retentionDays as RetentionDays,
          ...keyProps,
        }).logGroup,
  }));
  const deliveryPolicy =
    vpnLogGroups.length === 0
      ? undefined
      : new VendedLogsDeliveryPolicy(scope, 'VendedLogsDeliveryPolicy', {
          logGroupNamePrefixes: vpnLogGroups.map((g) => logGroupNameDirectory(g.name)),
        });
  const operatorPolicy =
    vpnConnections.length === 0
      ? undefined
      : new VpnLoggingOperatorPolicy(scope, 'VpnLoggingOperatorPolicy', {
          vpnConnectionIds: vpnConnections.map((c) => c.id),
        });
  const loggingTargets = vpnConnections
    .filter((c) => c.enableLogging)
    .flatMap((c) =>
      c.tunnelOutsideIps.map((ip) => ({
        vpnConnectionId: c.id,
        tunnelOutsideIp: ip,
        logGroupArn: logGroupArnWithoutSuffix(scope, c.logGroup),
        logOutputFormat: c.logOutputFormat,
      })),
    );
  let tunnelLogging: TunnelLogging | undefined;
  if (loggingTargets.length > 0 && operatorPolicy !== undefined) {
    tunnelLogging = new TunnelLogging(scope, 'TunnelLogging', {
      tunnels: loggingTargets,
      operatorPolicy: operatorPolicy.managedPolicy,
      ...keyProps,
    });
    if (deliveryPolicy !== undefined) tunnelLogging.node.addDependency(deliveryPolicy);
    for (const group of logGroups) tunnelLogging.node.addDependency(group.logGroup);
  }
  return {
    logGroups,
    ...(deliveryPolicy === undefined ? {} : { deliveryPolicy }),
    ...(operatorPolicy === undefined ? {} : { operatorPolicy }),
    ...(tunnelLogging === undefined ? {} : { tunnelLogging }),
  };
}
