/**
 * The delivery guarantee as properties over the scenario logs (the samples:
 * a multi-tunnel aws-s2s log with BGP, an OpenVPN gateway, a SoftEther
 * server): however a live log group cuts, repeats, reorders and overlaps its
 * deliveries, no alert is lost and none doubled; in time order, the alerts
 * are exactly those of one replay, by id.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StreamBatch } from '../../src/pipeline.ts';
import {
  batchesOf,
  compare,
  cut,
  cutInOrder,
  type Delivery,
  deliverAll,
  deliverConcurrently,
  replayOnce,
  shuffled,
} from '../helpers/deliver.ts';

const HOUR = 3_600_000;
const SCENARIOS = ['samples/aws-s2s', 'samples/openvpn', 'samples/softether'];

/** Each delivery may start a few lines early (overlapping the one before it). */
function overlapped(
  deliveries: readonly Delivery[],
  batches: readonly StreamBatch[],
  back: readonly number[],
) {
  return deliveries.map((delivery, index) => {
    const extra = back[index % back.length] ?? 0;
    const whole = batches[delivery.order[0]] as StreamBatch;
    const first = whole.lines.indexOf(delivery.batch.lines[0] as never);
    const from = Math.max(0, first - extra);
    return {
      ...delivery,
      batch: {
        ...delivery.batch,
        lines: whole.lines.slice(from, first + delivery.batch.lines.length),
      },
    };
  });
}

describe.each(SCENARIOS)('%s', (dir) => {
  it('in time order, any cut, overlaps and repeats: exactly the replay alerts', async () => {
    const batches = await batchesOf([dir], 'Asia/Tokyo');
    const reference = (await replayOnce(batches)).map((a) => a.id).sort();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 8 }),
        async (sizes, back, repeats) => {
          const ordered = overlapped(cutInOrder(batches, sizes), batches, back);
          const withRepeats = ordered.flatMap((delivery, index) =>
            Array.from({ length: 1 + (repeats[index % repeats.length] ?? 0) }, () => delivery),
          );
          const live = await deliverAll(withRepeats);
          expect(live.map((a) => a.id).sort()).toEqual(reference);
        },
      ),
      { numRuns: 8 },
    );
  }, 180_000);

  it('in any order, repeated, concurrently: none lost, none doubled, none reopened', async () => {
    const batches = await batchesOf([dir], 'Asia/Tokyo');
    const reference = await replayOnce(batches);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 8 }),
        fc.boolean(),
        async (sizes, seed, concurrency, repeat) => {
          const deliveries = cut(batches, sizes);
          const all = shuffled(
            repeat ? [...deliveries, ...deliveries.slice(0, 5)] : deliveries,
            seed,
          );
          const live = await deliverConcurrently(all, concurrency);
          const { lost, doubled, reopened } = compare(reference, live, HOUR);
          expect({
            lost: lost.map((a) => a.subject),
            doubled,
            reopened: reopened.map((a) => a.subject),
          }).toEqual({ lost: [], doubled: [], reopened: [] });
        },
      ),
      { numRuns: 12 },
    );
  }, 180_000);
});
