/**
 * The importer against the moto emulator (CloudWatch Logs). moto implements
 * CreateLogGroup/Stream, PutLogEvents, GetLogEvents, FilterLogEvents and
 * DescribeLogStreams; it does not enforce the batch limits (count, bytes,
 * 24 h span) or the event size, reports `tooOldLogEventEndIndex` inclusively
 * (the API reference says exclusive) and treats GetLogEvents `endTime` as
 * inclusive. Limits are therefore asserted on what the importer sends.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointFile } from '../../src/aws/checkpoint.ts';
import { DEFAULT_RETRY, readLogStream } from '../../src/aws/cloudwatch-logs.ts';
import { ContinuationJoiner } from '../../src/aws/continuation.ts';
import { type BatchFigures, importLogs } from '../../src/aws/importer.ts';
import {
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  MAX_BATCH_SPAN_MS,
  MAX_EVENT_MESSAGE_BYTES,
} from '../../src/aws/limits.ts';
import { importCommand } from '../../src/cli/commands/import.ts';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../helpers/capture-io.ts';
import { writeGatewayDownloads, writeSoftEtherTree } from './fixtures.ts';
import { type Moto, startMoto } from './moto.ts';

let moto: Moto;
let work: string;

beforeAll(async () => {
  moto = await startMoto();
  work = await mkdtemp(join(tmpdir(), 'tw-import-'));
});
afterAll(async () => {
  await moto?.stop();
});

async function readBack(group: string, stream: string): Promise<string[]> {
  const joiner = new ContinuationJoiner();
  const out: string[] = [];
  for await (const event of readLogStream(moto.client(), group, stream))
    out.push(...joiner.push(event.message));
  return [...out, ...joiner.end()];
}

async function runImport(
  args: readonly string[],
  signal?: AbortSignal,
  onBatches?: (n: number) => void,
  state = join(work, 'state.json'),
) {
  const io = captureIo();
  const code = await importCommand(
    [
      '--endpoint-url',
      moto.endpoint,
      '--state',
      state,
      '--rejects',
      join(work, 'rejects.ndjson'),
      '--json',
      ...args,
    ],
    io,
    {
      ...(signal === undefined ? {} : { signal }),
      retry: DEFAULT_RETRY,
      settleMs: 0,
      progress: (p) => onBatches?.(p.batches),
    },
  );
  const summary =
    io.stdout.length > 0 ? (JSON.parse(io.stdout[0]!) as Record<string, unknown>) : {};
  return { code, summary, stderr: io.stderr, stdout: io.stdout };
}

describe('import against the emulator', () => {
  const now = Date.now();
  let softether: { directory: string; lines: string[] };
  let gateway: { files: string[]; lines: string[] };

  beforeAll(async () => {
    softether = await writeSoftEtherTree(join(work, 'vpnserver'), {
      lines: 150_000,
      start: now - 9 * 86_400_000,
      stepMs: 5_000,
      splitEvery: 9_000,
      oversizeAt: 777,
    });
    gateway = await writeGatewayDownloads(join(work, 'nifcloud'), {
      lines: 50_000,
      start: now - 3 * 86_400_000,
      window: 1000,
      every: 700,
    });
  }, 60_000);

  it('imports rotated SoftEther files and overlapping gateway downloads: every line once, in order', async () => {
    // Prepare: downloads handed over newest first, to check the chronological ordering.
    const group = await moto.createLogGroup('/tunnelwatch/import');
    const downloads = [...gateway.files].reverse();
    // Act
    const first = await runImport([
      '--log-group',
      group,
      '--tz',
      'Asia/Tokyo',
      join(work, 'vpnserver'),
    ]);
    const second = await runImport([
      '--log-group',
      group,
      '--tz',
      'Asia/Tokyo',
      '--stream',
      'gateway',
      ...downloads,
    ]);
    // Assess
    expect(first.code, first.stderr.join('\n')).toBe(0);
    expect(second.code, second.stderr.join('\n')).toBe(0);
    expect(first.summary.imported).toBe(softether.lines.length);
    expect(first.summary.split).toBe(1);
    expect(second.summary.imported).toBe(gateway.lines.length);
    expect(Number(second.summary.alreadyImported)).toBeGreaterThan(0);
    expect(await readBack(group, 'vpnserver/server_log/vpn')).toEqual(softether.lines);
    expect(await readBack(group, 'gateway')).toEqual(gateway.lines);
    const fill = first.summary.fill as { meanFraction: number };
    expect(fill.meanFraction).toBeGreaterThan(0.8);
  }, 120_000);

  it('adds nothing when the same files are imported again, and --verify finds them all', async () => {
    const group = '/tunnelwatch/import';
    const again = await runImport([
      '--log-group',
      group,
      '--tz',
      'Asia/Tokyo',
      '--stream',
      'gateway',
      '--verify',
      ...gateway.files,
    ]);
    expect(again.code, again.stderr.join('\n')).toBe(0);
    expect(again.summary.imported).toBe(0);
    expect(again.summary.batches).toBe(0);
    const [verify] = again.summary.verify as {
      missing: number;
      duplicated: number;
      expected: number;
    }[];
    expect(verify).toMatchObject({ missing: 0, duplicated: 0, expected: gateway.lines.length });
    expect(await readBack(group, 'gateway')).toEqual(gateway.lines);
  }, 60_000);

  it('resumes an interrupted import where it stopped, without duplicates', async () => {
    // Prepare
    const group = await moto.createLogGroup('/tunnelwatch/resume');
    const abort = new AbortController();
    // Act: stop after 3 acknowledged requests, then run again.
    const stopped = await runImport(
      ['--log-group', group, '--tz', 'Asia/Tokyo', join(work, 'vpnserver')],
      abort.signal,
      (batches) => {
        if (batches >= 3) abort.abort();
      },
    );
    const partial = await readBack(group, 'vpnserver/server_log/vpn');
    const resumed = await runImport([
      '--log-group',
      group,
      '--tz',
      'Asia/Tokyo',
      join(work, 'vpnserver'),
    ]);
    // Assess
    expect(stopped.code).toBe(1);
    expect(stopped.summary.interrupted).toBe(true);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(softether.lines.length);
    expect(partial).toEqual(softether.lines.slice(0, partial.length));
    expect(resumed.code, resumed.stderr.join('\n')).toBe(0);
    expect(resumed.summary.imported).toBe(softether.lines.length - partial.length);
    expect(await readBack(group, 'vpnserver/server_log/vpn')).toEqual(softether.lines);
  }, 120_000);

  it('stops on Ctrl-C after the request in flight, and the next run completes the stream', async () => {
    // Prepare: the real command in a child process.
    const group = await moto.createLogGroup('/tunnelwatch/sigint');
    const state = join(work, 'sigint-state.json');
    const child = spawn(
      process.execPath,
      [
        join(process.cwd(), 'bin', 'tunnelwatch.js'),
        'import',
        '--log-group',
        group,
        '--tz',
        'Asia/Tokyo',
        '--endpoint-url',
        moto.endpoint,
        '--state',
        state,
        '--rejects',
        join(work, 'sigint-rejects.ndjson'),
        join(work, 'vpnserver'),
      ],
      { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // Act: Ctrl-C once the first request is acknowledged (the state file appears).
    while (!existsSync(state)) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGINT');
    const code = await exited;
    const partial = await readBack(group, 'vpnserver/server_log/vpn');
    const resumed = await runImport(
      ['--log-group', group, '--tz', 'Asia/Tokyo', join(work, 'vpnserver')],
      undefined,
      undefined,
      state,
    );
    // Assess
    expect(code, stderr).toBe(1);
    expect(stderr).toContain('stopping after the batch in flight');
    expect(stderr).toContain('interrupted; run the same command again to resume');
    expect(partial.length).toBeLessThan(softether.lines.length);
    expect(resumed.summary.imported).toBe(softether.lines.length - partial.length);
    expect(await readBack(group, 'vpnserver/server_log/vpn')).toEqual(softether.lines);
  }, 120_000);

  it('lists streams and downloads one back in its original line form', async () => {
    const io = captureIo();
    expect(
      await main(
        [
          'logs',
          'list',
          '--log-group',
          '/tunnelwatch/import',
          '--json',
          '--endpoint-url',
          moto.endpoint,
        ],
        io,
      ),
    ).toBe(0);
    const rows = io.stdout.map(
      (line) => JSON.parse(line) as { stream: string; firstEvent: string; lastEvent: string },
    );
    expect(rows.map((row) => row.stream)).toEqual(['gateway', 'vpnserver/server_log/vpn']);
    expect(Date.parse(rows[1]!.firstEvent)).toBe(now - 9 * 86_400_000);
    const output = join(work, 'downloaded.log');
    const get = captureIo();
    const code = await main(
      [
        'logs',
        'get',
        '--log-group',
        '/tunnelwatch/import',
        '--stream',
        'vpnserver/server_log/vpn',
        '-o',
        output,
        '--endpoint-url',
        moto.endpoint,
      ],
      get,
    );
    expect(code).toBe(0);
    expect(await readFile(output, 'utf8')).toBe(`${softether.lines.join('\n')}\n`);
  }, 60_000);

  it('downloads a time range only', async () => {
    const from = new Date(now - 2 * 86_400_000).toISOString();
    const to = new Date(now - 2 * 86_400_000 + 60_000).toISOString();
    const io = captureIo();
    const code = await main(
      [
        'logs',
        'get',
        '--log-group',
        '/tunnelwatch/import',
        '--stream',
        'vpnserver/server_log/vpn',
        '--start',
        from,
        '--end',
        to,
        '--endpoint-url',
        moto.endpoint,
      ],
      io,
    );
    expect(code).toBe(0);
    // 5-second steps: 12 lines in a minute (end exclusive).
    expect(io.stdout).toHaveLength(12);
  });

  it('tails recent events as NDJSON', async () => {
    const group = await moto.createLogGroup('/tunnelwatch/tail');
    const recent = join(work, 'recent.log');
    const stamp = new Date(Date.now() - 60_000).toISOString().replace('T', ' ').replace('Z', '');
    await writeFile(
      recent,
      `${stamp} The SoftEther VPN Server has been started.\n${stamp} second line\n`,
    );
    expect((await runImport(['--log-group', group, '--stream', 'server', recent])).code).toBe(0);
    const io = captureIo();
    expect(
      await main(
        [
          'tail',
          '--log-group',
          group,
          '--since',
          '1h',
          '--events',
          '--endpoint-url',
          moto.endpoint,
        ],
        io,
      ),
    ).toBe(0);
    const events = io.stdout.map(
      (line) => JSON.parse(line) as { stream: string; raw?: string; time: string },
    );
    expect(events.map((event) => event.stream)).toEqual(['server', 'server']);
    expect(events[0]!.time).toBe(new Date(`${stamp}Z`).toISOString());
    // logs list --measure counts what AWS no longer reports per stream.
    const measured = captureIo();
    const listArgs = ['logs', 'list', '--log-group', group, '--measure', '--json'];
    expect(await main([...listArgs, '--endpoint-url', moto.endpoint], measured)).toBe(0);
    expect(JSON.parse(measured.stdout[0]!)).toMatchObject({
      stream: 'server',
      events: 2,
      messageBytes: Buffer.byteLength(
        `${stamp} The SoftEther VPN Server has been started.${stamp} second line`,
      ),
    });
  });
});

describe('--verify', () => {
  const stamp = (ms: number): string =>
    new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

  it('reports a line stored twice and reads a stream back when an old checkpoint claims more than it holds', async () => {
    // Prepare: ten lines imported; one of them written again by another writer.
    const group = await moto.createLogGroup('/tunnelwatch/verify');
    const base = Date.now() - 86_400_000;
    const lines = Array.from({ length: 10 }, (_, i) => `${stamp(base + i * 1000)} line ${i}`);
    const path = join(work, 'verify.log');
    await writeFile(path, `${lines.join('\n')}\n`);
    const state = join(work, 'verify-state.json');
    const args = [
      '--endpoint-url',
      moto.endpoint,
      '--log-group',
      group,
      '--stream',
      'v',
      '--json',
      '--verify',
      path,
    ];
    expect(await importCommand(['--state', state, ...args], captureIo())).toBe(0);
    await moto.client().send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: 'v',
        logEvents: [{ timestamp: base + 3000, message: lines[3]! }],
      }),
    );
    // Act
    const duplicated = captureIo();
    const duplicatedCode = await importCommand(['--state', state, ...args], duplicated);
    // A version 1 state file whose checkpoint is ahead of a new, empty stream.
    const group2 = await moto.createLogGroup('/tunnelwatch/verify-missing');
    const aheadState = join(work, 'ahead-state.json');
    await writeFile(
      aheadState,
      JSON.stringify({
        version: 1,
        streams: {
          [`${group2}\u0000v`]: { time: base + 4000, atTime: {}, lines: 0, updatedAt: '' },
        },
      }),
    );
    const missing = captureIo();
    const missingCode = await importCommand(
      ['--state', aheadState, ...args.map((arg) => (arg === group ? group2 : arg))],
      missing,
    );
    // Assess
    expect(duplicatedCode, duplicated.stderr.join('\n')).toBe(1);
    const [dup] = JSON.parse(duplicated.stdout[0]!).verify;
    expect(dup).toMatchObject({ expected: 10, stored: 11, missing: 0, duplicated: 1 });
    expect(dup.examples).toEqual([`duplicated ×1: ${lines[3]}`]);
    // A version 1 checkpoint has no digest: the import reads the stream back and sends what it lacks.
    expect(missingCode, missing.stderr.join('\n')).toBe(0);
    const summary = JSON.parse(missing.stdout[0]!);
    expect(summary.alreadyImported).toBe(0);
    expect(summary.imported).toBe(10);
    expect(summary.verify[0]).toMatchObject({
      expected: 10,
      stored: 10,
      missing: 0,
      duplicated: 0,
    });
  });
});

describe('batch limits on the wire', () => {
  async function importFile(
    name: string,
    text: string,
  ): Promise<{ batches: BatchFigures[]; group: string }> {
    const group = await moto.createLogGroup(`/tunnelwatch/limits/${name}`);
    const path = join(work, `${name}.log`);
    await writeFile(path, text);
    const batches: BatchFigures[] = [];
    const result = await importLogs(
      { logGroup: group, files: [path], source: 'auto', timeZone: 'UTC', stream: name },
      {
        client: moto.client(),
        checkpoints: await CheckpointFile.load(join(work, `${name}-state.json`)),
        rejectsPath: join(work, `${name}-rejects.ndjson`),
        retry: DEFAULT_RETRY,
        onBatch: (figures) => batches.push(figures),
      },
    );
    expect(result.progress.rejected).toBe(0);
    return { batches, group };
  }

  const stamp = (ms: number): string =>
    new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  const base = Date.now() - 3 * 86_400_000;

  it('sends exactly 10,000 events per request when the count binds', async () => {
    const lines = Array.from({ length: MAX_BATCH_EVENTS + 1 }, (_, i) => `${stamp(base)} e${i}`);
    const { batches, group } = await importFile('count', `${lines.join('\n')}\n`);
    expect(batches.map((b) => [b.events, b.reason])).toEqual([
      [MAX_BATCH_EVENTS, 'events'],
      [1, 'flush'],
    ]);
    expect(await readBack(group, 'count')).toEqual(lines);
  });

  it('sends exactly 1,048,576 bytes per request when the size binds', async () => {
    const prefix = `${stamp(base)} `;
    const line = prefix + 'b'.repeat(MAX_EVENT_MESSAGE_BYTES - prefix.length);
    const lines = Array.from({ length: 5 }, () => line);
    const { batches, group } = await importFile('bytes', `${lines.join('\n')}\n`);
    expect(batches.map((b) => [b.events, b.bytes, b.reason])).toEqual([
      [4, MAX_BATCH_BYTES, 'bytes'],
      [1, MAX_BATCH_BYTES / 4, 'flush'],
    ]);
    expect(await readBack(group, 'bytes')).toEqual(lines);
  }, 60_000);

  it('closes a request at a 24-hour span', async () => {
    const lines = [
      `${stamp(base)} a`,
      `${stamp(base + MAX_BATCH_SPAN_MS)} b`,
      `${stamp(base + MAX_BATCH_SPAN_MS + 1)} c`,
    ];
    const { batches, group } = await importFile('span', `${lines.join('\n')}\n`);
    expect(batches.map((b) => [b.events, b.reason])).toEqual([
      [2, 'span'],
      [1, 'flush'],
    ]);
    expect(await readBack(group, 'span')).toEqual(lines);
  });

  it('splits an oversize line into marked events and nothing is lost', async () => {
    const line = `${stamp(base)} ${'x'.repeat(600_000)}`;
    const { batches, group } = await importFile('oversize', `${line}\nnext\n`);
    expect(batches.reduce((sum, b) => sum + b.events, 0)).toBe(4);
    const raw: string[] = [];
    for await (const event of readLogStream(moto.client(), group, 'oversize'))
      raw.push(event.message);
    expect(raw.slice(0, 3).map((m) => m.slice(0, 24))).toEqual([
      '[tunnelwatch part 1/3] 2',
      '[tunnelwatch part 2/3] x',
      '[tunnelwatch part 3/3] x',
    ]);
    expect(await readBack(group, 'oversize')).toEqual([line, 'next']);
  }, 60_000);
});
