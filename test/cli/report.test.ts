import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReportModel } from '../../src/report/model.ts';
import { runCli } from '../helpers/cli.ts';

const logs = mockClient(CloudWatchLogsClient);
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tw-report-cli-'));
});
beforeEach(() => logs.reset());

/** The model embedded in a report page. */
function modelOf(html: string): ReportModel {
  const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1];
  return JSON.parse(json ?? 'null') as ReportModel;
}

describe('tunnelwatch report', () => {
  it('writes the page to --out and says what it holds', async () => {
    const out = join(dir, 'samples.html');
    const run = await runCli(['report', 'samples/', '--tz', 'Asia/Tokyo', '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stderr.join('\n')).toMatch(
      /wrote .*samples\.html \(\d+ KiB\): 830 lines, 25 alerts, 4 tunnels/,
    );
    const html = await readFile(out, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    const model = modelOf(html);
    expect(model.alerts).toHaveLength(25);
    expect(model.logTimeZone).toBe('Asia/Tokyo');
  });

  it('prints the page with --out -', async () => {
    const run = await runCli(['report', 'samples/aws-s2s', '--out', '-']);
    expect(run.code).toBe(0);
    expect(modelOf(run.stdout.join('\n')).connections).toHaveLength(2);
  });

  it('takes --config: a disabled rule draws no marker', async () => {
    const config = join(dir, 'rules.json');
    await writeFile(config, JSON.stringify({ rules: { 'tunnel.down': { enabled: false } } }));
    const run = await runCli(['report', 'samples/aws-s2s', '--config', config, '--out', '-']);
    expect(run.code, run.stderr.join('\n')).toBe(0);
    const rules = modelOf(run.stdout.join('\n')).alerts.map((alert) => alert.rule);
    expect(rules).not.toContain('tunnel.down');
    expect(rules).toContain('bgp.session_down');
  });

  it('rejects bad usage with exit 2 and a line naming the problem', async () => {
    expect((await runCli(['report'])).code).toBe(2);
    const both = await runCli(['report', '--log-group', 'g', 'samples/']);
    expect(both.code).toBe(2);
    expect(both.stderr.join('\n')).toContain('give one of --log-group, --archive or FILE|DIR');
    const since = await runCli(['report', '--since', '1d', 'samples/']);
    expect(since.code).toBe(2);
    expect(since.stderr.join('\n')).toContain('--since applies to --log-group only');
  });

  it('exits 1 naming a path it cannot read, and still reports the others', async () => {
    const out = join(dir, 'partial.html');
    const run = await runCli(['report', 'no-such-dir', 'samples/openvpn', '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr.join('\n')).toContain('no-such-dir');
    expect(modelOf(await readFile(out, 'utf8')).clients.map((c) => c.source)).toEqual(['openvpn']);
  });

  it('exits 1 naming --out when the page cannot be written', async () => {
    const run = await runCli([
      'report',
      'samples/aws-s2s',
      '--out',
      join(dir, 'missing', 'x.html'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr.join('\n')).toMatch(/--out .*missing/);
  });

  it('reads a log group since --since, one batch per stream, as tail does', async () => {
    const text = await readFile('samples/aws-s2s/vpn-0a1b2c3d4e5f67890-203.0.113.10.log', 'utf8');
    const stream = 'vpn-0a1b2c3d4e5f67890-203.0.113.10';
    const events = text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((message, index) => ({
        logStreamName: stream,
        eventId: `e${index}`,
        timestamp: (JSON.parse(message) as { event_timestamp: number }).event_timestamp * 1000,
        message,
      }));
    logs.on(FilterLogEventsCommand).resolves({ events });
    const out = join(dir, 'group.html');
    const run = await runCli([
      'report',
      '--log-group',
      '/aws/vendedlogs/vpn',
      '--since',
      '2d',
      '--out',
      out,
    ]);
    expect(run.code, run.stderr.join('\n')).toBe(0);
    const call = logs.commandCalls(FilterLogEventsCommand)[0]?.args[0].input;
    expect(call?.logGroupName).toBe('/aws/vendedlogs/vpn');
    expect(Date.now() - (call?.startTime ?? 0)).toBeGreaterThanOrEqual(2 * 86_400_000 - 60_000);
    const model = modelOf(await readFile(out, 'utf8'));
    expect(model.inputs).toEqual(['/aws/vendedlogs/vpn (1 streams)']);
    expect(model.connections[0]?.tunnels[0]?.tunnelIp).toBe('203.0.113.10');
    expect(model.alerts.some((alert) => alert.rule === 'tunnel.down')).toBe(true);
  });

  it('reports a log group it cannot read in one line, exit 1', async () => {
    const denied = Object.assign(new Error('User is not authorized'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    logs.on(FilterLogEventsCommand).rejects(denied);
    const run = await runCli(['report', '--log-group', 'g', '--out', join(dir, 'denied.html')]);
    expect(run.code).toBe(1);
    expect(run.stderr.join('\n')).toContain('g');
  });
});
