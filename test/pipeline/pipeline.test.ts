import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Alert,
  type Category,
  StateConflictError,
  type StateStore,
  type StateWrite,
  type Versioned,
} from '../../src/model.ts';
import { runPipeline, StateConflictRetriesExhaustedError } from '../../src/pipeline.ts';
import type { CategoryScopedRule } from '../../src/rules/category-scope.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';
import type { Rule } from '../../src/rules/rule.ts';
import { thresholdRules } from '../../src/rules/threshold.ts';
import { MemoryStateStore } from '../../src/state/memory-state-store.ts';
import { testClock } from '../helpers/memory-clock.ts';
import {
  batch,
  line,
  SYNTHETIC_SOURCES,
  syntheticSource,
  T0,
} from '../helpers/synthetic-source.ts';

const clock = testClock(T0);

function options(store: StateStore, extra: Record<string, unknown> = {}) {
  return {
    store,
    config: DEFAULT_RULES_CONFIG,
    now: clock.now,
    rules: thresholdRules,
    sources: SYNTHETIC_SOURCES,
    ...extra,
  };
}

async function snapshot(store: MemoryStateStore): Promise<Record<string, Versioned>> {
  const keys = store.keys().sort();
  const entries = await store.getMany(keys);
  return Object.fromEntries(keys.map((key) => [key, entries.get(key) as Versioned]));
}

/** A store that counts calls and can be told to fail `putMany`. */
class ProbeStore implements StateStore {
  readonly inner = new MemoryStateStore(clock.now);
  getManyCalls = 0;
  putManyCalls = 0;
  conflictsToThrow = 0;
  /** Runs before a putMany (a concurrent writer). */
  beforePut: (() => Promise<void>) | undefined;

  get<T>(key: string) {
    return this.inner.get<T>(key);
  }
  getMany(keys: readonly string[]) {
    this.getManyCalls++;
    return this.inner.getMany(keys);
  }
  put<T>(write: StateWrite<T>) {
    return this.inner.put(write);
  }
  async putMany(writes: readonly StateWrite[]) {
    this.putManyCalls++;
    const concurrent = this.beforePut;
    this.beforePut = undefined;
    await concurrent?.();
    if (this.conflictsToThrow > 0) {
      this.conflictsToThrow--;
      throw new StateConflictError([writes[0]?.key ?? '?']);
    }
    return this.inner.putMany(writes);
  }
}

const ADDRESSES = ['203.0.113.1', '203.0.113.2', '198.51.100.7'];
const USERS = ['root', 'alice', 'bob'];
const CATEGORIES: readonly Category[] = [
  'auth.failed',
  'auth.failed',
  'auth.failed',
  'probe.bad_packet',
  'cert.expired',
  'auth.succeeded',
];

/** Random synthetic lines on one stream, minutes increasing. */
const arbitraryLines = (addresses = ADDRESSES, users = USERS) =>
  fc
    .array(
      fc.record({
        gap: fc.integer({ min: 0, max: 4 }),
        category: fc.constantFrom(...CATEGORIES),
        address: fc.constantFrom(...addresses),
        user: fc.option(fc.constantFrom(...users), { nil: undefined }),
      }),
      { maxLength: 60 },
    )
    .map((items) => {
      let minute = 0;
      return items.map((item) => {
        minute += item.gap;
        return line(minute, item.category, {
          clientIp: item.address,
          ...(item.user === undefined ? {} : { user: item.user }),
        });
      });
    });

describe('runPipeline: counting and identity', () => {
  it('counts events per source and category, unclassified and malformed; skips blank lines', async () => {
    const result = await runPipeline(
      [
        batch('gw', [
          line(0, 'auth.failed'),
          '',
          'not json',
          '{"c":"no.such"}',
          line(1, 'auth.failed'),
        ]),
      ],
      options(new MemoryStateStore(clock.now)),
    );
    expect(result.events).toBe(4);
    expect(result.byCategory).toEqual({
      openvpn: { 'auth.failed': 2, malformed: 1, unclassified: 1 },
    });
    expect(result.malformed).toBe(1);
    expect(result.unclassified).toBe(1);
  });

  it('gives events the CloudWatch id, else logGroup/file:stream:line identity', async () => {
    const seen: string[] = [];
    const spy: Rule = { id: 'spy', keys: () => [], apply: (event) => void seen.push(event.id) };
    await runPipeline(
      [
        {
          source: 'openvpn',
          stream: 's1',
          logGroup: '/g',
          lines: [
            { text: line(0, 'auth.failed'), eventId: 'cwl-1' },
            { text: line(0, 'auth.failed') },
          ],
        },
        {
          source: 'openvpn',
          stream: 's2',
          file: 'f.log',
          lines: [{ text: line(1, 'auth.failed'), line: 7 }],
        },
      ],
      options(new MemoryStateStore(clock.now), { rules: [spy] }),
    );
    expect(seen).toEqual(['cwl-1', '/g:s1:1', 'f.log:s2:7']);
  });

  it('merges streams in timestamp order, keeping each stream in order', async () => {
    const seen: string[] = [];
    const spy: Rule = { id: 'spy', keys: () => [], apply: (event) => void seen.push(event.id) };
    await runPipeline(
      [
        batch('a', [line(0, 'auth.failed'), line(5, 'auth.failed'), line(3, 'auth.failed')]),
        batch('b', [line(1, 'auth.failed'), line(4, 'auth.failed'), line(6, 'auth.failed')]),
      ],
      options(new MemoryStateStore(clock.now), { rules: [spy] }),
    );
    expect(seen).toEqual([
      'a.log:a:1',
      'b.log:b:1',
      'b.log:b:2',
      'a.log:a:2',
      'a.log:a:3',
      'b.log:b:3',
    ]);
  });

  it('shows every parsed event to onEvent once, in merged order, malformed ones too, whatever the retries', async () => {
    const store = new ProbeStore();
    store.conflictsToThrow = 1;
    const observed: string[] = [];
    await runPipeline(
      [
        batch('a', [line(0, 'auth.failed'), line(5, 'malformed')]),
        batch('b', [line(1, 'auth.failed')]),
      ],
      options(store, { onEvent: (event: { id: string }) => void observed.push(event.id) }),
    );
    expect(store.putManyCalls).toBe(2);
    expect(observed).toEqual(['a.log:a:1', 'b.log:b:1', 'a.log:a:2']);
  });

  it('passes unclassified events to the rules, not malformed ones', async () => {
    // An unknown message may still carry tunnel state fields that the rules need.
    const seen: string[] = [];
    const spy: Rule = {
      id: 'spy',
      keys: () => [],
      apply: (event) => void seen.push(event.category),
    };
    await runPipeline(
      [batch('a', [line(0, 'auth.failed'), '{"c":"no.such"}', 'not json'])],
      options(new MemoryStateStore(clock.now), { rules: [spy] }),
    );
    expect(seen).toEqual(['auth.failed', 'unclassified']);
  });

  it('calls a category-scoped rule only for its categories, other rules for every event', async () => {
    const scoped: string[] = [];
    const all: string[] = [];
    const scopedRule: CategoryScopedRule = {
      id: 'scoped',
      categories: new Set<Category>(['auth.failed']),
      keys: (event) => {
        scoped.push(`keys ${event.category}`);
        return [];
      },
      apply: (event) => void scoped.push(`apply ${event.category}`),
    };
    const everyRule: Rule = {
      id: 'every',
      keys: () => [],
      apply: (event) => void all.push(event.category),
    };
    await runPipeline(
      [batch('a', [line(0, 'auth.failed'), line(1, 'auth.succeeded')])],
      options(new MemoryStateStore(clock.now), { rules: [scopedRule, everyRule] }),
    );
    expect(scoped).toEqual(['keys auth.failed', 'apply auth.failed']);
    expect(all).toEqual(['auth.failed', 'auth.succeeded']);
  });

  it('gives a time-less line the time of the line before it in its stream', async () => {
    const times: (number | null)[] = [];
    const spy: Rule = { id: 'spy', keys: () => [], apply: (event) => void times.push(event.time) };
    await runPipeline(
      [batch('a', [line(2, 'auth.failed'), JSON.stringify({ c: 'auth.failed' })])],
      options(new MemoryStateStore(clock.now), { rules: [spy] }),
    );
    expect(times).toEqual([T0 + 120_000, T0 + 120_000]);
  });

  it('sniffs the source of an auto batch and counts the lines of an unrecognised one', async () => {
    const result = await runPipeline(
      [
        batch('a', [line(0, 'auth.failed')], 'openvpn', { source: 'auto' }),
        batch('b', ['some other format', 'more'], 'openvpn', { source: 'auto' }),
      ],
      options(new MemoryStateStore(clock.now), { sources: [syntheticSource('softether')] }),
    );
    expect(result.byCategory).toEqual({ softether: { 'auth.failed': 1 } });
    expect(result.unclassified).toBe(2);
    expect(result.events).toBe(3);
  });

  it('rejects a rule that touches a key its keys() did not name', async () => {
    const sloppy: Rule = {
      id: 'sloppy',
      keys: () => [],
      apply: (_e, context) => context.state.set('x', 1),
    };
    await expect(
      runPipeline(
        [batch('a', [line(0, 'auth.failed')])],
        options(new MemoryStateStore(clock.now), { rules: [sloppy] }),
      ),
    ).rejects.toThrow('state key "x" was used by a rule but not returned by its keys()');
  });
});

describe('runPipeline: state round trips', () => {
  it('reads all keys with one getMany and writes with one putMany', async () => {
    const store = new ProbeStore();
    const lines = [0, 1, 2, 3, 4].map((m) =>
      line(m, 'auth.failed', { clientIp: '203.0.113.5', user: 'u' }),
    );
    const result = await runPipeline(
      [batch('gw', lines), batch('gw2', [line(1, 'cert.expired', { user: 'v' })])],
      options(store),
    );
    expect(result.alerts).toHaveLength(2);
    expect(store.getManyCalls).toBe(1);
    expect(store.putManyCalls).toBe(1);
  });

  it('commits extraWrites with the rule state, given the alerts of the attempt', async () => {
    const store = new MemoryStateStore(clock.now);
    const result = await runPipeline(
      [batch('gw', [line(0, 'cert.expired', { user: 'v' })])],
      options(store, {
        extraWrites: (alerts: readonly { id: string }[]) =>
          alerts.map((alert) => ({
            key: `outbox:${alert.id}`,
            value: { id: alert.id },
            expectedVersion: 0,
          })),
      }),
    );
    const id = result.alerts[0]?.id ?? '';
    expect((await store.get(`outbox:${id}`))?.value).toEqual({ id });
  });

  it('retries a conflict on fresh state and returns the alerts of the committed attempt once', async () => {
    const store = new ProbeStore();
    store.conflictsToThrow = 1;
    const lines = [0, 1, 2, 3, 4].map((m) => line(m, 'auth.failed', { clientIp: '203.0.113.5' }));
    const result = await runPipeline([batch('gw', lines)], options(store));
    expect(result.conflicts).toBe(1);
    expect(result.alerts).toHaveLength(1);
    expect(store.getManyCalls).toBe(2);
    expect(store.putManyCalls).toBe(2);
  });

  it('re-applies on the state a concurrent writer committed', async () => {
    // Another invocation commits the cooldown of this address between our read and our write.
    const store = new ProbeStore();
    const lines = [0, 1, 2, 3, 4].map((m) => line(m, 'auth.failed', { clientIp: '203.0.113.5' }));
    store.beforePut = async () => {
      await runPipeline(
        [
          batch(
            'other',
            lines.map((l) => l.replace('10:0', '09:5')),
          ),
        ],
        options(store.inner),
      );
    };
    const result = await runPipeline([batch('gw', lines)], options(store));
    expect(result.conflicts).toBe(1);
    expect(result.alerts).toEqual([]);
    expect(result.suppressed.cooldown).toBeGreaterThan(0);
  });

  it('gives up after maxConflictRetries with a named error', async () => {
    const store = new ProbeStore();
    store.conflictsToThrow = 100;
    const run = runPipeline(
      [batch('gw', [line(0, 'cert.expired', { user: 'v' })])],
      options(store, { maxConflictRetries: 2 }),
    );
    await expect(run).rejects.toBeInstanceOf(StateConflictRetriesExhaustedError);
    expect(store.putManyCalls).toBe(3);
  });
});

describe('runPipeline: large inputs', () => {
  it('reads and writes a batch of 10,005 events with one getMany and one putMany', async () => {
    // Prepare: filler, then 5 failures of one address at the end.
    const filler = Array.from({ length: 10_000 }, () => line(0, 'auth.succeeded'));
    const attack = [1, 2, 3, 4, 5].map((m) => line(m, 'auth.failed', { clientIp: '203.0.113.5' }));
    const store = new ProbeStore();
    // Act
    const result = await runPipeline([batch('gw', [...filler, ...attack])], options(store));
    // Assess
    expect(store.getManyCalls).toBe(1);
    expect(store.putManyCalls).toBe(1);
    expect(result.events).toBe(10_005);
    expect(result.alerts.map((alert) => alert.key)).toEqual(['openvpn:client:203.0.113.5']);
  });
});

describe('runPipeline: duplicateKey', () => {
  it('passes the first event with a key to the rules and counts the others as duplicates', async () => {
    const event = (m: number) =>
      line(m, 'network.conflict', { hub: 'H', sessionId: 'S', duplicateKey: 'evt-42' });
    const result = await runPipeline(
      [batch('server', [event(0)], 'softether'), batch('security', [event(0)], 'softether')],
      options(new MemoryStateStore(clock.now), {
        config: {
          ...DEFAULT_RULES_CONFIG,
          rules: {
            ...DEFAULT_RULES_CONFIG.rules,
            'network.conflict': { enabled: true, cooldownMinutes: 0.001 },
          },
        },
      }),
    );
    expect(result.alerts).toHaveLength(1);
    expect(result.duplicates).toBe(1);
  });
});

describe('runPipeline: properties', () => {
  it('is deterministic: same input and state give the same alerts and state', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryLines(), async (lines) => {
        const first = new MemoryStateStore(clock.now);
        const second = new MemoryStateStore(clock.now);
        const a = await runPipeline([batch('gw', lines)], options(first));
        const b = await runPipeline([batch('gw', lines)], options(second));
        expect(b.alerts).toEqual(a.alerts);
        expect(await snapshot(second)).toEqual(await snapshot(first));
      }),
      { numRuns: 40 },
    );
  });

  it('is idempotent: replaying a batch, or a part of it, raises nothing and changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryLines(), fc.nat(), async (lines, cut) => {
        const store = new MemoryStateStore(clock.now);
        const full = batch('gw', lines);
        const first = await runPipeline([full], options(store));
        const before = await snapshot(store);
        const again = await runPipeline([full], options(store));
        const part = await runPipeline(
          [{ ...full, lines: full.lines.slice(cut % (lines.length + 1)) }],
          options(store),
        );
        expect(again.alerts).toEqual([]);
        expect(part.alerts).toEqual([]);
        expect(again.duplicates).toBe(lines.length);
        expect(await snapshot(store)).toEqual(before);
        expect(first.duplicates).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  it('gives the same result in any interleaving for streams that share no keys', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbitraryLines(['203.0.113.1', '203.0.113.2'], ['root', 'alice']),
        arbitraryLines(['198.51.100.1', '198.51.100.2'], ['bob', 'carol']),
        async (linesA, linesB) => {
          const a = batch('a', linesA);
          const b = batch('b', linesB);
          const together = new MemoryStateStore(clock.now);
          const aThenB = new MemoryStateStore(clock.now);
          const bThenA = new MemoryStateStore(clock.now);
          const one = await runPipeline([a, b], options(together));
          const two = [
            ...(await runPipeline([a], options(aThenB))).alerts,
            ...(await runPipeline([b], options(aThenB))).alerts,
          ];
          const three = [
            ...(await runPipeline([b], options(bThenA))).alerts,
            ...(await runPipeline([a], options(bThenA))).alerts,
          ];
          const ids = (alerts: readonly { id: string }[]) => alerts.map((alert) => alert.id).sort();
          expect(ids(two)).toEqual(ids(one.alerts));
          expect(ids(three)).toEqual(ids(one.alerts));
          const state = await snapshot(together);
          expect(await snapshot(aThenB)).toEqual(state);
          expect(await snapshot(bThenA)).toEqual(state);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('runPipeline: streams of other accounts', () => {
  const lines = [line(0, 'cert.expired', { user: 'alice' })];
  const group = { logGroup: '/vpn/openvpn' };

  it('keeps the keys of a stream without an account exactly as before accounts were known', async () => {
    const store = new MemoryStateStore(clock.now);
    const result = await runPipeline([batch('server', lines, 'openvpn', group)], options(store));

    expect(result.alerts.map((alert) => [alert.account, alert.region])).toEqual([
      [undefined, undefined],
    ]);
    expect(store.keys().sort()).toEqual([
      'cert.problem:cooldown:openvpn:user:alice',
      'pipeline:stream:/vpn/openvpn:server',
      expect.stringMatching(/^pipeline:stream:\/vpn\/openvpn:server:seen:\d+$/),
    ]);
  });

  it("keeps another account's stream, rule state included, under that account and region", async () => {
    const store = new MemoryStateStore(clock.now);
    const where = { ...group, account: '111111111111', region: 'eu-west-1' };
    const result = await runPipeline([batch('server', lines, 'openvpn', where)], options(store));

    expect(result.alerts.map((alert) => [alert.account, alert.region])).toEqual([
      ['111111111111', 'eu-west-1'],
    ]);
    const scope = 'account:111111111111:region:eu-west-1:';
    expect(store.keys().sort()).toEqual([
      `${scope}cert.problem:cooldown:openvpn:user:alice`,
      `pipeline:${scope}stream:/vpn/openvpn:server`,
      expect.stringMatching(/^pipeline:account:111111111111:region:eu-west-1:stream:.*:seen:\d+$/),
    ]);
  });

  it('does not let one account hold back the same alert of another', async () => {
    const store = new MemoryStateStore(clock.now);
    // CloudWatch event ids (the same here: an alert's id names its event).
    const logged = { ...group, lines: lines.map((text) => ({ text, eventId: 'e1' })) };
    const of = (account: string) => batch('server', lines, 'openvpn', { ...logged, account });
    const first = await runPipeline([of('111111111111')], options(store));
    const second = await runPipeline([of('222222222222')], options(store));
    const own = await runPipeline([batch('server', lines, 'openvpn', logged)], options(store));

    expect([first, second, own].map((result) => result.alerts.length)).toEqual([1, 1, 1]);
    // The alert is the same (its id and key do not name the account), but for `account`.
    const { account: _a, ...firstAlert } = first.alerts[0] as Alert;
    expect(second.alerts[0]).toEqual({ ...firstAlert, account: '222222222222' });
    expect(own.alerts[0]).toEqual(firstAlert);
  });
});
