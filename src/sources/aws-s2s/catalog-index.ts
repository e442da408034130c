/**
 * Finding a message's catalog row without trying every row: the anchors of
 * `CATALOG` are compiled into a trie of words. A message is read word by
 * word; each word is one map lookup, so the cost depends on the message's
 * length, not on how many rows the catalog has. Only the matched row's
 * pattern runs, for its fields.
 *
 * Words are split on white space and compared without surrounding quotes,
 * brackets and trailing punctuation (`"No`, `(CHILD_REKEY)`, `AWS:`,
 * `Found.`), case-sensitively. Matching on whole words means `DPD timed out`
 * inside `XDPD timed out` is no match. Separators between the parts of a
 * message (` - `, a line break, a bullet) are never part of an anchor, so
 * every rendering variant matches.
 */
import type { FieldValue, Hint } from '../../model.ts';
import { CATALOG, type CatalogRow, INTEGER_FIELDS } from './catalog.ts';

/** A row compiled for matching. */
export interface IndexedRow {
  readonly row: CatalogRow;
  /** The hint every event of the row carries (one shared object). */
  readonly hint: Hint;
  /** `row.pattern` with the `g` flag, so it can search from an offset. */
  readonly search?: RegExp;
}

/** One word of the trie. */
export interface TrieNode {
  /** The row whose anchor ends at this word, if any. */
  row?: IndexedRow;
  children?: Map<string, TrieNode>;
}

/** A message's row and where its anchor starts. */
export interface CatalogMatch {
  readonly indexed: IndexedRow;
  /** Offset of the anchor's first word in the message. */
  readonly start: number;
}

/** Thrown at load time when two rows share an anchor or a row is malformed. */
export class CatalogDefinitionError extends Error {
  override readonly name = 'CatalogDefinitionError';
}

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;

function isSpace(code: number): boolean {
  return code === SPACE || code === LF || code === CR || code === TAB;
}

/** Characters stripped before a word: `"` `'` `(` `[` `{`. */
function isLeadingPunctuation(code: number): boolean {
  return code === 34 || code === 39 || code === 40 || code === 91 || code === 123;
}

/** Characters stripped after a word: `"` `'` `)` `]` `}` `:` `,` `;` `.` `!` `?`. */
function isTrailingPunctuation(code: number): boolean {
  return (
    code === 34 ||
    code === 39 ||
    code === 41 ||
    code === 93 ||
    code === 125 ||
    code === 58 ||
    code === 44 ||
    code === 59 ||
    code === 46 ||
    code === 33 ||
    code === 63
  );
}

/** The comparable form of `text[start, end)`: without surrounding punctuation. */
function wordAt(text: string, start: number, end: number): string {
  let from = start;
  let to = end;
  while (from < to && isLeadingPunctuation(text.charCodeAt(from))) from++;
  while (to > from && isTrailingPunctuation(text.charCodeAt(to - 1))) to--;
  return text.slice(from, to);
}

/** The comparable words of an anchor phrase. */
function anchorWords(anchor: string): string[] {
  return anchor
    .split(/\s+/)
    .map((word) => wordAt(word, 0, word.length))
    .filter((word) => word !== '');
}

/** A catalog compiled for matching: the word trie and every row by id. */
export interface CompiledCatalog {
  readonly root: ReadonlyMap<string, TrieNode>;
  readonly rows: ReadonlyMap<string, IndexedRow>;
}

/** Compiles `rows`; throws `CatalogDefinitionError` on duplicate ids or anchors. */
export function compileCatalog(rows: readonly CatalogRow[]): CompiledCatalog {
  const root = new Map<string, TrieNode>();
  const byId = new Map<string, IndexedRow>();
  for (const row of rows) {
    if (byId.has(row.id)) throw new CatalogDefinitionError(`catalog: duplicate row id "${row.id}"`);
    const indexed: IndexedRow = {
      row,
      hint: Object.freeze({
        id: row.id,
        title: row.title,
        remediation: row.remediation,
        docUrl: row.docUrl,
      }),
      ...(row.pattern === undefined
        ? {}
        : { search: new RegExp(row.pattern.source, `${row.pattern.flags.replace('g', '')}g`) }),
    };
    byId.set(row.id, indexed);
    for (const anchor of row.anchors) {
      const words = anchorWords(anchor);
      if (words.length === 0) {
        throw new CatalogDefinitionError(`catalog row "${row.id}": empty anchor`);
      }
      let level = root;
      let node: TrieNode | undefined;
      for (const word of words) {
        node = level.get(word);
        if (node === undefined) {
          node = {};
          level.set(word, node);
        }
        node.children ??= new Map();
        level = node.children;
      }
      const leaf = node as TrieNode;
      if (leaf.row !== undefined && leaf.row.row !== row) {
        throw new CatalogDefinitionError(
          `catalog: anchor "${anchor}" of row "${row.id}" is already the anchor of row "${leaf.row.row.id}"`,
        );
      }
      leaf.row = indexed;
    }
  }
  return { root, rows: byId };
}

const COMPILED = compileCatalog(CATALOG);

/** Every row of `CATALOG` compiled, by id. */
export const INDEXED_ROWS: ReadonlyMap<string, IndexedRow> = COMPILED.rows;

/** The compiled row `id`; throws when the catalog has no such row (a programming error). */
export function indexedRow(id: string): IndexedRow {
  const indexed = INDEXED_ROWS.get(id);
  if (indexed === undefined) throw new CatalogDefinitionError(`catalog: no row "${id}"`);
  return indexed;
}

/**
 * The row whose anchor occurs earliest in `text` on word boundaries (the
 * longest anchor at that position), or undefined. `catalog` defaults to `CATALOG`.
 */
export function matchCatalog(
  text: string,
  catalog: CompiledCatalog = COMPILED,
): CatalogMatch | undefined {
  const root = catalog.root;
  const length = text.length;
  let position = 0;
  while (position < length) {
    while (position < length && isSpace(text.charCodeAt(position))) position++;
    if (position >= length) return undefined;
    const start = position;
    let end = start + 1;
    while (end < length && !isSpace(text.charCodeAt(end))) end++;
    const first = root.get(wordAt(text, start, end));
    if (first !== undefined) {
      let node = first;
      let best = node.row;
      let cursor = end;
      for (;;) {
        let next = cursor;
        while (next < length && isSpace(text.charCodeAt(next))) next++;
        if (next >= length || node.children === undefined || node.children.size === 0) break;
        let nextEnd = next + 1;
        while (nextEnd < length && !isSpace(text.charCodeAt(nextEnd))) nextEnd++;
        const child = node.children.get(wordAt(text, next, nextEnd));
        if (child === undefined) break;
        node = child;
        if (node.row !== undefined) best = node.row;
        cursor = nextEnd;
      }
      if (best !== undefined) return { indexed: best, start };
    }
    position = end;
  }
  return undefined;
}

/**
 * Copies the fields `indexed`'s pattern captures in `text` (searching from
 * `start`) into `fields`. Returns false when the pattern is required and does
 * not match.
 */
export function extractFields(
  indexed: IndexedRow,
  text: string,
  start: number,
  fields: Record<string, FieldValue>,
): boolean {
  const { row, search } = indexed;
  if (search !== undefined) {
    search.lastIndex = start;
    const match = search.exec(text);
    if (match === null) {
      if (row.patternRequired === true) return false;
    } else if (match.groups !== undefined) {
      for (const name in match.groups) {
        const value = match.groups[name];
        if (value === undefined || value === '') continue;
        if (INTEGER_FIELDS.has(name)) {
          const number = Number(value);
          if (Number.isSafeInteger(number) && /^\d+$/.test(value)) fields[name] = number;
        } else {
          fields[name] = value;
        }
      }
    }
  }
  if (row.constants !== undefined) Object.assign(fields, row.constants);
  return true;
}
