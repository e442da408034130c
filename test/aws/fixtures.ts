/**
 * Synthetic log trees for import tests and the import benchmark: a SoftEther
 * server log rotated daily and split by size (`vpn_YYYYMMDD~NN.log`, CRLF,
 * local time), and a NIFCLOUD-style gateway log (`YYYY/MM/DD hh:mm:ss
 * openvpn-vtun0 …`, second precision with repeated identical lines) cut into
 * overlapping "latest N lines" downloads.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { localTimeToEpoch } from '../../src/sources/time.ts';

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** Wall-clock parts of epoch ms in a fixed offset zone (no DST: Asia/Tokyo is +9). */
function wall(epochMs: number, offsetHours: number) {
  const d = new Date(epochMs + offsetHours * 3_600_000);
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    day: `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
    ms: pad(d.getUTCMilliseconds(), 3),
  };
}

const SOFTETHER_MESSAGES = [
  (i: number) =>
    `[HUB "DEFAULT"] Connection "CID-${i}": User authentication failed. The user name that has been provided was "alice", from 198.51.100.${i % 250}.`,
  (i: number) =>
    `Connection "CID-${i}": Successfully established the SSL connection with the VPN client 203.0.113.${i % 250} (port ${1024 + (i % 60000)}).`,
  (i: number) =>
    `[HUB "DEFAULT"] The new session "SID-USER${i % 97}-${i}" has been created. (IP address: 203.0.113.${i % 250}, Port number: 443)`,
  (i: number) => `[HUB "社内"] セッション "SID-USER${i % 13}-${i}" が終了しました。`,
];

/** A SoftEther server_log tree; returns the directory and every non-blank line in order. */
export async function writeSoftEtherTree(
  root: string,
  options: {
    lines: number;
    start: number;
    stepMs: number;
    splitEvery: number;
    oversizeAt?: number;
  },
): Promise<{ directory: string; lines: string[] }> {
  const directory = join(root, 'server_log');
  await mkdir(directory, { recursive: true });
  const lines: string[] = [];
  const files = new Map<string, string[]>();
  let currentDay = '';
  let split = 0;
  let inFile = 0;
  for (let i = 0; i < options.lines; i++) {
    const at = wall(options.start + i * options.stepMs, 9);
    if (at.day !== currentDay) {
      currentDay = at.day;
      split = 0;
      inFile = 0;
    } else if (inFile >= options.splitEvery) {
      split++;
      inFile = 0;
    }
    const name = `vpn_${at.day}${split === 0 ? '' : `~${pad(split)}`}.log`;
    let text = `${at.date} ${at.time}.${at.ms} ${SOFTETHER_MESSAGES[i % SOFTETHER_MESSAGES.length]!(i)}`;
    if (i === options.oversizeAt) text = `${text} ${'長'.repeat(120_000)}`;
    const bucket = files.get(name) ?? [];
    bucket.push(text);
    lines.push(text);
    // An untimed continuation line inherits the previous line's time.
    if (i % 5000 === 17) {
      const continuation = `    continuation of line ${i}`;
      bucket.push(continuation);
      lines.push(continuation);
    }
    files.set(name, bucket);
    inFile++;
  }
  for (const [name, bucket] of files) {
    await writeFile(join(directory, name), `${bucket.join('\r\n')}\r\n\r\n`);
  }
  return { directory, lines };
}

/** The whole gateway log (each line once, in order) and its overlapping downloads. */
export async function writeGatewayDownloads(
  root: string,
  options: { lines: number; start: number; window: number; every: number },
): Promise<{ files: string[]; lines: string[] }> {
  const directory = join(root, 'gateway');
  await mkdir(directory, { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < options.lines; i++) {
    // Three lines per second on average, with identical lines in the same second.
    const at = wall(options.start + Math.floor(i / 3) * 1000, 9);
    const user = `user${pad(i % 7)}`;
    const message =
      i % 3 === 2
        ? 'TLS Error: TLS handshake failed'
        : i % 3 === 1
          ? `${user} authentication succeeded`
          : `try username "${user}"`;
    const body =
      i % 3 === 2
        ? `${user}/203.0.113.9:51234 ${message}`
        : `${user}/203.0.113.${i % 200}:${40000 + (i % 999)} ${message}`;
    lines.push(`${at.date.replaceAll('-', '/')} ${at.time} openvpn-vtun0 ${body}`);
    if (i % 11 === 0) lines.push(lines[lines.length - 1]!);
  }
  const files: string[] = [];
  for (let end = options.every; ; end += options.every) {
    const last = Math.min(end, lines.length);
    const window = lines.slice(Math.max(0, last - options.window), last);
    const path = join(directory, `vpngw-log-${pad(files.length, 3)}.txt`);
    await writeFile(path, `${window.join('\n')}\n`);
    files.push(path);
    if (last === lines.length) break;
  }
  return { files, lines };
}

/** Epoch ms of a Tokyo wall time, for expectations. */
export function tokyo(year: number, month: number, day: number, hour: number): number {
  return localTimeToEpoch('Asia/Tokyo', year, month, day, hour, 0, 0) ?? Number.NaN;
}
