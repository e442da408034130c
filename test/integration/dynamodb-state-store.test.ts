import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbStateStore } from '../../src/aws/dynamodb-state-store.ts';
import { describeStateStoreContract } from '../helpers/state-store-contract.ts';
import { createStateTable } from './aws-fixtures.ts';
import { type Emulator, startEmulator } from './emulator.ts';

let emulator: Emulator;
let client: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  emulator = await startEmulator();
  client = new DynamoDBClient(emulator.clientConfig);
});
afterAll(async () => {
  client?.destroy();
  await emulator?.stop();
});

async function freshStore(): Promise<{ store: DynamoDbStateStore; setNow(ms: number): void }> {
  const tableName = `state-${++tables}`;
  await createStateTable(client, tableName);
  let now = 1_700_000_000_000;
  const store = new DynamoDbStateStore({ client, tableName, now: () => now });
  return { store, setNow: (ms) => (now = ms) };
}

describeStateStoreContract('DynamoDbStateStore on moto', freshStore);

describe('DynamoDbStateStore on moto', () => {
  it('reads 250 keys with 3 BatchGetItem calls', async () => {
    const { store } = await freshStore();
    const keys = Array.from({ length: 250 }, (_, i) => `key-${i}`);
    await store.putMany(keys.slice(0, 120).map((key) => ({ key, value: key, expectedVersion: 0 })));
    store.resetCallCounts();

    const found = await store.getMany(keys);

    expect(found.size).toBe(120);
    expect(found.get('key-119')).toMatchObject({ value: 'key-119', version: 1 });
    expect(store.calls).toEqual({ BatchGetItem: 3 });
  });

  it('commits 150 writes in two transactions', async () => {
    const { store } = await freshStore();
    const writes = Array.from({ length: 150 }, (_, i) => ({
      key: `w-${i}`,
      value: i,
      expectedVersion: 0,
    }));

    await store.putMany(writes);

    expect(store.calls).toEqual({ TransactWriteItems: 2 });
    expect((await store.getMany(writes.map((write) => write.key))).size).toBe(150);
  });

  it('names the conflicting keys of a cancelled transaction', async () => {
    const { store } = await freshStore();
    await store.putMany([
      { key: 'a', value: 1, expectedVersion: 0 },
      { key: 'b', value: 1, expectedVersion: 0 },
    ]);

    const stale = store.putMany([
      { key: 'a', value: 2, expectedVersion: 1 },
      { key: 'b', value: 2, expectedVersion: 0 },
      { key: 'c', value: 2, expectedVersion: 0 },
    ]);

    await expect(stale).rejects.toMatchObject({ name: 'StateConflictError', keys: ['b'] });
    expect((await store.get('a'))?.value).toBe(1);
  });

  it('stores expiresAt in epoch seconds and treats an expired item not yet deleted by TTL as absent', async () => {
    const { store, setNow } = await freshStore();
    await client.send(
      new PutItemCommand({
        TableName: `state-${tables}`,
        Item: {
          pk: { S: 'old' },
          value: { S: '"x"' },
          version: { N: '4' },
          expiresAt: { N: '1700000000' },
        },
      }),
    );
    setNow(1_700_000_000_001);

    expect(await store.get('old')).toBeUndefined();
    await store.put({ key: 'old', value: 'y', expectedVersion: 0, expiresAt: 1_700_000_500_500 });

    expect(await store.get('old')).toEqual({
      value: 'y',
      version: 1,
      expiresAt: 1_700_000_501_000,
    });
  });
});
