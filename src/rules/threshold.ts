/**
 * The threshold and audit rules of docs/taxonomy.md ("Threshold and audit rules"),
 * built from the sliding window (`window.ts`) and the cooldown (`cooldown.ts`).
 * They apply to events of every source; thresholds, windows, cooldowns and
 * severities come from `RulesConfig.rules[id]`.
 *
 * Events without a time cannot be placed in a window or a cooldown: these
 * rules ignore them (the pipeline gives a time-less line the time of the line
 * before it in its stream, so this only concerns a stream's first lines).
 *
 * State keys start with the rule id; key parts taken from logs (user names,
 * addresses) are bounded in length (`keyPart`).
 */
import type {
  AlertSubject,
  Category,
  RuleSettings,
  RulesConfig,
  Severity,
  ThresholdRuleId,
  VpnEvent,
} from '../model.ts';
import type { CategoryScopedRule } from './category-scope.ts';
import { activeCooldown, inCooldown, startCooldown } from './cooldown.ts';
import { eventIdHash } from './id-hash.ts';
import { keyPart } from './key-part.ts';
import type { AlertDraft, Rule, RuleContext } from './rule.ts';
import { sentenceStart } from './sentence.ts';
import {
  crossingAt,
  DEFAULT_WINDOW_MAX_ENTRIES,
  entriesAt,
  entriesFrom,
  observeWindow,
  type WindowEntry,
  windowEvidence,
} from './window.ts';

const MINUTE_MS = 60_000;
/** What `keys()` returns for an event a rule ignores (shared: no allocation per event). */
const NO_KEYS: readonly string[] = Object.freeze([]);

function settings(config: RulesConfig, id: ThresholdRuleId): RuleSettings {
  return config.rules[id];
}

function severityOf(config: RulesConfig, id: ThresholdRuleId, fallback: Severity): Severity {
  return settings(config, id).severity ?? fallback;
}

/** Minutes to ms; `fallback` minutes when unset. */
function ms(minutes: number | undefined, fallback: number): number {
  return (minutes ?? fallback) * MINUTE_MS;
}

/** The server an event is about: its `server` field, else its stream. */
function serverOf(event: VpnEvent): string {
  return event.fields.server ?? event.origin.stream ?? event.origin.file ?? '-';
}

function quoted(value: string): string {
  return JSON.stringify(value);
}

interface DraftParts {
  readonly rule: ThresholdRuleId;
  readonly key: string;
  readonly severity: Severity;
  readonly category?: Category;
  readonly summary: string;
  readonly cause: string;
  readonly evidence: readonly string[];
  readonly remediation: string;
  readonly about: AlertSubject;
}

function draft(event: VpnEvent, parts: DraftParts): AlertDraft {
  const docUrl = event.hint?.docUrl;
  return {
    rule: parts.rule,
    status: 'opened',
    category: parts.category ?? event.category,
    severity: parts.severity,
    source: event.source,
    key: parts.key,
    event,
    summary: sentenceStart(parts.summary),
    cause: parts.cause,
    evidence: parts.evidence,
    remediation: parts.remediation,
    ...(docUrl === undefined ? {} : { docUrl }),
    about: parts.about,
  };
}

// ---------------------------------------------------------------------------
// auth.bruteforce

const AUTH_REMEDIATION =
  "Block or rate-limit the address at the firewall (or enable fail2ban / the server's source-IP limit list), check the user is not compromised, and consider certificate or MFA authentication.";

/** State keys of `auth.bruteforce` for one event. */
function authKeys(event: VpnEvent) {
  const { source } = event;
  const ip = event.fields.clientIp;
  const user = event.fields.user;
  return {
    address:
      ip === undefined
        ? undefined
        : {
            ip,
            window: `auth.bruteforce:window:${source}:client:${keyPart(ip)}`,
            cooldown: `auth.bruteforce:cooldown:${source}:client:${keyPart(ip)}`,
            alertKey: `${source}:client:${keyPart(ip)}`,
          },
    user:
      user === undefined || user === ''
        ? undefined
        : {
            user,
            window: `auth.bruteforce:window:${source}:user:${keyPart(user)}`,
            cooldown: `auth.bruteforce:cooldown:${source}:user:${keyPart(user)}`,
            alertKey: `${source}:user:${keyPart(user)}`,
          },
  };
}

/**
 * `auth.bruteforce`: ≥ `threshold` `auth.failed` from one client address within
 * the window, or ≥ `userThreshold` for one user name from ≥ `userMinAddresses`
 * addresses. The address rule takes precedence: failures from an address whose
 * rule fired (or is in cooldown) no longer count for the per-user rule, and an
 * address already named by a per-user alert does not alert again during that
 * alert's cooldown. One attack gives one alert.
 */
export const authBruteforceRule: CategoryScopedRule = {
  id: 'auth.bruteforce',
  categories: new Set<Category>(['auth.failed']),
  keys(event) {
    if (event.category !== 'auth.failed') return NO_KEYS;
    const { address, user } = authKeys(event);
    return [
      ...(address === undefined ? [] : [address.window, address.cooldown]),
      ...(user === undefined ? [] : [user.window, user.cooldown]),
    ];
  },
  apply(event, context) {
    if (event.category !== 'auth.failed') return;
    const rule = settings(context.config, 'auth.bruteforce');
    if (!rule.enabled || event.time === null) return;
    const { state } = context;
    const time = event.time;
    const windowMs = ms(rule.windowMinutes, 10);
    const cooldownMs = ms(rule.cooldownMinutes, 60);
    const severity = severityOf(context.config, 'auth.bruteforce', 'critical');
    const { address, user } = authKeys(event);
    const entry: WindowEntry = { t: time, raw: event.raw, i: eventIdHash(event.id) };

    let addressCovered = false;
    if (address !== undefined) {
      const threshold = rule.threshold ?? 5;
      const maxEntries = Math.max(DEFAULT_WINDOW_MAX_ENTRIES, threshold);
      const all = observeWindow(state, address.window, entry, { windowMs, maxEntries });
      const crossing = crossingAt(all, time, windowMs, threshold, maxEntries, (at) =>
        inCooldown(state, address.cooldown, at),
      );
      if (inCooldown(state, address.cooldown, time)) addressCovered = true;
      if (crossing !== undefined && 'covered' in crossing) {
        addressCovered = true;
        context.suppressed('auth.bruteforce', 'cooldown');
      } else if (crossing !== undefined) {
        addressCovered = true;
        const entries = crossing.window;
        const userAlert =
          user === undefined ? undefined : activeCooldown(state, user.cooldown, crossing.time);
        if (userAlert?.addresses?.includes(address.ip) === true) {
          context.suppressed('auth.bruteforce', 'dedup');
        } else {
          startCooldown(state, address.cooldown, crossing.time, cooldownMs);
          context.emit(
            draft(event, {
              rule: 'auth.bruteforce',
              key: address.alertKey,
              severity,
              summary: `${entries.length} failed logins from ${address.ip} within ${windowMs / MINUTE_MS} minutes${user === undefined ? '' : ` (latest as user ${quoted(user.user)})`}: a password-guessing attack from one address.`,
              cause: `${entries.length} failed logins from one address`,
              evidence: windowEvidence(entries),
              remediation: AUTH_REMEDIATION,
              about: {
                clientIp: address.ip,
                ...(user === undefined ? {} : { user: user.user }),
                ...serverAbout(event),
              },
            }),
          );
        }
      }
    }

    if (user === undefined) return;
    const ip = address?.ip;
    const userMaxEntries = Math.max(DEFAULT_WINDOW_MAX_ENTRIES, rule.userThreshold ?? 5);
    const all = observeWindow(
      state,
      user.window,
      { ...entry, ...(ip === undefined ? {} : { tag: ip }) },
      { windowMs, maxEntries: userMaxEntries },
      addressCovered ? (old) => (old.tag === ip ? { ...old, covered: true } : old) : undefined,
    );
    // The first time at or after this event (within one window) at which the
    // user's uncovered failures come from enough addresses: this event's own
    // time when it came in order, a later one when it came late.
    let crossing: { at: number; uncovered: WindowEntry[]; addresses: string[] } | undefined;
    let inQuiet = false;
    for (const candidate of entriesFrom(all, time, windowMs)) {
      const uncovered = entriesAt(all, candidate.t, windowMs, userMaxEntries).filter(
        (old) => old.covered !== true,
      );
      const addresses = [
        ...new Set(uncovered.flatMap((old) => (old.tag === undefined ? [] : [old.tag]))),
      ].sort();
      if (
        uncovered.length < (rule.userThreshold ?? 5) ||
        addresses.length < (rule.userMinAddresses ?? 2)
      ) {
        continue;
      }
      if (inCooldown(state, user.cooldown, candidate.t)) {
        inQuiet = true;
        continue;
      }
      crossing = { at: candidate.t, uncovered, addresses };
      break;
    }
    if (crossing === undefined) {
      if (inQuiet) context.suppressed('auth.bruteforce', 'cooldown');
      return;
    }
    const { uncovered, addresses } = crossing;
    startCooldown(state, user.cooldown, crossing.at, cooldownMs, { addresses });
    context.emit(
      draft(event, {
        rule: 'auth.bruteforce',
        key: user.alertKey,
        severity,
        summary: `${uncovered.length} failed logins for user ${quoted(user.user)} from ${addresses.length} addresses within ${windowMs / MINUTE_MS} minutes: a distributed password attack.`,
        cause: `${uncovered.length} failed logins for one user from ${addresses.length} addresses`,
        evidence: windowEvidence(uncovered),
        remediation: AUTH_REMEDIATION,
        about: { user: user.user, ...serverAbout(event) },
      }),
    );
  },
};

function serverAbout(event: VpnEvent): AlertSubject {
  const { server, hub } = event.fields;
  return {
    ...(server === undefined ? {} : { server }),
    ...(hub === undefined ? {} : { hub }),
  };
}

// ---------------------------------------------------------------------------
// Generic threshold rule: N events of some categories within a window, per scope.

/** What a threshold rule counts events by. */
interface Scope {
  /** State key part and alert key suffix. */
  readonly id: string;
  /** Words for the subject/summary, e.g. "203.0.113.5". */
  readonly label: string;
  readonly about: AlertSubject;
}

interface ThresholdRuleSpec {
  readonly id: ThresholdRuleId;
  readonly categories: ReadonlySet<Category>;
  readonly defaultSeverity: Severity;
  readonly defaultThreshold: number;
  /** The scope of an event; undefined when the event cannot be scoped (no address). */
  scope(event: VpnEvent): Scope | undefined;
  /** "what happened" words: `${count} ${what} ${label}`. */
  readonly what: string;
  readonly remediation: string;
}

function thresholdRule(spec: ThresholdRuleSpec): CategoryScopedRule {
  const stateKeys = (event: VpnEvent, scope: Scope) => ({
    window: `${spec.id}:window:${event.source}:${scope.id}`,
    cooldown: `${spec.id}:cooldown:${event.source}:${scope.id}`,
    alertKey: `${event.source}:${scope.id}`,
  });
  return {
    id: spec.id,
    categories: spec.categories,
    keys(event) {
      if (!spec.categories.has(event.category)) return NO_KEYS;
      const scope = spec.scope(event);
      if (scope === undefined) return NO_KEYS;
      const keys = stateKeys(event, scope);
      return [keys.window, keys.cooldown];
    },
    apply(event, context: RuleContext) {
      const rule = settings(context.config, spec.id);
      if (!spec.categories.has(event.category) || !rule.enabled || event.time === null) return;
      const scope = spec.scope(event);
      if (scope === undefined) return;
      const keys = stateKeys(event, scope);
      const windowMs = ms(rule.windowMinutes, 10);
      const threshold = rule.threshold ?? spec.defaultThreshold;
      const maxEntries = Math.max(DEFAULT_WINDOW_MAX_ENTRIES, threshold);
      const all = observeWindow(
        context.state,
        keys.window,
        { t: event.time, raw: event.raw, i: eventIdHash(event.id) },
        { windowMs, maxEntries },
      );
      const crossing = crossingAt(all, event.time, windowMs, threshold, maxEntries, (at) =>
        inCooldown(context.state, keys.cooldown, at),
      );
      if (crossing === undefined) return;
      if ('covered' in crossing) {
        context.suppressed(spec.id, 'cooldown');
        return;
      }
      const entries = crossing.window;
      startCooldown(context.state, keys.cooldown, crossing.time, ms(rule.cooldownMinutes, 60));
      context.emit(
        draft(event, {
          rule: spec.id,
          key: keys.alertKey,
          severity: severityOf(context.config, spec.id, spec.defaultSeverity),
          summary: `${entries.length} ${spec.what} ${scope.label} within ${windowMs / MINUTE_MS} minutes.`,
          cause: `${entries.length} ${spec.what} ${scope.label}`,
          evidence: windowEvidence(entries),
          remediation: spec.remediation,
          about: scope.about,
        }),
      );
    },
  };
}

function addressScope(event: VpnEvent): Scope | undefined {
  const ip = event.fields.clientIp;
  if (ip === undefined || ip === '') return undefined;
  return {
    id: `client:${keyPart(ip)}`,
    label: `from ${ip}`,
    about: { clientIp: ip, ...serverAbout(event) },
  };
}

function serverScope(event: VpnEvent): Scope {
  const server = serverOf(event);
  return {
    id: `server:${keyPart(server)}`,
    label: `on ${server}`,
    about: { server, ...(event.fields.hub === undefined ? {} : { hub: event.fields.hub }) },
  };
}

/** `probe.scan`: ≥ 5 bad packets / HMAC failures / TLS timeouts from one address in 10 min. */
export const probeScanRule: CategoryScopedRule = thresholdRule({
  id: 'probe.scan',
  categories: new Set<Category>(['probe.bad_packet', 'tls.hmac_failed', 'tls.negotiation_timeout']),
  defaultSeverity: 'warning',
  defaultThreshold: 5,
  scope: addressScope,
  what: 'non-VPN or unauthenticated packets',
  remediation:
    'Someone is probing the VPN port. If the address is not a known client, block it at the firewall; keep tls-auth/tls-crypt (OpenVPN) or the source-IP limit list (SoftEther) enabled.',
});

/** `admin.bruteforce`: ≥ 3 failed administration logins on one server (stream) in 10 min. */
export const adminBruteforceRule: CategoryScopedRule = thresholdRule({
  id: 'admin.bruteforce',
  categories: new Set<Category>(['admin.login_failed']),
  defaultSeverity: 'critical',
  defaultThreshold: 3,
  scope: serverScope,
  what: 'failed administration logins',
  remediation:
    'Someone is guessing the server administration password. Restrict administration to known addresses (admin IP list), change the administrator password, and check the server configuration for changes.',
});

// ---------------------------------------------------------------------------
// Once-per-cooldown rules.

interface CooldownRuleSpec {
  readonly id: ThresholdRuleId;
  /** The categories the rule looks at (a quick filter before `scope`). */
  readonly categories: ReadonlySet<Category>;
  readonly defaultSeverity: Severity;
  /** The scope of a matching event, or undefined when the event does not match. */
  scope(
    event: VpnEvent,
  ): (Scope & { readonly cooldownId?: string; readonly cause: string }) | undefined;
  summary(event: VpnEvent, scope: Scope & { readonly cause: string }): string;
  remediation(event: VpnEvent): string;
}

function cooldownRule(spec: CooldownRuleSpec): CategoryScopedRule {
  const cooldownKey = (event: VpnEvent, scope: Scope & { readonly cooldownId?: string }) =>
    `${spec.id}:cooldown:${event.source}:${scope.cooldownId ?? scope.id}`;
  return {
    id: spec.id,
    categories: spec.categories,
    keys(event) {
      if (!spec.categories.has(event.category)) return NO_KEYS;
      const scope = spec.scope(event);
      return scope === undefined ? NO_KEYS : [cooldownKey(event, scope)];
    },
    apply(event, context) {
      if (!spec.categories.has(event.category)) return;
      const rule = settings(context.config, spec.id);
      if (!rule.enabled || event.time === null) return;
      const scope = spec.scope(event);
      if (scope === undefined) return;
      const key = cooldownKey(event, scope);
      if (inCooldown(context.state, key, event.time)) {
        context.suppressed(spec.id, 'cooldown');
        return;
      }
      startCooldown(context.state, key, event.time, ms(rule.cooldownMinutes, 60));
      context.emit(
        draft(event, {
          rule: spec.id,
          key: `${event.source}:${scope.id}`,
          severity: severityOf(context.config, spec.id, spec.defaultSeverity),
          summary: spec.summary(event, scope),
          cause: scope.cause,
          evidence: [event.raw],
          remediation: spec.remediation(event),
          about: scope.about,
        }),
      );
    },
  };
}

const CERT_CAUSES: Readonly<Partial<Record<Category, string>>> = {
  'cert.key_usage': 'certificate has the wrong key usage',
  'cert.missing': 'no client certificate presented',
  'cert.verify_failed': 'certificate verification failed',
  'cert.expired': 'certificate expired or not yet valid',
};

/** `cert.problem`: any `cert.*` event, once per cooldown per source + user (else address). */
export const certProblemRule: CategoryScopedRule = cooldownRule({
  id: 'cert.problem',
  categories: new Set(Object.keys(CERT_CAUSES) as Category[]),
  defaultSeverity: 'warning',
  scope(event) {
    const cause = CERT_CAUSES[event.category];
    if (cause === undefined) return undefined;
    const { user, clientIp } = event.fields;
    if (user !== undefined && user !== '') {
      return {
        id: `user:${keyPart(user)}`,
        label: `user ${quoted(user)}`,
        cause,
        about: { user, ...(clientIp === undefined ? {} : { clientIp }), ...serverAbout(event) },
      };
    }
    if (clientIp !== undefined && clientIp !== '') {
      return {
        id: `client:${keyPart(clientIp)}`,
        label: clientIp,
        cause,
        about: { clientIp, ...serverAbout(event) },
      };
    }
    const server = serverOf(event);
    return {
      id: `server:${keyPart(server)}`,
      label: `a client of ${server}`,
      cause,
      about: { server },
    };
  },
  summary(event, scope) {
    const reason = event.fields.reason;
    const what = CERT_CAUSES[event.category] ?? 'certificate problem';
    return `${sentenceStart(what)} for ${scope.label}${reason === undefined ? '' : ` (${reason})`}.`;
  },
  remediation(event) {
    return (
      event.hint?.remediation ??
      'Check the client certificate: validity dates, issuing CA, revocation (CRL), and key usage / extended key usage (TLS Web Client Authentication).'
    );
  },
});

/**
 * `fields.auditKind` values that weaken logging or access: an `admin.change`
 * event with one of these kinds raises `admin.audit`. Parsers set `auditKind`
 * on `admin.change` events (SoftEther: `log-settings`, `syslog-settings`,
 * `access-list`, `admin-password`; other kinds such as `user`, `hub`,
 * `config` are recorded and do not alert).
 */
export const WEAKENING_AUDIT_KINDS: Readonly<Record<string, string>> = {
  'log-settings': 'log settings changed',
  'syslog-settings': 'syslog settings changed',
  'access-list': 'access list changed',
  'admin-password': 'administrator password set',
};

/**
 * `admin.audit`: an `admin.change` whose `fields.auditKind` weakens logging or
 * access, or a `log.deleted` event. Alert key: source + server + hub; the
 * cooldown is per key *and* kind, so a log-settings change and an access-list
 * change on one hub within the hour are both reported.
 */
export const adminAuditRule: CategoryScopedRule = cooldownRule({
  id: 'admin.audit',
  categories: new Set<Category>(['admin.change', 'log.deleted']),
  defaultSeverity: 'warning',
  scope(event) {
    let kind: string;
    let cause: string;
    if (event.category === 'log.deleted') {
      kind = 'log-deleted';
      cause = 'log files deleted';
    } else if (event.category === 'admin.change') {
      const auditKind = event.fields.auditKind;
      const weakening =
        typeof auditKind === 'string' ? WEAKENING_AUDIT_KINDS[auditKind] : undefined;
      if (weakening === undefined || typeof auditKind !== 'string') return undefined;
      kind = auditKind;
      cause = weakening;
    } else {
      return undefined;
    }
    const server = serverOf(event);
    const hub = event.fields.hub;
    const id = `server:${keyPart(server)}:hub:${keyPart(hub ?? '-')}`;
    return {
      id,
      cooldownId: `${id}:${kind}`,
      label: hub === undefined ? `on ${server}` : `on ${server} hub ${quoted(hub)}`,
      cause,
      about: { server, ...(hub === undefined ? {} : { hub }) },
    };
  },
  summary(event, scope) {
    const user = event.fields.user;
    const who = user === undefined ? '' : ` by ${quoted(user)}`;
    return event.category === 'log.deleted'
      ? `Log files were deleted ${scope.label}: the audit trail is shorter than configured.`
      : `${scope.cause} ${scope.label}${who}: an administrative change that weakens logging or access.`;
  },
  remediation(event) {
    return event.category === 'log.deleted'
      ? 'Free disk space on the VPN server or ship its logs elsewhere (CloudWatch Logs) so that the audit trail is kept.'
      : 'Confirm the change was intended and authorised; if not, revert it, change the administrator password and review the access list.';
  },
});

/** `network.conflict`: a `network.conflict` event, once per cooldown per source + hub + session. */
export const networkConflictRule: CategoryScopedRule = cooldownRule({
  id: 'network.conflict',
  categories: new Set<Category>(['network.conflict']),
  defaultSeverity: 'warning',
  scope(event) {
    if (event.category !== 'network.conflict') return undefined;
    const { hub, sessionId } = event.fields;
    return {
      id: `hub:${keyPart(hub ?? '-')}:session:${keyPart(sessionId ?? '-')}`,
      label: `${hub === undefined ? '' : `hub ${quoted(hub)} `}session ${sessionId ?? 'unknown'}`,
      cause: event.hint?.title ?? 'network conflict',
      about: {
        ...(hub === undefined ? {} : { hub }),
        ...(sessionId === undefined ? {} : { sessionId }),
        ...(event.fields.server === undefined ? {} : { server: event.fields.server }),
      },
    };
  },
  summary(event, scope) {
    const title = event.hint?.title;
    return `${title === undefined ? 'A network conflict (IP address conflict, rogue DHCP server or broadcast storm)' : sentenceStart(title)} in ${scope.label}.`;
  },
  remediation(event) {
    return (
      event.hint?.remediation ??
      'Find the client that uses the conflicting address or runs a DHCP server (its session and MAC address are in the evidence) and disconnect it.'
    );
  },
});

/** Every threshold and audit rule, in docs/taxonomy.md order. */
export const thresholdRules: readonly Rule[] = [
  authBruteforceRule,
  probeScanRule,
  certProblemRule,
  adminBruteforceRule,
  adminAuditRule,
  networkConflictRule,
];
