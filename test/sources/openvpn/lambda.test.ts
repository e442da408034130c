/**
 * The subscription Lambda on a log group configured for source `openvpn`:
 * the gateway sample arrives as one CloudWatch Logs payload.
 */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler } from '../../../lambda/subscription.ts';
import type { AlertSink } from '../../../src/delivery.ts';
import type { Alert } from '../../../src/model.ts';
import { DEFAULT_RULES_CONFIG } from '../../../src/rules/config.ts';
import { MemoryStateStore } from '../../../src/state/memory-state-store.ts';
import { logEventsOf, subscriptionEvent } from '../../helpers/subscription-payload.ts';

const SAMPLE = readFileSync('samples/openvpn/vpngw-2025-04-14.log', 'utf8')
  .split('\n')
  .filter((line) => line !== '');

class RecordingSink implements AlertSink {
  readonly alerts: Alert[] = [];
  async publish(alerts: readonly Alert[]) {
    this.alerts.push(...alerts);
    return { published: alerts.map((alert) => alert.id), failed: [] };
  }
}

beforeEach(() => {
  // Powertools writes JSON logs and EMF to stdout; keep the test output readable.
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

function setup() {
  const sink = new RecordingSink();
  const handler = createHandler({
    environment: {
      tableName: 't',
      topicArn: 'arn:aws:sns:ap-northeast-1:123456789012:alerts',
      deadLetterQueueUrl: 'https://sqs.ap-northeast-1.amazonaws.com/123456789012/dlq',
      logGroupSources: [
        { prefix: '/tunnelwatch/openvpn/', source: 'openvpn', timeZone: 'Asia/Tokyo' },
      ],
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

const payload = () =>
  subscriptionEvent(logEventsOf(SAMPLE, Date.parse('2025-04-13T15:00:00Z')), {
    logGroup: '/tunnelwatch/openvpn/vpngw',
    logStream: 'openvpn-vtun0',
  });

describe('the Lambda on an OpenVPN log group', () => {
  it('publishes the brute force, the scanner and the certificate problems, in Japan time', async () => {
    // Prepare
    const { handler, sink } = setup();
    // Act
    await handler(payload());
    // Assess
    expect(sink.alerts.map((alert) => [alert.rule, alert.key])).toEqual([
      ['auth.bruteforce', 'openvpn:client:203.0.113.66'],
      ['auth.bruteforce', 'openvpn:user:user05'],
      ['probe.scan', 'openvpn:client:198.51.100.200'],
      ['cert.problem', 'openvpn:client:192.0.2.77'],
      ['cert.problem', 'openvpn:client:203.0.113.95'],
    ]);
    expect(new Date(sink.alerts[0]?.time ?? 0).toISOString()).toBe('2025-04-13T17:18:49.000Z');
    for (const alert of sink.alerts) expect(alert.source).toBe('openvpn');
  });

  it('publishes nothing more when CloudWatch Logs delivers the same payload again', async () => {
    const { handler, sink } = setup();
    await handler(payload());
    const first = sink.alerts.length;
    await handler(payload());
    expect(first).toBe(5);
    expect(sink.alerts).toHaveLength(5);
  });
});
