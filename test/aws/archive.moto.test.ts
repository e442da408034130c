/**
 * The S3 archive against the moto emulator (S3 and CloudWatch Logs): an
 * import of a log spanning years sends the last two weeks to the log group
 * and everything older to the archive, each line once, in partitioned gzip
 * NDJSON objects with the parsed fields; reruns and kills add nothing twice;
 * `logs get`, `report` and `replay --archive` read a time range back. Without an archive, lines
 * that could go nowhere make `import` exit 1.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLogStream } from '../../src/aws/cloudwatch-logs.ts';
import { readArchive } from '../../src/aws/s3-archive.ts';
import { importCommand } from '../../src/cli/commands/import.ts';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../helpers/capture-io.ts';
import { type Moto, startMoto } from './moto.ts';

let moto: Moto;
let s3: S3Client;
let work: string;
const GROUP = '/tunnelwatch/history';
const BUCKET = 'tunnelwatch-archive';
const DAY = 86_400_000;

/**
 * SoftEther server log lines, one failed login every 12 hours from `from` to
 * `to` (epoch ms), in UTC; every tenth day a burst of six from one address
 * within five minutes (a brute force the rules alert on).
 */
function softetherLines(from: number, to: number): string[] {
  const lines: string[] = [];
  const failed = (time: number, id: string, user: string, address: string) =>
    `${new Date(time).toISOString().replace('T', ' ').replace('Z', '')} [HUB "DEFAULT"] Connection "CID-${id}": User authentication failed. The user name that has been provided was "${user}", from ${address}.`;
  for (let time = from, i = 0; time <= to; time += 12 * 3_600_000, i++) {
    lines.push(failed(time, `${i}`, 'alice', `198.51.100.${i % 250}`));
    if (i % 20 !== 10) continue;
    for (let k = 1; k <= 6; k++) {
      lines.push(failed(time + k * 50_000, `${i}-${k}`, `guess${k}`, '203.0.113.7'));
    }
  }
  return lines;
}

beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await moto.createLogGroup(GROUP);
  work = await mkdtemp(join(tmpdir(), 'tw-archive-'));
}, 60_000);
afterAll(async () => {
  await moto?.stop();
});

async function importWith(args: readonly string[], state: string) {
  const io = captureIo();
  const code = await importCommand(
    [
      '--endpoint-url',
      moto.endpoint,
      '--log-group',
      GROUP,
      '--state',
      state,
      '--rejects',
      join(work, 'rejects.ndjson'),
      '--settle',
      '0',
      '--json',
      ...args,
    ],
    io,
  );
  const summary =
    io.stdout.length > 0 ? (JSON.parse(io.stdout[0]!) as Record<string, unknown>) : {};
  return { code, summary, stderr: io.stderr };
}

describe('import with an archive', () => {
  const now = Date.now();
  const from = now - 200 * DAY;
  let lines: string[];
  let path: string;
  /** Arguments reading the SoftEther stream's lines from start to end back from the archive. */
  const archiveRange = (start: number, end: number) => [
    '--endpoint-url',
    moto.endpoint,
    '--archive',
    `s3://${BUCKET}/logs`,
    '--stream',
    'vpnserver/server_log/vpn',
    '--start',
    new Date(start).toISOString(),
    '--end',
    new Date(end).toISOString(),
  ];
  /** The lines written at or after start and before end (their UTC stamps). */
  const linesBetween = (start: number, end: number) =>
    lines.filter((line) => {
      const time = Date.parse(`${line.slice(0, 23).replace(' ', 'T')}Z`);
      return time >= start && time < end;
    });

  beforeAll(async () => {
    lines = softetherLines(from, now - 3_600_000);
    const directory = join(work, 'vpnserver', 'server_log');
    await mkdir(directory, { recursive: true });
    path = join(directory, 'vpn_20240101.log');
    await writeFile(path, `${lines.join('\n')}\n`);
  });

  it('sends recent lines to the log group and older ones to the archive, each once, and says how many went where', async () => {
    // Act: import, then import again.
    const state = join(work, 'state.json');
    const archive = `s3://${BUCKET}/logs`;
    const first = await importWith(['--archive', archive, '--source', 'softether', path], state);
    const again = await importWith(['--archive', archive, '--source', 'softether', path], state);
    // Assess
    expect(first.code, first.stderr.join('\n')).toBe(0);
    const recent = lines.filter(
      (line) => Date.parse(`${line.slice(0, 23).replace(' ', 'T')}Z`) > now - 13 * DAY,
    );
    const stored: string[] = [];
    for await (const event of readLogStream(moto.client(), GROUP, 'vpnserver/server_log/vpn')) {
      stored.push(event.message);
    }
    expect(stored.length).toBeGreaterThanOrEqual(recent.length);
    expect(first.summary.imported).toBe(stored.length);
    expect(first.summary.archived).toBe(lines.length - stored.length);
    expect(first.summary.rejected).toMatchObject({ count: 0 });
    const archived = [];
    for await (const record of readArchive(
      s3,
      { bucket: BUCKET, prefix: 'logs' },
      'vpnserver/server_log/vpn',
      0,
      now,
    )) {
      archived.push(record);
    }
    expect([...archived.map((r) => r.line), ...stored].sort()).toEqual([...lines].sort());
    expect(archived[0]).toMatchObject({
      source: 'softether',
      stream: 'vpnserver/server_log/vpn',
      category: expect.any(String),
      fields: expect.objectContaining({ user: 'alice' }),
    });
    expect(again.code).toBe(0);
    expect(again.summary.imported).toBe(0);
    expect(again.summary.archived).toBe(0);
    // Keys partitioned by source, server and day, gzip NDJSON.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'logs/' }));
    const keys = (listed.Contents ?? []).map((object) => object.Key ?? '');
    expect(keys.length).toBeGreaterThan(100);
    for (const key of keys) {
      expect(key).toMatch(
        /^logs\/source=softether\/server=vpnserver\/day=\d{4}-\d{2}-\d{2}\/vpnserver%2Fserver_log%2Fvpn\.\d+-\d+\.[0-9a-f]{16}\.ndjson\.gz$/,
      );
    }
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: keys[0] }));
    const text = gunzipSync(await object.Body!.transformToByteArray()).toString('utf8');
    expect(JSON.parse(text.split('\n')[0]!)).toHaveProperty('line');
  }, 120_000);

  it('reads a time range back from the archive with logs get --archive', async () => {
    const start = from + 30 * DAY;
    const end = from + 32 * DAY;
    const io = captureIo();
    const code = await main(['logs', 'get', ...archiveRange(start, end)], io);
    expect(code, io.stderr.join('\n')).toBe(0);
    const expected = linesBetween(start, end);
    expect(io.stdout).toEqual(expected);
  });

  it('builds the report of a time range from the archive, as of the same lines in a file', async () => {
    // Prepare: the range's lines as a file, for the reference page.
    const start = from + 30 * DAY;
    const end = from + 60 * DAY;
    const inRange = linesBetween(start, end);
    const file = join(work, 'vpnserver', 'server_log', 'range.log');
    await writeFile(file, `${inRange.join('\n')}\n`);
    const summaryOf = async (args: readonly string[]) => {
      const io = captureIo();
      const code = await main(['report', '--out', join(work, 'report.html'), ...args], io);
      return { code, line: io.stderr.at(-1) ?? '' };
    };

    // Act
    const fromArchive = await summaryOf([...archiveRange(start, end)]);
    const fromFile = await summaryOf(['--source', 'softether', file]);

    // Assess
    expect(fromArchive.code, fromArchive.line).toBe(0);
    expect(fromArchive.line).toMatch(new RegExp(`: ${inRange.length} lines, \\d+ alerts`));
    expect(fromArchive.line.replace(/^.*KiB\): /, '')).toBe(
      fromFile.line.replace(/^.*KiB\): /, ''),
    );
  });

  it('replays a time range from the archive as it replays the same lines in a file, in deliveries too', async () => {
    // Prepare: the range's lines as a file, named as the archived stream.
    const start = from + 20 * DAY;
    const end = from + 90 * DAY;
    const inRange = linesBetween(start, end);
    const file = join(work, 'replay-range.log');
    await writeFile(file, `${inRange.join('\n')}\n`);
    const replay = async (args: readonly string[]) => {
      const io = captureIo();
      const code = await main(['replay', '--json', ...args], io);
      return { code, stdout: io.stdout, stderr: io.stderr.join('\n') };
    };

    // Act
    const fromArchive = await replay(archiveRange(start, end));
    const fromFile = await replay([
      '--source',
      'softether',
      '--stream',
      'vpnserver/server_log/vpn',
      file,
    ]);
    const delivered = await replay([
      ...archiveRange(start, end),
      '--deliveries',
      '7',
      '--repeat',
      '2',
      '--check',
    ]);

    // Assess
    expect(fromArchive.code, fromArchive.stderr).toBe(0);
    const summary = JSON.parse(fromArchive.stdout.at(-1)!).summary;
    expect(summary).toMatchObject({ files: 1, events: inRange.length });
    expect(summary.alerts).toBeGreaterThan(0);
    // Event ids name the input (file or archive and stream), so alert ids differ; all else is equal.
    const withoutIds = (stdout: readonly string[]) =>
      stdout.map((line) => {
        const { id: _id, ...rest } = JSON.parse(line) as Record<string, unknown>;
        return rest;
      });
    expect(withoutIds(fromArchive.stdout)).toEqual(withoutIds(fromFile.stdout));
    expect(delivered.code, delivered.stderr).toBe(0);
    expect(JSON.parse(delivered.stdout.at(-1)!).summary.deliveries).toMatchObject({
      lossless: true,
    });
  });

  it('replays a range the archive holds no line of as nothing, saying so', async () => {
    const io = captureIo();
    const code = await main(
      ['replay', '--json', ...archiveRange(now + 10 * DAY, now + 20 * DAY)],
      io,
    );
    expect(code, io.stderr.join('\n')).toBe(0);
    expect(io.stderr.join('\n')).toMatch(/no line of vpnserver\/server_log\/vpn in the range/);
    expect(JSON.parse(io.stdout.at(-1)!).summary).toMatchObject({ files: 0, events: 0, alerts: 0 });
  });

  it('names the archive when it cannot be read', async () => {
    const io = captureIo();
    const code = await main(
      [
        'replay',
        '--endpoint-url',
        moto.endpoint,
        '--archive',
        's3://no-such-bucket/logs',
        '--stream',
        'vpnserver/server_log/vpn',
      ],
      io,
    );
    expect(code).toBe(1);
    expect(io.stderr.join('\n')).toMatch(
      /^tunnelwatch replay: archive s3:\/\/no-such-bucket\/logs: NoSuchBucket/m,
    );
  });

  it('refuses report and replay --archive without --stream, and --start, --region or FILE with it wrongly, naming the flag', async () => {
    const without = captureIo();
    const missing = await main(['report', '--archive', `s3://${BUCKET}/logs`], without);
    const stray = captureIo();
    const misplaced = await main(['report', '--start', '2d', 'samples/'], stray);
    const replayWithout = captureIo();
    const replayMissing = await main(['replay', '--archive', `s3://${BUCKET}/logs`], replayWithout);
    const both = captureIo();
    const replayBoth = await main(
      ['replay', '--archive', `s3://${BUCKET}/logs`, '--stream', 'x', 'samples/'],
      both,
    );
    const region = captureIo();
    const replayRegion = await main(['replay', '--region', 'us-east-1', 'samples/'], region);
    expect([missing, misplaced, replayMissing, replayBoth, replayRegion]).toEqual([2, 2, 2, 2, 2]);
    expect(without.stderr.join('\n')).toMatch(/--archive: --stream is required/);
    expect(stray.stderr.join('\n')).toMatch(/--start and --end apply to --archive only/);
    expect(replayWithout.stderr.join('\n')).toMatch(/--archive: --stream is required/);
    expect(both.stderr.join('\n')).toMatch(/either --archive or FILE/);
    expect(region.stderr.join('\n')).toMatch(/--region applies to --archive only/);
  });

  it('exits 1 and says how many lines could go nowhere without an archive', async () => {
    const state = join(work, 'no-archive.json');
    const result = await importWith(
      ['--stream', 'no-archive', '--source', 'softether', path],
      state,
    );
    expect(result.code).toBe(1);
    expect(result.summary.rejected).toMatchObject({ byReason: { tooOld: expect.any(Number) } });
    expect(result.stderr.join('\n')).toMatch(/could go nowhere/);
  });
});
