/**
 * Custom resource handlers of `TunnelLogging` (cdk/constructs/tunnel-logging.ts):
 * `onEvent` switches one Site-to-Site VPN tunnel's logging with
 * `ModifyVpnTunnelOptions`; `isComplete` reports done only when the VPN
 * connection is `available` again with the wanted log setting, so
 * CloudFormation changes the next tunnel only after this one is settled.
 */
import {
  DescribeVpnConnectionsCommand,
  EC2Client,
  ModifyVpnTunnelOptionsCommand,
} from '@aws-sdk/client-ec2';

/** The custom resource's properties (strings, as CloudFormation passes them). */
export interface TunnelLoggingProperties {
  readonly VpnConnectionId: string;
  readonly TunnelOutsideIp: string;
  readonly LogGroupArn: string;
  readonly LogOutputFormat: string;
}

/** The part of a CloudFormation custom resource event the handlers read. */
export interface TunnelLoggingEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResourceProperties: TunnelLoggingProperties;
  readonly PhysicalResourceId?: string;
}

/** The EC2 client's `send`, injectable for tests. */
export interface Ec2Sender {
  send: EC2Client['send'];
}

/** Error codes meaning the connection (or the tunnel) no longer exists. */
const GONE = /^InvalidVpnConnectionI[Dd]\.NotFound$/;

function isGone(error: unknown): boolean {
  return error instanceof Error && GONE.test(error.name);
}

/** The physical id: the tunnel's connection and outside IP (never its position). */
export function tunnelPhysicalId(properties: TunnelLoggingProperties): string {
  return `${properties.VpnConnectionId}:${properties.TunnelOutsideIp}`;
}

/** `onEvent` and `isComplete` over an EC2 client. */
export function createTunnelLoggingHandlers(ec2: Ec2Sender) {
  const modify = (properties: TunnelLoggingProperties, enabled: boolean) =>
    ec2.send(
      new ModifyVpnTunnelOptionsCommand({
        VpnConnectionId: properties.VpnConnectionId,
        VpnTunnelOutsideIpAddress: properties.TunnelOutsideIp,
        TunnelOptions: {
          LogOptions: {
            CloudWatchLogOptions: enabled
              ? {
                  LogEnabled: true,
                  LogGroupArn: properties.LogGroupArn,
                  LogOutputFormat: properties.LogOutputFormat,
                }
              : { LogEnabled: false },
          },
        },
      }),
    );

  return {
    /** Create/Update: logging on; Delete: logging off (a vanished connection is fine). */
    async onEvent(event: TunnelLoggingEvent): Promise<{ PhysicalResourceId: string }> {
      const properties = event.ResourceProperties;
      const physicalId = tunnelPhysicalId(properties);
      if (event.RequestType === 'Delete') {
        try {
          await modify(properties, false);
        } catch (error) {
          if (!isGone(error)) throw error;
        }
        return { PhysicalResourceId: event.PhysicalResourceId ?? physicalId };
      }
      await modify(properties, true);
      return { PhysicalResourceId: physicalId };
    },

    /** Done when the connection is `available` and the tunnel shows the wanted setting (group, format). */
    async isComplete(event: TunnelLoggingEvent): Promise<{ IsComplete: boolean }> {
      const properties = event.ResourceProperties;
      const wanted = event.RequestType !== 'Delete';
      let output: Awaited<ReturnType<typeof describe>>;
      try {
        output = await describe(properties.VpnConnectionId);
      } catch (error) {
        if (!wanted && isGone(error)) return { IsComplete: true };
        throw error;
      }
      const connection = output.VpnConnections?.[0];
      if (
        connection === undefined ||
        connection.State === 'deleted' ||
        connection.State === 'deleting'
      ) {
        if (!wanted) return { IsComplete: true };
        throw new Error(
          `VPN connection ${properties.VpnConnectionId} is gone (${connection?.State ?? 'not found'})`,
        );
      }
      const tunnel = connection.Options?.TunnelOptions?.find(
        (options) => options.OutsideIpAddress === properties.TunnelOutsideIp,
      );
      if (tunnel === undefined) {
        if (!wanted) return { IsComplete: true };
        throw new Error(
          `VPN connection ${properties.VpnConnectionId} has no tunnel with outside IP ${properties.TunnelOutsideIp}`,
        );
      }
      const options = tunnel.LogOptions?.CloudWatchLogOptions;
      const applied = wanted
        ? options?.LogEnabled === true &&
          options.LogGroupArn?.replace(/:\*$/, '') === properties.LogGroupArn &&
          (options.LogOutputFormat ?? 'json') === properties.LogOutputFormat
        : options?.LogEnabled !== true;
      return { IsComplete: connection.State === 'available' && applied };
    },
  };

  function describe(vpnConnectionId: string) {
    return ec2.send(new DescribeVpnConnectionsCommand({ VpnConnectionIds: [vpnConnectionId] }));
  }
}

const handlers = createTunnelLoggingHandlers(new EC2Client({}));
/** Lambda entry: the provider framework's `onEvent`. */
export const onEvent = handlers.onEvent;
/** Lambda entry: the provider framework's `isComplete`. */
export const isComplete = handlers.isComplete;
