import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsupportedSources } from '../../src/sources/index.ts';
import { runCli } from '../helpers/cli.ts';

const STREAM = 'vpn-0a1b2c3d4e5f67890-203.0.113.10';

const LINES = [
  '{"event_timestamp": 1700000000, "details": "AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.7", "dpd_enabled": "True", "nat_t_detected": "False", "ike_phase1_state": "Down", "ike_phase2_state": "Down"}',
  '',
  '{"event_timestamp": 1700000060000, "details": "", "ike_phase1_state": "Established", "ike_phase2_state": "Established"}',
  '{"details": "AWS tunnel DPD timed',
  '{"event_timestamp": 1700000120, "details": "Something AWS never wrote"}',
];

let dir: string;
let tunnelLog: string;
let otherFormat: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunnelwatch-classify-'));
  tunnelLog = join(dir, `${STREAM}.log`);
  otherFormat = join(dir, 'server.log');
  await writeFile(tunnelLog, `${LINES.join('\n')}\n`);
  await writeFile(
    otherFormat,
    'Apr 25 10:57:36 host sshd[1]: Failed password for root from 192.0.2.9\n',
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const parsed = (stdout: string[]): Record<string, unknown>[] =>
  stdout.filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);

describe('tunnelwatch classify on aws-s2s logs', () => {
  it('prints one NDJSON object per non-blank line in the docs/cli.md shape, exit 0', async () => {
    // Act
    const { code, stdout, stderr } = await runCli(['classify', '--source', 'aws-s2s', tunnelLog]);
    // Assess
    expect(code).toBe(0);
    expect(stderr).toEqual([]);
    const objects = parsed(stdout);
    expect(objects.map((object) => object.line)).toEqual([1, 3, 4, 5]);
    expect(objects[0]).toEqual({
      file: tunnelLog,
      line: 1,
      source: 'aws-s2s',
      category: 'ike.psk_mismatch',
      severity: 'critical',
      time: '2023-11-14T22:13:20.000Z',
      fields: {
        phase1State: 'down',
        phase2State: 'down',
        dpdEnabled: true,
        natTDetected: false,
        vpnConnectionId: 'vpn-0a1b2c3d4e5f67890',
        tunnelIp: '203.0.113.10',
        cgw: '198.51.100.7',
      },
    });
    expect(objects[1]).toMatchObject({
      category: 'tunnel.state',
      time: '2023-11-14T22:14:20.000Z',
    });
    expect(objects[3]).toMatchObject({ category: 'unclassified', severity: 'info' });
  });

  it('prints a malformed line as malformed with its reason and goes on', async () => {
    const { code, stdout } = await runCli(['classify', tunnelLog]);
    expect(code).toBe(0);
    const malformed = parsed(stdout).find((object) => object.line === 4);
    expect(malformed).toMatchObject({ category: 'malformed', time: null });
    expect(malformed?.reason).toMatch(/^invalid JSON: /);
    expect(parsed(stdout)).toHaveLength(4);
  });

  it('takes the VPN id and tunnel IP from the file base name by default', async () => {
    const { stdout } = await runCli(['classify', tunnelLog]);
    const fields = parsed(stdout)[1]?.fields as Record<string, unknown>;
    expect(fields.vpnConnectionId).toBe('vpn-0a1b2c3d4e5f67890');
    expect(fields.tunnelIp).toBe('203.0.113.10');
  });

  it('takes them from --stream when given', async () => {
    const { stdout } = await runCli([
      'classify',
      '--stream',
      'vpn-1234abcd_198.51.100.20',
      tunnelLog,
    ]);
    const fields = parsed(stdout)[1]?.fields as Record<string, unknown>;
    expect(fields.vpnConnectionId).toBe('vpn-1234abcd');
    expect(fields.tunnelIp).toBe('198.51.100.20');
  });

  it('leaves them out when the stream name names no tunnel', async () => {
    const { stdout } = await runCli(['classify', '--stream', 'my-stream', tunnelLog]);
    const fields = parsed(stdout)[1]?.fields as Record<string, unknown>;
    expect(fields).toEqual({ phase1State: 'established', phase2State: 'established' });
  });

  it('recognises aws-s2s JSON with --source auto (the default)', async () => {
    const { code, stdout } = await runCli(['classify', '--source', 'auto', tunnelLog]);
    expect(code).toBe(0);
    expect(parsed(stdout).every((object) => object.source === 'aws-s2s')).toBe(true);
  });

  it('skips a named file auto cannot tell, saying which sources are not supported yet, goes on, exit 1', async () => {
    const { code, stdout, stderr } = await runCli(['classify', otherFormat, tunnelLog]);
    expect(code).toBe(1);
    expect(parsed(stdout)).toHaveLength(4);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toContain(
      `tunnelwatch classify: skipping ${otherFormat}: not a log format tunnelwatch knows (--source auto could not recognise it`,
    );
    // The sources still without a parser (this list shrinks as sources land).
    const pending = unsupportedSources();
    if (pending.length > 0) expect(stderr[0]).toContain(`not supported yet: ${pending.join(', ')}`);
  });

  it('reports a missing file in one line, still classifies the others, exit 1', async () => {
    const missing = join(dir, 'missing.ndjson');
    const { code, stdout, stderr } = await runCli(['classify', missing, tunnelLog]);
    expect(code).toBe(1);
    expect(stderr).toEqual([`tunnelwatch: cannot read ${missing}: no such file or directory`]);
    expect(parsed(stdout)).toHaveLength(4);
  });

  it('skips, with a note, a file found in a directory whose format auto cannot tell, and goes on (as replay does)', async () => {
    // Act: `dir` holds the tunnel log and a file of another format
    const { code, stdout, stderr } = await runCli(['classify', dir]);

    // Assess
    expect(code).toBe(0);
    expect(new Set(parsed(stdout).map((object) => object.file))).toEqual(new Set([tunnelLog]));
    expect(parsed(stdout)).toHaveLength(4);
    expect(stderr).toEqual([
      expect.stringContaining(
        `tunnelwatch classify: skipping ${otherFormat}: not a log format tunnelwatch knows`,
      ),
    ]);
  });

  it('reads a directory of stream files', async () => {
    const { code, stdout } = await runCli(['classify', '--source', 'aws-s2s', dir]);
    expect(code).toBe(0);
    const files = new Set(parsed(stdout).map((object) => object.file));
    expect(files).toEqual(new Set([otherFormat, tunnelLog]));
  });
});

describe('tunnelwatch classify, values out of range', () => {
  it('prints a malformed event naming the field for "event_timestamp": 1e20 and goes on', async () => {
    const file = join(dir, `${STREAM}-range.log`);
    await writeFile(
      file,
      [
        '{"event_timestamp": 1e20, "details": "AWS tunnel DPD timed out. Peer is not responsive"}',
        '{"event_timestamp": "1e400", "details": "x"}',
        '{"event_timestamp": 1700000000, "details": "AWS tunnel DPD timed out. Peer is not responsive"}',
      ].join('\n'),
    );
    const { code, stdout, stderr } = await runCli(['classify', '--stream', STREAM, file]);
    expect(stderr).toEqual([]);
    expect(code).toBe(0);
    const events = parsed(stdout);
    expect(events.map((event) => [event.category, event.time])).toEqual([
      ['malformed', null],
      ['malformed', null],
      ['dpd.timeout', '2023-11-14T22:13:20.000Z'],
    ]);
    expect(events[0]?.reason).toBe(
      'event_timestamp: time out of range (1970 to 9999), found number 100000000000000000000',
    );
    expect(events[1]?.reason).toMatch(/^event_timestamp: /);
  });
});
