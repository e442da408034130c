/**
 * Ingestion mode `kinesis`: the Kinesis handler's throughput on one shard's
 * batch (one invocation at a time per shard, as an event source mapping with
 * parallelization factor 1 runs it) against the decode + classify floor, the
 * direct handler on the same events for comparison, what one shard can take
 * in at these events' size, and the bytes a function serving only aws-s2s
 * loads at init.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import { build } from 'esbuild';
import { bundlingFor } from '../cdk/constructs/esm-bundling.ts';
import { createKinesisHandler } from '../lambda/kinesis.ts';
import { createHandler, type HandlerDeps } from '../lambda/subscription.ts';
import { esbuildOptionsOf } from '../scripts/esbuild-options.ts';
import type { SubscriptionData } from '../src/aws/subscription-payload.ts';
import type { StreamParser } from '../src/model.ts';
import { awsS2sSource } from '../src/sources/aws-s2s/index.ts';
import { MemoryStateStore } from '../src/state/memory-state-store.ts';
import type { BenchReport, Figure } from './harness.ts';
import { ratioOf } from './harness.ts';
import {
  awslogsEvent,
  BENCH_ENVIRONMENT,
  NOOP_SINK,
  SILENT_METRICS,
  tunnelRecords,
} from './lambda-fixtures.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, '.tunnelwatch', 'bench');
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/tunnelwatch';

/** Events in the measured batch, tunnel streams they come from, log events per Kinesis record. */
const EVENTS = 10_000;
const TUNNELS = 10;
const EVENTS_PER_RECORD = 100;
/** Kinesis Data Streams' write limit per shard, bytes/s and records/s (AWS quotas page). */
const SHARD_WRITE_BYTES_PER_SECOND = 1_048_576;
const SHARD_WRITE_RECORDS_PER_SECOND = 1_000;

function deps(): HandlerDeps {
  return {
    environment: BENCH_ENVIRONMENT,
    store: new MemoryStateStore(),
    sink: NOOP_SINK,
    sqs: new SQSClient({ region: 'us-east-1' }),
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: SILENT_METRICS,
  };
}

/**
 * 10,000 events of 10 tunnels as one shard's batch: each tunnel's events in
 * subscription payloads of 100 log events (one Kinesis record each), the
 * tunnels' records interleaved as they arrive in a shard.
 */
function shardBatch() {
  const perTunnel = EVENTS / TUNNELS;
  const payloads: { awslogs: { data: string } }[][] = [];
  for (let tunnel = 0; tunnel < TUNNELS; tunnel++) {
    const records = tunnelRecords(perTunnel, 1_762_580_429_000, tunnel + 1);
    const stream = `vpn-0abc1234def567890-203.0.113.${10 + tunnel}`;
    const chunks: { awslogs: { data: string } }[] = [];
    for (let start = 0; start < perTunnel; start += EVENTS_PER_RECORD) {
      chunks.push(awslogsEvent(records.slice(start, start + EVENTS_PER_RECORD), stream));
    }
    payloads.push(chunks);
  }
  const interleaved: { awslogs: { data: string } }[] = [];
  for (let index = 0; index < perTunnel / EVENTS_PER_RECORD; index++) {
    for (const chunks of payloads) {
      const chunk = chunks[index];
      if (chunk !== undefined) interleaved.push(chunk);
    }
  }
  const event = {
    Records: interleaved.map((payload, n) => ({
      eventID: `shardId-000000000000:${String(49_600_000_000 + n)}`,
      eventSourceARN: STREAM_ARN,
      kinesis: {
        data: payload.awslogs.data,
        sequenceNumber: String(49_600_000_000 + n),
        partitionKey: String(n % TUNNELS),
      },
    })),
  };
  return { event, payloads: interleaved };
}

/** The floor: every record decoded (base64, gunzip, JSON) and every line classified by its parser. */
function decodeAndClassify(payloads: readonly { awslogs: { data: string } }[]): number {
  const parsers = new Map<string, StreamParser>();
  let classified = 0;
  for (const payload of payloads) {
    const data = JSON.parse(
      gunzipSync(Buffer.from(payload.awslogs.data, 'base64')).toString('utf8'),
    ) as SubscriptionData;
    let parser = parsers.get(data.logStream);
    if (parser === undefined) {
      parser = awsS2sSource.createParser({ stream: data.logStream, timeZone: 'UTC' });
      parsers.set(data.logStream, parser);
    }
    const origin = { stream: data.logStream, logGroup: data.logGroup, line: 0 };
    for (const logEvent of data.logEvents) {
      const event = parser.parse(logEvent.message, {
        eventId: logEvent.id,
        timestamp: logEvent.timestamp,
        origin,
      });
      if (event.category !== 'malformed') classified++;
    }
  }
  return classified;
}

async function throughput(): Promise<Figure[]> {
  const { event, payloads } = shardBatch();
  const kinesis = () => createKinesisHandler(deps())(event);
  const floor = () => decodeAndClassify(payloads);
  const viaKinesis = await ratioOf(kinesis, floor, { rounds: 9, warmup: 3 });
  const direct = async () => {
    const handler = createHandler(deps());
    for (const payload of payloads) await handler(payload);
  };
  const viaDirect = await ratioOf(direct, floor, { rounds: 9, warmup: 3 });
  const recordBytes = event.Records.reduce(
    (sum, record) => sum + Buffer.from(record.kinesis.data, 'base64').length,
    0,
  );
  const shardEventsPerSecond = Math.min(
    (SHARD_WRITE_BYTES_PER_SECOND / recordBytes) * EVENTS,
    (SHARD_WRITE_RECORDS_PER_SECOND / event.Records.length) * EVENTS,
  );
  const handlerEventsPerSecond = (EVENTS / viaKinesis.subjectMs) * 1000;
  return [
    {
      label: `shard batch: ${EVENTS.toLocaleString('en-US')} events, ${TUNNELS} tunnels, ${event.Records.length} records of ${EVENTS_PER_RECORD} events`,
      value: recordBytes / 1024,
      unit: 'KB gzip',
    },
    {
      label: 'Kinesis handler (memory store, no-op sink)',
      value: viaKinesis.subjectMs,
      unit: 'ms',
    },
    {
      label: 'decode + classify floor (base64, gunzip, JSON, parser on every line)',
      value: viaKinesis.floorMs,
      unit: 'ms',
    },
    {
      label: 'Kinesis handler / (decode + classify)',
      value: viaKinesis.ratio,
      unit: 'x',
      target: { max: 1.5 },
    },
    {
      label: 'Kinesis handler throughput per shard-equivalent (one invocation at a time)',
      value: handlerEventsPerSecond,
      unit: 'events/s',
    },
    {
      label: 'direct handler, same events as 100 invocations / (decode + classify)',
      value: viaDirect.ratio,
      unit: 'x',
    },
    {
      label: 'one shard accepts (1 MiB/s, 1,000 records/s write limits) at this size',
      value: shardEventsPerSecond,
      unit: 'events/s',
    },
    {
      label: 'handler throughput / shard write limit (> 1: one invocation keeps up)',
      value: handlerEventsPerSecond / shardEventsPerSecond,
      unit: 'x',
    },
  ];
}

/** Bundle bytes and load time at init: every source against an aws-s2s-only function. */
async function bundles(): Promise<Figure[]> {
  mkdirSync(OUT, { recursive: true });
  const figures: Figure[] = [];
  const loadMs = (file: string): number => {
    const url = JSON.stringify(pathToFileURL(file).href);
    const script = `const sdk=['@aws-sdk/client-dynamodb','@aws-sdk/client-sns','@aws-sdk/client-sqs'];
for(const m of sdk)await import(m);const t=performance.now();await import(${url});
process.stdout.write(String(performance.now()-t))`;
    const samples: number[] = [];
    for (let i = 0; i < 7; i++) {
      samples.push(
        Number(
          execFileSync(process.execPath, ['--input-type=module', '-e', script], {
            encoding: 'utf8',
            cwd: OUT,
            stdio: ['ignore', 'pipe', 'pipe'],
          }),
        ),
      );
    }
    return samples.sort((a, b) => a - b)[3] ?? Number.NaN;
  };
  const sizes = new Map<string, number>();
  for (const [name, sources] of [
    ['every source', undefined],
    ['aws-s2s only', ['aws-s2s'] as const],
  ] as const) {
    const outfile = join(OUT, `kinesis-${name.replace(/\W+/g, '-')}.mjs`);
    await build(
      esbuildOptionsOf(bundlingFor(sources), join(ROOT, 'lambda', 'kinesis.ts'), outfile),
    );
    const bytes = statSync(outfile).size;
    sizes.set(name, bytes);
    figures.push(
      { label: `Kinesis function bundle, ${name}`, value: bytes / 1024, unit: 'KB' },
      { label: `  its load at init (fresh node, SDK loaded)`, value: loadMs(outfile), unit: 'ms' },
    );
  }
  figures.push({
    label: 'aws-s2s-only bundle / every-source bundle',
    value: (sizes.get('aws-s2s only') ?? Number.NaN) / (sizes.get('every source') ?? Number.NaN),
    unit: 'x',
  });
  return figures;
}

/** `npm run bench kinesis` */
export async function run(): Promise<BenchReport> {
  return {
    title: 'Kinesis ingestion',
    figures: [...(await throughput()), ...(await bundles())],
  };
}
