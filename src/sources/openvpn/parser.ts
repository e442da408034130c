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
  CorrelationMemory,
  EventFields,
  FieldValue,
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
  type MatchedRow,
  matchMessage,
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
  lastTime: number | null;
  user: string | undefined;
  userTime: number | null;
  established: boolean;
  sessionStart: number | null;
  assignedIp: string | undefined;
  /** Failed logins that came before the line naming their user (late delivery), at most `MAX_PENDING`. */
  pending?: VpnEvent[];
  /** True when `user` came from a line that names the login (`try username`), not a certificate's name. */
  userNamed?: boolean;
  /**
   * Time of the signal that ended the instance: a later line from its address
   * starts a new one, an earlier one (delivered late) still belongs to it.
   */
  endedAt?: number;
}

/** Failed logins kept per client while its user is unknown. */
const MAX_PENDING = 16;
/** Longest raw line kept with a pending failed login. */
const PENDING_RAW_LENGTH = 600;

const defaultIndex = indexCatalog(OPENVPN_CATALOG);

/** Where a parser keeps its client instances. */
interface ClientMemory {
  get(key: string): ClientInstance | undefined;
  /** Stores the client (again, after it changed). */
  set(key: string, client: ClientInstance): void;
  delete(key: string): void;
}

/**
 * The parser's own memory (no store given): a `Map` bounded to `CLIENT_LIMIT`
 * clients; a client is moved to the young end only when it has aged past half
 * the limit, so eviction from the old end is close to LRU at the cost of one
 * map operation per line.
 */
class MapClientMemory implements ClientMemory {
  private readonly clients = new Map<string, ClientInstance>();
  private readonly stamps = new WeakMap<ClientInstance, number>();
  private insertions = 0;

  get(key: string): ClientInstance | undefined {
    return this.clients.get(key);
  }

  set(key: string, client: ClientInstance): void {
    const stamp = this.stamps.get(client);
    if (stamp !== undefined && this.clients.get(key) === client) {
      if (this.insertions - stamp <= CLIENT_LIMIT / 2) return;
      this.clients.delete(key);
    } else if (this.clients.size >= CLIENT_LIMIT && !this.clients.has(key)) {
      const oldest = this.clients.keys().next();
      if (oldest.done !== true) this.clients.delete(oldest.value);
    }
    this.stamps.set(client, ++this.insertions);
    this.clients.set(key, client);
  }

  delete(key: string): void {
    this.clients.delete(key);
  }
}

/** Clients kept in the pipeline's correlation memory, one entry each, expiring with their window. */
class StoredClientMemory implements ClientMemory {
  constructor(private readonly memory: CorrelationMemory) {}

  get(key: string): ClientInstance | undefined {
    const stored = this.memory.get<ClientInstance>(`client:${key}`);
    return stored === undefined ? undefined : { ...stored };
  }

  set(key: string, client: ClientInstance): void {
    const window =
      client.established && client.endedAt === undefined ? SESSION_WINDOW_MS : USER_WINDOW_MS;
    this.memory.set(`client:${key}`, client, (client.lastTime ?? 0) + window);
  }

  delete(key: string): void {
    this.memory.delete(`client:${key}`);
  }
}

/** Creates a parser for one OpenVPN stream (feed it the stream's lines in order). */
export function createOpenvpnParser(options: OpenvpnParserOptions = {}): StreamParser {
  return new OpenvpnStreamParser(options);
}

class OpenvpnStreamParser implements StreamParser {
  readonly source = 'openvpn' as const;
  private readonly clock: LocalClock;
  private readonly now: () => number;
  private readonly index: CatalogIndex;
  private readonly ownClients = new MapClientMemory();
  /** The client of the line being parsed when it is a failed login with no user yet. */
  private waiting: { readonly key: string; readonly client: ClientInstance } | undefined;
  /** The memory of the line being parsed: the pipeline's when it gives one. */
  private clients: ClientMemory = this.ownClients;
  /** Reused holder for the row `matchMessage` found. */
  private readonly found: MatchedRow = { row: undefined };
  private sequence = 0;
  /** The origin parts the last id was made from and their `group:stream:` prefix. */
  private idGroup: string | undefined = undefined;
  private idStream: string | undefined = undefined;
  private idPrefix = '::';

  constructor(options: OpenvpnParserOptions) {
    this.clock = new LocalClock(options.timeZone ?? 'UTC');
    this.now = options.now ?? Date.now;
    this.index = options.catalog === undefined ? defaultIndex : indexCatalog(options.catalog);
  }

  parse(line: string, context: LineContext): VpnEvent {
    this.sequence++;
    const id = this.eventId(context);
    try {
      return this.classify(line, context, id);
    } catch (error) {
      return malformed(line, context, id, `parser error: ${(error as Error).message}`);
    }
  }

  /** `group:stream:line` (or the context's own id), the prefix made once per stream. */
  private eventId(context: LineContext): string {
    if (context.eventId !== undefined) return context.eventId;
    const { origin } = context;
    const group = origin.logGroup ?? origin.file ?? '';
    if (group !== this.idGroup || origin.stream !== this.idStream) {
      this.idGroup = group;
      this.idStream = origin.stream;
      this.idPrefix = `${group}:${origin.stream ?? ''}:`;
    }
    return this.idPrefix + (origin.line ?? `#${this.sequence}`);
  }

  private classify(line: string, context: LineContext, id: string): VpnEvent {
    this.clients =
      context.correlation === undefined
        ? this.ownClients
        : new StoredClientMemory(context.correlation);
    this.clock.reference = context.timestamp ?? this.now();
    const framed = frameLine(line, this.clock);
    if ('malformed' in framed) return malformed(line, context, id, framed.malformed);
    const time = framed.time ?? context.timestamp ?? null;
    const fields = coreFields(framed);
    let message = framed.message;
    if (message.charCodeAt(0) === 91 /* [ */) {
      const close = message.indexOf('] ');
      if (close > 0) {
        fields.commonName = message.slice(1, close);
        message = message.slice(close + 2);
      }
    }
    const match = matchMessage(this.index, message, this.found);
    const matched = this.found.row;
    if (match === null || matched === undefined) {
      return event(id, 'unclassified', 'info', time, message, line, fields, context);
    }
    let peer = false;
    let isSignal = false;
    const groups = groupFields(matched);
    let extras = false;
    for (const group of groups) {
      const value = match[group.index];
      if (value === undefined) continue;
      if (group.isSignal) isSignal = true;
      // Extra fields go in after correlation, which then sees one object shape.
      if (group.kind === 'extra') extras = true;
      else if (setGroup(fields, group, value)) peer = true;
    }
    const extracted = matched.extract?.(match);
    if (extracted !== undefined && typeof extracted['assignedIp'] === 'string') {
      fields.assignedIp = extracted['assignedIp'];
    }
    if (fields.clientIp === undefined && peer) {
      const address = addressInMessage(message);
      if (address !== undefined) {
        fields.clientIp = address.ip;
        fields.clientPort = address.port;
      }
    }
    if (fields.user === undefined && fields.depth === 0) fields.user = commonNameOf(fields.subject);
    if (
      fields.user === undefined &&
      fields.commonName !== undefined &&
      fields.commonName !== 'UNDEF' &&
      matched.role !== 'auth-failure'
    ) {
      fields.user = fields.commonName;
    }
    const row = this.correlate(matched, framed, fields, time, id, isSignal, context);
    if (extras) {
      for (const group of groups) {
        const value = match[group.index];
        if (value !== undefined && group.kind === 'extra') setGroup(fields, group, value);
      }
    }
    if (extracted !== undefined) Object.assign(fields, extracted);
    const built = event(
      id,
      row.category,
      row.severity,
      time,
      message,
      line,
      fields,
      context,
      row.hint,
    );
    if (this.waiting !== undefined && context.correlation !== undefined) {
      // A failed login whose user an earlier line will name, when that line comes late.
      const { key, client } = this.waiting;
      const kept: VpnEvent = {
        ...built,
        raw: built.raw.slice(0, PENDING_RAW_LENGTH),
        message: built.message.slice(0, PENDING_RAW_LENGTH),
      };
      client.pending = [...(client.pending ?? []), kept].slice(-MAX_PENDING);
      this.clients.set(key, client);
    }
    this.waiting = undefined;
    return built;
  }

  /** Applies and updates the client's remembered state; returns the row to report. */
  private correlate(
    matched: CatalogRow,
    framed: FramedLine,
    fields: CoreFields,
    time: number | null,
    id: string,
    isSignal: boolean,
    context: LineContext,
  ): CatalogRow {
    let row = matched;
    const ip = fields.clientIp;
    if (ip === undefined) return row;
    const key = framed.client?.key ?? clientKey(ip, fields.clientPort);
    let known = this.clients.get(key);
    // A new handshake from an address without a session is a new attempt.
    // (A start line older than what is known of the client is this attempt's own, delivered late.)
    if (
      row.role === 'connection-start' &&
      known !== undefined &&
      !known.established &&
      !(time !== null && known.lastTime !== null && time <= known.lastTime)
    ) {
      this.clients.delete(key);
      known = undefined;
    }
    const client = this.client(known, key, framed.server, time, id);
    const authenticated = framed.client?.commonName !== undefined;
    if (authenticated && client.user === undefined && fields.user !== undefined) {
      client.user = fields.user;
      client.userTime = time;
    }
    const recentUser =
      client.user !== undefined && within(client.userTime, time, USER_WINDOW_MS)
        ? client.user
        : undefined;
    let role = row.role;
    if (role === 'reset' && !authenticated && !client.established && client.user === undefined) {
      row = RESET_BEFORE_AUTH;
      role = 'probe';
    }
    switch (role) {
      case 'reveals-user':
        if (fields.user !== undefined) {
          client.user = fields.user;
          client.userTime = time;
          client.userNamed = true;
          if (client.pending !== undefined) {
            for (const failure of client.pending) {
              context.correlation?.amend({
                ...failure,
                fields: { ...failure.fields, user: fields.user },
              });
            }
            client.pending = undefined;
          }
        }
        break;
      case 'auth-failure': {
        const named = fields.commonName;
        const own = fields.user;
        const user = own ?? recentUser ?? (named !== 'UNDEF' ? named : undefined);
        if (user !== undefined) {
          fields.user = user;
          if (client.user === undefined) {
            client.user = user;
            client.userTime = time;
          }
        }
        // Judged now; judged again if a line naming the login comes late.
        if (own === undefined && !(user === recentUser && client.userNamed === true)) {
          this.waiting = { key, client };
        }
        fields.duplicateKey = `openvpn:auth-failed:${client.firstEventId}`;
        break;
      }
      case 'probe':
        fields.duplicateKey = `openvpn:probe:${client.firstEventId}`;
        break;
      case 'cert-failure':
        if (fields.user === undefined) fields.user = recentUser;
        else if (client.user === undefined) {
          client.user = fields.user;
          client.userTime = time;
        }
        fields.duplicateKey = `openvpn:cert:${client.firstEventId}`;
        break;
      case 'session-start':
        if (!client.established) {
          client.established = true;
          client.sessionStart = time;
        }
        if (fields.assignedIp !== undefined) client.assignedIp = fields.assignedIp;
        else fields.assignedIp = client.assignedIp;
        fields.user ??= client.user;
        break;
      case 'session-end':
      case 'reset':
        fields.user ??= client.user;
        fields.assignedIp ??= client.assignedIp;
        if (client.established && client.sessionStart !== null && time !== null) {
          fields.durationSeconds = Math.max(0, Math.round((time - client.sessionStart) / 1000));
        }
        if (isSignal) {
          if (time === null) {
            this.clients.delete(key);
            return row;
          }
          client.endedAt = time;
        }
        break;
      default:
        fields.user ??= recentUser;
        break;
    }
    this.clients.set(key, client);
    return row;
  }

  /**
   * The remembered client for `key` (`known`: what the memory holds for it),
   * created (or renewed when stale).
   */
  private client(
    known: ClientInstance | undefined,
    key: string,
    server: string | undefined,
    time: number | null,
    id: string,
  ): ClientInstance {
    let client = known;
    if (client !== undefined) {
      const window = client.established ? SESSION_WINDOW_MS : USER_WINDOW_MS;
      const ended = client.endedAt !== undefined && (time === null || time > client.endedAt);
      if (ended || client.server !== server || !within(client.lastTime, time, window)) {
        this.clients.delete(key);
        client = undefined;
      }
    }
    if (client === undefined) {
      // Every property from the start: one object shape for every client.
      client = {
        firstEventId: id,
        server,
        lastTime: time,
        user: undefined,
        userTime: null,
        established: false,
        sessionStart: null,
        assignedIp: undefined,
      };
    }
    if (time !== null && (client.lastTime === null || time > client.lastTime)) {
      client.lastTime = time;
    }
    return client;
  }
}

/**
 * The fields the parser itself reads and writes, always present (undefined when
 * unknown) so every event's fields start with one shape; rows add others after.
 */
type CoreFields = {
  server: string | undefined;
  program: string | undefined;
  user: string | undefined;
  commonName: string | undefined;
  clientIp: string | undefined;
  clientPort: number | undefined;
  protocol: string | undefined;
  assignedIp: string | undefined;
  reason: string | undefined;
  subject: string | undefined;
  depth: number | undefined;
  durationSeconds: number | undefined;
  duplicateKey: string | undefined;
};

function coreFields(framed: FramedLine): CoreFields {
  const client = framed.client;
  return {
    server: framed.server,
    program: framed.program,
    user: client?.commonName,
    commonName: undefined,
    clientIp: client?.ip,
    clientPort: client?.port,
    protocol: client?.protocol,
    assignedIp: undefined,
    reason: undefined,
    subject: undefined,
    depth: undefined,
    durationSeconds: undefined,
    duplicateKey: undefined,
  };
}

/**
 * What a named group is: a core field, an extra field (set after correlation),
 * one named like a core field the parser does not fill from groups (set at
 * once, as an extra), the peer address or the `remote` address.
 */
type GroupKind = 'core' | 'extra' | 'core-extra' | 'peer' | 'remote' | 'ignore';

/** Where a named group goes. */
interface GroupField {
  readonly name: string;
  /** Capture index in the match array. */
  readonly index: number;
  readonly field: string;
  readonly kind: GroupKind;
  readonly numeric: boolean;
  /** True for the `signal` group (a signal line ends the client instance). */
  readonly isSignal: boolean;
}

const CORE_FIELD_NAMES: ReadonlySet<string> = new Set([
  'user',
  'commonName',
  'assignedIp',
  'reason',
  'subject',
  'depth',
]);

/** Every key of `CoreFields`. */
const CORE_OBJECT_KEYS: ReadonlySet<string> = new Set(
  Object.keys(coreFields({ time: null, framing: 'none', message: '' })),
);

const groupFieldsByRow = new WeakMap<CatalogRow, readonly GroupField[]>();

/**
 * The capture index of every named group of `pattern`: named groups are
 * numbered with the plain ones, in the order their `(` appears.
 */
export function namedGroupIndices(pattern: RegExp): Map<string, number> {
  const source = pattern.source;
  const indices = new Map<string, number>();
  let count = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') {
      i++;
    } else if (inClass) {
      if (char === ']') inClass = false;
    } else if (char === '[') {
      inClass = true;
    } else if (char === '(') {
      if (source[i + 1] !== '?') {
        count++;
      } else if (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!') {
        count++;
        const end = source.indexOf('>', i + 3);
        indices.set(source.slice(i + 3, end), count);
      }
    }
  }
  return indices;
}

/** How a row's named groups map to fields, worked out once per row. */
function groupFields(row: CatalogRow): readonly GroupField[] {
  let list = groupFieldsByRow.get(row);
  if (list === undefined) {
    list = [...namedGroupIndices(row.pattern)].map(([name, index]): GroupField => {
      // Alternatives of one pattern use suffixed names for the same field.
      const field = name.replace(/(?:Mbed|Crl)$/, '');
      const kind: GroupKind =
        name === 'peer'
          ? 'peer'
          : name === 'remote'
            ? 'remote'
            : name === 'options'
              ? 'ignore'
              : CORE_FIELD_NAMES.has(field)
                ? 'core'
                : CORE_OBJECT_KEYS.has(field)
                  ? 'core-extra'
                  : 'extra';
      return {
        name,
        index,
        field,
        kind,
        numeric: NUMERIC_GROUPS.has(field),
        isSignal: name === 'signal',
      };
    });
    groupFieldsByRow.set(row, list);
  }
  return list;
}

/** Stores one group's value in `fields`; true when the group is the peer address. */
function setGroup(fields: CoreFields, group: GroupField, value: string): boolean {
  switch (group.kind) {
    case 'core':
      switch (group.field) {
        case 'user':
          fields.user = value;
          break;
        case 'commonName':
          fields.commonName = value;
          break;
        case 'assignedIp':
          fields.assignedIp = value;
          break;
        case 'reason':
          fields.reason = value;
          break;
        case 'subject':
          fields.subject = value;
          break;
        default:
          fields.depth = Number(value);
          break;
      }
      return false;
    case 'extra':
    case 'core-extra':
      (fields as Record<string, FieldValue | undefined>)[group.field] = group.numeric
        ? Number(value)
        : value;
      return false;
    case 'peer':
      return true;
    case 'remote': {
      const colon = value.lastIndexOf(':');
      if (colon > 0 && fields.clientIp === undefined) {
        fields.clientIp = value.slice(0, colon);
        fields.clientPort = Number(value.slice(colon + 1));
      }
      return false;
    }
    default:
      return false;
  }
}

/** True when `later` is at most `window` ms after `earlier` (unknown times count as within). */
function within(earlier: number | null, later: number | null, window: number): boolean {
  return earlier === null || later === null || later - earlier <= window;
}

/** The `CN=` of a certificate subject (`C=JP, O=x, CN=user01` or `/C=JP/CN=user01`). */
function commonNameOf(subject: string | undefined): string | undefined {
  if (subject === undefined) return undefined;
  const match = /(?:^|[,/]\s*)CN=([^,/]+)/.exec(subject);
  return match?.[1]?.trim();
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
