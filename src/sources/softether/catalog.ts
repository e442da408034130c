/**
 * The SoftEther / PacketiX message catalog: one row per string-table entry
 * (src/bin/hamcore/strtable_en.stb, plus the Japanese forms of the entries
 * that drive alerts), mapping the message to a category, a severity, fields
 * (named groups of the row's pattern) and a hint for on-call.
 *
 * Lookup cost does not grow with the table: rows are indexed by a cheap key —
 * the first two words of the message, quoted names collapsed and the leading
 * `Connection "CID-n"` / `Session "SID-…"` reduced to a marker — computed from
 * each row's examples, so a line is only tested against the few rows sharing
 * its key.
 */
import type { Category, EventFields, FieldValue, Hint, Severity } from '../../model.ts';
import { SOFTETHER_STRINGS } from './strings.ts';

/** One catalog entry. */
export interface CatalogRow {
  /** String-table key, e.g. `LH_AUTH_NG`; `_JA` marks the Japanese form. */
  readonly id: string;
  readonly category: Category;
  readonly severity: Severity;
  /** Anchored pattern over the message body; named groups become fields. */
  readonly pattern: RegExp;
  /** Message bodies (real lines, or built from the string table): they define the index keys. */
  readonly examples: readonly string[];
  /** Short cause, lower case ASCII. */
  readonly title: string;
  readonly remediation: string;
  readonly docUrl?: string;
  /** Constant fields every match carries (e.g. `auditKind`). */
  readonly fields?: EventFields;
  /** Only for lines with an `Administration mode [RPC-n]` tag. */
  readonly admin?: boolean;
}

const LOGGING_DOC =
  'https://www.softether.org/4-docs/1-manual/3._SoftEther_VPN_Server_Manual/3.A_Logging_Service';
const IPSEC_DOC =
  'https://www.softether.org/4-docs/1-manual/3._SoftEther_VPN_Server_Manual/3.9_L2TP%2F%2F%2F%2FIPsec_VPN_Server_Function';
const ADMIN_DOC =
  'https://www.softether.org/4-docs/1-manual/3._SoftEther_VPN_Server_Manual/3.3_VPN_Server_Administration';

/** Named groups read as numbers. */
const NUMERIC_GROUPS: ReadonlySet<string> = new Set([
  'clientPort',
  'clientBuild',
  'port',
  'errorCode',
  'bytesOut',
  'bytesIn',
  'build',
  'ruleCount',
  'maxSessions',
  'timeoutSeconds',
]);

const CID = 'Connection "(?<connectionId>[^"]+)"';
const SID = 'Session "(?<sessionId>[^"]+)"';
const CID_JA = 'コネクション "(?<connectionId>[^"]+)"';
const SID_JA = 'セッション "(?<sessionId>[^"]+)"';

const BRUTE_FORCE_HINT =
  'Check the client address and user in the hub security log; if the failures are not the user mistyping, block the address (hub Source IP Address Limit List or firewall) and consider locking the account.';

/** The rows written here, in lookup priority order within a key. */
const WRITTEN_ROWS: readonly CatalogRow[] = [
  // --- server lifecycle -----------------------------------------------------
  {
    id: 'LS_START_1',
    category: 'server.started',
    severity: 'info',
    pattern: /^The (?:SoftEther|PacketiX|UT-VPN) VPN Server has been started\./,
    examples: [
      'The SoftEther VPN Server has been started.',
      'The PacketiX VPN Server has been started.',
    ],
    title: 'VPN server started',
    remediation:
      'Expected after a deploy or reboot; if unplanned, look for a crash or an administrator restart just before.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LS_START_2',
    category: 'server.started',
    severity: 'info',
    pattern:
      /^(?<product>(?:SoftEther|PacketiX|UT-VPN) VPN (?:Server|Bridge)[^,]*?) Ver (?<version>[\d.]+), Build (?<build>\d+)/,
    examples: ['SoftEther VPN Server (64 bit) Ver 4.43, Build 9799, rtm (English)'],
    title: 'VPN server version',
    remediation:
      'Informational: 4.x is the Stable edition (auth failures without the client address), 5.x the Developer edition.',
  },
  {
    id: 'LS_END_2',
    category: 'server.stopped',
    severity: 'info',
    pattern: /^The Server Engine shutdown processing has started\./,
    examples: ['The Server Engine shutdown processing has started.'],
    title: 'VPN server stopping',
    remediation: 'If the stop was not planned, find who stopped the service and restart it.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LS_END_1',
    category: 'server.stopped',
    severity: 'info',
    pattern:
      /^The (?:SoftEther|PacketiX|UT-VPN) VPN Server Engine has been successfully shutdown\./,
    examples: ['The SoftEther VPN Server Engine has been successfully shutdown.'],
    title: 'VPN server stopped',
    remediation: 'If the stop was not planned, find who stopped the service and restart it.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LS_LOAD_CONFIG_3',
    category: 'server.started',
    severity: 'warning',
    pattern: /^Configuration file does not exist\. Attempting to start using initial settings\./,
    examples: ['Configuration file does not exist. Attempting to start using initial settings.'],
    title: 'started with initial settings',
    remediation:
      'The server started without vpn_server.config: hubs, users and passwords are factory defaults. Restore the configuration from backup.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LS_BAD_CONFIG',
    category: 'server.started',
    severity: 'warning',
    pattern: /^The contents of the configuration file is invalid\./,
    examples: [
      'The contents of the configuration file is invalid. The loading process has been terminated.',
    ],
    title: 'configuration file invalid',
    remediation:
      'vpn_server.config could not be loaded; restore the last good copy from the backup.vpn_server.config folder.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LS_LISTENER_START_2',
    category: 'server.started',
    severity: 'info',
    pattern: /^TCP Listener \(port (?<port>\d+)\) has started\./,
    examples: ['TCP Listener (port 443) has started. Now listening for connection from client.'],
    title: 'listener started',
    remediation: 'Informational.',
  },
  {
    id: 'LS_LISTENER_START_3',
    category: 'server.started',
    severity: 'warning',
    pattern: /^Unable to set port to Listen status for TCP Listener \(port (?<port>\d+)\)\./,
    examples: [
      'Unable to set port to Listen status for TCP Listener (port 443). Attempting at fixed intervals until successful.',
    ],
    title: 'listener port busy',
    remediation:
      'Another process holds the port; free it or move the listener, or clients cannot connect.',
  },
  {
    id: 'LS_HUB_START',
    category: 'server.started',
    severity: 'info',
    pattern: /^Virtual Hub "(?<hub>[^"]*)" has been started\./,
    examples: ['Virtual Hub "DEFAULT" has been started.'],
    title: 'virtual hub started',
    remediation: 'Informational.',
  },
  {
    id: 'LS_HUB_STOP',
    category: 'server.stopped',
    severity: 'info',
    pattern: /^Virtual Hub "(?<hub>[^"]*)" has been stopped\./,
    examples: ['Virtual Hub "DEFAULT" has been stopped.'],
    title: 'virtual hub stopped',
    remediation: 'If unplanned, check the administration log for who stopped or deleted the hub.',
  },
  {
    id: 'LH_ONLINE',
    category: 'server.started',
    severity: 'info',
    pattern: /^The Virtual Hub is now online\./,
    examples: ['The Virtual Hub is now online.'],
    title: 'virtual hub online',
    remediation: 'Informational.',
  },
  {
    id: 'LH_OFFLINE',
    category: 'server.stopped',
    severity: 'warning',
    pattern: /^The Virtual Hub is now offline\./,
    examples: ['The Virtual Hub is now offline.'],
    title: 'virtual hub offline',
    remediation:
      'Clients cannot connect to an offline hub; bring it online if this was not planned.',
  },
  // --- connections ------------------------------------------------------------
  {
    id: 'LS_LISTENER_ACCEPT',
    category: 'connection.progress',
    severity: 'info',
    pattern:
      /^On the TCP Listener \(Port (?<port>\d+)\), a Client \(IP address (?<clientIp>[^,]+), Host name "(?<hostName>[^"]*)", Port number (?<clientPort>\d+)\) has connected\./,
    examples: [
      'On the TCP Listener (Port 443), a Client (IP address 198.51.100.7, Host name "198.51.100.7", Port number 50412) has connected.',
    ],
    title: 'TCP connection accepted',
    remediation: 'Informational.',
  },
  {
    id: 'LS_CONNECTION_START_1',
    category: 'connection.progress',
    severity: 'info',
    pattern:
      /^For the client \(IP address: (?<clientIp>[^,]+), host name: "(?<hostName>[^"]*)", port number: (?<clientPort>\d+)\), connection "(?<connectionId>[^"]+)" has been created\./,
    examples: [
      'For the client (IP address: 198.51.100.7, host name: "198.51.100.7", port number: 50412), connection "CID-12" has been created.',
    ],
    title: 'VPN connection opened',
    remediation: 'Informational.',
  },
  {
    id: 'LS_SSL_START',
    category: 'connection.progress',
    severity: 'info',
    pattern:
      /^SSL communication for connection "(?<connectionId>[^"]+)" has been started\.(?: The protocol version is (?<tlsVersion>\S+?)\.)? The encryption algorithm name is "(?<cipher>[^"]*)"\./,
    examples: [
      'SSL communication for connection "CID-12" has been started. The encryption algorithm name is "AES128-SHA".',
      'SSL communication for connection "CID-12" has been started. The protocol version is TLSv1.3. The encryption algorithm name is "TLS_AES_256_GCM_SHA384".',
    ],
    title: 'TLS started',
    remediation: 'Informational.',
  },
  {
    id: 'LS_CONNECTION_ERROR_5',
    category: 'probe.bad_packet',
    severity: 'info',
    pattern: new RegExp(
      `^${CID} terminated by the cause "(?<reason>.*)" \\(code (?<errorCode>5)\\)\\.`,
    ),
    examples: [
      'Connection "CID-40" terminated by the cause "A client which is non-SoftEther VPN software has connected to the port." (code 5).',
    ],
    title: 'non-VPN client on the VPN port',
    remediation:
      'Scanners and browsers hitting the VPN port; harmless alone. Many from one address are a scan: consider blocking it.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LS_CONNECTION_ERROR',
    category: 'session.ended',
    severity: 'info',
    pattern: new RegExp(
      `^${CID} terminated by the cause "(?<reason>.*)" \\(code (?<errorCode>\\d+)\\)\\.`,
    ),
    examples: [
      'Connection "CID-34" terminated by the cause "User authentication failed." (code 9).',
    ],
    title: 'connection terminated with an error',
    remediation: 'The cause is in the reason field; it follows the hub event that explains it.',
  },
  {
    id: 'LS_CONNECTION_END_1',
    category: 'session.ended',
    severity: 'info',
    pattern: new RegExp(`^${CID} has been terminated\\.`),
    examples: ['Connection "CID-12" has been terminated.'],
    title: 'connection closed',
    remediation: 'Informational.',
  },
  {
    id: 'LS_LISTENER_DOS',
    category: 'probe.bad_packet',
    severity: 'info',
    pattern:
      /^A DoS attack on the TCP Listener \(port (?<port>\d+)\) has been detected\. The connecting source IP address is (?<clientIp>[^,]+), port number is (?<clientPort>\d+)\./,
    examples: [
      'A DoS attack on the TCP Listener (port 443) has been detected. The connecting source IP address is 203.0.113.66, port number is 41000. This connection will be forcefully disconnected now.',
    ],
    title: 'listener DoS detected',
    remediation:
      'One address opened too many connections; block it at the firewall if it keeps coming back.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LS_LISTENER_MAXUEC',
    category: 'probe.bad_packet',
    severity: 'warning',
    pattern:
      /^The TCP listener is temporary suspending to accept new inward connections because of the number of pending TCP connections exceeded (?<maxSessions>\d+)\./,
    examples: [
      'The TCP listener is temporary suspending to accept new inward connections because of the number of pending TCP connections exceeded 1000. (Current value = 1000)',
    ],
    title: 'listener saturated',
    remediation:
      'Too many half-open connections: likely a flood. Legitimate clients are refused meanwhile; filter the sources upstream.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LS_HUB_NOT_FOUND',
    category: 'access.denied',
    severity: 'warning',
    pattern: new RegExp(
      `^${CID}: Virtual Hub "(?<requestedHub>[^"]*)" that the client is trying to connect to does not exist on the server\\.`,
    ),
    examples: [
      'Connection "CID-51": Virtual Hub "VPNGATE" that the client is trying to connect to does not exist on the server.',
    ],
    title: 'hub not found',
    remediation:
      'A client asked for a hub that does not exist: a stale client profile, or someone guessing hub names.',
  },
  {
    id: 'LS_IP_DENIED',
    category: 'access.denied',
    severity: 'warning',
    pattern: new RegExp(
      `^${CID}: The source IP address "(?<clientIp>[^"]*)" of the client has refused based on the Source IP Address Limit List`,
    ),
    examples: [
      'Connection "CID-52": The source IP address "203.0.113.9" of the client has refused based on the Source IP Address Limit List defined for the Virtual Hub.',
    ],
    title: 'source IP refused',
    remediation:
      'The hub ACL refused the address. Expected for blocked sources; if a real user, update the Source IP Address Limit List.',
  },
  {
    id: 'LS_FARM_ACCEPT_2',
    category: 'admin.login_failed',
    severity: 'warning',
    pattern: new RegExp(
      `^${CID}: ?Although this server received a cluster control connection request, the authentication password is incorrect`,
    ),
    examples: [
      'Connection "CID-60":Although this server received a cluster control connection request, the authentication password is incorrect and connection has been refused.',
    ],
    fields: { reason: 'cluster password incorrect' },
    title: 'cluster password incorrect',
    remediation:
      'A cluster member (or someone else) used a wrong cluster password: align the member settings, or block the source if it is not a member.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LS_FARM_CONNECT_2',
    category: 'access.denied',
    severity: 'warning',
    pattern:
      /^Connection to cluster controller "(?<server>[^"]*)" has been refused\. Error: (?<reason>.*) \(code (?<errorCode>\d+)\)/,
    examples: [
      'Connection to cluster controller "vpn-ctl.example.jp" has been refused. Error: Access has been denied. (code 12)',
    ],
    title: 'cluster controller refused this member',
    remediation: 'Check the cluster password and controller address on this member server.',
    docUrl: ADMIN_DOC,
  },
  // --- administration logins -------------------------------------------------------
  {
    id: 'LA_CONNECTED_1',
    category: 'connection.progress',
    severity: 'info',
    pattern: new RegExp(`^${CID} connected using server admin mode\\.`),
    examples: ['Connection "CID-70" connected using server admin mode.'],
    fields: { adminMode: 'server' },
    title: 'admin connection',
    remediation: 'Informational.',
  },
  {
    id: 'LA_CONNECTED_2',
    category: 'connection.progress',
    severity: 'info',
    pattern: new RegExp(
      `^${CID} connected using Virtual Hub Admin Mode\\. The name of the Virtual Hub is "(?<hub>[^"]*)"\\.`,
    ),
    examples: [
      'Connection "CID-71" connected using Virtual Hub Admin Mode. The name of the Virtual Hub is "DEFAULT".',
    ],
    fields: { adminMode: 'hub' },
    title: 'hub admin connection',
    remediation: 'Informational.',
  },
  {
    id: 'LA_ERROR',
    category: 'admin.login_failed',
    severity: 'warning',
    pattern: new RegExp(
      `^${CID} was unable to log in using administration mode\\. (?<reason>.*) \\(Error code (?<errorCode>\\d+)\\)`,
    ),
    examples: [
      'Connection "CID-70" was unable to log in using administration mode. Access has been denied. (Error code 12)',
    ],
    title: 'admin login failed',
    remediation:
      'A wrong administrator password was sent to the VPN Server. Confirm with the administrators; restrict admin sources with adminip.txt.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LA_OK',
    category: 'admin.login_succeeded',
    severity: 'info',
    pattern: new RegExp(`^${CID} successfully logged in using administration mode\\.`),
    examples: ['Connection "CID-72" successfully logged in using administration mode.'],
    title: 'admin login',
    remediation: 'Informational; unexpected admin logins deserve a question to the team.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LA_IP_DENIED',
    category: 'access.denied',
    severity: 'warning',
    pattern: new RegExp(
      `^${CID} attempted to connect using administration mode from an IP address whose permission is denied by adminip\\.txt\\.`,
    ),
    examples: [
      'Connection "CID-73" attempted to connect using administration mode from an IP address whose permission is denied by adminip.txt. Disconnecting.',
    ],
    title: 'admin source not allowed',
    remediation: 'An admin connection came from an address outside adminip.txt: find out who.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LS_API_AUTH_ERROR',
    category: 'admin.login_failed',
    severity: 'warning',
    pattern:
      /^HTTPS API client "(?<clientIp>.+):(?<clientPort>\d+)" \([^)]*\): The embedded HTTPS web server refused a login attempt\. Username: "(?<user>[^"]*)"/,
    examples: [
      'HTTPS API client "198.51.100.20:53000" (198.51.100.20): The embedded HTTPS web server refused a login attempt. Username: "administrator", Method: "POST", Path: "/api/"',
    ],
    title: 'JSON-RPC admin login failed',
    remediation:
      'A wrong password on the HTTPS JSON-RPC admin API. Disable the API (DisableJsonRpcWebApi) if unused.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LS_API_AUTH_OK',
    category: 'admin.login_succeeded',
    severity: 'info',
    pattern:
      /^HTTPS API client "(?<clientIp>.+):(?<clientPort>\d+)" \([^)]*\): .*accepted the successful login\.?(?: .*Username: "(?<user>[^"]*)")?/,
    examples: [
      'HTTPS API client "198.51.100.20:53001" (198.51.100.20): The embedded HTTPS web server accepted the successful login. Username: "administrator", Method: "POST", Path: "/api/"',
    ],
    title: 'JSON-RPC admin login',
    remediation: 'Informational.',
    docUrl: ADMIN_DOC,
  },
  // --- hub logins ---------------------------------------------------------------------
  {
    id: 'LH_CONNECT_CLIENT',
    category: 'auth.attempt',
    severity: 'info',
    pattern:
      /^The connection "(?<connectionId>[^"]+)" \(IP address: (?<clientIp>[^,]+), Host name: (?<hostName>[^,]*), Port number: (?:(?<clientPort>\d+)|[^,]*), Client name: "(?<clientName>[^"]*)", Version: (?<clientVersion>[^,]*), Build: (?<clientBuild>\d+)\) is attempting to connect to the Virtual Hub\. The auth type provided is "(?<authType>[^"]*)" and the user name is "(?<user>.*)"\.$/,
    examples: [
      'The connection "CID-34" (IP address: 2.247.241.98, Host name: 2.247.241.98, Port number: 52220, Client name: "SoftEther VPN Client", Version: 4.38, Build: 9760) is attempting to connect to the Virtual Hub. The auth type provided is "Password authentication" and the user name is "alice".',
    ],
    title: 'login attempt',
    remediation: 'Informational.',
  },
  {
    id: 'LH_AUTH_OK',
    category: 'auth.succeeded',
    severity: 'info',
    pattern: new RegExp(`^${CID}: Successfully authenticated as user "(?<user>.*)"\\.$`),
    examples: ['Connection "CID-12": Successfully authenticated as user "alice".'],
    title: 'login succeeded',
    remediation: 'Informational.',
  },
  {
    id: 'LH_AUTH_NG',
    category: 'auth.failed',
    severity: 'info',
    pattern: new RegExp(
      `^${CID}: User authentication failed\\. The user name that has been provided was "(?<user>.*)"(?:, from (?<clientIp>[^ ]+?))?\\.$`,
    ),
    examples: [
      'Connection "CID-34": User authentication failed. The user name that has been provided was "xxx.xxx".',
      'Connection "CID-594": User authentication failed. The user name that has been provided was "alice", from 80.10.11.13.',
    ],
    title: 'wrong password or unknown user',
    remediation: BRUTE_FORCE_HINT,
    docUrl: LOGGING_DOC,
  },
  {
    id: 'LH_AUTH_NG_CERT',
    category: 'cert.verify_failed',
    severity: 'warning',
    pattern:
      /^Although the Virtual Hub's Security Account Manager has received the following certificate, has refused its contents as the certificate for when user "(?<user>[^"]*)" logs in because this certificate's contents matches the contents that are registered in the Virtual Hub's certificates revocation list: (?<certificate>.*)$/,
    examples: [
      "Although the Virtual Hub's Security Account Manager has received the following certificate, has refused its contents as the certificate for when user \"bob\" logs in because this certificate's contents matches the contents that are registered in the Virtual Hub's certificates revocation list: CN=bob, O=Example",
    ],
    title: 'revoked client certificate',
    remediation:
      'A certificate on the hub revocation list was presented: the holder should not have it any more. Check who uses it.',
  },
  {
    id: 'LH_AUTH_OK_CERT',
    category: 'auth.attempt',
    severity: 'info',
    pattern:
      /^The Virtual Hub's Security Account Manager has received the following certificate from the VPN Client and accepted its contents as the certificate for when user "(?<user>[^"]*)" logs in: (?<certificate>.*)$/,
    examples: [
      'The Virtual Hub\'s Security Account Manager has received the following certificate from the VPN Client and accepted its contents as the certificate for when user "bob" logs in: CN=bob, O=Example',
    ],
    title: 'client certificate accepted',
    remediation: 'Informational.',
  },
  {
    id: 'LH_LOCAL_ONLY',
    category: 'auth.failed',
    severity: 'info',
    pattern: new RegExp(
      `^${CID}: The remote login has been refused because of the password for user "(?<user>.*)" is blank\\.`,
    ),
    examples: [
      'Connection "CID-80": The remote login has been refused because of the password for user "guest" is blank.',
    ],
    fields: { reason: 'blank password refused from remote' },
    title: 'blank password refused',
    remediation: 'Set a password for the account or delete it.',
  },
  {
    id: 'LH_POLICY_ACCESS_NG',
    category: 'auth.failed',
    severity: 'info',
    pattern: new RegExp(
      `^${CID}: Access has beens? refused to user "(?<user>.*)" based on the security policy\\.`,
    ),
    examples: [
      'Connection "CID-81": Access has beens refused to user "carol" based on the security policy.',
      'Connection "CID-81": Access has been refused to user "carol" based on the security policy.',
    ],
    fields: { reason: 'account disabled by security policy' },
    title: 'disabled account used',
    remediation:
      'A disabled account tried to log in: a former user or a leaked credential. Confirm and delete the account if obsolete.',
  },
  {
    id: 'LH_USER_EXPIRES',
    category: 'auth.failed',
    severity: 'info',
    pattern: new RegExp(
      `^${CID}: Access has been refused to user "(?<user>.*)" because of the expiration date has been expired\\.`,
    ),
    examples: [
      'Connection "CID-82": Access has been refused to user "dave" because of the expiration date has been expired.',
    ],
    fields: { reason: 'account expired' },
    title: 'expired account used',
    remediation: 'An expired account tried to log in; extend it if the user still needs access.',
  },
  {
    id: 'LH_AUTH_NOT_SUPPORTED',
    category: 'auth.failed',
    severity: 'warning',
    pattern: new RegExp(
      `^${CID}: The authentication method of the user "(?<user>[^"]*)" has been specified as (?<authType>.+?)\\. However, `,
    ),
    examples: [
      'Connection "CID-83": The authentication method of the user "erin" has been specified as RADIUS Authentication or Active Directory Authentication (NT Domain Authentication). However, such an external user-authentication function hasn\'t been implemented on the Open-Source version of SoftEther VPN yet. The connection will be denied.',
    ],
    fields: { reason: 'authentication method not supported by this build' },
    title: 'auth method unsupported by this build',
    remediation:
      'The account uses RADIUS/NT or certificate authentication, which this (open-source, JP/CN region) build refuses. Switch the account to password authentication.',
  },
  {
    id: 'LH_TOO_MANY_MULTILOGINS',
    category: 'access.denied',
    severity: 'info',
    pattern: new RegExp(`^${CID}: Although the user "(?<user>[^"]*)" made a login attempt, `),
    examples: [
      'Connection "CID-84": Although the user "alice" made a login attempt, the security policy that applies to this user limits the maximum number of multiple logins to 1 sessions. Currently the number of logins by this user is 1 sessions and therefore the user has denied permission for a new VPN connection.',
    ],
    fields: { reason: 'multiple login limit' },
    title: 'concurrent login limit',
    remediation:
      'The account is already connected elsewhere. Shared credentials or a stolen password if the user denies it.',
  },
  {
    id: 'LH_MAX_SESSION',
    category: 'access.denied',
    severity: 'warning',
    pattern: new RegExp(
      `^${CID}: The maximum number of (?:client |bridge )?sessions \\((?<maxSessions>\\d+)\\) that can be (?:set|managed) by`,
    ),
    examples: [
      'Connection "CID-85": The maximum number of sessions (10) that can be set by the Virtual Hub has been reached. Unable to create a new session.',
    ],
    fields: { reason: 'maximum sessions reached' },
    title: 'session limit reached',
    remediation: 'The hub or server session limit is reached; raise it or find stale sessions.',
  },
  // --- sessions -----------------------------------------------------------------------
  {
    id: 'LH_NEW_SESSION',
    category: 'session.established',
    severity: 'info',
    pattern: new RegExp(
      `^${CID}: The new session "(?<sessionId>[^"]+)" has been created\\. \\(IP address: (?<clientIp>[^,]+), Port number: (?<clientPort>\\d+), Physical underlying protocol: "(?<transport>[^"]*)"`,
    ),
    examples: [
      'Connection "CID-12": The new session "SID-ALICE-3" has been created. (IP address: 198.51.100.7, Port number: 50412, Physical underlying protocol: "Standard TCP/IP (IPv4)")',
    ],
    title: 'session created',
    remediation: 'Informational.',
  },
  {
    id: 'LH_SET_SESSION_PLAINTEXT',
    category: 'session.established',
    severity: 'warning',
    pattern: new RegExp(
      `^${SID}: The parameter has been set\\. Max number of TCP connections: \\d+, Use of encryption: No,`,
    ),
    examples: [
      'Session "SID-ALICE-3": The parameter has been set. Max number of TCP connections: 8, Use of encryption: No, Use of compression: No, Use of Half duplex communication: No, Timeout: 20 seconds.',
    ],
    fields: { encryption: false },
    title: 'session without encryption',
    remediation:
      'The session runs without SSL encryption: require encryption in the client settings.',
  },
  {
    id: 'LH_SET_SESSION',
    category: 'session.established',
    severity: 'info',
    pattern: new RegExp(`^${SID}: The parameter has been set\\.`),
    examples: [
      'Session "SID-ALICE-3": The parameter has been set. Max number of TCP connections: 8, Use of encryption: Yes, Use of compression: No, Use of Half duplex communication: No, Timeout: 20 seconds.',
    ],
    title: 'session parameters',
    remediation: 'Informational.',
  },
  {
    id: 'LH_END_SESSION',
    category: 'session.ended',
    severity: 'info',
    pattern: new RegExp(
      `^${SID}: The session has been terminated\\. The statistical information is as follows: Total outgoing data size: (?<bytesOut>\\d+) bytes, Total incoming data size: (?<bytesIn>\\d+) bytes\\.`,
    ),
    examples: [
      'Session "SID-ALICE-3": The session has been terminated. The statistical information is as follows: Total outgoing data size: 1048576 bytes, Total incoming data size: 52428 bytes.',
    ],
    title: 'session ended',
    remediation: 'Informational.',
  },
  {
    id: 'LH_MAC_REGIST',
    category: 'session.established',
    severity: 'info',
    pattern: new RegExp(
      `^${SID}: A new MAC address "(?<macAddress>[^"]+)"(?: \\(VLAN ID: \\d+\\))? has been assigned\\.`,
    ),
    examples: ['Session "SID-ALICE-3": A new MAC address "5E-1A-2B-3C-4D-5E" has been assigned.'],
    title: 'MAC address learned',
    remediation: 'Informational.',
  },
  {
    id: 'LH_REGIST_DHCP',
    category: 'session.established',
    severity: 'info',
    pattern: new RegExp(
      `^${SID}: The DHCP server of host "(?<dhcpServerMac>[^"]*)" \\((?<dhcpServerIp>[^)]*)\\) on this session allocated, for host "(?<clientSessionId>[^"]*)" on another session "(?<macAddress>[^"]*)", the new IP address (?<assignedIp>[^ ]+?)\\.$`,
    ),
    // The string table says 'for host "<MAC>" on another session "<session>"', but
    // the server fills in the session name first and the MAC second (written by
    // SoftEther 5.01 in test/real/softether.test.ts).
    examples: [
      'Session "SID-SECURENAT-1": The DHCP server of host "5E-65-BF-A4-38-1E" (192.168.30.1) on this session allocated, for host "SID-ALICE-[OPENVPN_L3]-2" on another session "CA-49-F3-EE-27-B6", the new IP address 192.168.30.10.',
    ],
    title: 'DHCP address assigned',
    remediation: 'Informational.',
  },
  {
    id: 'LH_NAT_DHCP_CREATED',
    category: 'session.established',
    severity: 'info',
    pattern:
      /^The DHCP entry \d+ has been created\. MAC address: (?<macAddress>[^,]+), IP address: (?<assignedIp>[^,]+), host name: (?<hostName>[^,]*), expiration span: \d+ seconds/,
    examples: [
      'The DHCP entry 3 has been created. MAC address: 5E-1A-2B-3C-4D-5E, IP address: 192.168.30.10, host name: alice-pc, expiration span: 7200 seconds',
    ],
    title: 'SecureNAT DHCP lease',
    remediation: 'Informational.',
  },
  // --- network conflicts --------------------------------------------------------------
  {
    id: 'LH_IP_CONFLICT',
    category: 'network.conflict',
    severity: 'warning',
    pattern: new RegExp(
      `^${SID}: Although the virtual hub has attempt to use the IP address (?<assignedIp>[^ ]+) was made, this IP address is already being used by another session "(?<conflictSessionId>[^"]*)" \\(MAC Address: "(?<conflictMac>[^"]*)"\\)`,
    ),
    examples: [
      'Session "SID-BOB-7": Although the virtual hub has attempt to use the IP address 192.168.30.10 was made, this IP address is already being used by another session "SID-ALICE-3" (MAC Address: "5E-1A-2B-3C-4D-5E"). The security policy for this session denies duplication of IP addresses that are used by other sessions. The packet has been discarded. Detailed Information: CreatedTime=1, UpdatedTime=2, DhcpAllocated=1, Now=3',
    ],
    title: 'IP address conflict',
    remediation:
      'Two sessions claim one IP address: a static address set by hand or address spoofing. Ask the user of the session to use DHCP.',
  },
  {
    id: 'LH_DHCP_FORCE',
    category: 'network.conflict',
    severity: 'warning',
    pattern: new RegExp(
      `^${SID}: The packet was discarded because it has been attempting to use the IP address (?<assignedIp>[^,]+), which is not a DHCP server allocated IP address\\.`,
    ),
    examples: [
      'Session "SID-BOB-7": The packet was discarded because it has been attempting to use the IP address 192.168.30.99, which is not a DHCP server allocated IP address.',
    ],
    title: 'static IP against policy',
    remediation: 'The client uses an address DHCP did not give it; configure it for DHCP.',
  },
  {
    id: 'LH_NO_DHCP',
    category: 'network.conflict',
    severity: 'warning',
    pattern: new RegExp(
      `^${SID}: Although host (?<rogueHost>[^ ]+) on this session sent a packet that allocates an IP address as a DHCP server for host (?<targetHost>[^ ]+) on another session`,
    ),
    examples: [
      'Session "SID-BOB-7": Although host 192.168.30.200 on this session sent a packet that allocates an IP address as a DHCP server for host 5E-1A-2B-3C-4D-5E on another session, this session\'s security policy denies operation as a DHCP server. The packet has been discarded.',
    ],
    title: 'rogue DHCP server',
    remediation:
      'A client runs a DHCP server over the VPN (often a bridged home router). Disconnect the session and fix its bridge.',
  },
  {
    id: 'LH_BCAST_STORM',
    category: 'network.conflict',
    severity: 'warning',
    pattern: new RegExp(
      `^${SID}: A large volume of broadcast packets has been detected\\..*The source MAC address is (?<macAddress>[^,]+), the source IP address is (?<sourceIp>[^,]+), the destination IP address is (?<destinationIp>[^.]+(?:\\.[^.]+){0,3})\\.`,
    ),
    examples: [
      'Session "SID-BOB-7": A large volume of broadcast packets has been detected. There are cases where packets are discarded based on the policy. The source MAC address is 5E-1A-2B-3C-4D-5F, the source IP address is 192.168.30.11, the destination IP address is 192.168.30.255. The number of broadcast packets is equal to or larger than 32 items per 1 second (note this information is the result of mechanical analysis of part of the packets and could be incorrect).',
    ],
    title: 'broadcast storm',
    remediation:
      'A session floods broadcasts (loop or misbehaving host); disconnect it and check its bridge.',
  },
  // --- passwords changed by users -----------------------------------------------------
  {
    id: 'LH_CHANGE_PASSWORD_1',
    category: 'auth.attempt',
    severity: 'info',
    pattern:
      /^The connection "(?<connectionId>[^"]+)" \(IP address (?<clientIp>[^)]+)\) connected to Virtual Hub in change password mode\./,
    examples: [
      'The connection "CID-90" (IP address 198.51.100.7) connected to Virtual Hub in change password mode.',
    ],
    title: 'password change attempt',
    remediation: 'Informational.',
  },
  {
    id: 'LH_CHANGE_PASSWORD_4',
    category: 'auth.failed',
    severity: 'info',
    pattern: new RegExp(
      `^${CID}: Changing of password failed\\. The old password of user "(?<user>.*)" is incorrect\\.`,
    ),
    examples: [
      'Connection "CID-90": Changing of password failed. The old password of user "alice" is incorrect.',
    ],
    fields: { reason: 'old password incorrect (password change)' },
    title: 'wrong password on password change',
    remediation: BRUTE_FORCE_HINT,
  },
  {
    id: 'LH_CHANGE_PASSWORD_2',
    category: 'auth.failed',
    severity: 'info',
    pattern: new RegExp(
      `^${CID}: Changing of password failed\\. The specified user "(?<user>.*)" does not exist\\.`,
    ),
    examples: [
      'Connection "CID-91": Changing of password failed. The specified user "root" does not exist.',
    ],
    fields: { reason: 'unknown user (password change)' },
    title: 'unknown user on password change',
    remediation: BRUTE_FORCE_HINT,
  },
  {
    id: 'LH_CHANGE_PASSWORD_5',
    category: 'admin.change',
    severity: 'info',
    pattern: new RegExp(`^${CID}: The password of user "(?<user>.*)" has been changed\\.`),
    examples: ['Connection "CID-90": The password of user "alice" has been changed.'],
    fields: { auditKind: 'user-password' },
    title: 'user changed own password',
    remediation: 'Informational.',
  },
  // --- built-in protocol servers --------------------------------------------------------
  {
    id: 'LP_PAP_FAILED',
    category: 'session.ended',
    severity: 'info',
    pattern: /^"(?<reason>PAP|MS-CHAP v2)" \([^)]*\) user authentication failed\./,
    examples: [
      '"PAP" (Password Authentication Protocol, a clear-text password authentication protocol) user authentication failed.',
      '"MS-CHAP v2" (Microsoft Challenge and Response Protocol Version 2.0) user authentication failed.',
    ],
    title: 'PPP authentication failed',
    remediation:
      'The PPP (L2TP/SSTP) login failed; the hub security log holds the matching failure with user and address.',
  },
  {
    id: 'LP_CONNECTED',
    category: 'auth.attempt',
    severity: 'info',
    pattern: /^A new PPP session \(Upper protocol: (?<upperProtocol>[^)]*)\) is started\./,
    examples: [
      'A new PPP session (Upper protocol: L2TP) is started. IP Address of PPP Client: 203.0.113.5 (Hostname: "203.0.113.5"), Port Number of PPP Client: 1701, IP Address of PPP Server: 192.0.2.1, Port Number of PPP Server: 1701, Client Software Name: "L2TP VPN Client", IPv4 TCP MSS (Max Segment Size): 1309 bytes',
    ],
    title: 'PPP session started',
    remediation: 'Informational.',
  },
  {
    id: 'LP_DISCONNECTED',
    category: 'session.ended',
    severity: 'info',
    pattern: /^The PPP session is disconnected\./,
    examples: ['The PPP session is disconnected.'],
    title: 'PPP session ended',
    remediation: 'Informational.',
  },
  {
    id: 'LO_CLIENT_UNVERIFIED_CERT',
    category: 'cert.verify_failed',
    severity: 'warning',
    pattern:
      /^Client certificate was provided but did not pass verification \(error="(?<reason>[^"]*)"\)/,
    examples: [
      'Client certificate was provided but did not pass verification (error="certificate has expired"), will use password authentication.',
    ],
    title: 'OpenVPN client certificate rejected',
    remediation:
      'An OpenVPN client sent a certificate the hub cannot verify (untrusted CA or expired); reissue it.',
  },
  // --- IPsec (L2TP/IPsec, EtherIP): the body after `IPsec Client n (...)`/`IKE SA`/`IPsec SA` ---
  {
    id: 'LI_NEW_IKE_CLIENT',
    category: 'connection.progress',
    severity: 'info',
    pattern: /^A new IPsec client is created\./,
    examples: ['A new IPsec client is created.'],
    title: 'IPsec client seen',
    remediation: 'None: an IPsec (L2TP/IPsec, EtherIP) client started negotiating.',
    docUrl: IPSEC_DOC,
  },
  {
    id: 'LI_NEW_IKE_SA',
    category: 'connection.progress',
    severity: 'info',
    pattern: /^A new IKE SA \((?<ikeMode>[^)]*)\) is created\./,
    examples: [
      'A new IKE SA (Main Mode) is created. Initiator Cookie: 0x3B663C91968AA11A, Responder Cookie: 0xFA6A291FD53907C3, DH Group: MODP 1024 (Group 2), Hash Algorithm: SHA-2-384, Cipher Algorithm: AES-CBC, Cipher Key Size: 256 bits, Lifetime: 4294967295 Kbytes or 28800 seconds',
    ],
    title: 'IKE SA created',
    remediation: 'None: IKE phase 1 started.',
    docUrl: IPSEC_DOC,
  },
  {
    id: 'LI_NEW_IPSEC_SA',
    category: 'connection.progress',
    severity: 'info',
    pattern: /^A new IPsec SA \(Direction: (?<direction>[^)]*)\) is created\./,
    examples: [
      'A new IPsec SA (Direction: Client -> Server) is created. SPI: 0x501BEE7A, DH Group: (null), Hash Algorithm: SHA-1, Cipher Algorithm: AES-CBC, Cipher Key Size: 256 bits, Lifetime: 4294967295 Kbytes or 3600 seconds',
    ],
    title: 'IPsec SA created',
    remediation: 'None: IKE phase 2 (quick mode) created an SA.',
    docUrl: IPSEC_DOC,
  },
  {
    id: 'LI_SA_ESTABLISHED',
    category: 'connection.progress',
    severity: 'info',
    pattern: /^This (?<saKind>IKE|IPsec) SA is established between the server and the client\./,
    examples: ['This IKE SA is established between the server and the client.'],
    title: 'IPsec SA established',
    remediation: 'None: the IPsec negotiation went through this phase.',
    docUrl: IPSEC_DOC,
  },
  {
    id: 'LI_START_QM',
    category: 'connection.progress',
    severity: 'info',
    pattern: /^The (?:client|server) initiates a QuickMode negotiation\./,
    examples: ['The client initiates a QuickMode negotiation.'],
    title: 'IPsec quick mode started',
    remediation: 'None: IKE phase 2 negotiation started.',
    docUrl: IPSEC_DOC,
  },
  {
    id: 'LI_CLIENT_UPDATE',
    category: 'connection.progress',
    severity: 'info',
    pattern: /^The port number information of this client is updated\./,
    examples: ['The port number information of this client is updated.'],
    title: 'IPsec client port changed',
    remediation: 'None: NAT traversal moved the client to port 4500.',
    docUrl: IPSEC_DOC,
  },
  {
    id: 'LI_DELETE_SA',
    category: 'connection.progress',
    severity: 'info',
    pattern: /^This (?<saKind>IKE|IPsec) SA is deleted\./,
    examples: ['This IKE SA is deleted.'],
    title: 'IPsec SA deleted',
    remediation: 'None: an SA ended (rekeyed or the client left).',
    docUrl: IPSEC_DOC,
  },
  {
    id: 'LI_DELETE_IKE_CLIENT',
    category: 'session.ended',
    severity: 'info',
    pattern: /^This IPsec Client is deleted\./,
    examples: ['This IPsec Client is deleted.'],
    title: 'IPsec client gone',
    remediation:
      'None for one; a client created and deleted again and again within seconds is failing to connect (pre-shared key, proposals or L2TP settings): ask its user.',
    docUrl: IPSEC_DOC,
  },
  {
    id: 'LI_NO_TRANSFORM',
    category: 'tls.handshake_failed',
    severity: 'warning',
    pattern:
      /^There are no acceptable transform proposals from the client for establishing an (?<saKind>IPsec|IKE) SA\./,
    examples: [
      'There are no acceptable transform proposals from the client for establishing an IKE SA.',
    ],
    title: 'IPsec proposal mismatch',
    remediation:
      "The client offers ciphers or DH groups the server does not accept: update the client's IPsec settings (or its OS).",
    docUrl: IPSEC_DOC,
  },
  {
    id: 'LI_IKE_NO_NAT_T',
    category: 'tls.handshake_failed',
    severity: 'warning',
    pattern:
      /^The connection cannot be accepted because this VPN client is not compatible with IPsec NAT Traversal/,
    examples: [
      'The connection cannot be accepted because this VPN client is not compatible with IPsec NAT Traversal (RFC 3947 Negotiation of NAT-Traversal in the IKE of the RFC 3948 UDP Encapsulation of IPsec ESP Packets).',
    ],
    title: 'IPsec client without NAT-T',
    remediation:
      'The client cannot do NAT traversal: use a client that supports RFC 3947/3948, or connect without NAT.',
    docUrl: IPSEC_DOC,
  },
  {
    id: 'LI_QM_DH_ERROR',
    category: 'tls.handshake_failed',
    severity: 'warning',
    pattern: /^Failed to calculate a Diffie-Hellman algorithm\./,
    examples: ['Failed to calculate a Diffie-Hellman algorithm.'],
    title: 'IPsec DH failure',
    remediation: "The Diffie-Hellman exchange failed: check the client's DH group.",
    docUrl: IPSEC_DOC,
  },
  // --- log files -------------------------------------------------------------------------
  {
    id: 'LE_DELETE',
    category: 'log.deleted',
    severity: 'warning',
    pattern:
      /^The free disk space is now less then (?<freeSpaceLimit>.+?) so the old file "(?<fileName>[^"]*)" has been automatically deleted\./,
    examples: [
      'The free disk space is now less then 100.0 MB so the old file "/usr/local/vpnserver/packet_log/DEFAULT/pkt_20250101.log" has been automatically deleted. The amount of free disk space that determines when to start deletion can be modified by changing the "AutoDeleteCheckDiskFreeSpaceMin" item in the configuration file.',
    ],
    fields: { auditKind: 'log-deleted' },
    title: 'log files deleted for disk space',
    remediation:
      'Old logs were deleted because the disk is nearly full: audit evidence is being lost. Free disk space or ship logs off the host.',
    docUrl: LOGGING_DOC,
  },
  // --- administrative changes (Administration mode tag) ---------------------------------------
  {
    id: 'LA_SET_HUB_LOG',
    category: 'admin.change',
    severity: 'warning',
    admin: true,
    pattern: /^The log save setting has been changed\./,
    examples: ['The log save setting has been changed.'],
    fields: { auditKind: 'log-settings' },
    title: 'log settings changed',
    remediation:
      'Hub logging was reconfigured; confirm it was planned (switching logs off can hide an intrusion) and check the new setting with LogGet/LogEnable.',
    docUrl: LOGGING_DOC,
  },
  {
    id: 'LA_SET_SYSLOG',
    category: 'admin.change',
    severity: 'warning',
    admin: true,
    pattern: /^The server's syslog send function setting has been updated\./,
    examples: ["The server's syslog send function setting has been updated."],
    fields: { auditKind: 'syslog-settings' },
    title: 'syslog settings changed',
    remediation:
      'With syslog on, logs stop going to files; confirm the change and that the syslog receiver gets them.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LA_SET_AC_LIST',
    category: 'admin.change',
    severity: 'warning',
    admin: true,
    pattern:
      /^The Source IP Address Limit List has been updated\. Rule items for (?<ruleCount>\d+) items are set\./,
    examples: [
      'The Source IP Address Limit List has been updated. Rule items for 0 items are set.',
    ],
    fields: { auditKind: 'access-list' },
    title: 'source IP limit list changed',
    remediation: 'The hub source-IP ACL changed; confirm it was planned and review the rules.',
  },
  {
    id: 'LA_SET_ACCESS_LIST',
    category: 'admin.change',
    severity: 'warning',
    admin: true,
    pattern:
      /^(?:An access list has been added|The access list has been deleted|The access list has been updated\. An access list of (?<ruleCount>\d+) items are set)\./,
    examples: [
      'An access list has been added.',
      'The access list has been deleted.',
      'The access list has been updated. An access list of 3 items are set.',
    ],
    fields: { auditKind: 'access-list' },
    title: 'access list changed',
    remediation: 'The hub packet filter changed; confirm it was planned and review the rules.',
  },
  {
    id: 'LA_SET_SERVER_PASSWORD',
    category: 'admin.change',
    severity: 'warning',
    admin: true,
    pattern: /^The server administrator password has been set\./,
    examples: ['The server administrator password has been set.'],
    fields: { auditKind: 'admin-password' },
    title: 'admin password set',
    remediation:
      'The server administrator password changed; confirm with the administrators, and rotate it again if nobody did it.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LA_SET_CONFIG',
    category: 'admin.change',
    severity: 'warning',
    admin: true,
    pattern: /^The config file has been written\. Restarting VPN Server\./,
    examples: ['The config file has been written. Restarting VPN Server.'],
    fields: { auditKind: 'config' },
    title: 'configuration replaced',
    remediation: 'The whole configuration was uploaded; diff it against the backup.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LA_USER',
    category: 'admin.change',
    severity: 'info',
    admin: true,
    pattern:
      /^(?:User "(?<user>.*)" has been (?:created|deleted)|The setting of user "(?<updatedUser>.*)" has been updated)\.$/,
    examples: [
      'User "test" has been deleted.',
      'User "山田太郎" has been created.',
      'The setting of user "alice" has been updated.',
    ],
    fields: { auditKind: 'user' },
    title: 'user account changed',
    remediation: 'Informational; review unexpected account changes.',
  },
  {
    id: 'LA_HUB',
    category: 'admin.change',
    severity: 'info',
    admin: true,
    pattern:
      /^(?:A new Virtual Hub "(?<createdHub>[^"]*)" has been created|The Virtual Hub "(?<deletedHub>[^"]*)" has been deleted|The Virtual Hub setting has been changed|The Virtual Hub is now (?:online|offline))\./,
    examples: [
      'A new Virtual Hub "営業部" has been created.',
      'The Virtual Hub "TEST" has been deleted.',
      'The Virtual Hub setting has been changed.',
      'The Virtual Hub is now offline.',
    ],
    fields: { auditKind: 'hub' },
    title: 'virtual hub changed',
    remediation: 'Informational; review unexpected hub changes.',
  },
  {
    id: 'LA_SESSION',
    category: 'admin.change',
    severity: 'info',
    admin: true,
    pattern:
      /^(?:This session "(?<sessionId>[^"]*)" has been forcefully disconnected|The client connection "(?<connectionId>[^"]*)" connected to the server has been forcefully disconnected)\./,
    examples: [
      'This session "SID-BOB-7" has been forcefully disconnected.',
      'The client connection "CID-40" connected to the server has been forcefully disconnected.',
    ],
    fields: { auditKind: 'session' },
    title: 'session disconnected by an administrator',
    remediation: 'Informational.',
  },
  {
    id: 'LA_OTHER',
    category: 'admin.change',
    severity: 'info',
    admin: true,
    pattern: /^/,
    examples: [],
    fields: { auditKind: 'other' },
    title: 'administrative change',
    remediation: 'Informational; the message names the change.',
    docUrl: ADMIN_DOC,
  },
  // --- Japanese string table (strtable_ja.stb): the entries that drive alerts ---------------
  {
    id: 'LH_CONNECT_CLIENT_JA',
    category: 'auth.attempt',
    severity: 'info',
    pattern:
      /^コネクション "(?<connectionId>[^"]+)" \(IP アドレス (?<clientIp>[^,]+), ホスト名 (?<hostName>[^,]*), ポート番号 (?<clientPort>\d+), クライアント名 "(?<clientName>[^"]*)", バージョン (?<clientVersion>[^ ]*) ビルド (?<clientBuild>\d+)\) が仮想 HUB への接続を試行しています。提示している認証方法は "(?<authType>[^"]*)" でユーザー名は "(?<user>.*)" です。$/,
    examples: [
      'コネクション "CID-21" (IP アドレス 203.0.113.44, ホスト名 203.0.113.44, ポート番号 51000, クライアント名 "SoftEther VPN Client", バージョン 4.43 ビルド 9799) が仮想 HUB への接続を試行しています。提示している認証方法は "パスワード認証" でユーザー名は "山田" です。',
    ],
    title: 'login attempt',
    remediation: 'Informational.',
  },
  {
    id: 'LH_AUTH_OK_JA',
    category: 'auth.succeeded',
    severity: 'info',
    pattern: new RegExp(`^${CID_JA}: ユーザー "(?<user>.*)" として正しく認証されました。`),
    examples: ['コネクション "CID-21": ユーザー "山田" として正しく認証されました。'],
    title: 'login succeeded',
    remediation: 'Informational.',
  },
  {
    id: 'LH_AUTH_NG_JA',
    category: 'auth.failed',
    severity: 'info',
    pattern: new RegExp(
      `^${CID_JA}: ユーザー認証に失敗しました。提示されたユーザー名は "(?<user>.*)" でした。`,
    ),
    examples: [
      'コネクション "CID-21": ユーザー認証に失敗しました。提示されたユーザー名は "山田" でした。',
    ],
    title: 'wrong password or unknown user',
    remediation: BRUTE_FORCE_HINT,
    docUrl: LOGGING_DOC,
  },
  {
    id: 'LH_NEW_SESSION_JA',
    category: 'session.established',
    severity: 'info',
    pattern: new RegExp(
      `^${CID_JA}: 新しいセッション "(?<sessionId>[^"]+)" が作成されました。\\(IP アドレス (?<clientIp>[^,]+), ポート番号 (?<clientPort>\\d+), 物理レイヤのプロトコル: "(?<transport>[^"]*)"`,
    ),
    examples: [
      'コネクション "CID-21": 新しいセッション "SID-山田-1" が作成されました。(IP アドレス 203.0.113.44, ポート番号 51000, 物理レイヤのプロトコル: "Standard TCP/IP (IPv4)", プロトコル詳細: "")',
    ],
    title: 'session created',
    remediation: 'Informational.',
  },
  {
    id: 'LH_END_SESSION_JA',
    category: 'session.ended',
    severity: 'info',
    pattern: new RegExp(
      `^${SID_JA}: セッションが終了しました。統計情報は次の通りです。合計送信データサイズ: (?<bytesOut>\\d+) バイト, 合計受信データサイズ: (?<bytesIn>\\d+) バイト`,
    ),
    examples: [
      'セッション "SID-山田-1": セッションが終了しました。統計情報は次の通りです。合計送信データサイズ: 20480 バイト, 合計受信データサイズ: 4096 バイト',
    ],
    title: 'session ended',
    remediation: 'Informational.',
  },
  {
    id: 'LH_IP_CONFLICT_JA',
    category: 'network.conflict',
    severity: 'warning',
    pattern: new RegExp(
      `^${SID_JA}: IP アドレス (?<assignedIp>[^ ]+) を使用しようとしましたが、この IP アドレスは既に別のセッション "(?<conflictSessionId>[^"]*)" \\(MAC アドレス: "(?<conflictMac>[^"]*)"\\)`,
    ),
    examples: [
      'セッション "SID-山田-1": IP アドレス 192.168.30.10 を使用しようとしましたが、この IP アドレスは既に別のセッション "SID-ALICE-3" (MAC アドレス: "5E-1A-2B-3C-4D-5E") によって使用されています。このセッションのセキュリティポリシーにより、他のセッションが使用中の IP アドレスとの重複は禁止されます。パケットは破棄されます。',
    ],
    title: 'IP address conflict',
    remediation:
      'Two sessions claim one IP address: a static address set by hand or address spoofing. Ask the user of the session to use DHCP.',
  },
  {
    id: 'LS_CONNECTION_START_1_JA',
    category: 'connection.progress',
    severity: 'info',
    pattern:
      /^クライアント \(IP アドレス (?<clientIp>[^,]+), ホスト名 "(?<hostName>[^"]*)", ポート番号 (?<clientPort>\d+)\) に対応するコネクション "(?<connectionId>[^"]+)" が作成されました。/,
    examples: [
      'クライアント (IP アドレス 203.0.113.44, ホスト名 "203.0.113.44", ポート番号 51000) に対応するコネクション "CID-21" が作成されました。',
    ],
    title: 'VPN connection opened',
    remediation: 'Informational.',
  },
  {
    id: 'LS_CONNECTION_ERROR_5_JA',
    category: 'probe.bad_packet',
    severity: 'info',
    pattern: new RegExp(
      `^${CID_JA} は理由 "(?<reason>.*)" \\(コード (?<errorCode>5)\\) で終了しました。`,
    ),
    examples: [
      'コネクション "CID-40" は理由 "SoftEther VPN ソフトウェア以外のクライアントがポートに接続しました。" (コード 5) で終了しました。',
    ],
    title: 'non-VPN client on the VPN port',
    remediation:
      'Scanners and browsers hitting the VPN port; harmless alone. Many from one address are a scan: consider blocking it.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LS_CONNECTION_ERROR_JA',
    category: 'session.ended',
    severity: 'info',
    pattern: new RegExp(
      `^${CID_JA} は理由 "(?<reason>.*)" \\(コード (?<errorCode>\\d+)\\) で終了しました。`,
    ),
    examples: [
      'コネクション "CID-34" は理由 "ユーザー認証に失敗しました。" (コード 9) で終了しました。',
    ],
    title: 'connection terminated with an error',
    remediation: 'The cause is in the reason field; it follows the hub event that explains it.',
  },
  {
    id: 'LS_CONNECTION_END_1_JA',
    category: 'session.ended',
    severity: 'info',
    pattern: new RegExp(`^${CID_JA} が終了しました。`),
    examples: ['コネクション "CID-21" が終了しました。'],
    title: 'connection closed',
    remediation: 'Informational.',
  },
  {
    id: 'LS_LISTENER_DOS_JA',
    category: 'probe.bad_packet',
    severity: 'info',
    pattern:
      /^TCP リスナー \(ポート (?<port>\d+)\) に対する DoS アタックを検出しました。接続元は IP アドレス (?<clientIp>[^,]+), ポート番号 (?<clientPort>\d+) です。/,
    examples: [
      'TCP リスナー (ポート 443) に対する DoS アタックを検出しました。接続元は IP アドレス 203.0.113.66, ポート番号 41000 です。このコネクションは強制切断します。',
    ],
    title: 'listener DoS detected',
    remediation:
      'One address opened too many connections; block it at the firewall if it keeps coming back.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LS_HUB_NOT_FOUND_JA',
    category: 'access.denied',
    severity: 'warning',
    pattern: new RegExp(
      `^${CID_JA}: クライアントが接続しようとした仮想 HUB "(?<requestedHub>[^"]*)" はサーバー上に存在しません。`,
    ),
    examples: [
      'コネクション "CID-51": クライアントが接続しようとした仮想 HUB "VPNGATE" はサーバー上に存在しません。',
    ],
    title: 'hub not found',
    remediation:
      'A client asked for a hub that does not exist: a stale client profile, or someone guessing hub names.',
  },
  {
    id: 'LS_IP_DENIED_JA',
    category: 'access.denied',
    severity: 'warning',
    pattern: new RegExp(`^${CID_JA}: クライアントの接続元 IP アドレス "(?<clientIp>[^"]*)" は、`),
    examples: [
      'コネクション "CID-52": クライアントの接続元 IP アドレス "203.0.113.9" は、仮想 HUB に定義されている 接続元 IP 制限リストによって拒否されました。',
    ],
    title: 'source IP refused',
    remediation:
      'The hub ACL refused the address. Expected for blocked sources; if a real user, update the Source IP Address Limit List.',
  },
  {
    id: 'LH_POLICY_ACCESS_NG_JA',
    category: 'auth.failed',
    severity: 'info',
    pattern: new RegExp(
      `^${CID_JA}: ユーザー "(?<user>.*)" はセキュリティポリシーによってアクセスが拒否されています。`,
    ),
    examples: [
      'コネクション "CID-81": ユーザー "佐藤" はセキュリティポリシーによってアクセスが拒否されています。',
    ],
    fields: { reason: 'account disabled by security policy' },
    title: 'disabled account used',
    remediation:
      'A disabled account tried to log in: a former user or a leaked credential. Confirm and delete the account if obsolete.',
  },
  {
    id: 'LH_USER_EXPIRES_JA',
    category: 'auth.failed',
    severity: 'info',
    pattern: new RegExp(
      `^${CID_JA}: ユーザー "(?<user>.*)" の有効期限が切れており、アクセスが拒否されました。`,
    ),
    examples: [
      'コネクション "CID-82": ユーザー "佐藤" の有効期限が切れており、アクセスが拒否されました。',
    ],
    fields: { reason: 'account expired' },
    title: 'expired account used',
    remediation: 'An expired account tried to log in; extend it if the user still needs access.',
  },
  {
    id: 'LA_OK_JA',
    category: 'admin.login_succeeded',
    severity: 'info',
    pattern: new RegExp(`^${CID_JA} が管理モードでのログインに成功しました。`),
    examples: ['コネクション "CID-72" が管理モードでのログインに成功しました。'],
    title: 'admin login',
    remediation: 'Informational; unexpected admin logins deserve a question to the team.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LE_DELETE_JA',
    category: 'log.deleted',
    severity: 'warning',
    pattern:
      /^ディスクの空き容量が (?<freeSpaceLimit>.+?) 未満になったため、古いファイル "(?<fileName>[^"]*)" を自動的に削除しました。/,
    examples: [
      'ディスクの空き容量が 100.0 MB 未満になったため、古いファイル "/usr/local/vpnserver/server_log/vpn_20250101.log" を自動的に削除しました。なお、削除を開始するディスクの最小空き容量は、設定ファイルの "AutoDeleteCheckDiskFreeSpaceMin" 項目で変更することができます。',
    ],
    fields: { auditKind: 'log-deleted' },
    title: 'log files deleted for disk space',
    remediation:
      'Old logs were deleted because the disk is nearly full: audit evidence is being lost. Free disk space or ship logs off the host.',
    docUrl: LOGGING_DOC,
  },
  {
    id: 'LA_ERROR_JA',
    category: 'admin.login_failed',
    severity: 'warning',
    pattern: new RegExp(
      `^${CID_JA} は管理モードにログインできませんでした。(?<reason>.*) \\(エラーコード (?<errorCode>\\d+)\\)`,
    ),
    examples: [
      'コネクション "CID-70" は管理モードにログインできませんでした。アクセスが拒否されました。 (エラーコード 12)',
    ],
    title: 'admin login failed',
    remediation:
      'A wrong administrator password was sent to the VPN Server. Confirm with the administrators; restrict admin sources with adminip.txt.',
    docUrl: ADMIN_DOC,
  },
  {
    id: 'LA_SET_HUB_LOG_JA',
    category: 'admin.change',
    severity: 'warning',
    admin: true,
    pattern: /^ログ保存設定を変更しました。/,
    examples: ['ログ保存設定を変更しました。'],
    fields: { auditKind: 'log-settings' },
    title: 'log settings changed',
    remediation:
      'Hub logging was reconfigured; confirm it was planned (switching logs off can hide an intrusion) and check the new setting with LogGet/LogEnable.',
    docUrl: LOGGING_DOC,
  },
  {
    id: 'LA_SET_AC_LIST_JA',
    category: 'admin.change',
    severity: 'warning',
    admin: true,
    pattern:
      /^接続元 IP 制限リストを更新しました。(?<ruleCount>\d+) 個のルール項目を設定しました。/,
    examples: ['接続元 IP 制限リストを更新しました。0 個のルール項目を設定しました。'],
    fields: { auditKind: 'access-list' },
    title: 'source IP limit list changed',
    remediation: 'The hub source-IP ACL changed; confirm it was planned and review the rules.',
  },
  {
    id: 'LA_SET_SERVER_PASSWORD_JA',
    category: 'admin.change',
    severity: 'warning',
    admin: true,
    pattern: /^サーバー管理者パスワードを設定しました。/,
    examples: ['サーバー管理者パスワードを設定しました。'],
    fields: { auditKind: 'admin-password' },
    title: 'admin password set',
    remediation:
      'The server administrator password changed; confirm with the administrators, and rotate it again if nobody did it.',
    docUrl: ADMIN_DOC,
  },
];

/**
 * How a string-table entry becomes a localised row: the written row it
 * translates (category, severity, hint, fields) and the field each `%`
 * placeholder fills, in order (`''`: not kept; a `[name, pattern]` pair pins
 * the value, e.g. error code 5).
 */
interface LocalizedSpec {
  readonly key: string;
  readonly base: string;
  readonly groups: readonly (string | readonly [string, string])[];
}

const LOCALIZED: readonly LocalizedSpec[] = [
  { key: 'LA_ERROR', base: 'LA_ERROR', groups: ['connectionId', 'reason', 'errorCode'] },
  { key: 'LA_OK', base: 'LA_OK', groups: ['connectionId'] },
  { key: 'LA_IP_DENIED', base: 'LA_IP_DENIED', groups: ['connectionId'] },
  { key: 'LA_SET_HUB_LOG', base: 'LA_SET_HUB_LOG', groups: [] },
  { key: 'LA_SET_SYSLOG', base: 'LA_SET_SYSLOG', groups: [] },
  { key: 'LA_ADD_ACCESS', base: 'LA_SET_ACCESS_LIST', groups: [] },
  { key: 'LA_DELETE_ACCESS', base: 'LA_SET_ACCESS_LIST', groups: [] },
  { key: 'LA_SET_ACCESS_LIST', base: 'LA_SET_ACCESS_LIST', groups: ['ruleCount'] },
  { key: 'LA_SET_SERVER_PASSWORD', base: 'LA_SET_SERVER_PASSWORD', groups: [] },
  { key: 'LA_CREATE_USER', base: 'LA_USER', groups: ['user'] },
  { key: 'LA_SET_USER', base: 'LA_USER', groups: ['user'] },
  { key: 'LA_DELETE_USER', base: 'LA_USER', groups: ['user'] },
  {
    key: 'LS_CONNECTION_ERROR',
    base: 'LS_CONNECTION_ERROR_5',
    groups: ['connectionId', 'reason', ['errorCode', '5']],
  },
  {
    key: 'LS_CONNECTION_ERROR',
    base: 'LS_CONNECTION_ERROR',
    groups: ['connectionId', 'reason', 'errorCode'],
  },
  { key: 'LS_LISTENER_DOS', base: 'LS_LISTENER_DOS', groups: ['port', 'clientIp', 'clientPort'] },
  { key: 'LS_IP_DENIED', base: 'LS_IP_DENIED', groups: ['connectionId', 'clientIp'] },
  { key: 'LS_END_2', base: 'LS_END_2', groups: [] },
  { key: 'LE_DELETE', base: 'LE_DELETE', groups: ['freeSpaceLimit', 'fileName'] },
  {
    key: 'LH_IP_CONFLICT',
    base: 'LH_IP_CONFLICT',
    groups: ['sessionId', 'assignedIp', 'conflictSessionId', 'conflictMac'],
  },
  {
    key: 'LH_BCAST_STORM',
    base: 'LH_BCAST_STORM',
    groups: ['sessionId', 'macAddress', 'sourceIp', 'destinationIp', ''],
  },
  { key: 'LH_AUTH_OK', base: 'LH_AUTH_OK', groups: ['connectionId', 'user'] },
  {
    key: 'LH_NEW_SESSION',
    base: 'LH_NEW_SESSION',
    groups: ['connectionId', 'sessionId', 'clientIp', 'clientPort', 'transport'],
  },
  { key: 'LH_END_SESSION', base: 'LH_END_SESSION', groups: ['sessionId', 'bytesOut', 'bytesIn'] },
];

const PLACEHOLDER = /%(?:I64)?[-0-9.]*[SsudxX]/g;

/**
 * The anchored pattern of a string-table entry: text literal, each
 * placeholder a named group (numbers for `%u`), a trailing placeholder up to
 * the end of the line.
 */
export function templatePattern(
  template: string,
  groups: readonly (string | readonly [string, string])[],
): RegExp {
  let index = 0;
  let source = '^';
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    source += escapeRegExp(template.slice(last, match.index));
    const group = groups[index++] ?? '';
    const numeric = /[udxX]$/.test(match[0]);
    const [name, pinned] = typeof group === 'string' ? [group, undefined] : group;
    const end = (match.index ?? 0) + match[0].length === template.length;
    const value = pinned ?? (numeric ? '\\d+' : end ? '.*' : '.*?');
    source += name === '' ? `(?:${value})` : `(?<${name}>${value})`;
    last = (match.index ?? 0) + match[0].length;
  }
  source += escapeRegExp(template.slice(last));
  return new RegExp(source);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The entry with its placeholders filled (`%u` → 1, text → x; a pinned group its value). */
function templateExample(template: string, groups: LocalizedSpec['groups']): string {
  let index = 0;
  return template.replace(PLACEHOLDER, (placeholder) => {
    const group = groups[index++];
    if (typeof group !== 'string' && group !== undefined) return group[1];
    return /[udxX]$/.test(placeholder) ? '1' : 'x';
  });
}

/**
 * Japanese, simplified and traditional Chinese rows built from SoftEther's
 * own string tables (src/sources/softether/strings.ts, generated from
 * hamcore.se2), skipping languages that have a written row already.
 */
function localizedRows(written: readonly CatalogRow[]): CatalogRow[] {
  const byId = new Map(written.map((row) => [row.id, row]));
  const rows: CatalogRow[] = [];
  for (const spec of LOCALIZED) {
    const base = byId.get(spec.base);
    const strings = SOFTETHER_STRINGS[spec.key];
    if (base === undefined || strings === undefined)
      throw new Error(`localised row ${spec.key}: no written row ${spec.base} or no string`);
    for (const language of ['ja', 'cn', 'tw'] as const) {
      const suffix = language.toUpperCase();
      // A row named after its base (`LS_CONNECTION_ERROR_5_CN`) unless it translates another key.
      const id = `${spec.base === 'LA_SET_ACCESS_LIST' || spec.base === 'LA_USER' ? spec.key : spec.base}_${suffix}`;
      if (byId.has(id)) continue;
      const template = strings[language];
      rows.push({
        ...base,
        id,
        pattern: templatePattern(template, spec.groups),
        examples: [templateExample(template, spec.groups)],
      });
    }
  }
  return rows;
}

/** The rows built from SoftEther's string tables (Japanese, simplified and traditional Chinese). */
export const LOCALIZED_ROWS: readonly CatalogRow[] = localizedRows(WRITTEN_ROWS);

/** The catalog, in lookup priority order within a key: written rows, then localised ones. */
export const CATALOG: readonly CatalogRow[] = [...WRITTEN_ROWS, ...LOCALIZED_ROWS];

/** Leading id phrases reduced to a marker in the index key (en, ja, zh). */
const ID_PREFIXES: readonly (readonly [string, string])[] = [
  ['Connection "', 'C'],
  ['Session "', 'S'],
  ['コネクション "', 'C'],
  ['セッション "', 'S'],
  ['连接 "', 'C'],
  ['会话 "', 'S'],
  ['連接 "', 'C'],
  ['會話 "', 'S'],
];

/**
 * The index key of a message body: an optional `C`/`S` marker for a leading
 * connection/session id, then the first two words with quoted text collapsed
 * to `"`.
 */
export function catalogKey(body: string): string {
  let i = 0;
  let marker = '';
  for (const [prefix, mark] of ID_PREFIXES) {
    if (body.startsWith(prefix)) {
      const close = body.indexOf('"', prefix.length);
      if (close < 0) break;
      marker = mark;
      i = close + 1;
      if (body.charCodeAt(i) === 58) {
        marker += ':';
        i++;
      }
      break;
    }
  }
  const words: string[] = [];
  const length = body.length;
  while (words.length < 2 && i < length) {
    while (i < length && body.charCodeAt(i) === 32) i++;
    if (i >= length) break;
    if (body.charCodeAt(i) === 34) {
      const close = body.indexOf('"', i + 1);
      i = close < 0 ? length : close + 1;
      words.push('"');
      continue;
    }
    let end = body.indexOf(' ', i);
    if (end < 0) end = length;
    const word = body.slice(i, end);
    if (words.length === 0 && isCjk(word)) {
      // Japanese and Chinese run a sentence and its variable parts together
      // without spaces: the key is the first word up to its first full stop or comma.
      const stop = word.search(/[。，：:、]/);
      return `${marker}|${stop < 0 ? word : word.slice(0, stop)}`;
    }
    words.push(word);
    i = end;
  }
  return `${marker}|${words.join(' ')}`;
}

/** True when `word` holds a Japanese or Chinese character. */
function isCjk(word: string): boolean {
  for (let i = 0; i < word.length; i++) if (word.charCodeAt(i) >= 0x2e80) return true;
  return false;
}

/**
 * The catalog indexed by `catalogKey`; admin rows under `A` + key. A line is
 * tested against one bucket (two for admin lines), whatever the table size.
 */
export const CATALOG_INDEX: ReadonlyMap<string, readonly CatalogRow[]> = (() => {
  const index = new Map<string, CatalogRow[]>();
  for (const row of CATALOG) {
    for (const example of row.examples) {
      const key = (row.admin === true ? 'A' : '') + catalogKey(example);
      const bucket = index.get(key) ?? [];
      if (!bucket.includes(row)) bucket.push(row);
      index.set(key, bucket);
    }
  }
  return index;
})();

const ADMIN_FALLBACK = CATALOG.find((row) => row.id === 'LA_OTHER');

/** A catalog match: the row and the fields its pattern extracted. */
export interface CatalogMatch {
  readonly row: CatalogRow;
  readonly fields: Readonly<Record<string, FieldValue>>;
}

/**
 * Classifies a message body. `admin` is true when the line had an
 * `Administration mode` tag: admin rows are tried first and an unknown admin
 * message is still an administrative change. Undefined when nothing matches.
 */
export function classifyBody(body: string, admin: boolean): CatalogMatch | undefined {
  const key = catalogKey(body);
  if (admin) {
    const match = matchBucket(CATALOG_INDEX.get(`A${key}`), body);
    if (match !== undefined) return match;
  }
  const match = matchBucket(CATALOG_INDEX.get(key), body);
  if (match !== undefined) return match;
  if (admin && ADMIN_FALLBACK !== undefined) return { row: ADMIN_FALLBACK, fields: {} };
  return undefined;
}

function matchBucket(
  bucket: readonly CatalogRow[] | undefined,
  body: string,
): CatalogMatch | undefined {
  if (bucket === undefined) return undefined;
  for (const row of bucket) {
    const match = row.pattern.exec(body);
    if (match === null) continue;
    const fields: Record<string, FieldValue> = {};
    const groups = match.groups;
    if (groups !== undefined) {
      for (const name in groups) {
        const value = groups[name];
        if (value === undefined || value === '') continue;
        const field = GROUP_FIELD[name] ?? name;
        fields[field] = NUMERIC_GROUPS.has(name) ? Number(value) : value;
      }
    }
    return { row, fields };
  }
  return undefined;
}

/** Groups that land in a shared field under another name. */
const GROUP_FIELD: Readonly<Record<string, string>> = { updatedUser: 'user' };

/** The model `Hint` of a row. */
export function hintOf(row: CatalogRow): Hint {
  return {
    id: `softether.${row.id.toLowerCase().replaceAll('_', '-')}`,
    title: row.title,
    remediation: row.remediation,
    ...(row.docUrl === undefined ? {} : { docUrl: row.docUrl }),
  };
}
