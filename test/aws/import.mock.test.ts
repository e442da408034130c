/**
 * Importer behaviour against a mocked CloudWatch Logs client
 * (aws-sdk-client-mock): throttling and 5xx retries, rejected events,
 * partial failures and resume, AccessDenied wording, pipelining.
 */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessDeniedException,
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  ServiceUnavailableException,
  ThrottlingException,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SERVICE_LIMITS } from '../../src/aws/batcher.ts';
import { CheckpointFile } from '../../src/aws/checkpoint.ts';
import { isRetryable, type RetryPolicy } from '../../src/aws/cloudwatch-logs.ts';
import { type ImportEnvironment, importLogs } from '../../src/aws/importer.ts';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../helpers/capture-io.ts';

const logs = mockClient(CloudWatchLogsClient);
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const stamp = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

let work: string;
let sleeps: number[];
let retry: RetryPolicy;

beforeEach(async () => {
  logs.reset();
  logs.on(CreateLogStreamCommand).resolves({});
  // Reading back finds nothing stored (the mock keeps nothing).
  logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'end' });
  work = await mkdtemp(join(tmpdir(), 'tw-mock-'));
  sleeps = [];
  retry = {
    maxAttempts: 4,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    sleep: async (ms) => void sleeps.push(ms),
  };
});

/** A file of `count` lines one second apart, ending an hour before NOW. */
async function logFile(count: number, name = 'a.log'): Promise<{ path: string; lines: string[] }> {
  const lines = Array.from(
    { length: count },
    (_, i) => `${stamp(NOW - 3_600_000 - (count - i) * 1000)} line ${i}`,
  );
  const path = join(work, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return { path, lines };
}

async function environment(extra: Partial<ImportEnvironment> = {}): Promise<ImportEnvironment> {
  return {
    client: new CloudWatchLogsClient({}),
    checkpoints: await CheckpointFile.load(join(work, 'state.json')),
    rejectsPath: join(work, 'rejects.ndjson'),
    retry,
    now: () => NOW,
    limits: { ...SERVICE_LIMITS, maxEvents: 10 },
    settleMs: 0,
    ...extra,
  };
}

function sentMessages(): string[] {
  return logs
    .commandCalls(PutLogEventsCommand)
    .flatMap((call) => (call.args[0].input.logEvents ?? []).map((event) => event.message ?? ''));
}

describe('retries', () => {
  it('retries throttling with growing backoff and sends each batch once it is accepted', async () => {
    // Prepare
    const { path, lines } = await logFile(25);
    logs
      .on(PutLogEventsCommand)
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }))
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }))
      .resolves({});
    // Act
    const result = await importLogs(
      { logGroup: 'g', files: [path], source: 'auto', timeZone: 'UTC', stream: 's' },
      await environment(),
    );
    // Assess: 3 batches of ≤10, the first one sent 3 times.
    expect(logs.commandCalls(PutLogEventsCommand)).toHaveLength(5);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeLessThanOrEqual(100);
    expect(sleeps[1]).toBeLessThanOrEqual(200);
    expect(result.progress.imported).toBe(25);
    expect([...new Set(sentMessages())]).toEqual(lines);
  });

  it('treats 5xx and network errors as retryable and AccessDenied as final', () => {
    expect(
      isRetryable(
        new ServiceUnavailableException({ message: 'x', $metadata: { httpStatusCode: 503 } }),
      ),
    ).toBe(true);
    expect(isRetryable({ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } })).toBe(true);
    expect(isRetryable(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(
      true,
    );
    expect(
      isRetryable(new AccessDeniedException({ message: 'no', $metadata: { httpStatusCode: 400 } })),
    ).toBe(false);
    expect(isRetryable(new Error('plain'))).toBe(false);
  });

  it('stops after the last attempt, keeps the checkpoint of the accepted batches, and resumes', async () => {
    // Prepare: batch 1 accepted, batch 2 fails on every attempt.
    const { path, lines } = await logFile(25);
    const unavailable = new ServiceUnavailableException({
      message: 'down',
      $metadata: { httpStatusCode: 503 },
    });
    logs.on(PutLogEventsCommand).resolvesOnce({}).rejects(unavailable);
    const request = {
      logGroup: 'g',
      files: [path],
      source: 'auto' as const,
      timeZone: 'UTC',
      stream: 's',
    };
    // Act
    await expect(importLogs(request, await environment())).rejects.toThrow('down');
    const state = JSON.parse(await readFile(join(work, 'state.json'), 'utf8')) as {
      streams: Record<string, { time: number; lines: number }>;
    };
    logs.reset();
    logs
      .on(CreateLogStreamCommand)
      .rejects(new ResourceAlreadyExistsException({ message: 'exists', $metadata: {} }));
    logs.on(PutLogEventsCommand).resolves({});
    logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'end' });
    const resumed = await importLogs(request, await environment());
    // Assess
    expect(sleeps).toHaveLength(3);
    expect(Object.values(state.streams)[0]?.lines).toBe(10);
    expect(resumed.progress.imported).toBe(15);
    expect(resumed.progress.alreadyImported).toBe(10);
    expect(sentMessages()).toEqual(lines.slice(10));
  });
});

describe('rejected events', () => {
  it('reports events the service rejected by reason and time range, and writes them to the rejects file', async () => {
    // Prepare: one batch of 6; the service rejects 0–1 as too old (exclusive end 2), 4–5 as too new.
    const { path, lines } = await logFile(6);
    logs.on(PutLogEventsCommand).resolves({
      rejectedLogEventsInfo: { tooOldLogEventEndIndex: 2, tooNewLogEventStartIndex: 4 },
    });
    // Act
    const result = await importLogs(
      { logGroup: 'g', files: [path], source: 'auto', timeZone: 'UTC', stream: 's' },
      await environment(),
    );
    // Assess
    const rejects = (await readFile(join(work, 'rejects.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { reason: string; message: string; line: number; file: string },
      );
    expect(rejects.map((r) => [r.line, r.reason, r.message])).toEqual([
      [1, 'tooOld', lines[0]],
      [2, 'tooOld', lines[1]],
      [3, 'tooOldBoundary', lines[2]],
      [5, 'tooNew', lines[4]],
      [6, 'tooNew', lines[5]],
    ]);
    expect(rejects[0]?.file).toBe(path);
    expect(result.progress.rejected).toBe(5);
    expect(result.progress.rejectedByReason).toEqual({ tooOld: 2, tooOldBoundary: 1, tooNew: 2 });
    expect(result.progress.rejectedFirst).toBe(NOW - 3_600_000 - 6000);
    expect(result.progress.rejectedLast).toBe(NOW - 3_600_000 - 1000);
    expect(result.progress.imported).toBe(1);
  });

  it('reports expired events', async () => {
    const { path } = await logFile(3);
    logs
      .on(PutLogEventsCommand)
      .resolves({ rejectedLogEventsInfo: { expiredLogEventEndIndex: 3 } });
    const result = await importLogs(
      { logGroup: 'g', files: [path], source: 'auto', timeZone: 'UTC', stream: 's' },
      await environment(),
    );
    expect(result.progress.rejectedByReason).toEqual({ expired: 3 });
    expect(result.progress.imported).toBe(0);
  });

  it('keeps lines older than 14 days (without --archive) or over 2 h ahead in the rejects file without sending them, exit 1', async () => {
    // The command uses the real clock.
    const now = Date.now();
    const old = `${stamp(now - 15 * 86_400_000)} from last month`;
    const fine = `${stamp(now - 60_000)} recent`;
    const future = `${stamp(now + 3 * 3_600_000)} clock ahead`;
    const path = join(work, 'mixed.log');
    await writeFile(path, `${old}\n${fine}\n${future}\n`);
    logs.on(PutLogEventsCommand).resolves({});
    const io = captureIo();
    const code = await main(
      [
        'import',
        '--log-group',
        'g',
        '--stream',
        's',
        '--state',
        join(work, 'st.json'),
        '--rejects',
        join(work, 'r.ndjson'),
        path,
      ],
      io,
    );
    expect(code).toBe(1);
    expect(io.stderr.join('\n')).toContain(
      '2 line(s) could go nowhere (tooOld 1, tooNew 1), listed in',
    );
    expect(sentMessages()).toEqual([fine]);
    const reasons = (await readFile(join(work, 'r.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).reason);
    expect(reasons).toEqual(['tooOld', 'tooNew']);
    expect(io.stdout[0]).toMatch(
      /imported 1 lines .* rejected 2 \(tooOld 1, tooNew 1\) from .* listed in .*r\.ndjson/,
    );
  });
});

describe('logs get', () => {
  it('prints log text escaped on a terminal and exactly as stored into a pipe', async () => {
    const hostile = 'user "admin\u202egnp.exe" \u001b[2J\u009b31m';
    const stored = () =>
      logs
        .on(GetLogEventsCommand)
        .resolvesOnce({ events: [{ timestamp: 1, message: hostile }], nextForwardToken: 'f1' })
        .resolves({ events: [], nextForwardToken: 'f1' });
    const argv = ['logs', 'get', '--log-group', 'g', '--stream', 's'];
    stored();
    const piped = captureIo();
    expect(await main(argv, piped)).toBe(0);
    expect(piped.stdout).toEqual([hostile]);
    logs.reset();
    stored();
    const terminal = { ...captureIo(), isTTY: true };
    expect(await main(argv, terminal)).toBe(0);
    expect(terminal.stdout).toEqual(['user "admin\\u{202E}gnp.exe" \\u{1B}[2J\\u{9B}31m']);
  });
});

describe('AccessDenied', () => {
  const denied = () =>
    new AccessDeniedException({
      message: 'User is not authorized',
      $metadata: { httpStatusCode: 400 },
    });

  it('says "you may not read this log group" for logs get, logs list and tail', async () => {
    logs.on(GetLogEventsCommand).rejects(denied());
    logs.on(DescribeLogStreamsCommand).rejects(denied());
    logs.on(FilterLogEventsCommand).rejects(denied());
    for (const argv of [
      ['logs', 'get', '--log-group', 'hub-b', '--stream', 's'],
      ['logs', 'list', '--log-group', 'hub-b'],
      ['tail', '--log-group', 'hub-b'],
    ]) {
      const io = captureIo();
      expect(await main(argv, io)).toBe(1);
      expect(io.stderr.join('\n')).toContain('you may not read this log group hub-b');
    }
  });

  it('names a log group that does not exist', async () => {
    const { path } = await logFile(2);
    logs.on(CreateLogStreamCommand).rejects(
      new ResourceNotFoundException({
        message: 'The specified log group does not exist.',
        $metadata: {},
      }),
    );
    const io = captureIo();
    const code = await main(
      ['import', '--log-group', 'nope', '--stream', 's', '--state', join(work, 'st.json'), path],
      io,
    );
    expect(code).toBe(1);
    expect(io.stderr.join('\n')).toContain(
      'log group nope does not exist: deploy the stack that creates it',
    );
    expect(logs.commandCalls(PutLogEventsCommand)).toHaveLength(0);
  });

  it('stops an import on AccessDenied, naming the group', async () => {
    const { path } = await logFile(3);
    logs.on(PutLogEventsCommand).rejects(denied());
    const io = captureIo();
    const code = await main(
      ['import', '--log-group', 'hub-b', '--stream', 's', '--state', join(work, 'st.json'), path],
      io,
    );
    expect(code).toBe(1);
    expect(io.stderr.join('\n')).toContain('you may not write to this log group hub-b');
    expect(logs.commandCalls(PutLogEventsCommand)).toHaveLength(1);
  });
});

describe('pipeline', () => {
  it('reads the next batches while one is in flight, and no further than the queue allows', async () => {
    // Prepare: the first PutLogEvents call hangs until released.
    const { path } = await logFile(100);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let linesWhileInFlight = 0;
    let progressLines = 0;
    logs
      .on(PutLogEventsCommand)
      .callsFakeOnce(async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        linesWhileInFlight = progressLines;
        await gate;
        return {};
      })
      .resolves({});
    const env = await environment({
      queueDepth: 2,
      onProgress: (p) => {
        progressLines = p.lines;
      },
    });
    // Act
    const running = importLogs(
      { logGroup: 'g', files: [path], source: 'auto', timeZone: 'UTC', stream: 's' },
      env,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    const result = await running;
    // Assess: batches of 10; in flight 1, waiting 2, filling 1, plus the line that closed it.
    expect(result.progress.imported).toBe(100);
    expect(linesWhileInFlight).toBeGreaterThan(10);
    expect(linesWhileInFlight).toBeLessThanOrEqual(41);
  });
});

describe('split lines', () => {
  const limits = { ...SERVICE_LIMITS, maxEvents: 10, maxBytes: 600, maxMessageBytes: 150 };

  it('keeps the parts of a split line in one request when they fit in one', async () => {
    // Prepare: three short lines, then a line of three parts that would not fit behind them.
    const at = stamp(NOW - 3_600_000);
    const long = `${at} ${'L'.repeat(280)}`;
    const path = join(work, 'split.log');
    await writeFile(path, `${at} a\n${at} b\n${at} c\n${long}\n`);
    logs.on(PutLogEventsCommand).resolves({});
    // Act
    const result = await importLogs(
      { logGroup: 'g', files: [path], source: 'auto', timeZone: 'UTC', stream: 's' },
      await environment({ limits }),
    );
    // Assess
    const calls = logs
      .commandCalls(PutLogEventsCommand)
      .map((call) => (call.args[0].input.logEvents ?? []).map((e) => e.message ?? ''));
    expect(calls[0]).toEqual([`${at} a`, `${at} b`, `${at} c`]);
    expect(calls[1]?.map((m) => m.slice(0, 22))).toEqual([
      '[tunnelwatch part 1/3]',
      '[tunnelwatch part 2/3]',
      '[tunnelwatch part 3/3]',
    ]);
    expect(calls).toHaveLength(2);
    expect(result.progress.imported).toBe(4);
    expect(result.progress.split).toBe(1);
  });
});
