import { describe, expect, it } from 'vitest';
import {
  type AlertSink,
  assertDelivered,
  deliverBatch,
  type OutboxPart,
  outboxKeyOf,
  PublishFailedError,
  type PublishOutcome,
} from '../src/delivery.ts';
import type { Alert, StateWrite } from '../src/model.ts';
import { MemoryStateStore } from '../src/state/memory-state-store.ts';

function alert(id: string, evidenceBytes = 10): Alert {
  return {
    id,
    rule: 'tunnel.down',
    status: 'opened',
    category: 'dpd.timeout',
    severity: 'critical',
    source: 'aws-s2s',
    key: 'aws-s2s:tunnel:vpn-0abc:203.0.113.10',
    subject: `tunnel down ${id}`,
    time: 1_762_580_429_000,
    summary: 'The tunnel went down.',
    evidence: ['x'.repeat(evidenceBytes)],
    remediation: 'Check the customer gateway.',
    about: { vpnConnectionId: 'vpn-0abc', tunnelIp: '203.0.113.10' },
    eventId: `event-${id}`,
  };
}

/** A sink that records what it published and fails the ids in `failing`. */
class RecordingSink implements AlertSink {
  readonly published: string[] = [];
  failing = new Set<string>();
  async publish(alerts: readonly Alert[]): Promise<PublishOutcome> {
    const ok = alerts.filter((a) => !this.failing.has(a.id)).map((a) => a.id);
    this.published.push(...ok);
    return {
      published: ok,
      failed: alerts
        .filter((a) => this.failing.has(a.id))
        .map((a) => ({
          alertId: a.id,
          code: 'InternalError',
          message: 'boom',
          senderFault: false,
        })),
    };
  }
}

/**
 * Stands in for runPipeline: emits `alerts` the first time, records the batch
 * as processed, and commits state + extraWrites in one putMany, as the
 * contract says.
 */
function fakePipeline(store: MemoryStateStore, alerts: readonly Alert[]) {
  let runs = 0;
  const run = async (extraWrites: (alerts: readonly Alert[]) => readonly StateWrite[]) => {
    runs++;
    const seen = await store.get<boolean>('processed:batch');
    const emitted = seen === undefined ? alerts : [];
    const writes: StateWrite[] =
      seen === undefined ? [{ key: 'processed:batch', value: true, expectedVersion: 0 }] : [];
    await store.putMany([...writes, ...extraWrites(emitted)]);
    return { alerts: emitted };
  };
  return { run, runs: () => runs };
}

const outboxKey = outboxKeyOf(['/g', 'stream', 'e1', 'e2']);

describe('deliverBatch', () => {
  it('claims, publishes and marks sent, leaving a marker without alert bodies', async () => {
    const store = new MemoryStateStore();
    const sink = new RecordingSink();
    const pipeline = fakePipeline(store, [alert('a'), alert('b')]);

    const result = await deliverBatch({ store, sink, outboxKey, run: pipeline.run });

    expect(sink.published).toEqual(['a', 'b']);
    expect(result).toMatchObject({ replayed: false, failed: [] });
    expect((await store.get<OutboxPart>(outboxKey))?.value).toEqual({
      alerts: [],
      sent: ['a', 'b'],
      parts: 1,
    });
  });

  it('publishes nothing on a retry of a fully delivered payload', async () => {
    const store = new MemoryStateStore();
    const sink = new RecordingSink();
    const pipeline = fakePipeline(store, [alert('a')]);
    await deliverBatch({ store, sink, outboxKey, run: pipeline.run });

    const retry = await deliverBatch({ store, sink, outboxKey, run: pipeline.run });

    expect(retry).toMatchObject({ replayed: true, attempted: [] });
    expect(sink.published).toEqual(['a']);
    expect(pipeline.runs()).toBe(1);
  });

  it('writes no outbox entry when the batch raises no alert', async () => {
    const store = new MemoryStateStore();
    const pipeline = fakePipeline(store, []);

    await deliverBatch({ store, sink: new RecordingSink(), outboxKey, run: pipeline.run });

    expect(store.keys()).toEqual(['processed:batch']);
  });

  it('publishes, on the retry, exactly the alerts a failed publish left unsent', async () => {
    const store = new MemoryStateStore();
    const sink = new RecordingSink();
    sink.failing = new Set(['b']);
    const pipeline = fakePipeline(store, [alert('a'), alert('b'), alert('c')]);

    const first = await deliverBatch({ store, sink, outboxKey, run: pipeline.run });
    expect(() => assertDelivered(first)).toThrow(PublishFailedError);
    sink.failing = new Set();
    const retry = await deliverBatch({ store, sink, outboxKey, run: pipeline.run });

    expect(sink.published).toEqual(['a', 'c', 'b']);
    expect(retry.published.map((a) => a.id)).toEqual(['b']);
    expect(() => assertDelivered(retry)).not.toThrow();
  });

  it('publishes once when the invocation dies between claim and publish', async () => {
    const store = new MemoryStateStore();
    const pipeline = fakePipeline(store, [alert('a')]);
    const crashing: AlertSink = {
      publish: () => Promise.reject(new Error('Lambda timed out')),
    };
    await expect(
      deliverBatch({ store, sink: crashing, outboxKey, run: pipeline.run }),
    ).rejects.toThrow();
    const sink = new RecordingSink();

    await deliverBatch({ store, sink, outboxKey, run: pipeline.run });

    expect(sink.published).toEqual(['a']);
  });

  it('publishes at most once more when the invocation dies between publish and mark sent', async () => {
    const store = new MemoryStateStore();
    const sink = new RecordingSink();
    const pipeline = fakePipeline(store, [alert('a')]);
    const original = store.putMany.bind(store);
    let writes = 0;
    store.putMany = async (batch) => {
      if (++writes === 2) throw new Error('Lambda timed out');
      await original(batch);
    };
    await expect(deliverBatch({ store, sink, outboxKey, run: pipeline.run })).rejects.toThrow();

    await deliverBatch({ store, sink, outboxKey, run: pipeline.run });
    await deliverBatch({ store, sink, outboxKey, run: pipeline.run });

    expect(sink.published).toEqual(['a', 'a']);
  });

  it('splits a large claim into outbox parts and replays them all', async () => {
    const store = new MemoryStateStore();
    const alerts = ['a', 'b', 'c', 'd'].map((id) => alert(id, 120_000));
    const pipeline = fakePipeline(store, alerts);
    const crashing: AlertSink = { publish: () => Promise.reject(new Error('crash')) };
    await expect(
      deliverBatch({ store, sink: crashing, outboxKey, run: pipeline.run }),
    ).rejects.toThrow();
    expect(store.keys().filter((key) => key.startsWith(outboxKey))).toHaveLength(2);
    const sink = new RecordingSink();

    await deliverBatch({ store, sink, outboxKey, run: pipeline.run });

    expect(sink.published).toEqual(['a', 'b', 'c', 'd']);
    expect(store.keys().filter((key) => key.startsWith(outboxKey))).toEqual([outboxKey]);
  });

  it('merges marks when a concurrent retry marked the same outbox first', async () => {
    const store = new MemoryStateStore();
    const sink = new RecordingSink();
    sink.failing = new Set(['a', 'b']);
    const pipeline = fakePipeline(store, [alert('a'), alert('b')]);
    await deliverBatch({ store, sink, outboxKey, run: pipeline.run });
    sink.failing = new Set(['b']);
    const slowSink: AlertSink = {
      publish: async (alerts) => {
        // another retry publishes 'b' and marks it while this one publishes 'a'
        const other = new RecordingSink();
        other.failing = new Set(['a']);
        await deliverBatch({ store, sink: other, outboxKey, run: pipeline.run });
        return { published: alerts.filter((a) => a.id === 'a').map((a) => a.id), failed: [] };
      },
    };

    await deliverBatch({ store, sink: slowSink, outboxKey, run: pipeline.run });

    const marker = (await store.get<OutboxPart>(outboxKey))?.value;
    expect(marker).toMatchObject({ alerts: [], parts: 1 });
    expect([...(marker?.sent ?? [])].sort()).toEqual(['a', 'b']);
  });

  it('derives the outbox key from the batch identity', () => {
    expect(outboxKeyOf(['g', 's', 'e1'])).toMatch(/^outbox:[0-9a-f]{64}$/);
    expect(outboxKeyOf(['g', 's', 'e1'])).not.toBe(outboxKeyOf(['g', 's', 'e2']));
    expect(outboxKeyOf(['g', 's1', 'e'])).not.toBe(outboxKeyOf(['g', 's', '1e']));
  });
});
