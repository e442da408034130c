/**
 * `TunnelwatchArchive`: the S3 archive `tunnelwatch import --archive` writes
 * history older than CloudWatch Logs accepts to (src/aws/s3-archive.ts), with
 * a Glue table and an Athena workgroup to query it through, and a policy for
 * the people who import into it, read it back or query it.
 *
 * Object layout (written by the CLI, read by the table):
 * `PREFIX/source=SOURCE/server=SERVER/day=YYYY-MM-DD/STREAM.START-END.DIGEST.ndjson.gz`,
 * gzip NDJSON, one record per line of log.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  DEFAULT_ARCHIVE_GLACIER_IR_DAYS,
  DEFAULT_ARCHIVE_INFREQUENT_ACCESS_DAYS,
  DEFAULT_ARCHIVE_PREFIX,
  DEFAULT_ARCHIVE_QUERY_SCAN_LIMIT_GIB,
  S3_MIN_TRANSITION_DAYS,
} from '../config.ts';
import { isToken, throwIfProblems } from './validation.ts';

/** Name of the Glue table over the archive. */
export const ARCHIVE_TABLE_NAME = 'vpn_log_archive';
/** Values of the `source` partition: the log sources, and `unknown` for lines no parser read. */
export const ARCHIVE_SOURCES = ['aws-s2s', 'openvpn', 'softether', 'unknown'] as const;
/** First day the `day` partition projection covers (event times start at the epoch). */
export const ARCHIVE_FIRST_DAY = '1970-01-01';
/** Days after which an upload that never completed is removed. */
export const ARCHIVE_ABORT_UPLOAD_DAYS = 7;
/** Days a replaced or deleted object version is kept (recovers a mistaken delete or overwrite). */
export const ARCHIVE_NONCURRENT_VERSION_DAYS = 30;
/** S3 actions `import --archive` (PutObject) and `logs get --archive` (ListBucket, GetObject) use. */
export const ARCHIVE_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject'] as const;
/** What Athena reads of the catalog to query the table (partitions are projected, never listed). */
export const ARCHIVE_CATALOG_ACTIONS = ['glue:GetDatabase', 'glue:GetTable'] as const;
/** Key prefix of the workgroup's query results in the archive bucket (beside the archive, never in it). */
export const QUERY_RESULTS_PREFIX = 'query-results';
/** Days a query's results are kept (they can be run again; the archive is the record). */
export const QUERY_RESULTS_DAYS = 7;
/** Default cap on the data one query may scan (a query scanning more is cancelled). */
export const DEFAULT_QUERY_SCAN_LIMIT_BYTES = DEFAULT_ARCHIVE_QUERY_SCAN_LIMIT_GIB * 1024 ** 3;
/** What running a query in the workgroup and reading its results takes. */
export const QUERY_ACTIONS = [
  'athena:GetWorkGroup',
  'athena:StartQueryExecution',
  'athena:StopQueryExecution',
  'athena:GetQueryExecution',
  'athena:BatchGetQueryExecution',
  'athena:ListQueryExecutions',
  'athena:GetQueryResults',
  'athena:GetQueryResultsStream',
] as const;

/**
 * Columns of the table: the record's members. `source` is not among them: it
 * is the partition key of the same name (Hive refuses a column named like a
 * partition key) and holds the same value. `fields` is `map<string,string>`:
 * the OpenX SerDe reads each field's value as text (numbers and booleans as
 * written, a list as its JSON text), so `fields['user']` works in a query.
 */
export const ARCHIVE_COLUMNS = [
  { name: 'timestamp', type: 'bigint', comment: 'Event time, epoch milliseconds' },
  { name: 'time', type: 'string', comment: 'Event time, ISO 8601 UTC' },
  { name: 'stream', type: 'string', comment: 'Log stream name as imported' },
  { name: 'line', type: 'string', comment: 'The original line (untrusted text)' },
  { name: 'category', type: 'string', comment: 'Taxonomy category the parser gave' },
  { name: 'severity', type: 'string', comment: 'Severity the parser gave' },
  { name: 'fields', type: 'map<string,string>', comment: 'Parsed fields (user, address, hub, …)' },
] as const;

/** Partition keys, in key order. */
export const ARCHIVE_PARTITION_KEYS = [
  { name: 'source', type: 'string', comment: 'aws-s2s, openvpn, softether or unknown' },
  {
    name: 'server',
    type: 'string',
    comment: 'First segment of the stream name, URI-encoded; name it in every query',
  },
  { name: 'day', type: 'string', comment: 'UTC day, YYYY-MM-DD' },
] as const;

/** Props of `TunnelwatchArchive`. */
export interface TunnelwatchArchiveProps {
  /**
   * Key of the objects (SSE-KMS with an S3 Bucket Key).
   * @default - S3-managed keys (SSE-S3)
   */
  readonly encryptionKey?: IKey;
  /**
   * Key prefix of the archive in the bucket, without leading or trailing slash.
   * @default DEFAULT_ARCHIVE_PREFIX
   */
  readonly prefix?: string;
  /** @default DEFAULT_ARCHIVE_INFREQUENT_ACCESS_DAYS */
  readonly infrequentAccessAfterDays?: number;
  /** @default DEFAULT_ARCHIVE_GLACIER_IR_DAYS */
  readonly glacierInstantRetrievalAfterDays?: number;
  /**
   * Glue database name (lower-case letters, digits, `_`).
   * @default - `tunnelwatch_` and the stack name in that alphabet
   */
  readonly databaseName?: string;
  /**
   * Cap on the bytes one Athena query in the workgroup may scan (at least
   * 10 MB, Athena's minimum).
   * @default DEFAULT_QUERY_SCAN_LIMIT_BYTES (100 GiB)
   */
  readonly queryScanLimitBytes?: number;
  /** @default RemovalPolicy.RETAIN (the archive may be the only copy of that history) */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The archive bucket: private (public access blocked, bucket owner enforced),
 * TLS 1.2 only, encrypted with the given key (else SSE-S3), versioned with
 * replaced versions kept 30 days, moved to Standard-IA then Glacier Instant
 * Retrieval (which Athena still reads), incomplete uploads aborted after 7
 * days, retained on stack deletion. The Glue table reads it with the OpenX
 * JSON SerDe (gzip is recognised by the `.gz` suffix) and partition
 * projection: `source` is an enum, `day` a date range from 1970 to now, and
 * `server` is injected, so every query names its server(s)
 * (`WHERE server = 'vpnserver'` or `server IN (…)`). An Athena workgroup
 * (named like the database) enforces where results go, `query-results/` in
 * the same bucket under the same key, kept 7 days, and cancels a query that
 * would scan more than `queryScanLimitBytes`.
 */
export class TunnelwatchArchive extends Construct {
  /** The bucket. */
  readonly bucket: Bucket;
  /** Key prefix of the archive in the bucket. */
  readonly prefix: string;
  /** `s3://BUCKET/PREFIX`, what `import --archive` and `logs get --archive` take. */
  readonly archiveUrl: string;
  /** The Glue database. */
  readonly database: CfnDatabase;
  /** The Glue table over the archive. */
  readonly table: CfnTable;
  /** Glue database name. */
  readonly databaseName: string;
  /** The Athena workgroup to query the table in (results encrypted, location enforced). */
  readonly workGroup: CfnWorkGroup;
  /** The workgroup's name (the database's). */
  readonly workGroupName: string;
  /** For people who import into the archive, read it back or query it with Athena. */
  readonly accessPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: TunnelwatchArchiveProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const prefix = props.prefix ?? DEFAULT_ARCHIVE_PREFIX;
    const iaDays = props.infrequentAccessAfterDays ?? DEFAULT_ARCHIVE_INFREQUENT_ACCESS_DAYS;
    const girDays = props.glacierInstantRetrievalAfterDays ?? DEFAULT_ARCHIVE_GLACIER_IR_DAYS;
    const databaseName = props.databaseName ?? defaultDatabaseName(stack.stackName);
    const scanLimit = props.queryScanLimitBytes ?? DEFAULT_QUERY_SCAN_LIMIT_BYTES;
    const problems: string[] = [];
    if (!isToken(prefix) && !/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(prefix)) {
      problems.push(
        `prefix must be path segments of letters, digits, ".", "_" or "-" without leading or trailing slash, got "${prefix}"`,
      );
    }
    if (!Number.isInteger(iaDays) || iaDays < S3_MIN_TRANSITION_DAYS) {
      problems.push(
        `infrequentAccessAfterDays must be a whole number ≥ ${S3_MIN_TRANSITION_DAYS} (S3's minimum), got ${iaDays}`,
      );
    }
    if (!Number.isInteger(girDays) || girDays < iaDays + S3_MIN_TRANSITION_DAYS) {
      problems.push(
        `glacierInstantRetrievalAfterDays must be a whole number ≥ infrequentAccessAfterDays + ${S3_MIN_TRANSITION_DAYS} (${iaDays + S3_MIN_TRANSITION_DAYS}), got ${girDays}`,
      );
    }
    if (!isToken(databaseName) && !/^[a-z0-9_]{1,255}$/.test(databaseName)) {
      problems.push(
        `databaseName must be lower-case letters, digits and "_" (≤ 255), got "${databaseName}"`,
      );
    }
    if (!isToken(prefix) && prefix.split('/')[0] === QUERY_RESULTS_PREFIX) {
      problems.push(
        `prefix must not start with "${QUERY_RESULTS_PREFIX}" (where the workgroup writes query results), got "${prefix}"`,
      );
    }
    if (!Number.isInteger(scanLimit) || scanLimit < 10_000_000) {
      problems.push(
        `queryScanLimitBytes must be a whole number ≥ 10000000 (Athena's minimum), got ${scanLimit}`,
      );
    }
    throwIfProblems(this, problems);
    this.prefix = prefix;
    this.databaseName = databaseName;

    const key = props.encryptionKey;
    this.bucket = new Bucket(this, 'Bucket', {
      ...(key === undefined
        ? { encryption: BucketEncryption.S3_MANAGED }
        : { encryption: BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true }),
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'CheaperStorageWithAge',
          prefix: `${prefix}/`,
          transitions: [
            {
              storageClass: StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(iaDays),
            },
            {
              storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(girDays),
            },
          ],
          noncurrentVersionExpiration: Duration.days(ARCHIVE_NONCURRENT_VERSION_DAYS),
        },
        {
          id: 'QueryResultsExpire',
          prefix: `${QUERY_RESULTS_PREFIX}/`,
          expiration: Duration.days(QUERY_RESULTS_DAYS),
          noncurrentVersionExpiration: Duration.days(1),
        },
        {
          id: 'AbortIncompleteUploads',
          abortIncompleteMultipartUploadAfter: Duration.days(ARCHIVE_ABORT_UPLOAD_DAYS),
        },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Who wrote or read the archive is recorded by CloudTrail S3 data events where the account enables them; a server access log bucket would only move the same finding to that bucket',
    });
    this.archiveUrl = `s3://${this.bucket.bucketName}/${prefix}`;

    this.database = new CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: {
        name: databaseName,
        description: 'tunnelwatch: VPN log history archived in S3 (tunnelwatch import --archive)',
      },
    });
    const location = `s3://${this.bucket.bucketName}/${prefix}/`;
    this.table = new CfnTable(this, 'Table', {
      catalogId: stack.account,
      databaseName,
      tableInput: {
        name: ARCHIVE_TABLE_NAME,
        description:
          'tunnelwatch archive: one row per line of log; name the server in every query (partition projection, server injected)',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'json',
          compressionType: 'gzip',
          'projection.enabled': 'true',
          'projection.source.type': 'enum',
          'projection.source.values': ARCHIVE_SOURCES.join(','),
          'projection.server.type': 'injected',
          'projection.day.type': 'date',
          'projection.day.format': 'yyyy-MM-dd',
          'projection.day.range': `${ARCHIVE_FIRST_DAY},NOW`,
          'projection.day.interval': '1',
          'projection.day.interval.unit': 'DAYS',
          'storage.location.template': `${location}source=\${source}/server=\${server}/day=\${day}/`,
        },
        partitionKeys: ARCHIVE_PARTITION_KEYS.map((k) => ({ ...k })),
        storageDescriptor: {
          location,
          compressed: true,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            parameters: { 'ignore.malformed.json': 'FALSE', 'case.insensitive': 'FALSE' },
          },
          columns: ARCHIVE_COLUMNS.map((c) => ({ ...c })),
        },
      },
    });
    this.table.node.addDependency(this.database);

    this.workGroupName = databaseName;
    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: `tunnelwatch: queries over the log archive (table ${databaseName}.${ARCHIVE_TABLE_NAME})`,
      // Named queries and history go with the workgroup; results stay in the retained bucket.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: scanLimit,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.bucket.bucketName}/${QUERY_RESULTS_PREFIX}/`,
          expectedBucketOwner: stack.account,
          encryptionConfiguration:
            key === undefined
              ? { encryptionOption: 'SSE_S3' }
              : { encryptionOption: 'SSE_KMS', kmsKey: key.keyArn },
        },
      },
    });

    const glueArn = (resource: string, resourceName?: string) =>
      stack.formatArn({
        service: 'glue',
        resource,
        ...(resourceName === undefined ? {} : { resourceName }),
      });
    this.accessPolicy = new ManagedPolicy(this, 'AccessPolicy', {
      description:
        'tunnelwatch: import into the log archive, read it back (logs get --archive) and query it with Athena',
      statements: [
        new PolicyStatement({
          sid: 'ArchiveObjects',
          actions: [...ARCHIVE_OBJECT_ACTIONS],
          resources: [this.bucket.arnForObjects(`${prefix}/*`)],
        }),
        new PolicyStatement({
          sid: 'ListArchive',
          actions: ['s3:ListBucket'],
          resources: [this.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${prefix}/*`, `${QUERY_RESULTS_PREFIX}/*`] } },
        }),
        new PolicyStatement({
          sid: 'QueryResults',
          actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
          resources: [this.bucket.arnForObjects(`${QUERY_RESULTS_PREFIX}/*`)],
        }),
        new PolicyStatement({
          sid: 'ResultsBucketLocation',
          actions: ['s3:GetBucketLocation'],
          resources: [this.bucket.bucketArn],
        }),
        new PolicyStatement({
          sid: 'QueryWorkGroup',
          actions: [...QUERY_ACTIONS],
          resources: [
            stack.formatArn({
              service: 'athena',
              resource: 'workgroup',
              resourceName: this.workGroupName,
            }),
          ],
        }),
        new PolicyStatement({
          sid: 'ArchiveTable',
          actions: [...ARCHIVE_CATALOG_ACTIONS],
          resources: [
            glueArn('catalog'),
            glueArn('database', databaseName),
            glueArn('table', `${databaseName}/${ARCHIVE_TABLE_NAME}`),
          ],
        }),
        ...(key === undefined
          ? []
          : [
              new PolicyStatement({
                sid: 'ArchiveKey',
                actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
                resources: [key.keyArn],
                conditions: {
                  StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` },
                },
              }),
            ]),
      ],
    });
    // cdk-nag's finding for the objects under a prefix of the bucket.
    const bucketId = stack.getLogicalId(this.bucket.node.defaultChild as never);
    const objectsUnder = (under: string) =>
      `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${under}/*]`;
    Validations.of(this.accessPolicy).acknowledge({
      id: objectsUnder(prefix),
      reason:
        'The archive holds one object per stream, day and range of lines; the statement is scoped to the archive prefix of this one bucket',
    });
    Validations.of(this.accessPolicy).acknowledge({
      id: objectsUnder(QUERY_RESULTS_PREFIX),
      reason:
        'Athena writes one result object per query under names it chooses; the statement is scoped to the results prefix of this one bucket',
    });
  }
}

/** `tunnelwatch_` and `stackName` in the Glue alphabet (lower-case letters, digits, `_`). */
export function defaultDatabaseName(stackName: string): string {
  if (isToken(stackName)) return 'tunnelwatch';
  return `tunnelwatch_${stackName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
}
