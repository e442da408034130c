/**
 * Ingestion mode `kinesis` against moto: CloudWatch Logs subscription payloads
 * (gzipped JSON, as a subscription filter writes them to a Kinesis
 * destination) are put into a real stream with PutRecords, read back shard by
 * shard with GetRecords, and handed to the Kinesis handler in-process as the
 * event source mapping would hand them. The alerts land on an SNS topic with a
 * queue subscribed; poison records on the dead-letter queue.
 *
 * The interleaving test uses the real aws-s2s samples (samples/aws-s2s) and
 * the real parsers; the others use the synthetic source, as the direct path's
 * handler tests do.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DeleteStreamCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateTopicCommand, DeleteTopicCommand } from '@aws-sdk/client-sns';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKinesisHandler } from '../../lambda/kinesis.ts';
import { createHandler, type HandlerDeps } from '../../lambda/subscription.ts';
import { renderForSns } from '../../src/alerts/index.ts';
import { DynamoDbStateStore } from '../../src/aws/dynamodb-state-store.ts';
import { accountOfArn } from '../../src/aws/environment.ts';
import { kinesisClient } from '../../src/aws/kinesis-stream.ts';
import { SnsAlertSink } from '../../src/aws/sns-alert-sink.ts';
import type { SubscriptionLogEvent } from '../../src/aws/subscription-payload.ts';
import type { CommandIO } from '../../src/cli/commands/io.ts';
import { redriveCommand } from '../../src/cli/commands/redrive.ts';
import type { SourceDefinition } from '../../src/model.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';
import {
  batchesOf,
  createStream,
  kinesisEvent,
  putPayloads,
  readShards,
  type ShardRecord,
} from '../helpers/kinesis-event.ts';
import { logEventId, logEventsOf, subscriptionData } from '../helpers/subscription-payload.ts';
import { SYNTHETIC_SOURCES } from '../helpers/synthetic-source.ts';
import { type AwsFixture, createAwsFixture, drainAndDelete } from './aws-fixtures.ts';
import { type Emulator, startEmulator } from './emulator.ts';

let emulator: Emulator;
let kinesis: KinesisClient;

beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  emulator = await startEmulator();
  kinesis = kinesisClient(emulator.clientConfig);
});
afterAll(async () => {
  kinesis?.destroy();
  await emulator?.stop();
});

const SILENT_METRICS: HandlerDeps['metrics'] = {
  addMetric: () => undefined,
  singleMetric: () => ({ addMetric: () => undefined, addDimension: () => undefined }),
  publishStoredMetrics: () => undefined,
};

interface HandlerOptions {
  readonly topicArn?: string;
  readonly sources?: readonly SourceDefinition[];
  /** Clock of the handler and the store, epoch ms (expiry is read by it). */
  readonly now?: () => number;
}

function depsFor(aws: AwsFixture, options: HandlerOptions = {}): HandlerDeps {
  const topicArn = options.topicArn ?? aws.topicArn;
  const account = accountOfArn(topicArn);
  return {
    environment: {
      tableName: aws.tableName,
      topicArn,
      deadLetterQueueUrl: aws.deadLetterQueueUrl,
      logGroupSources: [
        { prefix: '/tunnelwatch/openvpn/', source: 'openvpn' },
        { prefix: '/aws/vendedlogs/vpn/', source: 'aws-s2s' },
      ],
      config: DEFAULT_RULES_CONFIG,
      // As read from the environment: the function's account is the topic's.
      ...(account === undefined ? {} : { account }),
    },
    store: new DynamoDbStateStore({
      client: aws.dynamodb,
      tableName: aws.tableName,
      ...(options.now === undefined ? {} : { now: options.now }),
    }),
    sink: new SnsAlertSink({
      client: aws.sns,
      topicArn,
      render: renderForSns,
      sleep: async () => {},
    }),
    sqs: aws.sqs,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: SILENT_METRICS,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.sources === undefined ? {} : { sources: options.sources }),
  };
}

/** The alerts on the topic's queue (drained): id, rule, status and category each, sorted. */
const alertIdsOf = async (aws: AwsFixture) =>
  (await drainAndDelete(aws.sqs, aws.alertQueueUrl))
    .map((message) =>
      ['alertId', 'rule', 'status', 'category']
        .map((name) => message.MessageAttributes?.[name]?.StringValue)
        .join(' '),
    )
    .sort();

const group = '/tunnelwatch/openvpn/gw1';
const NOW = Date.now();
/**
 * `cert.problem` raises one alert per user per cooldown (60 min). Rule state
 * expires by the wall clock, so the lines are dated within the last hours.
 */
const certExpired = (minutes: number, user: string) =>
  JSON.stringify({
    t: new Date(NOW - 120 * 60_000 + minutes * 60_000).toISOString(),
    c: 'cert.expired',
    f: { user, clientIp: '198.51.100.7' },
  });

/** A stream named `name` with `shards` shards holding `payloads`; its records per shard. */
async function streamWith(
  name: string,
  shards: number,
  payloads: readonly { readonly partitionKey: string; readonly payload: unknown }[],
): Promise<{ arn: string; shards: Map<string, ShardRecord[]> }> {
  const arn = await createStream(kinesis, name, shards);
  await putPayloads(kinesis, name, payloads);
  return { arn, shards: await readShards(kinesis, name) };
}

const payloadOf = (logStream: string, messages: string[], startMs: number) => ({
  partitionKey: logStream,
  payload: subscriptionData(logEventsOf(messages, startMs), { logGroup: group, logStream }),
});

describe('Kinesis handler on the emulator', () => {
  it('dead-letters only the poison record, with its reason and coordinates, and processes the rest', async () => {
    const aws = await createAwsFixture(emulator, 'kinesis-poison');
    const { arn, shards } = await streamWith('poison', 1, [
      payloadOf('gw1-alice', [certExpired(10, 'alice')], 1_000_000),
      { partitionKey: 'gw1-bad', payload: Buffer.from('not gzip at all') },
      payloadOf('gw1-bob', [certExpired(11, 'bob')], 2_000_000),
      { partitionKey: 'gw1-bad', payload: { messageType: 'DATA_MESSAGE', logEvents: 'none' } },
    ]);
    const records = [...shards.values()].flat();
    expect(records).toHaveLength(4);

    const response = await createKinesisHandler(depsFor(aws, { sources: SYNTHETIC_SOURCES }))(
      kinesisEvent(arn, records),
    );

    expect(response.batchItemFailures).toEqual([]);
    const letters = (await drainAndDelete(aws.sqs, aws.deadLetterQueueUrl)).map(
      (message) => JSON.parse(message.Body ?? '{}') as Record<string, unknown>,
    );
    expect(letters.map((letter) => [letter.reason, letter.kinesis]).sort()).toEqual(
      [
        [
          'not-gzip',
          {
            eventSourceARN: arn,
            shardId: records[1]?.shardId,
            sequenceNumber: records[1]?.sequenceNumber,
            partitionKey: 'gw1-bad',
          },
        ],
        [
          'not-subscription-shape',
          {
            eventSourceARN: arn,
            shardId: records[3]?.shardId,
            sequenceNumber: records[3]?.sequenceNumber,
            partitionKey: 'gw1-bad',
          },
        ],
      ].sort(),
    );
    const alerts = await drainAndDelete(aws.sqs, aws.alertQueueUrl);
    expect(alerts.map((m) => m.Body?.match(/alice|bob/)?.[0]).sort()).toEqual(['alice', 'bob']);
  });

  it("keeps two source accounts' same-named streams apart and names each account and region on its alert", async () => {
    const aws = await createAwsFixture(emulator, 'kinesis-accounts');
    const fromAccount = (owner: string, minutes: number, startMs: number) => ({
      partitionKey: `${owner}-gw1`,
      payload: {
        ...subscriptionData(
          logEventsOf([certExpired(minutes, 'erin')], startMs).map((event) => ({
            ...event,
            id: `${owner}${event.id}`,
          })),
          { owner, logGroup: group, logStream: 'gw1-server' },
        ),
        subscriptionFilters: [
          `tunnelwatch-${owner === '111111111111' ? 'eu-west-1' : 'us-east-2'}`,
        ],
      },
    });
    const { arn, shards } = await streamWith('accounts', 1, [
      fromAccount('111111111111', 30, 1_000_000),
      fromAccount('222222222222', 31, 1_000_000),
      fromAccount('111111111111', 32, 2_000_000),
    ]);

    const response = await createKinesisHandler(depsFor(aws, { sources: SYNTHETIC_SOURCES }))(
      kinesisEvent(arn, [...shards.values()].flat()),
    );

    expect(response.batchItemFailures).toEqual([]);
    // One cert.problem alert per account (the second line of 111… is in its cooldown).
    const alerts = await drainAndDelete(aws.sqs, aws.alertQueueUrl);
    expect(
      alerts
        .map((m) => ['rule', 'account', 'region'].map((n) => m.MessageAttributes?.[n]?.StringValue))
        .sort(),
    ).toEqual([
      ['cert.problem', '111111111111', 'eu-west-1'],
      ['cert.problem', '222222222222', 'us-east-2'],
    ]);
  });

  it('reports the records of a log stream whose alerts were not published, goes on with other streams, and the retry alerts once', async () => {
    const aws = await createAwsFixture(emulator, 'kinesis-partial');
    const gone = await aws.sns.send(new CreateTopicCommand({ Name: 'kinesis-gone' }));
    await aws.sns.send(new DeleteTopicCommand({ TopicArn: gone.TopicArn }));
    const { arn, shards } = await streamWith('partial', 1, [
      payloadOf('gw1-carol', ['not a line the synthetic source knows'], 1_000_000),
      payloadOf('gw1-carol', [certExpired(20, 'carol')], 2_000_000),
      payloadOf('gw1-dave', ['unclassified too'], 3_000_000),
      payloadOf('gw1-carol', [certExpired(21, 'carol')], 4_000_000),
    ]);
    const records = [...shards.values()].flat();
    const failing = createKinesisHandler(
      depsFor(aws, { sources: SYNTHETIC_SOURCES, topicArn: gone.TopicArn }),
    );

    const response = await failing(kinesisEvent(arn, records));

    // carol's records raised an alert SNS refused: all three are reported; dave's is done.
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: records[0]?.sequenceNumber },
      { itemIdentifier: records[1]?.sequenceNumber },
      { itemIdentifier: records[3]?.sequenceNumber },
    ]);
    // Lambda resumes the shard at the lowest failed sequence number.
    const retry = createKinesisHandler(depsFor(aws, { sources: SYNTHETIC_SOURCES }));
    expect((await retry(kinesisEvent(arn, records))).batchItemFailures).toEqual([]);
    const alerts = await drainAndDelete(aws.sqs, aws.alertQueueUrl);
    expect(alerts.map((m) => m.MessageAttributes?.rule?.StringValue)).toEqual(['cert.problem']);
    expect(alerts[0]?.Body).toContain('carol');
  });

  it('raises no second alert when a whole batch, or a bisected half of it, is delivered again', async () => {
    const aws = await createAwsFixture(emulator, 'kinesis-redelivery');
    const { arn, shards } = await streamWith('redelivery', 2, [
      payloadOf('gw1-erin', [certExpired(0, 'erin'), certExpired(90, 'erin')], 1_000_000),
      payloadOf('gw1-frank', [certExpired(5, 'frank')], 2_000_000),
      payloadOf('gw1-grace', [certExpired(6, 'grace')], 3_000_000),
    ]);
    const handler = createKinesisHandler(depsFor(aws, { sources: SYNTHETIC_SOURCES }));
    const events = [...shards.values()].map((records) => kinesisEvent(arn, records));
    for (const event of events) expect((await handler(event)).batchItemFailures).toEqual([]);
    expect(await alertIdsOf(aws)).toHaveLength(4);

    for (const event of events) await handler(event);
    for (const event of events) await handler({ Records: event.Records.slice(0, 1) });

    expect(await alertIdsOf(aws)).toEqual([]);
  });

  it('gives the direct path’s alert set when several shards’ batches are interleaved', async () => {
    const direct = await createAwsFixture(emulator, 'interleave-direct');
    const viaKinesis = await createAwsFixture(emulator, 'interleave-kinesis');
    const { payloads, endMs } = samplePayloads(20);
    const now = () => endMs;
    const { arn, shards } = await streamWith('interleave', 3, payloads);
    expect([...shards.values()].filter((records) => records.length > 0).length).toBeGreaterThan(1);
    const queues = [...shards.values()].map((records) => batchesOf(records, 3));
    const rounds: ShardRecord[][][] = [];
    for (let round = 0; queues.some((queue) => queue.length > round); round++) {
      rounds.push(queues.map((queue) => queue[round]).filter((batch) => batch !== undefined));
    }

    // The direct path: one invocation per payload, in the same interleaved order.
    const directHandler = createHandler(depsFor(direct, { now }));
    for (const record of rounds.flat(2)) {
      await directHandler({ awslogs: { data: Buffer.from(record.data).toString('base64') } });
    }
    // Round-robin over the shards, one batch of each shard a round. The
    // batches run one after the other: rules that join several log streams
    // (a connection's tunnels, a tunnel's BGP stream) answer differently when
    // two shards race, in either path (reported; the core's to settle).
    const handler = createKinesisHandler(depsFor(viaKinesis, { now }));
    for (const round of rounds) {
      for (const batch of round) {
        expect((await handler(kinesisEvent(arn, batch))).batchItemFailures).toEqual([]);
      }
    }

    const expected = await alertIdsOf(direct);
    expect(expected.length).toBeGreaterThan(10);
    expect(await alertIdsOf(viaKinesis)).toEqual(expected);
  }, 120_000);

  it('redrive reads a Kinesis on-failure record’s batch back from the stream and replays it', async () => {
    const aws = await createAwsFixture(emulator, 'kinesis-redrive');
    const { arn, shards } = await streamWith('redrive', 1, [
      payloadOf('gw1-heidi', [certExpired(30, 'heidi')], 1_000_000),
      payloadOf('gw1-ivan', [certExpired(31, 'ivan')], 2_000_000),
    ]);
    const records = [...shards.values()].flat();
    const onFailure = (streamArn: string) => ({
      requestContext: {
        requestId: 'c9b8fa9f-5a7f-4b2e-af9c-0c604cde93a5',
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:tunnelwatch-alerts',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2026-12-04T00:13:49.717Z',
      KinesisBatchInfo: {
        shardId: records[0]?.shardId,
        startSequenceNumber: records[0]?.sequenceNumber,
        endSequenceNumber: records[1]?.sequenceNumber,
        approximateArrivalOfFirstRecord: '2026-12-04T00:13:49.717Z',
        approximateArrivalOfLastRecord: '2026-12-04T00:13:49.717Z',
        batchSize: 2,
        streamArn,
      },
    });
    for (const body of [onFailure(arn), onFailure(arn.replace('stream/redrive', 'stream/gone'))]) {
      await aws.sqs.send(
        new SendMessageCommand({
          QueueUrl: aws.deadLetterQueueUrl,
          MessageBody: JSON.stringify(body),
        }),
      );
    }
    const redrive = async () => {
      const out: string[] = [];
      const err: string[] = [];
      const io: CommandIO = { isTTY: false, out: (l) => out.push(l), err: (l) => err.push(l) };
      const code = await redriveCommand([], io, redriveEnv(aws), SYNTHETIC_SOURCES);
      return { code, out, err };
    };

    const first = await redrive();

    expect(first.out).toEqual([
      'received 2, replayed 1, deleted 1, failed 1, poison 0, truncated 0, unrecognised 0',
    ]);
    expect(first.err.join('\n')).toMatch(/stream\/gone shardId-\d+ .*cannot be read back/);
    const alerts = await drainAndDelete(aws.sqs, aws.alertQueueUrl);
    expect(alerts.map((m) => m.Body?.match(/heidi|ivan/)?.[0]).sort()).toEqual(['heidi', 'ivan']);
    await kinesis.send(new DeleteStreamCommand({ StreamName: 'redrive' }));
  });
});

function redriveEnv(aws: AwsFixture): Record<string, string> {
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  return {
    AWS_REGION: emulator.clientConfig.region,
    AWS_ENDPOINT_URL: emulator.endpoint,
    STATE_TABLE_NAME: aws.tableName,
    ALERT_TOPIC_ARN: aws.topicArn,
    DEAD_LETTER_QUEUE_URL: aws.deadLetterQueueUrl,
    LOG_GROUP_SOURCES: JSON.stringify([{ prefix: '/tunnelwatch/openvpn/', source: 'openvpn' }]),
  };
}

/**
 * The aws-s2s samples as subscription payloads: one log stream per file,
 * `perPayload` lines per payload (as CloudWatch Logs batches them), in file order.
 */
function samplePayloads(perPayload: number): {
  payloads: { partitionKey: string; payload: unknown }[];
  endMs: number;
} {
  const dir = join(import.meta.dirname, '..', '..', 'samples', 'aws-s2s');
  const payloads: { partitionKey: string; payload: unknown }[] = [];
  let endMs = 0;
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.log'))
    .sort()) {
    const logStream = file.replace(/\.log$/, '');
    const lines = readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean);
    const logEvents: SubscriptionLogEvent[] = lines.map((message, n) => {
      const { timestamp } = JSON.parse(message) as { timestamp: string };
      const ms = Date.parse(`${timestamp.replace(' ', 'T')}`);
      endMs = Math.max(endMs, ms);
      return { id: logEventId(ms, n), timestamp: ms, message };
    });
    for (const chunk of batchesOf(logEvents, perPayload)) {
      payloads.push({
        partitionKey: logStream,
        payload: subscriptionData(chunk, { logGroup: '/aws/vendedlogs/vpn/tunnels', logStream }),
      });
    }
  }
  return { payloads, endMs: endMs + 60_000 };
}
