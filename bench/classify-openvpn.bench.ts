/**
 * OpenVPN classification throughput: parsing 100,000 mixed OpenVPN lines
 * (gateway, ISO, ctime, syslog, journald, no timestamp) as a ratio to a floor
 * that only splits each line into words; and the same with a catalog ten
 * times larger, to show that cost does not grow with the catalog.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPENVPN_CATALOG } from '../src/sources/openvpn/catalog.ts';
import { createOpenvpnParser } from '../src/sources/openvpn/parser.ts';
import { type BenchReport, ratioOf } from './harness.ts';

const LINES = 100_000;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The gateway sample re-framed in the other forms OpenVPN lines arrive in. */
function mixedLines(): string[] {
  const sample = readFileSync(join(root, 'samples/openvpn/vpngw-2025-04-14.log'), 'utf8')
    .split('\n')
    .filter((line) => line !== '');
  const bodies = sample.map((line) => line.slice('2025/04/14 00:00:00 openvpn-vtun0 '.length));
  const framings: ((body: string, i: number) => string)[] = [
    (_body, i) => sample[i % sample.length] ?? '',
    (body) => `2025-04-14 09:12:31 us=123456 ${body}`,
    (body) => `Mon Apr 14 09:12:31 2025 ${body}`,
    (body) => `Apr 14 09:12:31 vpn1 ovpn-server[901]: ${body}`,
    (body) => `2025-04-14T09:12:31+0900 vpn1 openvpn[901]: ${body}`,
    (body) => body,
  ];
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const framing = framings[i % framings.length]!;
    lines.push(framing(bodies[(i * 7) % bodies.length] ?? '', i));
  }
  return lines;
}

/** The catalog plus nine copies filed under other words. */
const largeCatalog = [
  ...OPENVPN_CATALOG,
  ...Array.from({ length: 9 }, (_, copy) =>
    OPENVPN_CATALOG.map((row) => ({ ...row, key: `${row.key}${copy}` })),
  ).flat(),
];

export async function run(): Promise<BenchReport> {
  const lines = mixedLines();
  let sink = 0;
  const clock = Date.parse('2025-06-01T00:00:00Z');
  const classify = (catalog?: typeof OPENVPN_CATALOG) => () => {
    const parser = createOpenvpnParser({
      timeZone: 'Asia/Tokyo',
      now: () => clock,
      ...(catalog === undefined ? {} : { catalog }),
    });
    for (let i = 0; i < lines.length; i++) {
      sink += parser.parse(lines[i]!, { origin: { stream: 'bench', line: i + 1 } }).category.length;
    }
  };
  const split = () => {
    for (const line of lines) sink += line.split(' ').length;
  };
  const perLine = await ratioOf(classify(), split, { rounds: 7, warmup: 2 });
  const catalogGrowth = await ratioOf(classify(largeCatalog), classify(), { rounds: 5, warmup: 1 });
  if (sink === 0) throw new Error('benchmark produced no work');
  return {
    title: `OpenVPN classify, ${LINES.toLocaleString('en-US')} mixed lines`,
    figures: [
      {
        label: 'classify ÷ split-only floor',
        value: perLine.ratio,
        unit: 'x',
        target: { max: 3.0 },
      },
      { label: 'classify time', value: perLine.subjectMs, unit: 'ms' },
      { label: 'classify throughput', value: LINES / (perLine.subjectMs / 1000), unit: 'lines/s' },
      {
        label: 'classify with a 10x catalog ÷ classify',
        value: catalogGrowth.ratio,
        unit: 'x',
        target: { max: 1.3 },
      },
    ],
  };
}
