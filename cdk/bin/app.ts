/**
 * The CDK app: `npx cdk synth -c config=samples/tunnelwatch.config.json`.
 * Reads and validates the configuration, then builds one `TunnelwatchStack`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, configFromContext, MissingConfigError } from '../config.ts';
import { ConstructPropsError } from '../constructs/validation.ts';
import { TunnelwatchStack } from '../stacks/tunnelwatch-stack.ts';

const app = new App();
try {
  const config = configFromContext(app.node.tryGetContext('config'));
  new TunnelwatchStack(app, config.stackName, {
    config,
    ...(config.env === undefined ? {} : { env: config.env }),
    description: 'tunnelwatch: VPN log alerting',
  });
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
