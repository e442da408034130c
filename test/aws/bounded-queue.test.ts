import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../../src/aws/bounded-queue.ts';

describe('BoundedQueue', () => {
  it('makes the producer wait while full and loses nothing', async () => {
    // Prepare
    const queue = new BoundedQueue<number>(2);
    let pushed = 0;
    let maxWaiting = 0;
    const producer = (async () => {
      for (let i = 0; i < 50; i++) {
        await queue.push(i);
        pushed++;
        maxWaiting = Math.max(maxWaiting, queue.length);
      }
      queue.close();
    })();
    // Act: a slow consumer.
    const received: number[] = [];
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const item = await queue.shift();
      if (item === undefined) break;
      received.push(item);
      expect(pushed - received.length).toBeLessThanOrEqual(2);
    }
    await producer;
    // Assess
    expect(received).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(maxWaiting).toBe(2);
  });

  it('wakes a waiting producer with the consumer error', async () => {
    const queue = new BoundedQueue<number>(1);
    await queue.push(1);
    const blocked = queue.push(2);
    queue.fail(new Error('network down'));
    await expect(blocked).rejects.toThrow('network down');
    expect(await queue.shift()).toBeUndefined();
  });
});
