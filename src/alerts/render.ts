/**
 * From an `AlertDraft` (what a rule says) to an `Alert` (what on-call gets):
 * deterministic id and an SNS-safe subject.
 */
import { createHash } from 'node:crypto';
import type { Alert, AlertStatus, AlertSubject, RuleId } from '../model.ts';
import type { AlertDraft } from '../rules/rule.ts';
import { escapeKey, toAscii } from './sanitize.ts';

/** SNS: the subject must be under 100 characters. */
export const MAX_SUBJECT_LENGTH = 99;

/** Headline words per rule and status; cause alerts (rule = category) use `CAUSE_HEADLINE`. */
const HEADLINES: Readonly<Partial<Record<RuleId, Readonly<Record<AlertStatus, string>>>>> = {
  'tunnel.down': { opened: 'DOWN', resolved: 'UP again' },
  'tunnel.flapping': { opened: 'FLAPPING', resolved: 'stable again' },
  'vpn.all_tunnels_down': { opened: 'ALL TUNNELS DOWN', resolved: 'a tunnel is up again' },
  'bgp.session_down': { opened: 'BGP DOWN', resolved: 'BGP up again' },
  'auth.bruteforce': { opened: 'brute force', resolved: 'brute force over' },
  'probe.scan': { opened: 'port scan', resolved: 'port scan over' },
  'cert.problem': { opened: 'certificate problem', resolved: 'certificate problem over' },
  'admin.bruteforce': { opened: 'admin brute force', resolved: 'admin brute force over' },
  'admin.audit': { opened: 'audit', resolved: 'audit' },
  'network.conflict': { opened: 'network conflict', resolved: 'network conflict over' },
};

/** The "what is it about" words of a subject, most specific first. */
export function aboutText(about: AlertSubject): string {
  const parts: string[] = [];
  if (about.vpnConnectionId !== undefined) parts.push(about.vpnConnectionId);
  if (about.tunnelIp !== undefined) parts.push(about.tunnelIp);
  if (about.bgpNeighbor !== undefined) parts.push(`neighbor ${about.bgpNeighbor}`);
  if (about.user !== undefined) parts.push(`user ${about.user}`);
  if (about.clientIp !== undefined) parts.push(about.clientIp);
  if (parts.length === 0 && about.server !== undefined) parts.push(about.server);
  if (about.hub !== undefined) parts.push(`hub ${about.hub}`);
  if (about.sessionId !== undefined && parts.length < 2) parts.push(about.sessionId);
  return parts.join(' ');
}

/**
 * The SNS subject: `CRITICAL vpn-0abc… 203.0.113.10 DOWN: pre-shared key
 * mismatch`, `RESOLVED vpn-0abc… 203.0.113.10 UP again: DPD timeout` (the full
 * VPN id; the whole subject is cut with `...` when too long).
 * ASCII only, no control characters, starts with a letter, < 100 characters.
 */
export function renderSubject(draft: AlertDraft): string {
  const status = draft.status === 'resolved' ? 'RESOLVED' : draft.severity.toUpperCase();
  const headline = HEADLINES[draft.rule]?.[draft.status] ?? draft.rule;
  const about = toAscii(aboutText(draft.about));
  const cause = toAscii(draft.cause);
  const head = `${status} ${about === '' ? '' : `${about} `}${headline}`;
  const subject = cause === '' ? head : `${head}: ${cause}`;
  if (subject.length <= MAX_SUBJECT_LENGTH) return subject;
  return `${subject.slice(0, MAX_SUBJECT_LENGTH - 3).trimEnd()}...`;
}

/** The alert id: the first 32 hex digits of sha256(`key|status|eventId`). */
export function alertId(key: string, status: AlertStatus, eventId: string): string {
  return createHash('sha256').update(`${key}|${status}|${eventId}`).digest('hex').slice(0, 32);
}

/**
 * Renders a rule's draft into the alert on-call receives; deterministic. The
 * key is `escapeKey`'d (one-to-one, nothing invisible); the id is derived from
 * the rule's key as it was, so ids do not change for keys that need escaping.
 * Summary, about and evidence stay as the log had them: every output
 * neutralises them its own way (docs/output-safety.md).
 */
export function renderAlert(draft: AlertDraft): Alert {
  const { event } = draft;
  return {
    id: alertId(draft.key, draft.status, event.id),
    rule: draft.rule,
    status: draft.status,
    category: draft.category,
    severity: draft.severity,
    source: draft.source,
    key: escapeKey(draft.key),
    subject: renderSubject(draft),
    time: event.time ?? 0,
    summary: draft.summary,
    evidence: draft.evidence,
    remediation: draft.remediation,
    ...(draft.docUrl === undefined ? {} : { docUrl: draft.docUrl }),
    about: draft.about,
    eventId: event.id,
    // Where the triggering line came from (multi-account); not part of the id.
    ...(event.origin.account === undefined ? {} : { account: event.origin.account }),
    ...(event.origin.region === undefined ? {} : { region: event.origin.region }),
  };
}
