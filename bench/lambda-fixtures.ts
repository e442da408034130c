/**
 * Payloads for the Lambda benchmark: CloudWatch Logs subscription batches of
 * AWS Site-to-Site VPN tunnel records (the documented JSON keys), with event
 * ids, timestamps and addresses that vary like real ones so gzip ratios are
 * realistic.
 */
import { gzipSync } from 'node:zlib';
import type { HandlerMetrics } from '../lambda/subscription.ts';
import type { SubscriptionEnvironment } from '../src/aws/environment.ts';
import { seededRandom } from '../src/deliveries.ts';
import { DEFAULT_RULES_CONFIG } from '../src/rules/config.ts';

/** Log group the benchmark maps to aws-s2s. */
export const BENCH_LOG_GROUP = '/aws/vendedlogs/vpn/bench';
/** `LOG_GROUP_SOURCES` rows for the benchmark. */
export const BENCH_SOURCES = [{ prefix: '/aws/vendedlogs/vpn/', source: 'aws-s2s' as const }];
/** The handler environment of the benchmark: no real table, topic or queue, default rules. */
export const BENCH_ENVIRONMENT: SubscriptionEnvironment = {
  tableName: 'unused',
  topicArn: 'unused',
  deadLetterQueueUrl: 'unused',
  logGroupSources: BENCH_SOURCES,
  config: DEFAULT_RULES_CONFIG,
};

/**
 * Metrics for the benchmark's handler: takes every call the handler makes and
 * prints nothing (a Powertools `Metrics` would write an EMF line per batch and
 * per dimensioned count to stdout, hundreds per run). The production handler
 * keeps its Powertools `Metrics`.
 */
export const SILENT_METRICS: HandlerMetrics = {
  addMetric: () => undefined,
  singleMetric: () => ({ addMetric: () => undefined, addDimension: () => undefined }),
  publishStoredMetrics: () => undefined,
};

const DETAILS = [
  'AWS tunnel received DPD request from CGW, sending response',
  'AWS tunnel is sending DPD request to CGW: 198.51.100.7',
  'AWS tunnel Phase 2 SA is established with inside SPI 0x{spi} outside SPI 0x{spi}',
  'AWS tunnel is processing a CREATE_CHILD_SA request, message id {n}',
  'AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.7',
  'AWS tunnel Phase 1 rekey initiated for IKE_SA id {spi}',
  'Peer is not responsive - Declaring peer dead',
  'AWS tunnel received DELETE for IKE_SA from CGW',
];

/** `count` tunnel records, one every 200 ms from `startMs`. */
export function tunnelRecords(
  count: number,
  startMs = 1_762_580_429_000,
  seed = 7,
): { id: string; timestamp: number; message: string }[] {
  const next = seededRandom(seed);
  const hex = (digits: number) =>
    Array.from({ length: digits }, () => Math.floor(next() * 16).toString(16)).join('');
  return Array.from({ length: count }, (_, n) => {
    const timestamp = startMs + n * 200;
    const template = DETAILS[Math.floor(next() * DETAILS.length)] ?? '';
    const details = template
      .replaceAll('{spi}', hex(8))
      .replaceAll('{n}', String(Math.floor(next() * 1000)));
    const states = ['established', 'rekeying', 'negotiating', 'down'];
    // Every 8th record is a full tunnel record; the rest carry the keys AWS
    // always writes, so the batch averages ~100 bytes per event.
    const message = JSON.stringify(
      n % 8 === 0
        ? {
            event_timestamp: Math.floor(timestamp / 1000),
            timestamp: new Date(timestamp).toISOString().replace('T', ' '),
            details,
            dpd_enabled: true,
            nat_t_detected: next() < 0.5,
            ike_phase1_state: states[Math.floor(next() * 4)],
            ike_phase2_state: states[Math.floor(next() * 4)],
          }
        : { event_timestamp: Math.floor(timestamp / 1000), details: details.slice(0, 60) },
    );
    return {
      id: `${String(timestamp).padStart(20, '0')}${hex(36)}`.slice(0, 56),
      timestamp,
      message,
    };
  });
}

/** The subscription Lambda event for `logEvents` of one tunnel stream. */
export function awslogsEvent(
  logEvents: readonly { id: string; timestamp: number; message: string }[],
  logStream = 'vpn-0abc1234def567890-203.0.113.10',
): { awslogs: { data: string } } {
  const json = JSON.stringify({
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: BENCH_LOG_GROUP,
    logStream,
    subscriptionFilters: ['tunnelwatch'],
    logEvents,
  });
  return { awslogs: { data: gzipSync(json).toString('base64') } };
}

/** Lambda's asynchronous invocation payload limit, bytes (1 MB). */
export const ASYNC_PAYLOAD_LIMIT = 1_048_576;

/**
 * The largest event under the async limit: as many tunnel records as fit when
 * the event's JSON (`{"awslogs":{"data":"…"}}`) is at most 1 MB.
 */
export function largestEvent(): {
  event: { awslogs: { data: string } };
  events: number;
  uncompressedBytes: number;
} {
  const size = (n: number) => JSON.stringify(awslogsEvent(tunnelRecords(n))).length;
  let count = 20_000;
  for (let round = 0; round < 3; round++) {
    count = Math.floor((count * ASYNC_PAYLOAD_LIMIT * 0.995) / size(count));
  }
  while (size(count) > ASYNC_PAYLOAD_LIMIT) count = Math.floor(count * 0.99);
  const records = tunnelRecords(count);
  const uncompressedBytes = Buffer.byteLength(
    JSON.stringify({
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: BENCH_LOG_GROUP,
      logEvents: records,
    }),
  );
  return { event: awslogsEvent(records), events: count, uncompressedBytes };
}

/** An alert sink that accepts every alert and does nothing (handler benchmarks). */
export const NOOP_SINK = {
  publish: async (alerts: readonly { id: string }[]) => ({
    published: alerts.map((a) => a.id),
    failed: [],
  }),
};
