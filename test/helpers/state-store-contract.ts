/**
 * The behaviour every `StateStore` must have. Call `describeStateStoreContract`
 * from a test file with a factory for the store under test.
 */
import { describe, expect, it } from 'vitest';
import { StateConflictError, type StateStore } from '../../src/model.ts';

/** A store plus a way to move its clock (epoch ms) for expiry tests. */
export interface StoreUnderTest {
  readonly store: StateStore;
  /** Sets the store's notion of "now"; stores without a clock may ignore it. */
  setNow(epochMs: number): void;
}

export function describeStateStoreContract(
  name: string,
  create: () => Promise<StoreUnderTest> | StoreUnderTest,
): void {
  describe(`StateStore contract: ${name}`, () => {
    it('creates a key at version 1 and increments on each write', async () => {
      const { store } = await create();
      await store.put({ key: 'k', value: { n: 1 }, expectedVersion: 0 });
      expect(await store.get('k')).toMatchObject({ value: { n: 1 }, version: 1 });
      await store.put({ key: 'k', value: { n: 2 }, expectedVersion: 1 });
      expect(await store.get('k')).toMatchObject({ value: { n: 2 }, version: 2 });
    });

    it('rejects a write whose expected version is stale, naming the key', async () => {
      const { store } = await create();
      await store.put({ key: 'k', value: 'a', expectedVersion: 0 });
      const stale = store.put({ key: 'k', value: 'b', expectedVersion: 0 });
      await expect(stale).rejects.toBeInstanceOf(StateConflictError);
      await expect(stale).rejects.toMatchObject({ keys: ['k'] });
      expect((await store.get('k'))?.value).toBe('a');
    });

    it('applies putMany all or nothing', async () => {
      const { store } = await create();
      await store.put({ key: 'a', value: 1, expectedVersion: 0 });
      await expect(
        store.putMany([
          { key: 'a', value: 2, expectedVersion: 1 },
          { key: 'b', value: 2, expectedVersion: 5 },
        ]),
      ).rejects.toMatchObject({ keys: ['b'] });
      expect((await store.get('a'))?.value).toBe(1);
      expect(await store.get('b')).toBeUndefined();
    });

    it('reads many keys at once and omits absent ones', async () => {
      const { store } = await create();
      await store.putMany([
        { key: 'x', value: 'X', expectedVersion: 0 },
        { key: 'y', value: 'Y', expectedVersion: 0 },
      ]);
      const found = await store.getMany(['x', 'y', 'z']);
      expect([...found.keys()].sort()).toEqual(['x', 'y']);
      expect(found.get('y')).toMatchObject({ value: 'Y', version: 1 });
    });

    it('deletes with a null value', async () => {
      const { store } = await create();
      await store.put({ key: 'd', value: 'v', expectedVersion: 0 });
      await store.put({ key: 'd', value: null, expectedVersion: 1 });
      expect(await store.get('d')).toBeUndefined();
    });

    it('treats entries past their expiry as absent', async () => {
      const { store, setNow } = await create();
      setNow(1_000_000);
      await store.put({ key: 'e', value: 'v', expectedVersion: 0, expiresAt: 2_000_000 });
      expect(await store.get('e')).toBeDefined();
      setNow(2_000_001);
      expect(await store.get('e')).toBeUndefined();
      await store.put({ key: 'e', value: 'w', expectedVersion: 0 });
      expect((await store.get('e'))?.value).toBe('w');
    });
  });
}
