import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpenvpnLab } from './openvpn-server.ts';

const lab = await OpenvpnLab.create(120);
const { pki, dir } = lab;
console.log('dir', dir);
const verify = lab.writeConfig('verify.sh', ['#!/bin/sh', '[ "$(sed -n 2p "$1")" = "alice-pass" ]']);
execChmod(verify);
function execChmod(p: string) { chmodSync(p, 0o755); }
const common = (port: number, proto: string) => [
  'mode server', 'tls-server', `proto ${proto}`, `port ${port}`, 'local 127.0.0.1', 'dev tun',
  'topology subnet', 'server 10.8.0.0 255.255.255.0'.replace('8', String(port - 1186)),
  `ca ${pki.ca}`, `cert ${pki.server.cert}`, `key ${pki.server.key}`, 'dh none', 'remote-cert-tls client',
  'keepalive 10 60', 'verb 3', 'script-security 2', `auth-user-pass-verify ${verify} via-file`,
];
const log = (n: string) => join(dir, n);
const has = (f: string, t: string) => () => existsSync(f) && readFileSync(f, 'utf8').includes(t);
await lab.startServer(lab.writeConfig('s1.conf', [...common(1194, 'udp'), `log ${log('file.log')}`]), has(log('file.log'), 'Initialization Sequence Completed'));
await lab.startServer(lab.writeConfig('s2.conf', [...common(1195, 'tcp-server'), `tls-auth ${pki.tlsAuth} 0`, `log ${log('notime.log')}`, 'suppress-timestamps']), has(log('notime.log'), 'Initialization Sequence Completed'));
await lab.startSyslog(log('syslog.log'));
await lab.startServer(lab.writeConfig('s3.conf', [...common(1196, 'udp'), `tls-crypt ${pki.tlsCrypt}`, 'syslog ovpn-server']), has(log('syslog.log'), 'Initialization Sequence Completed'));
await lab.startServer(lab.writeConfig('s4.conf', [...common(1197, 'udp'), `log ${log('machine.log')}`, 'machine-readable-output']), has(log('machine.log'), 'Initialization Sequence Completed'));

const pass = (name: string, pw: string) => lab.writeConfig(`${name}.pass`, ['alice', pw]);
const client = (name: string, port: number, proto: string, o: { cert?: { cert: string; key: string }; pw?: string; extra?: string[] }) =>
  lab.writeConfig(`${name}.conf`, [
    'client', 'dev tun', `proto ${proto}`, `remote 127.0.0.1 ${port}`, 'nobind', `ca ${pki.ca}`,
    ...(o.cert ? [`cert ${o.cert.cert}`, `key ${o.cert.key}`] : []),
    `auth-user-pass ${pass(name, o.pw ?? 'alice-pass')}`, 'auth-retry none', 'connect-retry-max 1', 'route-nopull',
    'remote-cert-tls server', 'verb 3', ...(proto === 'udp' ? ['explicit-exit-notify 1'] : []), ...(o.extra ?? []),
  ]);
const t0 = Date.now();
const runs = await Promise.all([
  lab.client(client('good1', 1194, 'udp', { cert: pki.alice }), 4),
  lab.client(client('otherca', 1194, 'udp', { cert: pki.otherCa }), 4),
  lab.client(client('expired', 1194, 'udp', { cert: pki.expired }), 4),
  lab.client(client('eku', 1194, 'udp', { cert: pki.serverOnly }), 4),
  lab.client(client('nocert', 1194, 'udp', {}), 4),
  lab.client(client('wrongta', 1195, 'tcp-client', { cert: pki.alice, extra: [`tls-auth ${pki.tlsAuthWrong} 1`] }), 4),
  lab.client(client('good2', 1195, 'tcp-client', { cert: pki.alice, extra: [`tls-auth ${pki.tlsAuth} 1`] }), 4),
  lab.client(client('wrongtc', 1196, 'udp', { cert: pki.alice, extra: [`tls-crypt ${pki.tlsCryptWrong}`] }), 4),
  lab.client(client('good3', 1196, 'udp', { cert: pki.alice, extra: [`tls-crypt ${pki.tlsCrypt}`] }), 4),
  lab.client(client('good4', 1197, 'udp', { cert: pki.alice }), 4),
  lab.client(client('bad4', 1197, 'udp', { cert: pki.alice, pw: 'nope' }), 4),
  ...[1, 2, 3, 4, 5].map((i) => lab.client(client(`bad${i}x`, 1194, 'udp', { cert: pki.alice, pw: `guess${i}` }), 4)),
  lab.python(`
import os, socket
s = socket.create_connection(("127.0.0.1", 1195), 2); s.sendall(b"GET / HTTP/1.1\\r\\nHost: vpn\\r\\n\\r\\n")
try: s.recv(10)
except Exception: pass
s.close()
s = socket.create_connection(("127.0.0.1", 1195), 2); s.sendall(os.urandom(300))
try: s.recv(10)
except Exception: pass
s.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.sendto(os.urandom(100), ("127.0.0.1", 1194)); u.sendto(b"GET / HTTP/1.0\\r\\n\\r\\n", ("127.0.0.1", 1196))
`, 8),
]);
console.log('clients', Date.now() - t0, runs.map((r) => r.code));
await new Promise((r) => setTimeout(r, 500));
await lab.stop();
