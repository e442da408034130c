import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const APP = fileURLToPath(new URL('../../cdk/bin/app.ts', import.meta.url));
const TSX = import.meta.resolve('tsx/esm');

/** Runs the CDK app the way `cdk synth` does, in `cwd`, with `context`. */
function runApp(cwd: string, context: Record<string, unknown> = {}) {
  return spawnSync(process.execPath, ['--import', TSX, APP], {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'tw-out-')),
      CDK_CONTEXT_JSON: JSON.stringify({ ...context, 'aws:cdk:bundling-stacks': [] }),
    },
  });
}

describe('cdk/bin/app.ts', () => {
  it('stops with one line saying how to give a configuration when none is given', () => {
    // Act
    const result = runApp(mkdtempSync(join(tmpdir(), 'tw-app-')));

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'tunnelwatch: no configuration: pass -c config=path/to/tunnelwatch.config.json (see samples/tunnelwatch.config.json) or create ./tunnelwatch.config.json',
    ]);
  }, 60_000);

  it('stops with the configuration problems, without a stack trace', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'tw-app-'));
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({ openvpnGateways: [{ name: 'gw', timeZone: 'Mars/Base' }] }),
    );

    // Act
    const result = runApp(dir, { config: 'bad.json' });

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `${join(dir, 'bad.json')}: 1 problem(s) in the tunnelwatch configuration:`,
      '  - openvpnGateways[0].timeZone: unknown time zone "Mars/Base": expected an IANA name such as UTC or Asia/Tokyo',
    ]);
  }, 60_000);
});
