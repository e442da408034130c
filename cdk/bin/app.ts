/**
 * The CDK app: `npx cdk synth -c config=samples/tunnelwatch.config.json`.
 * Reads and validates the configuration, then builds one `TunnelwatchStack`,
 * or, with `monitoring` in the configuration, the monitoring account's stacks
 * (home region and one per further region) and the source-account stack.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, configFromContext, MissingConfigError } from '../config.ts';
import { ConstructPropsError } from '../constructs/validation.ts';
import { addMultiAccountStacks } from '../stacks/multi-account.ts';
import { TunnelwatchStack } from '../stacks/tunnelwatch-stack.ts';

const app = new App();
try {
  const config = configFromContext(app.node.tryGetContext('config'));
  if (config.monitoring === undefined) {
    new TunnelwatchStack(app, config.stackName, {
      config,
      ...(config.env === undefined ? {} : { env: config.env }),
      description: 'tunnelwatch: VPN log alerting',
    });
  } else {
    addMultiAccountStacks(app, config);
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} catch (error) {
  if (
    error instanceof ConfigError ||
    error instanceof MissingConfigError ||
    error instanceof ConstructPropsError
  ) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
