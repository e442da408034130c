import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig, type TunnelwatchConfig } from '../../cdk/config.ts';
import { Tunnelwatch } from '../../cdk/constructs/tunnelwatch.ts';
import { TunnelwatchStack } from '../../cdk/stacks/tunnelwatch-stack.ts';

/** Entry used by synths that do not bundle (the real handler is bundled in bundling.test.ts). */
export const FIXTURE_ENTRY = new URL('./fixtures/handler.ts', import.meta.url).pathname;

/** Path of the sample configuration. */
export const SAMPLE_CONFIG_PATH = new URL('../../samples/tunnelwatch.config.json', import.meta.url);

/** The sample configuration as parsed JSON (to derive variants from). */
export function sampleConfigJson(): Record<string, unknown> {
  return JSON.parse(readFileSync(SAMPLE_CONFIG_PATH, 'utf8')) as Record<string, unknown>;
}

/** The feature flags of cdk.json, so tests synthesize what `cdk synth` does. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/** An App with cdk.json's feature flags that does not bundle (unit synths). */
export function unbundledApp(): App {
  return new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
}

/** A bare stack in an unbundled app. */
export function testStack(env?: { account: string; region: string }): Stack {
  return new Stack(unbundledApp(), 'Test', env === undefined ? {} : { env });
}

/** Two Tunnelwatch constructs ('Default' and 'Second') in one bare stack, as a CDK app embedding it twice would. */
export function twoTunnelwatches(): Template {
  const stack = testStack();
  const props = {
    openvpnGateways: [{ name: 'gw', timeZone: 'UTC' }],
    functionEntry: FIXTURE_ENTRY,
  };
  new Tunnelwatch(stack, 'Default', props);
  new Tunnelwatch(stack, 'Second', {
    ...props,
    openvpnGateways: [{ name: 'gw2', timeZone: 'UTC' }],
  });
  return Template.fromStack(stack);
}

/** Synthesizes the tunnelwatch stack for `config` (default: the sample). */
export function synthTunnelwatch(config?: TunnelwatchConfig): {
  app: App;
  stack: TunnelwatchStack;
  template: Template;
} {
  const app = unbundledApp();
  const stack = new TunnelwatchStack(app, 'Tunnelwatch', {
    config: config ?? parseConfig(sampleConfigJson(), 'sample'),
    functionEntry: FIXTURE_ENTRY,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The emulator virtualenv's cfn-lint (installed by scripts/setup-emulator.sh). */
export const CFN_LINT = new URL('../../.venv/bin/cfn-lint', import.meta.url).pathname;
/**
 * W3005 (redundant DependsOn) is how aws-cdk-lib itself writes every Lambda
 * function with an explicit role: it adds DependsOn on the role next to the
 * GetAtt. Nothing in tunnelwatch can remove it.
 */
export const CFN_LINT_IGNORED = ['W3005'];

/** Runs cfn-lint on templates: its exit status and what it printed. */
export function cfnLint(templatePaths: readonly string[]): { status: number; output: string } {
  try {
    const output = execFileSync(
      CFN_LINT,
      ['--ignore-checks', ...CFN_LINT_IGNORED, '--', ...templatePaths],
      { encoding: 'utf8' },
    );
    return { status: 0, output };
  } catch (error) {
    const failure = error as { status: number; stdout: string };
    return { status: failure.status, output: failure.stdout };
  }
}
