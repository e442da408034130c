/**
 * A real SoftEther VPN Server (Debian's softether-vpnserver) in its own
 * network and mount namespace, driven with Debian's vpncmd. Each run gets its
 * own copy of the program directory and its own config, log and runtime
 * directories, bound over the paths the Debian build has compiled in
 * (/var/lib/softether, /var/log/softether, /run/softether).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandResult, Namespace, requireInstalled } from './namespace.ts';
import { logFiles } from './read-logs.ts';

const PROGRAM_DIR = '/usr/libexec/softether/vpnserver';
const VPNCMD = '/usr/libexec/softether/vpncmd/vpncmd';

/** A vpncmd command adding a hub access-list rule (discard TCP to port 22 of 10.0.0.0/8). */
export const ACCESS_ADD_BLOCK_SSH: readonly string[] = [
  'AccessAdd',
  'discard',
  '/MEMO:block-ssh',
  '/PRIORITY:1',
  '/SRCUSERNAME:',
  '/DESTUSERNAME:',
  '/SRCMAC:',
  '/DESTMAC:',
  '/SRCIP:0.0.0.0/0',
  '/DESTIP:10.0.0.0/8',
  '/PROTOCOL:tcp',
  '/SRCPORT:',
  '/DESTPORT:22',
  '/TCPSTATE:',
];

/** The admin password the harness sets on a fresh server. */
export const ADMIN_PASSWORD = 'tw-admin-pass';

/** A running server; everything it wrote is under `logDir`. */
export class SoftetherServer {
  private constructor(
    readonly namespace: Namespace,
    /** The run's directory (program copy, config, logs). */
    readonly root: string,
    /** What the server sees as /var/log/softether. */
    readonly logDir: string,
  ) {}

  /**
   * Starts a fresh server (killed by itself after `lifetimeSeconds`) and sets
   * its admin password.
   */
  static async start(
    lifetimeSeconds = 240,
    /** `lang.config`: `en`, `ja`, `cn` (simplified Chinese), `tw` (traditional)… */
    language = 'en',
  ): Promise<SoftetherServer> {
    requireInstalled([
      [`${PROGRAM_DIR}/vpnserver`, 'softether-vpnserver'],
      [VPNCMD, 'softether-vpncmd'],
      ['/usr/bin/python3', 'python3'],
    ]);
    const root = mkdtempSync(join(tmpdir(), 'tunnelwatch-softether-'));
    const dirs = { lib: join(root, 'lib'), log: join(root, 'softether'), run: join(root, 'run') };
    for (const dir of Object.values(dirs)) mkdirSync(dir);
    // The server writes its logs in the language of lang.config.
    writeFileSync(join(dirs.lib, 'lang.config'), `${language}\n`);
    // The program directory holds a relative hamcore.se2 symlink: copy it dereferenced.
    execFileSync('cp', ['-rL', PROGRAM_DIR, join(root, 'program')]);
    const namespace = await Namespace.create({
      lifetimeSeconds,
      binds: [
        { source: dirs.lib, target: '/var/lib/softether' },
        { source: dirs.log, target: '/var/log/softether' },
        { source: dirs.run, target: '/run/softether' },
      ],
    });
    namespace.start(join(root, 'program', 'vpnserver'), ['execsvc'], lifetimeSeconds);
    const server = new SoftetherServer(namespace, root, dirs.log);
    await server.waitForAdminPort();
    const set = await server.vpncmd(['ServerPasswordSet', ADMIN_PASSWORD], { password: null });
    if (set.code !== 0) throw new Error(`ServerPasswordSet failed: ${set.stdout}${set.stderr}`);
    return server;
  }

  private async waitForAdminPort(): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const probe = await this.namespace.run(
        '/usr/bin/python3',
        ['-c', 'import socket; socket.create_connection(("127.0.0.1", 5555), 1).close()'],
        { timeoutSeconds: 3 },
      );
      if (probe.code === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the SoftEther server did not listen on 127.0.0.1:5555 within 5 s');
  }

  /**
   * Runs one vpncmd command in server admin mode (or hub admin mode with
   * `hub`). `password: null` connects without one (a fresh server). stdin is
   * empty, so a refused password ends vpncmd at its prompt instead of waiting;
   * vpncmd then spins on the closed input, and `timeoutSeconds` ends it.
   */
  vpncmd(
    command: readonly string[],
    options: { password?: string | null; hub?: string; timeoutSeconds?: number } = {},
  ): Promise<CommandResult> {
    const password = options.password === undefined ? ADMIN_PASSWORD : options.password;
    return this.namespace.run(
      VPNCMD,
      [
        'localhost:5555',
        '/SERVER',
        ...(password === null ? [] : [`/PASSWORD:${password}`]),
        ...(options.hub === undefined ? [] : [`/ADMINHUB:${options.hub}`]),
        '/CMD',
        ...command,
      ],
      { timeoutSeconds: options.timeoutSeconds ?? 15, cwd: '/var/lib/softether' },
    );
  }

  /** Whether a log file under `logDir` contains `text` now. */
  hasLog(text: string): boolean {
    return logFiles(this.logDir).some((file) => readFileSync(file, 'utf8').includes(text));
  }

  /** Waits until a log file under `logDir` contains `text` (throws after `timeoutMs`). */
  async waitForLog(text: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.hasLog(text)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(
      `no SoftEther log under ${this.logDir} contains "${text}" after ${timeoutMs} ms`,
    );
  }

  /** Stops the server (SIGTERM: it writes its shutdown lines) and the namespace. */
  async stop(): Promise<void> {
    await this.namespace.stop();
  }

  /** Stops everything and deletes the run's directory (kept with TUNNELWATCH_KEEP_REAL_LOGS=1). */
  async remove(): Promise<void> {
    await this.stop();
    if (process.env.TUNNELWATCH_KEEP_REAL_LOGS !== '1')
      rmSync(this.root, { recursive: true, force: true });
  }
}
