import { DeleteTopicCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PublishFailedError } from '../../src/delivery.ts';
import { encodeAwslogs, logEventsOf, subscriptionEvent } from '../helpers/subscription-payload.ts';
import { SYNTHETIC_SOURCES } from '../helpers/synthetic-source.ts';
import {
  type AwsFixture,
  createAwsFixture,
  drainAndDelete,
  subscriptionHandlerOn,
} from './aws-fixtures.ts';
import { type Emulator, startEmulator } from './emulator.ts';

let emulator: Emulator;
let aws: AwsFixture;

beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  emulator = await startEmulator();
  aws = await createAwsFixture(emulator, 'handler');
});
afterAll(async () => {
  await emulator?.stop();
});
beforeEach(async () => {
  await drainAndDelete(aws.sqs, aws.alertQueueUrl);
});

function handlerWith(topicArn = aws.topicArn) {
  return subscriptionHandlerOn(aws, {
    logGroupSources: [{ prefix: '/tunnelwatch/openvpn/', source: 'openvpn' }],
    topicArn,
    sources: SYNTHETIC_SOURCES,
  });
}

const group = { logGroup: '/tunnelwatch/openvpn/gw1' };
/**
 * Rule state expires at event time + cooldown (60 min) and the store reads
 * expiry by the wall clock, so the events that must share a cooldown are
 * dated within the last hour, as live logs are.
 */
const NOW = Date.now();
const certExpired = (minutes: number, user: string) =>
  JSON.stringify({
    t: new Date(NOW - 120 * 60_000 + minutes * 60_000).toISOString(),
    c: 'cert.expired',
    f: { user, clientIp: '198.51.100.7' },
  });

describe('subscription handler on the emulator', () => {
  it('publishes an alert that arrives with its attributes and id', async () => {
    const event = subscriptionEvent(
      logEventsOf([certExpired(100, 'alice'), certExpired(101, 'alice')]),
      {
        ...group,
        logStream: 'gw1-alice',
      },
    );

    await handlerWith()(event);

    const [message, ...rest] = await drainAndDelete(aws.sqs, aws.alertQueueUrl);
    expect(rest).toEqual([]);
    const attributes = Object.fromEntries(
      Object.entries(message?.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        value.StringValue,
      ]),
    );
    expect(attributes).toMatchObject({
      rule: 'cert.problem',
      category: 'cert.expired',
      status: 'opened',
    });
    expect(attributes.alertId).toMatch(/^[0-9a-f]{32}$/);
    const facts = JSON.parse(message?.Body?.split('\n---\n')[1] ?? '{}') as { alertId?: string };
    expect(facts.alertId).toBe(attributes.alertId);
    expect(message?.Body).toContain(`Alert id: ${attributes.alertId}`);
  });

  it('raises no second alert for a redelivered payload, nor for a redelivery batched differently', async () => {
    const events = logEventsOf(
      [certExpired(0, 'bob'), certExpired(90, 'bob')],
      Date.parse('2026-01-01'),
    );
    const payload = subscriptionEvent(events, { ...group, logStream: 'gw1-bob' });
    const handler = handlerWith();
    await handler(payload);
    expect(await drainAndDelete(aws.sqs, aws.alertQueueUrl)).toHaveLength(2);

    await handler(payload);
    await handler(subscriptionEvent(events.slice(1), { ...group, logStream: 'gw1-bob' }));

    expect(await drainAndDelete(aws.sqs, aws.alertQueueUrl)).toEqual([]);
  });

  it('yields one alert from two concurrent invocations on one stream', async () => {
    const stream = { ...group, logStream: 'gw1-carol' };
    const first = subscriptionEvent(logEventsOf([certExpired(100, 'carol')], 1_000_000), stream);
    const second = subscriptionEvent(logEventsOf([certExpired(101, 'carol')], 2_000_000), stream);

    await Promise.all([handlerWith()(first), handlerWith()(second)]);

    const messages = await drainAndDelete(aws.sqs, aws.alertQueueUrl);
    expect(messages.map((m) => m.MessageAttributes?.rule?.StringValue)).toEqual(['cert.problem']);
  });

  it('fails the invocation when SNS refuses, and the retry publishes the alert exactly once', async () => {
    const { CreateTopicCommand } = await import('@aws-sdk/client-sns');
    const gone = await aws.sns.send(new CreateTopicCommand({ Name: 'deleted-topic' }));
    await aws.sns.send(new DeleteTopicCommand({ TopicArn: gone.TopicArn }));
    const payload = subscriptionEvent(logEventsOf([certExpired(100, 'dave')]), {
      ...group,
      logStream: 'gw1-dave',
    });

    await expect(handlerWith(gone.TopicArn)(payload)).rejects.toBeInstanceOf(PublishFailedError);
    await handlerWith()(payload);
    await handlerWith()(payload);

    const messages = await drainAndDelete(aws.sqs, aws.alertQueueUrl);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Body).toContain('dave');
  });

  it('sends a poison payload to the dead-letter queue and returns without failing', async () => {
    const poison = encodeAwslogs(Buffer.from('this is not JSON'));

    await handlerWith()(poison);

    const [record, ...rest] = await drainAndDelete(aws.sqs, aws.deadLetterQueueUrl);
    expect(rest).toEqual([]);
    expect(record?.MessageAttributes?.reason?.StringValue).toBe('not-json');
    expect(JSON.parse(record?.Body ?? '{}')).toMatchObject({
      kind: 'tunnelwatch.poison-payload',
      reason: 'not-json',
      payload: JSON.stringify(poison),
      truncated: false,
    });
    expect(await drainAndDelete(aws.sqs, aws.alertQueueUrl)).toEqual([]);
  });

  it('skips a CONTROL_MESSAGE', async () => {
    const control = subscriptionEvent(
      logEventsOf(['CWL CONTROL MESSAGE: Checking health of destination']),
      {
        messageType: 'CONTROL_MESSAGE',
      },
    );

    await handlerWith()(control);

    expect(await drainAndDelete(aws.sqs, aws.alertQueueUrl)).toEqual([]);
    expect(await drainAndDelete(aws.sqs, aws.deadLetterQueueUrl)).toEqual([]);
  });
});
