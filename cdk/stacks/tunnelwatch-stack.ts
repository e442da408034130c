/**
 * `TunnelwatchStack`: everything one account and region needs, built from a
 * validated `TunnelwatchConfig`: a stack holding one `Tunnelwatch` construct.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { TunnelwatchConfig } from '../config.ts';
import { Tunnelwatch, tunnelwatchPropsFromConfig } from '../constructs/tunnelwatch.ts';

/** Props of `TunnelwatchStack`. */
export interface TunnelwatchStackProps extends StackProps {
  readonly config: TunnelwatchConfig;
  /** @default - the alert function's default handler (see `TunnelwatchProps.functionEntry`) */
  readonly functionEntry?: string;
}

/**
 * A stack with one `Tunnelwatch` construct built from the configuration file.
 * The construct's id is `Default`, so its resources keep the logical ids
 * they had when the stack created them itself.
 */
export class TunnelwatchStack extends Stack {
  /** Everything tunnelwatch creates: its members and `parts` are the escape hatches. */
  readonly tunnelwatch: Tunnelwatch;

  constructor(scope: Construct, id: string, props: TunnelwatchStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.tunnelwatch = new Tunnelwatch(this, 'Default', {
      ...tunnelwatchPropsFromConfig(config),
      ...(config.kmsKeyArn === undefined
        ? {}
        : { encryptionKey: Key.fromKeyArn(this, 'Key', config.kmsKeyArn) }),
      ...(props.functionEntry === undefined ? {} : { functionEntry: props.functionEntry }),
    });
  }
}
