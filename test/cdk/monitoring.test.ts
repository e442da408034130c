import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type CfnLogGroup, LogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { TunnelAlertSubscriptions } from '../../cdk/constructs/log-subscriptions.ts';
import {
  CloudWatchAgentWritePolicy,
  OpenVpnGatewayLogs,
  SoftEtherServerLogs,
} from '../../cdk/constructs/self-hosted-logs.ts';
import { TunnelwatchAlarms } from '../../cdk/constructs/tunnelwatch-alarms.ts';
import {
  ALERT_LOG_MESSAGE,
  TunnelwatchDashboard,
} from '../../cdk/constructs/tunnelwatch-dashboard.ts';
import { ALERT_LOG_MESSAGE as FUNCTION_ALERT_LOG_MESSAGE } from '../../src/aws/subscription-processor.ts';
import { testStack } from './helpers.ts';

const VPN_A = 'vpn-0a1b2c3d4e5f60718';

function fn(stack: Stack): LambdaFunction {
  return new LambdaFunction(stack, 'Fn', {
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: Code.fromInline('export const handler = async () => {};'),
  });
}

describe('TunnelAlertSubscriptions', () => {
  it('subscribes every group to the function with a permission scoped by SourceArn and SourceAccount', () => {
    // Prepare
    const stack = testStack();
    const target = fn(stack);
    const a = new LogGroup(stack, 'A', { logGroupName: '/aws/vendedlogs/vpn/a' });
    const b = new LogGroup(stack, 'B', { logGroupName: '/tunnelwatch/openvpn/gw' });

    // Act
    new TunnelAlertSubscriptions(stack, 'Subs', {
      function: target,
      logGroups: [
        { logGroup: a, logGroupName: '/aws/vendedlogs/vpn/a' },
        { logGroup: b, logGroupName: '/tunnelwatch/openvpn/gw' },
      ],
    });

    // Assess
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::SubscriptionFilter', 2);
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('^A') },
      FilterPattern: '',
      FilterName: 'tunnelwatch',
      DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Fn'), 'Arn'] },
    });
    template.resourceCountIs('AWS::Lambda::Permission', 2);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'logs.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^B'), 'Arn'] },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
    const filters = template.findResources('AWS::Logs::SubscriptionFilter');
    for (const filter of Object.values(filters)) {
      expect(filter.DependsOn).toEqual([expect.stringMatching(/InvokeFromLogs/)]);
    }
  });

  it('fails synth when a log group would have more than 2 subscription filters', () => {
    // Prepare
    const stack = testStack();
    const target = fn(stack);
    const group = LogGroup.fromLogGroupName(stack, 'Old', '/aws/vendedlogs/vpn/old');

    // Act + Assess
    expect(
      () =>
        new TunnelAlertSubscriptions(stack, 'Subs', {
          function: target,
          logGroups: [
            {
              logGroup: group,
              logGroupName: '/aws/vendedlogs/vpn/old',
              otherSubscriptionFilters: 2,
            },
          ],
        }),
    ).toThrow(
      'Test/Subs: invalid props:\n  - log group "/aws/vendedlogs/vpn/old" would have 3 subscription filters; CloudWatch Logs allows 2 per log group',
    );
  });

  it('counts filters other instances in the same stack put on a group', () => {
    // Prepare
    const stack = testStack();
    const target = fn(stack);
    const group = new LogGroup(stack, 'G', { logGroupName: '/aws/vendedlogs/vpn/g' });
    const entry = {
      logGroup: group,
      logGroupName: '/aws/vendedlogs/vpn/g',
      otherSubscriptionFilters: 1,
    };
    new TunnelAlertSubscriptions(stack, 'First', { function: target, logGroups: [entry] });

    // Act + Assess
    expect(
      () => new TunnelAlertSubscriptions(stack, 'Second', { function: target, logGroups: [entry] }),
    ).toThrow('would have 3 subscription filters');
  });
});

describe('TunnelwatchAlarms', () => {
  function build() {
    const stack = testStack();
    new TunnelwatchAlarms(stack, 'Alarms', {
      topic: new Topic(stack, 'Topic'),
      function: fn(stack),
      deadLetterQueue: new Queue(stack, 'Dlq'),
      subscribedLogGroupNames: ['/aws/vendedlogs/vpn/a'],
      subscriptionFilterName: 'tunnelwatch',
      vpnConnectionIds: [VPN_A],
    });
    return Template.fromStack(stack);
  }
  const toTopic = [{ Ref: Match.stringLikeRegexp('^Topic') }];

  it('tells one tunnel down (Minimum < 1) from all tunnels down (Maximum < 1), missing data breaching', () => {
    // Act
    const template = build();

    // Assess
    for (const statistic of ['Minimum', 'Maximum']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/VPN',
        MetricName: 'TunnelState',
        Dimensions: [{ Name: 'VpnId', Value: VPN_A }],
        Statistic: statistic,
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        TreatMissingData: 'breaching',
        AlarmActions: toTopic,
        OKActions: toTopic,
      });
    }
  });

  it('alarms on function errors and throttles, dead letters and delivery errors', () => {
    // Act
    const template = build();

    // Assess
    for (const metricName of ['Errors', 'Throttles']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Statistic: 'Sum',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        AlarmActions: toTopic,
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Threshold: 1,
      AlarmActions: toTopic,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Logs',
      MetricName: 'DeliveryErrors',
      Dimensions: [
        { Name: 'DestinationType', Value: 'Lambda' },
        { Name: 'FilterName', Value: 'tunnelwatch' },
        { Name: 'LogGroupName', Value: '/aws/vendedlogs/vpn/a' },
      ],
      AlarmActions: toTopic,
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
  });
});

describe('TunnelwatchDashboard', () => {
  /** The dashboard's body as CloudWatch reads it, its tokens (ARNs, region) as `<token>`. */
  function bodyOf(stack: Stack): string {
    const [dashboard] = Object.values(
      Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'),
    );
    const resolved = stack.resolve(dashboard?.Properties.DashboardBody) as unknown;
    const joined = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (joined === undefined) return String(resolved);
    return joined[1].map((part) => (typeof part === 'string' ? part : '<token>')).join('');
  }

  it('graphs tunnel state per VPN and the EMF metrics of the contract', () => {
    // Prepare
    const stack = testStack({ account: '111122223333', region: 'ap-northeast-1' });

    // Act
    new TunnelwatchDashboard(stack, 'Dash', { vpnConnectionIds: [VPN_A] });

    // Assess
    const [dashboard] = Object.values(
      Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'),
    );
    const body = JSON.stringify(stack.resolve(dashboard?.Properties.DashboardBody));
    expect(body).toContain(`Tunnel state ${VPN_A}`);
    expect(body).toContain(
      '\\"AWS/VPN\\",\\"TunnelState\\",\\"VpnId\\",\\"vpn-0a1b2c3d4e5f60718\\"',
    );
    expect(body).toContain(
      `SEARCH('{Tunnelwatch,service,rule,severity} MetricName=\\\\\\"AlertsPublished\\\\\\"', 'Sum', 300)`,
    );
    expect(body).toContain(
      `SEARCH('{Tunnelwatch,service,source,category} MetricName=\\\\\\"EventsParsed\\\\\\"', 'Sum', 300)`,
    );
    for (const name of [
      'Unclassified',
      'Malformed',
      'PublishFailures',
      'PoisonPayloads',
      'StateConflicts',
      'LateEvents',
    ]) {
      expect(body).toContain(`\\"Tunnelwatch\\",\\"${name}\\",\\"service\\",\\"tunnelwatch\\"`);
    }
  });

  it('has a fixed name: tunnelwatch- and the stack name, or the one given', () => {
    const stack = testStack();
    const named = new TunnelwatchDashboard(stack, 'Named', {
      vpnConnectionIds: [],
      dashboardName: 'vpn-on-call',
    });
    const fixed = new TunnelwatchDashboard(stack, 'Fixed', { vpnConnectionIds: [] });
    expect(named.dashboardName).toBe('vpn-on-call');
    expect(fixed.dashboardName).toBe(`tunnelwatch-${stack.stackName}`);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'vpn-on-call' });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: `tunnelwatch-${stack.stackName}`,
    });
  });

  it('rejects a name CloudWatch would refuse, naming the prop', () => {
    const stack = testStack();
    expect(
      () =>
        new TunnelwatchDashboard(stack, 'Bad', {
          vpnConnectionIds: [],
          dashboardName: 'on call/vpn',
        }),
    ).toThrow(/dashboardName "on call\/vpn" must be 1-255 letters, digits/);
  });

  it('shows the alarms, per-tunnel state from the logs, the latest alerts and failed logins per source', () => {
    // Prepare
    const stack = testStack({ account: '111122223333', region: 'ap-northeast-1' });
    const alarms = new TunnelwatchAlarms(stack, 'Alarms', {
      topic: new Topic(stack, 'T'),
      function: fn(stack),
      deadLetterQueue: new Queue(stack, 'Q'),
      subscribedLogGroupNames: [],
      subscriptionFilterName: 'tunnelwatch',
      vpnConnectionIds: [VPN_A],
    });
    const logGroup = new LogGroup(stack, 'FnLogs', {
      logGroupName: '/aws/lambda/tunnelwatch-alerts',
    });

    // Act
    new TunnelwatchDashboard(stack, 'Dash', {
      vpnConnectionIds: [VPN_A],
      alarms: alarms.alarms,
      functionLogGroup: logGroup,
    });

    // Assess
    const text = bodyOf(stack);
    const widgets = (
      JSON.parse(text) as { widgets: { type: string; properties: Record<string, unknown> }[] }
    ).widgets;
    const alarmWidget = widgets.find((w) => w.type === 'alarm');
    expect(alarmWidget?.properties.alarms).toHaveLength(alarms.alarms.length);
    const query = widgets.find((w) => w.type === 'log');
    // The function's log group, by reference.
    expect(query?.properties.query).toContain(`SOURCE '<token>'`);
    const [dashboard] = Object.values(
      Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'),
    );
    expect(JSON.stringify(dashboard?.Properties.DashboardBody)).toContain(
      JSON.stringify({ Ref: stack.getLogicalId(logGroup.node.defaultChild as CfnLogGroup) }),
    );
    expect(query?.properties.query).toContain(`filter message = "${ALERT_LOG_MESSAGE}"`);
    expect(query?.properties.query).toContain('sort @timestamp desc');
    expect(query?.properties.view).toBe('table');
    const metrics = JSON.stringify(widgets.map((w) => w.properties.metrics ?? []));
    expect(metrics).toContain(
      `SEARCH('{Tunnelwatch,service,vpnConnectionId,tunnelIp} MetricName=\\"TunnelUp\\" vpnConnectionId=\\"${VPN_A}\\"', 'Minimum', 300)`,
    );
    expect(metrics).toContain(
      `SEARCH('{Tunnelwatch,service,source,category} MetricName=\\"EventsParsed\\" category=\\"auth.failed\\"', 'Sum', 300)`,
    );
    const titles = widgets.map((w) => w.properties.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Alarms',
        `Tunnel state ${VPN_A}`,
        'Latest alerts (last 50)',
        'Failed logins per source',
      ]),
    );
  });

  it('reads the alert lines the function writes (same message)', () => {
    expect(ALERT_LOG_MESSAGE).toBe(FUNCTION_ALERT_LOG_MESSAGE);
  });
});

describe('self-hosted server logs', () => {
  it('creates SoftEther server, security and packet log groups mirroring the log directory', () => {
    // Prepare
    const stack = testStack();

    // Act
    const logs = new SoftEtherServerLogs(stack, 'Se', {
      serverName: 'vpn1',
      hubs: [{ name: 'DEFAULT' }, { name: 'SALES', packetLog: false }],
    });

    // Assess
    expect(logs.logGroups.map((g) => g.logGroupName)).toEqual([
      '/tunnelwatch/softether/vpn1/server_log',
      '/tunnelwatch/softether/vpn1/security_log/DEFAULT',
      '/tunnelwatch/softether/vpn1/packet_log/DEFAULT',
      '/tunnelwatch/softether/vpn1/security_log/SALES',
    ]);
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/tunnelwatch/softether/vpn1/packet_log/DEFAULT',
      LogGroupClass: 'STANDARD',
      RetentionInDays: 90,
    });
  });

  it('lets a hub administrator read only that hub’s security and packet logs', () => {
    // Prepare
    const stack = testStack();

    // Act
    new SoftEtherServerLogs(stack, 'Se', {
      serverName: 'vpn1',
      hubs: [{ name: 'DEFAULT' }, { name: 'SALES' }],
    });

    // Assess
    const template = Template.fromStack(stack);
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    const byDescription = new Map(
      policies.map((p) => [p.Properties.Description as string, p.Properties.PolicyDocument]),
    );
    expect(byDescription.get('tunnelwatch: read the logs of SoftEther hub SALES on vpn1')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadLogs',
          Effect: 'Allow',
          Action: ['logs:DescribeLogStreams', 'logs:FilterLogEvents', 'logs:GetLogEvents'],
          Resource: [
            { 'Fn::GetAtt': [expect.stringMatching(/^SeHubSALESPacketLog/), 'Arn'] },
            { 'Fn::GetAtt': [expect.stringMatching(/^SeHubSALESSecurityLog/), 'Arn'] },
          ],
        },
      ],
    });
    const server = byDescription.get('tunnelwatch: read every log of SoftEther server vpn1') as {
      Statement: { Resource: unknown[] }[];
    };
    expect(server.Statement[0]?.Resource).toHaveLength(5);
  });

  it('gives the CloudWatch agent write-only access to exactly the server log groups', () => {
    // Prepare
    const stack = testStack();
    const openvpn = new OpenVpnGatewayLogs(stack, 'Ovpn', { gatewayName: 'gw-tokyo' });
    const softether = new SoftEtherServerLogs(stack, 'Se', { serverName: 'vpn1', hubs: [] });

    // Act
    new CloudWatchAgentWritePolicy(stack, 'Agent', {
      logGroups: [openvpn.logGroup, softether.serverLog],
    });

    // Assess
    expect(openvpn.logGroupName).toBe('/tunnelwatch/openvpn/gw-tokyo');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Sid: 'WriteVpnServerLogs',
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
            Resource: [
              { 'Fn::GetAtt': [Match.stringLikeRegexp('^OvpnLogGroup'), 'Arn'] },
              { 'Fn::GetAtt': [Match.stringLikeRegexp('^SeServerLog'), 'Arn'] },
            ],
          },
        ],
      },
    });
  });

  it('refuses hub names that cannot be log group names and duplicate hubs', () => {
    expect(
      () =>
        new SoftEtherServerLogs(testStack(), 'Se', {
          serverName: 'vpn1',
          hubs: [{ name: 'A B' }, { name: 'x' }, { name: 'X' }],
        }),
    ).toThrow(
      /hubs\[0\]\.name cannot be part of a log group name: "A B"\n.*hubs\[2\]\.name "X" is listed twice/,
    );
  });
});
