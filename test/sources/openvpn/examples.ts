import type { Category, EventFields } from '../../../src/model.ts';

/** A catalog example: a line, the row it must match and the fields it must yield. */
export interface Example {
  readonly row: string;
  /** A whole line (suppressed-timestamp form unless it has a header). */
  readonly line: string;
  readonly category: Category;
  readonly fields?: EventFields;
}

/** A client prefix's address. */
export const C = '203.0.113.5:51234';

/** One or more real-shaped lines per catalog row, with the fields that must come out. */
export const EXAMPLES: readonly Example[] = [
  {
    row: 'gateway.try-username',
    line: `${C} try username "user01"`,
    category: 'auth.attempt',
    fields: { user: 'user01', clientIp: '203.0.113.5', clientPort: 51234 },
  },
  {
    row: 'gateway.try-username',
    line: `${C} try username “user01”`,
    category: 'auth.attempt',
    fields: { user: 'user01' },
  },
  {
    row: 'gateway.authentication-succeeded',
    line: `${C} user01 authentication succeeded`,
    category: 'auth.succeeded',
    fields: { user: 'user01' },
  },
  {
    row: 'tls.user-pass-succeeded',
    line: `${C} TLS: Username/Password authentication succeeded for username 'dan10' [CN SET]`,
    category: 'auth.succeeded',
    fields: { user: 'dan10' },
  },
  {
    row: 'tls.user-pass-succeeded',
    line: `CLIENT-01/10.1.101.21:64070 TLS: Username/auth-token authentication succeeded for username 'dan10'`,
    category: 'auth.succeeded',
    fields: { user: 'dan10' },
  },
  {
    row: 'tls.user-pass-deferred',
    line: `${C} TLS: Username/Password authentication deferred for username 'bob' `,
    category: 'auth.attempt',
    fields: { user: 'bob' },
  },
  {
    row: 'tls.auth-token-failed',
    line: `${C} TLS: Username/auth-token authentication failed for username 'bob'`,
    category: 'auth.failed',
    fields: { user: 'bob' },
  },
  {
    row: 'tls.user-pass-verification-failed',
    line: `${C} TLS Auth Error: Auth Username/Password verification failed for peer`,
    category: 'auth.failed',
    fields: { clientIp: '203.0.113.5', clientPort: 51234 },
  },
  {
    row: 'tls.blank-username',
    line: `${C} TLS Auth Error: peer provided a blank username`,
    category: 'auth.failed',
  },
  {
    row: 'tls.client-config-dir-failed',
    line: `${C} TLS Auth Error: --client-config-dir authentication failed for common name 'carol' file='/etc/openvpn/ccd/carol'`,
    category: 'auth.failed',
    fields: { user: 'carol' },
  },
  {
    row: 'tls.common-name-changed',
    line: `${C} TLS Auth Error: TLS object CN attempted to change from 'a' to 'b' -- tunnel disabled`,
    category: 'auth.failed',
  },
  {
    row: 'tls.user-pass-not-provided',
    line: `${C} TLS Error: Auth Username/Password was not provided by peer`,
    category: 'auth.failed',
  },
  {
    row: 'tls.credentials-too-long',
    line: `${C} TLS Error: Username (300) or password (12) too long`,
    category: 'auth.failed',
  },
  {
    row: 'control.auth-failed',
    line: `${C} SENT CONTROL [user01]: 'AUTH_FAILED' (status=1)`,
    category: 'auth.failed',
    fields: { user: 'user01', status: 1 },
  },
  {
    row: 'control.auth-failed',
    line: `${C} SENT CONTROL [UNDEF]: 'AUTH_FAILED,Account expired' (status=1)`,
    category: 'auth.failed',
    fields: { reason: 'Account expired' },
  },
  {
    row: 'control.push-reply',
    line: `user01/${C} SENT CONTROL [user01]: 'PUSH_REPLY,route 172.16.10.0 255.255.255.0,route-gateway 10.8.0.1,topology subnet,ping 10,ping-restart 60,ifconfig 10.8.0.6 255.255.255.0,peer-id 0,cipher AES-256-GCM' (status=1)`,
    category: 'session.established',
    fields: {
      user: 'user01',
      assignedIp: '10.8.0.6',
      routes: ['172.16.10.0/255.255.255.0'],
      routeGateway: '10.8.0.1',
      cipher: 'AES-256-GCM',
      topology: 'subnet',
      pingSeconds: 10,
      pingRestartSeconds: 60,
      peerId: 0,
    },
  },
  {
    row: 'control.push-reply',
    line: `${C} SENT CONTROL [user01]: ‘PUSH_REPLY,route 172.16.10.0 255.255.255.0,ifconfig 10.8.0.6 255.255.255.0,peer-id 0,cipher AES-256-GCM’ (status=1)`,
    category: 'session.established',
    fields: { assignedIp: '10.8.0.6', cipher: 'AES-256-GCM' },
  },
  {
    row: 'auth-pam.failed',
    line: `AUTH-PAM: BACKGROUND: user 'user' failed to authenticate: Authentication failure`,
    category: 'auth.failed',
    fields: { user: 'user', reason: 'Authentication failure' },
  },
  {
    row: 'otp-auth.failed',
    line: `OTP-AUTH: authentication failed for username 'zhaowei', remote 10.0.16.187:46192`,
    category: 'auth.failed',
    fields: { user: 'zhaowei', clientIp: '10.0.16.187', clientPort: 46192 },
  },
  {
    row: 'script.user-authenticated',
    line: `user 'chapolin' authenticated`,
    category: 'auth.succeeded',
    fields: { user: 'chapolin' },
  },
  {
    row: 'script.user-not-authenticated',
    line: `user 'bob' could not authenticate.`,
    category: 'auth.failed',
    fields: { user: 'bob' },
  },
  {
    row: 'ldap.bind-failed',
    line: `LDAP bind failed: Invalid credentials`,
    category: 'auth.failed',
    fields: { reason: 'Invalid credentials' },
  },
  {
    row: 'ldap.incorrect-password',
    line: `Incorrect password supplied for LDAP DN "CN=Harry,DC=example,DC=com".`,
    category: 'auth.failed',
    fields: { user: 'CN=Harry,DC=example,DC=com' },
  },
  {
    row: 'access-server.auth-failed',
    line: `VPN Auth Failed: 'local auth failed: password verification failed' [None]`,
    category: 'auth.failed',
    fields: { reason: 'local auth failed: password verification failed' },
  },
  {
    row: 'access-server.auth-failed',
    line: `VPN Auth Failed: 'LDAP auth failed' [alice]`,
    category: 'auth.failed',
    fields: { user: 'alice' },
  },
  {
    row: 'script.auth-user-pass-verify-failed',
    line: `${C} WARNING: Failed running command (--auth-user-pass-verify): external program exited with error status: 1`,
    category: 'auth.failed',
    fields: { reason: 'external program exited with error status: 1' },
  },
  {
    row: 'plugin.auth-user-pass-verify-failed',
    line: `${C} PLUGIN_CALL: plugin function PLUGIN_AUTH_USER_PASS_VERIFY failed with status 1: /usr/lib/openvpn/openvpn-plugin-auth-pam.so`,
    category: 'auth.failed',
    fields: { status: 1 },
  },
  {
    row: 'auth-token.hmac-failed',
    line: `${C} --auth-gen-token: HMAC on token from client failed (alice)`,
    category: 'auth.failed',
    fields: { user: 'alice' },
  },
  {
    row: 'auth-token.expired',
    line: `${C} --auth-gen-token: auth-token from client expired`,
    category: 'auth.failed',
  },
  {
    row: 'multi.client-disabled',
    line: `${C} MULTI: client has been rejected due to 'disable' directive`,
    category: 'auth.failed',
  },
  {
    row: 'link.peer-connection-initiated',
    line: `${C} [user01] Peer Connection Initiated with [AF_INET]203.0.113.5:51234`,
    category: 'auth.attempt',
    fields: { commonName: 'user01', clientIp: '203.0.113.5' },
  },
  {
    row: 'tls.initial-packet',
    line: `${C} TLS: Initial packet from [AF_INET]203.0.113.5:51234, sid=8ebd11e0 130ba97f`,
    category: 'connection.progress',
  },
  {
    row: 'tcp.connection-established',
    line: `TCP connection established with [AF_INET]203.0.113.5:51234`,
    category: 'connection.progress',
    fields: { clientIp: '203.0.113.5', clientPort: 51234 },
  },
  {
    row: 'tls.control-channel',
    line: `${C} Control Channel: TLSv1.3, cipher TLSv1.3 TLS_AES_256_GCM_SHA384, peer certificate: 2048 bit RSA, signature: RSA-SHA256`,
    category: 'connection.progress',
    fields: { tlsVersion: 'TLSv1.3', tlsCipher: 'TLSv1.3 TLS_AES_256_GCM_SHA384' },
  },
  {
    row: 'push.peer-info',
    line: `${C} peer info: IV_VER=2.6.12`,
    category: 'connection.progress',
    fields: { peerInfo: 'IV_VER=2.6.12' },
  },
  {
    row: 'push.request-received',
    line: `${C} PUSH: Received control message: 'PUSH_REQUEST'`,
    category: 'connection.progress',
  },
  {
    row: 'multi.create-instance',
    line: `${C} MULTI: multi_create_instance called`,
    category: 'connection.progress',
  },
  {
    row: 'multi.pool-assigned',
    line: `user01/${C} MULTI_sva: pool returned IPv4=10.8.0.6, IPv6=(Not enabled)`,
    category: 'session.established',
    fields: { assignedIp: '10.8.0.6', user: 'user01' },
  },
  {
    row: 'multi.learn',
    line: `user01/${C} MULTI: Learn: 10.8.0.6 -> user01/${C}`,
    category: 'session.established',
    fields: { assignedIp: '10.8.0.6' },
  },
  {
    row: 'multi.primary-virtual-ip',
    line: `user01/${C} MULTI: primary virtual IP for user01/${C}: 10.8.0.6`,
    category: 'session.established',
    fields: { assignedIp: '10.8.0.6' },
  },
  {
    row: 'multi.unlearn',
    line: `MULTI: Unlearn: 10.8.0.6 -> user01/${C}`,
    category: 'session.ended',
    fields: { assignedIp: '10.8.0.6' },
  },
  {
    row: 'multi.pool-exhausted',
    line: `${C} MULTI: no free --ifconfig-pool addresses are available`,
    category: 'session.ended',
  },
  {
    row: 'multi.max-clients',
    line: `MULTI: new incoming connection would exceed maximum number of clients (50)`,
    category: 'session.ended',
    fields: { maxClients: 50 },
  },
  {
    row: 'multi.duplicate-session',
    line: `user01/${C} MULTI: new connection by client 'user01' will cause previous active sessions by this client to be dropped.  Remember to use the --duplicate-cn option if you want multiple clients using the same certificate or username to concurrently connect.`,
    category: 'session.ended',
    fields: { user: 'user01' },
  },
  {
    row: 'multi.connect-frequency',
    line: `MULTI: Connection from [AF_INET]203.0.113.5:51234 would exceed new connection frequency limit as controlled by --connect-freq`,
    category: 'probe.bad_packet',
    fields: { clientIp: '203.0.113.5' },
  },
  {
    row: 'reflect.connect-freq-initial',
    line: `Note: --connect-freq-initial 100 10 rate limit exceeded, dropping initial handshake packets for the next 10 seconds`,
    category: 'probe.bad_packet',
  },
  {
    row: 'signal.client-instance',
    line: `user01/${C} SIGUSR1[soft,connection-reset] received, client-instance restarting`,
    category: 'session.ended',
    fields: { reason: 'connection-reset', signal: 'SIGUSR1', action: 'restarting' },
  },
  {
    row: 'signal.client-instance',
    line: `user01/${C} SIGUSR1[soft,ping-restart] received, client-instance restarting`,
    category: 'session.ended',
    fields: { reason: 'ping-restart' },
  },
  {
    row: 'signal.client-instance',
    line: `${C} SIGTERM[soft,delayed-exit] received, client-instance exiting`,
    category: 'session.ended',
    fields: { reason: 'delayed-exit', action: 'exiting' },
  },
  {
    row: 'signal.client-instance',
    line: `first client/123.113.187.160:9097 SIGTERM[soft,remote-exit] received, client-instance exiting`,
    category: 'session.ended',
    fields: { user: 'first client', reason: 'remote-exit' },
  },
  {
    row: 'forward.connection-reset',
    line: `user01/${C} Connection reset, restarting [0]`,
    category: 'session.ended',
  },
  {
    row: 'ping.inactivity-timeout',
    line: `user01/${C} [user01] Inactivity timeout (--ping-restart), restarting`,
    category: 'session.ended',
    fields: { reason: '--ping-restart' },
  },
  {
    row: 'forward.delayed-exit',
    line: `${C} Delayed exit in 5 seconds`,
    category: 'session.ended',
    fields: { exitDelaySeconds: 5 },
  },
  {
    row: 'server.initialization-completed',
    line: `Initialization Sequence Completed`,
    category: 'server.started',
  },
  {
    row: 'server.version-banner',
    line: `OpenVPN 2.6.12 x86_64-pc-linux-gnu [SSL (OpenSSL)] [LZO] [LZ4] [EPOLL] [PKCS11] [MH/PKTINFO] [AEAD] [DCO] built on Jul 18 2024`,
    category: 'server.started',
    fields: { version: '2.6.12' },
  },
  {
    row: 'signal.process-exiting',
    line: `SIGTERM[hard,] received, process exiting`,
    category: 'server.stopped',
    fields: { signal: 'SIGTERM', signalKind: 'hard' },
  },
  { row: 'server.fatal-error', line: `Exiting due to fatal error`, category: 'server.stopped' },
  // Written by OpenVPN 2.6.14 with OpenSSL 3.0 in test/real/openvpn.test.ts.
  {
    row: 'verify.unsuitable-purpose',
    line: `${C} VERIFY ERROR: depth=0, error=unsuitable certificate purpose: CN=carol, serial=4099`,
    category: 'cert.key_usage',
    fields: { reason: 'unsuitable certificate purpose', user: 'carol', depth: 0 },
  },
  {
    row: 'client.auth-failed',
    line: 'AUTH: Received control message: AUTH_FAILED',
    category: 'auth.failed',
  },
  {
    row: 'tls-crypt.unwrap-error',
    line: 'tls-crypt unwrap error: packet authentication failed',
    category: 'tls.hmac_failed',
    fields: { reason: 'packet authentication failed' },
  },
  {
    row: 'signal.soft-restart',
    line: 'SIGUSR1[soft,tls-error] received, process restarting',
    category: 'session.ended',
    fields: { reason: 'tls-error' },
  },
  {
    row: 'verify.ok',
    line: `${C} VERIFY OK: depth=0, C=JP, O=Example, CN=user01`,
    category: 'connection.progress',
    fields: { depth: 0, user: 'user01' },
  },
  {
    row: 'verify.key-usage',
    line: `${C} VERIFY KU ERROR`,
    category: 'cert.key_usage',
    fields: { check: 'KU' },
  },
  {
    row: 'verify.key-usage',
    line: `${C} VERIFY EKU ERROR`,
    category: 'cert.key_usage',
    fields: { check: 'EKU' },
  },
  {
    row: 'verify.key-usage',
    line: `${C} VERIFY nsCertType ERROR: CN=user01, require nsCertType=CLIENT`,
    category: 'cert.key_usage',
  },
  {
    row: 'verify.expired',
    line: `${C} VERIFY ERROR: depth=0, error=certificate has expired: CN=user01, serial=4`,
    category: 'cert.expired',
    fields: {
      depth: 0,
      reason: 'certificate has expired',
      subject: 'CN=user01',
      serial: '4',
      user: 'user01',
    },
  },
  {
    row: 'verify.expired',
    line: `${C} VERIFY ERROR: depth=0, error=certificate is not yet valid: CN=user01`,
    category: 'cert.expired',
    fields: { reason: 'certificate is not yet valid' },
  },
  {
    row: 'verify.crl-expired',
    line: `192.168.0.1:37072 VERIFY ERROR: depth=0, error=CRL has expired: CN=client`,
    category: 'cert.verify_failed',
    fields: { reason: 'CRL has expired' },
  },
  {
    row: 'verify.revoked',
    line: `${C} VERIFY ERROR: depth=0, error=certificate revoked: CN=mallory, serial=2`,
    category: 'cert.verify_failed',
    fields: { reason: 'certificate revoked', user: 'mallory' },
  },
  {
    row: 'verify.revoked',
    line: `${C} VERIFY CRL: depth=0, CN=mallory, serial=2 is revoked`,
    category: 'cert.verify_failed',
    fields: { serial: '2' },
  },
  {
    row: 'verify.error',
    line: `${C} VERIFY ERROR: depth=2, error=unable to get issuer certificate: <ROOT CA>`,
    category: 'cert.verify_failed',
    fields: { depth: 2, reason: 'unable to get issuer certificate' },
  },
  {
    row: 'verify.error',
    line: `${C} VERIFY X509NAME ERROR: CN=eve, must be CN=server`,
    category: 'cert.verify_failed',
  },
  {
    row: 'openssl.peer-no-certificate',
    line: `${C} OpenSSL: error:1417C0C7:SSL routines:tls_process_client_certificate:peer did not return a certificate`,
    category: 'cert.missing',
    fields: { code: '1417C0C7' },
  },
  {
    row: 'openssl.peer-no-certificate',
    line: `${C} OpenSSL: error:0A0000C7:SSL routines::peer did not return a certificate`,
    category: 'cert.missing',
    fields: { code: '0A0000C7' },
  },
  {
    row: 'openssl.certificate-verify-failed',
    line: `${C} OpenSSL: error:1417C086:SSL routines:tls_process_client_certificate:certificate verify failed`,
    category: 'cert.verify_failed',
  },
  {
    row: 'openssl.certificate-verify-failed',
    line: `${C} OpenSSL: error:0A000086:SSL routines::certificate verify failed`,
    category: 'cert.verify_failed',
  },
  {
    row: 'openssl.error',
    line: `${C} OpenSSL: error:0A00010B:SSL routines::wrong version number`,
    category: 'tls.handshake_failed',
    fields: { reason: 'SSL routines::wrong version number' },
  },
  {
    row: 'ssl.own-certificate-expired',
    line: `WARNING: Your certificate has expired!`,
    category: 'cert.expired',
  },
  {
    row: 'crl.cannot-read',
    line: `CRL: cannot read: /etc/openvpn/crl.pem`,
    category: 'cert.verify_failed',
  },
  {
    row: 'tls.certificate-verification-failed',
    line: `${C} TLS Error: Certificate verification failed (key-method 2)`,
    category: 'cert.verify_failed',
  },
  {
    row: 'tls.handshake-failed',
    line: `${C} TLS Error: TLS handshake failed`,
    category: 'tls.handshake_failed',
  },
  {
    row: 'tls.key-negotiation-timeout',
    line: `${C} TLS Error: TLS key negotiation failed to occur within 60 seconds (check your network connectivity)`,
    category: 'tls.negotiation_timeout',
    fields: { handWindowSeconds: 60 },
  },
  {
    row: 'tls.hmac-not-found',
    line: `TLS Error: cannot locate HMAC in incoming packet from [AF_INET]192.0.2.253:55340`,
    category: 'tls.hmac_failed',
    fields: { clientIp: '192.0.2.253', clientPort: 55340 },
  },
  {
    row: 'tls.hmac-not-found',
    line: `TLS Error: tls-crypt unwrapping failed from [AF_INET6]2001:db8::7:1194`,
    category: 'tls.hmac_failed',
    fields: { clientIp: '2001:db8::7', clientPort: 1194 },
  },
  {
    row: 'crypto.packet-hmac-failed',
    line: `user01/${C} Authenticate/Decrypt packet error: packet HMAC authentication failed`,
    category: 'tls.hmac_failed',
    fields: { reason: 'packet HMAC authentication failed' },
  },
  {
    row: 'crypto.packet-hmac-failed',
    line: `user01/${C} AEAD Decrypt error: bad packet ID (may be a replay): [ #7 ] -- see the man page entry for --no-replay and --replay-window for more info or silence this warning with --mute-replay-warnings`,
    category: 'tls.hmac_failed',
  },
  {
    row: 'tls.plaintext-read-error',
    line: `${C} TLS_ERROR: BIO read tls_read_plaintext error`,
    category: 'tls.handshake_failed',
  },
  {
    row: 'tls.plaintext-read-error',
    line: `${C} TLS Error: TLS object -> incoming plaintext read error`,
    category: 'tls.handshake_failed',
  },
  {
    row: 'tls.fatal-error',
    line: `Fatal TLS error (check_tls_errors_co), restarting`,
    category: 'tls.handshake_failed',
  },
  {
    row: 'tls.error',
    line: `${C} TLS Error: local/remote TLS keys are out of sync: [AF_INET]203.0.113.5:51234 [2]`,
    category: 'tls.handshake_failed',
  },
  {
    row: 'socket.bad-encapsulated-packet-length',
    line: `${C} WARNING: Bad encapsulated packet length from peer (5635), which must be > 0 and <= 1626 -- please ensure that --tun-mtu or --link-mtu is equal on both peers -- this condition could also indicate a possible active attack on the TCP link -- [Attempting restart...]`,
    category: 'probe.bad_packet',
    fields: { packetLength: 5635, maxPacketLength: 1626 },
  },
  {
    row: 'socket.bad-encapsulated-packet-length',
    line: `${C} WARNING: Bad encapsulated packet length from peer (5635), which must be > 0 and <= 1627 – please ensure that –tun-mtu or –link-mtu is equal on both peers – this condition could also indicate a possible active attack on the TCP link – [Attempting restart…]`,
    category: 'probe.bad_packet',
  },
];
