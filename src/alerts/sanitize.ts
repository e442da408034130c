/**
 * Making untrusted log text safe to show: log lines are written by whoever
 * reaches the VPN port (user names, client strings), so evidence may hold
 * terminal escapes, control characters, bidirectional overrides or huge lines.
 */

/** ANSI/VT escape sequences: CSI, OSC (BEL or ST terminated), other two-character escapes. */
const ANSI_ESCAPES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]?|\u009b[0-?]*[ -/]*[@-~]/g;

/**
 * C0 and C1 controls, DEL, Unicode line/paragraph separators, bidirectional
 * embedding/override/isolate marks, zero-width and BOM characters.
 */
const CONTROLS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\u061c\ufeff]/g;

/** Lone UTF-16 surrogates (invalid text that breaks UTF-8 encoders). */
const LONE_SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Longest evidence line kept, characters. */
export const MAX_EVIDENCE_LINE = 1000;
/** Most evidence lines kept per alert (the newest). */
export const MAX_EVIDENCE_LINES = 20;

/**
 * One line of untrusted text made safe: escapes removed, tabs and other
 * controls turned into spaces, runs of spaces kept, bounded to `maxLength`
 * characters (with a marker saying how much was cut).
 */
export function sanitizeLine(text: string, maxLength = MAX_EVIDENCE_LINE): string {
  const clean = text
    .replace(ANSI_ESCAPES, '')
    .replace(LONE_SURROGATES, '\ufffd')
    .replace(CONTROLS, ' ')
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
 * Text made ASCII-only for an SNS subject or attribute: accents dropped
 * (NFKD), other non-ASCII characters replaced by `?`, controls removed,
 * whitespace collapsed.
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
