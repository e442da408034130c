import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamBatch } from '../../src/pipeline.ts';
import { batchesOf, compare, cut, replayOnce, shuffled } from '../helpers/deliver.ts';
import { subscriptionEvent } from '../helpers/subscription-payload.ts';
import {
  type AwsFixture,
  createAwsFixture,
  drainAlerts,
  subscriptionHandlerOn,
} from './aws-fixtures.ts';
import { type Emulator, startEmulator } from './emulator.ts';

let emulator: Emulator;
let aws: AwsFixture;

beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  emulator = await startEmulator();
  aws = await createAwsFixture(emulator, 'live');
});
afterAll(async () => {
  await emulator?.stop();
});

const LOG_GROUP = '/aws/vendedlogs/vpn/tunnels';

/** The scenario with every record moved by `offsetMs` (its JSON times rewritten). */
function moved(batches: readonly StreamBatch[], offsetMs: number): StreamBatch[] {
  return batches.map((batch) => ({
    ...batch,
    lines: batch.lines.map((line) => {
      const record = JSON.parse(line.text) as Record<string, unknown>;
      const stamp = record['event_timestamp'];
      if (typeof stamp === 'number') {
        record['event_timestamp'] = stamp > 1e12 ? stamp + offsetMs : stamp + offsetMs / 1000;
      }
      const text = record['timestamp'];
      if (typeof text === 'string') {
        record['timestamp'] = new Date(Date.parse(text.replace(' ', 'T')) + offsetMs)
          .toISOString()
          .replace('T', ' ');
      }
      return { ...line, text: JSON.stringify(record) };
    }),
  }));
}

describe('live delivery on the emulator', () => {
  it('20 concurrent invocations of shuffled deliveries: every reference incident, none twice', async () => {
    const original = await batchesOf(['samples/aws-s2s']);
    const last = Math.max(
      ...original.flatMap((batch) =>
        batch.lines.map((line) => {
          const stamp = (JSON.parse(line.text) as { event_timestamp: number }).event_timestamp;
          return stamp > 1e12 ? stamp : stamp * 1000;
        }),
      ),
    );
    const batches = moved(original, Date.now() - 30 * 60_000 - last);
    const reference = await replayOnce(batches);
    expect(reference.length).toBeGreaterThan(10);

    const handler = subscriptionHandlerOn(aws, {
      logGroupSources: [{ prefix: '/aws/vendedlogs/', source: 'aws-s2s' }],
    });
    const deliveries = shuffled(cut(batches, [4]), 7).map((delivery) =>
      subscriptionEvent(
        delivery.batch.lines.map((line, n) => ({
          id: line.eventId as string,
          timestamp: Date.now() - 60_000 + n,
          message: line.text,
        })),
        { logGroup: LOG_GROUP, logStream: delivery.batch.stream },
      ),
    );
    let next = 0;
    const invoke = async () => {
      while (next < deliveries.length) {
        const event = deliveries[next++];
        for (let attempt = 0; ; attempt++) {
          try {
            await handler(event as never);
            break;
          } catch (error) {
            if (attempt >= 20) throw error;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, invoke));

    const published = await drainAlerts(aws);
    const { lost, doubled, reopened } = compare(reference, published, 3_600_000);
    expect({
      lost: lost.map((a) => a.subject),
      doubled,
      reopened: reopened.map((a) => a.subject),
    }).toEqual({ lost: [], doubled: [], reopened: [] });
  }, 240_000);
});
