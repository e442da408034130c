/**
 * The moto emulator (test/integration/emulator.ts) with what the import tests
 * and bench need on top: CloudWatch Logs clients, log group creation, and
 * dummy credentials in the environment for commands that build their own
 * client.
 */
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startEmulator } from '../integration/emulator.ts';

/** A running emulator. */
export interface Moto {
  readonly endpoint: string;
  /** A CloudWatch Logs client for the emulator. */
  client(options?: { maxAttempts?: number }): CloudWatchLogsClient;
  /** Creates a log group, returns its name. */
  createLogGroup(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Dummy credentials in the environment, for commands that build their own client. */
export function useDummyCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  process.env.AWS_REGION = 'us-east-1';
}

/** Starts moto and waits until it answers. */
export async function startMoto(): Promise<Moto> {
  useDummyCredentials();
  const emulator = await startEmulator();
  const client = (options: { maxAttempts?: number } = {}): CloudWatchLogsClient =>
    new CloudWatchLogsClient({
      ...emulator.clientConfig,
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    });
  const admin = client();
  return {
    endpoint: emulator.endpoint,
    client,
    async createLogGroup(name) {
      await admin.send(new CreateLogGroupCommand({ logGroupName: name }));
      return name;
    },
    stop: () => emulator.stop(),
  };
}
