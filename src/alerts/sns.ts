/**
 * An `Alert` as an SNS message: subject, a body people read (then `---`, then
 * the same facts as JSON for machines), and message attributes for
 * subscription filter policies. Everything taken from logs is sanitised; the
 * message plus attributes stay within SNS's 256 KiB.
 */
import { type Alert, type AlertSubject, isoTime } from '../model.ts';
import {
  MAX_EVIDENCE_LINE,
  MAX_EVIDENCE_LINES,
  sanitizeEvidence,
  sanitizeLine,
  toAscii,
} from './sanitize.ts';

/** SNS's limit on message + attributes, bytes. */
export const SNS_MAX_BYTES = 256 * 1024;
/** Room kept below the limit for SNS's own accounting, bytes. */
const SNS_MARGIN_BYTES = 1024;
/** Longest attribute value, characters. */
const MAX_ATTRIBUTE_LENGTH = 256;

/** A String message attribute. */
export interface SnsStringAttribute {
  readonly DataType: 'String';
  readonly StringValue: string;
}

/** What `Publish` needs for one alert. */
export interface SnsAlertMessage {
  readonly subject: string;
  readonly message: string;
  readonly messageAttributes: Record<string, SnsStringAttribute>;
}

/** Labels of the "which" lines of the body, in order. */
const ABOUT_LABELS: readonly (readonly [keyof AlertSubject, string])[] = [
  ['vpnConnectionId', 'VPN connection'],
  ['tunnelIp', 'Tunnel'],
  ['bgpNeighbor', 'BGP neighbor'],
  ['user', 'User'],
  ['clientIp', 'Client address'],
  ['server', 'Server'],
  ['hub', 'Hub'],
  ['sessionId', 'Session'],
];

function iso(time: number): string {
  return isoTime(time);
}

function body(alert: Alert, evidence: readonly string[]): string {
  const line = (text: string) => sanitizeLine(text, 2000);
  const what = alert.status === 'resolved' ? 'RESOLVED' : alert.severity.toUpperCase();
  const lines = [
    `${what}: ${alert.rule} ${alert.status}`,
    '',
    line(alert.summary),
    '',
    `Rule:            ${alert.rule}`,
    `Status:          ${alert.status}`,
    `Cause:           ${alert.category}`,
    `Severity:        ${alert.severity}`,
    `Source:          ${alert.source}`,
  ];
  for (const [field, label] of ABOUT_LABELS) {
    const value = alert.about[field];
    if (value !== undefined) lines.push(`${`${label}:`.padEnd(17)}${line(value)}`);
  }
  lines.push(`When (UTC):      ${iso(alert.time)}`, `Key:             ${line(alert.key)}`, '');
  lines.push(
    `Evidence (${evidence.length} line${evidence.length === 1 ? '' : 's'}, from the log):`,
  );
  for (const text of evidence) lines.push(`  | ${text}`);
  lines.push('', 'What to do:', `  ${line(alert.remediation)}`);
  if (alert.docUrl !== undefined) lines.push('', `Documentation: ${line(alert.docUrl)}`);
  lines.push('', `Alert id: ${alert.id}`);
  return lines.join('\n');
}

/** The JSON facts after the `---` line. */
function facts(alert: Alert, evidence: readonly string[]) {
  return {
    alertId: alert.id,
    rule: alert.rule,
    status: alert.status,
    category: alert.category,
    severity: alert.severity,
    source: alert.source,
    key: alert.key,
    subject: alert.subject,
    time: iso(alert.time),
    summary: sanitizeLine(alert.summary, 2000),
    about: Object.fromEntries(
      Object.entries(alert.about).map(([name, value]) => [name, sanitizeLine(String(value), 2000)]),
    ),
    evidence,
    remediation: sanitizeLine(alert.remediation, 2000),
    ...(alert.docUrl === undefined ? {} : { docUrl: sanitizeLine(alert.docUrl, 2000) }),
    eventId: alert.eventId,
  };
}

/** An attribute value: ASCII, bounded, never empty. */
function attribute(value: string): SnsStringAttribute {
  const clean = toAscii(value).slice(0, MAX_ATTRIBUTE_LENGTH);
  return { DataType: 'String', StringValue: clean === '' ? '-' : clean };
}

/** Bytes SNS counts for the attributes: names, types and values. */
function attributeBytes(attributes: Record<string, SnsStringAttribute>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(attributes)) {
    bytes +=
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType) +
      Buffer.byteLength(value.StringValue);
  }
  return bytes;
}

/** SNS subject rules, enforced again in case an alert was built by hand. */
function snsSubject(subject: string): string {
  let clean = toAscii(subject).replace(/^[^A-Za-z0-9]+/, '');
  if (clean === '') clean = 'tunnelwatch alert';
  return clean.length < 100 ? clean : `${clean.slice(0, 96).trimEnd()}...`;
}

/**
 * Renders an alert for SNS `Publish`: readable text, then `---`, then the
 * facts as JSON (with `alertId`); attributes `rule`, `category`, `severity`,
 * `source`, `status`, `alertId`, and `vpnConnectionId` / `tunnelIp` when known.
 * Evidence is sanitised and bounded; if the message would still exceed SNS's
 * limit, evidence lines are dropped (oldest first) until it fits.
 */
export function renderForSns(alert: Alert): SnsAlertMessage {
  const messageAttributes: Record<string, SnsStringAttribute> = {
    rule: attribute(alert.rule),
    category: attribute(alert.category),
    severity: attribute(alert.severity),
    source: attribute(alert.source),
    status: attribute(alert.status),
    alertId: attribute(alert.id),
  };
  if (alert.about.vpnConnectionId !== undefined) {
    messageAttributes['vpnConnectionId'] = attribute(alert.about.vpnConnectionId);
  }
  if (alert.about.tunnelIp !== undefined)
    messageAttributes['tunnelIp'] = attribute(alert.about.tunnelIp);
  const budget = SNS_MAX_BYTES - SNS_MARGIN_BYTES - attributeBytes(messageAttributes);

  let maxLines = MAX_EVIDENCE_LINES;
  for (;;) {
    const evidence = sanitizeEvidence(alert.evidence, maxLines, MAX_EVIDENCE_LINE);
    const message = `${body(alert, evidence)}\n---\n${JSON.stringify(facts(alert, evidence), null, 2)}\n`;
    if (Buffer.byteLength(message) <= budget || maxLines === 0) {
      return { subject: snsSubject(alert.subject), message, messageAttributes };
    }
    maxLines = Math.floor(maxLines / 2);
  }
}
