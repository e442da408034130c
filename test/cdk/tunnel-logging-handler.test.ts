import {
  DescribeVpnConnectionsCommand,
  EC2Client,
  ModifyVpnTunnelOptionsCommand,
  type VpnConnection,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createTunnelLoggingHandlers,
  type TunnelLoggingEvent,
} from '../../lambda/tunnel-logging.ts';

const VPN = 'vpn-0a1b2c3d4e5f60718';
const ARN = 'arn:aws:logs:ap-northeast-1:111122223333:log-group:/aws/vendedlogs/vpn/a';
const PROPERTIES = {
  VpnConnectionId: VPN,
  TunnelOutsideIp: '203.0.113.20',
  LogGroupArn: ARN,
  LogOutputFormat: 'json',
};
const ec2 = mockClient(EC2Client);

function event(RequestType: TunnelLoggingEvent['RequestType']): TunnelLoggingEvent {
  return { RequestType, ResourceProperties: PROPERTIES, PhysicalResourceId: `${VPN}:203.0.113.20` };
}

function connection(state: string, logEnabled: boolean): VpnConnection {
  return {
    VpnConnectionId: VPN,
    State: state as VpnConnection['State'],
    Options: {
      TunnelOptions: [
        {
          OutsideIpAddress: '203.0.113.10',
          LogOptions: { CloudWatchLogOptions: { LogEnabled: !logEnabled } },
        },
        {
          OutsideIpAddress: '203.0.113.20',
          LogOptions: {
            CloudWatchLogOptions: {
              LogEnabled: logEnabled,
              LogGroupArn: `${ARN}:*`,
              LogOutputFormat: 'json',
            },
          },
        },
      ],
    },
  };
}

function goneError(): Error {
  return Object.assign(new Error('The vpnConnection ID does not exist'), {
    name: 'InvalidVpnConnectionID.NotFound',
  });
}

describe('tunnel logging custom resource handlers', () => {
  const handlers = createTunnelLoggingHandlers(new EC2Client({ region: 'ap-northeast-1' }));
  beforeEach(() => ec2.reset());

  it('turns logging on for the tunnel with that outside IP on create', async () => {
    // Prepare
    ec2.on(ModifyVpnTunnelOptionsCommand).resolves({});

    // Act
    const result = await handlers.onEvent(event('Create'));

    // Assess
    expect(result).toEqual({ PhysicalResourceId: `${VPN}:203.0.113.20` });
    expect(ec2).toHaveReceivedCommandTimes(ModifyVpnTunnelOptionsCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(ModifyVpnTunnelOptionsCommand, {
      VpnConnectionId: VPN,
      VpnTunnelOutsideIpAddress: '203.0.113.20',
      TunnelOptions: {
        LogOptions: {
          CloudWatchLogOptions: { LogEnabled: true, LogGroupArn: ARN, LogOutputFormat: 'json' },
        },
      },
    });
  });

  it('turns logging off on delete, and accepts a connection that is gone', async () => {
    // Prepare
    ec2.on(ModifyVpnTunnelOptionsCommand).rejectsOnce(goneError()).resolves({});

    // Act
    const gone = await handlers.onEvent(event('Delete'));
    const present = await handlers.onEvent(event('Delete'));

    // Assess
    expect(gone).toEqual({ PhysicalResourceId: `${VPN}:203.0.113.20` });
    expect(present).toEqual(gone);
    expect(ec2).toHaveReceivedCommandWith(ModifyVpnTunnelOptionsCommand, {
      VpnConnectionId: VPN,
      VpnTunnelOutsideIpAddress: '203.0.113.20',
      TunnelOptions: { LogOptions: { CloudWatchLogOptions: { LogEnabled: false } } },
    });
  });

  it('fails create when EC2 refuses the change', async () => {
    // Prepare
    ec2
      .on(ModifyVpnTunnelOptionsCommand)
      .rejects(Object.assign(new Error('modifying'), { name: 'IncorrectState' }));

    // Act + Assess
    await expect(handlers.onEvent(event('Create'))).rejects.toThrow('modifying');
  });

  it.each([
    ['modifying', true, false],
    ['available', false, false],
    ['available', true, true],
  ] as const)(
    'is complete on create only when the connection is available with logging on (%s, logging %s)',
    async (state, enabled, complete) => {
      // Prepare
      ec2
        .on(DescribeVpnConnectionsCommand)
        .resolves({ VpnConnections: [connection(state, enabled)] });

      // Act
      const result = await handlers.isComplete(event('Create'));

      // Assess
      expect(result).toEqual({ IsComplete: complete });
      expect(ec2).toHaveReceivedCommandWith(DescribeVpnConnectionsCommand, {
        VpnConnectionIds: [VPN],
      });
    },
  );

  it('is not complete while the tunnel still logs to another group or in another format', async () => {
    // Prepare
    const before = connection('available', true);
    const tunnel = before.Options?.TunnelOptions?.[1];
    if (tunnel?.LogOptions?.CloudWatchLogOptions !== undefined) {
      tunnel.LogOptions.CloudWatchLogOptions.LogOutputFormat = 'text';
    }
    ec2.on(DescribeVpnConnectionsCommand).resolves({ VpnConnections: [before] });

    // Act
    const result = await handlers.isComplete(event('Update'));

    // Assess
    expect(result).toEqual({ IsComplete: false });
  });

  it('is complete on delete when logging is off again or the connection is gone', async () => {
    // Prepare
    ec2
      .on(DescribeVpnConnectionsCommand)
      .resolvesOnce({ VpnConnections: [connection('available', false)] })
      .resolvesOnce({ VpnConnections: [connection('deleted', true)] })
      .rejectsOnce(goneError())
      .resolves({ VpnConnections: [connection('available', true)] });

    // Act
    const results = [];
    for (let i = 0; i < 4; i++)
      results.push((await handlers.isComplete(event('Delete'))).IsComplete);

    // Assess
    expect(results).toEqual([true, true, true, false]);
  });

  it('fails create when the tunnel with that outside IP does not exist', async () => {
    // Prepare
    ec2.on(DescribeVpnConnectionsCommand).resolves({
      VpnConnections: [{ ...connection('available', true), Options: { TunnelOptions: [] } }],
    });

    // Act + Assess
    await expect(handlers.isComplete(event('Create'))).rejects.toThrow(
      `VPN connection ${VPN} has no tunnel with outside IP 203.0.113.20`,
    );
  });
});
