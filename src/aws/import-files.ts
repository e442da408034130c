/**
 * Which files go to which log stream, and in what order. SoftEther/PacketiX
 * trees keep one log per directory in rotated files (`vpn_20251120.log`,
 * `vpn_20251120~01.log`, …; seeds/002 §3.10.1): they form one stream named
 * after the log (`server_log/vpn`, `security_log/HUB/sec`). Within a stream,
 * files are imported in chronological order: by their first timestamp, then
 * by the file-name rules (period, then `~NN` split), then by name.
 */
import { open } from 'node:fs/promises';
import { basename, extname, sep } from 'node:path';

/** SoftEther log directories whose sub-path names a log (Cedar.h constants). */
const SOFTETHER_DIRECTORIES = new Set([
  'server_log',
  'security_log',
  'packet_log',
  'client_log',
  'bridge_log',
  'secure_nat_log',
  'debug_log',
]);

/** `prefix` + optional `_YYYYMM[DD[_hh[mm[ss]]]]` + optional `~NN` + `.log`. */
const SOFTETHER_NAME =
  /^([a-z]+)(?:_(\d{6}(?:\d{2})?(?:_\d{2}(?:\d{2}(?:\d{2})?)?)?))?(?:~(\d{2,9}))?\.log$/;

/** The parts of a SoftEther log file name, or undefined for other names. */
export function softEtherName(
  path: string,
): { readonly prefix: string; readonly period: string; readonly split: number } | undefined {
  const match = SOFTETHER_NAME.exec(basename(path));
  if (match === null) return undefined;
  return {
    prefix: match[1] ?? '',
    period: (match[2] ?? '').replace('_', ''),
    split: Number(match[3] ?? 0),
  };
}

/**
 * The stream a file is imported into: `explicit` (`--stream`) when given;
 * for a SoftEther name, the log's path from its log directory without the
 * period and split (`security_log/DEFAULT/sec`); else the base name without
 * extension.
 */
export function importStreamName(path: string, explicit?: string): string {
  if (explicit !== undefined) return explicit;
  const name = softEtherName(path);
  if (name !== undefined) {
    const segments = path.split(sep).slice(0, -1);
    let from = -1;
    for (let i = segments.length - 1; i >= 0; i--) {
      if (SOFTETHER_DIRECTORIES.has(segments[i] ?? '')) {
        from = i;
        break;
      }
    }
    const directory = from >= 0 ? segments.slice(from) : [];
    return [...directory, name.prefix].join('/');
  }
  const base = basename(path);
  return base.slice(0, base.length - extname(base).length) || base;
}

/** A file to import with what orders it. */
export interface OrderedFile {
  readonly path: string;
  /** Epoch ms of its first timestamped line; null when none was found. */
  readonly firstTime: number | null;
}

/**
 * Orders files of one stream chronologically: first timestamp (files without
 * one last), then SoftEther period and split number, then name.
 */
export function compareFilesChronologically(a: OrderedFile, b: OrderedFile): number {
  const at = a.firstTime ?? Number.POSITIVE_INFINITY;
  const bt = b.firstTime ?? Number.POSITIVE_INFINITY;
  if (at !== bt) return at < bt ? -1 : 1;
  const an = softEtherName(a.path);
  const bn = softEtherName(b.path);
  if (an !== undefined && bn !== undefined) {
    if (an.period !== bn.period) return an.period < bn.period ? -1 : 1;
    if (an.split !== bn.split) return an.split - bn.split;
  }
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Bytes read from the start of a file to find its first lines. */
const HEAD_BYTES = 64 * 1024;

/**
 * The first `maxLines` complete lines of a file (LF or CRLF), from its first
 * 64 KiB, closing the file before returning. Throws the file system's error.
 */
export async function readHeadLines(path: string, maxLines: number): Promise<string[]> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    const text = buffer.toString('utf8', 0, bytesRead);
    const lines = text.split('\n');
    // Without reaching the end of the file, the last piece may be cut.
    if (bytesRead === HEAD_BYTES) lines.pop();
    else if (lines[lines.length - 1] === '') lines.pop();
    return lines.slice(0, maxLines).map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  } finally {
    await handle.close();
  }
}
