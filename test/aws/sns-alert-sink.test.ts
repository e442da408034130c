import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { packBatches, SnsAlertSink, type SnsMessage } from '../../src/aws/sns-alert-sink.ts';
import type { Alert } from '../../src/model.ts';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:alerts';

function alert(id: string): Alert {
  return {
    id,
    rule: 'ike.psk_mismatch',
    status: 'opened',
    category: 'ike.psk_mismatch',
    severity: 'critical',
    source: 'aws-s2s',
    key: 'k',
    subject: `subject ${id}`,
    time: 0,
    summary: 's',
    evidence: [],
    remediation: 'r',
    about: {},
    eventId: 'e',
  };
}

const render = (a: Alert): SnsMessage => ({
  subject: a.subject,
  message: `message ${a.id}\n---\n{"alertId":"${a.id}"}`,
  messageAttributes: { alertId: { DataType: 'String', StringValue: a.id } },
});

const sleeps: number[] = [];
const sink = () =>
  new SnsAlertSink({
    client: new SNSClient({ region: 'us-east-1' }),
    topicArn: TOPIC,
    render,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });

beforeEach(() => {
  sns.reset();
  sleeps.length = 0;
});

describe('SnsAlertSink', () => {
  it('publishes 23 alerts in 3 PublishBatch calls with their attributes', async () => {
    sns
      .on(PublishBatchCommand)
      .callsFake((input: { PublishBatchRequestEntries: { Id: string }[] }) => ({
        Successful: input.PublishBatchRequestEntries.map((entry) => ({ Id: entry.Id })),
        Failed: [],
      }));
    const alerts = Array.from({ length: 23 }, (_, i) => alert(`a${i}`));

    const outcome = await sink().publish(alerts);

    expect(outcome).toEqual({ published: alerts.map((a) => a.id), failed: [] });
    expect(sns).toHaveReceivedCommandTimes(PublishBatchCommand, 3);
    expect(sns).toHaveReceivedNthCommandWith(PublishBatchCommand, 1, {
      TopicArn: TOPIC,
      PublishBatchRequestEntries: expect.arrayContaining([
        expect.objectContaining({
          Id: 'a0',
          Subject: 'subject a0',
          MessageAttributes: { alertId: { DataType: 'String', StringValue: 'a0' } },
        }),
      ]),
    });
  });

  it('retries only the entries that failed on AWS side, with backoff', async () => {
    sns
      .on(PublishBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: 'a' }],
        Failed: [{ Id: 'b', Code: 'InternalError', SenderFault: false, Message: 'try again' }],
      })
      .resolvesOnce({ Successful: [{ Id: 'b' }], Failed: [] });

    const outcome = await sink().publish([alert('a'), alert('b')]);

    expect(outcome).toEqual({ published: ['a', 'b'], failed: [] });
    expect(sns).toHaveReceivedNthCommandWith(PublishBatchCommand, 2, {
      PublishBatchRequestEntries: [expect.objectContaining({ Id: 'b' })],
    });
    expect(sleeps).toHaveLength(1);
  });

  it('does not retry an entry SNS rejects as the sender fault', async () => {
    sns.on(PublishBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: 'a', Code: 'InvalidParameter', SenderFault: true, Message: 'bad subject' }],
    });

    const outcome = await sink().publish([alert('a')]);

    expect(outcome.failed).toEqual([
      { alertId: 'a', code: 'InvalidParameter', message: 'bad subject', senderFault: true },
    ]);
    expect(sns).toHaveReceivedCommandTimes(PublishBatchCommand, 1);
  });

  it('gives up after the bounded attempts when SNS keeps throttling', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottledException',
      $fault: 'client',
    });
    sns.on(PublishBatchCommand).rejects(throttled);

    const outcome = await sink().publish([alert('a'), alert('b')]);

    expect(outcome.published).toEqual([]);
    expect(outcome.failed.map((f) => [f.alertId, f.code, f.senderFault])).toEqual([
      ['a', 'ThrottledException', false],
      ['b', 'ThrottledException', false],
    ]);
    expect(sns).toHaveReceivedCommandTimes(PublishBatchCommand, 5);
    expect(sleeps.every((ms, i) => ms >= 0 && ms <= 50 * 2 ** i)).toBe(true);
  });

  it('reports a timed-out call as retryable and recovers', async () => {
    const timeout = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    sns
      .on(PublishBatchCommand)
      .rejectsOnce(timeout)
      .resolves({ Successful: [{ Id: 'a' }], Failed: [] });

    expect(await sink().publish([alert('a')])).toEqual({ published: ['a'], failed: [] });
  });
});

describe('packBatches', () => {
  it('keeps each call under 10 entries and 256 KiB', () => {
    const entry = (id: string, bytes: number) => ({ Id: id, Message: 'x'.repeat(bytes) });
    const entries = [entry('a', 100_000), entry('b', 100_000), entry('c', 100_000), entry('d', 10)];

    const batches = packBatches(entries);

    expect(batches.map((batch) => batch.map((e) => e.Id))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });
});
