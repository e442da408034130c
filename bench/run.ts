/**
 * `npm run bench [NAME…]`: runs every `bench/*.bench.ts` (or those whose file
 * name contains one of the NAMEs) and prints their figures. Exits 1 when a
 * figure misses its target.
 */
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BenchReport, formatFigure, meetsTarget } from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = (await readdir(here))
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

let missed = 0;
for (const file of files) {
  const module = (await import(pathToFileURL(join(here, file)).href)) as {
    run(): Promise<BenchReport>;
  };
  const report = await module.run();
  console.log(`${report.title}  [${file}]`);
  for (const figure of report.figures) {
    console.log(formatFigure(figure));
    if (!meetsTarget(figure)) missed++;
  }
  console.log('');
}
if (files.length === 0) console.log('no benchmark matched');
if (missed > 0) {
  console.log(`${missed} figure(s) missed their target`);
  process.exitCode = 1;
}
