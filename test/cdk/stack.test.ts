import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../cdk/config.ts';
import { TunnelwatchStack } from '../../cdk/stacks/tunnelwatch-stack.ts';
import {
  CFN_LINT,
  cfnLint,
  FIXTURE_ENTRY,
  sampleConfigJson,
  synthTunnelwatch,
  unbundledApp,
} from './helpers.ts';

function withKey() {
  return parseConfig(
    {
      ...sampleConfigJson(),
      kmsKeyArn: 'arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    },
    'sample+kms',
  );
}

describe('TunnelwatchStack (sample configuration)', () => {
  it('has no unacknowledged cdk-nag AwsSolutions finding', () => {
    // Prepare
    const { app } = synthTunnelwatch();

    // Act
    const report = new AwsSolutionsChecks().validateScope(app);

    // Assess
    expect(report.violations).toEqual([]);
  });

  it('has no unacknowledged cdk-nag finding with a customer managed key either', () => {
    // Prepare
    const { app } = synthTunnelwatch(withKey());

    // Act
    const report = new AwsSolutionsChecks().validateScope(app);

    // Assess
    expect(report.violations).toEqual([]);
  });

  it('synthesizes templates that pass cfn-lint (key created, key passed, service-managed)', () => {
    // Prepare
    const app = unbundledApp();
    const configs = {
      Created: parseConfig(sampleConfigJson(), 'sample'),
      Passed: withKey(),
      ServiceManaged: parseConfig(
        { ...sampleConfigJson(), encryption: 'service-managed' },
        'sample+service-managed',
      ),
    };
    const stacks = Object.entries(configs).map(
      ([name, config]) =>
        new TunnelwatchStack(app, `Tunnelwatch${name}`, { config, functionEntry: FIXTURE_ENTRY }),
    );
    const assembly = app.synth({ force: true });
    const templatePaths = stacks.map((stack) => join(assembly.directory, stack.templateFile));
    expect(existsSync(CFN_LINT)).toBe(true);

    // Act
    const { status, output } = cfnLint(templatePaths);

    // Assess
    expect(output).toBe('');
    expect(status).toBe(0);
  }, 120_000);

  it('creates the VPN log group, the delivery policy and subscriptions for every monitored group', () => {
    // Act
    const { template } = synthTunnelwatch();

    // Assess
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/vendedlogs/vpn/tunnels',
      RetentionInDays: 180,
    });
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    // VPN group, OpenVPN group, SoftEther server log, 2 security logs, SALES packet log (monitor)
    template.resourceCountIs('AWS::Logs::SubscriptionFilter', 6);
    template.resourceCountIs('AWS::Lambda::Permission', 6);
    // tunnel logging only for the connection with enableLogging, one resource per tunnel
    template.resourceCountIs('Custom::TunnelLogging', 2);
    // errors, throttles, dead letters + 6 delivery error alarms + 2 per VPN connection
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3 + 6 + 4);
  });

  it('tells the function which source each log group holds, with time zones', () => {
    // Act
    const { template } = synthTunnelwatch();

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          LOG_GROUP_SOURCES: JSON.stringify([
            { prefix: '/aws/vendedlogs/vpn/tunnels', source: 'aws-s2s' },
            {
              prefix: '/tunnelwatch/openvpn/remote-access-tokyo',
              source: 'openvpn',
              timeZone: 'Asia/Tokyo',
            },
            { prefix: '/tunnelwatch/softether/vpn1/', source: 'softether', timeZone: 'Asia/Tokyo' },
          ]),
          RULES_CONFIG: JSON.stringify(sampleConfigJson().rules),
        }),
      },
    });
  });

  it('outputs the policies operators attach and the topic to subscribe chat to', () => {
    // Act
    const { template } = synthTunnelwatch();

    // Assess
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(
      expect.arrayContaining([
        'AlertTopicArn',
        'DeadLetterQueueUrl',
        'RedrivePolicyArn',
        'AgentPolicyArn',
        'VpnLoggingOperatorPolicyArn',
        'HubReadPolicy0DEFAULT',
        'HubReadPolicy0SALES',
        'ServerReadPolicy0',
      ]),
    );
    template.hasOutput('ServerReadPolicy0', {
      Value: { Ref: Match.stringLikeRegexp('^SoftEther0ServerReadPolicy') },
    });
    template.hasOutput('RedrivePolicyArn', {
      Value: { Ref: Match.stringLikeRegexp('^AlertFunctionRedrivePolicy') },
    });
  });

  it('turns tunnel logging on only after the log group and the delivery policy exist', () => {
    // Act
    const { template } = synthTunnelwatch();

    // Assess
    const tunnels = Object.values(template.findResources('Custom::TunnelLogging'));
    for (const tunnel of tunnels) {
      expect(tunnel.DependsOn).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^VendedLogsDeliveryPolicy/),
          expect.stringMatching(/^VpnLogGroup0/),
        ]),
      );
    }
  });

  it('builds a stack for self-hosted servers only, without VPN resources', () => {
    // Prepare
    const config = parseConfig(
      {
        softetherServers: [
          { name: 'vpn1', timeZone: 'UTC', hubs: [{ name: 'HUB', packetLog: 'off' }] },
        ],
      },
      'softether-only',
    );

    // Act
    const { app, template } = synthTunnelwatch(config);

    // Assess
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 0);
    template.resourceCountIs('Custom::TunnelLogging', 0);
    template.resourceCountIs('AWS::Logs::SubscriptionFilter', 2);
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { Namespace: 'AWS/VPN' }, 0);
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });

  it('imports an existing VPN log group and subscribes it when it has room for one more filter', () => {
    // Prepare
    const json = sampleConfigJson();
    json.vpnLogGroups = [
      { name: '/aws/vendedlogs/vpn/tunnels', existing: true, otherSubscriptionFilters: 1 },
    ];

    // Act
    const { template } = synthTunnelwatch(parseConfig(json, 'existing'));

    // Assess
    template.resourcePropertiesCountIs(
      'AWS::Logs::LogGroup',
      { LogGroupName: '/aws/vendedlogs/vpn/tunnels' },
      0,
    );
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: '/aws/vendedlogs/vpn/tunnels',
    });
  });
});
