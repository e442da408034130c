import { describe, expect, it } from 'vitest';
import {
  type KinesisProcessorDeps,
  NotKinesisEventError,
  processKinesisEvent,
} from '../../src/aws/kinesis-processor.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';
import { MemoryStateStore } from '../../src/state/memory-state-store.ts';
import { logEventsOf, subscriptionEvent } from '../helpers/subscription-payload.ts';
import { SYNTHETIC_SOURCES } from '../helpers/synthetic-source.ts';

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/tunnelwatch';

function deps(overrides: Partial<KinesisProcessorDeps> = {}): KinesisProcessorDeps {
  return {
    store: new MemoryStateStore(),
    sink: { publish: async (alerts) => ({ published: alerts.map((a) => a.id), failed: [] }) },
    config: DEFAULT_RULES_CONFIG,
    logGroupSources: [],
    logger: { info() {}, warn() {}, error() {}, appendKeys() {} },
    count: () => {},
    onPoison: async () => {},
    sources: SYNTHETIC_SOURCES,
    ...overrides,
  };
}

const record = (sequenceNumber: string, data: unknown) => ({
  eventID: `shardId-000000000002:${sequenceNumber}`,
  eventSourceARN: STREAM_ARN,
  kinesis: { sequenceNumber, partitionKey: 'pk', data },
});

const good = subscriptionEvent(logEventsOf(['x'])).awslogs.data;

describe('processKinesisEvent', () => {
  it('refuses an event without a Records array', async () => {
    await expect(processKinesisEvent({ awslogs: { data: good } }, deps())).rejects.toBeInstanceOf(
      NotKinesisEventError,
    );
  });

  it('dead-letters a record without data, naming its shard and sequence number', async () => {
    const poisoned: unknown[] = [];
    const outcome = await processKinesisEvent(
      { Records: [record('1', 42), record('2', good)] },
      deps({ onPoison: async (...args) => void poisoned.push(args) }),
    );

    expect(outcome.response.batchItemFailures).toEqual([]);
    expect(outcome.records.map((r) => r.kind)).toEqual(['poison', 'processed']);
    expect(poisoned).toEqual([
      [
        { awslogs: { data: '' } },
        {
          eventSourceARN: STREAM_ARN,
          shardId: 'shardId-000000000002',
          sequenceNumber: '1',
          partitionKey: 'pk',
        },
        expect.objectContaining({ reason: 'not-awslogs-event' }),
      ],
    ]);
  });

  it('reports a poison record failed when the dead-letter queue refuses it', async () => {
    const outcome = await processKinesisEvent(
      { Records: [record('7', 'bm90IGd6aXA=')] },
      deps({
        onPoison: async () => {
          throw new Error('AccessDenied');
        },
      }),
    );

    expect(outcome.response.batchItemFailures).toEqual([{ itemIdentifier: '7' }]);
  });

  it('reports every record of the log streams whose store write fails', async () => {
    const store = new MemoryStateStore();
    store.putMany = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    const line = JSON.stringify({ t: '2026-01-01T00:00:00Z', c: 'cert.expired', f: { user: 'u' } });
    const data = subscriptionEvent(logEventsOf([line])).awslogs.data;
    const other = subscriptionEvent(logEventsOf([line]), { logStream: 'other' }).awslogs.data;

    const outcome = await processKinesisEvent(
      { Records: [record('1', data), record('2', other), record('3', data)] },
      deps({ store }),
    );

    expect(outcome.response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(outcome.records[2]).toMatchObject({
      kind: 'failed',
      why: expect.stringContaining('ProvisionedThroughputExceededException'),
    });
  });
});
