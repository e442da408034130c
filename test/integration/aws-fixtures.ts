/**
 * Resources the integration tests create on the emulator: the state table (with
 * TTL), the alert topic with an SQS queue subscribed, and the dead-letter queue.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  CreateTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createHandler } from '../../lambda/subscription.ts';
import { renderForSns } from '../../src/alerts/index.ts';
import { DynamoDbStateStore } from '../../src/aws/dynamodb-state-store.ts';
import type { LogGroupSource } from '../../src/aws/log-group-sources.ts';
import { SnsAlertSink } from '../../src/aws/sns-alert-sink.ts';
import type { AlertStatus, RuleId, SourceDefinition } from '../../src/model.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';
import type { Emulator } from './emulator.ts';

/** Creates the state table as the contract and the CDK stack define it. */
export async function createStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    }),
  );
}

/** Everything a handler test needs, created on the emulator. */
export interface AwsFixture {
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly tableName: string;
  readonly topicArn: string;
  /** Queue subscribed to the topic with raw message delivery **on**. */
  readonly alertQueueUrl: string;
  readonly deadLetterQueueUrl: string;
}

/** Creates table, topic, subscribed queue (raw delivery on) and DLQ under names ending in `suffix`. */
export async function createAwsFixture(emulator: Emulator, suffix: string): Promise<AwsFixture> {
  const dynamodb = new DynamoDBClient(emulator.clientConfig);
  const sns = new SNSClient(emulator.clientConfig);
  const sqs = new SQSClient(emulator.clientConfig);
  const tableName = `tunnelwatch-state-${suffix}`;
  await createStateTable(dynamodb, tableName);
  const topic = await sns.send(new CreateTopicCommand({ Name: `tunnelwatch-alerts-${suffix}` }));
  const topicArn = topic.TopicArn ?? '';
  const alertQueue = await sqs.send(new CreateQueueCommand({ QueueName: `alerts-${suffix}` }));
  const alertQueueUrl = alertQueue.QueueUrl ?? '';
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: alertQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: attributes.Attributes?.QueueArn ?? '',
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `dlq-${suffix}` }));
  return {
    dynamodb,
    sns,
    sqs,
    tableName,
    topicArn,
    alertQueueUrl,
    deadLetterQueueUrl: dlq.QueueUrl ?? '',
  };
}

/** Reads every message currently on `queueUrl` (without deleting; visibility 60 s). */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const output = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
      }),
    );
    const batch = output.Messages ?? [];
    if (batch.length === 0) return messages;
    messages.push(...batch);
  }
}

/** Reads every message currently on `queueUrl` and deletes each one read. */
export async function drainAndDelete(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages = await drainQueue(sqs, queueUrl);
  for (const message of messages) {
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
    );
  }
  return messages;
}

/** An alert as read back from the topic's queue: the facts after `---` in the SNS message. */
export interface PublishedAlert {
  readonly id: string;
  readonly rule: RuleId;
  readonly key: string;
  readonly status: AlertStatus;
  readonly subject: string;
  /** Epoch ms. */
  readonly time: number;
}

/** Reads every alert on the fixture's alert queue (and empties it). */
export async function drainAlerts(aws: AwsFixture): Promise<PublishedAlert[]> {
  const messages = await drainAndDelete(aws.sqs, aws.alertQueueUrl);
  return messages.map((message) => {
    const body = message.Body ?? '';
    const facts = JSON.parse(body.slice(body.indexOf('\n---\n') + 5)) as {
      alertId: string;
      rule: RuleId;
      key: string;
      status: AlertStatus;
      subject: string;
      time: string;
    };
    return {
      id: facts.alertId,
      rule: facts.rule,
      key: facts.key,
      status: facts.status,
      subject: facts.subject,
      time: Date.parse(facts.time),
    };
  });
}

/** What differs between the subscription handlers the emulator tests build. */
export interface FixtureHandlerOptions {
  readonly logGroupSources: readonly LogGroupSource[];
  /** @default - the fixture's topic */
  readonly topicArn?: string;
  /** @default - the fixture's client */
  readonly sns?: AwsFixture['sns'];
  /** @default - the built-in sources */
  readonly sources?: readonly SourceDefinition[];
}

/** The subscription handler wired to the fixture's table, topic and dead-letter queue, as the stack wires it (silent logger). */
export function subscriptionHandlerOn(aws: AwsFixture, options: FixtureHandlerOptions) {
  const topicArn = options.topicArn ?? aws.topicArn;
  return createHandler({
    environment: {
      tableName: aws.tableName,
      topicArn,
      deadLetterQueueUrl: aws.deadLetterQueueUrl,
      logGroupSources: options.logGroupSources,
      config: DEFAULT_RULES_CONFIG,
    },
    store: new DynamoDbStateStore({ client: aws.dynamodb, tableName: aws.tableName }),
    sink: new SnsAlertSink({
      client: options.sns ?? aws.sns,
      topicArn,
      render: renderForSns,
      sleep: async () => {},
    }),
    sqs: aws.sqs,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Tunnelwatch', serviceName: 'tunnelwatch' }),
    ...(options.sources === undefined ? {} : { sources: options.sources }),
  });
}
