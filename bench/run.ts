/**
 * `npm run bench [NAME…]`: runs every `bench/*.bench.ts` (or those whose file
 * name contains one of the NAMEs) and prints their figures. Exits 1 when a
 * figure misses its target.
 *
 * Each benchmark file runs in a fresh Node process, so one benchmark's heap,
 * JIT state and child processes do not skew the next one's timings.
 */
import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BenchReport, formatFigure, meetsTarget } from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const REPORT_MARK = 'tunnelwatch-bench-report:';

/** In a child: run one benchmark file and print its report as one marked JSON line. */
async function runOne(file: string): Promise<void> {
  const module = (await import(pathToFileURL(join(here, file)).href)) as {
    run(): Promise<BenchReport>;
  };
  const report = await module.run();
  process.stdout.write(`\n${REPORT_MARK}${JSON.stringify(report)}\n`);
}

/** In the parent: run each file in a child process and print its figures. */
async function runAll(filters: readonly string[]): Promise<void> {
  const files = (await readdir(here))
    .filter((name) => name.endsWith('.bench.ts'))
    .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
    .sort();
  let missed = 0;
  let failed = 0;
  for (const file of files) {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--one', file],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
    );
    const line = child.stdout.split('\n').find((text) => text.startsWith(REPORT_MARK));
    if (child.status !== 0 || line === undefined) {
      console.log(`${file}: failed (exit ${child.status ?? child.signal})\n`);
      failed++;
      continue;
    }
    const report = JSON.parse(line.slice(REPORT_MARK.length)) as BenchReport;
    console.log(`${report.title}  [${file}]`);
    for (const figure of report.figures) {
      console.log(formatFigure(figure));
      if (!meetsTarget(figure)) missed++;
    }
    console.log('');
  }
  if (files.length === 0) console.log('no benchmark matched');
  if (missed > 0) console.log(`${missed} figure(s) missed their target`);
  if (failed > 0) console.log(`${failed} benchmark(s) failed to run`);
  if (missed > 0 || failed > 0) process.exitCode = 1;
}

const args = process.argv.slice(2);
if (args[0] === '--one' && args[1] !== undefined) await runOne(args[1]);
else await runAll(args);
