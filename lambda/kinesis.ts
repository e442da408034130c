/**
 * The alert function of ingestion mode `kinesis`: a Kinesis event source
 * mapping (with `ReportBatchItemFailures`) hands it batches of CloudWatch Logs
 * subscription records; each is processed as in the direct path
 * (src/aws/kinesis-processor.ts) and the partial batch response names the
 * records that failed. Poison records go to the dead-letter queue with their
 * reason and their stream coordinates.
 */
import type { Context, KinesisStreamBatchResponse } from 'aws-lambda';
import { poisonRecord, sendPoisonRecord } from '../src/aws/dead-letter-queue.ts';
import { processKinesisEvent } from '../src/aws/kinesis-processor.ts';
import { type HandlerDeps, processorDepsOf, productionDeps } from './subscription.ts';

/** Builds the Kinesis handler from the same collaborators as the direct one. */
export function createKinesisHandler(deps: HandlerDeps) {
  const { environment, logger, metrics } = deps;
  const shared = processorDepsOf(deps);
  return async (event: unknown, context?: Context): Promise<KinesisStreamBatchResponse> => {
    logger.resetKeys();
    if (context !== undefined) logger.addContext(context);
    try {
      const outcome = await processKinesisEvent(event, {
        ...shared,
        onPoison: (payload, record, error) =>
          sendPoisonRecord(
            deps.sqs,
            environment.deadLetterQueueUrl,
            poisonRecord(payload, error.reason, error.detail, {
              kinesis: record,
              ...(context === undefined ? {} : { requestId: context.awsRequestId }),
            }),
          ),
      });
      const failed = outcome.response.batchItemFailures.length;
      if (failed > 0) logger.warn('records failed', { failed, records: outcome.records.length });
      return outcome.response;
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

let configured: ReturnType<typeof createKinesisHandler> | undefined;

/** The Lambda entry point of ingestion mode `kinesis` (`lambda/kinesis.handler`). */
export const handler = async (
  event: unknown,
  context?: Context,
): Promise<KinesisStreamBatchResponse> => {
  configured ??= createKinesisHandler(productionDeps());
  return await configured(event, context);
};
