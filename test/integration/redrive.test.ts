/**
 * `tunnelwatch redrive` against moto: a Lambda on-failure record, a poison
 * record that still does not decode, a truncated poison record and an
 * unrecognised message on the dead-letter queue.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poisonRecord } from '../../src/aws/dead-letter-queue.ts';
import type { CommandIO } from '../../src/cli/commands/io.ts';
import { redriveCommand } from '../../src/cli/commands/redrive.ts';
import { runCli } from '../helpers/cli.ts';
import { encodeAwslogs, logEventsOf, subscriptionEvent } from '../helpers/subscription-payload.ts';
import { line, SYNTHETIC_SOURCES } from '../helpers/synthetic-source.ts';
import { type AwsFixture, createAwsFixture, drainAndDelete } from './aws-fixtures.ts';
import { type Emulator, startEmulator } from './emulator.ts';

let emulator: Emulator;
let aws: AwsFixture;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startEmulator();
  aws = await createAwsFixture(emulator, 'redrive');
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  env = {
    AWS_REGION: emulator.clientConfig.region,
    AWS_ENDPOINT_URL: emulator.endpoint,
    STATE_TABLE_NAME: aws.tableName,
    ALERT_TOPIC_ARN: aws.topicArn,
    DEAD_LETTER_QUEUE_URL: aws.deadLetterQueueUrl,
    LOG_GROUP_SOURCES: JSON.stringify([{ prefix: '/tunnelwatch/openvpn/', source: 'openvpn' }]),
  };
});
afterAll(async () => {
  await emulator?.stop();
});

async function redrive(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = { isTTY: false, out: (l) => out.push(l), err: (l) => err.push(l) };
  const code = await redriveCommand(argv, io, env, SYNTHETIC_SOURCES);
  return { code, out, err };
}

async function deadLetter(body: unknown): Promise<void> {
  await aws.sqs.send(
    new SendMessageCommand({ QueueUrl: aws.deadLetterQueueUrl, MessageBody: JSON.stringify(body) }),
  );
}

describe('tunnelwatch redrive on the emulator', () => {
  it('replays what it can, deletes only that, and is safe to run again', async () => {
    const failed = subscriptionEvent(
      logEventsOf([line(0, 'cert.expired', { user: 'frank', clientIp: '198.51.100.3' })]),
      { logGroup: '/tunnelwatch/openvpn/gw1', logStream: 'gw1-frank' },
    );
    await deadLetter({
      version: '1.0',
      timestamp: '2026-11-21T00:00:00.000Z',
      requestContext: {
        requestId: 'r1',
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: failed,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: {
        errorType: 'PublishFailedError',
        errorMessage: '1 alert(s) not published',
      },
    });
    const stillPoison = encodeAwslogs(Buffer.from('not json'));
    await deadLetter(poisonRecord(stillPoison, 'not-json', 'x'));
    await deadLetter(poisonRecord({ awslogs: { data: 'A'.repeat(250_000) } }, 'not-gzip', 'x'));
    await deadLetter({ hello: 'world' });

    const dry = await redrive(['--dry-run']);
    expect(dry.out).toEqual([
      'dry run: received 4, replayed 0, deleted 0, failed 0, poison 0, truncated 1, unrecognised 1, wouldReplay 2',
    ]);
    const first = await redrive(['--max', '10']);
    const second = await redrive([]);

    expect(first.out).toEqual([
      'received 4, replayed 1, deleted 1, failed 0, poison 1, truncated 1, unrecognised 1',
    ]);
    expect(first.code).toBe(1);
    expect(first.err.filter((l) => l.includes('kept'))).toHaveLength(3);
    expect(second.out).toEqual([
      'received 3, replayed 0, deleted 0, failed 0, poison 1, truncated 1, unrecognised 1',
    ]);
    const alerts = await drainAndDelete(aws.sqs, aws.alertQueueUrl);
    expect(alerts.map((m) => m.MessageAttributes?.rule?.StringValue)).toEqual(['cert.problem']);
    expect(await drainAndDelete(aws.sqs, aws.deadLetterQueueUrl)).toHaveLength(3);
  });

  it('rejects a bad --max and a missing queue', async () => {
    expect((await redrive(['--max', '0']).catch((e: Error) => e)) as Error).toMatchObject({
      message: expect.stringContaining('--max'),
    });
    const saved = env.DEAD_LETTER_QUEUE_URL;
    env.DEAD_LETTER_QUEUE_URL = '';
    await expect(redrive([])).rejects.toThrow(/--queue-url/);
    env.DEAD_LETTER_QUEUE_URL = saved ?? '';
  });

  it('reports a queue that does not exist in one line naming it, and exits 1', async () => {
    // Prepare
    const missing = `${aws.deadLetterQueueUrl}-missing`;

    // Act
    const { code, out, err } = await redrive(['--queue-url', missing, '--dry-run']);

    // Assess
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^tunnelwatch redrive: /);
    expect(err[0]).toContain(missing);
    expect(err[0]).toMatch(/does not exist/);
  });

  it('is registered in the tunnelwatch command', async () => {
    const { code, stdout } = await runCli(['redrive', '--help']);

    expect(code).toBe(0);
    expect(stdout[0]).toMatch(/^usage: tunnelwatch redrive/);
  });
});
