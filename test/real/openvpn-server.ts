/**
 * Real OpenVPN 2.6 servers and clients (Debian's openvpn) in a private network
 * namespace, with certificates made by `openssl` for each run: a CA, the
 * server, good clients and bad ones (another CA, expired, wrong key usage).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandResult, Namespace, requireInstalled } from './namespace.ts';

export const OPENVPN = '/usr/sbin/openvpn';
const OPENSSL = '/usr/bin/openssl';
export const PYTHON = '/usr/bin/python3';

/** X.509 v3 extensions of the certificates the harness issues. */
const EXTENSIONS = `
[ server_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = serverAuth
[ client_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = clientAuth
[ server_only_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = serverAuth
`;

function openssl(args: readonly string[], cwd: string): void {
  execFileSync(OPENSSL, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A certificate authority in `dir` (`openssl ca` database, key, certificate). */
class CertificateAuthority {
  constructor(
    readonly dir: string,
    readonly name: string,
  ) {
    mkdirSync(join(dir, 'newcerts'), { recursive: true });
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '1000\n');
    writeFileSync(
      join(dir, 'ca.cnf'),
      `[ ca ]
default_ca = tw
[ tw ]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
${EXTENSIONS}`,
    );
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
    openssl(
      [
        'req',
        '-x509',
        '-new',
        '-key',
        'ca.key',
        '-subj',
        `/CN=${name}`,
        '-days',
        '30',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
        '-out',
        'ca.crt',
      ],
      dir,
    );
  }

  get certificate(): string {
    return join(this.dir, 'ca.crt');
  }

  /**
   * Issues a certificate for `commonName` with a section of EXTENSIONS;
   * `validity` as `openssl ca` dates (YYYYMMDDhhmmssZ), default: valid now.
   */
  issue(
    file: string,
    commonName: string,
    extensions: 'server_ext' | 'client_ext' | 'server_only_ext',
    validity?: { readonly start: string; readonly end: string },
  ): { readonly cert: string; readonly key: string } {
    const key = join(this.dir, `${file}.key`);
    const csr = join(this.dir, `${file}.csr`);
    const cert = join(this.dir, `${file}.crt`);
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], this.dir);
    openssl(['req', '-new', '-key', key, '-subj', `/CN=${commonName}`, '-out', csr], this.dir);
    openssl(
      [
        'ca',
        '-batch',
        '-notext',
        '-config',
        'ca.cnf',
        '-cert',
        'ca.crt',
        '-keyfile',
        'ca.key',
        '-extensions',
        extensions,
        ...(validity === undefined
          ? ['-days', '30']
          : ['-startdate', validity.start, '-enddate', validity.end]),
        '-in',
        csr,
        '-out',
        cert,
      ],
      this.dir,
    );
    return { cert, key };
  }
}

/** Every certificate and key a run uses. */
export interface Pki {
  readonly ca: string;
  readonly server: { readonly cert: string; readonly key: string };
  readonly alice: { readonly cert: string; readonly key: string };
  readonly otherCa: { readonly cert: string; readonly key: string };
  readonly expired: { readonly cert: string; readonly key: string };
  readonly serverOnly: { readonly cert: string; readonly key: string };
  readonly tlsAuth: string;
  readonly tlsAuthWrong: string;
  readonly tlsCrypt: string;
  readonly tlsCryptWrong: string;
}

/** Makes the run's certificates and static keys under `dir`. */
export function makePki(dir: string): Pki {
  const ca = new CertificateAuthority(join(dir, 'ca'), 'tunnelwatch test CA');
  const other = new CertificateAuthority(join(dir, 'other-ca'), 'some other CA');
  const key = (name: string): string => {
    const path = join(dir, name);
    execFileSync(OPENVPN, ['--genkey', 'secret', path], { stdio: 'ignore' });
    return path;
  };
  return {
    ca: ca.certificate,
    server: ca.issue('server', 'vpn.example.test', 'server_ext'),
    alice: ca.issue('alice', 'alice', 'client_ext'),
    otherCa: other.issue('mallory', 'mallory', 'client_ext'),
    expired: ca.issue('bob-expired', 'bob', 'client_ext', {
      start: '20200101000000Z',
      end: '20200201000000Z',
    }),
    serverOnly: ca.issue('carol-eku', 'carol', 'server_only_ext'),
    tlsAuth: key('ta.key'),
    tlsAuthWrong: key('ta-wrong.key'),
    tlsCrypt: key('tc.key'),
    tlsCryptWrong: key('tc-wrong.key'),
  };
}

/** A running namespace with OpenVPN servers; `dir` holds keys, configs and logs. */
export class OpenvpnLab {
  private constructor(
    readonly namespace: Namespace,
    readonly dir: string,
    readonly pki: Pki,
  ) {}

  /**
   * Creates the namespace (own /dev, so `/dev/log` is ours) and the PKI;
   * everything started in it ends after `lifetimeSeconds` at the latest.
   */
  static async create(lifetimeSeconds = 240): Promise<OpenvpnLab> {
    requireInstalled([
      [OPENVPN, 'openvpn'],
      [OPENSSL, 'openssl'],
      [PYTHON, 'python3'],
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'tunnelwatch-openvpn-'));
    const pki = makePki(dir);
    const namespace = await Namespace.create({ lifetimeSeconds, privateDev: true });
    return new OpenvpnLab(namespace, dir, pki);
  }

  /**
   * Listens on the namespace's `/dev/log` and appends each datagram as a line
   * to `file`: what glibc's syslog() sends, `<PRI>Mmm dd hh:mm:ss ident[pid]: msg`.
   */
  async startSyslog(file: string): Promise<void> {
    this.namespace.start(
      PYTHON,
      [
        '-c',
        `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
with open(sys.argv[1], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536).rstrip(b"\\0\\n") + b"\\n")
`,
        file,
      ],
      240,
    );
    for (let attempt = 0; attempt < 50; attempt++) {
      const check = await this.namespace.run('test', ['-S', '/dev/log'], { timeoutSeconds: 2 });
      if (check.code === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the syslog listener did not bind /dev/log');
  }

  /** Writes a config file into the run's directory and returns its path. */
  writeConfig(name: string, lines: readonly string[]): string {
    const path = join(this.dir, name);
    writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
    return path;
  }

  /** Starts a server with a config; resolves when its log says it is ready. */
  async startServer(config: string, ready: () => boolean, lifetimeSeconds = 240): Promise<void> {
    this.namespace.start(OPENVPN, ['--config', config], lifetimeSeconds);
    for (let attempt = 0; attempt < 100; attempt++) {
      if (ready()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the OpenVPN server of ${config} did not start within 10 s`);
  }

  /** Runs a client until it exits or `seconds` pass (then SIGTERM, as a user would). */
  client(config: string, seconds: number): Promise<CommandResult> {
    return this.namespace.run(OPENVPN, ['--config', config], { timeoutSeconds: seconds });
  }

  /** Runs a client that logs in until `connected()` (see `Namespace.runUntil`). */
  clientUntil(config: string, connected: () => boolean): Promise<void> {
    return this.namespace.runUntil(OPENVPN, ['--config', config], connected);
  }

  /** Runs a Python snippet inside (probes: HTTP, random bytes). */
  python(code: string, seconds = 10): Promise<CommandResult> {
    return this.namespace.run(PYTHON, ['-c', code], { timeoutSeconds: seconds });
  }

  /** Stops everything (servers get SIGTERM and log their exit) and deletes the run's directory. */
  async remove(): Promise<void> {
    await this.namespace.stop();
    if (process.env.TUNNELWATCH_KEEP_REAL_LOGS !== '1')
      rmSync(this.dir, { recursive: true, force: true });
  }

  /** Stops the servers (they log their exit) but keeps the files. */
  async stop(): Promise<void> {
    await this.namespace.stop();
  }
}
