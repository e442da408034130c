import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../cdk/config.ts';
import { CLOUDWATCH_LOGS_KEY_SID } from '../../cdk/constructs/encryption-key.ts';
import { Tunnelwatch } from '../../cdk/constructs/tunnelwatch.ts';
import { SourceAccountStack } from '../../cdk/stacks/source-account-stack.ts';
import {
  FIXTURE_ENTRY,
  sampleConfigJson,
  synthTunnelwatch,
  testStack,
  twoTunnelwatches,
  unbundledApp,
} from './helpers.ts';

const KEY_ARN = 'arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** `{ Fn::GetAtt: [the only KMS key, Arn] }` of a template. */
function keyArnOf(template: Template): unknown {
  const keys = Object.keys(template.findResources('AWS::KMS::Key'));
  expect(keys).toHaveLength(1);
  return { 'Fn::GetAtt': [keys[0], 'Arn'] };
}

function config(overrides: Record<string, unknown>) {
  return parseConfig({ ...sampleConfigJson(), ...overrides }, 'test');
}

describe('encryption by default (customer-managed)', () => {
  it('creates one rotating, retained key with an alias named after the stack', () => {
    // Act
    const { template, stack } = synthTunnelwatch();

    // Assess
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/tunnelwatch/Tunnelwatch',
      TargetKeyId: keyArnOf(template),
    });
    const tw = stack.tunnelwatch;
    expect(tw.encryptionKey).toBe(tw.parts.key?.key);
  });

  it('encrypts every log group, the topic, the table, the queues and the archive with it', () => {
    // Act
    const { template } = synthTunnelwatch();

    // Assess
    const key = keyArnOf(template);
    const logGroups = Object.values(resourcesOf(template, 'AWS::Logs::LogGroup'));
    // VPN group, tunnel-logging provider, OpenVPN, SoftEther (server, 2 × security, 2 × packet), function
    expect(logGroups).toHaveLength(9);
    for (const group of logGroups) expect(group.Properties?.KmsKeyId).toEqual(key);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: key });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: key },
    });
    const queues = Object.values(resourcesOf(template, 'AWS::SQS::Queue'));
    expect(queues).toHaveLength(2);
    for (const queue of queues) expect(queue.Properties?.KmsMasterKeyId).toEqual(key);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key },
          },
        ],
      },
    });
  });

  it('lets CloudWatch Logs use the key only for this account’s log groups, and CloudWatch alarms publish', () => {
    // Act
    const { template } = synthTunnelwatch();

    // Assess
    const [key] = Object.values(resourcesOf(template, 'AWS::KMS::Key'));
    const policy = key?.Properties?.KeyPolicy as { Statement: Record<string, unknown>[] };
    const statements = policy.Statement;
    const logs = statements.find((s) => s.Sid === CLOUDWATCH_LOGS_KEY_SID);
    expect(logs).toEqual({
      Sid: CLOUDWATCH_LOGS_KEY_SID,
      Effect: 'Allow',
      Principal: {
        Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
      },
      Action: [
        'kms:Decrypt*',
        'kms:Describe*',
        'kms:Encrypt*',
        'kms:GenerateDataKey*',
        'kms:ReEncrypt*',
      ],
      Resource: '*',
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':logs:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':log-group:*',
              ],
            ],
          },
        },
      },
    });
    expect(statements).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
  });

  it('grants the function role the key, scoped to that key', () => {
    // Act
    const { template } = synthTunnelwatch();

    // Assess
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^AlertFunctionRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'EncryptionKey',
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
            Resource: keyArnOf(template),
          },
        ]),
      },
    });
  });

  it('encrypts the Kinesis stream with it and lets CloudWatch Logs’ role generate data keys', () => {
    // Act
    const { template } = synthTunnelwatch(config({ ingestion: { mode: 'kinesis' } }));

    // Assess
    const key = keyArnOf(template);
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamEncryption: { EncryptionType: 'KMS', KeyId: key },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^KinesisLogsRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Sid: 'StreamKey', Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: key },
        ]),
      },
    });
  });

  it('has no unacknowledged cdk-nag finding, in direct and kinesis mode', () => {
    for (const cfg of [undefined, config({ ingestion: { mode: 'kinesis' } })]) {
      // Prepare
      const { app } = synthTunnelwatch(cfg);

      // Act
      const report = new AwsSolutionsChecks().validateScope(app);

      // Assess
      expect(report.violations).toEqual([]);
    }
  });

  it('gives two constructs in one stack keys with aliases of their own', () => {
    // Act
    const template = twoTunnelwatches();

    // Assess
    const aliases = Object.values(resourcesOf(template, 'AWS::KMS::Alias')).map(
      (a) => a.Properties?.AliasName,
    );
    expect(aliases.sort()).toEqual(['alias/tunnelwatch/Test', 'alias/tunnelwatch/Test-Second']);
  });
});

describe('a key passed in', () => {
  it('is used everywhere (kmsKeyArn) and no key is created', () => {
    // Act
    const { template, stack } = synthTunnelwatch(config({ kmsKeyArn: KEY_ARN }));

    // Assess
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::KMS::Alias', 0);
    for (const group of Object.values(resourcesOf(template, 'AWS::Logs::LogGroup'))) {
      expect(group.Properties?.KmsKeyId).toBe(KEY_ARN);
    }
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: KEY_ARN });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: Match.objectLike({ KMSMasterKeyId: KEY_ARN }),
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN },
          }),
        ],
      },
    });
    expect(stack.tunnelwatch.encryptionKey?.keyArn).toBe(KEY_ARN);
    expect(stack.tunnelwatch.parts.key).toBeUndefined();
  });

  it('is used by the construct (encryptionKey prop) and no key is created', () => {
    // Prepare
    const stack = testStack();
    const key = new Key(stack, 'MyKey', { enableKeyRotation: true });

    // Act
    const tw = new Tunnelwatch(stack, 'Tunnelwatch', {
      openvpnGateways: [{ name: 'gw', timeZone: 'UTC' }],
      encryptionKey: key,
      functionEntry: FIXTURE_ENTRY,
    });

    // Assess
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(tw.encryptionKey).toBe(key);
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/tunnelwatch/openvpn/gw',
      KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as never), 'Arn'] },
    });
  });
});

describe('explicit opt-out (service-managed)', () => {
  it('creates no key and keeps each service’s own encryption', () => {
    // Act
    const { template, app, stack } = synthTunnelwatch(
      config({ encryption: 'service-managed', ingestion: { mode: 'kinesis' } }),
    );

    // Assess
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(stack.tunnelwatch.encryptionKey).toBeUndefined();
    for (const group of Object.values(resourcesOf(template, 'AWS::Logs::LogGroup'))) {
      expect(group.Properties?.KmsKeyId).toBeUndefined();
    }
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.absent() });
    template.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: Match.absent() });
    for (const queue of Object.values(resourcesOf(template, 'AWS::SQS::Queue'))) {
      expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true });
      expect(queue.Properties?.KmsMasterKeyId).toBeUndefined();
    }
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/"kms:/);
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });

  it('refuses kmsKeyArn with service-managed, naming kmsKeyArn', () => {
    // Act
    const parse = () =>
      parseConfig(
        { ...sampleConfigJson(), encryption: 'service-managed', kmsKeyArn: KEY_ARN },
        'f',
      );

    // Assess
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(
      /\n {2}- kmsKeyArn: a key cannot be used with encryption "service-managed"/,
    );
  });

  it('refuses an encryptionKey prop with service-managed, naming encryptionKey', () => {
    // Prepare
    const stack = testStack();
    const key = new Key(stack, 'MyKey');

    // Act
    const build = () =>
      new Tunnelwatch(stack, 'Tunnelwatch', {
        openvpnGateways: [{ name: 'gw', timeZone: 'UTC' }],
        encryption: 'service-managed',
        encryptionKey: key,
        functionEntry: FIXTURE_ENTRY,
      });

    // Assess
    expect(build).toThrow(
      /^Test\/Tunnelwatch: invalid props:\n {2}- encryptionKey: a key cannot be used/,
    );
  });

  it('refuses an unknown encryption mode, listing the modes', () => {
    expect(() => config({ encryption: 'none' })).toThrow(
      /encryption: expected one of customer-managed, service-managed, got "none"/,
    );
  });
});

describe('source-account stack', () => {
  const multi = sampleConfigJson();
  const sourceConfig = (overrides: Record<string, unknown>) =>
    parseConfig(
      {
        vpnLogGroups: multi.vpnLogGroups,
        vpnConnections: multi.vpnConnections,
        env: { account: '111122223333', region: 'ap-northeast-1' },
        monitoring: { sourceAccounts: ['444455556666'] },
        ...overrides,
      },
      'source',
    );

  it('encrypts its VPN and provider log groups with a key of its own account', () => {
    // Act
    const stack = new SourceAccountStack(unbundledApp(), 'Source', {
      config: sourceConfig({ kmsKeyArn: KEY_ARN }),
    });

    // Assess
    const template = Template.fromStack(stack);
    const key = keyArnOf(template);
    const groups = Object.values(resourcesOf(template, 'AWS::Logs::LogGroup'));
    expect(groups.length).toBe(2);
    for (const group of groups) expect(group.Properties?.KmsKeyId).toEqual(key);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({ Sid: CLOUDWATCH_LOGS_KEY_SID })]),
      },
    });
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  it('creates no key with service-managed', () => {
    // Act
    const stack = new SourceAccountStack(unbundledApp(), 'Source', {
      config: sourceConfig({ encryption: 'service-managed' }),
    });

    // Assess
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 0);
    for (const group of Object.values(resourcesOf(template, 'AWS::Logs::LogGroup'))) {
      expect(group.Properties?.KmsKeyId).toBeUndefined();
    }
  });
});
