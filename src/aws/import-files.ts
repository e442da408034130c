/**
 * Which files go to which log stream, and in what order. SoftEther/PacketiX
 * trees keep one log per directory in rotated files (`vpn_20251120.log`,
 * `vpn_20251120~01.log`, …; PacketiX VPN manual §3.10.1): they form one stream named
 * after the log (`vpnserver/server_log/vpn`, `vpnserver/security_log/HUB/sec`).
 * Within a stream,
 * files are imported in chronological order: by their first timestamp, then
 * by the file-name rules (period, then `~NN` split), then by name.
 */
import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import {
  compareLogFileNames,
  parseLogFileName,
  softetherStreamName,
} from '../sources/softether/files.ts';

/**
 * The stream a file is imported into: `explicit` (`--stream`) when given;
 * for a file in a SoftEther log tree, the source's stream name
 * (`softetherStreamName`: the directory above the log directory, then the path
 * from it) without the period and split, so that all of one log's rotated files
 * form one stream (`vpnserver/security_log/DEFAULT/sec`); for a SoftEther name
 * outside a tree, its prefix; else the base name without extension.
 */
export function importStreamName(path: string, explicit?: string): string {
  if (explicit !== undefined) return explicit;
  const base = basename(path);
  const parsed = parseLogFileName(base);
  if (parsed !== undefined) {
    const inTree = softetherStreamName(path);
    if (inTree === undefined) return parsed.prefix;
    const segments = inTree.split('/');
    segments[segments.length - 1] = parsed.prefix;
    return segments.join('/');
  }
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
 * one last), then the SoftEther file-name order (period, then `~NN` split;
 * src/sources/softether/files.ts), then name.
 */
export function compareFilesChronologically(a: OrderedFile, b: OrderedFile): number {
  const at = a.firstTime ?? Number.POSITIVE_INFINITY;
  const bt = b.firstTime ?? Number.POSITIVE_INFINITY;
  if (at !== bt) return at < bt ? -1 : 1;
  const byName = compareLogFileNames(basename(a.path), basename(b.path));
  if (byName !== 0) return byName;
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
