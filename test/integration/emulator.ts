/**
 * The local AWS emulator for integration tests: moto in server mode (installed
 * into `.venv` by `scripts/setup-emulator.sh`), run by `scripts/moto-server.py`
 * so that it handles one request at a time (moto's own server is not safe for
 * concurrent DynamoDB transactions; see that script), started on 127.0.0.1 on a
 * free port, with dummy credentials for the SDK clients.
 *
 * Use from a test file: `const emulator = await startEmulator()` in `beforeAll`,
 * `await emulator.stop()` in `afterAll`. Each file starts its own server, so
 * files never share state.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The moto server executable installed by `scripts/setup-emulator.sh`. */
export const MOTO_SERVER = join(ROOT, '.venv', 'bin', 'moto_server');
/** The virtualenv's Python, which runs the serialising launcher. */
const VENV_PYTHON = join(ROOT, '.venv', 'bin', 'python');
const LAUNCHER = join(ROOT, 'scripts', 'moto-server.py');

/** Region and dummy credentials every emulator client uses. */
export const EMULATOR_REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/** A running moto server. */
export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Options for any `@aws-sdk/client-*` constructor, pointed at the emulator. */
  readonly clientConfig: {
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: typeof CREDENTIALS;
  };
  /** Stops the server and waits for the process to exit. */
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** Starts moto on a free port and resolves once it answers HTTP (at most `timeoutMs`). */
export async function startEmulator({ timeoutMs = 60_000 } = {}): Promise<Emulator> {
  if (!existsSync(MOTO_SERVER)) {
    throw new Error(`${MOTO_SERVER} not found: run "bash scripts/setup-emulator.sh" first`);
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    VENV_PYTHON,
    [LAUNCHER, '-H', '127.0.0.1', '-p', String(port)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(endpoint))) {
    if (child.exitCode !== null) {
      throw new Error(`moto_server exited with ${child.exitCode} before answering:\n${stderr}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(
        `moto_server did not answer on ${endpoint} within ${timeoutMs} ms:\n${stderr}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    endpoint,
    clientConfig: { endpoint, region: EMULATOR_REGION, credentials: CREDENTIALS },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
