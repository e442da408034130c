/**
 * Child process of `lambda.bench.ts`: handles one subscription event read from
 * the file named in argv[2] with the in-memory store and a no-op sink, and
 * prints `{"rssBeforeBytes":…,"maxRssBytes":…}` (peak over the process's life).
 */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createHandler } from '../lambda/subscription.ts';
import { MemoryStateStore } from '../src/state/memory-state-store.ts';
import { BENCH_ENVIRONMENT, SILENT_METRICS } from './lambda-fixtures.ts';

const event: unknown = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'));
const handler = createHandler({
  environment: BENCH_ENVIRONMENT,
  store: new MemoryStateStore(),
  sink: { publish: async (alerts) => ({ published: alerts.map((a) => a.id), failed: [] }) },
  sqs: new SQSClient({ region: 'us-east-1' }),
  logger: new Logger({ logLevel: 'SILENT' }),
  metrics: SILENT_METRICS,
});
globalThis.gc?.();
const rssBeforeBytes = process.memoryUsage.rss();
await handler(event);
process.stdout.write(
  JSON.stringify({ rssBeforeBytes, maxRssBytes: process.resourceUsage().maxRSS * 1024 }),
);
