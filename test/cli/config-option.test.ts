import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isDeployConfig } from '../../src/cli/commands/config-option.ts';
import { runCli } from '../helpers/cli.ts';

const SAMPLE_CONFIG = 'samples/tunnelwatch.config.json';
const OPENVPN = 'samples/openvpn/vpngw-2025-04-14.log';
const SOFTETHER = 'samples/softether';
const AWS_S2S = 'samples/aws-s2s';

function ids(stdout: readonly string[]): string[] {
  return stdout.map((line) => (JSON.parse(line) as { id: string }).id);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tw-config-option-'));
});

describe('replay --config with the deploy configuration', () => {
  it('reads local times in the zone of the configured servers, as --tz would', async () => {
    // Act
    const configured = await runCli(['replay', '--json', '--config', SAMPLE_CONFIG, OPENVPN]);
    const zoned = await runCli(['replay', '--json', '--tz', 'Asia/Tokyo', OPENVPN]);
    const utc = await runCli(['replay', '--json', '--tz', 'UTC', OPENVPN]);

    // Assess
    expect(configured.code).toBe(0);
    expect(configured.stderr).toEqual([]);
    expect(ids(configured.stdout).length).toBeGreaterThan(0);
    expect(configured.stdout).toEqual(zoned.stdout);
    expect(configured.stdout).not.toEqual(utc.stdout);
  });

  it('uses the rules member of the deploy configuration', async () => {
    // Prepare: the sample with auth.bruteforce switched off
    const sample = JSON.parse(
      await import('node:fs/promises').then((fs) => fs.readFile(SAMPLE_CONFIG, 'utf8')),
    ) as Record<string, unknown>;
    const path = join(dir, 'quiet.config.json');
    await writeFile(
      path,
      JSON.stringify({ ...sample, rules: { rules: { 'auth.bruteforce': { enabled: false } } } }),
    );

    // Act
    const quiet = await runCli(['replay', '--json', '--config', path, SOFTETHER]);
    const loud = await runCli(['replay', '--json', '--config', SAMPLE_CONFIG, SOFTETHER]);

    // Assess
    const rules = (stdout: readonly string[]) =>
      stdout.map((line) => (JSON.parse(line) as { rule?: string }).rule);
    expect(rules(loud.stdout)).toContain('auth.bruteforce');
    expect(rules(quiet.stdout)).not.toContain('auth.bruteforce');
  });

  it('refuses an invalid deploy configuration with exit 2, naming the file and each key', async () => {
    // Prepare
    const path = join(dir, 'bad.config.json');
    await writeFile(
      path,
      JSON.stringify({ openvpnGateways: [{ name: 'gw', timeZone: 'Mars/Olympus' }] }),
    );

    // Act
    const { code, stderr } = await runCli(['replay', '--config', path, OPENVPN]);

    // Assess
    expect(code).toBe(2);
    expect(stderr[0]).toBe(
      `tunnelwatch replay: --config ${path}: 1 problem(s) in the tunnelwatch configuration:`,
    );
    expect(stderr[1]).toContain('openvpnGateways[0].timeZone: unknown time zone "Mars/Olympus"');
  });

  it('still accepts a rules-only document, with $schema and $comment', async () => {
    // Prepare
    const path = join(dir, 'rules.json');
    await writeFile(
      path,
      JSON.stringify({
        $schema: '../schema/tunnelwatch.rules.schema.json',
        $comment: 'stricter',
        rules: { 'auth.bruteforce': { threshold: 100 } },
      }),
    );

    // Act
    const { code, stdout, stderr } = await runCli([
      'replay',
      '--json',
      '--tz',
      'Asia/Tokyo',
      '--config',
      path,
      SOFTETHER,
    ]);

    // Assess
    expect(code).toBe(0);
    expect(stderr).toEqual([]);
    expect(stdout.map((line) => (JSON.parse(line) as { rule?: string }).rule)).not.toContain(
      'auth.bruteforce',
    );
  });
});

describe('isDeployConfig', () => {
  it('tells a deploy configuration from a rules document', () => {
    expect(isDeployConfig({ rules: { 'auth.bruteforce': {} } })).toBe(false);
    expect(isDeployConfig({ $comment: 'x', cause: { cooldownMinutes: 5 } })).toBe(false);
    expect(isDeployConfig({ rules: { rules: {} } })).toBe(true);
    expect(isDeployConfig({ openvpnGateways: [] })).toBe(true);
    expect(isDeployConfig([1])).toBe(false);
  });
});

describe('local times read without a zone', () => {
  it('warn once per file of a local-time format, naming the file and the fix', async () => {
    // Act
    const { code, stderr } = await runCli(['replay', OPENVPN, AWS_S2S]);

    // Assess
    expect(code).toBe(0);
    expect(stderr).toEqual([
      `tunnelwatch replay: ${OPENVPN}: openvpn times carry no zone and are read as UTC; pass --tz ZONE (e.g. --tz Asia/Tokyo) or --config with the server's timeZone`,
    ]);
  });

  it('are not warned about when --tz is given, in classify too', async () => {
    const quiet = await runCli(['classify', '--tz', 'UTC', OPENVPN]);
    const warned = await runCli(['classify', OPENVPN]);
    expect(quiet.stderr).toEqual([]);
    expect(warned.stderr).toHaveLength(1);
    expect(warned.stderr[0]).toMatch(/^tunnelwatch classify: .*openvpn times carry no zone/);
  });
});
