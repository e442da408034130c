/**
 * The OpenVPN message catalog: one row per message family, as data. Rows are
 * indexed by the message's first word (`TLS`, `VERIFY`, `SIGUSR1`, …) or, for
 * messages that start with a variable word (`user01 authentication
 * succeeded`), by the second word; a line is tested only against the few rows
 * of its bucket, so classification cost does not grow with the catalog.
 *
 * Sources: the NIFCLOUD / FJcloud-V remote-access VPN gateway log guide (the
 * seed) and OpenVPN's format strings (`src/openvpn/ssl_verify.c`, `multi.c`).
 */
import type { Category, EventFields, Hint, Severity } from '../../model.ts';

/**
 * How a row takes part in per-client correlation (see parser.ts):
 * - `connection-start`: a new connection or handshake from the address (a new attempt
 *   unless a session is up there);
 * - `reveals-user`: the line names the user of a client address before the verdict;
 * - `auth-failure`: a refused login (gets the user and a per-attempt duplicateKey);
 * - `session-start`: the session is up (assigned address, start time);
 * - `session-end`: the session ended (gets user, assigned address, duration);
 * - `reset`: a TCP reset, which before authentication is scanner noise;
 * - `probe`: non-OpenVPN traffic on the port (per-connection duplicateKey);
 * - `cert-failure`: a certificate refused in a handshake (per-connection duplicateKey, so
 *   `VERIFY ERROR` and the OpenSSL line of one handshake are one problem).
 */
export type CorrelationRole =
  | 'connection-start'
  | 'reveals-user'
  | 'auth-failure'
  | 'session-start'
  | 'session-end'
  | 'reset'
  | 'probe'
  | 'cert-failure';

/** One catalog row: which messages it matches and what they mean. */
export interface CatalogRow {
  /** First word of the message (letters, digits, `_`, `-`), the bucket key. */
  readonly key: string;
  /** True when `key` is the message's second word (the first is variable). */
  readonly keyIsSecondWord?: boolean;
  /** Anchored at the message start; named groups become fields (see `NUMERIC_GROUPS`). */
  readonly pattern: RegExp;
  readonly category: Category;
  readonly severity: Severity;
  /** Extra fields computed from the match (e.g. the parsed PUSH_REPLY). */
  readonly extract?: (match: RegExpExecArray) => EventFields;
  readonly role?: CorrelationRole;
  readonly hint: Hint;
}

/** Named groups whose values are numbers. */
export const NUMERIC_GROUPS: ReadonlySet<string> = new Set([
  'depth',
  'packetLength',
  'maxPacketLength',
  'handWindowSeconds',
  'status',
  'maxClients',
  'exitDelaySeconds',
]);

const GATEWAY_DOC = 'https://docs.nifcloud.com/network/spec/ra_vpngw/log.htm';
const MANUAL = 'https://openvpn.net/community-resources/reference-manual-for-openvpn-2-6/';
const SOURCE = 'https://github.com/OpenVPN/openvpn/blob/master/src/openvpn/';

/** A signal line: `SIGUSR1[soft,connection-reset] received, client-instance restarting`. */
const SIGNAL = '(?<signal>SIG[A-Z0-9]+)\\[(?<signalKind>[^,\\]]*),(?<reason>[^\\]]*)\\] received, ';
const SIGNAL_KEYS = ['SIGUSR1', 'SIGUSR2', 'SIGHUP', 'SIGTERM', 'SIGINT'] as const;
/** A quoted string as the gateway page renders it: ASCII or typographic quotes. */
const Q_OPEN = `['‘"“]`;
const Q_CLOSE = `['’"”]`;

interface RowSpec extends Omit<CatalogRow, 'hint' | 'key'> {
  readonly id: string;
  readonly keys: string | readonly string[];
  readonly title: string;
  readonly remediation: string;
  readonly docUrl?: string;
}

function rows(...specs: readonly RowSpec[]): CatalogRow[] {
  const out: CatalogRow[] = [];
  for (const { id, keys, title, remediation, docUrl, ...rest } of specs) {
    const hint: Hint = { id, title, remediation, ...(docUrl === undefined ? {} : { docUrl }) };
    for (const key of typeof keys === 'string' ? [keys] : keys) {
      // Every row with every property, in one order: one object shape, so the
      // parser's reads of a matched row stay monomorphic.
      out.push({
        key,
        keyIsSecondWord: rest.keyIsSecondWord,
        pattern: rest.pattern,
        category: rest.category,
        severity: rest.severity,
        extract: rest.extract,
        role: rest.role,
        hint,
      });
    }
  }
  return out;
}

/** Parses a PUSH_REPLY option list into fields. */
export function pushReplyFields(options: string): EventFields {
  const routes: string[] = [];
  const fields: Record<string, string | number | readonly string[]> = {};
  // Read like `options.split(',')` then `option.trim().split(' ')`, without the arrays.
  for (let start = 0; start <= options.length; ) {
    let end = options.indexOf(',', start);
    if (end < 0) end = options.length;
    const option = options.slice(start, end).trim();
    start = end + 1;
    const first = option.indexOf(' ');
    const second = first < 0 ? -1 : option.indexOf(' ', first + 1);
    const name = first < 0 ? option : option.slice(0, first);
    const value =
      first < 0 ? undefined : option.slice(first + 1, second < 0 ? option.length : second);
    const thirdEnd = second < 0 ? -1 : option.indexOf(' ', second + 1);
    const third =
      second < 0 ? undefined : option.slice(second + 1, thirdEnd < 0 ? option.length : thirdEnd);
    switch (name) {
      case 'route':
        if (value !== undefined) routes.push(third === undefined ? value : `${value}/${third}`);
        break;
      case 'route-gateway':
        if (value !== undefined) fields['routeGateway'] = value;
        break;
      case 'ifconfig':
        if (value !== undefined) fields['assignedIp'] = value;
        if (third !== undefined) fields['assignedNetmask'] = third;
        break;
      case 'ifconfig-ipv6':
        if (value !== undefined) fields['assignedIpv6'] = value;
        break;
      case 'cipher':
        if (value !== undefined) fields['cipher'] = value;
        break;
      case 'topology':
        if (value !== undefined) fields['topology'] = value;
        break;
      case 'ping':
        if (value !== undefined) fields['pingSeconds'] = Number(value);
        break;
      case 'ping-restart':
        if (value !== undefined) fields['pingRestartSeconds'] = Number(value);
        break;
      case 'peer-id':
        if (value !== undefined) fields['peerId'] = Number(value);
        break;
      default:
        break;
    }
  }
  if (routes.length > 0) fields['routes'] = routes;
  return fields;
}

/** Every catalog row, in match order within a bucket (specific before generic). */
export const OPENVPN_CATALOG: readonly CatalogRow[] = rows(
  // ---- authentication ------------------------------------------------------
  {
    id: 'gateway.try-username',
    keys: 'try',
    pattern: new RegExp(`^try username ${Q_OPEN}(?<user>[^'"’”]*)${Q_CLOSE}`),
    category: 'auth.attempt',
    severity: 'info',
    role: 'reveals-user',
    title: 'password authentication started',
    remediation: 'None: the gateway started checking the password of this user.',
    docUrl: GATEWAY_DOC,
  },
  {
    id: 'gateway.authentication-succeeded',
    keys: 'authentication',
    keyIsSecondWord: true,
    pattern: /^(?<user>\S+) authentication succeeded$/,
    category: 'auth.succeeded',
    severity: 'info',
    title: 'password authentication succeeded',
    remediation: 'None: the user name and password were accepted.',
    docUrl: GATEWAY_DOC,
  },
  {
    id: 'tls.user-pass-succeeded',
    keys: 'TLS',
    pattern:
      /^TLS: Username\/(?:Password|auth-token) authentication succeeded for username '(?<user>[^']*)'/,
    category: 'auth.succeeded',
    severity: 'info',
    title: 'password authentication succeeded',
    remediation: 'None: the user name and password (or session token) were accepted.',
    docUrl: `${SOURCE}ssl_verify.c`,
  },
  {
    id: 'tls.user-pass-deferred',
    keys: 'TLS',
    pattern: /^TLS: Username\/Password authentication deferred for username '(?<user>[^']*)'/,
    category: 'auth.attempt',
    severity: 'info',
    role: 'reveals-user',
    title: 'password check handed to a plugin or script',
    remediation: 'None: the verdict follows in a later line.',
    docUrl: `${SOURCE}ssl_verify.c`,
  },
  {
    id: 'tls.auth-token-failed',
    keys: 'TLS',
    pattern: /^TLS: Username\/auth-token authentication failed for username '?(?<user>[^']*?)'?$/,
    category: 'auth.failed',
    severity: 'info',
    role: 'auth-failure',
    title: 'session token rejected',
    remediation:
      'The client presented an invalid or expired session token; it must log in again with its password. Many in a row from one address suggest token guessing.',
    docUrl: `${SOURCE}auth_token.c`,
  },
  {
    id: 'tls.user-pass-verification-failed',
    keys: 'TLS',
    pattern: /^TLS Auth Error: Auth Username\/Password verification failed for peer/,
    category: 'auth.failed',
    severity: 'info',
    role: 'auth-failure',
    title: 'wrong user name or password',
    remediation:
      'The password check refused the login. Check that the user name and password pair is right (and that the account exists and is enabled); many failures from one address are a password-guessing attack.',
    docUrl: GATEWAY_DOC,
  },
  {
    id: 'tls.blank-username',
    keys: 'TLS',
    pattern: /^TLS Auth Error: peer provided a blank username/,
    category: 'auth.failed',
    severity: 'info',
    role: 'auth-failure',
    title: 'blank user name',
    remediation:
      'The client sent an empty user name: check the client profile prompts for credentials.',
    docUrl: `${SOURCE}ssl_verify.c`,
  },
  {
    id: 'tls.client-config-dir-failed',
    keys: 'TLS',
    pattern:
      /^TLS Auth Error: --client-config-dir authentication failed for common name '(?<user>[^']*)'/,
    category: 'auth.failed',
    severity: 'info',
    role: 'auth-failure',
    title: 'no client-config-dir entry for this common name',
    remediation:
      'The server requires a per-client file (--ccd-exclusive) and none exists for this common name: add the file or revoke the certificate.',
    docUrl: MANUAL,
  },
  {
    id: 'tls.common-name-changed',
    keys: 'TLS',
    pattern:
      /^TLS Auth Error: TLS object CN (?:attempted to change|=\S* client-provided SSL certs unexpectedly changed)/,
    category: 'auth.failed',
    severity: 'warning',
    role: 'auth-failure',
    title: 'client identity changed mid-session',
    remediation:
      'The client tried to change its certificate or common name during a renegotiation and the tunnel was disabled: find out who uses this address.',
    docUrl: `${SOURCE}ssl_verify.c`,
  },
  {
    id: 'tls.user-pass-not-provided',
    keys: 'TLS',
    pattern: /^TLS Error: Auth Username\/Password was not provided by peer/,
    category: 'auth.failed',
    severity: 'info',
    role: 'auth-failure',
    title: 'client sent no user name and password',
    remediation: 'The server requires a password login; add auth-user-pass to the client profile.',
    docUrl: `${SOURCE}ssl.c`,
  },
  {
    id: 'tls.credentials-too-long',
    keys: 'TLS',
    pattern: /^TLS Error: Username \(\d+\) or password \(\d+\) too long/,
    category: 'auth.failed',
    severity: 'info',
    role: 'auth-failure',
    title: 'user name or password too long',
    remediation: 'The credentials exceed OpenVPN limits: a misconfigured client or an attack.',
    docUrl: `${SOURCE}ssl.c`,
  },
  {
    id: 'control.auth-failed',
    keys: 'SENT',
    pattern:
      /^SENT CONTROL \[(?<commonName>[^\]]*)\]: 'AUTH_FAILED(?:,(?<reason>[^']*))?' \(status=(?<status>\d+)\)/,
    category: 'auth.failed',
    severity: 'info',
    role: 'auth-failure',
    title: 'login refused',
    remediation:
      'The server told the client its login failed (it disconnects it a few seconds later). Check the user name and password pair.',
    docUrl: `${SOURCE}push.c`,
  },
  {
    id: 'control.push-reply',
    keys: 'SENT',
    pattern: new RegExp(
      `^SENT CONTROL \\[(?<commonName>[^\\]]*)\\]: ${Q_OPEN}PUSH_REPLY,?(?<options>[^'’]*)${Q_CLOSE} \\(status=(?<status>\\d+)\\)`,
    ),
    category: 'session.established',
    severity: 'info',
    role: 'session-start',
    extract: (match) => pushReplyFields(match.groups?.['options'] ?? ''),
    title: 'session established',
    remediation:
      'None: the client got its address, routes and cipher. The line shows the client address, the address assigned from the pool, the private networks and the gateway.',
    docUrl: GATEWAY_DOC,
  },
  {
    id: 'auth-pam.failed',
    // 2.6 logs the plugin's messages through its own log with a `PLUGIN ` prefix.
    keys: ['AUTH-PAM', 'PLUGIN'],
    pattern:
      /^(?:PLUGIN )?AUTH-PAM: BACKGROUND: user '(?<user>[^']*)' failed to authenticate: (?<reason>.*)$/,
    category: 'auth.failed',
    severity: 'info',
    title: 'PAM refused the password',
    remediation: 'Check the user name and password pair, and the account in PAM (locked, expired).',
    docUrl: 'https://github.com/OpenVPN/openvpn/blob/master/src/plugins/auth-pam/auth-pam.c',
  },
  {
    id: 'otp-auth.failed',
    keys: 'OTP-AUTH',
    pattern:
      /^OTP-AUTH: authentication failed for username '(?<user>[^']*)', remote (?<remote>\S+)/,
    category: 'auth.failed',
    severity: 'info',
    role: 'auth-failure',
    title: 'one-time password refused',
    remediation: 'Check the password and the one-time code (token clock drift, reused code).',
    docUrl: 'https://github.com/evgeny-gridasov/openvpn-otp',
  },
  {
    id: 'script.user-authenticated',
    keys: 'user',
    pattern: /^user '(?<user>[^']*)' authenticated/,
    category: 'auth.succeeded',
    severity: 'info',
    title: 'password authentication succeeded',
    remediation: 'None: the authentication script accepted the user.',
    docUrl: 'https://docs.netgate.com/pfsense/en/latest/vpn/openvpn/index.html',
  },
  {
    id: 'script.user-not-authenticated',
    keys: 'user',
    pattern: /^user '(?<user>[^']*)' could not authenticate/,
    category: 'auth.failed',
    severity: 'info',
    title: 'wrong user name or password',
    remediation: 'Check the user name and password pair in the authentication backend.',
    docUrl: 'https://docs.netgate.com/pfsense/en/latest/vpn/openvpn/index.html',
  },
  {
    id: 'ldap.bind-failed',
    keys: 'LDAP',
    pattern: /^LDAP bind failed: (?<reason>.*)$/,
    category: 'auth.failed',
    severity: 'info',
    title: 'LDAP bind refused',
    remediation:
      "The LDAP directory refused a bind: a wrong user password, or the plugin's own bind account if every login fails.",
    docUrl: 'https://github.com/threerings/openvpn-auth-ldap',
  },
  {
    id: 'ldap.incorrect-password',
    keys: 'Incorrect',
    pattern: /^Incorrect password supplied for LDAP DN "(?<user>[^"]*)"/,
    category: 'auth.failed',
    severity: 'info',
    title: 'wrong LDAP password',
    remediation: 'Check the password of this directory user.',
    docUrl: 'https://github.com/threerings/openvpn-auth-ldap',
  },
  {
    id: 'access-server.auth-failed',
    keys: 'VPN',
    pattern: /^VPN Auth Failed: '(?<reason>[^']*)'(?: \[(?:None|(?<user>[^\]]*))\])?/,
    category: 'auth.failed',
    severity: 'info',
    title: 'login refused',
    remediation:
      'Check the user name and password pair (and MFA code) for this Access Server user.',
    docUrl: 'https://openvpn.net/as-docs/',
  },
  {
    id: 'script.auth-user-pass-verify-failed',
    keys: 'WARNING',
    pattern: /^WARNING: Failed running command \(--auth-user-pass-verify\): (?<reason>.*)$/,
    category: 'auth.failed',
    severity: 'info',
    role: 'auth-failure',
    title: 'password script refused or failed',
    remediation:
      'Up to OpenVPN 2.5 every refused password prints this; from 2.6 it means the script crashed or exited 255: check the script if the password was right.',
    docUrl: `${SOURCE}run_command.c`,
  },
  {
    id: 'plugin.auth-user-pass-verify-failed',
    keys: 'PLUGIN_CALL',
    pattern:
      /^PLUGIN_CALL: plugin function PLUGIN_AUTH_USER_PASS_VERIFY failed with status (?<status>\d+): (?<plugin>.*)$/,
    category: 'auth.failed',
    severity: 'info',
    role: 'auth-failure',
    title: 'password plugin refused the login',
    remediation: 'Check the user name and password pair; if every login fails, check the plugin.',
    docUrl: `${SOURCE}plugin.c`,
  },
  {
    id: 'auth-token.hmac-failed',
    keys: '--auth-gen-token',
    pattern: /^--auth-gen-token: HMAC on token from client failed(?: \((?<user>[^)]*)\))?/,
    category: 'auth.failed',
    severity: 'info',
    role: 'auth-failure',
    title: 'forged or stale session token',
    remediation:
      'The token is not one this server issued (restarted server with a new token secret, or forgery): the client must log in again.',
    docUrl: `${SOURCE}auth_token.c`,
  },
  {
    id: 'auth-token.expired',
    keys: '--auth-gen-token',
    pattern: /^--auth-gen-token: auth-token from client expired/,
    category: 'auth.failed',
    severity: 'info',
    title: 'session token expired',
    remediation: 'None in general: the client must log in again with its password.',
    docUrl: `${SOURCE}auth_token.c`,
  },
  {
    id: 'multi.client-disabled',
    keys: 'MULTI',
    pattern: /^MULTI: client has been rejected due to 'disable' directive/,
    category: 'auth.failed',
    severity: 'warning',
    role: 'auth-failure',
    title: 'disabled client tried to connect',
    remediation:
      'The client-config-dir entry of this client says disable: the account is blocked on purpose.',
    docUrl: MANUAL,
  },
  // ---- connection start (before the verdict) --------------------------------
  {
    id: 'link.peer-connection-initiated',
    keys: 'Peer',
    pattern: /^Peer Connection Initiated with (?<peer>.*)$/,
    category: 'auth.attempt',
    severity: 'info',
    title: 'control channel up, login not yet decided',
    remediation:
      'None: the TLS control channel is up. This is not a successful login; the password verdict comes separately.',
    docUrl: `${SOURCE}socket.c`,
  },
  {
    id: 'tls.initial-packet',
    keys: 'TLS',
    pattern: /^TLS: Initial packet from (?<peer>\S+?), sid=/,
    category: 'connection.progress',
    severity: 'info',
    role: 'connection-start',
    title: 'new client handshake',
    remediation: 'None: a client started the TLS handshake.',
    docUrl: `${SOURCE}ssl.c`,
  },
  {
    id: 'tcp.connection-established',
    keys: 'TCP',
    pattern: /^TCP connection established with (?<peer>\S+)/,
    category: 'connection.progress',
    severity: 'info',
    role: 'connection-start',
    title: 'new TCP connection',
    remediation: 'None: a client (or a scanner) opened a TCP connection to the VPN port.',
    docUrl: `${SOURCE}socket.c`,
  },
  {
    id: 'tls.control-channel',
    keys: 'Control',
    pattern:
      /^Control Channel: (?<tlsVersion>\S+), cipher (?<tlsCipher>.*?)(?:, peer certificate: |$)/,
    category: 'connection.progress',
    severity: 'info',
    title: 'control channel negotiated',
    remediation: 'None: TLS version and cipher of the control channel.',
    docUrl: `${SOURCE}ssl.c`,
  },
  {
    id: 'push.peer-info',
    keys: 'peer',
    pattern: /^peer info: (?<peerInfo>.*)$/,
    category: 'connection.progress',
    severity: 'info',
    title: 'client version information',
    remediation: 'None: the client reported its version and platform.',
    docUrl: `${SOURCE}ssl.c`,
  },
  {
    id: 'push.request-received',
    keys: 'PUSH',
    pattern: /^PUSH: Received control message: 'PUSH_REQUEST'/,
    category: 'connection.progress',
    severity: 'info',
    title: 'client asked for its configuration',
    remediation: 'None: the reply (PUSH_REPLY or AUTH_FAILED) follows.',
    docUrl: `${SOURCE}push.c`,
  },
  {
    id: 'multi.create-instance',
    keys: 'MULTI',
    pattern: /^MULTI: multi_create_instance called/,
    category: 'connection.progress',
    severity: 'info',
    title: 'new client instance',
    remediation: 'None: the server created state for a new client.',
    docUrl: `${SOURCE}multi.c`,
  },
  // ---- sessions ----------------------------------------------------------------
  {
    id: 'multi.pool-assigned',
    keys: 'MULTI_sva',
    pattern: /^MULTI_sva: pool returned IPv4=(?<assignedIp>[^,]+), IPv6=(?<assignedIpv6>.*)$/,
    category: 'session.established',
    severity: 'info',
    role: 'session-start',
    title: 'address assigned from the pool',
    remediation: 'None: the client got its VPN address.',
    docUrl: `${SOURCE}multi.c`,
  },
  {
    id: 'multi.learn',
    keys: 'MULTI',
    pattern: /^MULTI: Learn: (?<assignedIp>\S+) -> /,
    category: 'session.established',
    severity: 'info',
    role: 'session-start',
    title: 'client address learned',
    remediation: 'None: the server routes this VPN address to the client.',
    docUrl: `${SOURCE}multi.c`,
  },
  {
    id: 'multi.primary-virtual-ip',
    keys: 'MULTI',
    pattern: /^MULTI: primary virtual IP for .*: (?<assignedIp>\S+)$/,
    category: 'session.established',
    severity: 'info',
    role: 'session-start',
    title: 'client address bound',
    remediation: 'None: the client got its VPN address.',
    docUrl: `${SOURCE}multi.c`,
  },
  {
    id: 'multi.unlearn',
    keys: 'MULTI',
    pattern: /^MULTI: Unlearn: (?<assignedIp>\S+) -> /,
    category: 'session.ended',
    severity: 'info',
    title: 'client address released',
    remediation: 'None: the session is gone and its VPN address was released.',
    docUrl: `${SOURCE}multi.c`,
  },
  {
    id: 'multi.pool-exhausted',
    keys: 'MULTI',
    pattern: /^MULTI: no free --ifconfig-pool addresses are available/,
    category: 'session.ended',
    severity: 'warning',
    title: 'address pool exhausted',
    remediation:
      'No VPN address is left for new clients: enlarge the address pool or end stale sessions.',
    docUrl: MANUAL,
  },
  {
    id: 'multi.max-clients',
    keys: 'MULTI',
    pattern:
      /^MULTI: new incoming connection would exceed maximum number of clients \((?<maxClients>\d+)\)/,
    category: 'session.ended',
    severity: 'warning',
    title: 'client limit reached',
    remediation:
      'A connection was refused because the server has max-clients sessions: raise the limit or the gateway size.',
    docUrl: MANUAL,
  },
  {
    id: 'multi.duplicate-session',
    keys: 'MULTI',
    pattern:
      /^MULTI: new connection by client '(?<user>[^']*)' will cause previous active sessions by this client to be dropped/,
    category: 'session.ended',
    severity: 'warning',
    title: 'same client logged in twice',
    remediation:
      'A second login with the same name dropped the first session: a shared account or stolen credentials if the user did not do it.',
    docUrl: MANUAL,
  },
  {
    id: 'multi.connect-frequency',
    keys: 'MULTI',
    pattern: /^MULTI: Connection from (?<peer>\S+) would exceed new connection frequency limit/,
    category: 'probe.bad_packet',
    severity: 'info',
    title: 'connection flood',
    remediation:
      'One address opens connections faster than --connect-freq allows: a scanner or a looping client.',
    docUrl: MANUAL,
  },
  {
    id: 'reflect.connect-freq-initial',
    keys: 'Note',
    pattern: /^Note: --connect-freq-initial .* rate limit exceeded/,
    category: 'probe.bad_packet',
    severity: 'info',
    title: 'handshake flood',
    remediation:
      'Initial handshake packets are being dropped for a while: a flood or reflection attempt.',
    docUrl: MANUAL,
  },
  {
    id: 'signal.client-instance',
    keys: SIGNAL_KEYS,
    pattern: new RegExp(`^${SIGNAL}client-instance (?<action>restarting|exiting)`),
    category: 'session.ended',
    severity: 'info',
    role: 'session-end',
    title: 'client session ended',
    remediation:
      'None: the session ended. The reason says how: connection-reset or remote-exit, the client disconnected; ping-restart / ping-exit / inactive, it went silent; tls-error, see the TLS line before; delayed-exit, dropped after a refused login.',
    docUrl: GATEWAY_DOC,
  },
  {
    id: 'forward.connection-reset',
    keys: 'Connection',
    pattern: /^Connection reset, restarting \[-?\d+\]/,
    category: 'session.ended',
    severity: 'info',
    role: 'reset',
    title: 'client closed the TCP connection',
    remediation: 'None for a client that was connected; see the scanner note when it was not.',
    docUrl: `${SOURCE}forward.c`,
  },
  {
    id: 'ping.inactivity-timeout',
    keys: 'Inactivity',
    pattern:
      /^Inactivity timeout \((?<reason>--ping-restart|--ping-exit|--inactive)\), (?<action>restarting|exiting)/,
    category: 'session.ended',
    severity: 'info',
    role: 'session-end',
    title: 'client went silent',
    remediation:
      'None unless frequent: the client stopped answering keepalives (network loss, sleep).',
    docUrl: `${SOURCE}ping.c`,
  },
  {
    id: 'forward.delayed-exit',
    keys: 'Delayed',
    pattern: /^Delayed exit in (?<exitDelaySeconds>\d+) seconds/,
    category: 'session.ended',
    severity: 'info',
    title: 'client will be dropped',
    remediation: 'None: follows a refused login; the refusal itself is logged as AUTH_FAILED.',
    docUrl: `${SOURCE}forward.c`,
  },
  // ---- server ---------------------------------------------------------------------
  {
    id: 'server.initialization-completed',
    keys: 'Initialization',
    pattern: /^Initialization Sequence Completed/,
    category: 'server.started',
    severity: 'info',
    title: 'VPN server started',
    remediation: 'None: the server is ready for clients.',
    docUrl: MANUAL,
  },
  {
    id: 'server.version-banner',
    keys: 'OpenVPN',
    pattern: /^OpenVPN (?<version>\d+\.\d+\S*) .*built on/,
    category: 'server.started',
    severity: 'info',
    title: 'VPN server starting',
    remediation: 'None: the server process started (its version is in the line).',
    docUrl: MANUAL,
  },
  {
    // A soft restart (tls-error, ping-restart, connection-reset...) re-creates the
    // tunnel inside the running process, and a soft exit (a client's auth-failure)
    // ends it: the connection ended, no server stopped.
    id: 'signal.soft-restart',
    keys: SIGNAL_KEYS,
    pattern:
      /^(?<signal>SIG[A-Z0-9]+)\[soft,(?<reason>[^\]]*)\] received, process (?:restarting|exiting)/,
    category: 'session.ended',
    severity: 'info',
    title: 'tunnel restarting',
    remediation:
      'None unless it repeats: the tunnel is being re-established (the reason says why: tls-error, ping-restart, connection-reset); the process keeps running.',
    docUrl: `${SOURCE}sig.c`,
  },
  {
    id: 'signal.process-exiting',
    keys: SIGNAL_KEYS,
    pattern: new RegExp(`^${SIGNAL}process (?<action>restarting|exiting)`),
    category: 'server.stopped',
    severity: 'warning',
    title: 'VPN server stopped',
    remediation:
      'The server process stopped or restarted and every session was dropped: expected during maintenance, otherwise check the service.',
    docUrl: `${SOURCE}sig.c`,
  },
  {
    id: 'server.fatal-error',
    keys: 'Exiting',
    pattern: /^Exiting due to fatal error/,
    category: 'server.stopped',
    severity: 'critical',
    title: 'VPN server crashed',
    remediation:
      'The server exited on a fatal error: the line before says why; restart it after fixing.',
    docUrl: MANUAL,
  },
  // ---- certificates -----------------------------------------------------------------
  {
    id: 'verify.ok',
    keys: 'VERIFY',
    pattern: /^VERIFY OK: depth=(?<depth>\d+), (?<subject>.*)$/,
    category: 'connection.progress',
    severity: 'info',
    role: 'reveals-user',
    title: 'certificate accepted',
    remediation: 'None: one certificate of the client chain passed verification.',
    docUrl: `${SOURCE}ssl_verify.c`,
  },
  {
    id: 'verify.key-usage',
    keys: 'VERIFY',
    pattern: /^VERIFY (?<check>KU|EKU|nsCertType) ERROR/,
    category: 'cert.key_usage',
    severity: 'warning',
    role: 'cert-failure',
    title: 'certificate KU/EKU mismatch',
    remediation:
      'Check that the certificate has the right X509v3 Key Usage and Extended Key Usage (TLS Web Client Authentication for clients, Server Authentication for the server); the client may log the same error.',
    docUrl: GATEWAY_DOC,
  },
  {
    // OpenSSL's own purpose check (OpenVPN 2.6 with OpenSSL 3 and --remote-cert-tls)
    // refuses a certificate without the right Extended Key Usage before OpenVPN's.
    id: 'verify.unsuitable-purpose',
    keys: 'VERIFY',
    pattern:
      /^VERIFY ERROR: depth=(?<depth>\d+), error=(?<reason>unsuitable certificate purpose|unsupported certificate purpose): (?<subject>.*?)(?:, serial=(?<serial>\S+))?$/,
    category: 'cert.key_usage',
    severity: 'warning',
    role: 'cert-failure',
    title: 'certificate KU/EKU mismatch',
    remediation:
      'The certificate is not meant for this use: a client certificate needs Extended Key Usage TLS Web Client Authentication (a server one, Server Authentication). Reissue it with the right profile.',
    docUrl: GATEWAY_DOC,
  },
  {
    id: 'verify.expired',
    keys: 'VERIFY',
    pattern:
      /^VERIFY ERROR: depth=(?<depth>\d+), (?:error=(?<reason>certificate has expired|certificate is not yet valid): (?<subject>.*?)(?:, serial=(?<serial>\S+))?$|subject=(?<subjectMbed>.*?), serial=(?<serialMbed>\S+): (?<reasonMbed>.*(?:expired|not yet valid|future).*)$)/,
    category: 'cert.expired',
    severity: 'warning',
    role: 'cert-failure',
    title: 'certificate expired or not yet valid',
    remediation:
      'Check the validity dates of the client certificate (and the clocks); issue a new certificate if it expired.',
    docUrl: GATEWAY_DOC,
  },
  {
    id: 'verify.crl-expired',
    keys: 'VERIFY',
    pattern:
      /^VERIFY ERROR: depth=(?<depth>\d+), error=(?<reason>CRL has expired|CRL is not yet valid): (?<subject>.*?)(?:, serial=(?<serial>\S+))?$/,
    category: 'cert.verify_failed',
    severity: 'warning',
    role: 'cert-failure',
    title: 'CRL expired',
    remediation:
      'The server CRL is past its next-update date, so every client is refused: regenerate the CRL (e.g. easyrsa gen-crl) and reload it.',
    docUrl: MANUAL,
  },
  {
    id: 'verify.revoked',
    keys: 'VERIFY',
    pattern:
      /^VERIFY (?:ERROR: depth=(?<depth>\d+), error=(?<reason>certificate revoked): (?<subject>.*?)(?:, serial=(?<serial>\S+))?$|CRL: depth=\d+, (?<subjectCrl>.*), serial=(?<serialCrl>\S+) is revoked)/,
    category: 'cert.verify_failed',
    severity: 'warning',
    role: 'cert-failure',
    title: 'revoked certificate used',
    remediation: 'A revoked certificate tried to connect: find out who holds it.',
    docUrl: MANUAL,
  },
  {
    id: 'verify.error',
    keys: 'VERIFY',
    pattern:
      /^VERIFY (?:ERROR: depth=(?<depth>\d+), (?:error=(?<reason>[^:]*): (?<subject>.*?)(?:, serial=(?<serial>\S+))?|subject=(?<subjectMbed>.*?), serial=\S+: (?<reasonMbed>.*))$|(?:X509NAME|PLUGIN|SCRIPT) ERROR: (?<detail>.*)$)/,
    category: 'cert.verify_failed',
    severity: 'warning',
    role: 'cert-failure',
    title: 'client certificate rejected',
    remediation:
      'Check that the client certificate and key are the right ones and were issued by the CA the server trusts (the reason is in the line).',
    docUrl: GATEWAY_DOC,
  },
  {
    id: 'openssl.peer-no-certificate',
    keys: 'OpenSSL',
    pattern:
      /^OpenSSL: error:(?<code>[0-9A-Fa-f]+):SSL routines:[^:]*:peer did not return a certificate/,
    category: 'cert.missing',
    severity: 'warning',
    role: 'cert-failure',
    title: 'client sent no certificate',
    remediation:
      'Put the client certificate and private key into the client configuration file (cert/key or an inline <cert>/<key> block).',
    docUrl: GATEWAY_DOC,
  },
  {
    id: 'openssl.certificate-verify-failed',
    keys: 'OpenSSL',
    pattern: /^OpenSSL: error:(?<code>[0-9A-Fa-f]+):SSL routines:[^:]*:certificate verify failed/,
    category: 'cert.verify_failed',
    severity: 'warning',
    role: 'cert-failure',
    title: 'client certificate rejected',
    remediation:
      'Check that the client certificate and private key are correct and signed by the CA the server trusts.',
    docUrl: GATEWAY_DOC,
  },
  {
    id: 'openssl.error',
    keys: 'OpenSSL',
    pattern: /^OpenSSL: error:(?<code>[0-9A-Fa-f]+):(?<reason>.*)$/,
    category: 'tls.handshake_failed',
    severity: 'info',
    title: 'TLS library error',
    remediation:
      'Check certificates, keys and TLS settings on both sides (the OpenSSL reason is in the line).',
    docUrl: `${SOURCE}crypto_openssl.c`,
  },
  {
    id: 'ssl.own-certificate-expired',
    keys: 'WARNING',
    pattern: /^WARNING: Your certificate (?<reason>has expired|is not yet valid)!/,
    category: 'cert.expired',
    severity: 'critical',
    role: 'cert-failure',
    title: 'server certificate expired',
    remediation:
      'The server certificate is outside its validity dates: renew it, or no client can connect.',
    docUrl: MANUAL,
  },
  {
    id: 'crl.cannot-read',
    keys: 'CRL',
    pattern: /^CRL: cannot read: (?<detail>.*)$/,
    category: 'cert.verify_failed',
    severity: 'warning',
    role: 'cert-failure',
    title: 'CRL unreadable',
    remediation: 'The server cannot read its CRL file: fix the path or permissions.',
    docUrl: MANUAL,
  },
  {
    id: 'tls.certificate-verification-failed',
    keys: 'TLS',
    pattern: /^TLS Error: Certificate verification failed/,
    category: 'cert.verify_failed',
    severity: 'warning',
    role: 'cert-failure',
    title: 'certificate verification failed',
    remediation: 'Check the client certificate and key, and that the CA matches.',
    docUrl: `${SOURCE}ssl.c`,
  },
  // ---- TLS ---------------------------------------------------------------------------
  {
    id: 'tls.handshake-failed',
    keys: 'TLS',
    pattern: /^TLS Error: TLS handshake failed/,
    category: 'tls.handshake_failed',
    severity: 'info',
    title: 'TLS handshake failed',
    remediation:
      'Check the certificates and private keys on both sides for mistakes and expiry; the client may log the same error.',
    docUrl: GATEWAY_DOC,
  },
  {
    id: 'tls.key-negotiation-timeout',
    keys: 'TLS',
    pattern:
      /^TLS Error: TLS key negotiation failed to occur within (?<handWindowSeconds>\d+) seconds/,
    category: 'tls.negotiation_timeout',
    severity: 'info',
    title: 'TLS negotiation timed out',
    remediation:
      'The handshake did not finish in time: a scanner or UDP probe, a firewall dropping packets, or a wrong tls-auth / tls-crypt key on the client.',
    docUrl: `${SOURCE}ssl.c`,
  },
  {
    // Client side: the server refused the login.
    id: 'client.auth-failed',
    keys: 'AUTH',
    pattern: /^AUTH: Received control message: AUTH_FAILED(?:,(?<reason>.*))?/,
    category: 'auth.failed',
    severity: 'info',
    title: 'server refused the login',
    remediation:
      'This is a client log: the server refused its user name or password (or its account); check the credentials the client sends.',
    docUrl: `${SOURCE}ssl.c`,
  },
  {
    id: 'tls-crypt.unwrap-error',
    keys: 'tls-crypt',
    pattern: /^tls-crypt unwrap error: (?<reason>.*)$/,
    category: 'tls.hmac_failed',
    severity: 'info',
    title: 'packet failed tls-crypt unwrapping',
    remediation:
      'Internet noise unless the address on the next line is a client of yours, in which case its tls-crypt key is wrong (a replay means a packet was sent twice or captured and resent).',
    docUrl: `${SOURCE}tls_crypt.c`,
  },
  {
    id: 'tls.hmac-not-found',
    keys: 'TLS',
    pattern:
      /^TLS Error: (?:cannot locate HMAC in incoming packet|incoming packet authentication failed|tls-crypt unwrapping failed|could not determine wrapping) from (?<peer>\S+)/,
    category: 'tls.hmac_failed',
    severity: 'info',
    title: 'packet without a valid tls-auth/tls-crypt HMAC',
    remediation:
      'Internet noise unless the address is a client of yours, in which case its tls-auth / tls-crypt key or key direction is wrong.',
    docUrl: `${SOURCE}ssl_pkt.c`,
  },
  {
    id: 'crypto.packet-hmac-failed',
    keys: ['Authenticate', 'AEAD'],
    pattern:
      /^(?:Authenticate\/Decrypt packet error|AEAD Decrypt error): (?<reason>packet HMAC authentication failed|bad packet ID \(may be a replay\)[^-]*|.*)/,
    category: 'tls.hmac_failed',
    severity: 'info',
    title: 'data packet failed authentication',
    remediation:
      'Data packets that fail their integrity check: corrupted traffic, a replay, or someone injecting packets.',
    docUrl: `${SOURCE}crypto.c`,
  },
  {
    id: 'tls.plaintext-read-error',
    keys: ['TLS', 'TLS_ERROR'],
    pattern:
      /^TLS(?: Error: TLS object -> incoming plaintext read error|_ERROR: BIO read \S+ error)/,
    category: 'tls.handshake_failed',
    severity: 'info',
    title: 'TLS handshake failed',
    remediation: 'Follows a certificate or TLS error logged just before: see that line.',
    docUrl: `${SOURCE}ssl_openssl.c`,
  },
  {
    id: 'tls.fatal-error',
    keys: 'Fatal',
    pattern: /^Fatal TLS error \(check_tls_errors_co\), restarting/,
    category: 'tls.handshake_failed',
    severity: 'info',
    title: 'TLS failure, connection restarting',
    remediation: 'Check certificates, keys and the tls-auth / tls-crypt key.',
    docUrl: `${SOURCE}forward.c`,
  },
  {
    id: 'tls.error',
    keys: 'TLS',
    pattern: /^TLS Error: (?<reason>.*)$/,
    category: 'tls.handshake_failed',
    severity: 'info',
    title: 'TLS error',
    remediation:
      'Check certificates, keys and TLS settings on both sides (the reason is in the line).',
    docUrl: `${SOURCE}ssl.c`,
  },
  // ---- probes --------------------------------------------------------------------------
  {
    id: 'socket.bad-encapsulated-packet-length',
    keys: 'WARNING',
    pattern:
      /^WARNING: Bad encapsulated packet length from peer \((?<packetLength>-?\d+)\), which must be > 0 and <= (?<maxPacketLength>\d+)/,
    category: 'probe.bad_packet',
    severity: 'info',
    role: 'probe',
    title: 'non-VPN traffic on the VPN port',
    remediation:
      'Look at the address before the WARNING. If it is one of your clients, check it connects with the VPN client software and that the client is set up right; a browser or a scanner from an address you do not know was refused and needs no action.',
    docUrl: GATEWAY_DOC,
  },
);

/**
 * Used instead of the matched row for a TCP reset of a client that never
 * authenticated (bare `ip:port` prefix, no session): scanner noise, the way
 * fail2ban counts it.
 */
export const RESET_BEFORE_AUTH: CatalogRow = {
  key: 'SIGUSR1',
  keyIsSecondWord: undefined,
  pattern: /^/,
  category: 'probe.bad_packet',
  severity: 'info',
  extract: undefined,
  role: 'probe',
  hint: {
    id: 'client.reset-before-auth',
    title: 'connection dropped before login',
    remediation:
      'A TCP connection to the VPN port closed before any login: a browser or port scanner, or a client giving up. No action unless the address is one of your clients.',
    docUrl: GATEWAY_DOC,
  },
};

/**
 * The rows of one first word, narrowed by the message's second word where a
 * row's pattern starts with both words literally (`TLS Error: …` → `Error`).
 */
export interface Bucket {
  /** Candidates per second word, in catalog order: rows naming it, then-or-before rows naming none. */
  readonly bySecondWord: ReadonlyMap<string, readonly CatalogRow[]>;
  /** Candidates for any other second word: the rows whose pattern names none. */
  readonly any: readonly CatalogRow[];
}

/** The catalog indexed by bucket key. */
export interface CatalogIndex {
  readonly byFirstWord: ReadonlyMap<string, Bucket>;
  /** Rows whose first word varies (`user01 authentication succeeded`), by their second word. */
  readonly bySecondWord: ReadonlyMap<string, readonly CatalogRow[]>;
  /** The same buckets for `lookup`, keyed by word hash so a line allocates no word strings. */
  readonly hashed: {
    readonly byFirstWord: WordTable<HashedBucket>;
    readonly bySecondWord: WordTable<readonly Candidate[]>;
  };
}

/** A row with the pattern `lookup` runs: its named groups numbered (same capture indices). */
interface Candidate {
  readonly row: CatalogRow;
  readonly pattern: RegExp;
}

interface HashedBucket {
  readonly bySecondWord: WordTable<readonly Candidate[]>;
  readonly any: readonly Candidate[];
}

/** Words by `wordHash`, each hash with the words that share it. */
type WordTable<T> = ReadonlyMap<number, readonly { readonly word: string; readonly value: T }[]>;

const REGEX_SPECIAL = new Set(['(', ')', '[', ']', '{', '}', '.', '*', '+', '?', '|', '$', '^']);
const QUANTIFIERS = new Set(['*', '+', '?', '{']);

/** The text every match of `pattern` starts with (anchored patterns only). */
export function literalPrefix(pattern: RegExp): string {
  const source = pattern.source;
  if (!source.startsWith('^') || pattern.flags.includes('i')) return '';
  let literal = '';
  for (let i = 1; i < source.length; i++) {
    const char = source[i] ?? '';
    if (char === '\\') {
      const next = source[i + 1] ?? '';
      if (/[A-Za-z0-9]/.test(next)) break;
      if (QUANTIFIERS.has(source[i + 2] ?? '')) break;
      literal += next;
      i++;
    } else if (REGEX_SPECIAL.has(char)) {
      if (QUANTIFIERS.has(char)) literal = literal.slice(0, -1);
      break;
    } else {
      if (QUANTIFIERS.has(source[i + 1] ?? '')) break;
      literal += char;
    }
  }
  return literal;
}

/**
 * `pattern` with its named groups made plain: the capture indices stay the
 * same, and a match builds no `groups` object. Rows with an `extract` (which
 * may read `groups`) and patterns with named back-references keep theirs.
 */
function numberedPattern(row: CatalogRow): RegExp {
  if (row.extract !== undefined) return row.pattern;
  let numbered = NUMBERED_PATTERNS.get(row.pattern);
  if (numbered === undefined) {
    numbered = numberedCopy(row.pattern);
    NUMBERED_PATTERNS.set(row.pattern, numbered);
  }
  return numbered;
}

/**
 * The numbered copy of each pattern, shared by every index (a parser given
 * its own catalog indexes it anew; its rows mostly share their patterns, and
 * a shared copy is compiled once).
 */
const NUMBERED_PATTERNS = new WeakMap<RegExp, RegExp>();

function numberedCopy(pattern: RegExp): RegExp {
  const source = pattern.source;
  if (source.includes('\\k<')) return pattern;
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') {
      out += source.slice(i, i + 2);
      i++;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
    } else if (char === '[') {
      inClass = true;
    } else if (
      char === '(' &&
      source[i + 1] === '?' &&
      source[i + 2] === '<' &&
      source[i + 3] !== '=' &&
      source[i + 3] !== '!'
    ) {
      out += '(';
      i = source.indexOf('>', i + 3);
      continue;
    }
    out += char;
  }
  return out === source ? pattern : new RegExp(out, pattern.flags);
}

/** The second word a row's pattern requires, when its literal start spells it out. */
function requiredSecondWord(row: CatalogRow): string | undefined {
  const literal = literalPrefix(row.pattern);
  if (wordAt(literal, 0) !== row.key) return undefined;
  const space = literal.indexOf(' ');
  if (space < 0) return undefined;
  const word = wordAt(literal, space + 1);
  const after = space + 1 + word.length;
  return word !== '' && after < literal.length ? word : undefined;
}

/** Groups rows by their key, keeping the catalog order inside each bucket. */
export function indexCatalog(catalog: readonly CatalogRow[]): CatalogIndex {
  const first = new Map<string, CatalogRow[]>();
  const bySecondWord = new Map<string, CatalogRow[]>();
  for (const row of catalog) {
    const map = row.keyIsSecondWord === true ? bySecondWord : first;
    const bucket = map.get(row.key);
    if (bucket === undefined) map.set(row.key, [row]);
    else bucket.push(row);
  }
  const byFirstWord = new Map<string, Bucket>();
  for (const [key, rows] of first) {
    const words = rows.map(requiredSecondWord);
    const named = new Set(words.filter((word): word is string => word !== undefined));
    const narrowed = new Map<string, readonly CatalogRow[]>();
    for (const word of named) {
      narrowed.set(
        word,
        rows.filter((_row, i) => words[i] === undefined || words[i] === word),
      );
    }
    byFirstWord.set(key, {
      bySecondWord: narrowed,
      any: rows.filter((_row, i) => words[i] === undefined),
    });
  }
  const candidates = new Map<CatalogRow, Candidate>();
  const candidate = (row: CatalogRow): Candidate => {
    let found = candidates.get(row);
    if (found === undefined) {
      found = { row, pattern: numberedPattern(row) };
      candidates.set(row, found);
    }
    return found;
  };
  const candidatesOf = (rows: readonly CatalogRow[]): readonly Candidate[] => rows.map(candidate);
  const hashed = {
    byFirstWord: wordTable(byFirstWord, (bucket) => ({
      bySecondWord: wordTable(bucket.bySecondWord, candidatesOf),
      any: candidatesOf(bucket.any),
    })),
    bySecondWord: wordTable(bySecondWord, candidatesOf),
  };
  return { byFirstWord, bySecondWord, hashed };
}

function wordTable<A, T>(map: ReadonlyMap<string, A>, convert: (value: A) => T): WordTable<T> {
  const table = new Map<number, { readonly word: string; readonly value: T }[]>();
  for (const [word, value] of map) {
    const hash = wordHash(word, 0);
    const entry = { word, value: convert(value) };
    const list = table.get(hash);
    if (list === undefined) table.set(hash, [entry]);
    else list.push(entry);
  }
  return table;
}

/** Where the word last hashed by `wordHash` ends (set by it; saves returning a pair). */
let hashedWordEnd = 0;

/** A 31-bit hash of the word at `start` (see `wordAt`); sets `hashedWordEnd`. */
function wordHash(text: string, start: number): number {
  let hash = 0;
  let end = start;
  const length = text.length;
  while (end < length) {
    const code = text.charCodeAt(end);
    if (!isWordChar(code)) break;
    hash = (Math.imul(hash, 31) + code) & 0x7fffffff;
    end++;
  }
  hashedWordEnd = end;
  return hash;
}

/** The value filed under the word of `text` at `start`, without making the word a string. */
function wordValue<T>(table: WordTable<T>, text: string, start: number): T | undefined {
  const list = table.get(wordHash(text, start));
  if (list === undefined) return undefined;
  const length = hashedWordEnd - start;
  for (const entry of list) {
    if (entry.word.length === length && text.startsWith(entry.word, start)) return entry.value;
  }
  return undefined;
}

function isWordChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 95 ||
    code === 45
  );
}

/** The leading run of letters, digits, `_` and `-` of `text` from `start`. */
export function wordAt(text: string, start: number): string {
  let end = start;
  while (end < text.length && isWordChar(text.charCodeAt(end))) end++;
  return text.slice(start, end);
}

/** The row matching `message` and its match, or undefined. */
export function lookup(
  index: CatalogIndex,
  message: string,
): { readonly row: CatalogRow; readonly match: RegExpExecArray } | undefined {
  const found: MatchedRow = { row: undefined };
  const match = matchMessage(index, message, found);
  return match === null || found.row === undefined ? undefined : { row: found.row, match };
}

/** Where `matchMessage` puts the row that matched (one holder reused per parser). */
export interface MatchedRow {
  row: CatalogRow | undefined;
}

function firstMatch(
  candidates: readonly Candidate[],
  message: string,
  found: MatchedRow,
): RegExpExecArray | null {
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[i] as Candidate;
    const match = candidate.pattern.exec(message);
    if (match !== null) {
      found.row = candidate.row;
      return match;
    }
  }
  return null;
}

/**
 * `lookup` for the parser's hot path: returns the match (named groups
 * numbered, no `groups` object for rows without `extract`) and sets
 * `found.row`; allocates nothing but the match.
 */
export function matchMessage(
  index: CatalogIndex,
  message: string,
  found: MatchedRow,
): RegExpExecArray | null {
  found.row = undefined;
  const bucket = wordValue(index.hashed.byFirstWord, message, 0);
  const space = message.indexOf(' ');
  if (bucket !== undefined) {
    const candidates =
      bucket.bySecondWord.size === 0 || space < 0
        ? bucket.any
        : (wordValue(bucket.bySecondWord, message, space + 1) ?? bucket.any);
    const match = firstMatch(candidates, message, found);
    if (match !== null) return match;
  }
  if (space > 0) {
    const second = wordValue(index.hashed.bySecondWord, message, space + 1);
    if (second !== undefined) return firstMatch(second, message, found);
  }
  return null;
}
