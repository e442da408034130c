import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../cdk/config.ts';
import { Tunnelwatch, tunnelwatchPropsFromConfig } from '../../cdk/constructs/tunnelwatch.ts';
import { FIXTURE_ENTRY, sampleConfigJson, synthTunnelwatch, testStack } from './helpers.ts';

const VPN = 'vpn-0a1b2c3d4e5f60718';
const VPN_GROUP = '/aws/vendedlogs/vpn/tunnels';

/** Resource types and how many of each a template has. */
function resourceCounts(template: Template): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of Object.values(template.toJSON().Resources ?? {})) {
    const type = (resource as { Type: string }).Type;
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

describe('Tunnelwatch construct', () => {
  it('creates in another app’s stack what TunnelwatchStack creates for the same configuration', () => {
    // Prepare
    const stack = testStack();
    const config = parseConfig(sampleConfigJson(), 'sample');

    // Act
    new Tunnelwatch(stack, 'Tunnelwatch', {
      ...tunnelwatchPropsFromConfig(config),
      functionEntry: FIXTURE_ENTRY,
    });

    // Assess
    const expected = resourceCounts(synthTunnelwatch(config).template);
    expect(resourceCounts(Template.fromStack(stack))).toEqual(expected);
    expect(expected['AWS::Lambda::Function']).toBeGreaterThan(0);
  });

  it('applies the documented defaults to a minimal VPN setup', () => {
    // Prepare
    const stack = testStack();

    // Act
    new Tunnelwatch(stack, 'Tunnelwatch', {
      vpnLogGroups: [{ name: VPN_GROUP }],
      vpnConnections: [{ id: VPN, tunnelOutsideIps: ['203.0.113.10'], logGroup: VPN_GROUP }],
      functionEntry: FIXTURE_ENTRY,
    });

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: VPN_GROUP,
      RetentionInDays: 90,
    });
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 512, Timeout: 60 });
    // enableLogging defaults to false: no custom resource switches logging
    template.resourceCountIs('Custom::TunnelLogging', 0);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    expect(Object.keys(template.findOutputs('*')).length).toBeGreaterThan(0);
  });

  it('passes the function, retention, key and output options through', () => {
    // Prepare
    const stack = testStack();
    const key = new Key(stack, 'Key', { enableKeyRotation: true });

    // Act
    new Tunnelwatch(stack, 'Tunnelwatch', {
      openvpnGateways: [{ name: 'gw', timeZone: 'Asia/Tokyo' }],
      logRetention: RetentionDays.ONE_YEAR,
      functionLogRetention: RetentionDays.TWO_WEEKS,
      functionMemorySize: 1024,
      functionTimeout: Duration.seconds(30),
      encryptionKey: key,
      createOutputs: false,
      functionEntry: FIXTURE_ENTRY,
    });

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/tunnelwatch/openvpn/gw',
      RetentionInDays: 365,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 1024, Timeout: 30 });
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as never), 'Arn'] },
    });
    expect(template.findOutputs('*')).toEqual({});
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  it('exposes the resources it creates as escape hatches', () => {
    // Prepare
    const stack = testStack();

    // Act
    const tw = new Tunnelwatch(stack, 'Tunnelwatch', {
      softetherServers: [{ name: 'vpn1', timeZone: 'UTC', hubs: [{ name: 'HUB' }] }],
      functionEntry: FIXTURE_ENTRY,
    });
    tw.function.addEnvironment('EXTRA', 'yes');

    // Assess
    const template = Template.fromStack(stack);
    const ref = (x: { node: { defaultChild?: unknown } }) =>
      stack.getLogicalId(x.node.defaultChild as never);
    expect(Object.keys(template.findResources('AWS::SNS::Topic'))).toEqual([ref(tw.topic)]);
    expect(Object.keys(template.findResources('AWS::DynamoDB::Table'))).toEqual([ref(tw.table)]);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Dashboard'))).toEqual([
      ref(tw.dashboard),
    ]);
    expect(Object.keys(template.findResources('AWS::KMS::Key'))).toEqual([
      ref(tw.encryptionKey as never),
    ]);
    expect(Object.keys(template.findResources('AWS::S3::Bucket'))).toEqual([
      ref(tw.archive?.bucket as never),
    ]);
    expect(tw.parts.archive).toBe(tw.archive);
    expect(Object.keys(template.findResources('AWS::SQS::Queue')).sort()).toEqual(
      [ref(tw.deadLetterQueue), ref(tw.redriveArchiveQueue)].sort(),
    );
    expect(
      template.toJSON().Resources[ref(tw.function)].Properties.Environment.Variables.EXTRA,
    ).toBe('yes');
    // server log, security log and packet log (store: not monitored)
    expect(tw.logGroups.map((g) => [g.logGroupName, g.source, g.monitored])).toEqual([
      ['/tunnelwatch/softether/vpn1/server_log', 'softether', true],
      ['/tunnelwatch/softether/vpn1/security_log/HUB', 'softether', true],
      ['/tunnelwatch/softether/vpn1/packet_log/HUB', 'softether', false],
    ]);
    expect(tw.subscriptionFilters).toHaveLength(2);
    expect(tw.alarms.length).toBeGreaterThan(0);
  });

  it('reports every invalid prop at once, with the construct path and the field', () => {
    // Prepare
    const stack = testStack();

    // Act
    const build = () =>
      new Tunnelwatch(stack, 'Tunnelwatch', {
        vpnLogGroups: [{ name: '/vpn/tunnels' }],
        vpnConnections: [{ id: 'vpn-x', tunnelOutsideIps: ['203.0.113.10'], logGroup: VPN_GROUP }],
        logRetention: RetentionDays.INFINITE,
      });

    // Assess
    expect(build).toThrow(
      /^Test\/Tunnelwatch: invalid props:\n {2}- logRetentionDays: .*\n {2}- vpnLogGroups\[0\]\.name: VPN log group names must start with \/aws\/vendedlogs\/.*\n {2}- vpnConnections\[0\]\.id: expected a VPN connection id/,
    );
  });

  it('refuses props with nothing to watch', () => {
    // Act + Assess
    expect(() => new Tunnelwatch(testStack(), 'Tunnelwatch', {})).toThrow(/nothing to watch/);
  });
});
