/**
 * The monitoring account of a multi-account deployment (`monitoring` in the
 * configuration): `MonitoringStack` in the home region (env.region) holds the
 * Kinesis stream, the alert function, the state table, the topic, alarms,
 * dashboard and the home region's CloudWatch Logs destination;
 * `MonitoringRegionStack` adds the destination of each further region,
 * pointing at the same stream.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { MonitoringConfig, TunnelwatchConfig } from '../config.ts';
import { TunnelwatchLogDestination } from '../constructs/log-destination.ts';
import { Tunnelwatch, tunnelwatchPropsFromConfig } from '../constructs/tunnelwatch.ts';
import { ConstructPropsError } from '../constructs/validation.ts';

/** Props of `MonitoringStack`. */
export interface MonitoringStackProps extends StackProps {
  /** The configuration, with `monitoring`, `env.account` and `env.region`. */
  readonly config: TunnelwatchConfig;
  /** @default - the Kinesis handler (see `TunnelwatchProps.functionEntry`) */
  readonly functionEntry?: string;
}

/** The names the regions' destinations use to reach the home region's stream and role. */
export interface MonitoringTargets {
  /** ARN of the stream (home region). */
  readonly streamArn: string;
  /** ARN of the role CloudWatch Logs assumes to put records. */
  readonly roleArn: string;
}

function monitoringOf(scope: Construct, config: TunnelwatchConfig): MonitoringConfig {
  if (config.monitoring === undefined) {
    throw new ConstructPropsError(scope.node.path, ['config.monitoring is required']);
  }
  return config.monitoring;
}

function sendersOf(monitoring: MonitoringConfig) {
  return {
    accounts: monitoring.sourceAccounts,
    ...(monitoring.organizationId === undefined
      ? {}
      : { organizationId: monitoring.organizationId }),
  };
}

/**
 * The home region: one `Tunnelwatch` in ingestion mode `kinesis` that watches
 * the source accounts' VPN log groups (named by `vpnLogGroups`, created by the
 * source stacks) through the stream, and the home region's destination.
 */
export class MonitoringStack extends Stack {
  readonly tunnelwatch: Tunnelwatch;
  readonly destination: TunnelwatchLogDestination;
  /** For `MonitoringRegionStack`s. */
  readonly targets: MonitoringTargets;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { config } = props;
    const monitoring = monitoringOf(this, config);
    const ingestion = config.ingestion;
    const fromConfig = tunnelwatchPropsFromConfig(config);
    this.tunnelwatch = new Tunnelwatch(this, 'Default', {
      ...fromConfig,
      // The VPNs and their log groups are in the source accounts.
      vpnLogGroups: [],
      vpnConnections: [],
      remoteSources: {
        vpnLogGroupNames: config.vpnLogGroups.map((group) => group.name),
        sourceAccounts: monitoring.sourceAccounts,
        ...(monitoring.organizationId === undefined
          ? {}
          : { organizationId: monitoring.organizationId }),
      },
      ingestion: {
        mode: 'kinesis',
        ...(ingestion.shards === undefined ? {} : { shards: ingestion.shards }),
        retention: Duration.hours(ingestion.retentionHours),
        batchSize: ingestion.batchSize,
        parallelizationFactor: ingestion.parallelizationFactor,
        retryAttempts: ingestion.retryAttempts,
        // Named, so that the other regions' destinations can name them.
        streamName: `${this.stackName}-vpn-logs`,
        logsRoleName: `${this.stackName}-logs-to-stream`,
      },
      ...(config.kmsKeyArn === undefined
        ? {}
        : { encryptionKey: Key.fromKeyArn(this, 'Key', config.kmsKeyArn) }),
      ...(props.functionEntry === undefined ? {} : { functionEntry: props.functionEntry }),
    });
    const kinesis = this.tunnelwatch.kinesis;
    if (kinesis === undefined) throw new Error('Tunnelwatch in mode kinesis has no stream');
    this.targets = {
      streamArn: this.formatArn({
        service: 'kinesis',
        resource: 'stream',
        resourceName: `${this.stackName}-vpn-logs`,
      }),
      roleArn: this.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: `${this.stackName}-logs-to-stream`,
      }),
    };
    this.destination = new TunnelwatchLogDestination(this, 'Destination', {
      ...this.targets,
      senders: sendersOf(monitoring),
    });
    this.destination.node.addDependency(kinesis.logsRole, kinesis.stream);
  }
}

/** Props of `MonitoringRegionStack`. */
export interface MonitoringRegionStackProps extends StackProps {
  readonly config: TunnelwatchConfig;
  /** The home region's stream and role, by ARN (they are in another region). */
  readonly targets: MonitoringTargets;
}

/** A further region's destination, pointing at the home region's stream. */
export class MonitoringRegionStack extends Stack {
  readonly destination: TunnelwatchLogDestination;

  constructor(scope: Construct, id: string, props: MonitoringRegionStackProps) {
    super(scope, id, props);
    this.destination = new TunnelwatchLogDestination(this, 'Destination', {
      ...props.targets,
      senders: sendersOf(monitoringOf(this, props.config)),
    });
  }
}
