/**
 * The OpenVPN stream parser: framing + catalog + per-client correlation.
 *
 * Correlation (bounded: at most `CLIENT_LIMIT` clients, about the least
 * recently seen dropped first, and time windows): a client instance is its `ip:port` on a
 * server. It remembers
 * - the user a line revealed before the verdict (`try username "u"`, deferred
 *   auth, OTP), so `auth.failed` lines that carry only `ip:port` get the user
 *   when it was revealed within `USER_WINDOW_MS`;
 * - the session (start time, assigned address, user), so `session.ended`
 *   carries user, assigned address and duration;
 * - the first line of the connection, whose event id names the attempt: every
 *   line reporting the same refused login (`TLS Auth Error` then `AUTH_FAILED`)
 *   or the same scanner connection (bad packet, reset) carries the same
 *   `duplicateKey`, so the rules count one failure per attempt.
 */
import type {
  Category,
  EventFields,
  Hint,
  LineContext,
  ParserOptions,
  Severity,
  StreamParser,
  VpnEvent,
} from '../../model.ts';
import {
  type CatalogIndex,
  type CatalogRow,
  indexCatalog,
  lookup,
  NUMERIC_GROUPS,
  OPENVPN_CATALOG,
  RESET_BEFORE_AUTH,
} from './catalog.ts';
import { addressInMessage, clientKey, type FramedLine, frameLine, LocalClock } from './framing.ts';

/** How long a revealed user name is attributed to later lines of its address (ms). */
export const USER_WINDOW_MS = 5 * 60_000;
/** How long a session is remembered without any line from its client (ms). */
export const SESSION_WINDOW_MS = 7 * 24 * 3_600_000;
/** Most client instances remembered per stream. */
export const CLIENT_LIMIT = 10_000;

/** Options of the OpenVPN parser. */
export interface OpenvpnParserOptions extends ParserOptions {
  /** Clock (epoch ms) used to infer syslog years when the line has no CloudWatch timestamp; default `Date.now`. */
  readonly now?: () => number;
  /** Catalog to use; default `OPENVPN_CATALOG` (tests and benches pass others). */
  readonly catalog?: readonly CatalogRow[];
}

interface ClientInstance {
  /** Event id of the connection's first line: names the attempt. */
  readonly firstEventId: string;
  /** Gateway tunnel id / syslog host the client talks to. */
  readonly server: string | undefined;
  /** Insertion number when last (re)inserted into the recency order. */
  stamp: number;
  lastTime: number | null;
  user?: string;
  userTime: number | null;
  established: boolean;
  sessionStart: number | null;
  assignedIp?: string;
}

const defaultIndex = indexCatalog(OPENVPN_CATALOG);

/** Creates a parser for one OpenVPN stream (feed it the stream's lines in order). */
export function createOpenvpnParser(options: OpenvpnParserOptions = {}): StreamParser {
  return new OpenvpnStreamParser(options);
}

class OpenvpnStreamParser implements StreamParser {
  readonly source = 'openvpn' as const;
  private readonly clock: LocalClock;
  private readonly now: () => number;
  private readonly index: CatalogIndex;
  private readonly clients = new Map<string, ClientInstance>();
  private sequence = 0;
  private insertions = 0;

  constructor(options: OpenvpnParserOptions) {
    this.clock = new LocalClock(options.timeZone ?? 'UTC');
    this.now = options.now ?? Date.now;
    this.index = options.catalog === undefined ? defaultIndex : indexCatalog(options.catalog);
  }

  parse(line: string, context: LineContext): VpnEvent {
    this.sequence++;
    const id = eventId(context, this.sequence);
    try {
      return this.classify(line, context, id);
    } catch (error) {
      return malformed(line, context, id, `parser error: ${(error as Error).message}`);
    }
  }

  private classify(line: string, context: LineContext, id: string): VpnEvent {
    this.clock.reference = context.timestamp ?? this.now();
    const framed = frameLine(line, this.clock);
    if ('malformed' in framed) return malformed(line, context, id, framed.malformed);
    const time = framed.time ?? context.timestamp ?? null;
    const fields: Record<string, EventFields[string]> = {};
    if (framed.server !== undefined) fields['server'] = framed.server;
    if (framed.program !== undefined) fields['program'] = framed.program;
    if (framed.client !== undefined) {
      if (framed.client.commonName !== undefined) fields['user'] = framed.client.commonName;
      fields['clientIp'] = framed.client.ip;
      if (framed.client.port !== undefined) fields['clientPort'] = framed.client.port;
      if (framed.client.protocol !== undefined) fields['protocol'] = framed.client.protocol;
    }
    let message = framed.message;
    if (message.charCodeAt(0) === 91 /* [ */) {
      const close = message.indexOf('] ');
      if (close > 0) {
        fields['commonName'] = message.slice(1, close);
        message = message.slice(close + 2);
      }
    }
    const found = lookup(this.index, message);
    if (found === undefined) {
      return event(id, 'unclassified', 'info', time, message, line, fields, context);
    }
    const { match } = found;
    const groups = match.groups;
    if (groups !== undefined) {
      for (const group of groupFields(found.row, groups)) {
        const value = groups[group.name];
        if (value === undefined) continue;
        if (group.field === undefined) readRemote(fields, value);
        else if (group.field !== '') fields[group.field] = group.numeric ? Number(value) : value;
      }
    }
    if (found.row.extract !== undefined) Object.assign(fields, found.row.extract(match));
    if (fields['clientIp'] === undefined) {
      const address = addressInMessage(message);
      if (address !== undefined && groups?.['peer'] !== undefined) {
        fields['clientIp'] = address.ip;
        if (address.port !== undefined) fields['clientPort'] = address.port;
      }
    }
    if (fields['user'] === undefined && fields['depth'] === 0) {
      const commonName = commonNameOf(fields['subject']);
      if (commonName !== undefined) fields['user'] = commonName;
    }
    if (fields['user'] === undefined && typeof fields['commonName'] === 'string') {
      if (fields['commonName'] !== 'UNDEF' && found.row.role !== 'auth-failure') {
        fields['user'] = fields['commonName'];
      }
    }
    const row = this.correlate(
      found.row,
      framed,
      fields,
      time,
      id,
      groups?.['signal'] !== undefined,
    );
    return event(id, row.category, row.severity, time, message, line, fields, context, row.hint);
  }

  /** Applies and updates the client's remembered state; returns the row to report. */
  private correlate(
    matched: CatalogRow,
    framed: FramedLine,
    fields: Record<string, EventFields[string]>,
    time: number | null,
    id: string,
    isSignal: boolean,
  ): CatalogRow {
    let row = matched;
    const ip = fields['clientIp'];
    if (typeof ip !== 'string') return row;
    const port = fields['clientPort'];
    const key = framed.client?.key ?? clientKey(ip, typeof port === 'number' ? port : undefined);
    const client = this.client(key, framed.server, time, id);
    const authenticated = framed.client?.commonName !== undefined;
    if (authenticated && client.user === undefined && typeof fields['user'] === 'string') {
      client.user = fields['user'];
      client.userTime = time;
    }
    const recentUser =
      client.user !== undefined && within(client.userTime, time, USER_WINDOW_MS)
        ? client.user
        : undefined;
    let role = row.role;
    if (role === 'session-end' && fields['reason'] === 'connection-reset') role = 'reset';
    if (role === 'reset' && !authenticated && !client.established && client.user === undefined) {
      row = RESET_BEFORE_AUTH;
      role = 'probe';
    }
    switch (role) {
      case 'reveals-user':
        if (typeof fields['user'] === 'string') {
          client.user = fields['user'];
          client.userTime = time;
        }
        break;
      case 'auth-failure': {
        const named = fields['commonName'];
        const user =
          fields['user'] ??
          recentUser ??
          (typeof named === 'string' && named !== 'UNDEF' ? named : undefined);
        if (user !== undefined) {
          fields['user'] = user;
          if (client.user === undefined) {
            client.user = String(user);
            client.userTime = time;
          }
        }
        fields['duplicateKey'] = `openvpn:auth-failed:${client.firstEventId}`;
        break;
      }
      case 'probe':
        fields['duplicateKey'] = `openvpn:probe:${client.firstEventId}`;
        break;
      case 'session-start':
        if (!client.established) {
          client.established = true;
          client.sessionStart = time;
        }
        if (typeof fields['assignedIp'] === 'string') client.assignedIp = fields['assignedIp'];
        else if (client.assignedIp !== undefined) fields['assignedIp'] = client.assignedIp;
        if (fields['user'] === undefined && client.user !== undefined) fields['user'] = client.user;
        break;
      case 'session-end':
      case 'reset':
        if (fields['user'] === undefined && client.user !== undefined) fields['user'] = client.user;
        if (fields['assignedIp'] === undefined && client.assignedIp !== undefined) {
          fields['assignedIp'] = client.assignedIp;
        }
        if (client.established && client.sessionStart !== null && time !== null) {
          fields['durationSeconds'] = Math.max(0, Math.round((time - client.sessionStart) / 1000));
        }
        if (isSignal) this.clients.delete(key);
        break;
      default:
        if (fields['user'] === undefined && recentUser !== undefined) fields['user'] = recentUser;
        break;
    }
    return row;
  }

  /**
   * The remembered client for `key`, created (or renewed when stale). The map
   * keeps insertion order; a client is moved to the young end only when it has
   * aged past half the limit, so eviction from the old end is close to LRU at
   * the cost of one map operation per line.
   */
  private client(
    key: string,
    server: string | undefined,
    time: number | null,
    id: string,
  ): ClientInstance {
    let client = this.clients.get(key);
    if (client !== undefined) {
      const window = client.established ? SESSION_WINDOW_MS : USER_WINDOW_MS;
      if (client.server !== server || !within(client.lastTime, time, window)) {
        this.clients.delete(key);
        client = undefined;
      } else if (this.insertions - client.stamp > CLIENT_LIMIT / 2) {
        this.clients.delete(key);
        client.stamp = ++this.insertions;
        this.clients.set(key, client);
      }
    }
    if (client === undefined) {
      client = {
        firstEventId: id,
        server,
        stamp: ++this.insertions,
        lastTime: time,
        userTime: null,
        established: false,
        sessionStart: null,
      };
      if (this.clients.size >= CLIENT_LIMIT) {
        const oldest = this.clients.keys().next();
        if (oldest.done !== true) this.clients.delete(oldest.value);
      }
      this.clients.set(key, client);
    }
    if (time !== null) client.lastTime = time;
    return client;
  }
}

/** Where a named group goes: field name (`''` = not a field, undefined = `remote` address). */
interface GroupField {
  readonly name: string;
  readonly field: string | undefined;
  readonly numeric: boolean;
}

const groupFieldsByRow = new WeakMap<CatalogRow, readonly GroupField[]>();

/** How a row's named groups map to fields, worked out once per row. */
function groupFields(
  row: CatalogRow,
  groups: Record<string, string | undefined>,
): readonly GroupField[] {
  let list = groupFieldsByRow.get(row);
  if (list === undefined) {
    list = Object.keys(groups).map((name): GroupField => {
      if (name === 'peer' || name === 'options') return { name, field: '', numeric: false };
      if (name === 'remote') return { name, field: undefined, numeric: false };
      // Alternatives of one pattern use suffixed names for the same field.
      const field = name.replace(/(?:Mbed|Crl)$/, '');
      return { name, field, numeric: NUMERIC_GROUPS.has(field) };
    });
    groupFieldsByRow.set(row, list);
  }
  return list;
}

/** True when `later` is at most `window` ms after `earlier` (unknown times count as within). */
function within(earlier: number | null, later: number | null, window: number): boolean {
  return earlier === null || later === null || later - earlier <= window;
}

/** `ip:port` written after `remote` (OTP plugin). */
function readRemote(fields: Record<string, EventFields[string]>, value: string): void {
  const colon = value.lastIndexOf(':');
  if (colon > 0 && fields['clientIp'] === undefined) {
    fields['clientIp'] = value.slice(0, colon);
    fields['clientPort'] = Number(value.slice(colon + 1));
  }
}

/** The `CN=` of a certificate subject (`C=JP, O=x, CN=user01` or `/C=JP/CN=user01`). */
function commonNameOf(subject: EventFields[string]): string | undefined {
  if (typeof subject !== 'string') return undefined;
  const match = /(?:^|[,/]\s*)CN=([^,/]+)/.exec(subject);
  return match?.[1]?.trim();
}

function eventId(context: LineContext, sequence: number): string {
  if (context.eventId !== undefined) return context.eventId;
  const { origin } = context;
  return `${origin.logGroup ?? origin.file ?? ''}:${origin.stream ?? ''}:${origin.line ?? `#${sequence}`}`;
}

function event(
  id: string,
  category: Category,
  severity: Severity,
  time: number | null,
  message: string,
  raw: string,
  fields: EventFields,
  context: LineContext,
  hint?: Hint,
): VpnEvent {
  if (hint === undefined) {
    return {
      id,
      source: 'openvpn',
      category,
      severity,
      time,
      message,
      raw,
      fields,
      origin: context.origin,
    };
  }
  return {
    id,
    source: 'openvpn',
    category,
    severity,
    time,
    message,
    raw,
    fields,
    origin: context.origin,
    hint,
  };
}

function malformed(line: string, context: LineContext, id: string, reason: string): VpnEvent {
  return {
    id,
    source: 'openvpn',
    category: 'malformed',
    severity: 'info',
    time: context.timestamp ?? null,
    message: line,
    raw: line,
    fields: {},
    origin: context.origin,
    reason,
  };
}
