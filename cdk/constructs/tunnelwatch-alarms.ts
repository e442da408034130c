/**
 * `TunnelwatchAlarms`: CloudWatch alarms that notify the alert topic when the
 * pipeline itself fails and when AWS VPN tunnels are down.
 */
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Period of every alarm. */
export const ALARM_PERIOD = Duration.minutes(5);
/** Consecutive periods a tunnel must be down before its alarm fires (rides out brief renegotiations). */
export const TUNNEL_DOWN_EVALUATION_PERIODS = 2;

/** Props of `TunnelwatchAlarms`. */
export interface TunnelwatchAlarmsProps {
  readonly topic: ITopic;
  readonly function: IFunction;
  readonly deadLetterQueue: IQueue;
  /** Log group names carrying a tunnelwatch subscription filter. */
  readonly subscribedLogGroupNames: readonly string[];
  /** Name of the subscription filters. */
  readonly subscriptionFilterName: string;
  /** AWS Site-to-Site VPN connections to watch through `AWS/VPN TunnelState`. */
  readonly vpnConnectionIds: readonly string[];
}

/** The `AWS/VPN TunnelState` metric of one VPN connection (dimension `VpnId`). */
export function tunnelStateMetric(
  vpnConnectionId: string,
  statistic: 'Minimum' | 'Maximum',
): Metric {
  return new Metric({
    namespace: 'AWS/VPN',
    metricName: 'TunnelState',
    dimensionsMap: { VpnId: vpnConnectionId },
    statistic,
    period: ALARM_PERIOD,
  });
}

/**
 * Alarms, each sending ALARM (and OK) to the topic:
 * - function `Errors` ≥ 1 and `Throttles` ≥ 1 (Sum over 5 minutes);
 * - dead-letter queue not empty (`ApproximateNumberOfMessagesVisible` ≥ 1);
 * - per subscribed log group, `AWS/Logs DeliveryErrors` ≥ 1;
 * - per VPN connection, "one tunnel down": TunnelState Minimum < 1, and
 *   "all tunnels down": TunnelState Maximum < 1 (aggregated over `VpnId`,
 *   TunnelState is the fraction of tunnels up), missing data as breaching.
 */
export class TunnelwatchAlarms extends Construct {
  /** Every alarm created. */
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: TunnelwatchAlarmsProps) {
    super(scope, id);
    const alarms: Alarm[] = [];
    const action = new SnsAction(props.topic);
    const add = (alarm: Alarm, notifyOk: boolean): void => {
      alarm.addAlarmAction(action);
      if (notifyOk) alarm.addOkAction(action);
      alarms.push(alarm);
    };
    /** An alarm on a pipeline failure: metric ≥ 1 in one period, missing data is fine. */
    const onAnyFailure = (
      alarmId: string,
      alarmDescription: string,
      metric: IMetric,
      notifyOk: boolean,
    ): void =>
      add(
        new Alarm(this, alarmId, {
          alarmDescription,
          metric,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
        notifyOk,
      );
    /** An alarm on tunnels down: TunnelState < 1 for the evaluation periods, missing data breaches. */
    const onTunnelsDown = (alarmId: string, alarmDescription: string, metric: IMetric): void =>
      add(
        new Alarm(this, alarmId, {
          alarmDescription,
          metric,
          threshold: 1,
          evaluationPeriods: TUNNEL_DOWN_EVALUATION_PERIODS,
          comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
          treatMissingData: TreatMissingData.BREACHING,
        }),
        true,
      );

    onAnyFailure(
      'FunctionErrors',
      'tunnelwatch: the alert function failed; events are retried, then sent to the dead-letter queue',
      props.function.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
      false,
    );
    onAnyFailure(
      'FunctionThrottles',
      'tunnelwatch: the alert function was throttled; alerts are delayed',
      props.function.metricThrottles({ period: ALARM_PERIOD, statistic: 'Sum' }),
      false,
    );
    onAnyFailure(
      'DeadLetters',
      'tunnelwatch: log events could not be processed and wait in the dead-letter queue; replay them after fixing the cause',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: ALARM_PERIOD,
        statistic: 'Maximum',
      }),
      true,
    );
    for (const [i, logGroupName] of props.subscribedLogGroupNames.entries()) {
      onAnyFailure(
        `DeliveryErrors${i}`,
        `tunnelwatch: CloudWatch Logs could not deliver ${logGroupName} to the alert function`,
        new Metric({
          namespace: 'AWS/Logs',
          metricName: 'DeliveryErrors',
          dimensionsMap: {
            LogGroupName: logGroupName,
            DestinationType: 'Lambda',
            FilterName: props.subscriptionFilterName,
          },
          statistic: 'Sum',
          period: ALARM_PERIOD,
        }),
        false,
      );
    }
    for (const vpnId of props.vpnConnectionIds) {
      onTunnelsDown(
        `OneTunnelDown-${vpnId}`,
        `tunnelwatch: at least one tunnel of ${vpnId} is down (TunnelState Minimum < 1); the connection has lost redundancy`,
        tunnelStateMetric(vpnId, 'Minimum'),
      );
      onTunnelsDown(
        `AllTunnelsDown-${vpnId}`,
        `tunnelwatch: every tunnel of ${vpnId} is down (TunnelState Maximum < 1); the site is cut off`,
        tunnelStateMetric(vpnId, 'Maximum'),
      );
    }
    this.alarms = alarms;
  }
}
