/**
 * `TunnelLogging`: turns tunnel logging on for existing Site-to-Site VPN
 * connections, one tunnel at a time, and off again when removed.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { CfnVPNConnection } from 'aws-cdk-lib/aws-ec2';
import { type IManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  AwsCustomResource,
  type AwsSdkCall,
  PhysicalResourceId,
} from 'aws-cdk-lib/custom-resources';
import { Construct, type IDependable } from 'constructs';
import { isToken, throwIfProblems } from './validation.ts';
import { VpnLoggingOperatorPolicy } from './vpn-logging-operator-policy.ts';

/** Tunnel log output format (`LogOutputFormat`). */
export type TunnelLogFormat = 'json' | 'text';

/** One tunnel whose logging is managed, identified by its outside IP. */
export interface TunnelLoggingTarget {
  /** `vpn-…` id of an existing VPN connection. */
  readonly vpnConnectionId: string;
  /** The tunnel's AWS-side outside IPv4 address (never the tunnel's position). */
  readonly tunnelOutsideIp: string;
  /** ARN of the log group, without the `:*` suffix. */
  readonly logGroupArn: string;
  /** @default 'json' */
  readonly logOutputFormat?: TunnelLogFormat;
}

/** Props of `TunnelLogging`. */
export interface TunnelLoggingProps {
  readonly tunnels: readonly TunnelLoggingTarget[];
  /**
   * Policy attached to the custom resource's role.
   * @default - a `VpnLoggingOperatorPolicy` scoped to the tunnels' VPN connections
   */
  readonly operatorPolicy?: IManagedPolicy;
  /** @default - DEFAULT_PROVIDER_LOG_RETENTION */
  readonly providerLogRetention?: RetentionDays;
}

/** Default retention of the custom resource provider's log group. */
export const DEFAULT_PROVIDER_LOG_RETENTION = RetentionDays.ONE_MONTH;
/** Error codes ignored when turning logging off for a tunnel or connection that no longer exists. */
export const GONE_ERROR_CODES =
  'InvalidVpnConnectionID\\.NotFound|InvalidVpnConnectionId\\.NotFound';

/** The `ModifyVpnTunnelOptions` call that sets a tunnel's logging. */
export function modifyTunnelLoggingCall(target: TunnelLoggingTarget, enabled: boolean): AwsSdkCall {
  return {
    service: 'EC2',
    action: 'ModifyVpnTunnelOptions',
    parameters: {
      VpnConnectionId: target.vpnConnectionId,
      VpnTunnelOutsideIpAddress: target.tunnelOutsideIp,
      TunnelOptions: {
        LogOptions: {
          CloudWatchLogOptions: enabled
            ? {
                LogEnabled: true,
                LogGroupArn: target.logGroupArn,
                LogOutputFormat: target.logOutputFormat ?? 'json',
              }
            : { LogEnabled: false },
        },
      },
    },
    physicalResourceId: PhysicalResourceId.of(
      `${target.vpnConnectionId}:${target.tunnelOutsideIp}`,
    ),
    // Only a few fields: the full response holds the connection's PSKs in customer gateway config.
    outputPaths: ['VpnConnection.VpnConnectionId'],
    ...(enabled ? {} : { ignoreErrorCodesMatching: GONE_ERROR_CODES }),
  };
}

/**
 * Tunnel order for the chain: by VPN connection, then outside IP, interleaved
 * so that the two tunnels of one connection are as far apart as possible
 * (first tunnel of every connection, then the second ones).
 */
export function tunnelChainOrder(tunnels: readonly TunnelLoggingTarget[]): TunnelLoggingTarget[] {
  const byVpn = new Map<string, TunnelLoggingTarget[]>();
  for (const tunnel of tunnels) {
    const list = byVpn.get(tunnel.vpnConnectionId) ?? [];
    list.push(tunnel);
    byVpn.set(tunnel.vpnConnectionId, list);
  }
  const columns = [...byVpn.keys()]
    .sort()
    .map((vpnId) =>
      (byVpn.get(vpnId) ?? []).sort((a, b) => a.tunnelOutsideIp.localeCompare(b.tunnelOutsideIp)),
    );
  const ordered: TunnelLoggingTarget[] = [];
  for (let round = 0; columns.some((column) => round < column.length); round++) {
    for (const column of columns) {
      const tunnel = column[round];
      if (tunnel !== undefined) ordered.push(tunnel);
    }
  }
  return ordered;
}

/**
 * Calls `ModifyVpnTunnelOptions` for each tunnel from an `AwsCustomResource`
 * (create/update: logging on with the group and format; delete: logging off).
 * Each change renegotiates that tunnel, so the custom resources form one
 * dependency chain: CloudFormation changes one tunnel, then the next — never
 * both tunnels of a connection in parallel. Tunnels are keyed by outside IP
 * (construct id and physical id), never by their order.
 *
 * Caveat: the call returns when EC2 accepts the change, not when the tunnel
 * is back up; the chain serialises the calls, it does not wait for the
 * connection to leave the `modifying` state, so EC2 may refuse the next
 * tunnel's change (the deploy then fails and rolls back). Waiting needs a
 * provider with an `isComplete` handler polling `DescribeVpnConnections`.
 *
 * For VPN connections the stack itself creates, use `tunnelLogOptions` on
 * `CfnVPNConnection` instead (changing it on an existing connection replaces it).
 */
export class TunnelLogging extends Construct {
  /** One custom resource per tunnel, in chain order. */
  readonly tunnelResources: readonly AwsCustomResource[];
  /** The role the provider function runs with. */
  readonly role: Role;
  /** The operator policy created when none was given. */
  readonly operatorPolicy: IManagedPolicy;

  constructor(scope: Construct, id: string, props: TunnelLoggingProps) {
    super(scope, id);
    const problems: string[] = [];
    if (props.tunnels.length === 0) problems.push('tunnels must name at least one tunnel');
    const seen = new Set<string>();
    for (const [i, tunnel] of props.tunnels.entries()) {
      if (
        !isToken(tunnel.vpnConnectionId) &&
        !/^vpn-[0-9a-f]{8,17}$/.test(tunnel.vpnConnectionId)
      ) {
        problems.push(
          `tunnels[${i}].vpnConnectionId must be a vpn-… id, got "${tunnel.vpnConnectionId}"`,
        );
      }
      if (
        !isToken(tunnel.tunnelOutsideIp) &&
        !/^\d{1,3}(\.\d{1,3}){3}$/.test(tunnel.tunnelOutsideIp)
      ) {
        problems.push(
          `tunnels[${i}].tunnelOutsideIp must be an IPv4 address, got "${tunnel.tunnelOutsideIp}"`,
        );
      }
      if (!isToken(tunnel.logGroupArn) && tunnel.logGroupArn.endsWith(':*')) {
        problems.push(
          `tunnels[${i}].logGroupArn must not end with ":*", got "${tunnel.logGroupArn}"`,
        );
      }
      const key = `${tunnel.vpnConnectionId}:${tunnel.tunnelOutsideIp}`;
      if (seen.has(key)) problems.push(`tunnels[${i}]: tunnel ${key} is listed more than once`);
      seen.add(key);
    }
    throwIfProblems(this, problems);

    this.operatorPolicy =
      props.operatorPolicy ??
      new VpnLoggingOperatorPolicy(this, 'OperatorPolicy', {
        vpnConnectionIds: [...new Set(props.tunnels.map((t) => t.vpnConnectionId))].sort(),
      }).managedPolicy;
    const logGroup = new LogGroup(this, 'ProviderLogs', {
      retention: props.providerLogRetention ?? DEFAULT_PROVIDER_LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'tunnelwatch: sets Site-to-Site VPN tunnel logging options',
      managedPolicies: [this.operatorPolicy],
    });
    logGroup.grantWrite(this.role);

    let previous: IDependable | undefined;
    const resources: AwsCustomResource[] = [];
    for (const tunnel of tunnelChainOrder(props.tunnels)) {
      const resource = new AwsCustomResource(
        this,
        `Tunnel-${tunnel.vpnConnectionId}-${tunnel.tunnelOutsideIp}`,
        {
          resourceType: 'Custom::TunnelLogging',
          onCreate: modifyTunnelLoggingCall(tunnel, true),
          onUpdate: modifyTunnelLoggingCall(tunnel, true),
          onDelete: modifyTunnelLoggingCall(tunnel, false),
          role: this.role,
          logGroup,
          installLatestAwsSdk: false,
          timeout: Duration.minutes(2),
        },
      );
      if (previous !== undefined) resource.node.addDependency(previous);
      previous = resource;
      resources.push(resource);
    }
    this.tunnelResources = resources;
  }
}

/**
 * `LogOptions` for one tunnel of a `CfnVPNConnection` the stack creates
 * (`VpnTunnelOptionsSpecifications[].LogOptions`). Changing log options on a
 * connection CloudFormation already manages REPLACES the connection (new
 * outside IPs and pre-shared keys): set them when the connection is created,
 * and use `TunnelLogging` for existing ones.
 */
export function tunnelLogOptions(
  logGroupArn: string,
  logOutputFormat: TunnelLogFormat = 'json',
): CfnVPNConnection.VpnTunnelLogOptionsSpecificationProperty {
  return {
    cloudwatchLogOptions: { logEnabled: true, logGroupArn, logOutputFormat },
  };
}
