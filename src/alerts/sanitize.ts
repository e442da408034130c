/**
 * Making untrusted log text safe for each output (docs/output-safety.md): log
 * lines are written by whoever reaches the VPN port (user names, client
 * strings), so they may hold terminal escapes, control characters,
 * bidirectional overrides, invisible characters, markup or huge lines. This
 * file is the one home of the escaping functions; every output uses one of
 * them:
 *
 * - `sanitizeLine` / `sanitizeEvidence`: text for people (terminal, email);
 * - `toAscii`: SNS subjects and message attributes;
 * - `escapeKey`: alert keys, injective;
 * - `visibleText` / `logValueReplacer`: the alert function's own logs;
 * - `safeJson`: any JSON the CLI prints or the alert carries;
 * - `escapeMarkdown`: log text inside chat Markdown;
 * - `escapeHtml`: log text inside HTML.
 */

/**
 * The unsafe characters beyond C0 and lone surrogates, as a character-class
 * body: DEL and C1, the Arabic letter mark, zero-width marks, LRM/RLM, the
 * line and paragraph separators, bidi embeddings, overrides and isolates,
 * word joiner and invisible operators, BOM, interlinear annotation marks.
 * JSON.stringify leaves exactly these raw (it escapes C0 and lone surrogates).
 */
const INVISIBLE =
  '\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff\\ufff9-\\ufffb';

/**
 * The characters no output writes raw: C0 controls, DEL, C1 controls, the
 * Arabic letter mark, zero-width space/joiners and LRM/RLM, the line and
 * paragraph separators, bidirectional embeddings, overrides and isolates,
 * word joiner and invisible operators, the interlinear annotation marks, the
 * byte-order mark, and lone UTF-16 surrogates (invalid text).
 */
const UNSAFE = new RegExp(
  `[\\u0000-\\u001f${INVISIBLE}]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]`,
  'g',
);

/** Line-breaking and tab characters: shown as one space in text for people. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const BREAKS = /^[\t\n\u000b\f\r\u0085\u2028\u2029]$/;

/** True when `text` holds a character of the unsafe set (see `UNSAFE`). */
export function hasUnsafeCharacter(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}

/** A character as a visible, inert escape: `\u{202E}` (hex, upper case). */
export function visibleEscape(char: string): string {
  return `\\u{${(char.codePointAt(0) ?? 0).toString(16).toUpperCase()}}`;
}

/**
 * Text with every unsafe character as a visible `\u{…}` escape and nothing
 * else changed (not bounded, breaks escaped too): for strings in the alert
 * function's own JSON logs (`logValueReplacer`).
 */
export function visibleText(text: string): string {
  return text.replace(UNSAFE, visibleEscape);
}

/**
 * A JSON replacer for the alert function's logger (Powertools Logger's
 * `jsonReplacerFn`): every string value goes through `visibleText`, so a log
 * stream name or a payload excerpt in a log record holds no control, bidi or
 * invisible character when read in the CloudWatch console or a terminal.
 */
export function logValueReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? visibleText(value) : value;
}

/** Longest evidence line kept, characters. */
export const MAX_EVIDENCE_LINE = 1000;
/** Most evidence lines kept per alert (the newest). */
export const MAX_EVIDENCE_LINES = 20;

/**
 * One line of untrusted text for people (terminal, email body, report):
 * tabs and line breaks (CR, LF, VT, FF, NEL, U+2028, U+2029) become a space;
 * every other unsafe character (ESC and the rest of C0, DEL, C1, bidi and
 * zero-width marks, BOM, lone surrogates) becomes a visible `\u{…}` escape,
 * so a terminal escape or a right-to-left override is shown, never obeyed.
 * Trailing spaces are dropped; the line is bounded to `maxLength` characters
 * (with a marker saying how much was cut).
 */
export function sanitizeLine(text: string, maxLength = MAX_EVIDENCE_LINE): string {
  const clean = text
    .replace(UNSAFE, (char) => (BREAKS.test(char) ? ' ' : visibleEscape(char)))
    .trimEnd();
  if (clean.length <= maxLength) return clean;
  const cut = clean.length - maxLength;
  let kept = clean.slice(0, maxLength);
  // Never end on half a surrogate pair.
  if (/[\ud800-\udbff]$/.test(kept)) kept = kept.slice(0, -1);
  return `${kept}... [${cut} more characters]`;
}

/**
 * Evidence lines made safe: each line sanitised and bounded, at most
 * `maxLines` lines (the newest; a first line says how many were left out).
 */
export function sanitizeEvidence(
  lines: readonly string[],
  maxLines = MAX_EVIDENCE_LINES,
  maxLength = MAX_EVIDENCE_LINE,
): string[] {
  const count = Math.max(0, Math.min(lines.length, maxLines));
  const kept = lines.slice(lines.length - count).map((line) => sanitizeLine(line, maxLength));
  const omitted = lines.length - count;
  return omitted > 0 ? [`[${omitted} earlier line(s) omitted]`, ...kept] : kept;
}

/**
 * Text made ASCII-only for an SNS subject or attribute: unsafe characters as
 * in `sanitizeLine` (visible `\u{…}` escapes, breaks as spaces), accents
 * dropped (NFKD), other non-ASCII characters replaced by `?`, whitespace
 * collapsed.
 */
export function toAscii(text: string): string {
  return sanitizeLine(text, Number.POSITIVE_INFINITY)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2026]/g, '...')
    .replace(/[^\x20-\x7e]/gu, '?')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A log-derived alert key (the dedup and grouping key) free of invisible
 * characters and still one-to-one: `\` becomes `\\` and every unsafe
 * character (line breaks included) a visible `\u{…}` escape, so two different
 * names never give the same key and nothing invisible reaches ids or output.
 * Text without `\` or unsafe characters is unchanged.
 */
export function escapeKey(text: string): string {
  return visibleText(text.replace(/\\/g, '\\\\'));
}

/** Unsafe characters JSON.stringify leaves raw (it escapes C0, `"`, `\` and lone surrogates). */
const JSON_RAW = new RegExp(`[${INVISIBLE}]`, 'g');
/** As `JSON_RAW`, plus the characters that could end a `<script>` element or start a comment. */
const JSON_RAW_HTML = new RegExp(`[<>&${INVISIBLE}]`, 'g');

function jsonEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** How `safeJson` writes. */
export interface SafeJsonOptions {
  /** Indentation, as JSON.stringify's `space`. @default - one line */
  readonly space?: number;
  /** Also escape `<`, `>` and `&` (JSON inside an HTML `<script>` element). @default false */
  readonly forHtml?: boolean;
}

/**
 * `value` as JSON that is inert on a terminal (or in HTML with `forHtml`) and
 * still faithful: JSON.stringify, then every character it leaves raw from
 * the unsafe set (DEL, C1, bidi and zero-width marks, U+2028/U+2029, BOM) as a
 * `\uXXXX` escape. JSON.parse gives back exactly the same value; the bytes
 * hold no control character, so printing them cannot move the cursor, change
 * colours or reorder text. Used for every JSON the CLI prints.
 */
export function safeJson(value: unknown, options: SafeJsonOptions = {}): string {
  const json = JSON.stringify(value, null, options.space);
  // JSON.stringify gives undefined for undefined and functions; nothing to escape then.
  if (json === undefined) return json as unknown as string;
  return json.replace(options.forHtml === true ? JSON_RAW_HTML : JSON_RAW, jsonEscape);
}

/**
 * What `escapeMarkdown` rewrites: `&`, `<` and `>` (as entities), and the
 * punctuation of emphasis, code, links, images, headings, tables,
 * strikethrough and mentions (behind a backslash).
 */
export const MARKDOWN_ACTIVE = /[&<>\\`*_[\]()#|~@!]/g;

/**
 * One line of untrusted text for a chat message in Markdown (AWS Chatbot's
 * `client-markdown`: Slack, Microsoft Teams, Chime): first as `sanitizeLine`
 * (bounded to `maxLength`), then `&`, `<` and `>` as HTML entities (so no
 * `<!channel>`, `<@U123>`, `<http://…|link>` or HTML tag survives) and
 * `\` `` ` `` `*` `_` `[` `]` `(` `)` `#` `|` `~` `@` `!` behind a
 * backslash (no emphasis, code, link, image, heading, table or `@here`). A
 * client that honours CommonMark escapes shows the text as it was; one that
 * does not (Slack) shows the backslashes, never markup, a link or a mention.
 * The caller never starts a Markdown line with escaped text (list and
 * heading markers at a line start are the caller's).
 */
export function escapeMarkdown(text: string, maxLength = MAX_EVIDENCE_LINE): string {
  return sanitizeLine(text, maxLength).replace(
    MARKDOWN_ACTIVE,
    (char) => HTML_ESCAPES[char] ?? `\\${char}`,
  );
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML element content and quoted attribute values: `& < > " '` as entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}
