/**
 * `TunnelAlertSubscriptions`: subscription filters from monitored log groups
 * to the alert function, with the invoke permission CloudWatch Logs needs,
 * or (ingestion mode `kinesis`) to the Kinesis stream, distributed by log stream.
 */
import { Aws, Stack } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  type CfnSubscriptionFilter,
  FilterPattern,
  type ILogGroup,
  SubscriptionFilter,
} from 'aws-cdk-lib/aws-logs';
import { KinesisDestination, LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import { Construct } from 'constructs';
import { throwIfProblems } from './validation.ts';

/** CloudWatch Logs allows this many subscription filters per log group (not adjustable). */
export const MAX_SUBSCRIPTION_FILTERS_PER_LOG_GROUP = 2;
/**
 * Name of every filter tunnelwatch creates in the monitoring account (used by
 * the `DeliveryErrors` alarms).
 */
export const SUBSCRIPTION_FILTER_NAME = 'tunnelwatch';

/**
 * Name of a source account's filters and account-level policy:
 * `tunnelwatch-<region>`. CloudWatch Logs sends the name with every payload
 * (`subscriptionFilters`), and the alert function reads the region from it
 * (`regionOfSubscription` in src/aws/subscription-payload.ts), since the
 * payload does not name the region. `region` is usually `Aws.REGION`, so one
 * template serves every region.
 */
export function sourceSubscriptionNameOf(region: string): string {
  return `${SUBSCRIPTION_FILTER_NAME}-${region}`;
}

/** One log group to subscribe. */
export interface MonitoredLogGroup {
  readonly logGroup: ILogGroup;
  /** Name of the group (for alarms and messages). */
  readonly logGroupName: string;
  /** Filters other tools already put on this group. @default 0 */
  readonly otherSubscriptionFilters?: number;
}

/** Props of `TunnelAlertSubscriptions`. */
export interface TunnelAlertSubscriptionsProps {
  readonly function: IFunction;
  readonly logGroups: readonly MonitoredLogGroup[];
  /**
   * Ingestion mode `kinesis`: the filters write to this stream (as `role`),
   * `Distribution: ByLogStream`, instead of invoking the function.
   * @default - the filters invoke `function`
   */
  readonly kinesis?: { readonly stream: IStream; readonly role: IRole };
}

/** Filters this app creates per log group name, per stack, across every instance. */
const filtersPerStack = new WeakMap<Stack, Map<string, number>>();

/**
 * One subscription filter (all events) per log group to the function, plus
 * a `lambda:InvokeFunction` permission for `logs.amazonaws.com` scoped with
 * `SourceArn` (that group) and `SourceAccount`. Synth fails when a group
 * would get more than 2 filters, counting the ones other tools declared and
 * the ones other instances in the same stack created.
 */
export class TunnelAlertSubscriptions extends Construct {
  /** The filters, in the order of `logGroups`. */
  readonly filters: readonly SubscriptionFilter[];

  constructor(scope: Construct, id: string, props: TunnelAlertSubscriptionsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const counts = filtersPerStack.get(stack) ?? new Map<string, number>();
    filtersPerStack.set(stack, counts);
    const planned = new Map<string, number>();
    const problems: string[] = [];
    for (const group of props.logGroups) {
      const before =
        planned.get(group.logGroupName) ??
        counts.get(group.logGroupName) ??
        group.otherSubscriptionFilters ??
        0;
      const total = before + 1;
      planned.set(group.logGroupName, total);
      if (total > MAX_SUBSCRIPTION_FILTERS_PER_LOG_GROUP) {
        problems.push(
          `log group "${group.logGroupName}" would have ${total} subscription filters; CloudWatch Logs allows ${MAX_SUBSCRIPTION_FILTERS_PER_LOG_GROUP} per log group`,
        );
      }
    }
    throwIfProblems(this, problems);
    for (const [name, total] of planned) counts.set(name, total);

    const kinesis = props.kinesis;
    if (kinesis !== undefined) {
      const destination = new KinesisDestination(kinesis.stream, { role: kinesis.role });
      this.filters = props.logGroups.map((group, i) => {
        const filter = new SubscriptionFilter(new Construct(this, `Group${i}`), 'Filter', {
          logGroup: group.logGroup,
          destination,
          filterPattern: FilterPattern.allEvents(),
          filterName: SUBSCRIPTION_FILTER_NAME,
        });
        // Records of one log stream stay in one shard, in order.
        (filter.node.defaultChild as CfnSubscriptionFilter).distribution = 'ByLogStream';
        return filter;
      });
      return;
    }
    const destination = new LambdaDestination(props.function, { addPermissions: false });
    this.filters = props.logGroups.map((group, i) => {
      const holder = new Construct(this, `Group${i}`);
      props.function.addPermission('InvokeFromLogs', {
        principal: new ServicePrincipal('logs.amazonaws.com'),
        sourceArn: group.logGroup.logGroupArn,
        sourceAccount: Aws.ACCOUNT_ID,
        scope: holder,
      });
      const filter = new SubscriptionFilter(holder, 'Filter', {
        logGroup: group.logGroup,
        destination,
        filterPattern: FilterPattern.allEvents(),
        filterName: SUBSCRIPTION_FILTER_NAME,
      });
      const permission = holder.node.tryFindChild('InvokeFromLogs');
      if (permission !== undefined) filter.node.addDependency(permission);
      return filter;
    });
  }
}
