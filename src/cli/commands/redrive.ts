/**
 * `tunnelwatch redrive`: replays the subscription Lambda's dead-letter queue
 * (docs/lambda.md). Uses the Lambda's environment variables for the table,
 * topic and rules, and `AWS_REGION` / `AWS_ENDPOINT_URL` for the clients.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { renderForSns, safeJson } from '../../alerts/index.ts';
import { DynamoDbStateStore } from '../../aws/dynamodb-state-store.ts';
import {
  awsClientOptions,
  EnvironmentError,
  readSubscriptionEnvironment,
} from '../../aws/environment.ts';
import { kinesisClient, readKinesisBatch } from '../../aws/kinesis-stream.ts';
import { type RedriveReport, type ReplayResult, redriveDeadLetters } from '../../aws/redrive.ts';
import { SnsAlertSink } from '../../aws/sns-alert-sink.ts';
import {
  type ProcessorLogger,
  processSubscriptionEvent,
} from '../../aws/subscription-processor.ts';
import type { SourceDefinition } from '../../model.ts';
import { UsageError } from '../errors.ts';
import type { CommandIO } from './io.ts';

export const REDRIVE_USAGE = `usage: tunnelwatch redrive [--queue-url URL] [--max N] [--dry-run]
  --queue-url URL  the dead-letter queue (default: $DEAD_LETTER_QUEUE_URL)
  --max N          handle at most N messages (default 100)
  --dry-run        read and classify only; replay and delete nothing
environment: STATE_TABLE_NAME, ALERT_TOPIC_ARN, LOG_GROUP_SOURCES, RULES_CONFIG as for the Lambda;
             AWS_REGION, AWS_ENDPOINT_URL (e.g. the local emulator)
a Kinesis on-failure record's batch is read back from its stream (while the stream retains it)`;

/** Runs `redrive`; exit 0 when every message read was replayed, 1 when some stay on the queue. */
export async function redriveCommand(
  argv: readonly string[],
  io: CommandIO,
  env: Readonly<Record<string, string | undefined>> = process.env,
  /** @default - the registry's sources; tests pass their own. */
  sources?: readonly SourceDefinition[],
): Promise<number> {
  let values: { 'queue-url'?: string; max?: string; 'dry-run'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'queue-url': { type: 'string' },
        max: { type: 'string', default: '100' },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    io.out(REDRIVE_USAGE);
    return 0;
  }
  const max = Number(values.max);
  if (!Number.isInteger(max) || max < 1) {
    throw new UsageError(`--max: expected a positive integer, got "${values.max}"`);
  }
  const queueUrl = values['queue-url'] ?? env.DEAD_LETTER_QUEUE_URL ?? '';
  if (queueUrl === '')
    throw new UsageError('--queue-url: not given and DEAD_LETTER_QUEUE_URL is not set');
  const dryRun = values['dry-run'] === true;
  const clientOptions = awsClientOptions(env);
  const sqs = new SQSClient(clientOptions);
  const kinesis = kinesisClient(clientOptions);
  let replay: (event: unknown) => Promise<ReplayResult> = async () => ({
    status: 'failed',
    why: 'dry run',
  });
  if (!dryRun) {
    let environment: ReturnType<typeof readSubscriptionEnvironment>;
    try {
      environment = readSubscriptionEnvironment({ ...env, DEAD_LETTER_QUEUE_URL: queueUrl });
    } catch (error) {
      if (error instanceof EnvironmentError) throw new UsageError(error.message);
      throw error;
    }
    const store = new DynamoDbStateStore({
      client: new DynamoDBClient(clientOptions),
      tableName: environment.tableName,
    });
    const sink = new SnsAlertSink({
      client: new SNSClient(clientOptions),
      topicArn: environment.topicArn,
      render: renderForSns,
    });
    const logger = stderrLogger(io);
    replay = async (event) => {
      const outcome = await processSubscriptionEvent(event, {
        store,
        sink,
        config: environment.config,
        logGroupSources: environment.logGroupSources,
        logger,
        count: () => {},
        onPoison: async () => {},
        ...(sources === undefined ? {} : { sources }),
        // As the Lambda: another account's stream keeps its own state.
        ...(environment.account === undefined ? {} : { account: environment.account }),
      });
      if (outcome.kind === 'poison') return { status: 'poison', why: outcome.error.message };
      if (outcome.kind === 'processed' && outcome.delivery.failed.length > 0) {
        return {
          status: 'failed',
          why: `${outcome.delivery.failed.length} alert(s) not published`,
        };
      }
      return { status: 'replayed' };
    };
  }
  let report: RedriveReport;
  try {
    report = await redriveDeadLetters({
      sqs,
      queueUrl,
      max,
      dryRun,
      replay,
      readKinesisBatch: (batch) => readKinesisBatch(kinesis, batch),
      onKept: (messageId, why) => io.err(`tunnelwatch redrive: kept ${messageId}: ${why}`),
    });
  } catch (error) {
    // The queue itself failed (missing, denied, unreachable): one line, not a stack.
    if (!(error instanceof Error)) throw error;
    io.err(`tunnelwatch redrive: ${queueUrl}: ${error.name}: ${error.message}`);
    return 1;
  }
  io.out(formatReport(report, dryRun));
  const left = report.failed + report.poison + report.truncated + report.unrecognised;
  return dryRun || left === 0 ? 0 : 1;
}

/** One line of counts, e.g. `received 3, replayed 2, deleted 2, failed 0, poison 1, …`. */
export function formatReport(report: RedriveReport, dryRun: boolean): string {
  const entries = Object.entries(report).filter(([name]) => dryRun || name !== 'wouldReplay');
  return `${dryRun ? 'dry run: ' : ''}${entries.map(([name, value]) => `${name} ${value}`).join(', ')}`;
}

function stderrLogger(io: CommandIO): ProcessorLogger {
  // Our level and message come last: a field of the same name cannot replace them.
  const line = (level: string, message: string, extra: Record<string, unknown>[]) =>
    io.err(safeJson({ ...Object.assign({}, ...extra), level, message }));
  return {
    info: () => {},
    warn: (message, ...extra) => line('WARN', message, extra),
    error: (message, ...extra) => line('ERROR', message, extra),
    appendKeys: () => {},
  };
}
