import { expect, it } from 'vitest';
import { MemoryStateStore } from '../../src/state/memory-state-store.ts';
import { describeStateStoreContract } from '../helpers/state-store-contract.ts';

describeStateStoreContract('MemoryStateStore', () => {
  let now = 0;
  const store = new MemoryStateStore(() => now);
  return {
    store,
    setNow: (value) => {
      now = value;
    },
  };
});

it('MemoryStateStore purges expired entries from its size', async () => {
  let now = 0;
  const store = new MemoryStateStore(() => now);
  await store.put({ key: 'a', value: 1, expectedVersion: 0, expiresAt: 10 });
  await store.put({ key: 'b', value: 1, expectedVersion: 0 });
  now = 11;
  expect(store.size).toBe(1);
  expect(store.keys()).toEqual(['b']);
});
