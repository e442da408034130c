/**
 * SoftEther servers set to Japanese, simplified Chinese and traditional
 * Chinese (lang.config) write their logs in those languages; the catalog's
 * rows for them are built from the string tables SoftEther ships
 * (scripts/softether-strings.mjs). Each server gets wrong admin passwords,
 * user, log and access-list changes, and non-SoftEther bytes over TLS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, VpnEvent } from '../../src/model.ts';
import { softetherSource } from '../../src/sources/softether/index.ts';
import { alertsOf, logFiles, parseStreams, readStreams } from './read-logs.ts';
import { ACCESS_ADD_BLOCK_SSH, SoftetherServer } from './softether-server.ts';

const LANGUAGES = ['ja', 'cn', 'tw'] as const;
type Language = (typeof LANGUAGES)[number];

const servers: SoftetherServer[] = [];
const events = {} as Record<Language, VpnEvent[]>;
const alerts = {} as Record<Language, readonly Alert[]>;

async function drive(language: Language): Promise<void> {
  const server = await SoftetherServer.start(120, language);
  servers.push(server);
  await Promise.all(
    ['guess1', 'guess2', 'guess3'].map((password) =>
      server.vpncmd(['ServerInfoGet'], { password, timeoutSeconds: 5 }),
    ),
  );
  for (const command of [
    ['UserCreate', 'bob', '/GROUP:none', '/REALNAME:none', '/NOTE:none'],
    ['UserDelete', 'bob'],
    ['LogSwitchSet', 'security', '/SWITCH:hour'],
    ACCESS_ADD_BLOCK_SSH,
    ['AccessDelete', '1'],
  ])
    await server.vpncmd(command, { hub: 'DEFAULT' });
  await server.namespace.run(
    '/usr/bin/python3',
    [
      '-c',
      `
import socket, ssl
s = socket.create_connection(("127.0.0.1", 5555), 3)
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(s); s.sendall(b"no SoftEther protocol here\\r\\n" * 8); s.settimeout(3)
try: s.recv(100)
except Exception: pass
`,
    ],
    { timeoutSeconds: 10 },
  );
  await server.waitForLog('(', 1000).catch(() => undefined);
  await server.stop();
  const streams = readStreams(logFiles(server.logDir));
  events[language] = parseStreams(softetherSource, streams);
  alerts[language] = await alertsOf(softetherSource, streams);
}

beforeAll(async () => {
  const started = Date.now();
  await Promise.all(LANGUAGES.map(drive));
  console.info(`SoftEther ja/cn/tw scenario: ${Date.now() - started} ms`);
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.remove()));
});

describe.each(LANGUAGES)('a real SoftEther server writing %s logs', (language) => {
  it('reads the refused admin passwords and raises admin.bruteforce', () => {
    const failed = events[language].filter((e) => e.category === 'admin.login_failed');
    expect(failed).toHaveLength(3);
    expect(failed.every((e) => /^CID-\d+$/.test(String(e.fields.connectionId)))).toBe(true);
    expect(failed.every((e) => e.fields.errorCode === 12)).toBe(true);
    expect(alerts[language].filter((a) => a.rule === 'admin.bruteforce')).toHaveLength(1);
  });

  it('reads the successful admin logins', () => {
    expect(events[language].filter((e) => e.category === 'admin.login_succeeded').length).toBe(6);
  });

  it('raises admin.audit for the password, the log setting and the access list, as in English', () => {
    const audits = alerts[language]
      .filter((a) => a.rule === 'admin.audit')
      .map((a) => `${a.key} ${a.subject.replace(/^.*audit: /, '')}`)
      .sort();
    expect(audits).toEqual([
      'softether:server:softether:hub:- administrator password set',
      'softether:server:softether:hub:DEFAULT access list changed',
      'softether:server:softether:hub:DEFAULT log settings changed',
    ]);
  });

  it('reads TLS garbage on the admin port as probe.bad_packet (error 5)', () => {
    const probes = events[language].filter((e) => e.category === 'probe.bad_packet');
    expect(probes).toHaveLength(1);
    expect(probes[0]?.fields.errorCode).toBe(5);
  });

  it('reads the admin tag of every change: RPC session and hub', () => {
    const changes = events[language].filter((e) => e.category === 'admin.change');
    // password set (server log), then 5 hub changes in the server log and the security log
    expect(changes).toHaveLength(11);
    for (const event of changes) expect(event.fields.rpc).toMatch(/^RPC-\d+$/);
    expect(changes.filter((e) => e.fields.hub === 'DEFAULT')).toHaveLength(10);
    expect(changes.filter((e) => e.fields.auditKind === 'user').map((e) => e.fields.user)).toEqual([
      'bob',
      'bob',
      'bob',
      'bob',
    ]);
  });
});
