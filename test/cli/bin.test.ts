import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TRACE = fileURLToPath(new URL('../helpers/trace-loads.mjs', import.meta.url));

/**
 * Runs bin/tunnelwatch.js (the compiled CLI after `npm run build`, else the
 * sources through tsx) with `args`; returns its result and every module URL
 * it resolved.
 */
function runBin(args: readonly string[], env: Record<string, string> = {}) {
  const trace = join(mkdtempSync(join(tmpdir(), 'tw-bin-')), 'loads.txt');
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, TUNNELWATCH_TRACE_LOADS: trace };
  // the CLI itself must keep the SDK quiet, not the test environment
  delete childEnv.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  const result = spawnSync(
    process.execPath,
    ['--import', TRACE, join(ROOT, 'bin', 'tunnelwatch.js'), ...args],
    { cwd: ROOT, encoding: 'utf8', env: childEnv, timeout: 60_000 },
  );
  let loads: string[] = [];
  try {
    loads = readFileSync(trace, 'utf8').trim().split('\n');
  } catch {
    // nothing resolved
  }
  return { ...result, loads };
}

const AWS_SDK = /\/node_modules\/@aws-sdk\//;

describe('bin/tunnelwatch.js start', () => {
  it('answers --help without loading any command module', () => {
    // Act
    const result = runBin(['--help']);

    // Assess
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: tunnelwatch <command>/m);
    expect(result.loads.some((url) => /\/cli\/main\.(js|ts)$/.test(url))).toBe(true);
    expect(result.loads.filter((url) => /\/cli\/commands\//.test(url))).toEqual([]);
  });

  it('replays local files without loading the AWS SDK', () => {
    // Act
    const result = runBin(['replay', 'samples/openvpn/vpngw-2025-04-14.log']);

    // Assess
    expect(result.status).toBe(0);
    expect(result.loads.some((url) => /\/cli\/commands\/replay\.(js|ts)$/.test(url))).toBe(true);
    expect(result.loads.filter((url) => AWS_SDK.test(url))).toEqual([]);
  });

  it('loads the AWS SDK for an AWS command and keeps its Node-version notice off stderr', () => {
    // Act: nothing listens on port 9 of loopback, so the call fails fast
    const result = runBin(
      [
        'logs',
        'list',
        '--log-group',
        '/tunnelwatch/openvpn/gw',
        '--region',
        'ap-northeast-1',
        '--endpoint-url',
        'http://127.0.0.1:9',
      ],
      { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_MAX_ATTEMPTS: '1' },
    );

    // Assess
    expect(result.loads.some((url) => AWS_SDK.test(url))).toBe(true);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/tunnelwatch logs list/);
    expect(result.stderr).not.toMatch(/NodeVersionSupportWarning|upgrade to node/);
  });
});
