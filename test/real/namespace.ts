/**
 * A private network (and mount) namespace for running real VPN servers and
 * their clients in tests: only loopback is up inside, so nothing a server or
 * client sends can leave the machine. Every process started in it runs under
 * `timeout`, and the namespace's holder process ends by itself after its
 * lifetime, so nothing outlives a crashed test run.
 *
 * Needs root (`unshare`, `nsenter`, `mount`) and the Debian packages that
 * `scripts/setup-system.sh` installs.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A directory bound over another path inside the namespace only. */
export interface BindMount {
  readonly source: string;
  readonly target: string;
}

/** How to build the namespace. */
export interface NamespaceOptions {
  /** Seconds after which the holder process exits by itself. */
  readonly lifetimeSeconds: number;
  /** Directories mounted over paths (created on the host when missing, empty). */
  readonly binds?: readonly BindMount[];
  /**
   * Give the namespace its own `/dev` (tmpfs with null, zero, random, urandom,
   * tty and net/tun), so a test can listen on `/dev/log` without touching the
   * host's.
   */
  readonly privateDev?: boolean;
}

/** What a command run in the namespace printed and how it ended. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The commands the harness needs, with the Debian package that has them. */
const REQUIRED_COMMANDS: readonly (readonly [string, string])[] = [
  ['/usr/bin/unshare', 'util-linux'],
  ['/usr/bin/nsenter', 'util-linux'],
  ['/usr/bin/timeout', 'coreutils'],
  ['/usr/sbin/ip', 'iproute2'],
];

/**
 * Throws, naming the package and the setup script, when a program the real
 * tests need is not installed or the tests do not run as root. The tests call
 * it first: a missing package fails the suite with its reason, never skips it.
 */
export function requireInstalled(programs: readonly (readonly [string, string])[]): void {
  if (process.getuid?.() !== 0)
    throw new Error(
      'the real-server tests (test/real/) need root: they create network namespaces (unshare --net)',
    );
  for (const [path, pkg] of [...REQUIRED_COMMANDS, ...programs]) {
    if (!existsSync(path))
      throw new Error(
        `${path} is missing: install the Debian package ${pkg} (bash scripts/setup-system.sh does it)`,
      );
  }
}

const DEV_NODES = [
  'mount -t tmpfs -o mode=755 tunnelwatch-dev /dev',
  'mknod -m 666 /dev/null c 1 3',
  'mknod -m 666 /dev/zero c 1 5',
  'mknod -m 666 /dev/random c 1 8',
  'mknod -m 666 /dev/urandom c 1 9',
  'mknod -m 666 /dev/tty c 5 0',
  'mkdir /dev/net',
  'mknod -m 666 /dev/net/tun c 10 200',
];

/** A running namespace; `stop()` ends its holder and every process it started. */
export class Namespace {
  private readonly children = new Set<ChildProcess>();

  private constructor(
    private readonly holder: ChildProcess,
    /** The holder's process id: `nsenter -t pid` enters the namespace. */
    readonly pid: number,
  ) {}

  /** Creates the namespace: loopback up, bind mounts and `/dev` in place. */
  static async create(options: NamespaceOptions): Promise<Namespace> {
    const setup = [
      'set -e',
      'ip link set lo up',
      ...(options.privateDev === true ? DEV_NODES : []),
      ...(options.binds ?? []).flatMap((bind) => [
        `mkdir -p '${bind.target}'`,
        `mount --bind '${bind.source}' '${bind.target}'`,
      ]),
      'echo ready',
      `exec sleep ${options.lifetimeSeconds}`,
    ].join('\n');
    const holder = spawn(
      'unshare',
      ['--net', '--mount', '--propagation', 'private', '--', 'sh', '-c', setup],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const pid = holder.pid;
    if (pid === undefined) throw new Error('unshare did not start');
    await new Promise<void>((resolve, reject) => {
      let stderr = '';
      holder.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      holder.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      holder.on('exit', (code) =>
        reject(new Error(`the namespace setup exited with ${code}: ${stderr.trim()}`)),
      );
    });
    return new Namespace(holder, pid);
  }

  private enter(
    command: string,
    args: readonly string[],
    timeoutSeconds: number,
    cwd?: string,
  ): string[] {
    return [
      '-t',
      String(this.pid),
      '--net',
      '--mount',
      '--',
      ...(cwd === undefined ? [] : ['env', '-C', cwd]),
      'timeout',
      '-k',
      '2',
      String(timeoutSeconds),
      command,
      ...args,
    ];
  }

  /**
   * Runs a command inside and waits for it (killed after `timeoutSeconds`);
   * `cwd` is a directory as the namespace sees it.
   */
  run(
    command: string,
    args: readonly string[],
    options: {
      readonly timeoutSeconds?: number;
      readonly stdin?: string;
      readonly cwd?: string;
    } = {},
  ): Promise<CommandResult> {
    const { timeoutSeconds = 20, stdin = '', cwd } = options;
    return new Promise((resolve) => {
      const child = execFile(
        'nsenter',
        this.enter(command, args, timeoutSeconds, cwd),
        { maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code =
            error === null ? 0 : typeof error.code === 'number' ? error.code : (error.signal ?? 1);
          resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
        },
      );
      child.stdin?.end(stdin);
    });
  }

  /**
   * Starts a long-running command inside (a server, a syslog listener); it is
   * killed by `timeout` after `timeoutSeconds` at the latest, or by `stop()`.
   */
  start(command: string, args: readonly string[], timeoutSeconds: number): ChildProcess {
    const child = spawn('nsenter', this.enter(command, args, timeoutSeconds), {
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /**
   * Runs a client that should connect until `connected()` holds (the server
   * logged its session) and a second more (the session's other lines), then
   * stops it with SIGTERM as a user would. A fixed lifetime cut sessions
   * short on a loaded machine. Throws when it does not connect within
   * `maxSeconds` or exits before.
   */
  async runUntil(
    command: string,
    args: readonly string[],
    connected: () => boolean,
    maxSeconds = 20,
  ): Promise<void> {
    const child = this.start(command, args, maxSeconds + 5);
    try {
      for (let waited = 0; !connected(); waited += 100) {
        if (waited >= maxSeconds * 1000 || child.exitCode !== null) {
          throw new Error(`${command} ${args.join(' ')} did not connect within ${maxSeconds} s`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } finally {
      await stopProcess(child);
    }
  }

  /** Stops what was started in the namespace (SIGTERM, as an operator would), then the holder. */
  async stop(): Promise<void> {
    await Promise.all([...this.children].map((child) => stopProcess(child)));
    await stopProcess(this.holder);
  }
}

/** Sends SIGTERM and waits for the exit (SIGKILL after 5 s). */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
