import { gunzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../cdk/config.ts';
import {
  ARCHIVE_COLUMNS,
  ARCHIVE_PARTITION_KEYS,
  ARCHIVE_TABLE_NAME,
  DEFAULT_QUERY_SCAN_LIMIT_BYTES,
  QUERY_ACTIONS,
  TunnelwatchArchive,
} from '../../cdk/constructs/log-archive.ts';
import { s3Archive } from '../../src/aws/s3-archive.ts';
import { sampleConfigJson, synthTunnelwatch, testStack, twoTunnelwatches } from './helpers.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };

function only(template: Template, type: string): Resource {
  const found = Object.values(template.findResources(type)) as Resource[];
  expect(found).toHaveLength(1);
  return found[0] as Resource;
}

function bucketRef(template: Template): string {
  const ids = Object.keys(template.findResources('AWS::S3::Bucket'));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

function config(overrides: Record<string, unknown>) {
  return parseConfig({ ...sampleConfigJson(), ...overrides }, 'test');
}

describe('the archive bucket', () => {
  it('is private, TLS-only, versioned, retained, and moves objects to cheaper storage', () => {
    // Act
    const { template } = synthTunnelwatch();

    // Assess
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [
            {
              Id: 'CheaperStorageWithAge',
              Status: 'Enabled',
              Prefix: 'archive/',
              Transitions: [
                { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
                { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
              ],
              NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            },
            {
              Id: 'QueryResultsExpire',
              Status: 'Enabled',
              Prefix: 'query-results/',
              ExpirationInDays: 7,
              NoncurrentVersionExpiration: { NoncurrentDays: 1 },
            },
            {
              Id: 'AbortIncompleteUploads',
              Status: 'Enabled',
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            },
          ],
        },
      }),
    });
    const bucket = bucketRef(template);
    const objects = [
      { 'Fn::GetAtt': [bucket, 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] },
    ];
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: objects,
          },
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
            Resource: objects,
          },
        ]),
      },
    });
  });

  it('takes the prefix and transition days from the configuration', () => {
    // Act
    const { template, stack } = synthTunnelwatch(
      config({
        archive: {
          prefix: 'vpn/history',
          infrequentAccessAfterDays: 60,
          glacierInstantRetrievalAfterDays: 180,
        },
      }),
    );

    // Assess
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: 'vpn/history/',
            Transitions: [
              { StorageClass: 'STANDARD_IA', TransitionInDays: 60 },
              { StorageClass: 'GLACIER_IR', TransitionInDays: 180 },
            ],
          }),
        ]),
      },
    });
    expect(stack.resolve(stack.tunnelwatch.archive?.archiveUrl)).toEqual({
      'Fn::Join': ['', ['s3://', { Ref: bucketRef(template) }, '/vpn/history']],
    });
  });

  it('is left out when the archive is turned off', () => {
    // Act
    const { template, stack } = synthTunnelwatch(config({ archive: { enabled: false } }));

    // Assess
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::Glue::Database', 0);
    template.resourceCountIs('AWS::Glue::Table', 0);
    expect(stack.tunnelwatch.archive).toBeUndefined();
    expect(Object.keys(template.findOutputs('Archive*'))).toEqual([]);
  });

  it('refuses transitions S3 would refuse, naming the key', () => {
    expect(() => config({ archive: { infrequentAccessAfterDays: 10 } })).toThrow(
      /archive\.infrequentAccessAfterDays: expected a whole number from 30 to 36500, got 10/,
    );
    expect(() =>
      config({ archive: { infrequentAccessAfterDays: 60, glacierInstantRetrievalAfterDays: 70 } }),
    ).toThrow(/archive\.glacierInstantRetrievalAfterDays: expected at least 90 .*got 70/);
    expect(() => config({ archive: { prefix: '/archive/' } })).toThrow(
      /archive\.prefix: expected path segments/,
    );
  });
});

describe('the Glue table over the archive', () => {
  it('reads gzip NDJSON under the prefix with the OpenX SerDe and projected partitions', () => {
    // Act
    const { template } = synthTunnelwatch();

    // Assess
    const bucket = bucketRef(template);
    template.hasResourceProperties('AWS::Glue::Database', {
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseInput: Match.objectLike({ Name: 'tunnelwatch_tunnelwatch' }),
    });
    template.hasResourceProperties('AWS::Glue::Table', {
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseName: 'tunnelwatch_tunnelwatch',
      TableInput: {
        Name: ARCHIVE_TABLE_NAME,
        TableType: 'EXTERNAL_TABLE',
        Description: Match.anyValue(),
        Parameters: {
          classification: 'json',
          compressionType: 'gzip',
          'projection.enabled': 'true',
          'projection.source.type': 'enum',
          'projection.source.values': 'aws-s2s,openvpn,softether,unknown',
          'projection.server.type': 'injected',
          'projection.day.type': 'date',
          'projection.day.format': 'yyyy-MM-dd',
          'projection.day.range': '1970-01-01,NOW',
          'projection.day.interval': '1',
          'projection.day.interval.unit': 'DAYS',
          'storage.location.template': {
            'Fn::Join': [
              '',
              [
                's3://',
                { Ref: bucket },
                `/archive/source=\${source}/server=\${server}/day=\${day}/`,
              ],
            ],
          },
        },
        PartitionKeys: [
          Match.objectLike({ Name: 'source', Type: 'string' }),
          Match.objectLike({ Name: 'server', Type: 'string' }),
          Match.objectLike({ Name: 'day', Type: 'string' }),
        ],
        StorageDescriptor: Match.objectLike({
          Location: { 'Fn::Join': ['', ['s3://', { Ref: bucket }, '/archive/']] },
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          SerdeInfo: Match.objectLike({
            SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
          }),
          Columns: [
            Match.objectLike({ Name: 'timestamp', Type: 'bigint' }),
            Match.objectLike({ Name: 'time', Type: 'string' }),
            Match.objectLike({ Name: 'stream', Type: 'string' }),
            Match.objectLike({ Name: 'line', Type: 'string' }),
            Match.objectLike({ Name: 'category', Type: 'string' }),
            Match.objectLike({ Name: 'severity', Type: 'string' }),
            Match.objectLike({ Name: 'fields', Type: 'map<string,string>' }),
          ],
        }),
      },
    });
  });

  it('has a column or partition key for every member of the records import --archive writes, at the key the table expects', async () => {
    // Prepare: what the CLI writes, captured from its S3 client
    const puts: { Key: string; Body: Uint8Array }[] = [];
    const client = {
      send: async (command: { input: { Key: string; Body: Uint8Array } }) => {
        puts.push(command.input);
        return {};
      },
    } as unknown as S3Client;
    const archive = s3Archive({ client, url: 's3://bucket/archive' });
    const timestamp = Date.parse('2024-01-05T10:00:00Z');

    // Act
    await archive.write('vpnserver/server_log/vpn', [
      {
        timestamp,
        message: 'a line',
        bytes: 6,
        meta: {
          fields: {
            source: 'softether',
            category: 'auth.failed',
            severity: 'warning',
            fields: { user: 'alice', clientPort: 500 },
          },
        },
      },
    ]);

    // Assess
    expect(puts).toHaveLength(1);
    const put = puts[0] as { Key: string; Body: Uint8Array };
    const record = JSON.parse(gunzipSync(put.Body).toString('utf8')) as Record<string, unknown>;
    const columns = ARCHIVE_COLUMNS.map((c) => c.name);
    const partitions = ARCHIVE_PARTITION_KEYS.map((k) => k.name);
    // Every member is a column, except source: a partition key holding the same value.
    expect(Object.keys(record).sort()).toEqual([...columns, 'source'].sort());
    expect(columns.filter((c) => partitions.includes(c as never))).toEqual([]);
    expect(typeof record.fields).toBe('object');
    // The key follows storage.location.template: PREFIX/source=…/server=…/day=…/
    expect(put.Key).toMatch(
      /^archive\/source=softether\/server=vpnserver\/day=2024-01-05\/[^/]+\.ndjson\.gz$/,
    );
  });
});

describe('the archive access policy', () => {
  it('reaches only the archive prefix, the results prefix, its key through S3, the table and the workgroup', () => {
    // Act
    const { template } = synthTunnelwatch();

    // Assess
    const bucket = bucketRef(template);
    const key = { 'Fn::GetAtt': [Object.keys(template.findResources('AWS::KMS::Key'))[0], 'Arn'] };
    const glue = (resource: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':glue:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:${resource}`,
        ],
      ],
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ArchiveObjects',
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:PutObject'],
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/archive/*']] },
          },
          {
            Sid: 'ListArchive',
            Effect: 'Allow',
            Action: 's3:ListBucket',
            Resource: { 'Fn::GetAtt': [bucket, 'Arn'] },
            Condition: { StringLike: { 's3:prefix': ['archive/*', 'query-results/*'] } },
          },
          {
            Sid: 'QueryResults',
            Effect: 'Allow',
            Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
            Resource: {
              'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/query-results/*']],
            },
          },
          {
            Sid: 'ResultsBucketLocation',
            Effect: 'Allow',
            Action: 's3:GetBucketLocation',
            Resource: { 'Fn::GetAtt': [bucket, 'Arn'] },
          },
          {
            Sid: 'QueryWorkGroup',
            Effect: 'Allow',
            Action: [...QUERY_ACTIONS].sort(),
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':athena:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':workgroup/tunnelwatch_tunnelwatch',
                ],
              ],
            },
          },
          {
            Sid: 'ArchiveTable',
            Effect: 'Allow',
            Action: ['glue:GetDatabase', 'glue:GetTable'],
            Resource: [
              glue('catalog'),
              glue('database/tunnelwatch_tunnelwatch'),
              glue(`table/tunnelwatch_tunnelwatch/${ARCHIVE_TABLE_NAME}`),
            ],
          },
          {
            Sid: 'ArchiveKey',
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: key,
            Condition: {
              StringEquals: {
                'kms:ViaService': {
                  'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
                },
              },
            },
          },
        ],
      },
    });
  });

  it('creates a workgroup that enforces encrypted results beside the archive and caps a query', () => {
    // Act
    const { template } = synthTunnelwatch();
    const plain = synthTunnelwatch(config({ encryption: 'service-managed' })).template;

    // Assess
    const bucket = bucketRef(template);
    const key = { 'Fn::GetAtt': [Object.keys(template.findResources('AWS::KMS::Key'))[0], 'Arn'] };
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'tunnelwatch_tunnelwatch',
      RecursiveDeleteOption: true,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: DEFAULT_QUERY_SCAN_LIMIT_BYTES,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: bucket }, '/query-results/']] },
          ExpectedBucketOwner: { Ref: 'AWS::AccountId' },
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: key },
        },
      },
    });
    synthTunnelwatch(config({ archive: { queryScanLimitGiB: 5 } })).template.hasResourceProperties(
      'AWS::Athena::WorkGroup',
      {
        WorkGroupConfiguration: Match.objectLike({ BytesScannedCutoffPerQuery: 5 * 1024 ** 3 }),
      },
    );
    plain.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        ResultConfiguration: Match.objectLike({
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        }),
      }),
    });
    template.hasOutput('*', {
      Value: 'tunnelwatch_tunnelwatch',
      Description: Match.stringLikeRegexp('Athena workgroup'),
    });
  });

  it("refuses a prefix inside the query results and a scan cap under Athena's minimum", () => {
    // Prepare
    const build = () =>
      new TunnelwatchArchive(testStack(), 'Archive', {
        prefix: 'query-results/logs',
        queryScanLimitBytes: 1000,
      });

    // Assess
    expect(build).toThrow(
      /prefix must not start with "query-results".*\n.*queryScanLimitBytes must be/,
    );
  });

  it('has no key statement with service-managed encryption', () => {
    // Act
    const { template } = synthTunnelwatch(config({ encryption: 'service-managed' }));

    // Assess
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as Resource[];
    const archive = policies.find((p) =>
      JSON.stringify(p.Properties).includes('ArchiveObjects'),
    ) as Resource;
    expect(JSON.stringify(archive.Properties)).not.toMatch(/kms:/);
  });

  it('is output with the bucket, the URL to pass to --archive and the table', () => {
    // Act
    const { template } = synthTunnelwatch();

    // Assess
    const bucket = bucketRef(template);
    template.hasOutput('ArchiveBucketName', { Value: { Ref: bucket } });
    template.hasOutput('ArchiveUrl', {
      Value: { 'Fn::Join': ['', ['s3://', { Ref: bucket }, '/archive']] },
    });
    template.hasOutput('ArchiveAccessPolicyArn', {
      Value: { Ref: Match.stringLikeRegexp('^ArchiveAccessPolicy') },
    });
    template.hasOutput('ArchiveTable', { Value: `tunnelwatch_tunnelwatch.${ARCHIVE_TABLE_NAME}` });
  });
});

describe('TunnelwatchArchive on its own', () => {
  it('uses S3-managed keys without a key and passes cdk-nag with the access-log finding acknowledged', () => {
    // Prepare
    const stack = testStack();

    // Act
    new TunnelwatchArchive(stack, 'Archive');

    // Assess
    const template = Template.fromStack(stack);
    expect(only(template, 'AWS::S3::Bucket').Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ],
    });
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  it('reports every invalid prop at once', () => {
    // Act
    const build = () =>
      new TunnelwatchArchive(testStack(), 'Archive', {
        prefix: 'a//b',
        infrequentAccessAfterDays: 5,
        glacierInstantRetrievalAfterDays: 10,
        databaseName: 'Bad-Name',
      });

    // Assess
    expect(build).toThrow(
      /prefix must be.*\n.*infrequentAccessAfterDays must be.*\n.*glacierInstantRetrievalAfterDays must be.*\n.*databaseName must be/,
    );
  });

  it('gives a second Tunnelwatch in the stack a database and workgroup of its own', () => {
    // Act
    const template = twoTunnelwatches();

    // Assess
    const names = Object.values(
      template.findResources('AWS::Glue::Database') as Record<string, Resource>,
    ).map((d) => (d.Properties.DatabaseInput as { Name: string }).Name);
    expect(names.sort()).toEqual(['tunnelwatch_test', 'tunnelwatch_test_second']);
    const workGroups = Object.values(
      template.findResources('AWS::Athena::WorkGroup') as Record<string, Resource>,
    ).map((w) => w.Properties.Name);
    expect(workGroups.sort()).toEqual(['tunnelwatch_test', 'tunnelwatch_test_second']);
  });
});
