/**
 * The subscription Lambda: handler throughput against the decode floor, the
 * bundle's size and load time, peak memory on the largest payload, and
 * DynamoDB calls per batch.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { build } from 'esbuild';
import { ESM_BUNDLING } from '../cdk/constructs/esm-bundling.ts';
import { createHandler } from '../lambda/subscription.ts';
import { esbuildOptionsOf } from '../scripts/esbuild-options.ts';
import { DynamoDbStateStore } from '../src/aws/dynamodb-state-store.ts';
import { decodeSubscriptionEvent } from '../src/aws/subscription-payload.ts';
import { processSubscriptionEvent, streamBatchOf } from '../src/aws/subscription-processor.ts';
import type { StateStore } from '../src/model.ts';
import { runPipeline } from '../src/pipeline.ts';
import { DEFAULT_RULES_CONFIG } from '../src/rules/config.ts';
import { MemoryStateStore } from '../src/state/memory-state-store.ts';
import { createStateTable } from '../test/integration/aws-fixtures.ts';
import { startEmulator } from '../test/integration/emulator.ts';
import type { BenchReport, Figure } from './harness.ts';
import { ratioOf } from './harness.ts';
import {
  awslogsEvent,
  BENCH_ENVIRONMENT,
  BENCH_SOURCES,
  largestEvent,
  NOOP_SINK,
  SILENT_METRICS,
  tunnelRecords,
} from './lambda-fixtures.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Scratch directory inside the repository (gitignored) so the bundle resolves `@aws-sdk/*`. */
const OUT = join(ROOT, '.tunnelwatch', 'bench');

/** Built once, as at module scope in the Lambda; only the store is new per run. */
const shared = {
  sqs: new SQSClient({ region: 'us-east-1' }),
  logger: new Logger({ logLevel: 'SILENT' }),
  metrics: SILENT_METRICS,
};

function handlerOn(store: StateStore) {
  return createHandler({
    environment: BENCH_ENVIRONMENT,
    store,
    sink: NOOP_SINK,
    ...shared,
  });
}

/** Handler vs decode floor on a 10,000-event batch. */
async function throughput(): Promise<Figure[]> {
  const records = tunnelRecords(10_000);
  const event = awslogsEvent(records);
  const rawBytes = records.reduce((sum, r) => sum + Buffer.byteLength(r.message), 0);
  const floor = () => {
    const data = JSON.parse(
      gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8'),
    ) as { logEvents: { message: string }[] };
    let keys = 0;
    for (const logEvent of data.logEvents) {
      keys += Object.keys(JSON.parse(logEvent.message) as object).length;
    }
    return keys;
  };
  const handler = () => handlerOn(new MemoryStateStore())(event);
  const { subjectMs, floorMs, ratio } = await ratioOf(handler, floor, { rounds: 9, warmup: 3 });
  // Where the time goes: the same batch through runPipeline alone (decoded
  // beforehand), against the whole handler.
  const decoded = streamBatchOf(decodeSubscriptionEvent(event), BENCH_SOURCES);
  const alone = await ratioOf(
    handler,
    () => runPipeline([decoded], { store: new MemoryStateStore(), config: DEFAULT_RULES_CONFIG }),
    { rounds: 9, warmup: 3 },
  );
  return [
    { label: `batch: 10,000 events of tunnel records`, value: rawBytes / 1e6, unit: 'MB' },
    { label: 'handler (memory store, no-op sink)', value: subjectMs, unit: 'ms' },
    { label: 'decode floor (base64+gunzip+JSON.parse all)', value: floorMs, unit: 'ms' },
    { label: 'handler / decode floor', value: ratio, unit: 'x', target: { max: 1.5 } },
    {
      label: 'pipeline alone (runPipeline on the decoded batch)',
      value: alone.floorMs,
      unit: 'ms',
    },
    { label: 'handler / pipeline alone (the adapter overhead)', value: alone.ratio, unit: 'x' },
  ];
}

/**
 * The bundle as NodejsFunction builds it (the same `ESM_BUNDLING`, see
 * scripts/esbuild-options.ts); its size and load time in a fresh process.
 */
async function bundle(): Promise<Figure[]> {
  mkdirSync(OUT, { recursive: true });
  const outfile = join(OUT, 'subscription.mjs');
  await build(esbuildOptionsOf(ESM_BUNDLING, join(ROOT, 'lambda', 'subscription.ts'), outfile));
  const bytes = statSync(outfile).size;
  const url = JSON.stringify(pathToFileURL(outfile).href);
  // One fresh process per sample: first the SDK packages the Lambda runtime
  // provides (timed apart), then the bundle itself.
  const script = `const sdk=['@aws-sdk/client-dynamodb','@aws-sdk/client-sns','@aws-sdk/client-sqs'];
const t0=performance.now();for(const m of sdk)await import(m);const t1=performance.now();
await import(${url});const t2=performance.now();process.stdout.write(JSON.stringify([t1-t0,t2-t1]))`;
  const sdkMs: number[] = [];
  const ownMs: number[] = [];
  for (let i = 0; i < 7; i++) {
    const [sdk, own] = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        cwd: OUT,
        // The children's stderr (the SDK's Node-version notice, once per
        // sample) is kept off the report; a failing child still throws with it.
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    ) as [number, number];
    sdkMs.push(sdk);
    ownMs.push(own);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[3] ?? Number.NaN;
  return [
    {
      label: 'bundle size (minified ESM, @aws-sdk/* external)',
      value: bytes / 1024,
      unit: 'KB',
      target: { max: 150 },
    },
    {
      label: 'bundle load, fresh node, SDK clients already loaded',
      value: median(ownMs),
      unit: 'ms',
      target: { max: 50 },
    },
    {
      label: '  before it: the 3 SDK client packages (runtime-provided)',
      value: median(sdkMs),
      unit: 'ms',
    },
  ];
}

/** Peak RSS of a fresh process handling the largest payload the async limit allows. */
async function peakMemory(): Promise<Figure[]> {
  mkdirSync(OUT, { recursive: true });
  const largest = largestEvent();
  const file = join(OUT, 'largest-event.json');
  writeFileSync(file, JSON.stringify(largest.event));
  // The child is bundled like the Lambda (same ESM_BUNDLING) and run by plain node,
  // so the figure has no TypeScript loader in it.
  const child = join(OUT, 'rss-child.mjs');
  await build(esbuildOptionsOf(ESM_BUNDLING, join(ROOT, 'bench', 'lambda-rss-child.ts'), child));
  const output = execFileSync(process.execPath, ['--expose-gc', child, file], {
    encoding: 'utf8',
    cwd: OUT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { rssBeforeBytes, maxRssBytes } = JSON.parse(output) as {
    rssBeforeBytes: number;
    maxRssBytes: number;
  };
  return [
    {
      label: `largest payload: event JSON (1 MB async limit)`,
      value: statSync(file).size / 1024,
      unit: 'KB',
    },
    {
      label: `  ${largest.events.toLocaleString('en-US')} events, uncompressed`,
      value: largest.uncompressedBytes / 1e6,
      unit: 'MB',
    },
    {
      label: 'RSS before handling (node + bundle + SDK clients loaded)',
      value: rssBeforeBytes / 1e6,
      unit: 'MB',
    },
    { label: 'peak RSS handling it', value: maxRssBytes / 1e6, unit: 'MB' },
  ];
}

/** DynamoDB calls per batch (on the emulator) as events and tunnels grow. */
async function dynamodbCalls(): Promise<Figure[]> {
  const emulator = await startEmulator();
  const figures: Figure[] = [];
  try {
    const client = new DynamoDBClient(emulator.clientConfig);
    const callsFor = async (tunnels: number, events: number): Promise<number> => {
      const tableName = `bench-${tunnels}-${events}`;
      await createStateTable(client, tableName);
      const store = new DynamoDbStateStore({ client, tableName });
      let calls = 0;
      for (let tunnel = 0; tunnel < tunnels; tunnel++) {
        const records = tunnelRecords(Math.ceil(events / tunnels), 1_762_580_429_000, tunnel + 1);
        const event = awslogsEvent(records, `vpn-0abc1234def567890-203.0.113.${10 + tunnel}`);
        store.resetCallCounts();
        await processSubscriptionEvent(event, {
          store,
          sink: NOOP_SINK,
          config: DEFAULT_RULES_CONFIG,
          logGroupSources: BENCH_SOURCES,
          logger: { info() {}, warn() {}, error() {}, appendKeys() {} },
          count() {},
          onPoison: async () => {},
        });
        calls += store.totalCalls;
      }
      return calls;
    };
    const rows: [number, number][] = [
      [1, 100],
      [1, 1_000],
      [1, 10_000],
      [4, 10_000],
      [16, 10_000],
    ];
    const results = new Map<string, number>();
    for (const [tunnels, events] of rows) {
      const calls = await callsFor(tunnels, events);
      results.set(`${tunnels}/${events}`, calls);
      figures.push({
        label: `DynamoDB calls: ${tunnels} tunnel stream(s), ${events.toLocaleString('en-US')} events`,
        value: calls,
        unit: 'calls',
      });
    }
    figures.push({
      label: 'calls growth, 1 tunnel, 100 -> 10,000 events',
      value: (results.get('1/10000') ?? Number.NaN) / (results.get('1/100') ?? Number.NaN),
      unit: 'x',
      target: { max: 1 },
    });
    client.destroy();
  } finally {
    await emulator.stop();
  }
  return figures;
}

/** `npm run bench lambda` */
export async function run(): Promise<BenchReport> {
  return {
    title: 'subscription Lambda',
    figures: [
      ...(await throughput()),
      ...(await bundle()),
      ...(await peakMemory()),
      ...(await dynamodbCalls()),
    ],
  };
}
