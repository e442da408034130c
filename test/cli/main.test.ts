import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { processIO } from '../../src/cli/main.ts';
import { runCli } from '../helpers/cli.ts';

describe('tunnelwatch command', () => {
  it('prints usage and exits 2 without a command', async () => {
    const { code, stderr } = await runCli([]);
    expect(code).toBe(2);
    expect(stderr[0]).toMatch(/^usage: tunnelwatch/);
  });

  it('rejects an unknown command with exit 2, naming it', async () => {
    const { code, stderr } = await runCli(['frobnicate']);
    expect(code).toBe(2);
    expect(stderr[0]).toBe('tunnelwatch: unknown command "frobnicate"');
  });

  it('rejects an unknown flag with exit 2, naming it', async () => {
    const { code, stderr } = await runCli(['classify', '--colour', 'x.log']);
    expect(code).toBe(2);
    expect(stderr.join('\n')).toMatch(/--colour/);
  });

  it('rejects a bad --source and a bad --tz by name', async () => {
    const source = await runCli(['classify', '--source', 'ipsec', 'x.log']);
    expect(source.code).toBe(2);
    expect(source.stderr[0]).toMatch(/--source: expected auto or one of aws-s2s/);
    const tz = await runCli(['classify', '--tz', 'Nowhere/Land', 'x.log']);
    expect(tz.code).toBe(2);
    expect(tz.stderr[0]).toMatch(/--tz: unknown time zone "Nowhere\/Land"/);
  });

  it('reports a missing file in one line naming it and exits 1', async () => {
    const { code, stderr, stdout } = await runCli(['classify', 'no/such/file.ndjson']);
    expect(code).toBe(1);
    expect(stdout).toEqual([]);
    expect(stderr).toEqual([
      'tunnelwatch: cannot read no/such/file.ndjson: no such file or directory',
    ]);
  });
});

describe('processIO', () => {
  it('writes buffered lines once the event loop is idle, so a command that keeps running (tail --follow) shows them', async () => {
    // Prepare
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const io = processIO();

      // Act: one short line, then the command waits (as tail does between polls)
      io.out('2026-11-22 00:01:02  OPENED  critical  auth.bruteforce');
      await new Promise((resolve) => setTimeout(resolve, 20));

      // Assess
      expect(written.join('')).toBe('2026-11-22 00:01:02  OPENED  critical  auth.bruteforce\n');
    } finally {
      write.mockRestore();
    }
  });
});

describe('bin/tunnelwatch.js', () => {
  it('runs the CLI in a fresh process and flushes its output', () => {
    const result = spawnSync(process.execPath, ['bin/tunnelwatch.js', '--help'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^tunnelwatch \d+\.\d+\.\d+: /);
    expect(result.stdout).toContain('usage: tunnelwatch <command>');
  });

  it('stops quietly with exit 0 when the reader closes the pipe (classify … | head)', async () => {
    // Prepare: output well beyond one pipe buffer
    const sample = readFileSync('samples/openvpn/vpngw-2025-04-14.log', 'utf8');
    const file = join(mkdtempSync(join(tmpdir(), 'tw-epipe-')), 'gw.log');
    writeFileSync(file, sample.repeat(40));

    // Act: read the first chunk, then close the pipe as `head -1` does
    const child = spawn(process.execPath, ['bin/tunnelwatch.js', 'classify', file]);
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    // Assess
    expect(stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  }, 30_000);
});

describe('readLines', () => {
  it('releases the file when the caller stops reading early', async () => {
    const { readLines } = await import('../../src/cli/input.ts');
    const { readdirSync } = await import('node:fs');
    const openDescriptors = (): number => readdirSync('/proc/self/fd').length;
    const before = openDescriptors();
    for (let i = 0; i < 20; i++) {
      for await (const line of readLines('package.json')) {
        expect(line.number).toBe(1);
        break;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(openDescriptors()).toBeLessThanOrEqual(before + 1);
  });
});
