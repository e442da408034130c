/**
 * Lines longer than one CloudWatch Logs event are split into parts, each
 * starting with a visible marker `[tunnelwatch part K/N] `, and joined again
 * when a stream is downloaded (`logs get`). Nothing is cut off or dropped.
 */
import { MAX_EVENT_MESSAGE_BYTES } from './limits.ts';

const MARKER = /^\[tunnelwatch part (\d+)\/(\d+)\] /;

/** The marker that starts part `index` (1-based) of `count`. */
export function partMarker(index: number, count: number): string {
  return `[tunnelwatch part ${index}/${count}] `;
}

/** UTF-8 byte length of a string. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Splits `message` into event messages of at most `maxBytes` UTF-8 bytes each,
 * marker included, cutting only between characters. A message that fits is
 * returned as is (one element).
 */
export function splitMessage(message: string, maxBytes = MAX_EVENT_MESSAGE_BYTES): string[] {
  const bytes = Buffer.from(message, 'utf8');
  if (bytes.length <= maxBytes) return [message];
  // The marker's width depends on the part count; grow the estimate until stable.
  let count = Math.ceil(bytes.length / maxBytes);
  for (;;) {
    const room = maxBytes - utf8Bytes(partMarker(count, count));
    if (room < 4) throw new RangeError(`event size limit ${maxBytes} bytes is too small to split`);
    const chunks = cutUtf8(bytes, room);
    if (chunks.length <= count) {
      return chunks.map((chunk, i) => partMarker(i + 1, chunks.length) + chunk);
    }
    count = chunks.length;
  }
}

/** Cuts UTF-8 bytes into strings of at most `room` bytes without splitting a character. */
function cutUtf8(bytes: Buffer, room: number): string[] {
  const chunks: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + room, bytes.length);
    // Back off while the first byte after the cut is a continuation byte (10xxxxxx).
    while (end < bytes.length && end > start && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    chunks.push(bytes.toString('utf8', start, end));
    start = end;
  }
  return chunks;
}

/** A message's continuation marker, if it is one part of a split line. */
export function parsePart(
  message: string,
): { readonly index: number; readonly count: number; readonly text: string } | undefined {
  const match = MARKER.exec(message);
  if (match === null) return undefined;
  return {
    index: Number(match[1]),
    count: Number(match[2]),
    text: message.slice(match[0].length),
  };
}

/**
 * Joins the parts of split lines back into the original lines, in order. A
 * run of parts that is incomplete (a part missing) is kept as its parts, marker
 * and all, so that nothing disappears silently.
 */
export class ContinuationJoiner {
  private parts: string[] = [];
  private texts: string[] = [];
  private expected = 0;

  /** Feeds one event message; returns the lines that are complete now. */
  push(message: string): string[] {
    const part = parsePart(message);
    if (part === undefined) return [...this.abandon(), message];
    const out: string[] = [];
    if (part.index === 1) out.push(...this.abandon());
    if (
      part.index !== this.parts.length + 1 ||
      (this.expected !== 0 && part.count !== this.expected)
    ) {
      out.push(...this.abandon(), message);
      return out;
    }
    this.parts.push(message);
    this.texts.push(part.text);
    this.expected = part.count;
    if (part.index === part.count) {
      out.push(this.texts.join(''));
      this.parts = [];
      this.texts = [];
      this.expected = 0;
    }
    return out;
  }

  /** Lines still pending at the end (an incomplete run, kept as its parts). */
  end(): string[] {
    return this.abandon();
  }

  private abandon(): string[] {
    const pending = this.parts;
    this.parts = [];
    this.texts = [];
    this.expected = 0;
    return pending;
  }
}
