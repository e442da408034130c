/**
 * `TunnelwatchDashboard`: the CloudWatch dashboard on-call opens, under a
 * fixed name: the stack's alarms, each tunnel's state (from the logs, per
 * tunnel, beside `AWS/VPN TunnelState`), the latest alerts, failed logins per
 * source, and the alert function's EMF metrics (pipeline-contract.md, "EMF
 * metrics").
 */
import { Duration, Stack, Token } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  LogQueryVisualizationType,
  LogQueryWidget,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { tunnelStateMetric } from './tunnelwatch-alarms.ts';

/** Namespace of the function's EMF metrics. */
export const METRICS_NAMESPACE = 'Tunnelwatch';
/** The `service` dimension of every EMF metric. */
export const METRICS_SERVICE = 'tunnelwatch';
/** Period of the dashboard's graphs. */
export const DASHBOARD_PERIOD = Duration.minutes(5);
/** The default name is this prefix and the stack's name. */
export const DEFAULT_DASHBOARD_NAME_PREFIX = 'tunnelwatch-';
/** The message of the function's log line for each published alert (src/aws/subscription-processor.ts). */
export const ALERT_LOG_MESSAGE = 'alert published';
/** Alerts listed in the latest-alerts table. */
export const LATEST_ALERTS = 50;
/** CloudWatch's rule for dashboard names. */
const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** Props of `TunnelwatchDashboard`. */
export interface TunnelwatchDashboardProps {
  /** AWS Site-to-Site VPN connections to graph. */
  readonly vpnConnectionIds: readonly string[];
  /**
   * The dashboard's name: letters, digits, `-` and `_`, at most 255.
   * @default - `tunnelwatch-` and the stack's name
   */
  readonly dashboardName?: string;
  /**
   * Alarms to show in the alarm status widget.
   * @default - no alarm status widget
   */
  readonly alarms?: readonly IAlarm[];
  /**
   * The alert function's log group: the latest-alerts table queries it.
   * @default - no latest-alerts table
   */
  readonly functionLogGroup?: ILogGroup;
}

/** A count metric of the function with only the `service` dimension. */
export function serviceMetric(metricName: string): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: METRICS_SERVICE },
    statistic: 'Sum',
    period: DASHBOARD_PERIOD,
  });
}

/**
 * A SEARCH over an EMF metric split by `dimensions` (one line per value
 * combination); `filter` narrows it (`category="auth.failed"`).
 */
export function searchExpression(
  metricName: string,
  dimensions: readonly string[],
  label: string,
  { statistic = 'Sum', filter = '' }: { statistic?: string; filter?: string } = {},
): MathExpression {
  const schema = [METRICS_NAMESPACE, 'service', ...dimensions].join(',');
  const narrowed = filter === '' ? '' : ` ${filter}`;
  return new MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${metricName}"${narrowed}', '${statistic}', ${DASHBOARD_PERIOD.toSeconds()})`,
    label,
    period: DASHBOARD_PERIOD,
  });
}

/** The Logs Insights query of the latest-alerts table. */
export function latestAlertsQuery(limit = LATEST_ALERTS): string[] {
  return [
    'fields @timestamp, status, severity, rule, subject, alertId',
    `filter message = "${ALERT_LOG_MESSAGE}"`,
    'sort @timestamp desc',
    `limit ${limit}`,
  ];
}

/**
 * Rows, top to bottom: how to read it; alarm status; per VPN connection, its
 * tunnels' state (tunnelwatch's `TunnelUp` per tunnel, Minimum per period,
 * and `AWS/VPN TunnelState`); the latest alerts (Logs Insights); failed
 * logins per source and alerts by rule; events by category, unclassified and
 * malformed lines, and the pipeline's failure counters.
 */
export class TunnelwatchDashboard extends Construct {
  /** The dashboard. */
  readonly dashboard: Dashboard;
  /** Its name. */
  readonly dashboardName: string;

  constructor(scope: Construct, id: string, props: TunnelwatchDashboardProps) {
    super(scope, id);
    const name =
      props.dashboardName ?? `${DEFAULT_DASHBOARD_NAME_PREFIX}${Stack.of(this).stackName}`;
    if (!Token.isUnresolved(name) && !DASHBOARD_NAME.test(name)) {
      throw new Error(
        `TunnelwatchDashboard: dashboardName "${name}" must be 1-255 letters, digits, "-" or "_"`,
      );
    }
    this.dashboardName = name;
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: name,
      defaultInterval: Duration.hours(24),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: [
          '# tunnelwatch',
          'Tunnel state: **1 = up, 0 = down**. Per tunnel from the logs (tunnelwatch `TunnelUp`, the lowest value in each 5 minutes), beside AWS `TunnelState` per connection (Minimum < 1: a tunnel is down; Maximum < 1: all are down).',
          'Latest alerts: what was published to on-call, newest first. The cause and the evidence are in the alert itself.',
        ].join('\n\n'),
        width: 24,
        height: 3,
      }),
    );
    if (props.alarms !== undefined && props.alarms.length > 0) {
      this.dashboard.addWidgets(
        new AlarmStatusWidget({
          title: 'Alarms',
          alarms: [...props.alarms],
          width: 24,
          height: Math.min(6, 2 + Math.ceil(props.alarms.length / 4)),
        }),
      );
    }
    if (props.vpnConnectionIds.length > 0) {
      this.dashboard.addWidgets(
        ...props.vpnConnectionIds.map(
          (vpnId) =>
            new GraphWidget({
              title: `Tunnel state ${vpnId}`,
              left: [
                searchExpression('TunnelUp', ['vpnConnectionId', 'tunnelIp'], 'tunnel', {
                  statistic: 'Minimum',
                  filter: `vpnConnectionId="${vpnId}"`,
                }),
                tunnelStateMetric(vpnId, 'Minimum').with({
                  label: 'AWS TunnelState Minimum (a tunnel down < 1)',
                }),
                tunnelStateMetric(vpnId, 'Maximum').with({
                  label: 'AWS TunnelState Maximum (all down < 1)',
                }),
              ],
              leftYAxis: { min: 0, max: 1 },
              width: 12,
            }),
        ),
      );
    }
    if (props.functionLogGroup !== undefined) {
      this.dashboard.addWidgets(
        new LogQueryWidget({
          title: `Latest alerts (last ${LATEST_ALERTS})`,
          logGroupNames: [props.functionLogGroup.logGroupName],
          queryLines: latestAlertsQuery(),
          view: LogQueryVisualizationType.TABLE,
          width: 24,
          height: 8,
        }),
      );
    }
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Failed logins per source',
        left: [
          searchExpression('EventsParsed', ['source', 'category'], 'failed logins', {
            filter: 'category="auth.failed"',
          }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Alerts by rule and severity',
        left: [searchExpression('AlertsPublished', ['rule', 'severity'], 'alerts')],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Events by category',
        left: [searchExpression('EventsParsed', ['source', 'category'], 'events')],
        width: 8,
      }),
      new GraphWidget({
        title: 'Unclassified and malformed lines',
        left: [
          serviceMetric('Unclassified').with({ label: 'Unclassified' }),
          serviceMetric('Malformed').with({ label: 'Malformed' }),
        ],
        width: 8,
      }),
      new SingleValueWidget({
        title: 'Pipeline health',
        metrics: [
          'AlertsSuppressed',
          'PublishFailures',
          'PoisonPayloads',
          'StateConflicts',
          'LateEvents',
        ].map((name) => serviceMetric(name).with({ label: name })),
        width: 8,
      }),
    );
  }
}
