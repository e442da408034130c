/**
 * The chaos cases behind `npm run chaos`: faults against the moto emulator,
 * each measured end to end and reduced to one figure.
 *
 * - import: a crash at every step of every batch followed by a rerun; shuffled
 *   overlapping downloads over shuffled runs; a request stored but answered
 *   with a reset connection. Figure: lines expected / stored / duplicated /
 *   missing, read back from the log stream.
 * - alerts: the subscription handler with SNS failing (a publish refused for a
 *   while, the invocation retried as Lambda retries it); redeliveries,
 *   reorders and 20 concurrent invocations of shuffled deliveries of a
 *   multi-tunnel log. Figure: alerts expected / published / duplicated /
 *   missing / unexpected, read back from the queue subscribed to the topic
 *   and matched by incident (`compareAlertRefs`: same rule, key and status
 *   within the rule's tolerance; state rules by overlapping span) against the
 *   alerts of one in-order delivery on a fresh table and topic. An incident
 *   published under another id than the reference's (its first line came in
 *   a later delivery) is counted as `moved`, not lost: on-call got it once.
 *
 * Nothing here hides a loss: a case whose figure is off makes the run fail.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_LIMITS } from '../src/aws/batcher.ts';
import { CheckpointFile } from '../src/aws/checkpoint.ts';
import { DEFAULT_RETRY, readLogStream } from '../src/aws/cloudwatch-logs.ts';
import { ContinuationJoiner } from '../src/aws/continuation.ts';
import { type ImportEnvironment, type ImportStep, importLogs } from '../src/aws/importer.ts';
import { type AlertRef, compareAlertRefs, seededRandom } from '../src/deliveries.ts';
import { DEFAULT_RULES_CONFIG } from '../src/rules/config.ts';
import { writeGatewayDownloads } from '../test/aws/fixtures.ts';
import { type Moto, startMoto } from '../test/aws/moto.ts';
import { logEventId, subscriptionEvent } from '../test/helpers/subscription-payload.ts';
import { SYNTHETIC_SOURCES } from '../test/helpers/synthetic-source.ts';
import {
  type AwsFixture,
  createAwsFixture,
  drainAlerts,
  subscriptionHandlerOn,
} from '../test/integration/aws-fixtures.ts';
import type { Emulator } from '../test/integration/emulator.ts';

/** One case's figure. */
export interface ChaosFigure {
  readonly name: string;
  /** `lines` for import cases, `alerts` for alert cases. */
  readonly unit: 'lines' | 'alerts';
  readonly expected: number;
  /** Stored (lines) or published (alerts), copies included. */
  readonly delivered: number;
  readonly duplicated: number;
  readonly missing: number;
  /** Delivered items that match nothing expected. */
  readonly unexpected: number;
  /** Alerts of an expected incident published under another id (not a loss). */
  readonly moved?: number;
}

/** True when a figure shows nothing lost, doubled or made up. */
export function figureOk(figure: ChaosFigure): boolean {
  return figure.duplicated === 0 && figure.missing === 0 && figure.unexpected === 0;
}

/** One line per figure, for the terminal. */
export function figureLine(figure: ChaosFigure): string {
  const verb = figure.unit === 'lines' ? 'stored' : 'published';
  const moved = figure.moved === undefined ? '' : `, under another id ${figure.moved}`;
  return `${figureOk(figure) ? 'ok  ' : 'FAIL'} ${figure.name}: ${figure.unit} expected ${figure.expected}, ${verb} ${figure.delivered}, duplicated ${figure.duplicated}, missing ${figure.missing}, unexpected ${figure.unexpected}${moved}`;
}

/** How big the cases are: `tiny` for the fast test, `full` for `npm run chaos`. */
export interface ChaosSize {
  readonly gatewayLines: number;
  readonly shuffleSeeds: number;
  readonly users: number;
  readonly concurrency: number;
}

export const FULL: ChaosSize = { gatewayLines: 150, shuffleSeeds: 4, users: 24, concurrency: 20 };
export const TINY: ChaosSize = { gatewayLines: 20, shuffleSeeds: 1, users: 4, concurrency: 4 };

/** Compares two multisets of keys. */
function compare(
  name: string,
  unit: ChaosFigure['unit'],
  expected: readonly string[],
  delivered: readonly string[],
): ChaosFigure {
  const want = new Map<string, number>();
  for (const key of expected) want.set(key, (want.get(key) ?? 0) + 1);
  const have = new Map<string, number>();
  for (const key of delivered) have.set(key, (have.get(key) ?? 0) + 1);
  let duplicated = 0;
  let missing = 0;
  let unexpected = 0;
  for (const [key, count] of want) {
    const got = have.get(key) ?? 0;
    if (got < count) missing += count - got;
    if (got > count) duplicated += got - count;
  }
  for (const [key, count] of have) if (!want.has(key)) unexpected += count;
  return {
    name,
    unit,
    expected: expected.length,
    delivered: delivered.length,
    duplicated,
    missing,
    unexpected,
  };
}

class Crash extends Error {}

/** The import cases against `moto`. */
async function importCases(moto: Moto, size: ChaosSize): Promise<ChaosFigure[]> {
  const work = await mkdtemp(join(tmpdir(), 'tw-chaos-'));
  const group = await moto.createLogGroup('/tunnelwatch/chaos');
  const gateway = await writeGatewayDownloads(work, {
    lines: size.gatewayLines,
    start: Date.now() - 6 * 3_600_000,
    window: Math.ceil(size.gatewayLines / 2.5),
    every: Math.ceil(size.gatewayLines / 5),
  });
  const stored = async (stream: string): Promise<string[]> => {
    const joiner = new ContinuationJoiner();
    const lines: string[] = [];
    for await (const event of readLogStream(moto.client(), group, stream)) {
      lines.push(...joiner.push(event.message));
    }
    return [...lines, ...joiner.end()];
  };
  const run = async (
    stream: string,
    files: readonly string[],
    extra: Partial<ImportEnvironment> = {},
  ) =>
    importLogs(
      { logGroup: group, files, stream, source: 'auto', timeZone: 'Asia/Tokyo' },
      {
        client: moto.client(),
        checkpoints: await CheckpointFile.load(join(work, `${stream}.state.json`)),
        rejectsPath: join(work, `${stream}.rejects.ndjson`),
        retry: { ...DEFAULT_RETRY, baseDelayMs: 1, maxDelayMs: 5 },
        settleMs: 0,
        limits: { ...SERVICE_LIMITS, maxEvents: 25 },
        ...extra,
      },
    );
  const figures: ChaosFigure[] = [];

  // Kills: a crash at every step of every batch, then a rerun.
  const clean = await run('clean', gateway.files);
  const steps: ImportStep[] = [
    'sealed',
    'pending-saved',
    'acknowledged',
    'rejects-written',
    'saved',
  ];
  const expected: string[] = [];
  const delivered: string[] = [];
  for (let batch = 1; batch <= clean.progress.batches; batch++) {
    for (const step of steps) {
      const stream = `kill-${batch}-${step}`;
      await run(stream, gateway.files, {
        onStep: (at, number) => {
          if (at === step && number === batch) throw new Crash(`${step} of batch ${batch}`);
        },
      }).catch((error: unknown) => {
        if (!(error instanceof Crash)) throw error;
      });
      await run(stream, gateway.files);
      expected.push(...gateway.lines.map((line) => `${stream}|${line}`));
      delivered.push(...(await stored(stream)).map((line) => `${stream}|${line}`));
    }
  }
  figures.push(
    compare(
      `import killed at each of ${steps.length} steps of ${clean.progress.batches} batches, then rerun`,
      'lines',
      expected,
      delivered,
    ),
  );

  // Reorders: overlapping downloads in a random order, cut into random runs, some repeated.
  const reorderExpected: string[] = [];
  const reorderDelivered: string[] = [];
  for (let seed = 1; seed <= size.shuffleSeeds; seed++) {
    const random = seededRandom(seed);
    const order = [...gateway.files, ...gateway.files.slice(0, 2)];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const stream = `reorder-${seed}`;
    for (let i = 0; i < order.length; ) {
      const take = 1 + Math.floor(random() * 3);
      await run(stream, order.slice(i, i + take));
      i += take;
    }
    reorderExpected.push(...gateway.lines.map((line) => `${stream}|${line}`));
    reorderDelivered.push(...(await stored(stream)).map((line) => `${stream}|${line}`));
  }
  figures.push(
    compare(
      `import of shuffled overlapping downloads over shuffled runs (${size.shuffleSeeds} seeds)`,
      'lines',
      reorderExpected,
      reorderDelivered,
    ),
  );

  // A request stored by the service whose answer is lost.
  const client = moto.client();
  let puts = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'PutLogEventsCommand' && ++puts % 3 === 2) {
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }
      return result;
    },
    { step: 'initialize', name: 'chaosLostAnswer' },
  );
  await run('lost-answers', gateway.files, { client });
  figures.push(
    compare(
      'import with every third answer lost after the request was stored',
      'lines',
      gateway.lines,
      await stored('lost-answers'),
    ),
  );
  return figures;
}

/** A multi-tunnel synthetic log: per tunnel, users whose certificate expired (one alert each), dated in the last hour. */
function tunnelLog(size: ChaosSize): { stream: string; message: string; timestamp: number }[] {
  const now = Date.now();
  const lines: { stream: string; message: string; timestamp: number }[] = [];
  const tunnels = [
    'vpn-0a1-203.0.113.10',
    'vpn-0a1-203.0.113.11',
    'vpn-0b2-198.51.100.4',
    'vpn-0b2-198.51.100.5',
  ];
  for (let user = 0; user < size.users; user++) {
    const stream = tunnels[user % tunnels.length]!;
    for (let attempt = 0; attempt < 3; attempt++) {
      const timestamp = now - 50 * 60_000 + user * 60_000 + attempt * 5_000;
      lines.push({
        stream,
        timestamp,
        message: JSON.stringify({
          t: new Date(timestamp).toISOString(),
          c: 'cert.expired',
          f: { user: `user${user}`, clientIp: `198.51.100.${user}` },
        }),
      });
    }
  }
  return lines;
}

/** The figure of an alert case: `published` matched by incident against `expected`. */
function compareIncidents(
  name: string,
  expected: readonly AlertRef[],
  published: readonly AlertRef[],
): ChaosFigure {
  const comparison = compareAlertRefs(expected, published, DEFAULT_RULES_CONFIG);
  const copies = published.length - new Set(published.map((alert) => alert.id)).size;
  return {
    name,
    unit: 'alerts',
    expected: expected.length,
    delivered: published.length,
    duplicated: copies + comparison.doubled.length,
    missing: comparison.lost.length,
    unexpected: comparison.extra.length,
    moved: comparison.moved.length,
  };
}

function handlerFor(aws: AwsFixture, sns = aws.sns) {
  return subscriptionHandlerOn(aws, {
    logGroupSources: [{ prefix: '/tunnelwatch/', source: 'aws-s2s' }],
    sns,
    sources: SYNTHETIC_SOURCES,
  });
}

/** A delivery: one stream's events, as CloudWatch Logs hands them to the function. */
function deliveryOf(
  stream: string,
  events: readonly { message: string; timestamp: number; n: number }[],
) {
  return subscriptionEvent(
    events.map((event) => ({
      id: logEventId(event.timestamp, event.n),
      timestamp: event.timestamp,
      message: event.message,
    })),
    { logGroup: '/tunnelwatch/chaos', logStream: stream },
  );
}

/** Lambda's async retries: the invocation again after a failure, up to 3 attempts in all (then the on-failure queue). */
async function invokeWithRetries(
  handler: (event: unknown) => Promise<void>,
  event: unknown,
): Promise<boolean> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await handler(event);
      return true;
    } catch {
      // retried, as Lambda retries an asynchronous invocation
    }
  }
  return false;
}

/** The alert cases against `emulator`. */
async function alertCases(emulator: Emulator, size: ChaosSize): Promise<ChaosFigure[]> {
  const log = tunnelLog(size).map((event, n) => ({ ...event, n }));
  const streams = [...new Set(log.map((event) => event.stream))];
  // Expected: every stream delivered once, in order, on a fresh table and topic.
  const reference = await createAwsFixture(emulator, `chaos-ref-${Date.now()}`);
  const inOrder = handlerFor(reference);
  for (const stream of streams) {
    await inOrder(
      deliveryOf(
        stream,
        log.filter((event) => event.stream === stream),
      ),
    );
  }
  const expected = await drainAlerts(reference);
  const figures: ChaosFigure[] = [];

  // SNS refuses publishes for a while; each invocation is retried as Lambda does.
  const failing = await createAwsFixture(emulator, `chaos-sns-${Date.now()}`);
  let refusals = Math.ceil(expected.length / 2);
  failing.sns.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName?.startsWith('Publish') === true && refusals > 0) {
        refusals--;
        throw Object.assign(new Error('Service Unavailable'), {
          name: 'InternalErrorException',
          $metadata: { httpStatusCode: 500 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'chaosSnsOutage' },
  );
  const flaky = handlerFor(failing);
  for (const stream of streams) {
    await invokeWithRetries(
      flaky,
      deliveryOf(
        stream,
        log.filter((event) => event.stream === stream),
      ),
    );
  }
  figures.push(
    compareIncidents(
      'alerts with SNS refusing publishes, then recovering (Lambda retries)',
      expected,
      await drainAlerts(failing),
    ),
  );

  // Redeliveries, reorders and concurrency: shuffled deliveries of 1–4 events, a third redelivered, 20 at a time.
  const chaotic = await createAwsFixture(emulator, `chaos-conc-${Date.now()}`);
  const handler = handlerFor(chaotic);
  const random = seededRandom(11);
  const deliveries: ReturnType<typeof deliveryOf>[] = [];
  for (const stream of streams) {
    const events = log.filter((event) => event.stream === stream);
    for (let i = 0; i < events.length; ) {
      const take = 1 + Math.floor(random() * 4);
      const delivery = deliveryOf(stream, events.slice(i, i + take));
      deliveries.push(delivery);
      if (random() < 0.33) deliveries.push(delivery);
      i += take;
    }
  }
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
  }
  for (let i = 0; i < deliveries.length; i += size.concurrency) {
    await Promise.all(
      deliveries
        .slice(i, i + size.concurrency)
        .map((delivery) => invokeWithRetries(handler, delivery)),
    );
  }
  figures.push(
    compareIncidents(
      `alerts from ${deliveries.length} shuffled deliveries (a third redelivered) of ${streams.length} tunnels, ${size.concurrency} concurrent`,
      expected,
      await drainAlerts(chaotic),
    ),
  );
  return figures;
}

/** Runs every case on one emulator; returns the figures. */
export async function runChaos(size: ChaosSize = FULL): Promise<ChaosFigure[]> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const moto = await startMoto();
  try {
    const emulator: Emulator = {
      endpoint: moto.endpoint,
      clientConfig: {
        endpoint: moto.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      },
      stop: () => moto.stop(),
    };
    return [...(await importCases(moto, size)), ...(await alertCases(emulator, size))];
  } finally {
    await moto.stop();
  }
}
