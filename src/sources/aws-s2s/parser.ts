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
import type { IndexedRow } from './catalog-index.ts';
import * as catalogIndex from './catalog-index.ts';
import type { BadValue } from './record-values.ts';
import * as values from './record-values.ts';
import { parseResourceId, parseTunnelName, type TunnelIdentity } from './stream-name.ts';

// The functions called for every record, bound once: when the code runs
// through a CommonJS transform (tsx, vitest), each use of an imported name is
// a property getter call, which costs as much as the work itself.
const { classifyMessage, indexedRow } = catalogIndex;
const {
  describeValue,
  isBad,
  readableTimeToEpoch,
  readBoolean,
  readNumber,
  readPath,
  readState,
  readText,
  readTime,
} = values;

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
  /** The key as error messages name it. */
  readonly label: string;
  readonly field: string;
  readonly read: (key: string, value: unknown) => FieldValue | undefined | BadValue;
}[] = [
  { key: 'prefix', label: 'message.prefix', field: 'prefix', read: readText },
  { key: 'asPath', label: 'message.asPath', field: 'asPath', read: readPath },
  { key: 'localPref', label: 'message.localPref', field: 'localPref', read: readNumber },
  { key: 'med', label: 'message.med', field: 'med', read: readNumber },
  { key: 'weight', label: 'message.weight', field: 'weight', read: readNumber },
  { key: 'nextHopIp', label: 'message.nextHopIp', field: 'nextHopIp', read: readText },
];

/** A leading `YYYY-MM-DD HH:MM:SS…` on a text-format line. */
const LEADING_TIME =
  /^\s*\[?(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?)/;

/** A bare JSON scalar: a quoted string, a number, true, false or null. */
const JSON_SCALAR = /^(?:"|-?\d|true$|false$|null$)/;

/**
 * What every event of one line shares, whatever its category. One per parser,
 * refilled for each line (parsing is synchronous and events copy what they
 * need), so the hot path allocates no frame.
 */
interface LineFrame {
  line: string;
  id: string;
  origin: EventOrigin;
  identity: TunnelIdentity;
  /**
   * The record's readable IKE states: a malformed record still reports them,
   * because the tunnel state rule follows every record's states.
   */
  phase1State: string | undefined;
  phase2State: string | undefined;
  /** The last BGP `resource_id` of this stream and its tunnel (a stream repeats one id). */
  resourceId: string | undefined;
  resourceIdentity: TunnelIdentity;
}

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

  // `file-or-group:stream:` is the same for every line of a stream: built once.
  let prefixFile: string | undefined;
  let prefixStream: string | undefined;
  let prefix = '::';
  const idPrefixOf = (origin: EventOrigin): string => {
    const file = origin.file ?? origin.logGroup;
    if (file !== prefixFile || origin.stream !== prefixStream) {
      prefixFile = file;
      prefixStream = origin.stream;
      prefix = `${file ?? ''}:${origin.stream ?? ''}:`;
    }
    return prefix;
  };

  const frame: LineFrame = {
    line: '',
    id: '',
    origin: {},
    identity: {},
    phase1State: undefined,
    phase2State: undefined,
    resourceId: undefined,
    resourceIdentity: {},
  };

  return {
    source: 'aws-s2s',
    parse(line: string, context: LineContext): VpnEvent {
      const origin: EventOrigin =
        context.origin.stream === undefined && options.stream !== undefined
          ? { ...context.origin, stream: options.stream }
          : context.origin;
      const id = context.eventId ?? idPrefixOf(origin) + (origin.line ?? '');
      frame.line = line;
      frame.id = id;
      frame.origin = origin;
      frame.identity = identityOf(origin.stream);
      frame.phase1State = undefined;
      frame.phase2State = undefined;
      try {
        return parseLine(frame, context.timestamp ?? null);
      } catch (error) {
        // Defensive: parse() must never throw. Tests assert this path is never taken.
        const message = error instanceof Error ? error.message : String(error);
        return malformedEvent(
          frame,
          `internal parser error: ${message}`,
          context.timestamp ?? null,
        );
      }
    },
  };
}

function parseLine(frame: LineFrame, fallbackTime: number | null): VpnEvent {
  const { line } = frame;
  if (line.charCodeAt(0) === 123 /* { */) return parseJsonLine(frame, fallbackTime);
  let first = 0;
  while (first < line.length && line.charCodeAt(first) <= 32) first++;
  const lead = line.charCodeAt(first);
  if (lead === 123 /* { */ || lead === 91 /* [ */) return parseJsonLine(frame, fallbackTime);
  return parseTextLine(frame, fallbackTime);
}

function parseJsonLine(frame: LineFrame, fallbackTime: number | null): VpnEvent {
  let value: unknown;
  try {
    value = JSON.parse(frame.line);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return malformedEvent(frame, `invalid JSON: ${detail}`, fallbackTime);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return malformedEvent(
      frame,
      `expected a JSON object, found ${describeValue(value)}`,
      fallbackTime,
    );
  }
  return readRecord(frame, value as Record<string, unknown>, fallbackTime);
}

/** `parseResourceId`, remembering the frame's last answer. */
function resourceIdentity(frame: LineFrame, resourceId: string): TunnelIdentity {
  if (resourceId !== frame.resourceId) {
    frame.resourceId = resourceId;
    frame.resourceIdentity = parseResourceId(resourceId);
  }
  return frame.resourceIdentity;
}

function hasAnyKey(record: Record<string, unknown>, keys: readonly string[]): boolean {
  for (let i = 0; i < keys.length; i++) {
    if (record[keys[i] as string] !== undefined) return true;
  }
  return false;
}

/** Reads a tunnel-activity or BGP record object into its event. */
function readRecord(
  frame: LineFrame,
  record: Record<string, unknown>,
  fallbackTime: number | null,
): VpnEvent {
  const isBgp =
    record.resource_id !== undefined ||
    record.message !== undefined ||
    record.type !== undefined ||
    record.status !== undefined;
  if (!isBgp && !hasAnyKey(record, TUNNEL_RECORD_KEYS)) {
    return malformedEvent(
      frame,
      `not a tunnel or BGP log record: none of the keys ${[...TUNNEL_RECORD_KEYS, ...BGP_RECORD_KEYS].join(', ')}`,
      fallbackTime,
    );
  }

  // The states first: even a record that turns out malformed reports them.
  const phase1State = readState('ike_phase1_state', record.ike_phase1_state);
  const phase2State = readState('ike_phase2_state', record.ike_phase2_state);
  if (!isBad(phase1State)) frame.phase1State = phase1State;
  if (!isBad(phase2State)) frame.phase2State = phase2State;
  if (isBad(phase1State)) return malformedEvent(frame, phase1State.reason, fallbackTime);
  if (isBad(phase2State)) return malformedEvent(frame, phase2State.reason, fallbackTime);

  // `timestamp` is read only when `event_timestamp` gives no time: it is the
  // same instant in a costlier form.
  const eventTime = readTime('event_timestamp', record.event_timestamp);
  if (isBad(eventTime)) return malformedEvent(frame, eventTime.reason, fallbackTime);
  let time: number | null;
  if (eventTime !== undefined) {
    time = eventTime;
  } else {
    const readable = readTime('timestamp', record.timestamp);
    if (isBad(readable)) return malformedEvent(frame, readable.reason, fallbackTime);
    time = readable ?? fallbackTime;
  }

  const fields: Record<string, FieldValue> = {};
  let identity = frame.identity;
  let details = readText('details', record.details);
  if (isBad(details)) return malformedEvent(frame, details.reason, time);
  let isRouteStatus = false;

  if (isBgp) {
    const resourceId = readText('resource_id', record.resource_id);
    if (isBad(resourceId)) return malformedEvent(frame, resourceId.reason, time);
    if (resourceId !== undefined) {
      const fromResource = resourceIdentity(frame, resourceId);
      if (fromResource.vpnConnectionId !== undefined) identity = fromResource;
    }
    const type = readText('type', record.type);
    if (isBad(type)) return malformedEvent(frame, type.reason, time);
    const status = readText('status', record.status);
    if (isBad(status)) return malformedEvent(frame, status.reason, time);
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
      if (isBad(messageDetails)) return malformedEvent(frame, messageDetails.reason, time);
      details ??= messageDetails;
      for (const { key, label, field, read } of ROUTE_FIELDS) {
        const value = read(label, body[key]);
        if (isBad(value)) return malformedEvent(frame, value.reason, time);
        if (value !== undefined) fields[field] = value;
      }
    } else if (message !== undefined && message !== null) {
      return malformedEvent(
        frame,
        `message: expected an object or a string, found ${describeValue(message)}`,
        time,
      );
    }
  }

  // The tunnel-activity fields, read on every record (named stores: this runs
  // for every line).
  const dpdEnabled = readBoolean('dpd_enabled', record.dpd_enabled);
  if (isBad(dpdEnabled)) return malformedEvent(frame, dpdEnabled.reason, time);
  const natTDetected = readBoolean('nat_t_detected', record.nat_t_detected);
  if (isBad(natTDetected)) return malformedEvent(frame, natTDetected.reason, time);
  if (phase1State !== undefined) fields.phase1State = phase1State;
  if (phase2State !== undefined) fields.phase2State = phase2State;
  if (dpdEnabled !== undefined) fields.dpdEnabled = dpdEnabled;
  if (natTDetected !== undefined) fields.natTDetected = natTDetected;
  const hasState = phase1State !== undefined || phase2State !== undefined;
  if (identity.vpnConnectionId !== undefined) fields.vpnConnectionId = identity.vpnConnectionId;
  if (identity.tunnelIp !== undefined) fields.tunnelIp = identity.tunnelIp;

  const message = details ?? '';
  let indexed: IndexedRow | undefined;
  if (!isBlank(message)) {
    indexed = classifyText(message, fields);
  } else if (isRouteStatus) {
    indexed = ROUTE_STATUS;
  } else if (hasState) {
    indexed = TUNNEL_STATE;
  }
  return classifiedEvent(frame, indexed, time, message, fields);
}

/** True when `text` is empty or only white space (without copying it). */
function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 32) return false;
  }
  return true;
}

function classifiedEvent(
  frame: LineFrame,
  indexed: IndexedRow | undefined,
  time: number | null,
  message: string,
  fields: Record<string, FieldValue>,
): VpnEvent {
  return {
    id: frame.id,
    source: 'aws-s2s',
    category: indexed === undefined ? 'unclassified' : indexed.row.category,
    severity: indexed === undefined ? 'info' : indexed.row.severity,
    time,
    message,
    raw: frame.line,
    fields: fields as EventFields,
    origin: frame.origin,
    hint: indexed?.hint,
  };
}

/** The catalog row of `text`, with its fields added to `fields`; undefined when unknown. */
function classifyText(text: string, fields: Record<string, FieldValue>): IndexedRow | undefined {
  return classifyMessage(text, fields);
}

function parseTextLine(frame: LineFrame, fallbackTime: number | null): VpnEvent {
  const { line, identity } = frame;
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
      return malformedEvent(
        frame,
        `expected a JSON object, found ${describeValue(scalar)}`,
        fallbackTime,
      );
    }
  }
  if (identity.vpnConnectionId !== undefined) fields.vpnConnectionId = identity.vpnConnectionId;
  if (identity.tunnelIp !== undefined) fields.tunnelIp = identity.tunnelIp;
  const leading = LEADING_TIME.exec(line);
  const lineTime = leading === null ? Number.NaN : readableTimeToEpoch(leading[1] as string);
  return classifiedEvent(
    frame,
    indexed,
    Number.isNaN(lineTime) ? fallbackTime : lineTime,
    trimmed,
    fields,
  );
}

function malformedEvent(frame: LineFrame, reason: string, time: number | null): VpnEvent {
  const fields: Record<string, FieldValue> = {};
  const { identity } = frame;
  if (frame.phase1State !== undefined) fields.phase1State = frame.phase1State;
  if (frame.phase2State !== undefined) fields.phase2State = frame.phase2State;
  if (identity.vpnConnectionId !== undefined) fields.vpnConnectionId = identity.vpnConnectionId;
  if (identity.tunnelIp !== undefined) fields.tunnelIp = identity.tunnelIp;
  return {
    id: frame.id,
    source: 'aws-s2s',
    category: 'malformed',
    severity: 'info',
    time,
    message: '',
    raw: frame.line,
    fields: fields as EventFields,
    origin: frame.origin,
    reason,
  };
}
