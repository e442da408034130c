/**
 * The SoftEther / PacketiX stream parser: framing + catalog + packet rows, and
 * bounded correlation inside one stream:
 *
 * - connection id (CID) → client address, port, user and client software,
 *   from `LS_CONNECTION_START_1` and `LH_CONNECT_CLIENT`, so a Stable-edition
 *   `LH_AUTH_NG` (no `, from IP`) still names the address;
 * - session id (SID) → connection, user, address and start time, from
 *   `LH_NEW_SESSION`, so `LH_END_SESSION` carries user, address, bytes and
 *   duration.
 *
 * Hub events carry `fields.duplicateKey`, identical for the server-log copy
 * (`[HUB "x"] …`) and the security-log copy of the same event, also when both
 * copies come in one stream (foreground mode).
 */
import type {
  Category,
  CorrelationMemory,
  EventFields,
  FieldValue,
  LineContext,
  ParserOptions,
  Severity,
  StreamParser,
  VpnEvent,
} from '../../model.ts';
import { rememberBounded } from '../bounded-map.ts';
import { classifyBody, hintOf } from './catalog.ts';
import { type LogKind, parseStreamName } from './files.ts';
import { newSecondCache, readHeader, readMessageFrame } from './framing.ts';
import { readPacketRow } from './packet-log.ts';

/** Correlation entries kept per map; the oldest is dropped beyond this. */
export const CORRELATION_LIMIT = 10_000;

interface ConnectionInfo {
  clientIp?: string;
  clientPort?: number;
  hostName?: string;
  user?: string;
  clientName?: string;
  clientVersion?: string;
  clientBuild?: number;
  authType?: string;
}

interface SessionInfo extends ConnectionInfo {
  connectionId?: string;
  start: number | null;
  transport?: string;
}

/** A connection as remembered: what its lines revealed, and failures still waiting for its address. */
interface RememberedConnection extends ConnectionInfo {
  /** Failed logins of the connection seen before its address was known (at most `MAX_PENDING`). */
  pending?: VpnEvent[];
  /** Event time (ms) it was stored: older than the last server start means forgotten. */
  at?: number;
  /** Time (ms) of the line that ended it: kept a while for its lines that come late. */
  endedAt?: number;
}

/** Categories that rules judge per client address: worth completing when the address comes late. */
const ADDRESS_JUDGED: ReadonlySet<Category> = new Set<Category>([
  'auth.failed',
  'probe.bad_packet',
  'tls.hmac_failed',
  'tls.negotiation_timeout',
]);

/** Events kept per connection while its address is unknown. */
const MAX_PENDING = 16;
/** How long a connection or session is remembered after its last line (ms). */
const CORRELATION_WINDOW_MS = 7 * 24 * 3_600_000;
/** How long an ended connection or session is remembered, for its late lines (the lateness bound, ms). */
const ENDED_WINDOW_MS = 24 * 3_600_000;

/** Where a parser keeps connections and sessions. */
interface ParserMemory {
  connection(id: string): RememberedConnection | undefined;
  setConnection(id: string, info: RememberedConnection, time: number): void;
  deleteConnection(id: string): void;
  session(id: string): SessionInfo | undefined;
  setSession(id: string, info: SessionInfo, time: number): void;
  deleteSession(id: string): void;
  /** A server start reuses ids: everything remembered before `time` is forgotten. */
  restart(time: number): void;
  amend(event: VpnEvent): void;
}

/** The parser's own memory (no store given): bounded maps. */
function mapMemory(): ParserMemory {
  const connections = new Map<string, RememberedConnection>();
  const sessions = new Map<string, SessionInfo>();
  return {
    connection: (id) => connections.get(id),
    setConnection: (id, info) => rememberBounded(connections, id, info, CORRELATION_LIMIT),
    deleteConnection: (id) => connections.delete(id),
    session: (id) => sessions.get(id),
    setSession: (id, info) => rememberBounded(sessions, id, info, CORRELATION_LIMIT),
    deleteSession: (id) => sessions.delete(id),
    restart: () => {
      connections.clear();
      sessions.clear();
    },
    // Without a store the failures are judged once, as parsed.
    amend: () => {},
  };
}

/** Connections and sessions kept in the pipeline's correlation memory, one entry each. */
function storedMemory(memory: CorrelationMemory): ParserMemory {
  const restartedAt = () => memory.get<{ at: number }>('restart')?.at ?? Number.NEGATIVE_INFINITY;
  const live = <T extends { at?: number }>(value: T | undefined): T | undefined =>
    value === undefined || (value.at ?? 0) < restartedAt() ? undefined : { ...value };
  return {
    connection: (id) => live(memory.get<RememberedConnection>(`conn:${id}`)),
    setConnection: (id, info, time) =>
      memory.set(
        `conn:${id}`,
        { ...info, at: time },
        time + (info.endedAt === undefined ? CORRELATION_WINDOW_MS : ENDED_WINDOW_MS),
      ),
    deleteConnection: (id) => memory.delete(`conn:${id}`),
    session: (id) => live(memory.get<SessionInfo & { at?: number }>(`sess:${id}`)),
    setSession: (id, info, time) =>
      memory.set(`sess:${id}`, { ...info, at: time }, time + CORRELATION_WINDOW_MS),
    deleteSession: (id) => memory.delete(`sess:${id}`),
    restart: (time) => {
      if (time > restartedAt()) memory.set('restart', { at: time }, time + CORRELATION_WINDOW_MS);
    },
    amend: (event) => memory.amend(event),
  };
}

/** Fields copied from the connection map onto later events of that connection. */
const CONNECTION_FIELDS = [
  'clientIp',
  'clientPort',
  'hostName',
  'user',
  'clientName',
  'clientVersion',
  'clientBuild',
  'authType',
] as const;

/** Rows that end a connection or a session (their map entry is dropped). */
const CONNECTION_END_ROWS: ReadonlySet<string> = new Set([
  'LS_CONNECTION_END_1',
  'LS_CONNECTION_ERROR',
  'LS_CONNECTION_ERROR_5',
  'LS_CONNECTION_END_1_JA',
  'LS_CONNECTION_ERROR_JA',
  'LS_CONNECTION_ERROR_5_JA',
]);
const SESSION_START_ROWS: ReadonlySet<string> = new Set(['LH_NEW_SESSION', 'LH_NEW_SESSION_JA']);
const SESSION_END_ROWS: ReadonlySet<string> = new Set(['LH_END_SESSION', 'LH_END_SESSION_JA']);
/** A server restart reuses CID numbers: forget everything. */
const RESTART_ROWS: ReadonlySet<string> = new Set(['LS_START_1']);

/** 32-bit FNV-1a of a string, as 8 hex digits. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * The key that makes the server-log and security-log copies of a hub event
 * one event: the second it was logged (the two copies are enqueued
 * microseconds apart, so a millisecond boundary can fall between them; a
 * second boundary almost never does) and a hash of the message as the
 * security log holds it (which names the connection, session or hub).
 */
export function hubCopyKey(time: number, hubMessage: string): string {
  return `softether:${Math.floor(time / 1000)}:${fnv1a(hubMessage)}`;
}

/** Longest raw line kept with a pending failed login. */
const PENDING_RAW_LENGTH = 600;

/** A failed login completed with what its connection's line revealed. */
function completed(failure: VpnEvent, connection: Record<string, FieldValue>): VpnEvent {
  const fields: Record<string, FieldValue> = { ...(failure.fields as Record<string, FieldValue>) };
  for (const name of CONNECTION_FIELDS) {
    const value = connection[name];
    if (fields[name] === undefined && value !== undefined) fields[name] = value;
  }
  return { ...failure, fields };
}

/** `[HUB]` copies remembered in a mixed stream to give the bare copy its hub. */
const RECENT_HUB_COPIES = 1024;

/** Creates a parser for one SoftEther stream (one log file or log stream). */
export function createSoftetherParser(options: ParserOptions): StreamParser {
  const timeZone = options.timeZone ?? 'UTC';
  const stream = parseStreamName(options.stream);
  const streamKind: LogKind | undefined = stream.kind;
  const cache = newSecondCache();
  const ownMemory = mapMemory();
  const recentHubCopies = new Map<string, string>();
  let sequence = 0;

  const eventId = (context: LineContext): string => {
    sequence++;
    if (context.eventId !== undefined) return context.eventId;
    const { file, stream: originStream, line } = context.origin;
    return `${file ?? originStream ?? options.stream ?? ''}:${line ?? sequence}`;
  };

  const build = (
    id: string,
    raw: string,
    context: LineContext,
    category: Category,
    severity: Severity,
    time: number | null,
    message: string,
    fields: EventFields,
    extra: Pick<VpnEvent, 'hint' | 'reason'>,
  ): VpnEvent => {
    const event: { -readonly [K in keyof VpnEvent]: VpnEvent[K] } = {
      id,
      source: 'softether',
      category,
      severity,
      time,
      message,
      raw,
      fields,
      origin: context.origin,
    };
    if (extra.hint !== undefined) event.hint = extra.hint;
    if (extra.reason !== undefined) event.reason = extra.reason;
    return event;
  };

  const correlate = (
    memory: ParserMemory,
    rowId: string,
    fields: Record<string, FieldValue>,
    time: number,
  ) => {
    if (RESTART_ROWS.has(rowId)) {
      memory.restart(time);
      return;
    }
    const connectionId = typeof fields.connectionId === 'string' ? fields.connectionId : undefined;
    const sessionId = typeof fields.sessionId === 'string' ? fields.sessionId : undefined;
    if (connectionId !== undefined) {
      const remembered = memory.connection(connectionId);
      // A line after the connection ended is about another connection.
      const known =
        remembered?.endedAt !== undefined && time > remembered.endedAt ? {} : (remembered ?? {});
      const { pending, at: _at, endedAt: _ended, ...info } = known;
      const merged: Record<string, FieldValue> = { ...(info as Record<string, FieldValue>) };
      for (const name of CONNECTION_FIELDS) {
        const own = fields[name];
        if (own !== undefined) merged[name] = own;
        else if (known[name] !== undefined) fields[name] = known[name];
      }
      let stillPending = pending;
      if (pending !== undefined && merged.clientIp !== undefined) {
        // A late connection line: the failures that named the connection get its address.
        for (const failure of pending) memory.amend(completed(failure, merged));
        stillPending = undefined;
      }
      // An ended connection is kept a while: lines older than its end may still come.
      const endedAt = CONNECTION_END_ROWS.has(rowId)
        ? Math.max(time, known.endedAt ?? time)
        : known.endedAt;
      memory.setConnection(
        connectionId,
        {
          ...(merged as ConnectionInfo),
          ...(stillPending === undefined ? {} : { pending: stillPending }),
          ...(endedAt === undefined ? {} : { endedAt }),
        },
        time,
      );
    }
    if (sessionId === undefined) return;
    if (SESSION_START_ROWS.has(rowId)) {
      const info: Record<string, FieldValue | null> = { start: time };
      for (const name of CONNECTION_FIELDS) {
        const value = fields[name];
        if (value !== undefined) info[name] = value;
      }
      if (connectionId !== undefined) info.connectionId = connectionId;
      memory.setSession(sessionId, info as unknown as SessionInfo, time);
      return;
    }
    const session = memory.session(sessionId);
    if (session === undefined) return;
    for (const name of CONNECTION_FIELDS) {
      const value = session[name];
      if (fields[name] === undefined && value !== undefined) fields[name] = value;
    }
    if (fields.connectionId === undefined && session.connectionId !== undefined) {
      fields.connectionId = session.connectionId;
    }
    if (SESSION_END_ROWS.has(rowId)) {
      if (session.start !== null) {
        fields.durationSeconds = Math.max(0, Math.round((time - session.start) / 1000));
      }
      memory.deleteSession(sessionId);
    }
  };

  /** Keeps a failed login whose connection's address is not known yet, for a late connection line. */
  const pend = (memory: ParserMemory, event: VpnEvent, time: number) => {
    const connectionId = event.fields.connectionId;
    if (
      !ADDRESS_JUDGED.has(event.category) ||
      typeof connectionId !== 'string' ||
      event.fields.clientIp !== undefined
    ) {
      return;
    }
    const known = memory.connection(connectionId) ?? {};
    const kept: VpnEvent = {
      ...event,
      raw: event.raw.slice(0, PENDING_RAW_LENGTH),
      message: event.message.slice(0, PENDING_RAW_LENGTH),
    };
    const pending = [...(known.pending ?? []), kept].slice(-MAX_PENDING);
    const { at: _at, ...info } = known;
    memory.setConnection(connectionId, { ...info, pending }, time);
  };

  return {
    source: 'softether',
    parse(line: string, context: LineContext): VpnEvent {
      const id = eventId(context);
      let text = line.endsWith('\r') ? line.slice(0, -1) : line;
      // A UTF-8 byte order mark at the start of a file.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      const header = readHeader(text, timeZone, cache);
      const base: Record<string, FieldValue> = {};
      const hub = header.hub ?? stream.hub;
      const server = header.host ?? stream.server;
      if (server !== undefined) base.server = server;
      if (header.time === null) {
        if (hub !== undefined) base.hub = hub;
        return build(
          id,
          line,
          context,
          'malformed',
          'info',
          context.timestamp ?? null,
          header.message,
          base,
          { reason: header.timeError ?? 'no timestamp' },
        );
      }
      const time = header.time;
      if (header.csv === true || header.syslogType === 'PACKET_LOG' || streamKind === 'packet') {
        if (hub !== undefined) base.hub = hub;
        const row = readPacketRow(header.message, base);
        if (!row.ok) {
          return build(id, line, context, 'malformed', 'info', time, header.message, base, {
            reason: row.reason,
          });
        }
        return build(id, line, context, 'packet.record', 'info', time, header.message, base, {});
      }
      const frame = readMessageFrame(header.message);
      const eventHub = frame.hub ?? frame.adminHub ?? hub;
      const fields: Record<string, FieldValue> = base;
      if (eventHub !== undefined) fields.hub = eventHub;
      if (frame.rpc !== undefined) fields.rpc = frame.rpc;
      if (frame.protocol !== undefined) fields.protocol = frame.protocol;
      if (frame.clientIp !== undefined) fields.clientIp = frame.clientIp;
      if (frame.clientPort !== undefined) fields.clientPort = frame.clientPort;
      if (frame.serverIp !== undefined) fields.serverIp = frame.serverIp;
      if (frame.serverPort !== undefined) fields.serverPort = frame.serverPort;
      // A stream that is neither a named log nor syslog may mix the server
      // and security logs (foreground mode writes every log to stdout).
      const mixed = streamKind === undefined && header.syslogType === undefined;
      if (frame.hub !== undefined) {
        const key = hubCopyKey(time, frame.hubMessage);
        fields.duplicateKey = key;
        if (mixed) rememberBounded(recentHubCopies, key, frame.hub, RECENT_HUB_COPIES);
      } else if (
        mixed ||
        header.syslogType === 'SECURITY_LOG' ||
        (streamKind === 'security' && header.syslogType === undefined)
      ) {
        const key = hubCopyKey(time, frame.hubMessage);
        fields.duplicateKey = key;
        const copyHub = mixed ? recentHubCopies.get(key) : undefined;
        if (copyHub !== undefined && fields.hub === undefined) fields.hub = copyHub;
      }
      const match = classifyBody(frame.body, frame.rpc !== undefined);
      if (match === undefined) {
        return build(id, line, context, 'unclassified', 'info', time, frame.body, fields, {});
      }
      const { row } = match;
      Object.assign(fields, row.fields, match.fields);
      const memory =
        context.correlation === undefined ? ownMemory : storedMemory(context.correlation);
      correlate(memory, row.id, fields, time);
      const event = build(id, line, context, row.category, row.severity, time, frame.body, fields, {
        hint: hintOf(row),
      });
      if (context.correlation !== undefined) pend(memory, event, time);
      return event;
    },
  };
}
