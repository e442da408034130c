/**
 * The operator's check, on every sample: `replay --deliveries 1` gives plain
 * replay's alerts by id, and `--shuffle S` loses and doubles none (`--check`).
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const SAMPLES = ['samples/aws-s2s', 'samples/openvpn', 'samples/softether'];

function alertIds(stdout: readonly string[]): string[] {
  return stdout
    .filter((line) => line.startsWith('{"rule"'))
    .map((line) => (JSON.parse(line) as { id: string }).id)
    .sort();
}

describe.each(SAMPLES)('%s', (dir) => {
  it('replay --deliveries 1: the alerts of plain replay, by id', async () => {
    const plain = await runCli(['replay', '--json', '--tz', 'Asia/Tokyo', dir]);
    const live = await runCli(['replay', '--json', '--tz', 'Asia/Tokyo', '--deliveries', '1', dir]);
    expect(plain.code).toBe(0);
    expect(live.code).toBe(0);
    expect(alertIds(plain.stdout).length).toBeGreaterThan(0);
    expect(alertIds(live.stdout)).toEqual(alertIds(plain.stdout));
  });

  it.each([11, 12, 13, 14])(
    'replay --deliveries 1 --shuffle %i --check: none lost, none doubled',
    async (seed) => {
      const { code, stdout } = await runCli([
        'replay',
        '--tz',
        'Asia/Tokyo',
        '--deliveries',
        '1',
        '--shuffle',
        String(seed),
        '--check',
        dir,
      ]);
      expect(stdout.join('\n')).toContain('No alert lost, none doubled');
      expect(code).toBe(0);
    },
  );
});
