/**
 * `npm run chaos`: the fault cases of chaos/cases.ts against the moto
 * emulator, one figure per case; exits 1 when any figure shows a line or an
 * alert lost, doubled or unexpected. `--tiny` runs the small sizes.
 */
import { FULL, figureLine, figureOk, runChaos, TINY } from './cases.ts';

const size = process.argv.includes('--tiny') ? TINY : FULL;
const started = Date.now();
const figures = await runChaos(size);
for (const figure of figures) console.log(figureLine(figure));
const failed = figures.filter((figure) => !figureOk(figure)).length;
console.log(
  `${figures.length - failed} case(s) ok, ${failed} off, in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
process.exitCode = failed === 0 ? 0 : 1;
