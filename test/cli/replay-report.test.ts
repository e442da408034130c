import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const AWS_S2S = 'samples/aws-s2s';
const TUNNEL_LOG = 'samples/aws-s2s/vpn-0a1b2c3d4e5f67890-203.0.113.10.log';
const TUNNEL_STREAM = 'vpn-0a1b2c3d4e5f67890-203.0.113.10';

interface Summary {
  files: number;
  events: number;
  alerts: number;
  alertsByRule: Record<string, { opened: number; resolved: number }>;
  eventsByCategory: Record<string, Record<string, number>>;
  unclassified: number;
  malformed: number;
  duplicates: number;
  heldBack: Record<string, number>;
  withoutTunnel: number;
}

function lastSummary(stdout: readonly string[]): Summary {
  const last = JSON.parse(stdout.at(-1) ?? '{}') as { summary?: Summary };
  if (last.summary === undefined) throw new Error(`no summary object: ${stdout.at(-1)}`);
  return last.summary;
}

let renamed: string;
beforeAll(async () => {
  // The same tunnel log under a name that is not a log stream name.
  const dir = await mkdtemp(join(tmpdir(), 'tw-replay-report-'));
  renamed = join(dir, 'tunnel.log');
  await copyFile(TUNNEL_LOG, renamed);
});

describe('replay --json', () => {
  it('ends with one summary object whose counts match the alerts and events', async () => {
    // Act
    const { code, stdout } = await runCli(['replay', '--json', AWS_S2S]);

    // Assess
    expect(code).toBe(0);
    const summary = lastSummary(stdout);
    const alerts = stdout.slice(0, -1).map((line) => JSON.parse(line) as { rule: string });
    expect(summary.alerts).toBe(alerts.length);
    expect(summary.files).toBe(5);
    const opened = Object.values(summary.alertsByRule).reduce(
      (sum, { opened: n, resolved }) => sum + n + resolved,
      0,
    );
    expect(opened).toBe(alerts.length);
    const categorised = Object.values(summary.eventsByCategory['aws-s2s'] ?? {}).reduce(
      (a, b) => a + b,
      0,
    );
    expect(categorised).toBe(summary.events);
    expect(summary.withoutTunnel).toBe(0);
  });

  it("carries each alert's remediation and documentation link", async () => {
    const { stdout } = await runCli(['replay', '--json', AWS_S2S]);
    const alert = JSON.parse(stdout[0] ?? '{}') as { remediation?: string; docUrl?: string };
    expect(alert.remediation?.length).toBeGreaterThan(20);
    expect(alert.docUrl).toMatch(/^https:\/\//);
  });
});

describe('replay --explain', () => {
  it('shows the remediation and link under each alert, and nothing of it without the flag', async () => {
    // Act
    const plain = await runCli(['replay', AWS_S2S]);
    const explained = await runCli(['replay', '--explain', AWS_S2S]);

    // Assess
    const alerts = Number(/^(\d+) alerts/.exec(plain.stdout[0] ?? '')?.[1]);
    expect(alerts).toBeGreaterThan(0);
    const whatToDo = explained.stdout.filter((line) => /^\s+What to do: \S/.test(line));
    expect(whatToDo).toHaveLength(alerts);
    expect(
      explained.stdout.some((line) => /^\s+https:\/\/docs\.aws\.amazon\.com\//.test(line)),
    ).toBe(true);
    expect(plain.stdout.some((line) => line.includes('What to do:'))).toBe(false);
  });
});

describe('replay --fail-on', () => {
  it('exits 3 when an alert of that severity or higher was opened', async () => {
    expect((await runCli(['replay', '--fail-on', 'critical', AWS_S2S])).code).toBe(3);
    expect((await runCli(['replay', '--json', '--fail-on', 'warning', AWS_S2S])).code).toBe(3);
  });

  it('exits 0 when none was', async () => {
    // The BGP log alone raises warnings and one critical BGP session alert; the
    // renamed tunnel log raises no tunnel alert at all.
    expect((await runCli(['replay', '--fail-on', 'critical', renamed])).code).toBe(0);
  });

  it('refuses a severity it does not know, exit 2, naming the flag', async () => {
    const { code, stderr } = await runCli(['replay', '--fail-on', 'high', AWS_S2S]);
    expect(code).toBe(2);
    expect(stderr).toEqual([
      'tunnelwatch replay: --fail-on: expected one of info, warning, critical, got "high"',
    ]);
  });
});

describe('aws-s2s events without a tunnel identity', () => {
  it('are counted in the summary with the hint to pass --stream', async () => {
    // Act
    const human = await runCli(['replay', renamed]);
    const json = await runCli(['replay', '--json', renamed]);
    const named = await runCli(['replay', '--json', '--stream', TUNNEL_STREAM, renamed]);

    // Assess
    const events = lastSummary(json.stdout).events;
    expect(events).toBeGreaterThan(0);
    expect(lastSummary(json.stdout).withoutTunnel).toBe(events);
    expect(human.stdout.at(-1)).toBe(
      `aws-s2s events without a tunnel ${events}: their stream name carries no VPN connection id and tunnel outside IP, so no tunnel rule saw them; pass --stream vpn-0abc…-203.0.113.10 (or name the file after its log stream)`,
    );
    expect(lastSummary(named.stdout).withoutTunnel).toBe(0);
    expect(named.stdout.length).toBeGreaterThan(1);
  });
});
