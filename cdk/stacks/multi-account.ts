/**
 * The stacks of a multi-account deployment (`monitoring` in the
 * configuration): `<stackName>Monitoring` in env.region, one
 * `<stackName>Monitoring-<region>` per further region of
 * `monitoring.regions`, and `<stackName>Source`, the environment-agnostic
 * stack each source account deploys in each region (per account, or as a
 * StackSet).
 */
import type { App } from 'aws-cdk-lib';
import type { TunnelwatchConfig } from '../config.ts';
import { MonitoringRegionStack, MonitoringStack } from './monitoring-stack.ts';
import { SourceAccountStack } from './source-account-stack.ts';

/** The stacks `addMultiAccountStacks` made. */
export interface MultiAccountStacks {
  readonly monitoring: MonitoringStack;
  readonly regions: readonly MonitoringRegionStack[];
  readonly source: SourceAccountStack;
}

/** Adds the monitoring and source-account stacks of `config` to `app`. */
export function addMultiAccountStacks(
  app: App,
  config: TunnelwatchConfig,
  options: { readonly functionEntry?: string } = {},
): MultiAccountStacks {
  const account = config.env?.account;
  const home = config.env?.region;
  const monitoring = new MonitoringStack(app, `${config.stackName}Monitoring`, {
    config,
    ...(account === undefined || home === undefined ? {} : { env: { account, region: home } }),
    ...(options.functionEntry === undefined ? {} : { functionEntry: options.functionEntry }),
    description:
      'tunnelwatch: monitoring account (stream, alert function, state, topic, destination)',
  });
  const regions = (config.monitoring?.regions ?? [])
    .filter((region) => region !== home)
    .map((region) => {
      const stack = new MonitoringRegionStack(app, `${config.stackName}Monitoring-${region}`, {
        config,
        targets: monitoring.targets,
        ...(account === undefined ? {} : { env: { account, region } }),
        description: `tunnelwatch: CloudWatch Logs destination for ${region}`,
      });
      stack.addStackDependency(monitoring);
      return stack;
    });
  const source = new SourceAccountStack(app, `${config.stackName}Source`, {
    config,
    description:
      'tunnelwatch: source account (VPN log groups, tunnel logging, subscription to the monitoring account)',
  });
  return { monitoring, regions, source };
}
