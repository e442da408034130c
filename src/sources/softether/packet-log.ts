/**
 * Packet-log rows (`packet_log/<HUB>/pkt_*.log`): `date,time,` then 16
 * columns, or 18 when the physical IPs are written (Logging.c
 * `PacketLogParseProc` / `GenCsvLine`). `-` is an empty column. SoftEther
 * replaces commas inside a column by `_`, but rows passed through other tools
 * may quote columns, so quoted CSV is read too.
 */
import type { EventFields, FieldValue } from '../../model.ts';

/** Field names of the 18 columns after date and time, in order. */
export const PACKET_COLUMNS = [
  'srcSession',
  'dstSession',
  'srcMac',
  'dstMac',
  'etherType',
  'packetSize',
  'packetType',
  'packetSubtype',
  'srcIp',
  'srcPort',
  'dstIp',
  'dstPort',
  'tcpSeq',
  'tcpAck',
  'detail',
  'payload',
  'srcPhysicalIp',
  'dstPhysicalIp',
] as const;

/**
 * `LH_PACKET_LOG_NO_LOG_OSS` / `LH_PACKET_LOG_NO_LOG` in the English, Japanese
 * and Chinese string tables: written instead of the packet details when deep
 * packet logging is disabled (open-source builds in the JP/CN regions, or
 * editions without packet logging). Matched on their opening words.
 */
export const DEEP_LOGGING_DISABLED_SENTENCES: readonly string[] = [
  'The VPN Server is either Open-Source or Free version.',
  "The edition of this VPN Server doesn't supports the packet logging function.",
  'この VPN Server はオープンソース版または無償版であるため',
  'この VPN Server はパケットログの保存に対応していない製品エディション',
  'VPN 服务器是开源或免费的版本。',
  '此 VPN Server 的版本不支持数据包日志功能。',
];

/** The result of reading a packet-log row. */
export type PacketRow =
  | { readonly ok: true; readonly fields: EventFields }
  | { readonly ok: false; readonly reason: string };

/** Splits one CSV row; quoted columns may hold commas and doubled quotes. */
export function splitCsv(text: string): string[] {
  if (!text.includes('"')) return text.split(',');
  const columns: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          current += '"';
          i++;
        } else quoted = false;
      } else current += char;
    } else if (char === '"' && current === '') quoted = true;
    else if (char === ',') {
      columns.push(current);
      current = '';
    } else current += char;
  }
  columns.push(current);
  return columns;
}

/**
 * Reads the columns after `date,time,` into named fields, written into `into`
 * (so the caller's fields come first without copying). Columns are stored
 * with literal property names: this runs for every packet row, and keyed
 * stores with varying names are several times slower.
 */
export function readPacketRow(csv: string, into: Record<string, FieldValue> = {}): PacketRow {
  const c = splitCsv(csv);
  const count = c.length;
  const packetType = c[6];
  if (
    count >= 7 &&
    packetType !== undefined &&
    packetType.length > 40 &&
    DEEP_LOGGING_DISABLED_SENTENCES.some((sentence) => packetType.startsWith(sentence))
  ) {
    into.deepLogging = false;
    readLinkColumns(c, into);
    return { ok: true, fields: into };
  }
  if (count !== 16 && count !== 18) {
    return {
      ok: false,
      reason: `packet-log row has ${count} columns after date and time: expected 16 or 18`,
    };
  }
  const f = into;
  readLinkColumns(c, f);
  let v = c[6] as string;
  if (v !== '-' && v !== '') f.packetType = v;
  v = c[7] as string;
  if (v !== '-' && v !== '') f.packetSubtype = v;
  v = c[8] as string;
  if (v !== '-' && v !== '') f.srcIp = v;
  v = c[9] as string;
  if (v !== '-' && v !== '') {
    const open = v.indexOf('(');
    if (open > 0) {
      f.srcPort = numberOrText(v.slice(open + 1, -1));
      f.srcService = v.slice(0, open);
    } else f.srcPort = numberOrText(v);
  }
  v = c[10] as string;
  if (v !== '-' && v !== '') f.dstIp = v;
  v = c[11] as string;
  if (v !== '-' && v !== '') {
    const open = v.indexOf('(');
    if (open > 0) {
      f.dstPort = numberOrText(v.slice(open + 1, -1));
      f.dstService = v.slice(0, open);
    } else f.dstPort = numberOrText(v);
  }
  v = c[12] as string;
  if (v !== '-' && v !== '') f.tcpSeq = numberOrText(v);
  v = c[13] as string;
  if (v !== '-' && v !== '') f.tcpAck = numberOrText(v);
  v = c[14] as string;
  if (v !== '-' && v !== '') f.detail = v;
  v = c[15] as string;
  if (v !== '-' && v !== '') f.payload = v;
  if (count === 18) {
    v = c[16] as string;
    if (v !== '-' && v !== '') {
      f.srcPhysicalIp = v;
      f.clientIp = v;
    }
    v = c[17] as string;
    if (v !== '-' && v !== '') f.dstPhysicalIp = v;
  }
  return { ok: true, fields: f };
}

/** Columns 0–5: sessions, MACs, EtherType, size (present in every row form). */
function readLinkColumns(c: readonly string[], f: Record<string, FieldValue>): void {
  let v = c[0] as string;
  if (v !== '-' && v !== '') f.srcSession = v;
  v = c[1] as string;
  if (v !== '-' && v !== '') f.dstSession = v;
  v = c[2] as string;
  if (v !== '-' && v !== '') f.srcMac = v;
  v = c[3] as string;
  if (v !== '-' && v !== '') f.dstMac = v;
  v = c[4] as string;
  if (v !== '-' && v !== '') f.etherType = v;
  v = c[5] as string;
  if (v !== '-' && v !== '') f.packetSize = numberOrText(v);
}

function numberOrText(value: string): FieldValue {
  const number = Number(value);
  return Number.isFinite(number) ? number : value;
}
