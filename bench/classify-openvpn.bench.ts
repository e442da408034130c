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

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MS = 86_400_000;

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** How each form writes a wall-clock time (a Date read as UTC) before a message. */
const FRAMINGS: readonly ((wall: Date, body: string) => string)[] = [
  (d, body) =>
    `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${d.toISOString().slice(11, 19)} openvpn-vtun0 ${body}`,
  (d, body) => `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} us=123456 ${body}`,
  (d, body) =>
    `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${d.toISOString().slice(11, 19)} ${d.getUTCFullYear()} ${body}`,
  (d, body) =>
    `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${d.toISOString().slice(11, 19)} vpn1 ovpn-server[901]: ${body}`,
  (d, body) => `${d.toISOString().slice(0, 19)}+0900 vpn1 openvpn[901]: ${body}`,
  (_d, body) => body,
];

/**
 * Six streams, one per form (gateway, ISO, ctime, syslog, journald, no
 * timestamp), each the gateway sample replayed day after day: the mix a
 * deployment with several kinds of servers sees, each stream in time order.
 */
function mixedStreams(): string[][] {
  const sample = readFileSync(join(root, 'samples/openvpn/vpngw-2025-04-14.log'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => ({
      wall: Date.parse(`${line.slice(0, 10).replaceAll('/', '-')}T${line.slice(11, 19)}Z`),
      body: line.slice('2025/04/14 00:00:00 openvpn-vtun0 '.length),
    }));
  const perStream = Math.ceil(LINES / FRAMINGS.length);
  return FRAMINGS.map((framing) => {
    const lines: string[] = [];
    for (let day = 0; lines.length < perStream; day++) {
      for (const { wall, body } of sample) {
        if (lines.length === perStream) break;
        lines.push(framing(new Date(wall + day * DAY_MS), body));
      }
    }
    return lines;
  });
}

/** The catalog plus nine copies filed under other words. */
const largeCatalog = [
  ...OPENVPN_CATALOG,
  ...Array.from({ length: 9 }, (_, copy) =>
    OPENVPN_CATALOG.map((row) => ({ ...row, key: `${row.key}${copy}` })),
  ).flat(),
];

export async function run(): Promise<BenchReport> {
  const streams = mixedStreams();
  const lineCount = streams.reduce((sum, lines) => sum + lines.length, 0);
  let sink = 0;
  const clock = Date.parse('2025-07-01T00:00:00Z');
  const classify = (catalog?: typeof OPENVPN_CATALOG) => () => {
    for (const [index, lines] of streams.entries()) {
      const stream = `stream-${index}`;
      const parser = createOpenvpnParser({
        timeZone: 'Asia/Tokyo',
        now: () => clock,
        ...(catalog === undefined ? {} : { catalog }),
      });
      for (let i = 0; i < lines.length; i++) {
        const event = parser.parse(lines[i]!, { origin: { stream, line: i + 1 } });
        if (event.category === 'malformed')
          throw new Error(`bench line is malformed: ${event.raw}`);
        sink += event.category.length;
      }
    }
  };
  const split = () => {
    for (const lines of streams) for (const line of lines) sink += line.split(' ').length;
  };
  const perLine = await ratioOf(classify(), split, { rounds: 7, warmup: 2 });
  const catalogGrowth = await ratioOf(classify(largeCatalog), classify(), { rounds: 5, warmup: 1 });
  if (sink === 0) throw new Error('benchmark produced no work');
  return {
    title: `OpenVPN classify, ${lineCount.toLocaleString('en-US')} lines in six framings`,
    figures: [
      {
        label: 'classify ÷ split-only floor',
        value: perLine.ratio,
        unit: 'x',
        target: { max: 3.0 },
      },
      { label: 'classify time', value: perLine.subjectMs, unit: 'ms' },
      {
        label: 'classify throughput',
        value: lineCount / (perLine.subjectMs / 1000),
        unit: 'lines/s',
      },
      {
        label: 'classify with a 10x catalog ÷ classify',
        value: catalogGrowth.ratio,
        unit: 'x',
        target: { max: 1.3 },
      },
    ],
  };
}
