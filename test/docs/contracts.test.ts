/**
 * The contracts live in the repository: the taxonomy and the command's
 * page name every id and flag the code has, and no file refers to a
 * document outside the repository.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMAND_HELP } from '../../src/cli/help.ts';
import { CATEGORIES, STATE_RULES, THRESHOLD_RULES } from '../../src/model.ts';
import { runCli } from '../helpers/cli.ts';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('docs/taxonomy.md', () => {
  it('names every category and rule id the code has', () => {
    const taxonomy = read('docs/taxonomy.md');
    const ids = [...CATEGORIES, ...STATE_RULES, ...THRESHOLD_RULES];
    expect(ids.filter((id) => !taxonomy.includes(`\`${id}\``))).toEqual([]);
  });
});

describe('docs/cli.md', () => {
  /** The text of the `## name` section. */
  function section(page: string, name: string): string {
    const start = page.indexOf(`\n## ${name}\n`);
    if (start < 0) return '';
    const end = page.indexOf('\n## ', start + 1);
    return page.slice(start, end < 0 ? undefined : end);
  }

  it('has a section for every command, naming each of its flags', () => {
    const page = read('docs/cli.md');
    const missing: string[] = [];
    for (const [command, help] of Object.entries(COMMAND_HELP)) {
      const text = section(page, command);
      if (text === '') missing.push(`## ${command}`);
      for (const { flag } of help.flags) {
        const long = flag.split(', ').find((part) => part.startsWith('--')) ?? flag;
        if (long !== '--help' && !text.includes(long)) missing.push(`${command} ${long}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('covers every command the program has', async () => {
    // The usage line lists the commands main() dispatches.
    const { stderr } = await runCli([]);
    const commands = (stderr.find((line) => line.startsWith('commands: ')) ?? '')
      .slice('commands: '.length)
      .split(', ');
    expect(commands.length).toBeGreaterThan(5);
    expect(commands.filter((command) => COMMAND_HELP[command] === undefined)).toEqual([]);
  });
});

describe('the repository', () => {
  it('refers to no document outside it', () => {
    // Names of the design documents that live outside the repository, and
    // paths that leave it (spelled in pieces so that this file does not match).
    const outside = [
      ['TAXONOMY', '.md'],
      ['CLI', '.md'],
      ['TOOLCHAIN', '.md'],
      ['STYLE', '.md'],
      ['ARCHITECTURE', '.md'],
      ['../', 'shared'],
      ['seeds', '/0'],
      ['aws-s2s-vpn', '.md'],
      ['openvpn-softether', '.md'],
    ].map((parts) => parts.join(''));
    const files = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((file) => /\.(ts|js|json|md|sh|ya?ml)$|^\.ci\//.test(file));
    const found: string[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = read(file);
      } catch {
        continue; // listed but not in this checkout
      }
      for (const name of outside) {
        // docs/cli.md and docs/taxonomy.md are the repository's own.
        const pattern = new RegExp(`(?<![\\w/])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
        if (pattern.test(text)) found.push(`${file}: ${name}`);
      }
    }
    expect(found).toEqual([]);
  });
});
