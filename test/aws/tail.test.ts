/**
 * `tail` through the rule pipeline, with a mocked FilterLogEvents and the
 * synthetic test source (registered for this file only: vitest runs each
 * file in its own process).
 */
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tailCommand } from '../../src/cli/commands/tail.ts';
import { main } from '../../src/cli/main.ts';
import type { SourceDefinition } from '../../src/model.ts';
import { SOURCE_DEFINITIONS } from '../../src/sources/index.ts';
import { captureIo } from '../helpers/capture-io.ts';
import { syntheticSource } from '../helpers/synthetic-source.ts';

const logs = mockClient(CloudWatchLogsClient);
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';

beforeAll(() => {
  (SOURCE_DEFINITIONS as SourceDefinition[]).unshift(syntheticSource('openvpn'));
});
beforeEach(() => logs.reset());

/**
 * Five failed logins from one address in five minutes, ending a minute ago:
 * auth.bruteforce at the default threshold. Recent times matter: rule state
 * expires by the wall clock, so a window of old events does not carry over
 * from one poll to the next.
 */
function attack(user = 'root') {
  const start = Date.now() - 6 * 60_000;
  return [0, 1, 2, 3, 4].map((minute) => {
    const timestamp = start + minute * 60_000;
    const message = JSON.stringify({
      t: new Date(timestamp).toISOString(),
      c: 'auth.failed',
      f: { clientIp: '203.0.113.5', user },
    });
    return { logStreamName: 'gw1', eventId: `e${minute}`, timestamp, message };
  });
}

describe('tail', () => {
  it('prints the replay report with the alert the recent events raise', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: attack() });
    const io = captureIo();
    expect(await main(['tail', '--log-group', 'g', '--since', '1h'], io)).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toContain('1 alert on-call would have received (1 opened, 0 resolved)');
    expect(text).toMatch(/OPENED\s+critical\s+auth\.bruteforce/);
    expect(text).toContain('auth.failed');
    expect(text).toContain('Events by category (5 lines from 1 stream)');
  });

  it('--json prints one object per alert, as replay --json does', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: attack() });
    const io = captureIo();
    expect(await main(['tail', '--log-group', 'g', '--json'], io)).toBe(0);
    const alerts = io.stdout.map((l) => JSON.parse(l));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      rule: 'auth.bruteforce',
      status: 'opened',
      source: 'openvpn',
    });
  });

  it('--json and --events: a hostile user name is faithful after JSON.parse, the bytes inert', async () => {
    const user = 'admin\u202egnp.exe\u009b31m\u2028';
    logs.on(FilterLogEventsCommand).resolves({ events: attack(user) });
    for (const flag of ['--json', '--events']) {
      const io = captureIo();
      expect(await main(['tail', '--log-group', 'g', flag], io)).toBe(0);
      expect(io.stdout.join('\n')).not.toMatch(/[\u0080-\u009f\u2028\u202e]/);
      const objects = io.stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(JSON.stringify(objects)).toContain(JSON.stringify(user).slice(1, -1));
    }
  });

  it('--follow raises an alert once, even when a poll returns the same events again', async () => {
    const events = attack();
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: events.slice(0, 3) })
      .resolvesOnce({ events: events.slice(2) })
      .resolves({ events });
    const stop = new AbortController();
    let polls = 0;
    const io = captureIo();
    const code = await tailCommand(['--log-group', 'g', '--follow'], io, {
      signal: stop.signal,
      sleep: async () => {
        polls++;
        if (polls === 3) stop.abort();
      },
    });
    expect(code).toBe(0);
    expect(io.stdout).toHaveLength(1);
    expect(io.stdout[0]).toMatch(/OPENED {2}critical {2}auth\.bruteforce {2}auth\.failed/);
  });
});

describe('tail says what it read', () => {
  it('counts the events and streams read, on stderr', async () => {
    // Prepare
    logs.on(FilterLogEventsCommand).resolves({ events: attack() });
    const io = captureIo();

    // Act
    await main(['tail', '--log-group', 'g', '--since', '1h'], io);

    // Assess
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(
      /^tunnelwatch tail: read 5 events from 1 stream of g since \d{4}-/,
    );
  });

  it('says there was nothing in the window and how to look further back, printing no report', async () => {
    // Prepare
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    const io = captureIo();

    // Act
    const code = await main(['tail', '--log-group', 'g'], io);

    // Assess
    expect(code).toBe(0);
    expect(io.stdout).toEqual([]);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(
      /^tunnelwatch tail: no events in g since .* \(--since 10m\); look further back with --since 1d/,
    );
  });

  it('--follow says that it is watching, once', async () => {
    // Prepare
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    const stop = new AbortController();
    const io = captureIo();

    // Act
    await tailCommand(['--log-group', 'g', '--follow', '--interval', '2'], io, {
      signal: stop.signal,
      sleep: async () => stop.abort(),
    });

    // Assess
    expect(io.stderr[1]).toBe(
      'tunnelwatch tail: watching g every 2s for new events (Ctrl-C to stop)',
    );
    expect(io.stderr).toHaveLength(2);
  });

  it('names a missing log group and says how to create it, exit 1', async () => {
    // Prepare
    logs.on(FilterLogEventsCommand).rejects(
      Object.assign(new Error('The specified log group does not exist.'), {
        name: 'ResourceNotFoundException',
        $metadata: {},
      }),
    );
    const io = captureIo();

    // Act
    const code = await main(['tail', '--log-group', '/tunnelwatch/openvpn/gw9'], io);

    // Assess
    expect(code).toBe(1);
    expect(io.stderr).toEqual([
      'tunnelwatch tail: log group /tunnelwatch/openvpn/gw9 does not exist: deploy the stack that creates it (npx cdk deploy) or create it (aws logs create-log-group --log-group-name /tunnelwatch/openvpn/gw9)',
    ]);
  });

  it('names a missing log stream and says how to list the streams', async () => {
    // Prepare
    logs.onAnyCommand().rejects(
      Object.assign(new Error('The specified log stream does not exist.'), {
        name: 'ResourceNotFoundException',
        $metadata: {},
      }),
    );
    const io = captureIo();

    // Act
    const code = await main(['logs', 'get', '--log-group', 'g', '--stream', 'gw1'], io);

    // Assess
    expect(code).toBe(1);
    expect(io.stderr).toEqual([
      'tunnelwatch logs get: log stream gw1 does not exist in log group g: list its streams with tunnelwatch logs list --log-group g',
    ]);
  });
});

describe('an unreachable CloudWatch Logs endpoint', () => {
  const refused = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5999'), {
      code: 'ECONNREFUSED',
      $metadata: { attempts: 3 },
    });

  it.each([
    ['tail', ['tail', '--log-group', '/tunnelwatch/openvpn/gw1']],
    ['logs list', ['logs', 'list', '--log-group', '/tunnelwatch/openvpn/gw1']],
    ['logs get', ['logs', 'get', '--log-group', '/tunnelwatch/openvpn/gw1', '--stream', 's']],
  ])('%s reports it in one line naming the log group, exit 1', async (_name, argv) => {
    // Prepare
    logs.onAnyCommand().rejects(refused());
    const io = captureIo();

    // Act
    const code = await main(argv, io);

    // Assess
    expect(code).toBe(1);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(/^tunnelwatch (tail|logs list|logs get): /);
    expect(io.stderr[0]).toContain('/tunnelwatch/openvpn/gw1');
    expect(io.stderr[0]).toContain('ECONNREFUSED');
  });
});
