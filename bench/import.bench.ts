/**
 * Import benchmark against the moto emulator: events/s imported, batch fill
 * (events and bytes per PutLogEvents as a fraction of the binding limit, mean
 * over the requests of a large import) and peak RSS of an import 10× larger
 * than another, each measured in its own child process.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSoftEtherTree } from '../test/aws/fixtures.ts';
import { startMoto } from '../test/aws/moto.ts';
import type { BenchReport } from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const SMALL_LINES = Number(process.env.TW_BENCH_IMPORT_SMALL ?? 100_000);
const LARGE_LINES = SMALL_LINES * 10;

interface ChildFigures {
  readonly events: number;
  readonly imported: number;
  readonly batches: number;
  readonly seconds: number;
  readonly fill: {
    readonly meanEvents: number;
    readonly meanBytes: number;
    readonly meanFraction: number;
  };
  readonly peakRssBytes: number;
}

function runChild(args: readonly string[]): Promise<ChildFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(here, 'import-child.ts'), ...args],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`import-child exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as ChildFigures);
    });
  });
}

/** Runs the import benchmark; see the module comment. */
export async function run(): Promise<BenchReport> {
  const moto = await startMoto();
  const work = await mkdtemp(join(tmpdir(), 'tw-bench-import-'));
  try {
    const now = Date.now();
    // Keep only the counts: the line arrays would weigh on the in-process figure.
    const {
      lines: { length: smallLines },
      ...small
    } = await writeSoftEtherTree(join(work, 'small'), {
      lines: SMALL_LINES,
      start: now - 9 * 86_400_000,
      stepMs: Math.floor((8 * 86_400_000) / SMALL_LINES),
      splitEvery: Math.ceil(SMALL_LINES / 40),
    });
    const {
      lines: { length: largeLines },
      ...large
    } = await writeSoftEtherTree(join(work, 'large'), {
      lines: LARGE_LINES,
      start: now - 9 * 86_400_000,
      stepMs: Math.floor((8 * 86_400_000) / LARGE_LINES),
      splitEvery: Math.ceil(LARGE_LINES / 40),
    });
    const smallGroup = await moto.createLogGroup('/bench/small');
    const largeGroup = await moto.createLogGroup('/bench/large');
    const smallRun = await runChild([
      moto.endpoint,
      smallGroup,
      small.directory,
      join(work, 'small-state.json'),
    ]);
    const largeRun = await runChild([
      moto.endpoint,
      largeGroup,
      large.directory,
      join(work, 'large-state.json'),
    ]);
    if (largeRun.imported !== largeLines || smallRun.imported !== smallLines) {
      throw new Error(
        `import lost lines: ${largeRun.imported}/${largeLines}, ${smallRun.imported}/${smallLines}`,
      );
    }
    // The importer alone (reading, timestamps, dedup, batching): a client that answers at once.
    const alone = await runChild(['noop', 'noop', large.directory, join(work, 'noop-state.json')]);
    return {
      title: `import into CloudWatch Logs (moto emulator; ${LARGE_LINES.toLocaleString('en-US')} SoftEther lines vs ${SMALL_LINES.toLocaleString('en-US')})`,
      figures: [
        {
          label: 'events imported per second (large import, emulator-bound)',
          value: largeRun.events / largeRun.seconds,
          unit: 'events/s',
        },
        {
          label: 'events per second, importer alone (no-op client)',
          value: alone.events / alone.seconds,
          unit: 'events/s',
        },
        {
          label: 'batch fill: mean fraction of the binding limit',
          value: largeRun.fill.meanFraction,
          unit: 'ratio',
          target: { min: 0.9 },
        },
        {
          label: 'batch fill: mean events per request',
          value: largeRun.fill.meanEvents,
          unit: 'events',
        },
        {
          label: 'batch fill: mean bytes per request',
          value: largeRun.fill.meanBytes,
          unit: 'bytes',
        },
        { label: 'peak RSS, small import', value: smallRun.peakRssBytes / 1_048_576, unit: 'MiB' },
        {
          label: 'peak RSS, 10x larger import',
          value: largeRun.peakRssBytes / 1_048_576,
          unit: 'MiB',
        },
        {
          label: 'peak RSS ratio, 10x larger input / smaller input',
          value: largeRun.peakRssBytes / smallRun.peakRssBytes,
          unit: 'ratio',
          target: { max: 1.2 },
        },
      ],
    };
  } finally {
    await moto.stop();
    await rm(work, { recursive: true, force: true });
  }
}
