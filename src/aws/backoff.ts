/**
 * Bounded exponential backoff with full jitter, shared by the AWS adapters for
 * the retries the SDK does not do itself (unprocessed BatchGetItem keys,
 * failed PublishBatch entries).
 */

/** How many attempts and how long to wait between them (milliseconds). */
export interface BackoffPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Upper bound of the first wait, ms; doubles per attempt. */
  readonly baseDelayMs: number;
  /** Upper bound of any one wait, ms. */
  readonly maxDelayMs: number;
}

/** The default: 5 attempts, waits drawn from [0, 50·2^n] ms capped at 2 s (≤ ~1.5 s in all on average). */
export const DEFAULT_BACKOFF: BackoffPolicy = { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 2000 };

/** Waits `ms` milliseconds; injected so unit tests need not wait. */
export type Sleep = (ms: number) => Promise<void>;

/** A real timer. */
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The wait before retry number `retry` (1-based): uniform in [0, min(max, base·2^(retry-1))]. */
export function backoffDelayMs(
  policy: BackoffPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}
