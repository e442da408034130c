/**
 * The benchmark harness behind `npm run bench`. Each `bench/*.bench.ts` file
 * exports `run(): Promise<BenchReport>`; `bench/run.ts` runs them in name order.
 *
 * Machines here are noisy, so targets are stated as ratios of two timings taken
 * in the same run (e.g. pipeline ÷ decode-only), each the median of several rounds.
 */

/** One printed figure, with its target when it has one. */
export interface Figure {
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  /** The figure must be at most (`max`) or at least (`min`) this. */
  readonly target?: { readonly max?: number; readonly min?: number };
}

/** What one benchmark file reports. */
export interface BenchReport {
  readonly title: string;
  readonly figures: readonly Figure[];
}

/** Median wall time of `fn` in milliseconds over `rounds` runs after `warmup` runs. */
export async function medianMs(
  fn: () => unknown,
  { rounds = 7, warmup = 2 }: { rounds?: number; warmup?: number } = {},
): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

/**
 * Times `subject` and `floor` interleaved (subject, floor, subject, …) so that
 * machine noise hits both alike; returns both medians and their ratio.
 */
export async function ratioOf(
  subject: () => unknown,
  floor: () => unknown,
  { rounds = 7, warmup = 2 }: { rounds?: number; warmup?: number } = {},
): Promise<{ subjectMs: number; floorMs: number; ratio: number }> {
  for (let i = 0; i < warmup; i++) {
    await subject();
    await floor();
  }
  const subjectTimes: number[] = [];
  const floorTimes: number[] = [];
  for (let i = 0; i < rounds; i++) {
    let start = process.hrtime.bigint();
    await subject();
    subjectTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
    start = process.hrtime.bigint();
    await floor();
    floorTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const median = (values: number[]): number =>
    values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const subjectMs = median(subjectTimes);
  const floorMs = median(floorTimes);
  return { subjectMs, floorMs, ratio: subjectMs / floorMs };
}

/** True when the figure meets its target (or has none). */
export function meetsTarget(figure: Figure): boolean {
  const { target, value } = figure;
  if (target === undefined) return true;
  if (target.max !== undefined && !(value <= target.max)) return false;
  if (target.min !== undefined && !(value >= target.min)) return false;
  return true;
}

/** A figure formatted for the report: value, unit and target verdict. */
export function formatFigure(figure: Figure): string {
  const value =
    Math.abs(figure.value) >= 100
      ? Math.round(figure.value).toLocaleString('en-US')
      : figure.value.toFixed(2);
  const target =
    figure.target === undefined
      ? ''
      : `  (target ${figure.target.max !== undefined ? `<= ${figure.target.max}` : `>= ${figure.target.min}`}: ${meetsTarget(figure) ? 'met' : 'MISSED'})`;
  return `  ${figure.label.padEnd(58)} ${value.padStart(12)} ${figure.unit}${target}`;
}
