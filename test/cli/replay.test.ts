import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CommandIO } from '../../src/cli/commands/io.ts';
import { main } from '../../src/cli/main.ts';
import type { SourceDefinition } from '../../src/model.ts';
import { SOURCE_DEFINITIONS } from '../../src/sources/index.ts';
import { runCli } from '../helpers/cli.ts';
import { line, syntheticSource } from '../helpers/synthetic-source.ts';

// A synthetic format registered for this test file only (vitest runs each file in its own process).
const SYNTHETIC = syntheticSource('openvpn');

let dir: string;
beforeAll(async () => {
  (SOURCE_DEFINITIONS as SourceDefinition[]).unshift(SYNTHETIC);
  dir = await mkdtemp(join(tmpdir(), 'tw-replay-'));
  const attack = [0, 1, 2, 3, 4].map((m) =>
    line(m, 'auth.failed', { clientIp: '203.0.113.5', user: 'root' }),
  );
  await writeFile(join(dir, 'gw1.log'), `${attack.join('\n')}\n\nnot json\n`);
  await writeFile(
    join(dir, 'gw2.log'),
    [
      line(2.5, 'cert.expired', { user: 'alice', clientIp: '198.51.100.7' }),
      line(3, 'auth.succeeded'),
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'vpn-0abc1234def567890-203.0.113.10.log'),
    [
      '{"event_timestamp": 1745575200, "timestamp": "2025-04-25 10:00:00.000Z", "details": "AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.7", "dpd_enabled": true, "nat_t_detected": false, "ike_phase1_state": "down", "ike_phase2_state": "down"}',
      '{"event_timestamp": 1745575260, "timestamp": "2025-04-25 10:01:00.000Z", "details": "AWS tunnel DPD timed out. Peer is not responsive", "dpd_enabled": true, "nat_t_detected": false, "ike_phase1_state": "down", "ike_phase2_state": "down"}',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'rules.json'),
    JSON.stringify({ rules: { 'auth.bruteforce': { threshold: 3 } } }),
  );
  await writeFile(
    join(dir, 'bad-rules.json'),
    JSON.stringify({ rules: { 'auth.bruteforce': { threshold: -1 } } }),
  );
});

describe('tunnelwatch replay --json', () => {
  it("prints one object per alert with docs/cli.md's keys, merged in timestamp order", async () => {
    const { code, stdout, stderr } = await runCli([
      'replay',
      '--json',
      join(dir, 'gw1.log'),
      join(dir, 'gw2.log'),
    ]);
    expect(stderr).toEqual([]);
    expect(code).toBe(0);
    const alerts = stdout.slice(0, -1).map((text) => JSON.parse(text));
    expect(Object.keys(JSON.parse(stdout.at(-1) ?? '{}'))).toEqual(['summary']);
    expect(alerts.map((a) => Object.keys(a))).toEqual([
      [
        'rule',
        'status',
        'category',
        'severity',
        'source',
        'key',
        'subject',
        'time',
        'evidence',
        'id',
        'remediation',
      ],
      [
        'rule',
        'status',
        'category',
        'severity',
        'source',
        'key',
        'subject',
        'time',
        'evidence',
        'id',
        'remediation',
      ],
    ]);
    expect(alerts.map((a) => [a.rule, a.status, a.key, a.time])).toEqual([
      ['cert.problem', 'opened', 'openvpn:user:alice', '2025-04-25T10:02:30.000Z'],
      ['auth.bruteforce', 'opened', 'openvpn:client:203.0.113.5', '2025-04-25T10:04:00.000Z'],
    ]);
    expect(alerts[1].evidence).toHaveLength(5);
    expect(alerts[1].subject).toMatch(
      /^CRITICAL user root 203\.0\.113\.5 brute force: 5 failed logins/,
    );
  });

  it('replays a file given twice once, counting the repeats as duplicates', async () => {
    const once = await runCli(['replay', '--json', join(dir, 'gw1.log')]);
    const twice = await runCli(['replay', '--json', join(dir, 'gw1.log'), join(dir, 'gw1.log')]);
    expect(twice.stdout.slice(0, -1)).toEqual(once.stdout.slice(0, -1));
    const human = await runCli(['replay', join(dir, 'gw1.log'), join(dir, 'gw1.log')]);
    expect(human.stdout.join('\n')).toContain('Duplicates 6');
  });

  it('applies --config FILE', async () => {
    const { stdout } = await runCli([
      'replay',
      '--json',
      '--config',
      join(dir, 'rules.json'),
      join(dir, 'gw1.log'),
    ]);
    expect(JSON.parse(stdout[0] ?? '{}').time).toBe('2025-04-25T10:02:00.000Z');
  });
});

describe('tunnelwatch replay, human output', () => {
  it('prints an aligned table with summaries and a closing summary, without colour off a terminal', async () => {
    const { code, stdout } = await runCli(['replay', join(dir, 'gw1.log'), join(dir, 'gw2.log')]);
    expect(code).toBe(0);
    const text = stdout.join('\n');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting there is no escape
    expect(text).not.toMatch(/\u001b/);
    expect(stdout[0]).toBe('2 alerts on-call would have received (2 opened, 0 resolved)');
    const header = stdout[2] ?? '';
    const row = stdout.find((l) => l.startsWith('2025-04-25 10:04:00')) ?? '';
    expect(header).toMatch(/^TIME \(UTC\)\s+STATUS\s+SEVERITY\s+RULE\s+CAUSE\s+ABOUT$/);
    expect(row.indexOf('auth.bruteforce')).toBe(header.indexOf('RULE'));
    expect(row).toMatch(
      /OPENED\s+critical\s+auth\.bruteforce\s+auth\.failed\s+user root 203\.0\.113\.5/,
    );
    expect(text).toContain('5 failed logins from 203.0.113.5 within 10 minutes');
    expect(text).toMatch(
      /Alerts by rule\n {2}auth\.bruteforce\s+1 opened\n {2}cert\.problem\s+1 opened/,
    );
    expect(text).toMatch(/Events by category \(8 lines from 2 files\)/);
    expect(text).toMatch(/ {2}openvpn\s+auth\.failed\s+5/);
    expect(text).toContain('Unclassified 0 · Malformed 1 · Duplicates 0 · Alerts held back 0');
  });

  it('colours when stdout is a terminal', async () => {
    const stdout: string[] = [];
    const io: CommandIO = { isTTY: true, out: (l) => stdout.push(l), err: () => undefined };
    const saved = process.env['NO_COLOR'];
    delete process.env['NO_COLOR'];
    try {
      await main(['replay', join(dir, 'gw1.log')], io);
    } finally {
      if (saved !== undefined) process.env['NO_COLOR'] = saved;
    }
    expect(stdout.join('\n')).toContain('\u001b[31mOPENED');
  });

  it('says so when nothing would have alerted', async () => {
    const { stdout } = await runCli([
      'replay',
      join(dir, 'gw2.log'),
      '--config',
      join(dir, 'rules.json'),
    ]);
    expect(stdout[0]).toBe('1 alert on-call would have received (1 opened, 0 resolved)');
    const quiet = await runCli([
      'replay',
      '--source',
      'openvpn',
      '--stream',
      'x',
      join(dir, 'rules.json'),
    ]);
    expect(quiet.stdout[0]).toBe('No alerts: nothing in these logs would have reached on-call.');
  });
});

describe('tunnelwatch replay, real formats', () => {
  it('recognises aws-s2s records and counts them by category', async () => {
    const { code, stdout } = await runCli([
      'replay',
      join(dir, 'vpn-0abc1234def567890-203.0.113.10.log'),
    ]);
    expect(code).toBe(0);
    expect(stdout.join('\n')).toMatch(/ {2}aws-s2s\s+dpd\.timeout\s+1\n\s+ike\.psk_mismatch\s+1/);
  });

  it('skips files of unknown format found in a directory, saying so', async () => {
    const { code, stderr } = await runCli(['replay', '--json', dir]);
    expect(code).toBe(0);
    expect(stderr).toEqual([
      expect.stringContaining(
        `tunnelwatch replay: skipping ${join(dir, 'bad-rules.json')}: not a log format tunnelwatch knows`,
      ),
      expect.stringContaining(
        `tunnelwatch replay: skipping ${join(dir, 'rules.json')}: not a log format tunnelwatch knows`,
      ),
    ]);
  });
});

describe('tunnelwatch replay, errors', () => {
  it('reports a missing file in one line naming it, replays the rest and exits 1', async () => {
    const { code, stdout, stderr } = await runCli([
      'replay',
      '--json',
      'no/such.log',
      join(dir, 'gw1.log'),
    ]);
    expect(code).toBe(1);
    expect(stderr).toEqual(['tunnelwatch: cannot read no/such.log: no such file or directory']);
    expect(stdout).toHaveLength(2);
  });

  it('prints no report when no file could be read', async () => {
    const { code, stdout, stderr } = await runCli(['replay', 'no/such.log']);
    expect(code).toBe(1);
    expect(stderr).toEqual(['tunnelwatch: cannot read no/such.log: no such file or directory']);
    expect(stdout).toEqual([]);
  });

  it('exits 2 on usage errors, naming the flag', async () => {
    expect((await runCli(['replay'])).code).toBe(2);
    const bad = await runCli(['replay', '--colour', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr[0]).toMatch(/--colour/);
  });

  it('rejects an invalid --config in one line naming the file and the key (exit 2)', async () => {
    const { code, stderr } = await runCli([
      'replay',
      '--config',
      join(dir, 'bad-rules.json'),
      join(dir, 'gw1.log'),
    ]);
    expect(code).toBe(2);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(
      /^tunnelwatch replay: --config .*bad-rules\.json: invalid rules config: rules\["auth\.bruteforce"\]\.threshold: expected a positive integer, got -1$/,
    );
  });

  it('exits 1 naming a missing --config file', async () => {
    const { code, stderr } = await runCli([
      'replay',
      '--config',
      'no/rules.json',
      join(dir, 'gw1.log'),
    ]);
    expect(code).toBe(1);
    expect(stderr).toEqual([
      'tunnelwatch replay: --config: cannot read no/rules.json: no such file or directory',
    ]);
  });
});
