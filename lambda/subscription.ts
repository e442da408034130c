/**
 * The CloudWatch Logs subscription Lambda: decodes the batch, runs the
 * pipeline, publishes the alerts through the outbox (src/delivery.ts), sends
 * poison payloads to the dead-letter queue, emits EMF metrics. A publish
 * failure fails the invocation so that Lambda retries it.
 *
 * Clients, Logger and Metrics live at module scope (reused across warm
 * invocations); `createHandler` takes them for tests.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { logValueReplacer, renderForSns } from '../src/alerts/index.ts';
import { poisonRecord, sendPoisonRecord } from '../src/aws/dead-letter-queue.ts';
import { DynamoDbStateStore } from '../src/aws/dynamodb-state-store.ts';
import {
  readSubscriptionEnvironment,
  type SubscriptionEnvironment,
} from '../src/aws/environment.ts';
import { SnsAlertSink } from '../src/aws/sns-alert-sink.ts';
import {
  type CountMetric,
  type ProcessorDeps,
  processSubscriptionEvent,
} from '../src/aws/subscription-processor.ts';
import { type AlertSink, assertDelivered } from '../src/delivery.ts';
import type { StateStore } from '../src/model.ts';

/** The part of a Powertools `Metrics` the handler calls to record a count. */
export interface CountRecorder {
  addMetric(name: string, unit: typeof MetricUnit.Count, value: number): unknown;
}

/**
 * What the handler needs of its metrics: a Powertools `Metrics` in production
 * (EMF on stdout); the benchmark passes one that records nothing.
 */
export interface HandlerMetrics extends CountRecorder {
  /** A metric with its own dimensions, emitted on its own. */
  singleMetric(): CountRecorder & { addDimension(name: string, value: string): unknown };
  /** Emits (EMF) and clears what `addMetric` stored. */
  publishStoredMetrics(): unknown;
}

/** What the handler is built from. */
export interface HandlerDeps {
  readonly environment: SubscriptionEnvironment;
  readonly store: StateStore;
  readonly sink: AlertSink;
  readonly sqs: SQSClient;
  readonly logger: Logger;
  readonly metrics: HandlerMetrics;
  /** Clock, epoch ms. */
  readonly now?: () => number;
  /** @default - the registry's sources (src/sources/index.ts); tests pass their own. */
  readonly sources?: ProcessorDeps['sources'];
}

/** The processor's `CountMetric` on top of the handler's metrics. */
export function countMetricOf(metrics: HandlerMetrics): CountMetric {
  return (name, value, dimensions) => {
    if (dimensions === undefined) {
      metrics.addMetric(name, MetricUnit.Count, value);
      return;
    }
    const single = metrics.singleMetric();
    for (const [dimension, dimensionValue] of Object.entries(dimensions)) {
      single.addDimension(dimension, dimensionValue);
    }
    single.addMetric(name, MetricUnit.Count, value);
  };
}

/** What both handlers (direct and Kinesis) give the processing, but for the poison sink. */
export function processorDepsOf(deps: HandlerDeps): Omit<ProcessorDeps, 'onPoison'> {
  const { environment } = deps;
  return {
    store: deps.store,
    sink: deps.sink,
    config: environment.config,
    logGroupSources: environment.logGroupSources,
    logger: deps.logger,
    count: countMetricOf(deps.metrics),
    ...(deps.now === undefined ? {} : { now: deps.now }),
    ...(deps.sources === undefined ? {} : { sources: deps.sources }),
    ...(environment.account === undefined ? {} : { account: environment.account }),
  };
}

/** Builds the handler from its collaborators. */
export function createHandler(deps: HandlerDeps) {
  const { environment, logger, metrics } = deps;
  const shared = processorDepsOf(deps);
  return async (event: unknown, context?: Context): Promise<void> => {
    logger.resetKeys();
    if (context !== undefined) logger.addContext(context);
    try {
      const outcome = await processSubscriptionEvent(event, {
        ...shared,
        onPoison: (poison, error) =>
          sendPoisonRecord(
            deps.sqs,
            environment.deadLetterQueueUrl,
            poisonRecord(poison, error.reason, error.detail, {
              ...(context === undefined ? {} : { requestId: context.awsRequestId }),
            }),
          ),
      });
      if (outcome.kind === 'processed') assertDelivered(outcome.delivery);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

const dynamodb = new DynamoDBClient({});
const sns = new SNSClient({});
const sqs = new SQSClient({});
/**
 * The alert function's logger: every string in a record goes through
 * `logValueReplacer`, so log text in our own records (stream names, payload
 * excerpts) is shown, never obeyed (docs/output-safety.md).
 */
export function alertFunctionLogger(options: { readonly serviceName?: string } = {}): Logger {
  return new Logger({ ...options, jsonReplacerFn: logValueReplacer });
}

const logger = alertFunctionLogger();
const metrics = new Metrics();

/**
 * The production collaborators: module-scope clients, Logger and Metrics, and
 * the environment, read when called (on the first invocation, so that
 * importing a handler module (tests, the bundle-size benchmark) needs none).
 */
export function productionDeps(): HandlerDeps {
  const environment = readSubscriptionEnvironment(process.env);
  return {
    environment,
    store: new DynamoDbStateStore({ client: dynamodb, tableName: environment.tableName }),
    sink: new SnsAlertSink({ client: sns, topicArn: environment.topicArn, render: renderForSns }),
    sqs,
    logger,
    metrics,
  };
}

let configured: ((event: unknown, context?: Context) => Promise<void>) | undefined;

/** The Lambda entry point of ingestion mode `direct` (`lambda/subscription.handler`). */
export const handler = async (event: unknown, context?: Context): Promise<void> => {
  configured ??= createHandler(productionDeps());
  await configured(event, context);
};
