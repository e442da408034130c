/**
 * `VendedLogsDeliveryPolicy`: the CloudWatch Logs resource policy that lets
 * the vended-logs delivery service write VPN tunnel logs into our groups.
 */
import { Stack, Token } from 'aws-cdk-lib';
import { CfnResourcePolicy } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { isToken, throwIfProblems } from './validation.ts';
import { VENDED_LOGS_NAME_PREFIX } from './vpn-tunnel-log-group.ts';

/** CloudWatch Logs' limit on a resource policy document, in characters. */
export const RESOURCE_POLICY_MAX_CHARACTERS = 5120;
/** Default name of the resource policy (10 account-level policies per region are allowed). */
export const DEFAULT_DELIVERY_POLICY_NAME = 'tunnelwatch-vpn-log-delivery';
/** The service principal that delivers vended logs. */
export const LOG_DELIVERY_SERVICE = 'delivery.logs.amazonaws.com';

/**
 * Longest values a partition, region and account id take, used to measure the
 * document when the stack is environment-agnostic (the deployed document is
 * never longer than the measured one).
 */
const WORST_CASE_ENV = {
  partition: 'aws-us-gov',
  region: 'us-isof-south-1',
  account: '123456789012',
};

/** Props of `VendedLogsDeliveryPolicy`. */
export interface VendedLogsDeliveryPolicyProps {
  /**
   * Log group name prefixes, each starting with `/aws/vendedlogs/`: the one
   * statement allows writes to every group whose name starts with one of them.
   */
  readonly logGroupNamePrefixes: readonly string[];
  /** @default - DEFAULT_DELIVERY_POLICY_NAME */
  readonly policyName?: string;
}

/** Values the document is rendered with. */
interface PolicyEnv {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** The policy document: one statement covering the groups by prefix. */
export function deliveryPolicyDocument(prefixes: readonly string[], env: PolicyEnv): object {
  const arn = (rest: string) => `arn:${env.partition}:logs:${env.region}:${env.account}:${rest}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSLogDeliveryWriteTunnelwatch',
        Effect: 'Allow',
        Principal: { Service: LOG_DELIVERY_SERVICE },
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: prefixes.map((prefix) => arn(`log-group:${prefix}*:log-stream:*`)),
        Condition: {
          StringEquals: { 'aws:SourceAccount': env.account },
          ArnLike: { 'aws:SourceArn': arn('*') },
        },
      },
    ],
  };
}

/**
 * A `AWS::Logs::ResourcePolicy` for `delivery.logs.amazonaws.com`:
 * `logs:CreateLogStream` + `logs:PutLogEvents` on the groups by prefix, in one
 * statement so it does not grow per group, with `aws:SourceAccount` and
 * `aws:SourceArn` conditions. Pre-creating it means the principal enabling
 * tunnel logging need not write the policy itself. Synth fails when the
 * document could exceed 5,120 characters, naming the measured size.
 */
export class VendedLogsDeliveryPolicy extends Construct {
  /** The resource policy. */
  readonly resourcePolicy: CfnResourcePolicy;
  /** Length of the document rendered with the real or worst-case partition, region and account. */
  readonly measuredSize: number;
  /** The prefixes covered, with prefixes inside another prefix removed. */
  readonly logGroupNamePrefixes: readonly string[];

  constructor(scope: Construct, id: string, props: VendedLogsDeliveryPolicyProps) {
    super(scope, id);
    const problems: string[] = [];
    if (props.logGroupNamePrefixes.length === 0) {
      problems.push('logGroupNamePrefixes must name at least one prefix');
    }
    for (const [i, prefix] of props.logGroupNamePrefixes.entries()) {
      if (!isToken(prefix) && !prefix.startsWith(VENDED_LOGS_NAME_PREFIX)) {
        problems.push(
          `logGroupNamePrefixes[${i}] must start with ${VENDED_LOGS_NAME_PREFIX}, got "${prefix}"`,
        );
      }
    }
    const prefixes = minimalPrefixes(props.logGroupNamePrefixes);
    const stack = Stack.of(this);
    const measureEnv: PolicyEnv = {
      partition: Token.isUnresolved(stack.partition) ? WORST_CASE_ENV.partition : stack.partition,
      region: Token.isUnresolved(stack.region) ? WORST_CASE_ENV.region : stack.region,
      account: Token.isUnresolved(stack.account) ? WORST_CASE_ENV.account : stack.account,
    };
    this.measuredSize = JSON.stringify(deliveryPolicyDocument(prefixes, measureEnv)).length;
    if (this.measuredSize > RESOURCE_POLICY_MAX_CHARACTERS) {
      problems.push(
        `the delivery policy document measures ${this.measuredSize} characters, over CloudWatch Logs' limit of ${RESOURCE_POLICY_MAX_CHARACTERS}: ${prefixes.length} prefixes; group the VPN log groups under fewer /aws/vendedlogs/ prefixes`,
      );
    }
    throwIfProblems(this, problems);
    this.logGroupNamePrefixes = prefixes;
    this.resourcePolicy = new CfnResourcePolicy(this, 'Resource', {
      policyName: props.policyName ?? DEFAULT_DELIVERY_POLICY_NAME,
      policyDocument: stack.toJsonString(
        deliveryPolicyDocument(prefixes, {
          partition: stack.partition,
          region: stack.region,
          account: stack.account,
        }),
      ),
    });
  }
}

/** Sorted prefixes with duplicates and prefixes covered by a shorter one removed. */
export function minimalPrefixes(prefixes: readonly string[]): string[] {
  const sorted = [...new Set(prefixes)].sort();
  const kept: string[] = [];
  for (const prefix of sorted) {
    if (!kept.some((shorter) => prefix.startsWith(shorter))) kept.push(prefix);
  }
  return kept;
}

/** The "directory" part of a log group name: up to and including its last `/`. */
export function logGroupNameDirectory(logGroupName: string): string {
  return logGroupName.slice(0, logGroupName.lastIndexOf('/') + 1);
}
