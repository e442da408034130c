/**
 * How fast the installed command starts: `tunnelwatch --help` (bin/ running
 * the compiled dist/) against a bare `node -e 0`, both in fresh processes,
 * interleaved. Target: at most 1.5×. Builds dist/ first, so that the figure
 * is the code of this checkout.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type BenchReport, ratioOf } from './harness.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/tunnelwatch.js', import.meta.url));

function node(args: readonly string[]): void {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')}: exit ${result.status}`);
}

export async function run(): Promise<BenchReport> {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  const rounds = { rounds: 21, warmup: 3 };
  const help = await ratioOf(
    () => node([BIN, '--help']),
    () => node(['-e', '0']),
    rounds,
  );
  const replay = await ratioOf(
    () => node([BIN, 'replay', 'samples/openvpn/vpngw-2025-04-14.log']),
    () => node(['-e', '0']),
    rounds,
  );
  return {
    title: `CLI start (compiled, Node ${process.versions.node})`,
    figures: [
      {
        label: 'tunnelwatch --help ÷ node -e 0',
        value: help.ratio,
        unit: 'x',
        target: { max: 1.5 },
      },
      { label: '  tunnelwatch --help', value: help.subjectMs, unit: 'ms' },
      { label: '  node -e 0', value: help.floorMs, unit: 'ms' },
      {
        label: 'tunnelwatch replay (one OpenVPN sample) ÷ node -e 0',
        value: replay.ratio,
        unit: 'x',
      },
    ],
  };
}
