/**
 * `tunnelwatch report` at scale: the page for the samples and for 1,000,000
 * generated lines (200 tunnels of 100 VPN connections with outages, and an
 * OpenVPN gateway under a password-guessing attack from 5,000 addresses with
 * 2,000 user sessions), its size, the cost of building it next to a plain
 * replay of the same lines, and how long chromium takes to load and draw it.
 *
 * Figures: page bytes (target: at most a few MB at 1M lines), report ÷ replay
 * time (same run, one run each), and chromium load-to-drawn time for each
 * page (the page's first full draw, measured by the page's own `data-drawn`
 * mark). The browser figures need Debian's chromium (scripts/setup-system.sh).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { readBatches } from '../src/cli/input.ts';
import { seededRandom } from '../src/deliveries.ts';
import { runPipeline, type StreamBatch } from '../src/pipeline.ts';
import { loadReportAssets } from '../src/report/assets.ts';
import { makeReport } from '../src/report/index.ts';
import { DEFAULT_RULES_CONFIG } from '../src/rules/config.ts';
import { MemoryStateStore } from '../src/state/memory-state-store.ts';
import { type BenchReport, type Figure, medianMs } from './harness.ts';

const CHROMIUM = process.env.TUNNELWATCH_CHROMIUM ?? '/usr/bin/chromium';
const START = Date.parse('2025-04-25T00:00:00Z');
/** `REPORT_BENCH_SCALE=0.1` runs a tenth of the lines (a quick look while developing). */
const SCALE = Number(process.env.REPORT_BENCH_SCALE ?? '1');
const TUNNEL_LINES = Math.round(700_000 * SCALE);
const GATEWAY_LINES = Math.round(300_000 * SCALE);
const CONNECTIONS = 100;

function tunnelRecord(time: number, details: string, phase: string): string {
  return JSON.stringify({
    event_timestamp: Math.floor(time / 1000),
    timestamp: new Date(time).toISOString().replace('T', ' '),
    details,
    dpd_enabled: true,
    nat_t_detected: false,
    ike_phase1_state: phase,
    ike_phase2_state: phase,
  });
}

/** 200 tunnel streams, a record every 30 s, an outage (DPD timeout, 5 min) about every 6 h. */
function tunnelBatches(random: () => number): StreamBatch[] {
  const perTunnel = TUNNEL_LINES / (CONNECTIONS * 2);
  const batches: StreamBatch[] = [];
  for (let c = 0; c < CONNECTIONS; c++) {
    const vpn = `vpn-${c.toString(16).padStart(17, '0')}`;
    for (let t = 0; t < 2; t++) {
      const ip = `198.18.${c}.${10 + t}`;
      const lines: string[] = [];
      let downUntil = -1;
      for (let i = 0; i < perTunnel; i++) {
        const time = START + i * 30_000 + t * 7_000;
        if (i < downUntil) {
          lines.push(tunnelRecord(time, 'AWS tunnel Phase 1 is negotiating', 'down'));
        } else if (random() < 1 / 720) {
          downUntil = i + 10;
          lines.push(
            tunnelRecord(time, 'AWS tunnel DPD timed out. Peer is not responsive', 'down'),
          );
        } else {
          lines.push(tunnelRecord(time, 'AWS tunnel is sending DPD request', 'established'));
        }
      }
      batches.push({
        source: 'aws-s2s',
        stream: `${vpn}-${ip}`,
        file: `${vpn}-${ip}.log`,
        lines: lines.map((text, index) => ({ text, line: index + 1 })),
      });
    }
  }
  return batches;
}

function gatewayTime(time: number): string {
  const iso = new Date(time).toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '/')} ${iso.slice(11, 19)}`;
}

/** One gateway stream: refused logins from 5,000 addresses, and 2,000 sessions. */
function gatewayBatch(random: () => number): StreamBatch {
  const lines: string[] = [];
  const span = (TUNNEL_LINES / (CONNECTIONS * 2)) * 30_000;
  let port = 10_000;
  while (lines.length < GATEWAY_LINES) {
    const time = START + Math.floor(random() * span);
    const client = `203.0.${Math.floor(random() * 20)}.${Math.floor(random() * 250)}:${port++}`;
    const prefix = `${gatewayTime(time)} openvpn-vtun0 ${client}`;
    if (random() < 0.9) {
      lines.push(`${prefix} try username "user${Math.floor(random() * 300)}"`);
      lines.push(`${prefix} TLS Auth Error: Auth Username/Password verification failed for peer`);
      lines.push(`${prefix} SENT CONTROL [client]: 'AUTH_FAILED' (status=1)`);
    } else {
      const user = `staff${Math.floor(random() * 200)}`;
      const address = `10.8.${Math.floor(random() * 200)}.${Math.floor(random() * 250)}`;
      const end = time + Math.floor(random() * 4 * 3_600_000);
      lines.push(`${prefix} try username "${user}"`);
      lines.push(`${prefix} MULTI_sva: pool returned IPv4=${address}, IPv6=(Not enabled)`);
      lines.push(`${gatewayTime(end)} openvpn-vtun0 ${client} Connection reset, restarting [0]`);
    }
  }
  // The gateway writes in time order.
  const timed = lines.map((text) => ({ text, at: text.slice(0, 19) }));
  timed.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return {
    source: 'openvpn',
    stream: 'vpngw',
    file: 'vpngw.log',
    lines: timed.map((entry, index) => ({ text: entry.text, line: index + 1 })),
  };
}

/** The generated lines (seeded: the same every run). */
export function generatedBatches(): StreamBatch[] {
  const random = seededRandom(14);
  return [...tunnelBatches(random), gatewayBatch(random)];
}

const CONTEXT = { title: 'bench', inputs: ['bench'], logTimeZone: 'UTC', generatedAt: 0 };

/** Chromium's median time (ms) from navigation to the page's first full draw. */
async function browserDrawMs(files: readonly string[]): Promise<number[]> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const results: number[] = [];
    for (const file of files) {
      const times: number[] = [];
      for (let round = 0; round < 3; round++) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        const start = Date.now();
        await page.goto(pathToFileURL(file).href);
        await page.waitForSelector('body[data-drawn]', { timeout: 120_000 });
        times.push(Date.now() - start);
        await page.close();
      }
      times.sort((a, b) => a - b);
      results.push(times[1] ?? Number.NaN);
    }
    return results;
  } finally {
    await browser.close();
  }
}

export async function run(): Promise<BenchReport> {
  const assets = await loadReportAssets();
  const dir = await mkdtemp(join(tmpdir(), 'tw-report-bench-'));
  const samples = await readBatches(
    ['samples'],
    { source: 'auto', timeZone: 'Asia/Tokyo' },
    'report',
    () => {},
  );
  const samplesReport = await makeReport(samples.batches, DEFAULT_RULES_CONFIG, CONTEXT, assets);
  const samplesFile = join(dir, 'samples.html');
  await writeFile(samplesFile, samplesReport.html);

  const batches = generatedBatches();
  const lineCount = batches.reduce((n, batch) => n + batch.lines.length, 0);
  // One run each (a million lines takes a while on these machines), replay first.
  const once = { rounds: 1, warmup: 0 };
  const replayMs = await medianMs(
    () => runPipeline(batches, { store: new MemoryStateStore(), config: DEFAULT_RULES_CONFIG }),
    once,
  );
  let big: Awaited<ReturnType<typeof makeReport>> | undefined;
  const reportMs = await medianMs(async () => {
    big = await makeReport(batches, DEFAULT_RULES_CONFIG, CONTEXT, assets);
  }, once);
  if (big === undefined) throw new Error('no report');
  const bigFile = join(dir, 'million.html');
  await writeFile(bigFile, big.html);
  const figures: Figure[] = [
    {
      label: 'samples: page size',
      value: Buffer.byteLength(samplesReport.html) / 1024,
      unit: 'KiB',
    },
    {
      label: `${(lineCount / 1e6).toFixed(1)}M lines: page size`,
      value: Buffer.byteLength(big.html) / 1024 / 1024,
      unit: 'MiB',
      target: { max: 5 },
    },
    {
      label: `${(lineCount / 1e6).toFixed(1)}M lines: alerts, tunnels, session bars`,
      value: big.model.alerts.length,
      unit: `alerts, ${big.model.connections.reduce((n, g) => n + g.tunnels.length, 0)} tunnels, ${big.model.clients.reduce((n, c) => n + c.sessions.reduce((m, r) => m + r.sessions.length, 0), 0)} bars`,
    },
    {
      label: 'report ÷ replay, same lines (time)',
      value: reportMs / replayMs,
      unit: '×',
      target: { max: 1.5 },
    },
    {
      label: `report, ${(lineCount / 1e6).toFixed(1)}M lines (time)`,
      value: reportMs / 1000,
      unit: 's',
    },
  ];
  if (existsSync(CHROMIUM)) {
    const [samplesDraw, bigDraw] = await browserDrawMs([samplesFile, bigFile]);
    figures.push(
      {
        label: 'chromium load + first draw, samples',
        value: samplesDraw ?? Number.NaN,
        unit: 'ms',
      },
      { label: 'chromium load + first draw, 1M lines', value: bigDraw ?? Number.NaN, unit: 'ms' },
      {
        label: 'chromium draw, 1M lines ÷ samples',
        value: (bigDraw ?? Number.NaN) / (samplesDraw ?? Number.NaN),
        unit: '×',
      },
    );
  } else {
    figures.push({ label: `chromium draw: ${CHROMIUM} missing, not measured`, value: 0, unit: '' });
  }
  return {
    title: `report: samples and ${lineCount.toLocaleString('en-US')} generated lines`,
    figures,
  };
}
