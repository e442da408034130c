/**
 * The handler with an in-memory store, a recording sink, a mocked SQS client
 * (for the dead-letter queue) and the real Powertools Logger and Metrics,
 * whose output (JSON logs and EMF) is read from stdout.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { alertFunctionLogger, createHandler } from '../../lambda/subscription.ts';
import type { AlertSink } from '../../src/delivery.ts';
import { PublishFailedError } from '../../src/delivery.ts';
import type { Alert } from '../../src/model.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';
import { MemoryStateStore } from '../../src/state/memory-state-store.ts';
import { encodeAwslogs, logEventsOf, subscriptionEvent } from '../helpers/subscription-payload.ts';
import { line, SYNTHETIC_SOURCES } from '../helpers/synthetic-source.ts';

const sqs = mockClient(SQSClient);
const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq';
let stdout: string[];
/** Lines written to stderr (Powertools writes WARN and ERROR records there). */
let stderr: string[];

beforeEach(() => {
  sqs.reset();
  stdout = [];
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(...String(chunk).split('\n'));
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(
      ...String(chunk)
        .split('\n')
        .filter((l) => l.trim() !== ''),
    );
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

/** Parsed JSON lines written to stdout (or to stderr). */
function output(lines: readonly string[] = stdout): Record<string, unknown>[] {
  return lines.flatMap((text) => {
    try {
      return [JSON.parse(text) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** EMF records: metric name → { value, dimensions } list. */
function emitted(): { name: string; value: unknown; dimensions: Record<string, unknown> }[] {
  return output()
    .filter((record) => '_aws' in record)
    .flatMap((record) => {
      const aws = record._aws as {
        CloudWatchMetrics: { Metrics: { Name: string }[]; Dimensions: string[][] }[];
      };
      const directive = aws.CloudWatchMetrics[0];
      const dimensions = Object.fromEntries(
        (directive?.Dimensions[0] ?? []).map((d) => [d, record[d]]),
      );
      return (directive?.Metrics ?? []).map((metric) => ({
        name: metric.Name,
        value: record[metric.Name],
        dimensions,
      }));
    });
}

class RecordingSink implements AlertSink {
  readonly alerts: Alert[] = [];
  failAll = false;
  async publish(alerts: readonly Alert[]) {
    if (this.failAll) {
      return {
        published: [],
        failed: alerts.map((a) => ({
          alertId: a.id,
          code: 'Throttled',
          message: 'slow down',
          senderFault: false,
        })),
      };
    }
    this.alerts.push(...alerts);
    return { published: alerts.map((a) => a.id), failed: [] };
  }
}

function setup(options: { realSources?: boolean } = {}) {
  const sink = new RecordingSink();
  const handler = createHandler({
    environment: {
      tableName: 't',
      topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
      deadLetterQueueUrl: DLQ,
      logGroupSources: [{ prefix: '/tunnelwatch/openvpn/', source: 'openvpn' }],
      config: DEFAULT_RULES_CONFIG,
    },
    store: new MemoryStateStore(),
    sink,
    sqs: new SQSClient({ region: 'us-east-1' }),
    logger: alertFunctionLogger({ serviceName: 'tunnelwatch' }),
    metrics: new Metrics({ namespace: 'Tunnelwatch', serviceName: 'tunnelwatch' }),
    ...(options.realSources === true ? {} : { sources: SYNTHETIC_SOURCES }),
  });
  return { handler, sink };
}

const SECRET_LINE = line(0, 'cert.expired', {
  user: 'erin',
  clientIp: '198.51.100.9',
  note: 'secret-token',
});

describe('subscription handler', () => {
  it('emits exactly the contract metric names with their dimensions', async () => {
    const { handler, sink } = setup();
    const event = subscriptionEvent(logEventsOf([SECRET_LINE, line(1, 'auth.failed'), 'garbage']), {
      logGroup: '/tunnelwatch/openvpn/gw1',
      logStream: 'gw1',
    });

    await handler(event);

    expect(sink.alerts.map((a) => a.rule)).toEqual(['cert.problem']);
    const metrics = emitted();
    expect(new Set(metrics.map((m) => m.name))).toEqual(
      new Set([
        'EventsParsed',
        'Unclassified',
        'Malformed',
        'AlertsPublished',
        'AlertsSuppressed',
        'PublishFailures',
        'StateConflicts',
        'LateEvents',
      ]),
    );
    expect(metrics).toContainEqual({
      name: 'EventsParsed',
      value: 1,
      dimensions: { service: 'tunnelwatch', source: 'openvpn', category: 'cert.expired' },
    });
    expect(metrics).toContainEqual({
      name: 'AlertsPublished',
      value: 1,
      dimensions: { service: 'tunnelwatch', rule: 'cert.problem', severity: 'warning' },
    });
    expect(metrics).toContainEqual({
      name: 'Malformed',
      value: 1,
      dimensions: { service: 'tunnelwatch' },
    });
  });

  it('emits TunnelUp per tunnel from the last record with phase states, and logs each published alert in one line', async () => {
    // Prepare: a tunnel that goes down (PSK mismatch), then a record with no state change.
    const { handler, sink } = setup({ realSources: true });
    const record = (seconds: number, details: string, phase: string) =>
      JSON.stringify({
        event_timestamp: 1_762_580_400 + seconds,
        details,
        dpd_enabled: true,
        nat_t_detected: false,
        ike_phase1_state: phase,
        ike_phase2_state: phase,
      });
    const event = subscriptionEvent(
      logEventsOf([
        record(0, 'AWS tunnel is sending DPD request', 'established'),
        record(60, 'AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.7', 'down'),
      ]),
      { logGroup: '/aws/vendedlogs/vpn/x', logStream: 'vpn-0abc1234def567890-203.0.113.10' },
    );

    // Act
    await handler(event);

    // Assess
    const tunnelUp = emitted().filter((m) => m.name === 'TunnelUp');
    expect(tunnelUp).toEqual([
      {
        name: 'TunnelUp',
        value: 0,
        dimensions: {
          service: 'tunnelwatch',
          vpnConnectionId: 'vpn-0abc1234def567890',
          tunnelIp: '203.0.113.10',
        },
      },
    ]);
    const lines = output().filter((record) => record.message === 'alert published');
    expect(lines.map((line) => line.alertId).sort()).toEqual(sink.alerts.map((a) => a.id).sort());
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      rule: expect.any(String),
      status: 'opened',
      severity: 'critical',
      subject: expect.stringContaining('203.0.113.10'),
      vpnConnectionId: 'vpn-0abc1234def567890',
    });
    expect(JSON.stringify(lines)).not.toContain('198.51.100.7');
  });

  it('logs the stream keys and never the log lines', async () => {
    const { handler } = setup();
    const event = subscriptionEvent(logEventsOf([SECRET_LINE]), {
      logGroup: '/aws/vendedlogs/vpn/x',
      logStream: 'vpn-0abc1234-203.0.113.10',
    });

    await handler(event);

    const logs = output().filter((record) => 'level' in record);
    expect(logs.find((l) => l.message === 'batch processed')).toMatchObject({
      logGroup: '/aws/vendedlogs/vpn/x',
      logStream: 'vpn-0abc1234-203.0.113.10',
      vpnConnectionId: 'vpn-0abc1234',
      tunnelIp: '203.0.113.10',
    });
    expect(stdout.join('\n')).not.toContain('secret-token');
  });

  it('sends poison to the dead-letter queue, counts it and returns', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    const { handler } = setup();

    await handler({ awslogs: { data: '%%%' } });

    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: DLQ,
      MessageAttributes: expect.objectContaining({
        reason: { DataType: 'String', StringValue: 'not-base64' },
      }),
    });
    expect(emitted()).toContainEqual({
      name: 'PoisonPayloads',
      value: 1,
      dimensions: { service: 'tunnelwatch' },
    });
  });

  it('fails when the poison cannot be dead-lettered, so the payload is retried not lost', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('AccessDenied'));
    const { handler } = setup();

    await expect(handler(encodeAwslogs(Buffer.from('nope')))).rejects.toThrow('AccessDenied');
  });

  it('fails the invocation and counts PublishFailures when alerts stay unpublished', async () => {
    const { handler, sink } = setup();
    sink.failAll = true;
    const event = subscriptionEvent(logEventsOf([SECRET_LINE]), {
      logGroup: '/tunnelwatch/openvpn/gw1',
    });

    await expect(handler(event)).rejects.toBeInstanceOf(PublishFailedError);

    expect(emitted()).toContainEqual({
      name: 'PublishFailures',
      value: 1,
      dimensions: { service: 'tunnelwatch' },
    });
  });

  it('logs why an alert was not published: the SNS error code and text', async () => {
    const { handler, sink } = setup();
    sink.failAll = true;
    const event = subscriptionEvent(logEventsOf([SECRET_LINE]), {
      logGroup: '/tunnelwatch/openvpn/gw1',
    });

    await expect(handler(event)).rejects.toBeInstanceOf(PublishFailedError);

    const warning = output(stderr).find((record) => record.message === 'alert not published');
    expect(warning).toMatchObject({
      level: 'WARN',
      alertId: expect.stringMatching(/^[0-9a-f]{32}$/),
      errorCode: 'Throttled',
      error: 'slow down',
      senderFault: false,
    });
    // No field of ours collides with the logger's reserved keys (it would warn and drop it).
    const written = [...stdout, ...stderr].join('\n');
    expect(written).not.toContain('reserved key');
    expect(written).not.toContain('secret-token');
  });

  it('writes log text in its own records visibly escaped, never raw', async () => {
    const { handler } = setup();
    const hostileStream = 'gw\u202e1\u009b31m\u2028x';
    const event = subscriptionEvent(logEventsOf([SECRET_LINE]), {
      logGroup: '/tunnelwatch/openvpn/gw1',
      logStream: hostileStream,
    });

    await handler(event);

    expect(stdout.join('\n')).not.toMatch(/[\u0080-\u009f\u2028\u202e]/);
    const batch = output().find((record) => record.message === 'batch processed');
    expect(batch?.logStream).toBe('gw\\u{202E}1\\u{9B}31m\\u{2028}x');
  });
});
