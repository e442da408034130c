/**
 * `TunnelwatchLogDestination`: the CloudWatch Logs destination through which
 * source accounts' subscription filters (or account-level subscription
 * policies) send their VPN logs to the monitoring account's Kinesis stream.
 * A destination serves the log groups of its own region only, so the
 * monitoring account has one per region (the stream may be elsewhere).
 */
import { Stack } from 'aws-cdk-lib';
import { CfnDestination } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { isToken, throwIfProblems } from './validation.ts';

/** Destination names start with this; the region follows (`tunnelwatch-eu-west-1`). */
export const DESTINATION_NAME_PREFIX = 'tunnelwatch-';
/** CloudWatch Logs limits a destination access policy to this many bytes. */
export const DESTINATION_POLICY_MAX_BYTES = 5120;

/** The destination name tunnelwatch uses in `region`. */
export function destinationNameOf(region: string): string {
  return `${DESTINATION_NAME_PREFIX}${region}`;
}

/** Who may subscribe to the destination: accounts by id, or an organisation. */
export interface DestinationSenders {
  /** 12-digit account ids. @default - none */
  readonly accounts?: readonly string[];
  /** `o-…`: every account of the organisation. @default - none */
  readonly organizationId?: string;
}

/** Props of `TunnelwatchLogDestination`. */
export interface TunnelwatchLogDestinationProps {
  /** ARN of the monitoring account's stream (may be in another region). */
  readonly streamArn: string;
  /** ARN of the role CloudWatch Logs assumes to put records (`KinesisIngestion.logsRole`). */
  readonly roleArn: string;
  /** Accounts or organisation allowed to send. At least one. */
  readonly senders: DestinationSenders;
}

/** The access policy of a destination: `logs:PutSubscriptionFilter` and `logs:PutAccountPolicy` for the senders. */
export function destinationPolicy(destinationArn: string, senders: DestinationSenders): object {
  const actions = ['logs:PutSubscriptionFilter', 'logs:PutAccountPolicy'];
  const statements: object[] = [];
  if ((senders.accounts ?? []).length > 0) {
    statements.push({
      Sid: 'SourceAccounts',
      Effect: 'Allow',
      Principal: { AWS: [...(senders.accounts ?? [])] },
      Action: actions,
      Resource: destinationArn,
    });
  }
  if (senders.organizationId !== undefined) {
    statements.push({
      Sid: 'Organization',
      Effect: 'Allow',
      Principal: '*',
      Action: actions,
      Resource: destinationArn,
      Condition: { StringEquals: { 'aws:PrincipalOrgID': [senders.organizationId] } },
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** One destination in this stack's region, named `tunnelwatch-<region>`. */
export class TunnelwatchLogDestination extends Construct {
  readonly destination: CfnDestination;
  /** `arn:aws:logs:<region>:<account>:destination:tunnelwatch-<region>` */
  readonly destinationArn: string;
  readonly destinationName: string;

  constructor(scope: Construct, id: string, props: TunnelwatchLogDestinationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const problems: string[] = [];
    const accounts = props.senders.accounts ?? [];
    if (accounts.length === 0 && props.senders.organizationId === undefined) {
      problems.push('senders must name source accounts or an organization id');
    }
    if (isToken(stack.region)) {
      problems.push('the stack needs an explicit region: a destination is named after it');
    }
    this.destinationName = destinationNameOf(stack.region);
    this.destinationArn = `arn:${stack.partition}:logs:${stack.region}:${stack.account}:destination:${this.destinationName}`;
    const policy = JSON.stringify(destinationPolicy(this.destinationArn, props.senders));
    // Tokens (partition, account) resolve to at most ~20 characters each.
    if (Buffer.byteLength(policy) > DESTINATION_POLICY_MAX_BYTES) {
      problems.push(
        `the destination access policy measures ${Buffer.byteLength(policy)} bytes, over CloudWatch Logs' ${DESTINATION_POLICY_MAX_BYTES}: name an organization id instead of ${accounts.length} accounts`,
      );
    }
    throwIfProblems(this, problems);
    this.destination = new CfnDestination(this, 'Destination', {
      destinationName: this.destinationName,
      targetArn: props.streamArn,
      roleArn: props.roleArn,
      destinationPolicy: stack.toJsonString(destinationPolicy(this.destinationArn, props.senders)),
    });
  }
}
