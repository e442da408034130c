/**
 * The `StateStore` on DynamoDB, used by the Lambda.
 *
 * Table (contract): partition key `pk` (S); `value` (S, the JSON of the value),
 * `version` (N, 1 on first write, +1 per write), `expiresAt` (N, epoch
 * **seconds**, the table's TTL attribute). DynamoDB deletes expired items
 * lazily (often hours later), so items past `expiresAt` read as absent here
 * and a write expecting version 0 may overwrite them.
 *
 * Calls: `getMany` = ⌈keys/100⌉ BatchGetItem calls (+ retries of unprocessed
 * keys); `put` = one conditional PutItem/DeleteItem; `putMany` = one
 * TransactWriteItems per 100 writes (one PutItem/DeleteItem for a single write).
 *
 * Atomicity caveat: DynamoDB transactions hold at most 100 items. `putMany` with
 * more than 100 writes commits them in chunks of 100, in the order given; each
 * chunk is all or nothing, the whole is not. A conflict in a later chunk throws
 * `PartialCommitConflictError` (a `StateConflictError`) naming the keys already
 * committed, so the caller can tell. Callers that need the whole batch atomic
 * must keep it at ≤ 100 writes; callers that order their writes can put the
 * writes that must be last (bookkeeping, outbox) at the end.
 */

import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { StateConflictError, type StateStore, type StateWrite, type Versioned } from '../model.ts';
import {
  type BackoffPolicy,
  backoffDelayMs,
  DEFAULT_BACKOFF,
  realSleep,
  type Sleep,
} from './backoff.ts';

/** BatchGetItem reads at most 100 keys per call. */
export const BATCH_GET_LIMIT = 100;
/** TransactWriteItems writes at most 100 items per call. */
export const TRANSACTION_LIMIT = 100;

/** Thrown when a chunk after the first of a > 100-write `putMany` conflicts. */
export class PartialCommitConflictError extends StateConflictError {
  constructor(
    keys: readonly string[],
    /** Keys of the chunks that were committed before the conflict. */
    readonly committedKeys: readonly string[],
  ) {
    super(keys);
    this.message += ` (after ${committedKeys.length} write(s) of earlier chunks were committed)`;
  }
}

/** Thrown when BatchGetItem keeps returning unprocessed keys after every retry. */
export class UnprocessedKeysError extends Error {
  override readonly name = 'UnprocessedKeysError';
  constructor(readonly keys: readonly string[]) {
    super(
      `DynamoDB left ${keys.length} key(s) unprocessed after retries: ${keys.slice(0, 5).join(', ')}`,
    );
  }
}

/** What the store needs. */
export interface DynamoDbStateStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Clock for expiry, epoch ms; default `Date.now`. */
  readonly now?: () => number;
  /** Retries of unprocessed BatchGetItem keys; default `DEFAULT_BACKOFF`. */
  readonly backoff?: BackoffPolicy;
  readonly sleep?: Sleep;
}

/** DynamoDB API calls made, by operation name (e.g. `BatchGetItem`). */
export type CallCounts = Record<string, number>;

/** The DynamoDB-backed `StateStore`. */
export class DynamoDbStateStore implements StateStore {
  /** Calls made so far by operation; reset with `resetCallCounts()`. */
  readonly calls: CallCounts = {};
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly now: () => number;
  private readonly backoff: BackoffPolicy;
  private readonly sleep: Sleep;

  constructor(options: DynamoDbStateStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.now = options.now ?? Date.now;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.sleep = options.sleep ?? realSleep;
  }

  /** Total DynamoDB calls made so far. */
  get totalCalls(): number {
    return Object.values(this.calls).reduce((sum, count) => sum + count, 0);
  }

  /** Sets every call count back to zero. */
  resetCallCounts(): void {
    for (const name of Object.keys(this.calls)) delete this.calls[name];
  }

  async get<T = unknown>(key: string): Promise<Versioned<T> | undefined> {
    return (await this.getMany([key])).get(key) as Versioned<T> | undefined;
  }

  async getMany(keys: readonly string[]): Promise<Map<string, Versioned>> {
    const found = new Map<string, Versioned>();
    const unique = [...new Set(keys)];
    const nowMs = this.now();
    const chunks: string[][] = [];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      chunks.push(unique.slice(start, start + BATCH_GET_LIMIT));
    }
    // Chunks are read in parallel: latency stays that of one call for a few hundred keys.
    await Promise.all(chunks.map((chunk) => this.readChunk(chunk, nowMs, found)));
    return found;
  }

  /** One BatchGetItem of ≤ 100 keys, retrying unprocessed keys with backoff. */
  private async readChunk(keys: readonly string[], nowMs: number, found: Map<string, Versioned>) {
    let pending: Record<string, AttributeValue>[] = keys.map((key) => ({ pk: { S: key } }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) {
        if (attempt > this.backoff.maxAttempts) {
          throw new UnprocessedKeysError(pending.map((item) => item.pk?.S ?? ''));
        }
        await this.sleep(backoffDelayMs(this.backoff, attempt - 1));
      }
      this.count('BatchGetItem');
      const output: BatchGetItemCommandOutput = await this.client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [this.tableName]: {
              Keys: pending,
              ConsistentRead: true,
              ProjectionExpression: 'pk, #value, version, expiresAt',
              ExpressionAttributeNames: { '#value': 'value' },
            },
          },
        }),
      );
      for (const item of output.Responses?.[this.tableName] ?? []) {
        const entry = decodeItem(item, nowMs);
        const key = item.pk?.S;
        if (entry !== undefined && key !== undefined) found.set(key, entry);
      }
      pending = output.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
  }

  async put<T = unknown>(write: StateWrite<T>): Promise<void> {
    const nowSeconds = Math.floor(this.now() / 1000);
    try {
      if (write.value === null) {
        this.count('DeleteItem');
        await this.client.send(new DeleteItemCommand(this.deleteRequest(write, nowSeconds)));
      } else {
        this.count('PutItem');
        await this.client.send(new PutItemCommand(this.putRequest(write, nowSeconds)));
      }
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new StateConflictError([write.key]);
      throw error;
    }
  }

  async putMany(writes: readonly StateWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const only = writes.length === 1 ? writes[0] : undefined;
    if (only !== undefined) return await this.put(only);
    const seen = new Set<string>();
    for (const write of writes) {
      if (seen.has(write.key)) throw new Error(`putMany: key "${write.key}" is written twice`);
      seen.add(write.key);
    }
    const committed: string[] = [];
    for (let start = 0; start < writes.length; start += TRANSACTION_LIMIT) {
      const chunk = writes.slice(start, start + TRANSACTION_LIMIT);
      try {
        await this.transact(chunk);
      } catch (error) {
        if (error instanceof StateConflictError && committed.length > 0) {
          throw new PartialCommitConflictError(error.keys, committed);
        }
        throw error;
      }
      committed.push(...chunk.map((write) => write.key));
    }
  }

  private async transact(writes: readonly StateWrite[]): Promise<void> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const items: TransactWriteItem[] = writes.map((write) =>
      write.value === null
        ? { Delete: this.deleteRequest(write, nowSeconds) }
        : { Put: this.putRequest(write, nowSeconds) },
    );
    try {
      this.count('TransactWriteItems');
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: items,
          ClientRequestToken: requestToken(items),
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const conflicted = (error.CancellationReasons ?? []).flatMap((reason, index) =>
          CONFLICT_CODES.has(reason.Code ?? '') ? [writes[index]?.key ?? ''] : [],
        );
        if (conflicted.length > 0) throw new StateConflictError(conflicted);
      }
      throw error;
    }
  }

  private putRequest(write: StateWrite, nowSeconds: number) {
    const item: Record<string, AttributeValue> = {
      pk: { S: write.key },
      value: { S: JSON.stringify(write.value) },
      version: { N: String(write.expectedVersion + 1) },
    };
    if (write.expiresAt !== undefined)
      item.expiresAt = { N: String(toTtlSeconds(write.expiresAt)) };
    return { TableName: this.tableName, Item: item, ...versionCondition(write, nowSeconds) };
  }

  private deleteRequest(write: StateWrite, nowSeconds: number) {
    return {
      TableName: this.tableName,
      Key: { pk: { S: write.key } },
      ...versionCondition(write, nowSeconds),
    };
  }

  private count(operation: string): void {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
  }
}

/**
 * The transaction's idempotency token: a digest of its items. When the SDK
 * retries a transaction whose response was lost, DynamoDB (within 10 minutes)
 * answers success instead of failing the version conditions the first attempt
 * already satisfied, so a committed claim is never mistaken for a conflict.
 */
function requestToken(items: readonly TransactWriteItem[]): string {
  return createHash('sha256').update(JSON.stringify(items)).digest('hex').slice(0, 36);
}

/** Cancellation reasons that mean "someone else changed the item": re-read and re-apply. */
const CONFLICT_CODES: ReadonlySet<string> = new Set([
  'ConditionalCheckFailed',
  'TransactionConflict',
]);

/** Epoch ms → the TTL attribute's epoch seconds, rounded up so nothing expires early. */
export function toTtlSeconds(epochMs: number): number {
  return Math.ceil(epochMs / 1000);
}

/**
 * The condition that makes a write conditional on the version read:
 * version 0 = absent or expired; n = present, unexpired, at version n.
 */
function versionCondition(write: StateWrite, nowSeconds: number) {
  const now = { ':now': { N: String(nowSeconds) } };
  if (write.expectedVersion === 0) {
    return {
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
      ExpressionAttributeValues: now,
    };
  }
  return {
    ConditionExpression:
      'version = :expected AND (attribute_not_exists(expiresAt) OR expiresAt > :now)',
    ExpressionAttributeValues: { ...now, ':expected': { N: String(write.expectedVersion) } },
  };
}

/** An item → its versioned value, or undefined when expired or not ours. */
function decodeItem(item: Record<string, AttributeValue>, nowMs: number): Versioned | undefined {
  const value = item.value?.S;
  const version = Number(item.version?.N);
  if (value === undefined || !Number.isInteger(version)) return undefined;
  const expiresAtSeconds = item.expiresAt?.N === undefined ? undefined : Number(item.expiresAt.N);
  if (expiresAtSeconds !== undefined && expiresAtSeconds * 1000 <= nowMs) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`state item "${item.pk?.S}": attribute "value" is not JSON`);
  }
  return {
    value: parsed,
    version,
    ...(expiresAtSeconds === undefined ? {} : { expiresAt: expiresAtSeconds * 1000 }),
  };
}
