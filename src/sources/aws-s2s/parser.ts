/**
 * The AWS Site-to-Site VPN parser: one log line (a JSON tunnel-activity or
 * BGP record, or a line of the undocumented text output format) → exactly
 * one `VpnEvent`.
 *
 * - JSON tunnel-activity records (`details`, `ike_phase1_state`, …): the
 *   `details` text is classified by the catalog; a record with state fields
 *   and no details is `tunnel.state`. The state fields are read on every
 *   record, whatever its category, because the tunnel rules need them.
 * - JSON BGP records (`resource_id`, `type`, `status`, `message`): the
 *   `message.details` text is classified; a RouteStatus record without
 *   details is `bgp.route`.
 * - Anything else that looks like JSON (starts with `{` or `[`, or is a bare
 *   JSON value) but is not a usable record is `malformed`, with the reason.
 * - Other lines are read as the text output format: the catalog runs on the
 *   raw line; unknown lines are `unclassified`.
 */
import type {
  EventFields,
  EventOrigin,
  FieldValue,
  LineContext,
  ParserOptions,
  StreamParser,
  VpnEvent,
} from '../../model.ts';
import { ROUTE_STATUS_ROW, TUNNEL_STATE_ROW } from './catalog.ts';
import { extractFields, type IndexedRow, indexedRow, matchCatalog } from './catalog-index.ts';
import {
  BadValue,
  describeValue,
  readableTimeToEpoch,
  readBoolean,
  readNumber,
  readPath,
  readState,
  readText,
  readTime,
} from './record-values.ts';
import { parseResourceId, parseTunnelName, type TunnelIdentity } from './stream-name.ts';

/** Keys that make a JSON object a tunnel-activity record. */
export const TUNNEL_RECORD_KEYS = [
  'details',
  'ike_phase1_state',
  'ike_phase2_state',
  'dpd_enabled',
  'nat_t_detected',
  'event_timestamp',
  'timestamp',
] as const;
/** Keys that make a JSON object a BGP record. */
export const BGP_RECORD_KEYS = ['resource_id', 'type', 'status', 'message'] as const;

/** BGP `type` of route records (compared case-insensitively). */
const ROUTE_STATUS_TYPE = 'routestatus';

const TUNNEL_STATE = indexedRow(TUNNEL_STATE_ROW.id);
const ROUTE_STATUS = indexedRow(ROUTE_STATUS_ROW.id);

/** Fields of BGP RouteStatus `message` objects: JSON key → field name, reader. */
const ROUTE_FIELDS: readonly {
  readonly key: string;
  readonly field: string;
  readonly read: (key: string, value: unknown) => FieldValue | undefined | BadValue;
}[] = [
  { key: 'prefix', field: 'prefix', read: readText },
  { key: 'asPath', field: 'asPath', read: readPath },
  { key: 'localPref', field: 'localPref', read: readNumber },
  { key: 'med', field: 'med', read: readNumber },
  { key: 'weight', field: 'weight', read: readNumber },
  { key: 'nextHopIp', field: 'nextHopIp', read: readText },
];

/** Tunnel-activity record keys: JSON key → field name, reader. */
const TUNNEL_FIELDS: readonly {
  readonly key: string;
  readonly field: string;
  readonly read: (key: string, value: unknown) => FieldValue | undefined | BadValue;
}[] = [
  { key: 'ike_phase1_state', field: 'phase1State', read: readState },
  { key: 'ike_phase2_state', field: 'phase2State', read: readState },
  { key: 'dpd_enabled', field: 'dpdEnabled', read: readBoolean },
  { key: 'nat_t_detected', field: 'natTDetected', read: readBoolean },
];

/** A leading `YYYY-MM-DD HH:MM:SS…` on a text-format line. */
const LEADING_TIME =
  /^\s*\[?(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?)/;

/** A bare JSON scalar: a quoted string, a number, true, false or null. */
const JSON_SCALAR = /^(?:"|-?\d|true$|false$|null$)/;

/** Why a record cannot be read. */
class MalformedRecord {
  constructor(
    readonly reason: string,
    readonly time: number | null,
  ) {}
}

type Classified = {
  readonly indexed: IndexedRow | undefined;
  readonly fields: Record<string, FieldValue>;
};

/** Creates the parser for one log stream (its name carries the VPN id and tunnel IP). */
export function createAwsS2sParser(options: ParserOptions): StreamParser {
  let cachedStream: string | undefined = options.stream;
  let cachedIdentity: TunnelIdentity = parseTunnelName(options.stream);
  const identityOf = (stream: string | undefined): TunnelIdentity => {
    if (stream !== cachedStream) {
      cachedStream = stream;
      cachedIdentity = parseTunnelName(stream);
    }
    return cachedIdentity;
  };

  return {
    source: 'aws-s2s',
    parse(line: string, context: LineContext): VpnEvent {
      const origin: EventOrigin =
        context.origin.stream === undefined && options.stream !== undefined
          ? { ...context.origin, stream: options.stream }
          : context.origin;
      const id =
        context.eventId ??
        `${origin.file ?? origin.logGroup ?? ''}:${origin.stream ?? ''}:${origin.line ?? ''}`;
      const identity = identityOf(origin.stream);
      try {
        return parseLine(line, context, id, origin, identity);
      } catch (error) {
        // Defensive: parse() must never throw. Tests assert this path is never taken.
        const message = error instanceof Error ? error.message : String(error);
        return malformedEvent(line, id, origin, identity, {
          reason: `internal parser error: ${message}`,
          time: context.timestamp ?? null,
        });
      }
    },
  };
}

function parseLine(
  line: string,
  context: LineContext,
  id: string,
  origin: EventOrigin,
  identity: TunnelIdentity,
): VpnEvent {
  let first = 0;
  while (first < line.length && line.charCodeAt(first) <= 32) first++;
  const lead = line.charCodeAt(first);
  if (lead === 123 /* { */ || lead === 91 /* [ */) {
    return parseJsonLine(line, context, id, origin, identity);
  }
  return parseTextLine(line, context, id, origin, identity);
}

function parseJsonLine(
  line: string,
  context: LineContext,
  id: string,
  origin: EventOrigin,
  identity: TunnelIdentity,
): VpnEvent {
  const fallbackTime = context.timestamp ?? null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return malformedEvent(line, id, origin, identity, {
      reason: `invalid JSON: ${detail}`,
      time: fallbackTime,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return malformedEvent(line, id, origin, identity, {
      reason: `expected a JSON object, found ${describeValue(value)}`,
      time: fallbackTime,
    });
  }
  const record = readRecord(value as Record<string, unknown>, identity, fallbackTime);
  if (record instanceof MalformedRecord) {
    return malformedEvent(line, id, origin, identity, record);
  }
  const { indexed, fields } = record.classified;
  return {
    id,
    source: 'aws-s2s',
    category: indexed === undefined ? 'unclassified' : indexed.row.category,
    severity: indexed === undefined ? 'info' : indexed.row.severity,
    time: record.time,
    message: record.message,
    raw: line,
    fields: fields as EventFields,
    origin,
    ...(indexed === undefined ? {} : { hint: indexed.hint }),
  };
}

interface ReadRecord {
  readonly time: number | null;
  readonly message: string;
  readonly classified: Classified;
}

/** Reads a tunnel-activity or BGP record object. */
function readRecord(
  record: Record<string, unknown>,
  streamIdentity: TunnelIdentity,
  fallbackTime: number | null,
): ReadRecord | MalformedRecord {
  const isBgp =
    record.resource_id !== undefined ||
    record.message !== undefined ||
    record.type !== undefined ||
    record.status !== undefined;
  if (!isBgp && !TUNNEL_RECORD_KEYS.some((key) => record[key] !== undefined)) {
    return new MalformedRecord(
      `not a tunnel or BGP log record: none of the keys ${[...TUNNEL_RECORD_KEYS, ...BGP_RECORD_KEYS].join(', ')}`,
      fallbackTime,
    );
  }

  const eventTime = readTime('event_timestamp', record.event_timestamp);
  if (eventTime instanceof BadValue) return new MalformedRecord(eventTime.reason, fallbackTime);
  const readable = readTime('timestamp', record.timestamp);
  if (readable instanceof BadValue) return new MalformedRecord(readable.reason, fallbackTime);
  const time = eventTime ?? readable ?? fallbackTime;

  const fields: Record<string, FieldValue> = {};
  let identity = streamIdentity;
  let details = readText('details', record.details);
  if (details instanceof BadValue) return new MalformedRecord(details.reason, time);
  let isRouteStatus = false;

  if (isBgp) {
    const resourceId = readText('resource_id', record.resource_id);
    if (resourceId instanceof BadValue) return new MalformedRecord(resourceId.reason, time);
    if (resourceId !== undefined) {
      const fromResource = parseResourceId(resourceId);
      if (fromResource.vpnConnectionId !== undefined) identity = fromResource;
    }
    const type = readText('type', record.type);
    if (type instanceof BadValue) return new MalformedRecord(type.reason, time);
    const status = readText('status', record.status);
    if (status instanceof BadValue) return new MalformedRecord(status.reason, time);
    if (type !== undefined && type !== '') {
      fields.bgpRecordType = type;
      isRouteStatus = type.toLowerCase() === ROUTE_STATUS_TYPE;
    }
    if (status !== undefined && status !== '') fields.bgpStatus = status;
    const message = record.message;
    if (typeof message === 'string') {
      details ??= message;
    } else if (typeof message === 'object' && message !== null && !Array.isArray(message)) {
      const body = message as Record<string, unknown>;
      const messageDetails = readText('message.details', body.details);
      if (messageDetails instanceof BadValue)
        return new MalformedRecord(messageDetails.reason, time);
      details ??= messageDetails;
      for (const { key, field, read } of ROUTE_FIELDS) {
        const value = read(`message.${key}`, body[key]);
        if (value instanceof BadValue) return new MalformedRecord(value.reason, time);
        if (value !== undefined) fields[field] = value;
      }
    } else if (message !== undefined && message !== null) {
      return new MalformedRecord(
        `message: expected an object or a string, found ${describeValue(message)}`,
        time,
      );
    }
  }

  let hasState = false;
  for (const { key, field, read } of TUNNEL_FIELDS) {
    const value = read(key, record[key]);
    if (value instanceof BadValue) return new MalformedRecord(value.reason, time);
    if (value !== undefined) {
      fields[field] = value;
      if (field === 'phase1State' || field === 'phase2State') hasState = true;
    }
  }
  if (identity.vpnConnectionId !== undefined) fields.vpnConnectionId = identity.vpnConnectionId;
  if (identity.tunnelIp !== undefined) fields.tunnelIp = identity.tunnelIp;

  const message = details ?? '';
  let indexed: IndexedRow | undefined;
  if (message.trim() !== '') {
    indexed = classifyText(message, fields);
  } else if (isRouteStatus) {
    indexed = ROUTE_STATUS;
  } else if (hasState) {
    indexed = TUNNEL_STATE;
  }
  return { time, message, classified: { indexed, fields } };
}

/** The catalog row of `text`, with its fields added to `fields`; undefined when unknown. */
function classifyText(text: string, fields: Record<string, FieldValue>): IndexedRow | undefined {
  const match = matchCatalog(text);
  if (match === undefined) return undefined;
  return extractFields(match.indexed, text, match.start, fields) ? match.indexed : undefined;
}

function parseTextLine(
  line: string,
  context: LineContext,
  id: string,
  origin: EventOrigin,
  identity: TunnelIdentity,
): VpnEvent {
  const fields: Record<string, FieldValue> = {};
  const indexed = classifyText(line, fields);
  const trimmed = line.trim();
  if (indexed === undefined && JSON_SCALAR.test(trimmed)) {
    let scalar: unknown;
    let isJson = true;
    try {
      scalar = JSON.parse(trimmed);
    } catch {
      isJson = false;
    }
    if (isJson) {
      return malformedEvent(line, id, origin, identity, {
        reason: `expected a JSON object, found ${describeValue(scalar)}`,
        time: context.timestamp ?? null,
      });
    }
  }
  if (identity.vpnConnectionId !== undefined) fields.vpnConnectionId = identity.vpnConnectionId;
  if (identity.tunnelIp !== undefined) fields.tunnelIp = identity.tunnelIp;
  const leading = LEADING_TIME.exec(line);
  const lineTime = leading === null ? Number.NaN : readableTimeToEpoch(leading[1] as string);
  return {
    id,
    source: 'aws-s2s',
    category: indexed === undefined ? 'unclassified' : indexed.row.category,
    severity: indexed === undefined ? 'info' : indexed.row.severity,
    time: Number.isNaN(lineTime) ? (context.timestamp ?? null) : lineTime,
    message: trimmed,
    raw: line,
    fields: fields as EventFields,
    origin,
    ...(indexed === undefined ? {} : { hint: indexed.hint }),
  };
}

function malformedEvent(
  line: string,
  id: string,
  origin: EventOrigin,
  identity: TunnelIdentity,
  problem: { readonly reason: string; readonly time: number | null },
): VpnEvent {
  const fields: Record<string, FieldValue> = {};
  if (identity.vpnConnectionId !== undefined) fields.vpnConnectionId = identity.vpnConnectionId;
  if (identity.tunnelIp !== undefined) fields.tunnelIp = identity.tunnelIp;
  return {
    id,
    source: 'aws-s2s',
    category: 'malformed',
    severity: 'info',
    time: problem.time,
    message: '',
    raw: line,
    fields: fields as EventFields,
    origin,
    reason: problem.reason,
  };
}
