/**
 * Starts the moto server (`.venv/bin/moto_server`, set up by
 * scripts/setup-emulator.sh) on 127.0.0.1 and a free port for a test file,
 * and stops it after. Clients use `endpoint` and dummy credentials.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';

const MOTO = join(process.cwd(), '.venv', 'bin', 'moto_server');

/** A running emulator. */
export interface Moto {
  readonly endpoint: string;
  /** A client for the emulator (dummy credentials, us-east-1). */
  client(options?: { maxAttempts?: number }): CloudWatchLogsClient;
  /** Creates a log group, returns its name. */
  createLogGroup(name: string): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Dummy credentials in the environment, for commands that build their own client. */
export function useDummyCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  process.env.AWS_REGION = 'us-east-1';
}

/** Starts moto and waits until it answers (up to 30 s). */
export async function startMoto(): Promise<Moto> {
  if (!existsSync(MOTO)) {
    throw new Error(`${MOTO} not found: run scripts/setup-emulator.sh first`);
  }
  useDummyCredentials();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(MOTO, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited: ${stderr}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const client = (options: { maxAttempts?: number } = {}): CloudWatchLogsClient =>
    new CloudWatchLogsClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    });
  const admin = client();
  return {
    endpoint,
    client,
    async createLogGroup(name) {
      await admin.send(new CreateLogGroupCommand({ logGroupName: name }));
      return name;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
