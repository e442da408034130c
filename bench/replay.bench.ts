/**
 * `replay` at scale and deliveries:
 *
 * - peak RSS of `tunnelwatch replay` on 1M lines ÷ on 100k lines (target
 *   ≤ 1.3: the replay streams its input), each size in a fresh child process;
 * - streamed replay time ÷ reading the files whole into one pipeline call;
 * - pipeline cost of a log handed over in 1-line deliveries ÷ the same log in
 *   one delivery (reported), and the state-store calls and keys per delivery
 *   (a `CountingStateStore` around the in-memory store: what DynamoDB would
 *   be asked).
 *
 * The logs are AWS Site-to-Site VPN tunnel records (four tunnels, one record
 * per tunnel per second, an outage with its cause every 25,000 records per
 * tunnel), generated into a temporary directory and removed afterwards.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ReplayFile, streamReplay } from '../src/cli/commands/replay-stream.ts';
import { expandInputs, openInput, readLines } from '../src/cli/input.ts';
import {
  CountingStateStore,
  lineTimes,
  planDeliveries,
  runDeliveries,
  seededRandom,
} from '../src/deliveries.ts';
import { runPipeline, type StreamBatch } from '../src/pipeline.ts';
import { DEFAULT_RULES_CONFIG } from '../src/rules/config.ts';
import { MemoryStateStore } from '../src/state/memory-state-store.ts';
import { type BenchReport, type Figure, ratioOf } from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const VPN = 'vpn-0a1b2c3d4e5f67890';
const TUNNELS = ['203.0.113.10', '203.0.113.74', '198.51.100.20', '198.51.100.84'];
const START_S = 1_762_580_429;
/** Records per tunnel between the starts of two outages. */
const OUTAGE_EVERY = 25_000;
const BENIGN = [
  'AWS tunnel received DPD request from CGW, sending response',
  'AWS tunnel is sending DPD request to CGW: 198.51.100.7',
  'AWS tunnel Phase 2 SA is established with inside SPI 0x{spi} outside SPI 0x{spi}',
  'AWS tunnel Phase 1 rekey initiated for IKE_SA id {spi}',
];

/** Record `n` of one tunnel: benign and established, or part of an outage. */
function record(n: number, next: () => number): string {
  const phase = n % OUTAGE_EVERY;
  const time = START_S + n;
  if (phase >= 100 && phase < 130) {
    const details =
      phase === 100
        ? 'AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.7'
        : 'AWS tunnel DPD timed out. Peer is not responsive';
    return `{"event_timestamp": ${time}, "details": "${details}", "dpd_enabled": true, "nat_t_detected": false, "ike_phase1_state": "down", "ike_phase2_state": "down"}`;
  }
  const spi = Math.floor(next() * 0xffffffff).toString(16);
  const details = (BENIGN[Math.floor(next() * BENIGN.length)] ?? '').replaceAll('{spi}', spi);
  return `{"event_timestamp": ${time}, "details": "${details}", "dpd_enabled": true, "nat_t_detected": false, "ike_phase1_state": "established", "ike_phase2_state": "established"}`;
}

/** Writes `lines` records spread over the tunnels' files in `dir`. */
export async function writeLog(dir: string, lines: number): Promise<void> {
  const perTunnel = Math.ceil(lines / TUNNELS.length);
  for (const [t, ip] of TUNNELS.entries()) {
    const next = seededRandom(t + 1);
    const out = createWriteStream(join(dir, `${VPN}-${ip}.log`));
    let chunk: string[] = [];
    for (let n = 0; n < perTunnel; n++) {
      chunk.push(record(n, next));
      if (chunk.length === 10_000) {
        if (!out.write(`${chunk.join('\n')}\n`))
          await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        chunk = [];
      }
    }
    out.end(chunk.length > 0 ? `${chunk.join('\n')}\n` : '');
    await new Promise<void>((resolve) => out.once('finish', () => resolve()));
  }
}

/** Runs `replay --json` on `dir` in a fresh process; its peak RSS and time. */
function replayInChild(dir: string): { alerts: number; ms: number; maxRssBytes: number } {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(here, 'replay-rss-child.ts'), dir],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(output) as { alerts: number; ms: number; maxRssBytes: number };
}

async function peakMemory(root: string): Promise<Figure[]> {
  const sizes = [100_000, 1_000_000];
  const runs = [];
  for (const lines of sizes) {
    const dir = join(root, String(lines));
    await mkdir(dir);
    await writeLog(dir, lines);
    runs.push({ lines, ...replayInChild(dir) });
    await rm(dir, { recursive: true, force: true });
  }
  const [small, large] = runs as [(typeof runs)[0], (typeof runs)[0]];
  return [
    ...runs.flatMap((run) => [
      {
        label: `replay ${run.lines.toLocaleString('en-US')} lines: peak RSS`,
        value: run.maxRssBytes / 1e6,
        unit: 'MB',
      },
      {
        label: `  time per line (${run.alerts.toLocaleString('en-US')} alerts)`,
        value: (run.ms * 1000) / run.lines,
        unit: 'µs',
      },
    ]),
    {
      label: 'replay peak RSS, 1M lines ÷ 100k lines',
      value: large.maxRssBytes / small.maxRssBytes,
      unit: '×',
      target: { max: 1.3 },
    },
  ];
}

/** One tunnel's log as a batch, in memory. */
function tunnelBatch(lines: number): StreamBatch {
  const next = seededRandom(42);
  return {
    source: 'aws-s2s',
    stream: `${VPN}-${TUNNELS[0]}`,
    file: `${VPN}-${TUNNELS[0]}.log`,
    lines: Array.from({ length: lines }, (_, n) => ({ text: record(n, next), line: n + 1 })),
  };
}

async function deliveryCost(): Promise<Figure[]> {
  const lines = 2_000;
  // Outages at records 100–130 of every OUTAGE_EVERY: this log holds one.
  const batch = tunnelBatch(lines);
  const times = [lineTimes(batch)];
  const onePerLine = planDeliveries([batch], times, { linesPerDelivery: 1 });
  const whole = planDeliveries([batch], times, { linesPerDelivery: lines });
  const options = () => ({ store: new MemoryStateStore(), config: DEFAULT_RULES_CONFIG });
  const { subjectMs, floorMs, ratio } = await ratioOf(
    () => runDeliveries([batch], onePerLine, options(), times),
    () => runDeliveries([batch], whole, options(), times),
    { rounds: 3, warmup: 1 },
  );
  const counted = new CountingStateStore(new MemoryStateStore());
  await runDeliveries([batch], onePerLine, { ...options(), store: counted }, times);
  const calls = counted.calls;
  const per = (n: number) => n / onePerLine.length;
  return [
    {
      label: `${lines.toLocaleString('en-US')} lines, whole-file delivery`,
      value: floorMs,
      unit: 'ms',
    },
    { label: `  in 1-line deliveries`, value: subjectMs, unit: 'ms' },
    { label: 'pipeline cost, 1-line deliveries ÷ whole file', value: ratio, unit: '×' },
    { label: 'state-store getMany per 1-line delivery', value: per(calls.getMany), unit: 'calls' },
    { label: 'state-store putMany per 1-line delivery', value: per(calls.putMany), unit: 'calls' },
    { label: '  keys read per 1-line delivery', value: per(calls.keysRead), unit: 'keys' },
    { label: '  keys written per 1-line delivery', value: per(calls.keysWritten), unit: 'keys' },
  ];
}

/** Streaming replay ÷ reading the files whole and one pipeline call (what replay did before). */
async function streamingCost(root: string): Promise<Figure[]> {
  const lines = 50_000;
  const dir = join(root, 'cost');
  await mkdir(dir);
  await writeLog(dir, lines);
  const options = { source: 'aws-s2s', timeZone: 'UTC' } as const;
  const files: ReplayFile[] = [];
  for (const path of await expandInputs([dir])) {
    const opened = await openInput(path, options);
    await opened.close();
    files.push({ path, stream: opened.stream, definition: opened.definition, timeZone: 'UTC' });
  }
  const store = () => ({ store: new MemoryStateStore(), config: DEFAULT_RULES_CONFIG });
  const { subjectMs, floorMs, ratio } = await ratioOf(
    () => streamReplay(files, store()),
    async () => {
      const batches: StreamBatch[] = [];
      for (const file of files) {
        const read = [];
        for await (const { text, number } of readLines(file.path))
          read.push({ text, line: number });
        batches.push({ source: 'aws-s2s', stream: file.stream, file: file.path, lines: read });
      }
      return runPipeline(batches, store());
    },
    { rounds: 3, warmup: 1 },
  );
  await rm(dir, { recursive: true, force: true });
  return [
    {
      label: `replay ${lines.toLocaleString('en-US')} lines read whole, one pipeline call`,
      value: floorMs,
      unit: 'ms',
    },
    { label: '  streamed (merged by line time, 5,000-line chunks)', value: subjectMs, unit: 'ms' },
    { label: 'replay time, streamed ÷ read whole', value: ratio, unit: '×' },
  ];
}

export async function run(): Promise<BenchReport> {
  const root = await mkdtemp(join(tmpdir(), 'tw-replay-bench-'));
  try {
    return {
      title: 'replay: streaming memory and delivery cost',
      figures: [
        ...(await deliveryCost()),
        ...(await streamingCost(root)),
        ...(await peakMemory(root)),
      ],
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
