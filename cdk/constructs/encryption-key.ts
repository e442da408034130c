/**
 * `TunnelwatchKey`: the one customer managed KMS key tunnelwatch encrypts
 * its log groups, alert topic, state table, queues, stream and archive with.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Actions CloudWatch Logs needs on a key that encrypts log groups (the CloudWatch Logs KMS guide). */
export const CLOUDWATCH_LOGS_KEY_ACTIONS = [
  'kms:Encrypt*',
  'kms:Decrypt*',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:Describe*',
] as const;
/** Sid of the key policy statement for CloudWatch Logs. */
export const CLOUDWATCH_LOGS_KEY_SID = 'AllowCloudWatchLogsOfThisAccountAndRegion';

/** Props of `TunnelwatchKey`. */
export interface TunnelwatchKeyProps {
  /**
   * Alias of the key (`alias/…`).
   * @default - `alias/tunnelwatch/` and the stack's name
   */
  readonly aliasName?: string;
  /** @default - RemovalPolicy.RETAIN (what it encrypts outlives the stack) */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A symmetric key with yearly rotation and an alias, kept when the stack is
 * deleted. Its policy is CDK's default (the account may delegate use through
 * IAM) plus one statement letting CloudWatch Logs of this account and region
 * use it for log groups only: `logs.<region>.amazonaws.com`, conditioned on
 * `kms:EncryptionContext:aws:logs:arn` being one of this account's log groups.
 * The statement CloudWatch alarms need to publish to an encrypted topic is
 * added by `AlertTopic`.
 */
export class TunnelwatchKey extends Construct {
  /** The key. */
  readonly key: Key;

  constructor(scope: Construct, id: string, props: TunnelwatchKeyProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new Key(this, 'Key', {
      description: `tunnelwatch: encrypts the log groups, alert topic, state table, queues, stream and archive of ${stack.stackName}`,
      enableKeyRotation: true,
      alias: props.aliasName ?? `alias/tunnelwatch/${stack.stackName}`,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(cloudWatchLogsKeyStatement(this));
  }
}

/**
 * The key policy statement CloudWatch Logs needs to encrypt this account's
 * log groups in this region with a key, and nothing else.
 */
export function cloudWatchLogsKeyStatement(scope: Construct): PolicyStatement {
  const stack = Stack.of(scope);
  return new PolicyStatement({
    sid: CLOUDWATCH_LOGS_KEY_SID,
    principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: [...CLOUDWATCH_LOGS_KEY_ACTIONS],
    resources: ['*'],
    conditions: {
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
      },
    },
  });
}
