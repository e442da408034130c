/**
 * A record can only fail itself: the handler, in-process with the real
 * parsers, an in-memory store and the real SNS sink and rendering over a
 * mocked SNS client, never throws on a payload of well-formed CloudWatch Logs
 * envelopes, whatever its log events carry.
 */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler, type HandlerMetrics } from '../../lambda/subscription.ts';
import { renderForSns } from '../../src/alerts/index.ts';
import { SnsAlertSink } from '../../src/aws/sns-alert-sink.ts';
import type { SubscriptionLogEvent } from '../../src/aws/subscription-payload.ts';
import type { AlertSink } from '../../src/delivery.ts';
import { type Alert, isEventTime } from '../../src/model.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';
import { BGP_RECORD_KEYS, TUNNEL_RECORD_KEYS } from '../../src/sources/aws-s2s/parser.ts';
import { MemoryStateStore } from '../../src/state/memory-state-store.ts';
import { logEventId, subscriptionEvent } from '../helpers/subscription-payload.ts';

const sqs = mockClient(SQSClient);
const sns = mockClient(SNSClient);
beforeEach(() => {
  sqs.reset();
  sns.reset();
  sns.on(PublishBatchCommand).callsFake((input: PublishBatchCommand['input']) => ({
    Successful: (input.PublishBatchRequestEntries ?? []).map((entry) => ({
      Id: entry.Id,
      MessageId: `m-${entry.Id}`,
    })),
    Failed: [],
  }));
});

/** Metrics that record nothing (the real ones print EMF for every invocation). */
const SILENT_METRICS: HandlerMetrics = {
  addMetric: () => undefined,
  singleMetric: () => ({ addMetric: () => undefined, addDimension: () => undefined }),
  publishStoredMetrics: () => undefined,
};

/** The production sink (rendering included) over the mocked client, recording what it published. */
class RecordingSink implements AlertSink {
  readonly alerts: Alert[] = [];
  private readonly sns = new SnsAlertSink({
    client: new SNSClient({ region: 'us-east-1' }),
    topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
    render: renderForSns,
  });
  async publish(alerts: readonly Alert[]) {
    const outcome = await this.sns.publish(alerts);
    const published = new Set(outcome.published);
    this.alerts.push(...alerts.filter((alert) => published.has(alert.id)));
    return outcome;
  }
}

function setup() {
  const sink = new RecordingSink();
  const handler = createHandler({
    environment: {
      tableName: 't',
      topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
      deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq',
      logGroupSources: [
        { prefix: '/aws/vendedlogs/vpn/', source: 'aws-s2s' },
        { prefix: '/tunnelwatch/openvpn/', source: 'openvpn', timeZone: 'Asia/Tokyo' },
        { prefix: '/tunnelwatch/softether/', source: 'softether' },
      ],
      config: DEFAULT_RULES_CONFIG,
    },
    store: new MemoryStateStore(),
    sink,
    sqs: new SQSClient({ region: 'us-east-1' }),
    logger: new Logger({ serviceName: 'tunnelwatch', logLevel: 'SILENT' }),
    metrics: SILENT_METRICS,
  });
  return { handler, sink };
}

/** Real lines of each format, which the fuzzer mixes in and mutates. */
const SAMPLE_LINES = [
  'samples/aws-s2s/vpn-0a1b2c3d4e5f67890-203.0.113.10.log',
  'samples/aws-s2s/vpn-0a1b2c3d4e5f67890-203.0.113.10-bgp.log',
  'samples/openvpn/vpngw-2025-04-14.log',
  'samples/softether/server_log/vpn_20250301.log',
  'samples/softether/security_log/DEFAULT/sec_20250301.log',
].flatMap((path) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((text) => text.trim() !== ''),
);

/** Values a field of a JSON record may hold, the extremes first. */
const anyValue = fc.oneof(
  fc.constantFrom(1e20, -1e20, 8.64e15 + 1, 1e308, -1, 0, 2 ** 53 + 1, 1.5),
  fc.constantFrom('NaN', 'Infinity', '1e400', '-0', '', ' ', '0x1F', 'True', 'down'),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 3000, maxLength: 10_000 }),
  fc.jsonValue({ maxDepth: 4 }),
);

const RECORD_KEYS = [...TUNNEL_RECORD_KEYS, ...BGP_RECORD_KEYS];

/** Tunnel records that raise alerts when their values are sound, with any time value. */
const alertingRecord = fc
  .record({
    event_timestamp: anyValue,
    details: fc.constantFrom(
      'AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.7',
      'AWS tunnel DPD timed out. Peer is not responsive',
      'AWS tunnel Phase 1 negotiation failed: No Proposal Chosen',
    ),
    ike_phase1_state: fc.constantFrom('down', 'established', 7),
  })
  .map((record) => JSON.stringify(record));

/** What one log event may carry: records with any values, any JSON, any text, real lines cut. */
const message = fc.oneof(
  alertingRecord,
  fc
    .dictionary(fc.constantFrom(...RECORD_KEYS), anyValue, { maxKeys: 8 })
    .map((record) => JSON.stringify(record)),
  fc.json({ maxDepth: 4 }),
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.constantFrom(...SAMPLE_LINES),
  fc
    .tuple(fc.constantFrom(...SAMPLE_LINES), fc.nat(), fc.string({ maxLength: 20 }))
    .map(([text, at, insert]) => {
      const cut = at % (text.length + 1);
      return text.slice(0, cut) + insert + text.slice(cut);
    }),
);

/** A well-formed envelope: a known or unknown log group, plausible stream names, any messages. */
const envelope = fc
  .record({
    logGroup: fc.constantFrom(
      '/aws/vendedlogs/vpn/tunnels',
      '/tunnelwatch/openvpn/gw1',
      '/tunnelwatch/softether/vpn',
      '/some/other/group',
    ),
    logStream: fc.constantFrom(
      'vpn-0abc1234def567890-203.0.113.10',
      'vpn-0abc1234def567890-203.0.113.10-bgp',
      'gw1',
      'server_log',
      'security_log/DEFAULT',
      '',
    ),
    start: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }),
    messages: fc.array(message, { minLength: 1, maxLength: 25 }),
  })
  .map(({ logGroup, logStream, start, messages }) => {
    const logEvents: SubscriptionLogEvent[] = messages.map((text, n) => ({
      id: logEventId(start + n * 1000, n),
      timestamp: start + n * 1000,
      message: text,
    }));
    return subscriptionEvent(logEvents, { logGroup, logStream });
  });

describe('subscription handler fuzz', () => {
  it('never throws on well-formed envelopes whatever their log events carry', async () => {
    const { handler, sink } = setup();
    await fc.assert(
      fc.asyncProperty(fc.array(envelope, { minLength: 1, maxLength: 3 }), async (events) => {
        for (const event of events) await handler(event);
      }),
      { numRuns: 150 },
    );
    for (const alert of sink.alerts) expect(isEventTime(alert.time)).toBe(true);
  }, 60_000);
});

describe('subscription handler, one bad record in a batch', () => {
  const TUNNEL = 'vpn-0abc1234def567890-203.0.113.10';
  const record = (eventTimestamp: number | string, details: string) =>
    `{"event_timestamp": ${eventTimestamp}, "details": "${details}", "ike_phase1_state": "down", "ike_phase2_state": "down"}`;

  it('publishes the alerts of the other records when one has "event_timestamp": 1e20', async () => {
    const { handler, sink } = setup();
    const messages = [
      record(1745575200, 'AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.7'),
      record('1e20', 'AWS tunnel DPD timed out. Peer is not responsive'),
      record(1745575260, 'AWS tunnel Phase 1 negotiation failed: No Proposal Chosen'),
    ];
    const logEvents = messages.map((text, n) => ({
      id: logEventId(1745575200000 + n, n),
      timestamp: 1745575200000 + n * 1000,
      message: text,
    }));
    const event = subscriptionEvent(logEvents, {
      logGroup: '/aws/vendedlogs/vpn/tunnels',
      logStream: TUNNEL,
    });

    await expect(handler(event)).resolves.toBeUndefined();

    const categories = sink.alerts.map((alert) => alert.category);
    expect(categories).toContain('ike.psk_mismatch');
    expect(sink.alerts.every((alert) => alert.time < 1e15)).toBe(true);
    // Redelivered (Lambda's retry), it still does not throw and publishes nothing twice.
    const before = sink.alerts.length;
    await expect(handler(event)).resolves.toBeUndefined();
    expect(sink.alerts).toHaveLength(before);
  });
});
