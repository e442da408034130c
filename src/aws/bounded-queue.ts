/**
 * A bounded queue between a producer and a consumer running concurrently:
 * `push` waits while the queue is full (backpressure: the reader slows down,
 * nothing is dropped), `shift` waits while it is empty. Either side can end it.
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private closed = false;
  private failure: { readonly error: unknown } | undefined;
  private readonly waitingPushers: (() => void)[] = [];
  private readonly waitingShifters: (() => void)[] = [];

  /** `capacity`: items that may wait besides the one the consumer holds. */
  constructor(private readonly capacity: number) {
    if (capacity < 1) throw new RangeError(`queue capacity must be at least 1, got ${capacity}`);
  }

  /** Items waiting now. */
  get length(): number {
    return this.items.length;
  }

  /** Adds `item`, waiting for room. Throws the consumer's error if it gave up. */
  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && this.failure === undefined) {
      await new Promise<void>((resolve) => this.waitingPushers.push(resolve));
    }
    if (this.failure !== undefined) throw this.failure.error;
    if (this.closed) throw new Error('push after close');
    this.items.push(item);
    this.waitingShifters.shift()?.();
  }

  /** The next item, waiting for one; undefined once closed and drained or failed. */
  async shift(): Promise<T | undefined> {
    while (this.items.length === 0 && !this.closed && this.failure === undefined) {
      await new Promise<void>((resolve) => this.waitingShifters.push(resolve));
    }
    if (this.failure !== undefined) return undefined;
    const item = this.items.shift();
    this.waitingPushers.shift()?.();
    return item;
  }

  /** No more items will be pushed. */
  close(): void {
    this.closed = true;
    for (const wake of this.waitingShifters.splice(0)) wake();
  }

  /** The consumer gave up: pending and later pushes throw `error`. */
  fail(error: unknown): void {
    this.failure = { error };
    for (const wake of this.waitingPushers.splice(0)) wake();
    for (const wake of this.waitingShifters.splice(0)) wake();
  }
}
