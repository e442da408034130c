import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { planDeliveries } from '../../src/deliveries.ts';
import type { SourceDefinition } from '../../src/model.ts';
import { SOURCE_DEFINITIONS } from '../../src/sources/index.ts';
import { runCli } from '../helpers/cli.ts';
import { batch, line, syntheticSource, T0 } from '../helpers/synthetic-source.ts';

// A synthetic format registered for this test file only (vitest runs each file in its own process).
const SYNTHETIC = syntheticSource('openvpn');

const ATTACK = [0, 1, 2, 3, 4].map((m) =>
  line(m, 'auth.failed', { clientIp: '203.0.113.5', user: 'root' }),
);
/**
 * Three days after the attack, 20 minutes apart: handed over first, they
 * leave the attack far behind the stream's newest event (beyond any lateness
 * bound the pipeline keeps state for).
 */
const LATER = [0, 20].map((m) => line(3 * 24 * 60 + m, 'auth.succeeded', { user: 'alice' }));

let dir: string;
let attackLog: string;
let lateLog: string;
/** A seed that hands the LATER delivery over before the attack's. */
let lateFirstSeed: number;

beforeAll(async () => {
  (SOURCE_DEFINITIONS as SourceDefinition[]).unshift(SYNTHETIC);
  dir = await mkdtemp(join(tmpdir(), 'tw-deliveries-'));
  attackLog = join(dir, 'gw1.log');
  lateLog = join(dir, 'gw2.log');
  await writeFile(attackLog, `${ATTACK.join('\n')}\n`);
  await writeFile(lateLog, `${[...ATTACK, ...LATER].join('\n')}\n`);
  const lines = [...ATTACK, ...LATER];
  const stream = batch('gw2', lines);
  const times = [lines.map((_, i) => T0 + (i < 5 ? i : 3 * 24 * 60 + (i - 5) * 20) * 60_000)];
  lateFirstSeed = [...Array(50).keys()].find(
    (seed) =>
      planDeliveries([stream], times, { linesPerDelivery: 5, shuffleSeed: seed })[0]?.lines[0] ===
      5,
  ) as number;
});

describe('tunnelwatch replay --deliveries', () => {
  it('--json prints the published alerts, then a summary comparing them with plain replay', async () => {
    const plain = await runCli(['replay', '--json', attackLog]);
    const { code, stdout, stderr } = await runCli([
      'replay',
      '--json',
      '--deliveries',
      '5',
      '--repeat',
      '2',
      attackLog,
    ]);
    expect(stderr).toEqual([]);
    expect(code).toBe(0);
    expect(stdout.slice(0, -1)).toEqual(plain.stdout.slice(0, -1));
    const summary = JSON.parse(stdout.at(-1) ?? '{}').summary.deliveries;
    expect(summary).toMatchObject({
      linesPerDelivery: 5,
      deliveries: 1,
      handOvers: 2,
      shuffleSeed: null,
      repeat: 2,
      storeCalls: expect.objectContaining({ getMany: 2 }),
      lossless: true,
      exact: true,
    });
    expect(summary.comparison).toMatchObject({
      reference: 1,
      published: 1,
      missingIds: [],
      extraIds: [],
      doubledIds: [],
      lost: [],
      doubled: [],
    });
  });

  it('prints the delivery plan and the verdict after the human report', async () => {
    const { code, stdout } = await runCli([
      'replay',
      '--deliveries',
      '2',
      '--shuffle',
      '4',
      '--repeat',
      '3',
      attackLog,
    ]);
    expect(code).toBe(0);
    const text = stdout.join('\n');
    expect(text).toContain(
      'Deliveries: 3 of up to 2 lines, shuffled (seed 4), each 3 times (9 hand-overs)',
    );
    expect(text).toMatch(/Compared with plain replay \(1 alerts\): \d+ published/);
  });

  it('names a lost incident and the late lines behind it; --check exits 1 for it, without --check the exit is 0', async () => {
    expect(lateFirstSeed).toBeTypeOf('number');
    const args = ['replay', '--deliveries', '5', '--shuffle', String(lateFirstSeed), lateLog];
    const informative = await runCli(args);
    expect(informative.code).toBe(0);
    const text = informative.stdout.join('\n');
    expect(text).toMatch(
      /Lost \(no published incident of the same rule and key matches it\): 1\n\s+2025-04-25 10:04:00 {2}OPENED {2}auth\.bruteforce {2}openvpn:client:203\.0\.113\.5/,
    );
    expect(text).toContain('1 lost, 0 doubled.');
    // The cause is named: the attack's lines came days behind the stream's newest line.
    expect(text).toContain('Late 5 (over 24 h behind their stream, not judged)');
    expect(text).toContain('5 lines came over 24 h behind the newest of their stream');
    expect((await runCli([...args.slice(0, 1), '--check', ...args.slice(1)])).code).toBe(1);
    const json = await runCli([...args.slice(0, 1), '--json', ...args.slice(1)]);
    const all = JSON.parse(json.stdout.at(-1) ?? '{}').summary;
    expect(all.late).toBe(5);
    const summary = all.deliveries;
    expect(summary.late).toBe(5);
    expect(summary.lossless).toBe(false);
    expect(summary.comparison.lost).toEqual([
      expect.objectContaining({ rule: 'auth.bruteforce', time: '2025-04-25T10:04:00.000Z' }),
    ]);
  });

  it('--check exits 0 when nothing was lost or doubled', async () => {
    const { code } = await runCli([
      'replay',
      '--deliveries',
      '5',
      '--repeat',
      '2',
      '--check',
      attackLog,
    ]);
    expect(code).toBe(0);
  });

  it('rejects bad values and companions without --deliveries (exit 2, naming the flag)', async () => {
    for (const [args, flag] of [
      [['--deliveries', '0'], '--deliveries'],
      [['--deliveries', 'x'], '--deliveries'],
      [['--deliveries', '1', '--repeat', '0'], '--repeat'],
      [['--deliveries', '1', '--shuffle', '-3'], '--shuffle'],
      [['--shuffle', '3'], '--shuffle'],
      [['--check'], '--check'],
    ] as const) {
      const { code, stderr } = await runCli(['replay', ...args, attackLog]);
      expect(code).toBe(2);
      expect(stderr[0]).toContain(flag);
    }
  });
});
