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
  /**
   * `row.pattern` with its group names removed (numbered groups are cheaper)
   * and the `g` flag, so it can search from an offset.
   */
  readonly search?: RegExp;
  /** The field name of each numbered group of `search`, in order. */
  readonly groupFields: readonly string[];
  /** For each of `groupFields`: convert the captured text to an integer. */
  readonly groupIntegers: readonly boolean[];
  /** `row.constants` as [field, value] pairs. */
  readonly constantFields: readonly (readonly [string, FieldValue])[];
}

/** One word of the trie. */
export interface TrieNode {
  /** The word, in comparable form. */
  readonly word: string;
  /** The row whose anchor ends at this word, if any. */
  row?: IndexedRow;
  /** The next words, by `wordHash`. */
  children?: Map<number, TrieNode>;
  /** Another word of the same level with the same hash. */
  sibling?: TrieNode;
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

/** FNV-1a hash of `text[from, to)`, kept in small-integer range. */
function wordHash(text: string, from: number, to: number): number {
  let hash = 0x811c9dc5;
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash & 0x3fffffff;
}

/** Where `readWord` found the last word; reused so the hot path allocates nothing. */
const scan = { end: 0, from: 0, to: 0, hash: 0, matchStart: 0, examined: 0 };

/**
 * Reads the word starting at `start` (a non-space character) into `scan`: its
 * end, its bounds without surrounding punctuation and their hash, in one pass
 * for words without trailing punctuation.
 */
function readWord(text: string, start: number, length: number): void {
  let from = start;
  while (from < length && isLeadingPunctuation(text.charCodeAt(from))) from++;
  let hash = 0x811c9dc5;
  let end = from;
  for (; end < length; end++) {
    const code = text.charCodeAt(end);
    if (code <= 32 && isSpace(code)) break;
    hash = Math.imul(hash ^ code, 16777619);
  }
  let to = end;
  while (to > from && isTrailingPunctuation(text.charCodeAt(to - 1))) to--;
  scan.end = end;
  scan.examined = end;
  scan.from = from;
  scan.to = to;
  scan.hash = to === end ? hash & 0x3fffffff : wordHash(text, from, to);
}

/** The node of `level` for the word `readWord` left in `scan`. */
function lookup(level: ReadonlyMap<number, TrieNode>, text: string): TrieNode | undefined {
  const { from, to } = scan;
  let node = level.get(scan.hash);
  while (node !== undefined) {
    if (node.word.length === to - from && text.startsWith(node.word, from)) return node;
    node = node.sibling;
  }
  return undefined;
}

/** The node of `level` for `word`, created when missing. */
function child(level: Map<number, TrieNode>, word: string): TrieNode {
  const hash = wordHash(word, 0, word.length);
  let node = level.get(hash);
  if (node === undefined) {
    node = { word };
    level.set(hash, node);
    return node;
  }
  for (;;) {
    if (node.word === word) return node;
    if (node.sibling === undefined) {
      node.sibling = { word };
      return node.sibling;
    }
    node = node.sibling;
  }
}

/** The comparable words of an anchor phrase. */
function anchorWords(anchor: string): string[] {
  return anchor
    .split(/\s+/)
    .map((word) => wordAt(word, 0, word.length))
    .filter((word) => word !== '');
}

const NAMED_GROUP = /\(\?<([A-Za-z_$][\w$]*)>/g;

/**
 * `row.pattern` as a searching regex with numbered groups, and the field of
 * each group. Every capturing group must be named (use `(?:…)` otherwise).
 */
function compilePattern(
  row: CatalogRow,
): Pick<IndexedRow, 'search' | 'groupFields' | 'groupIntegers'> {
  if (row.pattern === undefined) return { groupFields: [], groupIntegers: [] };
  const { source, flags } = row.pattern;
  const groupFields = [...source.matchAll(NAMED_GROUP)].map((match) => match[1] as string);
  const search = new RegExp(source.replace(NAMED_GROUP, '('), `${flags.replace('g', '')}g`);
  const groups = (new RegExp(`${search.source}|`).exec('')?.length ?? 1) - 1;
  if (groups !== groupFields.length) {
    throw new CatalogDefinitionError(
      `catalog row "${row.id}": pattern has ${groups} capturing groups but ${groupFields.length} named ones; use (?:...) for unnamed groups`,
    );
  }
  return {
    search,
    groupFields,
    groupIntegers: groupFields.map((field) => INTEGER_FIELDS.has(field)),
  };
}

/** A catalog compiled for matching: the word trie and every row by id. */
export interface CompiledCatalog {
  readonly root: ReadonlyMap<number, TrieNode>;
  readonly rows: ReadonlyMap<string, IndexedRow>;
}

/** Compiles `rows`; throws `CatalogDefinitionError` on duplicate ids or anchors. */
export function compileCatalog(rows: readonly CatalogRow[]): CompiledCatalog {
  const root = new Map<number, TrieNode>();
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
      ...compilePattern(row),
      constantFields: Object.entries(row.constants ?? {}),
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
        node = child(level, word);
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
  const indexed = findRow(text, catalog.root);
  return indexed === undefined ? undefined : { indexed, start: scan.matchStart };
}

/**
 * Classifies `text` by `CATALOG`: its row, with the row's fields added to
 * `fields`, or undefined when no row matches (or a row's required pattern
 * does not). Allocates nothing but the fields.
 */
export function classifyMessage(
  text: string,
  fields: Record<string, FieldValue>,
): IndexedRow | undefined {
  const indexed = findTemplateRow(text);
  if (indexed === undefined) return undefined;
  return extractFields(indexed, text, scan.matchStart, fields) ? indexed : undefined;
}

/** A message template's row: the text before its first digit and where the anchor starts. */
interface TemplateEntry {
  readonly prefix: string;
  readonly indexed: IndexedRow;
  readonly start: number;
}

/** Template rows by the hash of their prefix; cleared when it reaches `TEMPLATE_LIMIT`. */
const templates = new Map<number, TemplateEntry>();
/** Bound of `templates`: far above the number of message templates AWS writes. */
const TEMPLATE_LIMIT = 2048;

/**
 * `findRow` with a memo for message templates. Most messages differ only in
 * their numbers (`(id=12)`, `after 3 retransmits`, addresses), and the word
 * walk usually decides before the first digit. When it did (it read nothing
 * at or after the first digit), any text with the same characters before
 * that digit gets the same row at the same offset, so the answer is kept
 * under that prefix. Texts without a digit always take the walk.
 */
function findTemplateRow(text: string): IndexedRow | undefined {
  const length = text.length;
  let hash = 0x811c9dc5;
  let digit = 0;
  for (; digit < length; digit++) {
    const code = text.charCodeAt(digit);
    if (code >= 48 && code <= 57) break;
    hash = Math.imul(hash ^ code, 16777619);
  }
  if (digit === length) return findRow(text, COMPILED.root);
  const key = hash & 0x3fffffff;
  const entry = templates.get(key);
  // `slice(…) ===` compares far faster than `startsWith` in V8.
  if (
    entry !== undefined &&
    entry.prefix.length === digit &&
    text.slice(0, digit) === entry.prefix
  ) {
    scan.matchStart = entry.start;
    return entry.indexed;
  }
  const indexed = findRow(text, COMPILED.root);
  if (indexed !== undefined && scan.examined < digit) {
    if (templates.size >= TEMPLATE_LIMIT) templates.clear();
    // A fresh flat copy: a slice would keep the whole text alive and compare slower.
    const prefix = JSON.parse(JSON.stringify(text.slice(0, digit))) as string;
    templates.set(key, { prefix, indexed, start: scan.matchStart });
  }
  return indexed;
}

/** `matchCatalog` without the result object: the row, its start left in `scan.matchStart`. */
function findRow(text: string, root: ReadonlyMap<number, TrieNode>): IndexedRow | undefined {
  const length = text.length;
  let position = 0;
  while (position < length) {
    while (position < length && isSpace(text.charCodeAt(position))) position++;
    if (position >= length) return undefined;
    const start = position;
    readWord(text, start, length);
    position = scan.end;
    let node = lookup(root, text);
    if (node === undefined) continue;
    let best = node.row;
    let cursor = scan.end;
    while (node.children !== undefined && node.children.size > 0) {
      while (cursor < length && isSpace(text.charCodeAt(cursor))) cursor++;
      if (cursor >= length) {
        scan.examined = length;
        break;
      }
      readWord(text, cursor, length);
      const next = lookup(node.children, text);
      if (next === undefined) break;
      node = next;
      if (node.row !== undefined) best = node.row;
      cursor = scan.end;
    }
    if (best !== undefined) {
      scan.matchStart = start;
      return best;
    }
  }
  return undefined;
}

/** The value of a string of decimal digits, or undefined (signs, dots, too long). */
function unsignedInteger(text: string): number | undefined {
  if (text.length === 0 || text.length > 15) return undefined;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value;
}

/** The decimal digits at `text[from…]` as a number, or undefined (none, or more than 15). */
function integerAt(text: string, from: number): number | undefined {
  let value = 0;
  let end = from;
  for (; end < text.length && end - from <= 15; end++) {
    const digit = text.charCodeAt(end) - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return end === from || end - from > 15 ? undefined : value;
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
  const { row, search, groupFields, groupIntegers } = indexed;
  const { requires } = row;
  // Most messages end with the required text: check there before searching.
  if (requires !== undefined && !text.endsWith(requires) && text.indexOf(requires, start) < 0) {
    return false;
  }
  if (row.integersAfter !== undefined) {
    for (let i = 0; i < row.integersAfter.length; i++) {
      const [literal, field] = row.integersAfter[i] as readonly [string, string];
      const at = text.indexOf(literal, start);
      if (at < 0) continue;
      const number = integerAt(text, at + literal.length);
      if (number !== undefined) fields[field] = number;
    }
  }
  if (search !== undefined) {
    search.lastIndex = start;
    const match = search.exec(text);
    if (match === null) {
      if (row.patternRequired === true) return false;
    } else {
      for (let i = 0; i < groupFields.length; i++) {
        const value = match[i + 1];
        if (value === undefined || value === '') continue;
        if (groupIntegers[i] === true) {
          const number = unsignedInteger(value);
          if (number !== undefined) fields[groupFields[i] as string] = number;
        } else {
          fields[groupFields[i] as string] = value;
        }
      }
    }
  }
  const { constantFields } = indexed;
  for (let i = 0; i < constantFields.length; i++) {
    const [field, value] = constantFields[i] as readonly [string, FieldValue];
    fields[field] = value;
  }
  return true;
}
