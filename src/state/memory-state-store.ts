/**
 * The in-memory `StateStore`: used by the CLI, the benchmarks and tests. Same
 * semantics as the DynamoDB store: versions start at 1, conditional writes,
 * all-or-nothing `putMany`, expired entries read as absent and are purged.
 */
import { StateConflictError, type StateStore, type StateWrite, type Versioned } from '../model.ts';

/** In-memory state; `now` gives the clock used for expiry (epoch ms). */
export class MemoryStateStore implements StateStore {
  private readonly entries = new Map<string, Versioned>();
  private writesSincePurge = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Number of live (unexpired) entries. */
  get size(): number {
    this.purgeExpired();
    return this.entries.size;
  }

  /** Every live key, for inspection in tests and benchmarks. */
  keys(): string[] {
    this.purgeExpired();
    return [...this.entries.keys()];
  }

  readNow(key: string): Versioned | undefined {
    return this.read(key);
  }

  async get<T = unknown>(key: string): Promise<Versioned<T> | undefined> {
    return this.read(key) as Versioned<T> | undefined;
  }

  async getMany(keys: readonly string[]): Promise<Map<string, Versioned>> {
    const found = new Map<string, Versioned>();
    for (const key of keys) {
      const entry = this.read(key);
      if (entry !== undefined) found.set(key, entry);
    }
    return found;
  }

  async put<T = unknown>(write: StateWrite<T>): Promise<void> {
    await this.putMany([write]);
  }

  async putMany(writes: readonly StateWrite[]): Promise<void> {
    const conflicts = writes
      .filter((write) => (this.read(write.key)?.version ?? 0) !== write.expectedVersion)
      .map((write) => write.key);
    if (conflicts.length > 0) throw new StateConflictError(conflicts);
    for (const write of writes) {
      if (write.value === null) {
        this.entries.delete(write.key);
        continue;
      }
      this.entries.set(write.key, {
        value: write.value,
        version: write.expectedVersion + 1,
        ...(write.expiresAt === undefined ? {} : { expiresAt: write.expiresAt }),
      });
    }
    this.writesSincePurge += writes.length;
    if (this.writesSincePurge > 10_000) this.purgeExpired();
  }

  private read(key: string): Versioned | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private purgeExpired(): void {
    this.writesSincePurge = 0;
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.entries.delete(key);
    }
  }
}
