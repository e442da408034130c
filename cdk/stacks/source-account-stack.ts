/**
 * `SourceAccountStack`: what a source account deploys (per account and
 * region, or with StackSets) to send its VPN logs to the monitoring account:
 * the vended log groups, their delivery resource policy, the logging-operator
 * policy, tunnel logging of existing connections, and either a subscription
 * filter per VPN log group or the account-level subscription filter policy,
 * to the monitoring account's destination in the same region, both named
 * `tunnelwatch-<region>` (alerts name the region from it). With
 * encryption `customer-managed` (the default) the account's own KMS key
 * encrypts the log groups it creates (`kmsKeyArn` names the monitoring
 * account's key and is not used here).
 */
import { Aws, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnAccountPolicy, CfnSubscriptionFilter } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { TunnelwatchConfig } from '../config.ts';
import { TunnelwatchKey } from '../constructs/encryption-key.ts';
import { destinationNameOf } from '../constructs/log-destination.ts';
import { sourceSubscriptionNameOf } from '../constructs/log-subscriptions.ts';
import { ConstructPropsError } from '../constructs/validation.ts';
import { addVpnLogs, type VpnLogParts } from '../constructs/vpn-logs.ts';

/** Props of `SourceAccountStack`. */
export interface SourceAccountStackProps extends StackProps {
  /** The configuration; `monitoring` must be set, `env.account` is the monitoring account. */
  readonly config: TunnelwatchConfig;
}

/**
 * A source account's part. The destination ARN is built from the stack's
 * region (`tunnelwatch-<region>` in the monitoring account), so one template
 * serves every region of a StackSet.
 */
export class SourceAccountStack extends Stack {
  /** The VPN log groups and their policies. */
  readonly vpnLogs: VpnLogParts;
  /** The key of the log groups (absent with encryption `service-managed`). */
  readonly encryptionKey?: TunnelwatchKey;
  /** `arn:aws:logs:<region>:<monitoring account>:destination:tunnelwatch-<region>` */
  readonly destinationArn: string;
  /** Subscription filters (mode `filters`). */
  readonly subscriptionFilters: readonly CfnSubscriptionFilter[];
  /** The account-level policy (mode `account-policy`). */
  readonly accountPolicy?: CfnAccountPolicy;
  /**
   * Role CloudWatch Logs uses to send to the destination; present when the
   * destination admits an organisation (its access policy then names no account).
   */
  readonly deliveryRole?: Role;

  constructor(scope: Construct, id: string, props: SourceAccountStackProps) {
    super(scope, id, props);
    const { config } = props;
    const monitoring = config.monitoring;
    const monitoringAccount = config.env?.account;
    if (monitoring === undefined || monitoringAccount === undefined) {
      throw new ConstructPropsError(this.node.path, [
        'config.monitoring and config.env.account (the monitoring account) are required',
      ]);
    }
    if (config.encryption === 'customer-managed') {
      this.encryptionKey = new TunnelwatchKey(this, 'EncryptionKey');
    }
    this.vpnLogs = addVpnLogs(
      this,
      config.vpnLogGroups,
      config.vpnConnections,
      this.encryptionKey?.key,
    );
    this.destinationArn = `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${monitoringAccount}:destination:${destinationNameOf(Aws.REGION)}`;

    if (monitoring.organizationId !== undefined) {
      this.deliveryRole = new Role(this, 'DeliveryRole', {
        description: 'tunnelwatch: CloudWatch Logs sends VPN logs to the monitoring account',
        assumedBy: new ServicePrincipal('logs.amazonaws.com').withConditions({
          StringLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:*`,
          },
        }),
      });
      this.deliveryRole.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'SendToDestination',
          actions: ['logs:PutLogEvents'],
          resources: [this.destinationArn],
        }),
      );
    }
    const roleArn = this.deliveryRole === undefined ? {} : { roleArn: this.deliveryRole.roleArn };
    // `tunnelwatch-<region>`: alerts name the region of the log group (the
    // payload names the filter, not the region).
    const subscriptionName = sourceSubscriptionNameOf(Aws.REGION);

    if (monitoring.subscription === 'account-policy') {
      this.subscriptionFilters = [];
      this.accountPolicy = new CfnAccountPolicy(this, 'SubscriptionPolicy', {
        policyName: subscriptionName,
        policyType: 'SUBSCRIPTION_FILTER_POLICY',
        scope: 'ALL',
        policyDocument: this.toJsonString({
          DestinationArn: this.destinationArn,
          FilterPattern: '',
          Distribution: 'ByLogStream',
          ...(this.deliveryRole === undefined ? {} : { RoleArn: this.deliveryRole.roleArn }),
        }),
      });
      for (const group of this.vpnLogs.logGroups) {
        this.accountPolicy.node.addDependency(group.logGroup);
      }
      return;
    }
    this.subscriptionFilters = this.vpnLogs.logGroups.map((group, i) => {
      const filter = new CfnSubscriptionFilter(this, `SubscriptionFilter${i}`, {
        logGroupName: group.config.name,
        filterName: subscriptionName,
        filterPattern: '',
        destinationArn: this.destinationArn,
        distribution: 'ByLogStream',
        ...roleArn,
      });
      filter.node.addDependency(group.logGroup);
      return filter;
    });
  }
}
