import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type KinesisProcessorDeps,
  NotKinesisEventError,
  processKinesisEvent,
} from '../../src/aws/kinesis-processor.ts';
import type { Alert } from '../../src/model.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';
import { MemoryStateStore } from '../../src/state/memory-state-store.ts';
import {
  encodeAwslogs,
  logEventId,
  logEventsOf,
  subscriptionData,
  subscriptionEvent,
} from '../helpers/subscription-payload.ts';
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

/** Two source accounts whose log groups and streams have the same names. */
const OWNERS = ['111111111111', '222222222222'] as const;
/** The account the alert function runs in. */
const MONITORING_ACCOUNT = '999999999999';

/** One synthetic line of a source account's stream. */
interface AccountLine {
  readonly category: 'auth.failed' | 'cert.expired' | 'auth.succeeded';
  readonly client: number;
  /** Minutes after the account's start. */
  readonly minute: number;
}

const accountLine = fc.record({
  category: fc.constantFrom('auth.failed', 'cert.expired', 'auth.succeeded' as const),
  client: fc.integer({ min: 0, max: 2 }),
  minute: fc.integer({ min: 0, max: 30 }),
});

/**
 * An account's lines as Kinesis record payloads (`perRecord` log events each),
 * in time order, with event ids of its own (CloudWatch's ids differ between
 * log groups).
 */
function accountRecords(
  owner: string,
  lines: readonly AccountLine[],
  startMs: number,
  perRecord: number,
): string[] {
  const sorted = [...lines].sort((a, b) => a.minute - b.minute);
  const events = sorted.map((line, n) => {
    const timestamp = startMs + line.minute * 60_000;
    return {
      id: `${owner}${logEventId(timestamp, n)}`,
      timestamp,
      message: JSON.stringify({
        t: new Date(timestamp).toISOString(),
        c: line.category,
        f: { clientIp: `198.51.100.${line.client}`, user: `user${line.client}` },
      }),
    };
  });
  const records: string[] = [];
  for (let at = 0; at < events.length; at += perRecord) {
    const data = subscriptionData(events.slice(at, at + perRecord), {
      owner,
      logGroup: '/vpn/openvpn',
      logStream: 'server',
    });
    records.push(encodeAwslogs(data).awslogs.data);
  }
  return records;
}

/** When the accounts' logs start. */
const LOG_START_MS = Date.parse('2026-03-01T00:00:00Z');
/** The clock of the runs: the logs' days (else the store forgets what it holds). */
const clock = () => LOG_START_MS + 4 * 24 * 3_600_000;

/** Runs Kinesis events of `[owner, data]` records through one store; the published alerts. */
async function publishedAlerts(events: readonly (readonly (readonly [string, string])[])[]) {
  const published: Alert[] = [];
  const processorDeps = deps({
    account: MONITORING_ACCOUNT,
    store: new MemoryStateStore(clock),
    now: clock,
    sink: {
      publish: async (alerts) => {
        published.push(...alerts);
        return { published: alerts.map((a) => a.id), failed: [] };
      },
    },
  });
  let sequence = 0;
  for (const event of events) {
    const records = event.map(([, data]) => record(String(++sequence), data));
    const outcome = await processKinesisEvent({ Records: records }, processorDeps);
    expect(outcome.response.batchItemFailures).toEqual([]);
  }
  return published;
}

describe('processKinesisEvent with several source accounts', () => {
  it("gives each account the alerts of its own records, however the accounts' records interleave", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(
          fc.array(accountLine, { minLength: 1, maxLength: 25 }),
          fc.array(accountLine, { minLength: 1, maxLength: 25 }),
        ),
        // The second account's log starts with the first one's (the same
        // users and addresses at the same time: shared counts and cooldowns),
        // or up to 3 days later (past the lateness bound of a shared stream).
        fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 72 })),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
        fc.integer({ min: 1, max: 6 }),
        async ([linesA, linesB], hoursApart, perRecord, takeFirst, perEvent) => {
          const start = LOG_START_MS;
          const first = accountRecords(OWNERS[0], linesA, start, perRecord);
          const second = accountRecords(
            OWNERS[1],
            linesB,
            start + hoursApart * 3_600_000,
            perRecord,
          );
          // The shard's order: the accounts' records interleaved, each account's in order.
          const shard: (readonly [string, string])[] = [];
          for (let turn = 0; first.length + second.length > 0; turn++) {
            const fromFirst = second.length === 0 || (first.length > 0 && takeFirst[turn % 60]);
            shard.push(
              fromFirst
                ? [OWNERS[0], first.shift() as string]
                : [OWNERS[1], second.shift() as string],
            );
          }
          const events: (readonly [string, string])[][] = [];
          for (let at = 0; at < shard.length; at += perEvent) {
            events.push(shard.slice(at, at + perEvent));
          }

          const together = await publishedAlerts(events);

          const byId = (a: Alert, b: Alert) => a.id.localeCompare(b.id);
          let total = 0;
          for (const owner of OWNERS) {
            const alone = await publishedAlerts(
              events.map((event) => event.filter(([from]) => from === owner)),
            );
            total += alone.length;
            expect(alone.every((alert) => alert.account === owner)).toBe(true);
            expect(together.filter((alert) => alert.account === owner).sort(byId)).toEqual(
              [...alone].sort(byId),
            );
          }
          expect(together).toHaveLength(total);
        },
      ),
      { numRuns: 60 },
    );
  });
});
