/**
 * `TunnelAlertFunction`: the subscription Lambda that turns log events into
 * alerts (lambda/subscription.ts), with its log group, role and dead-letter queue.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { handlerFunction, handlerSourceFile } from './handler-code.ts';
import { isToken, throwIfProblems } from './validation.ts';

export { ESM_BUNDLING, ESM_REQUIRE_BANNER } from './esm-bundling.ts';

/** The handler's TypeScript source (export `handler`), bundled when no prebuilt bundle ships. */
export const DEFAULT_HANDLER_ENTRY = handlerSourceFile('subscription');
/** The handler of ingestion mode `kinesis` (lambda/kinesis.ts). */
export const KINESIS_HANDLER_ENTRY = handlerSourceFile('kinesis');
/** The runtime: explicit, bumped with aws-cdk-lib (cdk-nag L1 compares against the newest known). */
export const ALERT_FUNCTION_RUNTIME = Runtime.NODEJS_24_X;
/** Default memory, MB. */
export const DEFAULT_MEMORY_MB = 512;
/** Default timeout. */
export const DEFAULT_TIMEOUT = Duration.seconds(60);
/** Default async retries after the first attempt (Lambda allows 0–2). */
export const DEFAULT_RETRY_ATTEMPTS = 2;
/** Default maximum age of an async event before it goes to the dead-letter queue. */
export const DEFAULT_MAX_EVENT_AGE = Duration.hours(6);
/** Default retention of the function's log group. */
export const DEFAULT_FUNCTION_LOG_RETENTION = RetentionDays.ONE_MONTH;
/** How long failed events wait in the dead-letter queue (SQS maximum). */
export const DEAD_LETTER_RETENTION = Duration.days(14);
/** Receives after which a message in the dead-letter queue moves to the redrive archive. */
export const DEAD_LETTER_MAX_RECEIVE_COUNT = 5;
/** Lambda's limit on the total size of environment variables, bytes. */
export const LAMBDA_ENVIRONMENT_MAX_BYTES = 4096;
/** Room kept for values only known at deploy time (ARNs, URLs, names), bytes each. */
const TOKEN_ALLOWANCE_BYTES = 256;
/**
 * DynamoDB actions the state store uses: BatchGetItem, conditional PutItem and
 * DeleteItem, and TransactWriteItems (authorised per item as Put/Delete).
 */
export const STATE_TABLE_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
] as const;
/** SQS actions `tunnelwatch redrive` uses on the dead-letter queue. */
export const REDRIVE_QUEUE_ACTIONS = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:ReceiveMessage',
] as const;

/** How the function reads the log group an event came from (`LOG_GROUP_SOURCES`). */
export interface LogGroupSource {
  /** Log group name prefix; the longest matching prefix wins. */
  readonly prefix: string;
  readonly source: 'aws-s2s' | 'openvpn' | 'softether';
  /** IANA zone of local-time formats. */
  readonly timeZone?: string;
}

/** Props of `TunnelAlertFunction`. */
export interface TunnelAlertFunctionProps {
  readonly stateTable: ITable;
  readonly alertTopic: ITopic;
  /** Which source each monitored log group holds. */
  readonly logGroupSources: readonly LogGroupSource[];
  /** Rule settings, passed as `RULES_CONFIG` JSON. @default - the function's defaults */
  readonly rulesConfig?: Readonly<Record<string, unknown>>;
  /**
   * `subscription` (direct subscriptions) or `kinesis` (a Kinesis event source mapping).
   * @default 'subscription'
   */
  readonly handler?: 'subscription' | 'kinesis';
  /**
   * A handler file to bundle with esbuild instead of the shipped code.
   * @default - the bundle shipped prebuilt in the package, else DEFAULT_HANDLER_ENTRY
   */
  readonly entry?: string;
  /**
   * Key of the topic, queues, table and the function's own log group, when they use one.
   * @default - none (SQS-managed queues, CloudWatch Logs' own key)
   */
  readonly encryptionKey?: IKey;
  /** @default - DEFAULT_FUNCTION_LOG_RETENTION */
  readonly logRetention?: RetentionDays;
  /** @default - DEFAULT_MEMORY_MB */
  readonly memorySize?: number;
  /** @default - DEFAULT_TIMEOUT */
  readonly timeout?: Duration;
  /** @default - DEFAULT_RETRY_ATTEMPTS */
  readonly retryAttempts?: number;
  /** @default - DEFAULT_MAX_EVENT_AGE */
  readonly maxEventAge?: Duration;
}

/**
 * A function (nodejs24.x, arm64, minified ESM with source maps and the
 * `createRequire` banner, `@aws-sdk/*` left to the runtime; shipped prebuilt,
 * see handler-code.ts) with its own log
 * group, a role holding only what the handler uses (no managed policies), and
 * an encrypted SQS dead-letter queue that is both the async on-failure
 * destination and `DEAD_LETTER_QUEUE_URL` for poison payloads (the
 * destination's grant gives the role `sqs:SendMessage` on it); that queue
 * redrives to an archive queue after repeated failed replays.
 */
export class TunnelAlertFunction extends Construct {
  /** The function. */
  readonly function: LambdaFunction;
  /** Its role. */
  readonly role: Role;
  /** Its log group. */
  readonly logGroup: LogGroup;
  /** Async on-failure destination and poison payload queue. */
  readonly deadLetterQueue: Queue;
  /** Where dead letters go after DEAD_LETTER_MAX_RECEIVE_COUNT failed replays. */
  readonly redriveArchiveQueue: Queue;
  /**
   * For people running `tunnelwatch redrive`: read and delete dead letters,
   * and what replaying them needs (state table, publish, KMS key).
   */
  readonly redrivePolicy: ManagedPolicy;
  /** The environment passed to the function (tokens unresolved). */
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: TunnelAlertFunctionProps) {
    super(scope, id);
    const problems: string[] = [];
    const retryAttempts = props.retryAttempts ?? DEFAULT_RETRY_ATTEMPTS;
    if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 2) {
      problems.push(`retryAttempts must be 0, 1 or 2, got ${retryAttempts}`);
    }
    const maxEventAge = props.maxEventAge ?? DEFAULT_MAX_EVENT_AGE;
    if (
      !isToken(maxEventAge.toSeconds()) &&
      (maxEventAge.toSeconds() < 60 || maxEventAge.toSeconds() > 21_600)
    ) {
      problems.push(
        `maxEventAge must be between 1 minute and 6 hours, got ${maxEventAge.toHumanString()}`,
      );
    }
    for (const [i, source] of props.logGroupSources.entries()) {
      if (source.prefix === '') problems.push(`logGroupSources[${i}].prefix must not be empty`);
    }

    const encryption =
      props.encryptionKey === undefined
        ? { encryption: QueueEncryption.SQS_MANAGED }
        : { encryption: QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey };
    this.redriveArchiveQueue = new Queue(this, 'RedriveArchive', {
      retentionPeriod: DEAD_LETTER_RETENTION,
      enforceSSL: true,
      ...encryption,
    });
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      retentionPeriod: DEAD_LETTER_RETENTION,
      enforceSSL: true,
      deadLetterQueue: {
        queue: this.redriveArchiveQueue,
        maxReceiveCount: DEAD_LETTER_MAX_RECEIVE_COUNT,
      },
      ...encryption,
    });

    this.environment = {
      STATE_TABLE_NAME: props.stateTable.tableName,
      ALERT_TOPIC_ARN: props.alertTopic.topicArn,
      DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
      LOG_GROUP_SOURCES: JSON.stringify(props.logGroupSources),
      ...(props.rulesConfig === undefined
        ? {}
        : { RULES_CONFIG: JSON.stringify(props.rulesConfig) }),
      POWERTOOLS_SERVICE_NAME: 'tunnelwatch',
      POWERTOOLS_METRICS_NAMESPACE: 'Tunnelwatch',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const environmentBytes = Object.entries(this.environment).reduce(
      (sum, [name, value]) =>
        sum +
        Buffer.byteLength(name) +
        (isToken(value) ? TOKEN_ALLOWANCE_BYTES : Buffer.byteLength(value)),
      0,
    );
    if (environmentBytes > LAMBDA_ENVIRONMENT_MAX_BYTES) {
      problems.push(
        `the function environment measures ${environmentBytes} bytes (deploy-time values counted as ${TOKEN_ALLOWANCE_BYTES}), over Lambda's ${LAMBDA_ENVIRONMENT_MAX_BYTES}: shorten RULES_CONFIG or use fewer log group prefixes`,
      );
    }
    throwIfProblems(this, problems);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? DEFAULT_FUNCTION_LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
      ...(props.encryptionKey === undefined ? {} : { encryptionKey: props.encryptionKey }),
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description:
        'tunnelwatch alert function: own logs, state table, alert topic, dead-letter queue',
    });
    const stateStatement = new PolicyStatement({
      sid: 'StateTable',
      actions: [...STATE_TABLE_ACTIONS],
      resources: [props.stateTable.tableArn],
    });
    const publishStatement = new PolicyStatement({
      sid: 'PublishAlerts',
      actions: ['sns:Publish'],
      resources: [props.alertTopic.topicArn],
    });
    const keyStatements =
      props.encryptionKey === undefined
        ? []
        : [
            new PolicyStatement({
              sid: 'EncryptionKey',
              actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
              resources: [props.encryptionKey.keyArn],
            }),
          ];
    this.redrivePolicy = new ManagedPolicy(this, 'RedrivePolicy', {
      description: 'tunnelwatch redrive: replay the alert function dead-letter queue',
      statements: [
        new PolicyStatement({
          sid: 'DeadLetters',
          actions: [...REDRIVE_QUEUE_ACTIONS],
          resources: [this.deadLetterQueue.queueArn],
        }),
        stateStatement,
        publishStatement,
        ...keyStatements,
      ],
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'OwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.role.addToPrincipalPolicy(stateStatement);
    this.role.addToPrincipalPolicy(publishStatement);
    for (const statement of keyStatements) this.role.addToPrincipalPolicy(statement);

    this.function = handlerFunction(this, 'Function', {
      name: props.handler ?? 'subscription',
      // Only the catalogs and parsers of the sources its log groups hold.
      sources: [...new Set(props.logGroupSources.map((row) => row.source))],
      ...(props.entry === undefined ? {} : { entry: props.entry }),
      handler: 'handler',
      runtime: ALERT_FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? DEFAULT_MEMORY_MB,
      timeout: props.timeout ?? DEFAULT_TIMEOUT,
      role: this.role,
      logGroup: this.logGroup,
      environment: { ...this.environment },
      description: 'tunnelwatch: VPN log events to on-call alerts',
    });
    this.function.configureAsyncInvoke({
      onFailure: new SqsDestination(this.deadLetterQueue),
      retryAttempts,
      maxEventAge,
    });
    if (props.encryptionKey !== undefined) {
      const reason =
        "Added by aws-cdk-lib's SqsDestination (queue.grantSendMessages) for the KMS-encrypted dead-letter queue; the statement is scoped to that one key";
      Validations.of(this.role).acknowledge(
        { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason },
        { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason },
      );
    }
  }
}
