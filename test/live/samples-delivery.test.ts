/**
 * Every sample, delivered the way a live log group is: one line per delivery
 * in time order gives exactly the alerts of one replay, by id; shuffled, none
 * is lost and none doubled.
 */
import { describe, expect, it } from 'vitest';
import {
  batchesOf,
  compare,
  cut,
  deliverAll,
  inTimeOrder,
  replayOnce,
  shuffled,
} from '../helpers/deliver.ts';

const SAMPLES = ['samples/aws-s2s', 'samples/openvpn', 'samples/softether'];
const HOUR = 3_600_000;

describe.each(SAMPLES)('%s delivered live', (dir) => {
  it('one line per delivery, in time order: the replay alerts, by id', async () => {
    const batches = await batchesOf([dir], 'Asia/Tokyo');
    const reference = await replayOnce(batches);
    const live = await deliverAll(inTimeOrder(cut(batches, [1])));
    expect(reference.length).toBeGreaterThan(0);
    expect(live.map((a) => a.id).sort()).toEqual(reference.map((a) => a.id).sort());
  });

  it.each([1, 2, 3])(
    'shuffled one-line deliveries (seed %i): none lost, none doubled',
    async (seed) => {
      const batches = await batchesOf([dir], 'Asia/Tokyo');
      const reference = await replayOnce(batches);
      const live = await deliverAll(shuffled(cut(batches, [1]), seed));
      const { lost, doubled, reopened } = compare(reference, live, HOUR);
      expect({
        lost: lost.map((a) => a.subject),
        doubled,
        reopened: reopened.map((a) => a.subject),
      }).toEqual({
        lost: [],
        doubled: [],
        reopened: [],
      });
    },
  );
});
