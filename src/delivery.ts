/**
 * Idempotent alert delivery on top of at-least-once input.
 *
 * CloudWatch Logs delivers a batch at least once and Lambda retries a failed
 * invocation, so the same payload may be processed several times, and a crash
 * may come between any two steps. The order is:
 *
 * 1. **Claim**: the pipeline commits the rule state and an *outbox* entry
 *    listing the batch's alerts in one conditional `putMany` (via
 *    `extraWrites`). The outbox key is a digest of the batch identity (log
 *    group, stream, log event ids): `outbox:<sha256>`.
 * 2. **Publish** the alerts.
 * 3. **Mark sent** in the outbox entry (conditional write; alert bodies are
 *    dropped once every alert is sent, the marker stays until it expires).
 *
 * A retry of the same payload finds the outbox entry first and publishes only
 * what is not marked sent: a crash before 1 re-runs everything (nothing was
 * claimed); between 1 and 2 publishes once; between 2 and 3 publishes once
 * more (the one case of a repeat, which subscribers can drop by alert id). A
 * redelivery batched differently has another digest; the pipeline's
 * processed-event bookkeeping skips its events, so it raises nothing again.
 *
 * Pure logic: the store and the sink are injected.
 */
import { createHash } from 'node:crypto';
import {
  type Alert,
  StateConflictError,
  type StateStore,
  type StateWrite,
  type Versioned,
} from './model.ts';

/** One alert that could not be published. */
export interface PublishFailure {
  readonly alertId: string;
  /** The target's error code, or the name of the error the whole call failed with. */
  readonly code: string;
  readonly message: string;
  /** True when the target blamed the request (retrying the same request cannot help). */
  readonly senderFault: boolean;
}

/** What a publish attempt achieved: every alert is in exactly one of the two lists. */
export interface PublishOutcome {
  /** Ids of the alerts the target accepted. */
  readonly published: readonly string[];
  readonly failed: readonly PublishFailure[];
}

/** Where alerts go: SNS in the Lambda, something else in tests and benches. */
export interface AlertSink {
  /** Publishes `alerts` in order; reports per-alert failures instead of throwing. */
  publish(alerts: readonly Alert[]): Promise<PublishOutcome>;
}

/** How long an outbox entry is kept: SQS's longest retention, so a redrive still finds it, ms. */
export const OUTBOX_TTL_MS = 14 * 24 * 60 * 60 * 1000;
/** Largest JSON of one outbox item, bytes (DynamoDB items hold ≤ 400 KB). */
export const OUTBOX_PART_BYTES = 300_000;
/** Attempts to mark alerts sent when concurrent retries race on the outbox. */
const MARK_SENT_ATTEMPTS = 5;

/** One outbox item: part 0 is `outbox:<digest>`, part n ≥ 1 is `outbox:<digest>:<n>`. */
export interface OutboxPart {
  /** Alerts of this part still to publish (bodies dropped once all are sent). */
  readonly alerts: readonly Alert[];
  /** Ids of this part's alerts known to be published. */
  readonly sent: readonly string[];
  /** Number of parts (part 0 only). */
  readonly parts?: number;
}

/** An outbox part as read or written, with its key. */
interface StoredPart extends Versioned<OutboxPart> {
  readonly key: string;
}

/** The outbox key of a batch: `outbox:` + sha256 of its identity (log group, stream, event ids). */
export function outboxKeyOf(identity: readonly string[]): string {
  return `outbox:${createHash('sha256').update(identity.join('\n')).digest('hex')}`;
}

function partKey(outboxKey: string, part: number): string {
  return part === 0 ? outboxKey : `${outboxKey}:${part}`;
}

/** Splits alerts into outbox parts of at most `OUTBOX_PART_BYTES` of JSON each. */
export function splitIntoParts(alerts: readonly Alert[]): Alert[][] {
  const parts: Alert[][] = [[]];
  let bytes = 0;
  for (const alert of alerts) {
    const size = Buffer.byteLength(JSON.stringify(alert));
    const current = parts[parts.length - 1] ?? [];
    if (current.length > 0 && bytes + size > OUTBOX_PART_BYTES) {
      parts.push([alert]);
      bytes = size;
    } else {
      current.push(alert);
      bytes += size;
    }
  }
  return parts;
}

/** The writes that claim `alerts` in the outbox (none when there is nothing to publish). */
export function outboxWrites(
  outboxKey: string,
  alerts: readonly Alert[],
  nowMs: number,
): StateWrite[] {
  if (alerts.length === 0) return [];
  const parts = splitIntoParts(alerts);
  return parts.map((partAlerts, index) => ({
    key: partKey(outboxKey, index),
    value: { alerts: partAlerts, sent: [], ...(index === 0 ? { parts: parts.length } : {}) },
    expectedVersion: 0,
    expiresAt: nowMs + OUTBOX_TTL_MS,
  }));
}

/** What one delivery did. */
export interface DeliveryResult<R> {
  /** The pipeline's result; absent when the batch's outbox entry already existed (a retry). */
  readonly pipeline?: R;
  /** True when this was a retry that found the outbox entry. */
  readonly replayed: boolean;
  /** The alerts this delivery tried to publish. */
  readonly attempted: readonly Alert[];
  /** Of those, the ones published. */
  readonly published: readonly Alert[];
  readonly failed: readonly PublishFailure[];
}

/** Thrown (by `assertDelivered`) when alerts remain unpublished: the invocation must fail. */
export class PublishFailedError extends Error {
  override readonly name = 'PublishFailedError';
  constructor(readonly failures: readonly PublishFailure[]) {
    const first = failures[0];
    super(
      `${failures.length} alert(s) not published (first: ${first?.alertId} ${first?.code}: ${first?.message}); they stay in the outbox for the retry`,
    );
  }
}

/** What `deliverBatch` needs. */
export interface DeliveryInput<R extends { readonly alerts: readonly Alert[] }> {
  readonly store: StateStore;
  readonly sink: AlertSink;
  /** The batch identity (see `outboxKeyOf`). */
  readonly outboxKey: string;
  /** Runs the pipeline with the outbox writes to commit with the rule state. */
  readonly run: (extraWrites: (alerts: readonly Alert[]) => readonly StateWrite[]) => Promise<R>;
  /** Clock, epoch ms. */
  readonly now?: () => number;
}

/**
 * Claims, publishes and marks sent the alerts of one batch (see the module
 * doc). Returns what happened; call `assertDelivered` to fail when some alerts
 * were not published.
 */
export async function deliverBatch<R extends { readonly alerts: readonly Alert[] }>(
  input: DeliveryInput<R>,
): Promise<DeliveryResult<R>> {
  const { store, sink, outboxKey } = input;
  const now = input.now ?? Date.now;
  const pending = await readOutbox(store, outboxKey);
  if (pending !== undefined) {
    const unsent = pending.flatMap(({ value }) =>
      value.alerts.filter((alert) => !value.sent.includes(alert.id)),
    );
    const outcome = await publishAndMark(store, sink, outboxKey, unsent, pending);
    return { replayed: true, attempted: unsent, ...outcome };
  }
  // The pipeline calls extraWrites once per attempt; the last call is the committed one.
  let claimed: StateWrite[] = [];
  const pipeline = await input.run((alerts) => {
    claimed = outboxWrites(outboxKey, alerts, now());
    return claimed;
  });
  if (pipeline.alerts.length === 0) {
    return { pipeline, replayed: false, attempted: [], published: [], failed: [] };
  }
  const committed = claimed.map((write) => ({
    key: write.key,
    value: write.value as OutboxPart,
    version: write.expectedVersion + 1,
    ...(write.expiresAt === undefined ? {} : { expiresAt: write.expiresAt }),
  }));
  const outcome = await publishAndMark(store, sink, outboxKey, pipeline.alerts, committed);
  return { pipeline, replayed: false, attempted: pipeline.alerts, ...outcome };
}

/** Throws `PublishFailedError` when `result` left alerts unpublished. */
export function assertDelivered(result: DeliveryResult<unknown>): void {
  if (result.failed.length > 0) throw new PublishFailedError(result.failed);
}

/** The outbox parts of a batch, in order, or undefined when the batch has no outbox entry. */
async function readOutbox(store: StateStore, outboxKey: string): Promise<StoredPart[] | undefined> {
  const head = await store.get<OutboxPart>(outboxKey);
  if (head === undefined) return undefined;
  const count = head.value.parts ?? 1;
  if (count <= 1) return [{ ...head, key: outboxKey }];
  const keys = Array.from({ length: count - 1 }, (_, index) => partKey(outboxKey, index + 1));
  const rest = await store.getMany(keys);
  return [
    { ...head, key: outboxKey },
    ...keys.flatMap((key) => {
      const part = rest.get(key) as Versioned<OutboxPart> | undefined;
      return part === undefined ? [] : [{ ...part, key }];
    }),
  ];
}

async function publishAndMark(
  store: StateStore,
  sink: AlertSink,
  outboxKey: string,
  alerts: readonly Alert[],
  parts: readonly StoredPart[],
): Promise<{ published: Alert[]; failed: readonly PublishFailure[] }> {
  if (alerts.length === 0) return { published: [], failed: [] };
  const outcome = await sink.publish(alerts);
  const publishedIds = new Set(outcome.published);
  const published = alerts.filter((alert) => publishedIds.has(alert.id));
  if (published.length > 0) await markSent(store, outboxKey, publishedIds, parts);
  return { published, failed: outcome.failed };
}

/**
 * Records `publishedIds` as sent. When every alert of the batch is sent, part 0
 * keeps only the ids (a marker until it expires) and the other parts are
 * deleted. On a conflict (a concurrent retry marking too) re-reads and merges.
 */
async function markSent(
  store: StateStore,
  outboxKey: string,
  publishedIds: ReadonlySet<string>,
  known: readonly StoredPart[],
): Promise<void> {
  let parts: readonly StoredPart[] | undefined = known;
  for (let attempt = 1; attempt <= MARK_SENT_ATTEMPTS; attempt++) {
    const current = parts;
    if (current === undefined || current.length === 0) return;
    const sentByPart = current.map(({ value }) => [
      ...new Set([
        ...value.sent,
        ...value.alerts.map((alert) => alert.id).filter((id) => publishedIds.has(id)),
      ]),
    ]);
    const allSent = current.every(({ value }, index) =>
      value.alerts.every((alert) => sentByPart[index]?.includes(alert.id)),
    );
    const writes: StateWrite[] = current.map(({ key, value, version, expiresAt }, index) => {
      const base = {
        key,
        expectedVersion: version,
        ...(expiresAt === undefined ? {} : { expiresAt }),
      };
      if (allSent && index > 0) return { ...base, value: null };
      const sent = allSent
        ? current.flatMap((_, i) => sentByPart[i] ?? [])
        : (sentByPart[index] ?? []);
      const alerts = allSent ? [] : value.alerts;
      return {
        ...base,
        value: { alerts, sent, ...(index === 0 ? { parts: allSent ? 1 : current.length } : {}) },
      };
    });
    try {
      await store.putMany(writes);
      return;
    } catch (error) {
      if (!(error instanceof StateConflictError) || attempt === MARK_SENT_ATTEMPTS) throw error;
      parts = await readOutbox(store, outboxKey);
    }
  }
}
