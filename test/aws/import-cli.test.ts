/**
 * The import/logs/tail command lines: usage errors, time arguments, line
 * timestamps for untimed lines, unreadable files, the progress bar.
 */

import { mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  type GetLogEventsCommandInput,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../src/aws/importer.ts';
import { parseTimeArgument } from '../../src/cli/commands/aws-options.ts';
import { terminalBar } from '../../src/cli/commands/import.ts';
import { tailCommand } from '../../src/cli/commands/tail.ts';
import { main } from '../../src/cli/main.ts';
import { captureIo } from '../helpers/capture-io.ts';

const logs = mockClient(CloudWatchLogsClient);
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';

let work: string;
beforeEach(async () => {
  logs.reset();
  logs.on(CreateLogStreamCommand).resolves({});
  // A stream that keeps what it is sent, and gives it back by time range.
  logs.on(PutLogEventsCommand).resolves({});
  logs.on(GetLogEventsCommand).callsFake((input: GetLogEventsCommandInput) => ({
    events: sent().filter(
      (event) =>
        event.timestamp >= (input.startTime ?? 0) &&
        event.timestamp < (input.endTime ?? Number.POSITIVE_INFINITY),
    ),
    nextForwardToken: 'end',
  }));
  work = await mkdtemp(join(tmpdir(), 'tw-cli-'));
});

function sent(): { timestamp: number; message: string }[] {
  return logs.commandCalls(PutLogEventsCommand).flatMap((call) =>
    (call.args[0].input.logEvents ?? []).map((e) => ({
      timestamp: e.timestamp ?? 0,
      message: e.message ?? '',
    })),
  );
}

const stamp = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

describe('usage', () => {
  it.each([
    [['import', 'x.log'], '--log-group is required'],
    [['import', '--log-group', 'g'], 'no FILE or DIR given'],
    [['import', '--log-group', 'g', '-'], 'save standard input to a file'],
    [['import', '--log-group', 'g', '--tz', 'Mars/Base', 'x.log'], '--tz: unknown time zone'],
    [
      ['import', '--log-group', 'g', '--endpoint-url', 'localhost:1', 'x.log'],
      '--endpoint-url: expected http(s)://',
    ],
    [['logs', 'get', '--log-group', 'g'], '--stream is required'],
    [['logs', 'remove', '--log-group', 'g'], 'unknown action "remove"'],
    [
      ['logs', 'get', '--log-group', 'g', '--stream', 's', '--start', 'yesterday'],
      '--start: expected a duration',
    ],
    [
      ['tail', '--log-group', 'g', '--since', '2026-11-20T10:00:00'],
      '--since: expected a duration',
    ],
    [['tail', '--log-group', 'g', '--interval', '0'], '--interval: expected seconds > 0'],
  ])('%j exits 2 naming the problem', async (argv, message) => {
    const io = captureIo();
    expect(await main(argv, io)).toBe(2);
    expect(io.stderr.join('\n')).toContain(message);
  });

  it.each([['import'], ['logs'], ['tail']])('%s --help prints its usage', async (command) => {
    const io = captureIo();
    expect(await main([command, '--help'], io)).toBe(0);
    expect(io.stdout.join('\n')).toContain(`tunnelwatch ${command}`);
  });
});

describe('parseTimeArgument', () => {
  const now = Date.UTC(2026, 10, 21, 12, 0, 0);
  it('reads durations, ISO times with a zone, dates and epoch ms', () => {
    expect(parseTimeArgument('--since', '90s', now)).toBe(now - 90_000);
    expect(parseTimeArgument('--since', '1h', now)).toBe(now - 3_600_000);
    expect(parseTimeArgument('--since', '2d', now)).toBe(now - 2 * 86_400_000);
    expect(parseTimeArgument('--start', '2026-11-20T10:00:00+09:00', now)).toBe(
      Date.UTC(2026, 10, 20, 1),
    );
    expect(parseTimeArgument('--start', '2026-11-20', now)).toBe(Date.UTC(2026, 10, 20));
    expect(parseTimeArgument('--start', '1763712000000', now)).toBe(1_763_712_000_000);
  });
});

describe('line timestamps', () => {
  it('gives untimed lines at the head of a stream the first timestamp, later ones the previous line’s', async () => {
    const t1 = Date.now() - 3_600_000;
    const path = join(work, 'head.log');
    await writeFile(
      path,
      `banner\n  more banner\n${stamp(t1)} first\n  detail\n${stamp(t1 + 5000)} second\n`,
    );
    const io = captureIo();
    expect(
      await main(
        ['import', '--log-group', 'g', '--stream', 's', '--state', join(work, 's.json'), path],
        io,
      ),
    ).toBe(0);
    expect(sent()).toEqual([
      { timestamp: t1, message: 'banner' },
      { timestamp: t1, message: '  more banner' },
      { timestamp: t1, message: `${stamp(t1)} first` },
      { timestamp: t1, message: '  detail' },
      { timestamp: t1 + 5000, message: `${stamp(t1 + 5000)} second` },
    ]);
  });

  it('uses the file’s modification time for a file without any timestamp', async () => {
    const path = join(work, 'plain.log');
    await writeFile(path, 'no time here\nnor here\n');
    const mtime = new Date(Math.floor((Date.now() - 600_000) / 1000) * 1000);
    await utimes(path, mtime, mtime);
    expect(
      await main(
        ['import', '--log-group', 'g', '--stream', 's', '--state', join(work, 's.json'), path],
        captureIo(),
      ),
    ).toBe(0);
    expect(sent().map((e) => e.timestamp)).toEqual([mtime.getTime(), mtime.getTime()]);
  });
});

describe('unreadable input', () => {
  it('reports a missing file, imports the others and exits 1', async () => {
    const good = join(work, 'good.log');
    const line = `${stamp(Date.now() - 60_000)} fine`;
    await writeFile(good, `${line}\n`);
    const io = captureIo();
    const code = await main(
      [
        'import',
        '--log-group',
        'g',
        '--stream',
        's',
        '--state',
        join(work, 's.json'),
        join(work, 'missing.log'),
        good,
      ],
      io,
    );
    expect(code).toBe(1);
    expect(io.stderr.join('\n')).toContain(`cannot read ${join(work, 'missing.log')}`);
    expect(sent().map((e) => e.message)).toEqual([line]);
    expect(io.stdout[0]).toMatch(/^imported 1 lines/);
  });
});

describe('terminalBar', () => {
  it('draws bytes and lines of the total, percentage, rate, ETA, events/s and rejected in place', () => {
    const frames: string[] = [];
    const bar = terminalBar(12 * 1_048_576, (text) => frames.push(text), 0);
    const progress: ImportProgress = {
      filesTotal: 4,
      filesDone: 1,
      lines: 1234,
      bytes: 3 * 1_048_576,
      imported: 1200,
      events: 1200,
      batches: 1,
      archived: 0,
      alreadyImported: 0,
      readBack: 0,
      recovered: 0,
      blank: 0,
      split: 0,
      rejected: 7,
      rejectedByReason: {},
      rejectedFirst: null,
      rejectedLast: null,
      unreadable: [],
      gaps: [],
      startedAt: Date.now() - 1000,
    };
    bar(progress);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatch(
      /^\rimport \[#{6}\.{18}\] {3}25% {2}3\.0\/12 MiB {2}1,234\/~4,936 lines {2}3\.0 MiB\/s {2}ETA \d+s {2}\d+ events\/s {2}rejected 7/,
    );
  });
});

describe('registered sources', () => {
  it('takes aws-s2s record times from the source parser (event_timestamp in seconds)', async () => {
    const seconds = Math.floor((Date.now() - 3_600_000) / 1000);
    const record = (s: number, details: string) =>
      JSON.stringify({
        event_timestamp: s,
        details,
        ike_phase1_state: 'down',
        ike_phase2_state: 'down',
      });
    const lines = [
      record(seconds, 'AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.7'),
      record(seconds + 30, 'AWS tunnel is sending DPD request'),
    ];
    const path = join(work, 'vpn-0abc123-203.0.113.10.log');
    await writeFile(path, `${lines.join('\n')}\n`);
    const io = captureIo();
    expect(
      await main(['import', '--log-group', 'g', '--state', join(work, 's.json'), path], io),
    ).toBe(0);
    expect(sent()).toEqual([
      { timestamp: seconds * 1000, message: lines[0] },
      { timestamp: (seconds + 30) * 1000, message: lines[1] },
    ]);
    expect(logs.commandCalls(PutLogEventsCommand)[0]?.args[0].input.logStreamName).toBe(
      'vpn-0abc123-203.0.113.10',
    );
  });

  it('tail classifies events with the source parser', async () => {
    const message = JSON.stringify({
      event_timestamp: 1_700_000_000,
      details: 'AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.7',
      ike_phase1_state: 'down',
      ike_phase2_state: 'down',
    });
    logs.on(FilterLogEventsCommand).resolves({
      events: [
        {
          logStreamName: 'vpn-0abc123-203.0.113.10',
          eventId: 'e1',
          timestamp: 1_700_000_000_000,
          message,
        },
      ],
    });
    const io = captureIo();
    expect(await main(['tail', '--log-group', 'g', '--since', '1h', '--events'], io)).toBe(0);
    expect(JSON.parse(io.stdout[0]!)).toMatchObject({
      stream: 'vpn-0abc123-203.0.113.10',
      eventId: 'e1',
      source: 'aws-s2s',
      category: 'ike.psk_mismatch',
      severity: 'critical',
      time: '2023-11-14T22:13:20.000Z',
      fields: { vpnConnectionId: 'vpn-0abc123', tunnelIp: '203.0.113.10', cgw: '198.51.100.7' },
    });
  });

  it('tail --follow polls again from the newest event without repeating it', async () => {
    const at = Date.now() - 1000;
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({
        events: [{ logStreamName: 's', eventId: 'a', timestamp: at, message: 'first' }],
      })
      .resolves({
        events: [
          { logStreamName: 's', eventId: 'a', timestamp: at, message: 'first' },
          { logStreamName: 's', eventId: 'b', timestamp: at + 5, message: 'second' },
        ],
      });
    const stop = new AbortController();
    const io = captureIo();
    let polls = 0;
    const code = await tailCommand(
      ['--log-group', 'g', '--follow', '--events', '--source', 'aws-s2s'],
      io,
      {
        signal: stop.signal,
        sleep: async () => {
          polls++;
          if (polls === 2) stop.abort();
        },
      },
    );
    expect(code).toBe(0);
    expect(io.stdout.map((line) => JSON.parse(line).eventId)).toEqual(['a', 'b']);
    expect(logs.commandCalls(FilterLogEventsCommand)[1]?.args[0].input.startTime).toBe(at);
  });
});

describe('--expect-overlap', () => {
  it('warns about a download that starts after the last imported line', async () => {
    // Prepare: downloads 1 and 2 overlap; download 3 starts after a gap.
    const base = Date.now() - 3_600_000;
    const all = Array.from({ length: 30 }, (_, i) => `${stamp(base + i * 1000)} line ${i}`);
    const write = async (name: string, from: number, to: number) => {
      const path = join(work, name);
      await writeFile(path, `${all.slice(from, to).join('\n')}\n`);
      return path;
    };
    const dl1 = await write('dl1.txt', 0, 10);
    const dl2 = await write('dl2.txt', 5, 15);
    const dl3 = await write('dl3.txt', 20, 30);
    const args = ['import', '--log-group', 'g', '--stream', 'gw', '--expect-overlap', '--json'];
    const state = ['--state', join(work, 'gw.json')];
    // Act
    const first = captureIo();
    await main([...args, ...state, dl1, dl2], first);
    const second = captureIo();
    await main([...args, ...state, dl3], second);
    // Assess
    expect(JSON.parse(first.stdout[0]!).gaps).toEqual([]);
    expect(JSON.parse(second.stdout[0]!).gaps).toEqual([
      {
        file: dl3,
        after: new Date(base + 14_000).toISOString(),
        firstLine: new Date(base + 20_000).toISOString(),
      },
    ]);
    expect(second.stderr.join('\n')).toContain(`${dl3} does not overlap the stream`);
    expect(sent().map((e) => e.message)).toEqual([...all.slice(0, 15), ...all.slice(20)]);
  });
});
