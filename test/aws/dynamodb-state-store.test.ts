import {
  BatchGetItemCommand,
  DynamoDBClient,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  DynamoDbStateStore,
  PartialCommitConflictError,
  UnprocessedKeysError,
} from '../../src/aws/dynamodb-state-store.ts';
import { StateConflictError } from '../../src/model.ts';

const dynamodb = mockClient(DynamoDBClient);
const TABLE = 'state';

function store(): DynamoDbStateStore {
  return new DynamoDbStateStore({
    client: new DynamoDBClient({ region: 'us-east-1' }),
    tableName: TABLE,
    now: () => 1_700_000_000_000,
    sleep: async () => {},
  });
}

const item = (key: string) => ({ pk: { S: key }, value: { S: '1' }, version: { N: '1' } });
const cancelled = (codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

beforeEach(() => dynamodb.reset());

describe('DynamoDbStateStore (mocked DynamoDB)', () => {
  it('retries unprocessed keys of a throttled BatchGetItem', async () => {
    dynamodb
      .on(BatchGetItemCommand)
      .resolvesOnce({
        Responses: { [TABLE]: [item('a')] },
        UnprocessedKeys: { [TABLE]: { Keys: [{ pk: { S: 'b' } }] } },
      })
      .resolvesOnce({ Responses: { [TABLE]: [item('b')] } });
    const subject = store();

    const found = await subject.getMany(['a', 'b']);

    expect([...found.keys()]).toEqual(['a', 'b']);
    expect(dynamodb).toHaveReceivedNthCommandWith(BatchGetItemCommand, 2, {
      RequestItems: { [TABLE]: expect.objectContaining({ Keys: [{ pk: { S: 'b' } }] }) },
    });
    expect(subject.calls).toEqual({ BatchGetItem: 2 });
  });

  it('fails naming the keys DynamoDB never processed', async () => {
    dynamodb.on(BatchGetItemCommand).resolves({
      Responses: { [TABLE]: [] },
      UnprocessedKeys: { [TABLE]: { Keys: [{ pk: { S: 'stuck' } }] } },
    });

    await expect(store().getMany(['stuck'])).rejects.toEqual(new UnprocessedKeysError(['stuck']));
    expect(dynamodb).toHaveReceivedCommandTimes(BatchGetItemCommand, 5);
  });

  it.each([
    [['None', 'ConditionalCheckFailed'], ['b']],
    [['TransactionConflict', 'None'], ['a']],
  ])('maps cancellation reasons %j to a StateConflictError on %j', async (codes, keys) => {
    dynamodb.on(TransactWriteItemsCommand).rejects(cancelled(codes));

    const write = store().putMany([
      { key: 'a', value: 1, expectedVersion: 0 },
      { key: 'b', value: 1, expectedVersion: 3 },
    ]);

    await expect(write).rejects.toBeInstanceOf(StateConflictError);
    await expect(write).rejects.toMatchObject({ keys });
  });

  it('passes a throttled transaction through for the SDK caller to see', async () => {
    dynamodb.on(TransactWriteItemsCommand).rejects(cancelled(['ThrottlingError', 'None']));

    const write = store().putMany([
      { key: 'a', value: 1, expectedVersion: 0 },
      { key: 'b', value: 1, expectedVersion: 0 },
    ]);

    await expect(write).rejects.toBeInstanceOf(TransactionCanceledException);
  });

  it('says which keys were committed when a later chunk conflicts', async () => {
    dynamodb
      .on(TransactWriteItemsCommand)
      .resolvesOnce({})
      .rejectsOnce(cancelled(['ConditionalCheckFailed', 'None']));
    const writes = Array.from({ length: 102 }, (_, i) => ({
      key: `k${i}`,
      value: i,
      expectedVersion: 0,
    }));

    const error = await store()
      .putMany(writes)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PartialCommitConflictError);
    expect(error).toMatchObject({ keys: ['k100'] });
    expect((error as PartialCommitConflictError).committedKeys).toHaveLength(100);
  });

  it('sends conditional writes: absent-or-expired for version 0, the read version otherwise', async () => {
    dynamodb.on(TransactWriteItemsCommand).resolves({});

    await store().putMany([
      { key: 'new', value: { a: 1 }, expectedVersion: 0, expiresAt: 1_700_000_060_500 },
      { key: 'old', value: null, expectedVersion: 4 },
    ]);

    expect(dynamodb).toHaveReceivedCommandWith(TransactWriteItemsCommand, {
      TransactItems: [
        {
          Put: expect.objectContaining({
            Item: {
              pk: { S: 'new' },
              value: { S: '{"a":1}' },
              version: { N: '1' },
              expiresAt: { N: '1700000061' },
            },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          }),
        },
        {
          Delete: expect.objectContaining({
            Key: { pk: { S: 'old' } },
            ExpressionAttributeValues: { ':now': { N: '1700000000' }, ':expected': { N: '4' } },
          }),
        },
      ],
    });
  });

  it('makes a transaction idempotent with a token derived from its items', async () => {
    dynamodb.on(TransactWriteItemsCommand).resolves({});
    const writes = [
      { key: 'a', value: 1, expectedVersion: 0 },
      { key: 'b', value: 2, expectedVersion: 0 },
    ];

    await store().putMany(writes);
    await store().putMany(writes);
    await store().putMany([writes[0]!, { key: 'b', value: 3, expectedVersion: 0 }]);

    const tokens = dynamodb
      .commandCalls(TransactWriteItemsCommand)
      .map((call) => call.args[0].input.ClientRequestToken);
    expect(tokens[0]).toMatch(/^[0-9a-f]{36}$/);
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });
});
