/**
 * Lines end at \n, \r\n or a lone \r, never at U+2028 / U+2029 (Node 24's
 * readline splits there, which cut a hostile user name in two).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readLines } from '../../src/cli/input.ts';

it('keeps U+2028 and U+2029 inside a line and ends lines at \\n, \\r\\n and \\r', async () => {
  const path = join(await mkdtemp(join(tmpdir(), 'tw-lines-')), 'log');
  await writeFile(path, 'a\u2028b\u2029c\r\nd\re\n\nf');
  const lines = [];
  for await (const line of readLines(path)) lines.push(line);
  expect(lines).toEqual([
    { text: 'a\u2028b\u2029c', number: 1 },
    { text: 'd', number: 2 },
    { text: 'e', number: 3 },
    { text: '', number: 4 },
    { text: 'f', number: 5 },
  ]);
});
