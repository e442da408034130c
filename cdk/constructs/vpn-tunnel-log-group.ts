/**
 * `VpnTunnelLogGroup`: a CloudWatch Logs log group for AWS Site-to-Site VPN
 * tunnel logs (vended logs).
 */
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, LogGroupClass, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { isToken, throwIfProblems } from './validation.ts';

/** Log group names for VPN tunnel logs must start with this (the AWS Site-to-Site VPN logs guide). */
export const VENDED_LOGS_NAME_PREFIX = '/aws/vendedlogs/';
/** Default retention of tunnel logs. */
export const DEFAULT_VPN_LOG_RETENTION = RetentionDays.THREE_MONTHS;

/** Props of `VpnTunnelLogGroup`. */
export interface VpnTunnelLogGroupProps {
  /** Must start with `/aws/vendedlogs/` so one delivery policy statement covers every group by prefix. */
  readonly logGroupName: string;
  /** @default - DEFAULT_VPN_LOG_RETENTION (90 days) */
  readonly retention?: RetentionDays;
  /**
   * Customer managed key. Its key policy must let `logs.<region>.amazonaws.com`
   * use it (CDK cannot edit the policy of an imported key).
   * @default - encrypted by CloudWatch Logs with its own key
   */
  readonly encryptionKey?: IKey;
  /** @default - RemovalPolicy.RETAIN (tunnel logs are evidence) */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A Standard-class log group (subscription filters need Standard) named
 * under `/aws/vendedlogs/`, with explicit retention and optional KMS.
 */
export class VpnTunnelLogGroup extends Construct {
  /** The log group. */
  readonly logGroup: LogGroup;
  /** `arn:…:log-group:NAME` without the `:*` suffix (the form `LogGroupArn` of tunnel options takes). */
  readonly logGroupArnWithoutSuffix: string;

  constructor(scope: Construct, id: string, props: VpnTunnelLogGroupProps) {
    super(scope, id);
    const problems: string[] = [];
    if (!isToken(props.logGroupName) && !props.logGroupName.startsWith(VENDED_LOGS_NAME_PREFIX)) {
      problems.push(
        `logGroupName must start with ${VENDED_LOGS_NAME_PREFIX} (the Site-to-Site VPN guide's rule for vended logs), got "${props.logGroupName}"`,
      );
    }
    throwIfProblems(this, problems);
    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: props.logGroupName,
      retention: props.retention ?? DEFAULT_VPN_LOG_RETENTION,
      logGroupClass: LogGroupClass.STANDARD,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...(props.encryptionKey === undefined ? {} : { encryptionKey: props.encryptionKey }),
    });
    this.logGroupArnWithoutSuffix = logGroupArnWithoutSuffix(this, props.logGroupName);
  }
}

/** `arn:<partition>:logs:<region>:<account>:log-group:<name>` of the stack's account and region. */
export function logGroupArnWithoutSuffix(scope: Construct, logGroupName: string): string {
  return Stack.of(scope).formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: logGroupName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
