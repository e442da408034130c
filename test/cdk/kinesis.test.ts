/**
 * Ingestion mode `kinesis`, one account and many: the stream, the event
 * source mapping, the destinations and their access policies, the source
 * account's subscriptions, least-privilege roles, cdk-nag and cfn-lint, for
 * samples/multi-account.config.json and variants of the one-account sample.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../cdk/config.ts';
import { ConstructPropsError } from '../../cdk/constructs/validation.ts';
import { addMultiAccountStacks } from '../../cdk/stacks/multi-account.ts';
import { regionOfSubscription } from '../../src/aws/subscription-payload.ts';
import { subscriptionData } from '../helpers/subscription-payload.ts';
import {
  cfnLint,
  FIXTURE_ENTRY,
  sampleConfigJson,
  synthTunnelwatch,
  unbundledApp,
} from './helpers.ts';

const MULTI_ACCOUNT_CONFIG = new URL('../../samples/multi-account.config.json', import.meta.url);

function multiAccountJson(): Record<string, unknown> {
  return JSON.parse(readFileSync(MULTI_ACCOUNT_CONFIG, 'utf8')) as Record<string, unknown>;
}

function synthMultiAccount(json: Record<string, unknown> = multiAccountJson()) {
  const app = unbundledApp();
  const stacks = addMultiAccountStacks(app, parseConfig(json, 'multi-account'), {
    functionEntry: FIXTURE_ENTRY,
  });
  return { app, ...stacks };
}

const statementsOf = (template: Template, type: string) =>
  Object.values(template.findResources(type)).flatMap(
    (resource) =>
      (resource.Properties.PolicyDocument?.Statement ?? []) as {
        Action: string | string[];
        Resource: unknown;
      }[],
  );

describe('monitoring account (samples/multi-account.config.json)', () => {
  it('makes the home stack, one destination stack per further region and the source stack', () => {
    const { monitoring, regions, source } = synthMultiAccount();

    expect([monitoring, ...regions, source].map((stack) => stack.stackName)).toEqual([
      'TunnelwatchMonitoring',
      'TunnelwatchMonitoring-eu-west-1',
      'TunnelwatchMonitoring-ap-northeast-1',
      'TunnelwatchSource',
    ]);
    expect(regions.map((stack) => stack.dependencies)).toEqual([[monitoring], [monitoring]]);
  });

  it('encrypts the on-demand stream with the stack’s key and reads it with partial batch responses, bisection, a retry bound and the DLQ', () => {
    const template = Template.fromStack(synthMultiAccount().monitoring);

    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamEncryption: {
        EncryptionType: 'KMS',
        KeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EncryptionKey'), 'Arn'] },
      },
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      RetentionPeriodHours: 48,
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      ParallelizationFactor: 2,
      BatchSize: 100,
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] },
        },
      },
    });
    // The function reads the Kinesis handler's environment: only aws-s2s groups, by name.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          LOG_GROUP_SOURCES: JSON.stringify([
            { prefix: '/aws/vendedlogs/vpn/tunnels', source: 'aws-s2s' },
          ]),
        }),
      },
    });
    // Nothing is created for the VPNs themselves: they are the source accounts'.
    template.resourceCountIs('AWS::Logs::SubscriptionFilter', 0);
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 0);
  });

  it('gives each region a destination whose access policy names the source accounts and the organisation', () => {
    const { monitoring, regions } = synthMultiAccount();

    for (const stack of [monitoring, ...regions]) {
      const region = stack.region;
      const arn = `arn:aws:logs:${region}:111122223333:destination:tunnelwatch-${region}`;
      Template.fromStack(stack).hasResourceProperties('AWS::Logs::Destination', {
        DestinationName: `tunnelwatch-${region}`,
        TargetArn: 'arn:aws:kinesis:us-east-1:111122223333:stream/TunnelwatchMonitoring-vpn-logs',
        RoleArn: 'arn:aws:iam::111122223333:role/TunnelwatchMonitoring-logs-to-stream',
        DestinationPolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'SourceAccounts',
              Effect: 'Allow',
              Principal: { AWS: ['444455556666', '777788889999'] },
              Action: ['logs:PutSubscriptionFilter', 'logs:PutAccountPolicy'],
              Resource: arn,
            },
            {
              Sid: 'Organization',
              Effect: 'Allow',
              Principal: '*',
              Action: ['logs:PutSubscriptionFilter', 'logs:PutAccountPolicy'],
              Resource: arn,
              Condition: { StringEquals: { 'aws:PrincipalOrgID': ['o-a1b2c3d4e5'] } },
            },
          ],
        }),
      });
    }
  });

  it('lets CloudWatch Logs of the named accounts or organisation put records into the stream, and nothing more', () => {
    const template = Template.fromStack(synthMultiAccount().monitoring);

    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'TunnelwatchMonitoring-logs-to-stream',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'logs.amazonaws.com' },
            Condition: {
              StringLike: {
                'aws:SourceArn': [
                  'arn:aws:logs:*:111122223333:*',
                  'arn:aws:logs:*:444455556666:*',
                  'arn:aws:logs:*:777788889999:*',
                ],
              },
            },
          },
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'logs.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceOrgID': 'o-a1b2c3d4e5' } },
          },
        ],
      },
    });
    const statements = statementsOf(template, 'AWS::IAM::Policy');
    for (const statement of statements) {
      expect(JSON.stringify(statement.Resource)).not.toBe('"*"');
    }
    const kinesisActions = statements.flatMap((statement) =>
      [statement.Action].flat().filter((action) => action.startsWith('kinesis:')),
    );
    expect(kinesisActions).toEqual(
      expect.arrayContaining(['kinesis:PutRecords', 'kinesis:GetRecords']),
    );
    expect(kinesisActions).not.toContain('kinesis:*');
  });

  it('has no unacknowledged cdk-nag finding in any of its stacks', () => {
    const { app } = synthMultiAccount();

    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  }, 60_000);

  it('synthesizes templates that pass cfn-lint', () => {
    const { app, monitoring, regions, source } = synthMultiAccount();
    const assembly = app.synth({ force: true });
    const templates = [monitoring, ...regions, source].map((stack: Stack) =>
      join(assembly.directory, stack.templateFile),
    );

    const { status, output } = cfnLint(templates);

    expect(output).toBe('');
    expect(status).toBe(0);
  }, 180_000);
});

/** `tunnelwatch-<region>`, the region joined in at deploy time. */
const REGION_NAMED = { 'Fn::Join': ['', ['tunnelwatch-', { Ref: 'AWS::Region' }]] };

describe('source account stack', () => {
  it('names its filters so that the alert function reads the region from the payload', () => {
    const template = Template.fromStack(synthMultiAccount().source);
    const filters = Object.values(template.findResources('AWS::Logs::SubscriptionFilter'));
    expect(filters.length).toBeGreaterThan(0);
    for (const filter of filters) expect(filter.Properties.FilterName).toEqual(REGION_NAMED);
    // As deployed in eu-west-1, the name CloudWatch Logs sends with each payload:
    const deployed = (REGION_NAMED['Fn::Join'][1] as unknown[])
      .map((part) => (typeof part === 'string' ? part : 'eu-west-1'))
      .join('');
    const payload = { ...subscriptionData([]), subscriptionFilters: [deployed] };
    expect(regionOfSubscription(payload)).toBe('eu-west-1');
  });

  it('creates the VPN log groups and their delivery policy, and subscribes them to the region’s destination by log stream', () => {
    const template = Template.fromStack(synthMultiAccount().source);

    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/vendedlogs/vpn/tunnels',
    });
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Description: 'tunnelwatch: enable and disable Site-to-Site VPN tunnel logging',
    });
    const destination = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':logs:',
          { Ref: 'AWS::Region' },
          ':111122223333:destination:tunnelwatch-',
          { Ref: 'AWS::Region' },
        ],
      ],
    };
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: '/aws/vendedlogs/vpn/tunnels',
      FilterName: REGION_NAMED,
      FilterPattern: '',
      Distribution: 'ByLogStream',
      DestinationArn: destination,
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeliveryRole'), 'Arn'] },
    });
    // Its delivery role may put log events to that destination only.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'logs:PutLogEvents',
            Effect: 'Allow',
            Resource: destination,
            Sid: 'SendToDestination',
          },
        ],
      },
    });
    // No alerting in a source account.
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
  });

  it('uses the account-level subscription filter policy instead when asked, and no role without an organisation', () => {
    const json = multiAccountJson();
    const monitoring = json.monitoring as Record<string, unknown>;
    const { organizationId: _organization, ...accountsOnly } = monitoring;
    const template = Template.fromStack(
      synthMultiAccount({
        ...json,
        monitoring: { ...accountsOnly, subscription: 'account-policy' },
      }).source,
    );

    template.resourceCountIs('AWS::Logs::SubscriptionFilter', 0);
    template.resourceCountIs('AWS::IAM::Role', 0);
    template.hasResourceProperties('AWS::Logs::AccountPolicy', {
      PolicyName: REGION_NAMED,
      PolicyType: 'SUBSCRIPTION_FILTER_POLICY',
      Scope: 'ALL',
    });
    // The document is joined from the region at deploy time.
    const [policy] = Object.values(template.findResources('AWS::Logs::AccountPolicy'));
    const document = JSON.stringify(policy?.Properties.PolicyDocument);
    expect(document).toContain(':111122223333:destination:tunnelwatch-');
    expect(document).toContain('\\"FilterPattern\\":\\"\\"');
    expect(document).toContain('\\"Distribution\\":\\"ByLogStream\\"');
    expect(document).not.toContain('RoleArn');
  });
});

describe('configuration of ingestion and monitoring', () => {
  it('sends one account’s log groups through a provisioned stream when ingestion.mode is kinesis', () => {
    const { template } = synthTunnelwatch(
      parseConfig({ ...sampleConfigJson(), ingestion: { mode: 'kinesis', shards: 3 } }, 'kinesis'),
    );

    template.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 3,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
    });
    const filters = Object.values(template.findResources('AWS::Logs::SubscriptionFilter'));
    expect(filters.length).toBeGreaterThan(0);
    for (const filter of filters) {
      expect(filter.Properties.Distribution).toBe('ByLogStream');
      expect(filter.Properties.DestinationArn['Fn::GetAtt'][0]).toMatch(/KinesisStream/);
    }
    // The function is not invoked by CloudWatch Logs in this mode.
    template.resourceCountIs('AWS::Lambda::Permission', 0);
  });

  it('keeps direct subscriptions by default', () => {
    const { template } = synthTunnelwatch();

    template.resourceCountIs('AWS::Kinesis::Stream', 0);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
  });

  it('names every problem of a monitoring block at once', () => {
    const json = {
      ...sampleConfigJson(),
      ingestion: { mode: 'direct' },
      monitoring: { regions: ['eu-west-1', 'eu-west-1'], sourceAccounts: ['12345'] },
    };

    let error: unknown;
    try {
      parseConfig(json, 'bad.json');
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^monitoring\.sourceAccounts\[0\]: expected a 12-digit account id/),
        expect.stringMatching(/^ingestion\.mode: "direct" cannot serve other accounts/),
        expect.stringMatching(/^env: a monitoring account needs env\.account and env\.region/),
        'monitoring.regions: region "eu-west-1" is listed more than once',
      ]),
    );
  });

  it('refuses remote sources without ingestion mode kinesis', async () => {
    const { Tunnelwatch } = await import('../../cdk/constructs/tunnelwatch.ts');
    const { testStack } = await import('./helpers.ts');

    expect(
      () =>
        new Tunnelwatch(testStack(), 'Tw', {
          functionEntry: FIXTURE_ENTRY,
          remoteSources: {
            vpnLogGroupNames: ['/aws/vendedlogs/vpn/'],
            sourceAccounts: ['444455556666'],
          },
        }),
    ).toThrow(ConstructPropsError);
  });
});
