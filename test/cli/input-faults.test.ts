/**
 * Faults in the input the commands must survive: an unreadable subdirectory,
 * symbolic links inside a directory (followed; dangling ones and loops named),
 * empty and unrecognised files under `--source auto`. Each command goes on
 * with the readable files and says which it skipped and why.
 */
import { chmod, copyFile, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const SAMPLE = resolve('samples/aws-s2s/vpn-0a1b2c3d4e5f67890-203.0.113.10-bgp.log');

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tw-faults-'));
  await chmod(root, 0o755);
});

/** Runs `action` with permission checks in force: as an unprivileged user when this process is root. */
async function withoutPrivilege<T>(action: () => Promise<T>): Promise<T> {
  const root = process.geteuid?.() === 0;
  if (root) process.seteuid?.(65534);
  try {
    return await action();
  } finally {
    if (root) process.seteuid?.(0);
  }
}

function sourceFiles(stdout: readonly string[]): Set<string> {
  return new Set(stdout.map((line) => (JSON.parse(line) as { file: string }).file));
}

describe('a directory with an unreadable subdirectory', () => {
  let locked: string;
  beforeEach(async () => {
    await copyFile(SAMPLE, join(root, 'tunnel.log'));
    await chmod(join(root, 'tunnel.log'), 0o644);
    locked = join(root, 'locked');
    await mkdir(locked);
    await writeFile(join(locked, 'hidden.log'), 'x\n');
    await chmod(locked, 0o000);
  });
  afterEach(async () => {
    await chmod(locked, 0o755);
  });

  it.each(['classify', 'replay'])(
    '%s reads the rest, names the subdirectory and why, exit 1',
    async (command) => {
      const { code, stdout, stderr } = await withoutPrivilege(() =>
        runCli([command, ...(command === 'replay' ? ['--json'] : []), root]),
      );
      expect(code).toBe(1);
      expect(stderr).toContain(`tunnelwatch: skipping ${locked}: permission denied`);
      if (command === 'classify')
        expect(sourceFiles(stdout)).toEqual(new Set([join(root, 'tunnel.log')]));
      else expect(stdout.length).toBeGreaterThan(0);
    },
  );
});

describe('symbolic links inside a directory', () => {
  it('follows links to files and directories, and names a dangling link and a loop', async () => {
    // Prepare: the log lives elsewhere; the directory links to it and to a directory holding a copy.
    const elsewhere = join(root, 'elsewhere');
    await mkdir(elsewhere);
    await copyFile(SAMPLE, join(elsewhere, 'a.log'));
    const other = join(root, 'other');
    await mkdir(other);
    await copyFile(SAMPLE, join(other, 'b.log'));
    const logs = join(root, 'logs');
    await mkdir(logs);
    await symlink(join(elsewhere, 'a.log'), join(logs, 'linked.log'));
    await symlink(other, join(logs, 'linked-dir'));
    await symlink(join(root, 'missing.log'), join(logs, 'dangling.log'));
    await symlink(logs, join(logs, 'loop'));
    // Act
    const { code, stdout, stderr } = await runCli(['classify', logs]);
    // Assess
    expect(sourceFiles(stdout)).toEqual(
      new Set([join(logs, 'linked.log'), join(logs, 'linked-dir', 'b.log')]),
    );
    expect(stderr).toEqual([
      expect.stringMatching(
        new RegExp(`^tunnelwatch: skipping ${join(logs, 'dangling.log')}: dangling symbolic link`),
      ),
      `tunnelwatch: skipping ${join(logs, 'loop')}: symbolic link back to a directory already being read`,
    ]);
    expect(code).toBe(1);
  });
});

describe('empty and unrecognised files under --source auto', () => {
  it.each(['classify', 'replay'])(
    '%s skips a named empty file with a note and reads the others, exit 0',
    async (command) => {
      const empty = join(root, 'empty.log');
      await writeFile(empty, '');
      const { code, stdout, stderr } = await runCli([command, empty, SAMPLE]);
      expect(code).toBe(0);
      expect(stdout.length).toBeGreaterThan(0);
      expect(stderr).toEqual([
        `tunnelwatch ${command}: skipping ${empty}: empty file, nothing to read`,
      ]);
    },
  );

  it.each(['classify', 'replay'])(
    '%s skips a named unrecognised file with the reason, reads the others, exit 1',
    async (command) => {
      const unknown = join(root, 'notes.txt');
      await writeFile(unknown, 'shopping list\nmilk\n');
      const { code, stdout, stderr } = await runCli([command, unknown, SAMPLE]);
      expect(code).toBe(1);
      expect(stdout.length).toBeGreaterThan(0);
      expect(stderr).toHaveLength(1);
      expect(stderr[0]).toMatch(
        new RegExp(
          `^tunnelwatch ${command}: skipping ${unknown}: not a log format tunnelwatch knows`,
        ),
      );
    },
  );
});
