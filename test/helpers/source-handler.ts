/**
 * The subscription handler for one self-hosted source's log group, with an
 * in-memory store, a sink that records what it is given, a real (unused) SQS
 * client and the real Powertools Logger and Metrics (they write to stdout).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createHandler } from '../../lambda/subscription.ts';
import type { AlertSink } from '../../src/delivery.ts';
import type { Alert, Source } from '../../src/model.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';
import { MemoryStateStore } from '../../src/state/memory-state-store.ts';

/** A sink that publishes every alert it is given and keeps them in `alerts`. */
export class RecordingSink implements AlertSink {
  readonly alerts: Alert[] = [];
  async publish(alerts: readonly Alert[]) {
    this.alerts.push(...alerts);
    return { published: alerts.map((alert) => alert.id), failed: [] };
  }
}

/**
 * A handler whose log groups under `/tunnelwatch/<source>/` are read as
 * `source` in Asia/Tokyo time (region ap-northeast-1), and the sink it
 * publishes to.
 */
export function sourceHandler(source: Source): {
  readonly handler: ReturnType<typeof createHandler>;
  readonly sink: RecordingSink;
} {
  const sink = new RecordingSink();
  const handler = createHandler({
    environment: {
      tableName: 't',
      topicArn: 'arn:aws:sns:ap-northeast-1:123456789012:alerts',
      deadLetterQueueUrl: 'https://sqs.ap-northeast-1.amazonaws.com/123456789012/dlq',
      logGroupSources: [{ prefix: `/tunnelwatch/${source}/`, source, timeZone: 'Asia/Tokyo' }],
      config: DEFAULT_RULES_CONFIG,
    },
    store: new MemoryStateStore(),
    sink,
    sqs: new SQSClient({ region: 'ap-northeast-1' }),
    logger: new Logger({ serviceName: 'tunnelwatch' }),
    metrics: new Metrics({ namespace: 'Tunnelwatch', serviceName: 'tunnelwatch' }),
  });
  return { handler, sink };
}
