import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { CfnVPNConnection } from 'aws-cdk-lib/aws-ec2';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { AlertStateTable } from '../../cdk/constructs/alert-state-table.ts';
import { AlertTopic } from '../../cdk/constructs/alert-topic.ts';
import { TunnelAlertFunction } from '../../cdk/constructs/tunnel-alert-function.ts';
import {
  TunnelLogging,
  tunnelChainOrder,
  tunnelLogOptions,
} from '../../cdk/constructs/tunnel-logging.ts';
import {
  minimalPrefixes,
  RESOURCE_POLICY_MAX_CHARACTERS,
  VendedLogsDeliveryPolicy,
} from '../../cdk/constructs/vended-logs-delivery-policy.ts';
import { VpnLoggingOperatorPolicy } from '../../cdk/constructs/vpn-logging-operator-policy.ts';
import { VpnTunnelLogGroup } from '../../cdk/constructs/vpn-tunnel-log-group.ts';
import { FIXTURE_ENTRY, testStack } from './helpers.ts';

const VPN_A = 'vpn-0a1b2c3d4e5f60718';
const VPN_B = 'vpn-0f1e2d3c4b5a69788';

describe('VpnTunnelLogGroup', () => {
  it('creates a Standard-class group with retention, KMS and Retain', () => {
    // Prepare
    const stack = testStack();
    const key = new Key(stack, 'Key');

    // Act
    new VpnTunnelLogGroup(stack, 'Logs', {
      logGroupName: '/aws/vendedlogs/vpn/a',
      encryptionKey: key,
    });

    // Assess
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: '/aws/vendedlogs/vpn/a',
        RetentionInDays: 90,
        LogGroupClass: 'STANDARD',
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('refuses a name outside /aws/vendedlogs/', () => {
    // Prepare
    const stack = testStack();

    // Act + Assess
    expect(() => new VpnTunnelLogGroup(stack, 'Logs', { logGroupName: '/vpn/tunnels' })).toThrow(
      'Test/Logs: invalid props:\n  - logGroupName must start with /aws/vendedlogs/',
    );
  });

  it('gives the ARN without the :* suffix', () => {
    // Prepare
    const stack = testStack({ account: '111122223333', region: 'ap-northeast-1' });

    // Act
    const group = new VpnTunnelLogGroup(stack, 'Logs', { logGroupName: '/aws/vendedlogs/vpn/a' });

    // Assess
    expect(stack.resolve(group.logGroupArnWithoutSuffix)).toBe(
      'arn:aws:logs:ap-northeast-1:111122223333:log-group:/aws/vendedlogs/vpn/a',
    );
  });
});

describe('VendedLogsDeliveryPolicy', () => {
  it('writes one statement for delivery.logs.amazonaws.com covering the groups by prefix', () => {
    // Prepare
    const stack = testStack({ account: '111122223333', region: 'ap-northeast-1' });

    // Act
    new VendedLogsDeliveryPolicy(stack, 'Policy', {
      logGroupNamePrefixes: [
        '/aws/vendedlogs/vpn/',
        '/aws/vendedlogs/vpn/prod/',
        '/aws/vendedlogs/dr/',
      ],
    });

    // Assess
    const resources = Template.fromStack(stack).findResources('AWS::Logs::ResourcePolicy');
    const [policy] = Object.values(resources);
    const document = JSON.parse(stack.resolve(policy?.Properties.PolicyDocument));
    expect(policy?.Properties.PolicyName).toBe('tunnelwatch-vpn-log-delivery');
    expect(document).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AWSLogDeliveryWriteTunnelwatch',
          Effect: 'Allow',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: [
            'arn:aws:logs:ap-northeast-1:111122223333:log-group:/aws/vendedlogs/dr/*:log-stream:*',
            'arn:aws:logs:ap-northeast-1:111122223333:log-group:/aws/vendedlogs/vpn/*:log-stream:*',
          ],
          Condition: {
            StringEquals: { 'aws:SourceAccount': '111122223333' },
            ArnLike: { 'aws:SourceArn': 'arn:aws:logs:ap-northeast-1:111122223333:*' },
          },
        },
      ],
    });
  });

  it('measures the document with worst-case partition, region and account when env-agnostic', () => {
    // Prepare
    const stack = testStack();

    // Act
    const policy = new VendedLogsDeliveryPolicy(stack, 'Policy', {
      logGroupNamePrefixes: ['/aws/vendedlogs/vpn/'],
    });

    // Assess
    const deployedWorstCase = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AWSLogDeliveryWriteTunnelwatch',
          Effect: 'Allow',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: [
            'arn:aws-us-gov:logs:us-isof-south-1:123456789012:log-group:/aws/vendedlogs/vpn/*:log-stream:*',
          ],
          Condition: {
            StringEquals: { 'aws:SourceAccount': '123456789012' },
            ArnLike: { 'aws:SourceArn': 'arn:aws-us-gov:logs:us-isof-south-1:123456789012:*' },
          },
        },
      ],
    }).length;
    expect(policy.measuredSize).toBe(deployedWorstCase);
  });

  it('fails synth with the measured size when the document would exceed 5,120 characters', () => {
    // Prepare
    const stack = testStack();
    const prefixes = Array.from(
      { length: 60 },
      (_, i) => `/aws/vendedlogs/vpn/site-${String(i).padStart(3, '0')}/`,
    );

    // Act
    let error: unknown;
    try {
      new VendedLogsDeliveryPolicy(stack, 'Policy', { logGroupNamePrefixes: prefixes });
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    const measured = Number(/measures (\d+) characters/.exec(message)?.[1]);
    expect(measured).toBeGreaterThan(RESOURCE_POLICY_MAX_CHARACTERS);
    expect(message).toContain(
      `over CloudWatch Logs' limit of ${RESOURCE_POLICY_MAX_CHARACTERS}: 60 prefixes`,
    );
  });

  it('refuses prefixes outside /aws/vendedlogs/ and an empty list, naming each', () => {
    expect(
      () =>
        new VendedLogsDeliveryPolicy(testStack(), 'Policy', {
          logGroupNamePrefixes: ['/vpn/', '/aws/vendedlogs/ok/', '/other/'],
        }),
    ).toThrow(
      /logGroupNamePrefixes\[0\] must start with \/aws\/vendedlogs\/.*\n.*logGroupNamePrefixes\[2\]/,
    );
    expect(
      () => new VendedLogsDeliveryPolicy(testStack(), 'Policy', { logGroupNamePrefixes: [] }),
    ).toThrow('logGroupNamePrefixes must name at least one prefix');
  });

  it('keeps only prefixes not covered by a shorter one', () => {
    expect(
      minimalPrefixes([
        '/aws/vendedlogs/b/',
        '/aws/vendedlogs/a/x/',
        '/aws/vendedlogs/a/',
        '/aws/vendedlogs/b/',
      ]),
    ).toEqual(['/aws/vendedlogs/a/', '/aws/vendedlogs/b/']);
  });
});

describe('VpnLoggingOperatorPolicy', () => {
  it('grants exactly the documented logs actions and the EC2 calls on the named connections', () => {
    // Prepare
    const stack = testStack({ account: '111122223333', region: 'ap-northeast-1' });

    // Act
    new VpnLoggingOperatorPolicy(stack, 'Operator', { vpnConnectionIds: [VPN_A] });

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Sid: 'S2SVPNLogging',
            Effect: 'Allow',
            Action: [
              'logs:CreateLogDelivery',
              'logs:DeleteLogDelivery',
              'logs:GetLogDelivery',
              'logs:ListLogDeliveries',
              'logs:UpdateLogDelivery',
            ],
            Resource: '*',
          },
          {
            Sid: 'S2SVPNLoggingCWL',
            Effect: 'Allow',
            Action: [
              'logs:DescribeLogGroups',
              'logs:DescribeResourcePolicies',
              'logs:PutResourcePolicy',
            ],
            Resource: '*',
          },
          {
            Sid: 'ModifyTunnelOptions',
            Effect: 'Allow',
            Action: 'ec2:ModifyVpnTunnelOptions',
            Resource: `arn:aws:ec2:ap-northeast-1:111122223333:vpn-connection/${VPN_A}`,
          },
          {
            Sid: 'DescribeVpnConnections',
            Effect: 'Allow',
            Action: 'ec2:DescribeVpnConnections',
            Resource: '*',
          },
        ],
      },
    });
  });

  it('allows every VPN connection of the account and region when none is named', () => {
    // Prepare
    const stack = testStack({ account: '111122223333', region: 'ap-northeast-1' });

    // Act
    new VpnLoggingOperatorPolicy(stack, 'Operator');

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ModifyTunnelOptions',
            Resource: 'arn:aws:ec2:ap-northeast-1:111122223333:vpn-connection/*',
          }),
        ]),
      },
    });
  });

  it('refuses ids that are not VPN connection ids', () => {
    expect(
      () =>
        new VpnLoggingOperatorPolicy(testStack(), 'Operator', { vpnConnectionIds: ['cgw-123'] }),
    ).toThrow('vpnConnectionIds[0] must be a vpn-… id, got "cgw-123"');
  });
});

describe('TunnelLogging', () => {
  const arn = 'arn:aws:logs:ap-northeast-1:111122223333:log-group:/aws/vendedlogs/vpn/a';

  it('orders tunnels so each connection changes one tunnel at a time, whatever the input order', () => {
    // Prepare
    const tunnels = [
      { vpnConnectionId: VPN_B, tunnelOutsideIp: '198.51.100.20', logGroupArn: arn },
      { vpnConnectionId: VPN_A, tunnelOutsideIp: '203.0.113.20', logGroupArn: arn },
      { vpnConnectionId: VPN_A, tunnelOutsideIp: '203.0.113.10', logGroupArn: arn },
      { vpnConnectionId: VPN_B, tunnelOutsideIp: '198.51.100.10', logGroupArn: arn },
    ];

    // Act
    const order = tunnelChainOrder(tunnels).map((t) => `${t.vpnConnectionId}:${t.tunnelOutsideIp}`);
    const reversed = tunnelChainOrder([...tunnels].reverse()).map(
      (t) => `${t.vpnConnectionId}:${t.tunnelOutsideIp}`,
    );

    // Assess
    expect(order).toEqual([
      `${VPN_A}:203.0.113.10`,
      `${VPN_B}:198.51.100.10`,
      `${VPN_A}:203.0.113.20`,
      `${VPN_B}:198.51.100.20`,
    ]);
    expect(reversed).toEqual(order);
  });

  it('chains the custom resources so CloudFormation changes one tunnel, waits, then the next', () => {
    // Prepare
    const stack = testStack({ account: '111122223333', region: 'ap-northeast-1' });

    // Act
    new TunnelLogging(stack, 'Logging', {
      tunnels: [
        {
          vpnConnectionId: VPN_A,
          tunnelOutsideIp: '203.0.113.20',
          logGroupArn: arn,
          logOutputFormat: 'text',
        },
        {
          vpnConnectionId: VPN_A,
          tunnelOutsideIp: '203.0.113.10',
          logGroupArn: arn,
          logOutputFormat: 'text',
        },
      ],
    });

    // Assess
    const template = Template.fromStack(stack);
    const entries = Object.entries(template.findResources('Custom::TunnelLogging')).map(
      ([id, resource]) => ({
        id,
        properties: resource.Properties as Record<string, unknown>,
        dependsOn: (resource.DependsOn ?? []) as string[],
      }),
    );
    expect(entries).toHaveLength(2);
    const first = entries.find((e) => e.properties.TunnelOutsideIp === '203.0.113.10');
    const second = entries.find((e) => e.properties.TunnelOutsideIp === '203.0.113.20');
    expect(first?.dependsOn.some((d) => d.startsWith('LoggingTunnel'))).toBe(false);
    expect(second?.dependsOn).toContain(first?.id);
    expect(second?.properties).toMatchObject({
      VpnConnectionId: VPN_A,
      TunnelOutsideIp: '203.0.113.20',
      LogGroupArn: arn,
      LogOutputFormat: 'text',
    });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      DefinitionString: Match.anyValue(),
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.isComplete',
      Runtime: 'nodejs24.x',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.onEvent',
      Runtime: 'nodejs24.x',
    });
  });

  it('runs the provider with a role holding the operator policy, no AWS managed policy', () => {
    // Prepare
    const stack = testStack({ account: '111122223333', region: 'ap-northeast-1' });

    // Act
    new TunnelLogging(stack, 'Logging', {
      tunnels: [{ vpnConnectionId: VPN_A, tunnelOutsideIp: '203.0.113.10', logGroupArn: arn }],
    });

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ Ref: Match.stringLikeRegexp('^LoggingOperatorPolicy') }],
    });
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    const managed = roles.flatMap((role) => (role.Properties.ManagedPolicyArns ?? []) as unknown[]);
    expect(JSON.stringify(managed)).not.toContain('iam::aws:policy');
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'ec2:ModifyVpnTunnelOptions',
            Resource: `arn:aws:ec2:ap-northeast-1:111122223333:vpn-connection/${VPN_A}`,
          }),
        ]),
      },
    });
  });

  it('lets no role of the provider write log events anywhere but its own log group', () => {
    // Prepare
    const stack = testStack({ account: '111122223333', region: 'ap-northeast-1' });

    // Act
    new TunnelLogging(stack, 'Logging', {
      tunnels: [{ vpnConnectionId: VPN_A, tunnelOutsideIp: '203.0.113.10', logGroupArn: arn }],
    });

    // Assess
    const template = Template.fromStack(stack);
    const [providerLogs] = Object.keys(template.findResources('AWS::Logs::LogGroup'));
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as {
          Action: string | string[];
          Resource: unknown;
        }[],
    );
    const writes = statements.filter((s) =>
      [s.Action].flat().some((a) => a === 'logs:PutLogEvents' || a === 'logs:CreateLogStream'),
    );
    expect(writes.length).toBeGreaterThan(0);
    for (const write of writes) {
      expect(write.Resource).toEqual({ 'Fn::GetAtt': [providerLogs, 'Arn'] });
    }
    // The waiter's log delivery actions (resource-less by AWS's design) stay.
    const delivery = statements.find((s) => [s.Action].flat().includes('logs:CreateLogDelivery'));
    expect(delivery?.Resource).toBe('*');
    expect([delivery?.Action].flat()).toEqual(
      expect.arrayContaining(['logs:PutResourcePolicy', 'logs:DescribeLogGroups']),
    );
  });

  it('refuses bad ids, IPs, suffixed ARNs and duplicates, listing each', () => {
    // Prepare
    const tunnels = [
      { vpnConnectionId: 'vpn-nothex', tunnelOutsideIp: '203.0.113', logGroupArn: `${arn}:*` },
      { vpnConnectionId: VPN_A, tunnelOutsideIp: '203.0.113.10', logGroupArn: arn },
      { vpnConnectionId: VPN_A, tunnelOutsideIp: '203.0.113.10', logGroupArn: arn },
    ];

    // Act + Assess
    expect(() => new TunnelLogging(testStack(), 'Logging', { tunnels })).toThrow(
      [
        'Test/Logging: invalid props:',
        '  - tunnels[0].vpnConnectionId must be a vpn-… id, got "vpn-nothex"',
        '  - tunnels[0].tunnelOutsideIp must be an IPv4 address, got "203.0.113"',
        `  - tunnels[0].logGroupArn must not end with ":*", got "${arn}:*"`,
        `  - tunnels[2]: tunnel ${VPN_A}:203.0.113.10 is listed more than once`,
      ].join('\n'),
    );
  });

  it('gives LogOptions for VPN connections the stack creates', () => {
    // Prepare
    const stack = testStack();

    // Act
    new CfnVPNConnection(stack, 'Vpn', {
      customerGatewayId: 'cgw-0123456789abcdef0',
      type: 'ipsec.1',
      vpnGatewayId: 'vgw-0123456789abcdef0',
      vpnTunnelOptionsSpecifications: [
        { logOptions: tunnelLogOptions(arn) },
        { logOptions: tunnelLogOptions(arn, 'text') },
      ],
    });

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::VPNConnection', {
      VpnTunnelOptionsSpecifications: [
        {
          LogOptions: {
            CloudwatchLogOptions: { LogEnabled: true, LogGroupArn: arn, LogOutputFormat: 'json' },
          },
        },
        {
          LogOptions: {
            CloudwatchLogOptions: { LogEnabled: true, LogGroupArn: arn, LogOutputFormat: 'text' },
          },
        },
      ],
    });
  });
});

describe('AlertTopic', () => {
  it('enforces TLS, subscribes emails and HTTPS endpoints', () => {
    // Prepare
    const stack = testStack();

    // Act
    new AlertTopic(stack, 'Topic', {
      emails: ['oncall@example.com'],
      httpsEndpoints: ['https://events.example.com/integration/abc'],
    });

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'https',
      Endpoint: 'https://events.example.com/integration/abc',
    });
  });

  it('lets CloudWatch alarms use the KMS key it is encrypted with', () => {
    // Prepare
    const stack = testStack();
    const key = new Key(stack, 'Key');

    // Act
    new AlertTopic(stack, 'Topic', { masterKey: key });

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
          },
        ]),
      },
    });
  });

  it('refuses bad emails and non-HTTPS endpoints', () => {
    expect(
      () =>
        new AlertTopic(testStack(), 'Topic', {
          emails: ['nobody'],
          httpsEndpoints: ['http://x.example'],
        }),
    ).toThrow(
      /emails\[0\] must be an email address.*\n.*httpsEndpoints\[0\] must be an https:\/\/ URL/,
    );
  });
});

describe('AlertStateTable', () => {
  it('is on demand, keyed by pk, with TTL on expiresAt and point-in-time recovery', () => {
    // Prepare
    const stack = testStack();

    // Act
    new AlertStateTable(stack, 'State');

    // Assess
    Template.fromStack(stack).hasResource('AWS::DynamoDB::Table', {
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      DeletionPolicy: 'Retain',
    });
  });
});

describe('TunnelAlertFunction', () => {
  function build(
    stack: Stack,
    extra: Partial<ConstructorParameters<typeof TunnelAlertFunction>[2]> = {},
  ) {
    const table = new Table(stack, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
    });
    const topic = new Topic(stack, 'Topic');
    return new TunnelAlertFunction(stack, 'Fn', {
      stateTable: table,
      alertTopic: topic,
      logGroupSources: [
        { prefix: '/aws/vendedlogs/vpn/', source: 'aws-s2s' },
        { prefix: '/tunnelwatch/openvpn/gw', source: 'openvpn', timeZone: 'Asia/Tokyo' },
      ],
      rulesConfig: { rules: { 'auth.bruteforce': { enabled: true, threshold: 3 } } },
      entry: FIXTURE_ENTRY,
      ...extra,
    });
  }

  it('runs nodejs24.x on arm64 with the contract environment', () => {
    // Prepare
    const stack = testStack();

    // Act
    build(stack);

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 60,
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^FnLogGroup') } },
      Environment: {
        Variables: {
          STATE_TABLE_NAME: { Ref: Match.stringLikeRegexp('^Table') },
          ALERT_TOPIC_ARN: { Ref: Match.stringLikeRegexp('^Topic') },
          DEAD_LETTER_QUEUE_URL: { Ref: Match.stringLikeRegexp('^FnDeadLetterQueue') },
          LOG_GROUP_SOURCES:
            '[{"prefix":"/aws/vendedlogs/vpn/","source":"aws-s2s"},{"prefix":"/tunnelwatch/openvpn/gw","source":"openvpn","timeZone":"Asia/Tokyo"}]',
          RULES_CONFIG: '{"rules":{"auth.bruteforce":{"enabled":true,"threshold":3}}}',
          POWERTOOLS_SERVICE_NAME: 'tunnelwatch',
          POWERTOOLS_METRICS_NAMESPACE: 'Tunnelwatch',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  it('has its own log group with retention and a role with only what the handler uses', () => {
    // Prepare
    const stack = testStack();

    // Act
    build(stack);

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    const roles = template.findResources('AWS::IAM::Role');
    for (const role of Object.values(roles))
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Sid: 'OwnLogs',
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnLogGroup'), 'Arn'] },
          },
          {
            Sid: 'StateTable',
            Effect: 'Allow',
            Action: ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Table'), 'Arn'] },
          },
          {
            Sid: 'PublishAlerts',
            Effect: 'Allow',
            Action: 'sns:Publish',
            Resource: { Ref: Match.stringLikeRegexp('^Topic') },
          },
          {
            Effect: 'Allow',
            Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnDeadLetterQueue'), 'Arn'] },
          },
        ],
      },
    });
  });

  it('gives redrive operators exactly the dead-letter queue, state table and publish permissions', () => {
    // Prepare
    const stack = testStack();

    // Act
    build(stack);

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Sid: 'DeadLetters',
            Effect: 'Allow',
            Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:ReceiveMessage'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnDeadLetterQueue'), 'Arn'] },
          },
          {
            Sid: 'StateTable',
            Effect: 'Allow',
            Action: ['dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Table'), 'Arn'] },
          },
          {
            Sid: 'PublishAlerts',
            Effect: 'Allow',
            Action: 'sns:Publish',
            Resource: { Ref: Match.stringLikeRegexp('^Topic') },
          },
        ],
      },
    });
  });

  it('sends failed async events to an encrypted dead-letter queue that redrives to an archive', () => {
    // Prepare
    const stack = testStack();

    // Act
    build(stack);

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnDeadLetterQueue'), 'Arn'] },
        },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnRedriveArchive'), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ],
      },
    });
  });

  it('grants the KMS key to the role and encrypts the queues with it', () => {
    // Prepare
    const stack = testStack();
    const key = new Key(stack, 'Key');

    // Act
    build(stack, { encryptionKey: key });

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'EncryptionKey',
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
          },
        ]),
      },
    });
  });

  it('refuses bad retry settings and an environment over 4 KB, listing both', () => {
    // Prepare
    const stack = testStack();
    const rulesConfig = { padding: 'x'.repeat(5000) };

    // Act + Assess
    expect(() => build(stack, { retryAttempts: 3, rulesConfig })).toThrow(
      /retryAttempts must be 0, 1 or 2, got 3\n {2}- the function environment measures \d+ bytes/,
    );
  });
});

describe('imported log groups', () => {
  it('keep their name for subscriptions', () => {
    const stack = testStack();
    const group = LogGroup.fromLogGroupName(stack, 'G', '/aws/vendedlogs/vpn/old');
    expect(group.logGroupName).toBe('/aws/vendedlogs/vpn/old');
  });
});
