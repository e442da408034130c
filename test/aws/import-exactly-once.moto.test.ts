/**
 * Exactly once against the moto emulator: a crash at every step of every
 * batch, a real `kill -9` of the command, overlapping downloads imported in
 * any order over any number of runs, a request that failed after the service
 * stored it, and a line split over two requests. Each case reads the stream
 * back and compares it, as a multiset, with the lines of the files.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_LIMITS } from '../../src/aws/batcher.ts';
import { CheckpointFile } from '../../src/aws/checkpoint.ts';
import { DEFAULT_RETRY, readLogStream } from '../../src/aws/cloudwatch-logs.ts';
import { ContinuationJoiner } from '../../src/aws/continuation.ts';
import { type ImportEnvironment, type ImportStep, importLogs } from '../../src/aws/importer.ts';
import { writeGatewayDownloads, writeSoftEtherTree } from './fixtures.ts';
import { type Moto, startMoto } from './moto.ts';

let moto: Moto;
let work: string;
let gateway: { files: string[]; lines: string[] };
const GROUP = '/tunnelwatch/exactly-once';

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'tw-once-'));
  await moto.createLogGroup(GROUP);
  // 150 lines, three a second with repeats; downloads of 60 lines every 30.
  gateway = await writeGatewayDownloads(work, {
    lines: 150,
    start: Date.now() - 6 * 3_600_000,
    window: 60,
    every: 30,
  });
}, 60_000);
afterAll(async () => {
  await moto?.stop();
});

class Crash extends Error {}

async function stored(stream: string, client = moto.client()): Promise<string[]> {
  const joiner = new ContinuationJoiner();
  const lines: string[] = [];
  for await (const event of readLogStream(client, GROUP, stream)) {
    lines.push(...joiner.push(event.message));
  }
  return [...lines, ...joiner.end()];
}

const sorted = (lines: readonly string[]): string[] => [...lines].sort();

async function importInto(
  stream: string,
  files: readonly string[],
  state: string,
  extra: Partial<ImportEnvironment> = {},
) {
  return importLogs(
    { logGroup: GROUP, files, stream, source: 'auto', timeZone: 'Asia/Tokyo' },
    {
      client: moto.client(),
      checkpoints: await CheckpointFile.load(state),
      rejectsPath: join(work, `${stream}.rejects.ndjson`),
      retry: { ...DEFAULT_RETRY, baseDelayMs: 1, maxDelayMs: 5 },
      settleMs: 0,
      limits: { ...SERVICE_LIMITS, maxEvents: 25 },
      ...extra,
    },
  );
}

/** A seeded shuffle (mulberry32), so that a failing order can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('exactly once across crashes', () => {
  const steps: readonly ImportStep[] = [
    'sealed',
    'pending-saved',
    'acknowledged',
    'rejects-written',
    'saved',
  ];

  it('stores every line once after a crash at any step of any batch and a rerun', async () => {
    // Prepare: how many batches a clean import of all downloads sends.
    const clean = await importInto('clean', gateway.files, join(work, 'clean.json'));
    expect(sorted(await stored('clean'))).toEqual(sorted(gateway.lines));
    const batches = clean.progress.batches;
    expect(batches).toBeGreaterThanOrEqual(6);
    const failures: string[] = [];
    for (let batch = 1; batch <= batches; batch++) {
      for (const step of steps) {
        const stream = `crash-${batch}-${step}`;
        const state = join(work, `${stream}.json`);
        // Act: crash at the step, then run again.
        await expect(
          importInto(stream, gateway.files, state, {
            onStep: (at, number) => {
              if (at === step && number === batch) throw new Crash(`${step} of batch ${batch}`);
            },
          }),
        ).rejects.toThrow(Crash);
        const rerun = await importInto(stream, gateway.files, state);
        const lines = await stored(stream);
        // Assess
        if (JSON.stringify(sorted(lines)) !== JSON.stringify(sorted(gateway.lines))) {
          failures.push(`${stream}: ${lines.length} stored of ${gateway.lines.length}`);
        }
        if (step === 'pending-saved' || step === 'acknowledged' || step === 'rejects-written') {
          expect(rerun.progress.recovered, stream).toBe(1);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 180_000);

  it('stores every line once when the command is killed with SIGKILL mid-import, again and again', async () => {
    // Prepare: a SoftEther tree big enough for an import to take a while.
    const tree = await writeSoftEtherTree(join(work, 'kill', 'vpnserver'), {
      lines: 40_000,
      start: Date.now() - 3 * 86_400_000,
      stepMs: 5000,
      splitEvery: 7000,
    });
    const state = join(work, 'kill-state.json');
    const args = [
      'bin/tunnelwatch.js',
      'import',
      '--endpoint-url',
      moto.endpoint,
      '--log-group',
      GROUP,
      '--stream',
      'killed',
      '--state',
      state,
      '--rejects',
      join(work, 'kill-rejects.ndjson'),
      '--tz',
      'Asia/Tokyo',
      '--settle',
      '0',
      '--json',
      tree.directory,
    ];
    const run = (killAfterSaves: number | undefined) =>
      new Promise<{ code: number | null; killed: boolean; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, args, {
          env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
        });
        let killed = false;
        let seen = 0;
        let last = 0;
        const timer =
          killAfterSaves === undefined
            ? undefined
            : setInterval(async () => {
                const mtime = await stat(state).then(
                  (s) => s.mtimeMs,
                  () => 0,
                );
                if (mtime !== last) {
                  last = mtime;
                  seen++;
                }
                if (seen >= killAfterSaves && !killed) {
                  killed = true;
                  child.kill('SIGKILL');
                }
              }, 5);
        child.on('exit', (code) => {
          if (timer !== undefined) clearInterval(timer);
          resolve({ code, killed, stdout });
        });
      });
    // Act: three kills at different points, then a run to the end.
    const kills: boolean[] = [];
    for (const saves of [2, 5, 3]) kills.push((await run(saves)).killed);
    const final = await run(undefined);
    // Assess
    expect(kills.filter(Boolean).length).toBeGreaterThanOrEqual(2);
    expect(final.code).toBe(0);
    const summary = JSON.parse(final.stdout) as { interrupted: boolean };
    expect(summary.interrupted).toBe(false);
    const lines = await stored('killed');
    expect(lines.length).toBe(tree.lines.length);
    expect(sorted(lines)).toEqual(sorted(tree.lines));
  }, 240_000);
});

describe('exactly once in any order of files and runs', () => {
  it('stores every line once when an older download is imported in a later run than a newer one', async () => {
    // Prepare: the newest download first, then every older one, one run each.
    const state = join(work, 'older.json');
    const newestFirst = [...gateway.files].reverse();
    // Act
    const runs = [];
    for (const file of newestFirst) runs.push(await importInto('older', [file], state));
    // Assess
    expect(sorted(await stored('older'))).toEqual(sorted(gateway.lines));
    const imported = runs.reduce((sum, run) => sum + run.progress.imported, 0);
    expect(imported).toBe(gateway.lines.length);
    expect(runs[1]!.progress.imported).toBeGreaterThan(0);
  });

  it.each([1, 2, 3, 4])(
    'stores every line once for shuffled files over shuffled runs (seed %i)',
    async (seed) => {
      // Prepare: the downloads in a random order, cut into random runs, some repeated.
      const stream = `shuffle-${seed}`;
      const state = join(work, `${stream}.json`);
      const order = shuffled([...gateway.files, ...gateway.files.slice(0, 2)], seed);
      const runs: string[][] = [];
      for (let i = 0; i < order.length; ) {
        const size = 1 + ((seed * 7 + i) % 3);
        runs.push(order.slice(i, i + size));
        i += size;
      }
      // Act
      for (const files of runs) await importInto(stream, files, state);
      // Assess
      expect(sorted(await stored(stream))).toEqual(sorted(gateway.lines));
    },
  );

  it('adds nothing when every download is imported again, and tells it from the digests alone', async () => {
    const state = join(work, 'again.json');
    await importInto('again', gateway.files, state);
    const again = await importInto('again', gateway.files, state);
    expect(again.progress.imported).toBe(0);
    expect(sorted(await stored('again'))).toEqual(sorted(gateway.lines));
  });
});

describe('exactly once across failed requests', () => {
  it('sends only the rest when a request failed after the service stored it', async () => {
    // Prepare: a client whose second PutLogEvents is stored, then answered with a reset connection.
    const client = moto.client();
    let puts = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'PutLogEventsCommand' && ++puts === 2) {
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        }
        return result;
      },
      { step: 'initialize', name: 'lostAnswer' },
    );
    // Act
    const result = await importInto('lost-answer', gateway.files, join(work, 'lost.json'), {
      client,
    });
    // Assess
    expect(puts).toBeGreaterThan(2);
    expect(result.progress.imported).toBe(gateway.lines.length);
    expect(sorted(await stored('lost-answer'))).toEqual(sorted(gateway.lines));
  });

  it('stores a line split over two requests once when stopped inside it', async () => {
    // Prepare: a line of 8 parts spans two requests; stop after the first.
    const at = new Date(Date.now() - 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    const long = `${at} ${'M'.repeat(900)}`;
    const path = join(work, 'long.log');
    await writeFile(path, `${at} before\n${long}\n${at} after\n`);
    const limits = { ...SERVICE_LIMITS, maxEvents: 10, maxBytes: 600, maxMessageBytes: 150 };
    const abort = new AbortController();
    const state = join(work, 'long.json');
    // Act
    await importLogs(
      { logGroup: GROUP, files: [path], stream: 'long', source: 'auto', timeZone: 'UTC' },
      {
        client: moto.client(),
        checkpoints: await CheckpointFile.load(state),
        rejectsPath: join(work, 'long.rejects'),
        retry: DEFAULT_RETRY,
        settleMs: 0,
        limits,
        signal: abort.signal,
        onBatch: () => abort.abort(),
      },
    );
    const events = async (): Promise<string[]> => {
      const messages: string[] = [];
      for await (const event of readLogStream(moto.client(), GROUP, 'long')) {
        messages.push(event.message);
      }
      return messages;
    };
    const first = await events();
    await importLogs(
      { logGroup: GROUP, files: [path], stream: 'long', source: 'auto', timeZone: 'UTC' },
      {
        client: moto.client(),
        checkpoints: await CheckpointFile.load(state),
        rejectsPath: join(work, 'long.rejects'),
        retry: DEFAULT_RETRY,
        settleMs: 0,
        limits,
      },
    );
    // Assess
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(10);
    expect(sorted(await stored('long'))).toEqual(sorted([`${at} before`, long, `${at} after`]));
    const parts = (await events()).filter((message) => message.startsWith('[tunnelwatch part'));
    expect(parts).toHaveLength(8);
  });
});
