import { describe, expect, it } from 'vitest';
import type { Category, EventFields } from '../../../src/model.ts';
import {
  CATALOG,
  CATALOG_INDEX,
  catalogKey,
  classifyBody,
  LOCALIZED_ROWS,
} from '../../../src/sources/softether/catalog.ts';
import { createSoftetherParser } from '../../../src/sources/softether/parser.ts';

interface RowCase {
  /** Message after the timestamp, as the log holds it. */
  readonly message: string;
  readonly category: Category;
  readonly fields: EventFields;
}

/** One case per catalog row: the line and the fields it must yield. */
const ROW_CASES: Readonly<Record<string, RowCase>> = {
  LS_START_1: {
    message: 'The SoftEther VPN Server has been started.',
    category: 'server.started',
    fields: {},
  },
  LS_START_2: {
    message: 'SoftEther VPN Server (64 bit) Ver 4.43, Build 9799, rtm (English)',
    category: 'server.started',
    fields: { product: 'SoftEther VPN Server (64 bit)', version: '4.43', build: 9799 },
  },
  LS_END_2: {
    message: 'The Server Engine shutdown processing has started.',
    category: 'server.stopped',
    fields: {},
  },
  LS_END_1: {
    message: 'The SoftEther VPN Server Engine has been successfully shutdown.',
    category: 'server.stopped',
    fields: {},
  },
  LS_LOAD_CONFIG_3: {
    message: 'Configuration file does not exist. Attempting to start using initial settings.',
    category: 'server.started',
    fields: {},
  },
  LS_BAD_CONFIG: {
    message:
      'The contents of the configuration file is invalid. The loading process has been terminated.',
    category: 'server.started',
    fields: {},
  },
  LS_LISTENER_START_2: {
    message: 'TCP Listener (port 5555) has started. Now listening for connection from client.',
    category: 'server.started',
    fields: { port: 5555 },
  },
  LS_LISTENER_START_3: {
    message:
      'Unable to set port to Listen status for TCP Listener (port 992). Attempting at fixed intervals until successful.',
    category: 'server.started',
    fields: { port: 992 },
  },
  LS_HUB_START: {
    message: 'Virtual Hub "営業部" has been started.',
    category: 'server.started',
    fields: { hub: '営業部' },
  },
  LS_HUB_STOP: {
    message: 'Virtual Hub "DEFAULT" has been stopped.',
    category: 'server.stopped',
    fields: { hub: 'DEFAULT' },
  },
  LH_ONLINE: {
    message: '[HUB "DEFAULT"] The Virtual Hub is now online.',
    category: 'server.started',
    fields: { hub: 'DEFAULT' },
  },
  LH_OFFLINE: {
    message: '[HUB "DEFAULT"] The Virtual Hub is now offline.',
    category: 'server.stopped',
    fields: { hub: 'DEFAULT' },
  },
  LS_LISTENER_ACCEPT: {
    message:
      'On the TCP Listener (Port 443), a Client (IP address 198.51.100.7, Host name "pc.example.jp", Port number 50412) has connected.',
    category: 'connection.progress',
    fields: { port: 443, clientIp: '198.51.100.7', hostName: 'pc.example.jp', clientPort: 50412 },
  },
  LS_CONNECTION_START_1: {
    message:
      'For the client (IP address: 198.51.100.7, host name: "198.51.100.7", port number: 50412), connection "CID-12" has been created.',
    category: 'connection.progress',
    fields: { clientIp: '198.51.100.7', clientPort: 50412, connectionId: 'CID-12' },
  },
  LS_SSL_START: {
    message:
      'SSL communication for connection "CID-12" has been started. The protocol version is TLSv1.3. The encryption algorithm name is "TLS_AES_256_GCM_SHA384".',
    category: 'connection.progress',
    fields: { connectionId: 'CID-12', tlsVersion: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' },
  },
  LS_CONNECTION_ERROR_5: {
    message:
      'Connection "CID-40" terminated by the cause "A client which is non-SoftEther VPN software has connected to the port." (code 5).',
    category: 'probe.bad_packet',
    fields: { connectionId: 'CID-40', errorCode: 5 },
  },
  LS_CONNECTION_ERROR: {
    message: 'Connection "CID-34" terminated by the cause "User authentication failed." (code 9).',
    category: 'session.ended',
    fields: { connectionId: 'CID-34', errorCode: 9, reason: 'User authentication failed.' },
  },
  LS_CONNECTION_END_1: {
    message: 'Connection "CID-12" has been terminated.',
    category: 'session.ended',
    fields: { connectionId: 'CID-12' },
  },
  LS_LISTENER_DOS: {
    message:
      'A DoS attack on the TCP Listener (port 443) has been detected. The connecting source IP address is 203.0.113.66, port number is 41000. This connection will be forcefully disconnected now.',
    category: 'probe.bad_packet',
    fields: { port: 443, clientIp: '203.0.113.66', clientPort: 41000 },
  },
  LS_LISTENER_MAXUEC: {
    message:
      'The TCP listener is temporary suspending to accept new inward connections because of the number of pending TCP connections exceeded 1000. (Current value = 1000)',
    category: 'probe.bad_packet',
    fields: { maxSessions: 1000 },
  },
  LS_HUB_NOT_FOUND: {
    message:
      'Connection "CID-51": Virtual Hub "VPNGATE" that the client is trying to connect to does not exist on the server.',
    category: 'access.denied',
    fields: { connectionId: 'CID-51', requestedHub: 'VPNGATE' },
  },
  LS_IP_DENIED: {
    message:
      'Connection "CID-52": The source IP address "203.0.113.9" of the client has refused based on the Source IP Address Limit List defined for the Virtual Hub.',
    category: 'access.denied',
    fields: { connectionId: 'CID-52', clientIp: '203.0.113.9' },
  },
  LS_FARM_ACCEPT_2: {
    message:
      'Connection "CID-60":Although this server received a cluster control connection request, the authentication password is incorrect and connection has been refused.',
    category: 'admin.login_failed',
    fields: { connectionId: 'CID-60', reason: 'cluster password incorrect' },
  },
  LS_FARM_CONNECT_2: {
    message:
      'Connection to cluster controller "vpn-ctl.example.jp" has been refused. Error: Access has been denied. (code 12)',
    category: 'access.denied',
    fields: { server: 'vpn-ctl.example.jp', errorCode: 12, reason: 'Access has been denied.' },
  },
  LA_CONNECTED_1: {
    message: 'Connection "CID-70" connected using server admin mode.',
    category: 'connection.progress',
    fields: { connectionId: 'CID-70', adminMode: 'server' },
  },
  LA_CONNECTED_2: {
    message:
      'Connection "CID-71" connected using Virtual Hub Admin Mode. The name of the Virtual Hub is "営業部".',
    category: 'connection.progress',
    fields: { connectionId: 'CID-71', adminMode: 'hub', hub: '営業部' },
  },
  LA_ERROR: {
    message:
      'Connection "CID-70" was unable to log in using administration mode. Access has been denied. (Error code 12)',
    category: 'admin.login_failed',
    fields: { connectionId: 'CID-70', errorCode: 12, reason: 'Access has been denied.' },
  },
  LA_OK: {
    message: 'Connection "CID-72" successfully logged in using administration mode.',
    category: 'admin.login_succeeded',
    fields: { connectionId: 'CID-72' },
  },
  LA_IP_DENIED: {
    message:
      'Connection "CID-73" attempted to connect using administration mode from an IP address whose permission is denied by adminip.txt. Disconnecting.',
    category: 'access.denied',
    fields: { connectionId: 'CID-73' },
  },
  LS_API_AUTH_ERROR: {
    message:
      'HTTPS API client "198.51.100.20:53000" (198.51.100.20): The embedded HTTPS web server refused a login attempt. Username: "administrator", Method: "POST", Path: "/api/"',
    category: 'admin.login_failed',
    fields: { clientIp: '198.51.100.20', clientPort: 53000, user: 'administrator' },
  },
  LS_API_AUTH_OK: {
    message:
      'HTTPS API client "198.51.100.20:53001" (198.51.100.20): The embedded HTTPS web server accepted the successful login. Username: "administrator", Method: "POST", Path: "/api/"',
    category: 'admin.login_succeeded',
    fields: { clientIp: '198.51.100.20', clientPort: 53001, user: 'administrator' },
  },
  LH_CONNECT_CLIENT: {
    message:
      '[HUB "VPN"] The connection "CID-34" (IP address: 2.247.241.98, Host name: 2.247.241.98, Port number: 52220, Client name: "SoftEther VPN Client", Version: 4.38, Build: 9760) is attempting to connect to the Virtual Hub. The auth type provided is "External server authentication" and the user name is "xxx.xxx".',
    category: 'auth.attempt',
    fields: {
      hub: 'VPN',
      connectionId: 'CID-34',
      clientIp: '2.247.241.98',
      clientPort: 52220,
      clientName: 'SoftEther VPN Client',
      clientVersion: '4.38',
      clientBuild: 9760,
      authType: 'External server authentication',
      user: 'xxx.xxx',
    },
  },
  LH_AUTH_OK: {
    message: 'Connection "CID-12": Successfully authenticated as user "山田太郎".',
    category: 'auth.succeeded',
    fields: { connectionId: 'CID-12', user: '山田太郎' },
  },
  LH_AUTH_NG: {
    message:
      'Connection "CID-594": User authentication failed. The user name that has been provided was "alice", from 80.10.11.13.',
    category: 'auth.failed',
    fields: { connectionId: 'CID-594', user: 'alice', clientIp: '80.10.11.13' },
  },
  LH_AUTH_NG_CERT: {
    message:
      "Although the Virtual Hub's Security Account Manager has received the following certificate, has refused its contents as the certificate for when user \"bob\" logs in because this certificate's contents matches the contents that are registered in the Virtual Hub's certificates revocation list: CN=bob",
    category: 'cert.verify_failed',
    fields: { user: 'bob', certificate: 'CN=bob' },
  },
  LH_AUTH_OK_CERT: {
    message:
      'The Virtual Hub\'s Security Account Manager has received the following certificate from the VPN Client and accepted its contents as the certificate for when user "bob" logs in: CN=bob',
    category: 'auth.attempt',
    fields: { user: 'bob', certificate: 'CN=bob' },
  },
  LH_LOCAL_ONLY: {
    message:
      'Connection "CID-80": The remote login has been refused because of the password for user "guest" is blank.',
    category: 'auth.failed',
    fields: { user: 'guest', reason: 'blank password refused from remote' },
  },
  LH_POLICY_ACCESS_NG: {
    message:
      'Connection "CID-81": Access has beens refused to user "carol" based on the security policy.',
    category: 'auth.failed',
    fields: { user: 'carol', reason: 'account disabled by security policy' },
  },
  LH_USER_EXPIRES: {
    message:
      'Connection "CID-82": Access has been refused to user "dave" because of the expiration date has been expired.',
    category: 'auth.failed',
    fields: { user: 'dave', reason: 'account expired' },
  },
  LH_AUTH_NOT_SUPPORTED: {
    message:
      'Connection "CID-83": The authentication method of the user "erin" has been specified as Certificate Authentication. However, the Certificate Authentication function hasn\'t been implemented on the Open-Source version of SoftEther VPN yet. The connection will be denied.',
    category: 'auth.failed',
    fields: { user: 'erin', authType: 'Certificate Authentication' },
  },
  LH_TOO_MANY_MULTILOGINS: {
    message:
      'Connection "CID-84": Although the user "alice" made a login attempt, the security policy that applies to this user limits the maximum number of multiple logins to 1 sessions. Currently the number of logins by this user is 1 sessions and therefore the user has denied permission for a new VPN connection.',
    category: 'access.denied',
    fields: { user: 'alice', reason: 'multiple login limit' },
  },
  LH_MAX_SESSION: {
    message:
      'Connection "CID-85": The maximum number of client sessions (25) that can be set by the Virtual Hub has been reached. Unable to create a new session.',
    category: 'access.denied',
    fields: { maxSessions: 25 },
  },
  LH_NEW_SESSION: {
    message:
      'Connection "CID-12": The new session "SID-ALICE-3" has been created. (IP address: 198.51.100.7, Port number: 50412, Physical underlying protocol: "Standard TCP/IP (IPv4)")',
    category: 'session.established',
    fields: {
      connectionId: 'CID-12',
      sessionId: 'SID-ALICE-3',
      clientIp: '198.51.100.7',
      clientPort: 50412,
      transport: 'Standard TCP/IP (IPv4)',
    },
  },
  LH_SET_SESSION_PLAINTEXT: {
    message:
      'Session "SID-ALICE-3": The parameter has been set. Max number of TCP connections: 1, Use of encryption: No, Use of compression: No, Use of Half duplex communication: No, Timeout: 20 seconds.',
    category: 'session.established',
    fields: { sessionId: 'SID-ALICE-3', encryption: false },
  },
  LH_SET_SESSION: {
    message:
      'Session "SID-ALICE-3": The parameter has been set. Max number of TCP connections: 8, Use of encryption: Yes, Use of compression: No, Use of Half duplex communication: No, Timeout: 20 seconds.',
    category: 'session.established',
    fields: { sessionId: 'SID-ALICE-3' },
  },
  LH_END_SESSION: {
    message:
      'Session "SID-ALICE-3": The session has been terminated. The statistical information is as follows: Total outgoing data size: 1048576 bytes, Total incoming data size: 52428 bytes.',
    category: 'session.ended',
    fields: { sessionId: 'SID-ALICE-3', bytesOut: 1048576, bytesIn: 52428 },
  },
  LH_MAC_REGIST: {
    message: 'Session "SID-ALICE-3": A new MAC address "5E-1A-2B-3C-4D-5E" has been assigned.',
    category: 'session.established',
    fields: { sessionId: 'SID-ALICE-3', macAddress: '5E-1A-2B-3C-4D-5E' },
  },
  LH_REGIST_DHCP: {
    message:
      // SoftEther 5.01 writes the session name where the string table says host, and the MAC second.
      'Session "SID-SECURENAT-1": The DHCP server of host "00-AC-12-34-56-78" (192.168.30.1) on this session allocated, for host "SID-ALICE-3" on another session "5E-1A-2B-3C-4D-5E", the new IP address 192.168.30.10.',
    category: 'session.established',
    fields: {
      sessionId: 'SID-SECURENAT-1',
      clientSessionId: 'SID-ALICE-3',
      assignedIp: '192.168.30.10',
      macAddress: '5E-1A-2B-3C-4D-5E',
    },
  },
  LH_NAT_DHCP_CREATED: {
    message:
      '[HUB "DEFAULT"] SecureNAT: The DHCP entry 3 has been created. MAC address: 5E-1A-2B-3C-4D-5E, IP address: 192.168.30.10, host name: alice-pc, expiration span: 7200 seconds',
    category: 'session.established',
    fields: {
      hub: 'DEFAULT',
      protocol: 'securenat',
      assignedIp: '192.168.30.10',
      hostName: 'alice-pc',
    },
  },
  LH_IP_CONFLICT: {
    message:
      'Session "SID-BOB-7": Although the virtual hub has attempt to use the IP address 192.168.30.10 was made, this IP address is already being used by another session "SID-ALICE-3" (MAC Address: "5E-1A-2B-3C-4D-5E"). The security policy for this session denies duplication of IP addresses that are used by other sessions. The packet has been discarded. Detailed Information: CreatedTime=1, UpdatedTime=2, DhcpAllocated=1, Now=3',
    category: 'network.conflict',
    fields: {
      sessionId: 'SID-BOB-7',
      assignedIp: '192.168.30.10',
      conflictSessionId: 'SID-ALICE-3',
      conflictMac: '5E-1A-2B-3C-4D-5E',
    },
  },
  LH_DHCP_FORCE: {
    message:
      'Session "SID-BOB-7": The packet was discarded because it has been attempting to use the IP address 192.168.30.99, which is not a DHCP server allocated IP address.',
    category: 'network.conflict',
    fields: { sessionId: 'SID-BOB-7', assignedIp: '192.168.30.99' },
  },
  LH_NO_DHCP: {
    message:
      'Session "SID-BOB-7": Although host 192.168.30.200 on this session sent a packet that allocates an IP address as a DHCP server for host 5E-1A-2B-3C-4D-5E on another session, this session\'s security policy denies operation as a DHCP server. The packet has been discarded.',
    category: 'network.conflict',
    fields: {
      sessionId: 'SID-BOB-7',
      rogueHost: '192.168.30.200',
      targetHost: '5E-1A-2B-3C-4D-5E',
    },
  },
  LH_BCAST_STORM: {
    message:
      'Session "SID-BOB-7": A large volume of broadcast packets has been detected. There are cases where packets are discarded based on the policy. The source MAC address is 5E-1A-2B-3C-4D-5F, the source IP address is 192.168.30.11, the destination IP address is 192.168.30.255. The number of broadcast packets is equal to or larger than 32 items per 1 second (note this information is the result of mechanical analysis of part of the packets and could be incorrect).',
    category: 'network.conflict',
    fields: {
      sessionId: 'SID-BOB-7',
      macAddress: '5E-1A-2B-3C-4D-5F',
      sourceIp: '192.168.30.11',
      destinationIp: '192.168.30.255',
    },
  },
  LH_CHANGE_PASSWORD_1: {
    message:
      'The connection "CID-90" (IP address 198.51.100.7) connected to Virtual Hub in change password mode.',
    category: 'auth.attempt',
    fields: { connectionId: 'CID-90', clientIp: '198.51.100.7' },
  },
  LH_CHANGE_PASSWORD_4: {
    message:
      'Connection "CID-90": Changing of password failed. The old password of user "alice" is incorrect.',
    category: 'auth.failed',
    fields: { connectionId: 'CID-90', user: 'alice' },
  },
  LH_CHANGE_PASSWORD_2: {
    message:
      'Connection "CID-91": Changing of password failed. The specified user "root" does not exist.',
    category: 'auth.failed',
    fields: { connectionId: 'CID-91', user: 'root' },
  },
  LH_CHANGE_PASSWORD_5: {
    message: 'Connection "CID-90": The password of user "alice" has been changed.',
    category: 'admin.change',
    fields: { user: 'alice', auditKind: 'user-password' },
  },
  LI_NEW_IKE_CLIENT: {
    message:
      'IPsec Client 35 (198.51.100.7:62713 -> 192.0.2.1:500): A new IPsec client is created.',
    category: 'connection.progress',
    fields: { protocol: 'ipsec', clientIp: '198.51.100.7' },
  },
  LI_NEW_IKE_SA: {
    message:
      'IPsec IKE Session (IKE SA) 12 (Client: 35) (198.51.100.7:62718 -> 192.0.2.1:4500): A new IKE SA (Main Mode) is created. Initiator Cookie: 0x3B663C91968AA11A, Responder Cookie: 0xFA6A291FD53907C3, DH Group: MODP 1024 (Group 2), Hash Algorithm: SHA-2-384, Cipher Algorithm: AES-CBC, Cipher Key Size: 256 bits, Lifetime: 4294967295 Kbytes or 28800 seconds',
    category: 'connection.progress',
    fields: { protocol: 'ipsec', clientIp: '198.51.100.7' },
  },
  LI_NEW_IPSEC_SA: {
    message:
      'IPsec IKE Session (IKE SA) 12 (Client: 35) (198.51.100.7:62718 -> 192.0.2.1:4500): A new IPsec SA (Direction: Client -> Server) is created. SPI: 0x501BEE7A, DH Group: (null), Hash Algorithm: SHA-1, Cipher Algorithm: AES-CBC, Cipher Key Size: 256 bits, Lifetime: 4294967295 Kbytes or 3600 seconds',
    category: 'connection.progress',
    fields: { protocol: 'ipsec', clientIp: '198.51.100.7' },
  },
  LI_SA_ESTABLISHED: {
    message:
      'IPsec IKE Session (IKE SA) 12 (Client: 35) (198.51.100.7:62718 -> 192.0.2.1:4500): This IKE SA is established between the server and the client.',
    category: 'connection.progress',
    fields: { protocol: 'ipsec', clientIp: '198.51.100.7' },
  },
  LI_START_QM: {
    message:
      'IPsec IKE Session (IKE SA) 12 (Client: 35) (198.51.100.7:62718 -> 192.0.2.1:4500): The client initiates a QuickMode negotiation.',
    category: 'connection.progress',
    fields: { protocol: 'ipsec', clientIp: '198.51.100.7' },
  },
  LI_CLIENT_UPDATE: {
    message:
      'IPsec Client 35 (198.51.100.7:62713 -> 192.0.2.1:500): The port number information of this client is updated.',
    category: 'connection.progress',
    fields: { protocol: 'ipsec', clientIp: '198.51.100.7' },
  },
  LI_DELETE_SA: {
    message:
      'IPsec IKE Session (IKE SA) 12 (Client: 35) (198.51.100.7:62718 -> 192.0.2.1:4500): This IKE SA is deleted.',
    category: 'connection.progress',
    fields: { protocol: 'ipsec', clientIp: '198.51.100.7' },
  },
  LI_DELETE_IKE_CLIENT: {
    message: 'IPsec Client 35 (198.51.100.7:62713 -> 192.0.2.1:500): This IPsec Client is deleted.',
    category: 'session.ended',
    fields: { protocol: 'ipsec', clientIp: '198.51.100.7' },
  },
  LI_NO_TRANSFORM: {
    message:
      'IPsec IKE Session (IKE SA) 12 (Client: 35) (198.51.100.7:62718 -> 192.0.2.1:4500): There are no acceptable transform proposals from the client for establishing an IKE SA.',
    category: 'tls.handshake_failed',
    fields: { protocol: 'ipsec', clientIp: '198.51.100.7' },
  },
  LI_IKE_NO_NAT_T: {
    message:
      'IPsec Client 35 (198.51.100.7:62713 -> 192.0.2.1:500): The connection cannot be accepted because this VPN client is not compatible with IPsec NAT Traversal (RFC 3947 Negotiation of NAT-Traversal in the IKE of the RFC 3948 UDP Encapsulation of IPsec ESP Packets).',
    category: 'tls.handshake_failed',
    fields: { protocol: 'ipsec', clientIp: '198.51.100.7' },
  },
  LI_QM_DH_ERROR: {
    message:
      'IPsec IKE Session (IKE SA) 12 (Client: 35) (198.51.100.7:62718 -> 192.0.2.1:4500): Failed to calculate a Diffie-Hellman algorithm.',
    category: 'tls.handshake_failed',
    fields: { protocol: 'ipsec', clientIp: '198.51.100.7' },
  },
  LP_PAP_FAILED: {
    message:
      'L2TP PPP Session [203.0.113.5:1701]: "MS-CHAP v2" (Microsoft Challenge and Response Protocol Version 2.0) user authentication failed.',
    category: 'session.ended',
    fields: { protocol: 'ppp', clientIp: '203.0.113.5', clientPort: 1701, reason: 'MS-CHAP v2' },
  },
  LP_CONNECTED: {
    message:
      'L2TP PPP Session [203.0.113.5:1701]: A new PPP session (Upper protocol: L2TP) is started. IP Address of PPP Client: 203.0.113.5 (Hostname: "203.0.113.5"), Port Number of PPP Client: 1701, IP Address of PPP Server: 192.0.2.1, Port Number of PPP Server: 1701, Client Software Name: "L2TP VPN Client", IPv4 TCP MSS (Max Segment Size): 1309 bytes',
    category: 'auth.attempt',
    fields: { protocol: 'ppp', clientIp: '203.0.113.5', upperProtocol: 'L2TP' },
  },
  LP_DISCONNECTED: {
    message: 'L2TP PPP Session [203.0.113.5:1701]: The PPP session is disconnected.',
    category: 'session.ended',
    fields: { protocol: 'ppp', clientIp: '203.0.113.5' },
  },
  LO_CLIENT_UNVERIFIED_CERT: {
    message:
      'OpenVPN Session 4 (203.0.113.8:1194 -> 192.0.2.1:1194): Client certificate was provided but did not pass verification (error="certificate has expired"), will use password authentication.',
    category: 'cert.verify_failed',
    fields: { protocol: 'openvpn', clientIp: '203.0.113.8', reason: 'certificate has expired' },
  },
  LE_DELETE: {
    message:
      'The free disk space is now less then 100.0 MB so the old file "/usr/local/vpnserver/security_log/DEFAULT/sec_20250101.log" has been automatically deleted. The amount of free disk space that determines when to start deletion can be modified by changing the "AutoDeleteCheckDiskFreeSpaceMin" item in the configuration file.',
    category: 'log.deleted',
    fields: {
      fileName: '/usr/local/vpnserver/security_log/DEFAULT/sec_20250101.log',
      freeSpaceLimit: '100.0 MB',
      auditKind: 'log-deleted',
    },
  },
  LA_SET_HUB_LOG: {
    message:
      '[HUB "DEFAULT"] Administration mode [RPC-44] (Virtual Hub "DEFAULT"): The log save setting has been changed.',
    category: 'admin.change',
    fields: { hub: 'DEFAULT', rpc: 'RPC-44', auditKind: 'log-settings' },
  },
  LA_SET_SYSLOG: {
    message:
      "Administration mode [RPC-2]: The server's syslog send function setting has been updated.",
    category: 'admin.change',
    fields: { rpc: 'RPC-2', auditKind: 'syslog-settings' },
  },
  LA_SET_AC_LIST: {
    message:
      '[HUB "DEFAULT"] Administration mode [RPC-5] (Virtual Hub "DEFAULT"): The Source IP Address Limit List has been updated. Rule items for 0 items are set.',
    category: 'admin.change',
    fields: { hub: 'DEFAULT', auditKind: 'access-list', ruleCount: 0 },
  },
  LA_SET_ACCESS_LIST: {
    message:
      '[HUB "DEFAULT"] Administration mode [RPC-5] (Virtual Hub "DEFAULT"): The access list has been updated. An access list of 3 items are set.',
    category: 'admin.change',
    fields: { hub: 'DEFAULT', auditKind: 'access-list', ruleCount: 3 },
  },
  LA_SET_SERVER_PASSWORD: {
    message: 'Administration mode [RPC-3]: The server administrator password has been set.',
    category: 'admin.change',
    fields: { rpc: 'RPC-3', auditKind: 'admin-password' },
  },
  LA_SET_CONFIG: {
    message:
      'Administration mode [RPC-3]: The config file has been written. Restarting VPN Server.',
    category: 'admin.change',
    fields: { auditKind: 'config' },
  },
  LA_USER: {
    message:
      '[HUB "DEFAULT"] Administration mode [RPC-44] (Virtual Hub "DEFAULT"): User "test" has been deleted.',
    category: 'admin.change',
    fields: { hub: 'DEFAULT', user: 'test', auditKind: 'user' },
  },
  LA_HUB: {
    message: 'Administration mode [RPC-9]: A new Virtual Hub "営業部" has been created.',
    category: 'admin.change',
    fields: { createdHub: '営業部', auditKind: 'hub' },
  },
  LA_SESSION: {
    message:
      '[HUB "DEFAULT"] Administration mode [RPC-9] (Virtual Hub "DEFAULT"): This session "SID-BOB-7" has been forcefully disconnected.',
    category: 'admin.change',
    fields: { sessionId: 'SID-BOB-7', auditKind: 'session' },
  },
  LA_OTHER: {
    message: 'Administration mode [RPC-9]: TCP listener (port number 8888) has been disabled.',
    category: 'admin.change',
    fields: { rpc: 'RPC-9', auditKind: 'other' },
  },
  LH_CONNECT_CLIENT_JA: {
    message:
      '[HUB "営業部"] コネクション "CID-21" (IP アドレス 203.0.113.44, ホスト名 203.0.113.44, ポート番号 51000, クライアント名 "SoftEther VPN Client", バージョン 4.43 ビルド 9799) が仮想 HUB への接続を試行しています。提示している認証方法は "パスワード認証" でユーザー名は "山田" です。',
    category: 'auth.attempt',
    fields: {
      hub: '営業部',
      connectionId: 'CID-21',
      clientIp: '203.0.113.44',
      clientBuild: 9799,
      authType: 'パスワード認証',
      user: '山田',
    },
  },
  LH_AUTH_OK_JA: {
    message: 'コネクション "CID-21": ユーザー "山田" として正しく認証されました。',
    category: 'auth.succeeded',
    fields: { connectionId: 'CID-21', user: '山田' },
  },
  LH_AUTH_NG_JA: {
    message:
      'コネクション "CID-22": ユーザー認証に失敗しました。提示されたユーザー名は "佐藤" でした。',
    category: 'auth.failed',
    fields: { connectionId: 'CID-22', user: '佐藤' },
  },
  LH_NEW_SESSION_JA: {
    message:
      'コネクション "CID-21": 新しいセッション "SID-山田-1" が作成されました。(IP アドレス 203.0.113.44, ポート番号 51000, 物理レイヤのプロトコル: "Standard TCP/IP (IPv4)", プロトコル詳細: "")',
    category: 'session.established',
    fields: { sessionId: 'SID-山田-1', clientIp: '203.0.113.44', clientPort: 51000 },
  },
  LH_END_SESSION_JA: {
    message:
      'セッション "SID-山田-1": セッションが終了しました。統計情報は次の通りです。合計送信データサイズ: 20480 バイト, 合計受信データサイズ: 4096 バイト',
    category: 'session.ended',
    fields: { sessionId: 'SID-山田-1', bytesOut: 20480, bytesIn: 4096 },
  },
  LH_IP_CONFLICT_JA: {
    message:
      'セッション "SID-山田-1": IP アドレス 192.168.30.10 を使用しようとしましたが、この IP アドレスは既に別のセッション "SID-ALICE-3" (MAC アドレス: "5E-1A-2B-3C-4D-5E") によって使用されています。',
    category: 'network.conflict',
    fields: { assignedIp: '192.168.30.10', conflictSessionId: 'SID-ALICE-3' },
  },
  LS_CONNECTION_START_1_JA: {
    message:
      'クライアント (IP アドレス 203.0.113.44, ホスト名 "203.0.113.44", ポート番号 51000) に対応するコネクション "CID-21" が作成されました。',
    category: 'connection.progress',
    fields: { clientIp: '203.0.113.44', clientPort: 51000, connectionId: 'CID-21' },
  },
  LS_CONNECTION_ERROR_5_JA: {
    message:
      'コネクション "CID-40" は理由 "SoftEther VPN ソフトウェア以外のクライアントがポートに接続しました。" (コード 5) で終了しました。',
    category: 'probe.bad_packet',
    fields: { connectionId: 'CID-40', errorCode: 5 },
  },
  LS_CONNECTION_ERROR_JA: {
    message:
      'コネクション "CID-34" は理由 "ユーザー認証に失敗しました。" (コード 9) で終了しました。',
    category: 'session.ended',
    fields: { connectionId: 'CID-34', errorCode: 9, reason: 'ユーザー認証に失敗しました。' },
  },
  LS_CONNECTION_END_1_JA: {
    message: 'コネクション "CID-21" が終了しました。',
    category: 'session.ended',
    fields: { connectionId: 'CID-21' },
  },
  LS_LISTENER_DOS_JA: {
    message:
      'TCP リスナー (ポート 443) に対する DoS アタックを検出しました。接続元は IP アドレス 203.0.113.66, ポート番号 41000 です。このコネクションは強制切断します。',
    category: 'probe.bad_packet',
    fields: { port: 443, clientIp: '203.0.113.66', clientPort: 41000 },
  },
  LS_HUB_NOT_FOUND_JA: {
    message:
      'コネクション "CID-51": クライアントが接続しようとした仮想 HUB "VPNGATE" はサーバー上に存在しません。',
    category: 'access.denied',
    fields: { connectionId: 'CID-51', requestedHub: 'VPNGATE' },
  },
  LS_IP_DENIED_JA: {
    message:
      'コネクション "CID-52": クライアントの接続元 IP アドレス "203.0.113.9" は、仮想 HUB に定義されている 接続元 IP 制限リストによって拒否されました。',
    category: 'access.denied',
    fields: { connectionId: 'CID-52', clientIp: '203.0.113.9' },
  },
  LH_POLICY_ACCESS_NG_JA: {
    message:
      'コネクション "CID-81": ユーザー "佐藤" はセキュリティポリシーによってアクセスが拒否されています。',
    category: 'auth.failed',
    fields: { user: '佐藤', reason: 'account disabled by security policy' },
  },
  LH_USER_EXPIRES_JA: {
    message:
      'コネクション "CID-82": ユーザー "佐藤" の有効期限が切れており、アクセスが拒否されました。',
    category: 'auth.failed',
    fields: { user: '佐藤', reason: 'account expired' },
  },
  LA_OK_JA: {
    message: 'コネクション "CID-72" が管理モードでのログインに成功しました。',
    category: 'admin.login_succeeded',
    fields: { connectionId: 'CID-72' },
  },
  LE_DELETE_JA: {
    message:
      'ディスクの空き容量が 100.0 MB 未満になったため、古いファイル "/usr/local/vpnserver/server_log/vpn_20250101.log" を自動的に削除しました。',
    category: 'log.deleted',
    fields: {
      fileName: '/usr/local/vpnserver/server_log/vpn_20250101.log',
      freeSpaceLimit: '100.0 MB',
      auditKind: 'log-deleted',
    },
  },
  LA_ERROR_JA: {
    message:
      'コネクション "CID-70" は管理モードにログインできませんでした。アクセスが拒否されました。 (エラーコード 12)',
    category: 'admin.login_failed',
    fields: { connectionId: 'CID-70', errorCode: 12 },
  },
  LA_SET_HUB_LOG_JA: {
    message: '管理モード [RPC-5] (仮想 HUB "営業部"): ログ保存設定を変更しました。',
    category: 'admin.change',
    fields: { hub: '営業部', auditKind: 'log-settings' },
  },
  LA_SET_AC_LIST_JA: {
    message:
      '管理モード [RPC-5] (仮想 HUB "営業部"): 接続元 IP 制限リストを更新しました。2 個のルール項目を設定しました。',
    category: 'admin.change',
    fields: { auditKind: 'access-list', ruleCount: 2 },
  },
  LA_SET_SERVER_PASSWORD_JA: {
    message: '管理モード [RPC-1]: サーバー管理者パスワードを設定しました。',
    category: 'admin.change',
    fields: { auditKind: 'admin-password' },
  },
};

function parseOne(message: string) {
  const parser = createSoftetherParser({ stream: 'server_log/vpn_20250301', timeZone: 'UTC' });
  return parser.parse(`2025-03-01 10:00:00.000 ${message}`, { origin: { file: 'x.log', line: 1 } });
}

describe('SoftEther catalog', () => {
  it('has a test case for every written row', () => {
    const localized = new Set(LOCALIZED_ROWS.map((row) => row.id));
    expect(
      CATALOG.map((row) => row.id)
        .filter((id) => !localized.has(id))
        .sort(),
    ).toEqual(Object.keys(ROW_CASES).sort());
  });

  it.each(LOCALIZED_ROWS.map((row) => [row.id, row] as const))(
    'classifies the string-table row %s like the row it translates',
    (_id, row) => {
      const base = CATALOG.find(
        (other) =>
          other.id ===
          row.id
            .replace(/_(?:JA|CN|TW)$/, '')
            .replace(/^LA_(?:ADD|DELETE)_ACCESS$/, 'LA_SET_ACCESS_LIST')
            .replace(/^LA_(?:CREATE|SET|DELETE)_USER$/, 'LA_USER'),
      );
      const message = row.examples[0] ?? '';
      const event = parseOne(
        row.admin === true ? `Administration mode [RPC-1]: ${message}` : message,
      );
      expect(event.category, message).toBe(base?.category ?? row.category);
      expect(event.hint?.id).toBe(`softether.${row.id.toLowerCase().replaceAll('_', '-')}`);
    },
  );

  it('has unique row ids', () => {
    const ids = CATALOG.map((row) => row.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(Object.entries(ROW_CASES))('classifies %s with its fields', (id, expected) => {
    // Act
    const event = parseOne(expected.message);
    // Assess
    expect(event.category).toBe(expected.category);
    expect(event.hint?.id).toBe(`softether.${id.toLowerCase().replaceAll('_', '-')}`);
    expect(event.fields).toMatchObject(expected.fields);
    expect(event.time).toBe(Date.parse('2025-03-01T10:00:00.000Z'));
  });

  it('matches every row example to its own row (examples are the index keys)', () => {
    for (const row of CATALOG) {
      for (const example of row.examples) {
        expect(classifyBody(example, row.admin === true)?.row.id, example).toBe(row.id);
      }
    }
  });

  // Title wording (ASCII, length, acronym casing) is checked for every catalog in ../catalog-titles.test.ts.
  it('gives a hint with a title and a remediation for every row', () => {
    for (const row of CATALOG) {
      expect(row.title, row.id).not.toBe('');
      expect(row.remediation.length, row.id).toBeGreaterThan(10);
    }
  });

  it('tests a line against a handful of rows at most, not the whole table', () => {
    const largest = Math.max(...[...CATALOG_INDEX.values()].map((bucket) => bucket.length));
    expect(largest).toBeLessThanOrEqual(4);
    expect(CATALOG_INDEX.size).toBeGreaterThan(CATALOG.length / 2);
  });

  it('keys a message by its first words, quoted names collapsed and ids reduced', () => {
    expect(catalogKey('Connection "CID-1": User authentication failed. x')).toBe(
      'C:|User authentication',
    );
    expect(catalogKey('Connection "CID-1" has been terminated.')).toBe('C|has been');
    expect(catalogKey('User "山田 太郎" has been created.')).toBe('|User "');
    expect(catalogKey('Session "SID-A": The session has been terminated.')).toBe('S:|The session');
    expect(catalogKey('')).toBe('|');
  });

  it('leaves an unknown message unclassified, with its framing fields', () => {
    const event = parseOne('[HUB "DEFAULT"] Session "SID-A-1": Something new happened.');
    expect(event.category).toBe('unclassified');
    expect(event.hint).toBeUndefined();
    expect(event.fields.hub).toBe('DEFAULT');
  });

  it('does not take an admin row for a message without the admin tag', () => {
    expect(classifyBody('The log save setting has been changed.', false)).toBeUndefined();
    expect(classifyBody('The log save setting has been changed.', true)?.row.id).toBe(
      'LA_SET_HUB_LOG',
    );
  });

  it('prefers the admin row when the admin tag is present (hub online by an administrator)', () => {
    expect(classifyBody('The Virtual Hub is now online.', false)?.row.id).toBe('LH_ONLINE');
    expect(classifyBody('The Virtual Hub is now online.', true)?.row.id).toBe('LA_HUB');
  });
});
