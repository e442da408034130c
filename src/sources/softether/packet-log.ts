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

/** Columns read as numbers (bytes, sequence numbers). */
const NUMERIC_COLUMNS: ReadonlySet<string> = new Set(['packetSize', 'tcpSeq', 'tcpAck']);
/** Port columns: `http(80)` gives the port 80 and the service name. */
const PORT_COLUMNS: ReadonlySet<string> = new Set(['srcPort', 'dstPort']);

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

/** Reads the columns after `date,time,` into named fields. */
export function readPacketRow(csv: string): PacketRow {
  const columns = splitCsv(csv);
  const count = columns.length;
  const packetType = columns[6];
  if (
    count >= 7 &&
    packetType !== undefined &&
    DEEP_LOGGING_DISABLED_SENTENCES.some((sentence) => packetType.startsWith(sentence))
  ) {
    const fields: Record<string, FieldValue> = { deepLogging: false };
    for (let i = 0; i < 6; i++) setColumn(fields, PACKET_COLUMNS[i] ?? '', columns[i] ?? '-');
    return { ok: true, fields };
  }
  if (count !== 16 && count !== 18) {
    return {
      ok: false,
      reason: `packet-log row has ${count} columns after date and time: expected 16 or 18`,
    };
  }
  const fields: Record<string, FieldValue> = {};
  for (let i = 0; i < count; i++) setColumn(fields, PACKET_COLUMNS[i] ?? '', columns[i] ?? '-');
  const physical = fields.srcPhysicalIp;
  if (typeof physical === 'string') fields.clientIp = physical;
  return { ok: true, fields };
}

function setColumn(fields: Record<string, FieldValue>, name: string, value: string): void {
  if (value === '-' || value === '') return;
  if (NUMERIC_COLUMNS.has(name)) {
    const number = Number(value);
    fields[name] = Number.isFinite(number) ? number : value;
    return;
  }
  if (PORT_COLUMNS.has(name)) {
    const open = value.indexOf('(');
    if (open > 0 && value.endsWith(')')) {
      fields[name] = Number(value.slice(open + 1, -1));
      fields[name === 'srcPort' ? 'srcService' : 'dstService'] = value.slice(0, open);
      return;
    }
    const number = Number(value);
    fields[name] = Number.isFinite(number) ? number : value;
    return;
  }
  fields[name] = value;
}
