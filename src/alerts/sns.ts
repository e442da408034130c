/**
 * An `Alert` as an SNS message: subject, message attributes for subscription
 * filter policies, and one message per protocol (`MessageStructure: json`):
 * - `default` (email, SQS, Lambda, SMS): a body people read, then `---`, then
 *   the same facts as JSON for machines;
 * - `https` (AWS Chatbot, paging services): an AWS Chatbot custom
 *   notification whose Markdown description escapes every piece of log text.
 * Everything taken from logs is neutralised (docs/output-safety.md); the
 * message plus attributes stay within SNS's 256 KiB.
 */
import { createHash } from 'node:crypto';
import { type Alert, type AlertSubject, isoTime } from '../model.ts';
import {
  escapeMarkdown,
  MAX_EVIDENCE_LINE,
  MAX_EVIDENCE_LINES,
  safeJson,
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
  /** With `messageStructure: 'json'`, a JSON object of one message per protocol (`default`, `https`). */
  readonly message: string;
  readonly messageStructure: 'json';
  readonly messageAttributes: Record<string, SnsStringAttribute>;
}

/** The per-protocol messages inside `SnsAlertMessage.message`. */
export interface SnsProtocolMessages {
  /** Email, SQS, Lambda, SMS: readable text, `---`, the facts as JSON. */
  readonly default: string;
  /** HTTPS subscribers (AWS Chatbot, paging services): an AWS Chatbot custom notification, as JSON. */
  readonly https: string;
}

/** Evidence lines in the chat notification (the newest). */
export const MAX_CHAT_EVIDENCE_LINES = 5;
/** Longest evidence line in the chat notification, characters before escaping. */
export const MAX_CHAT_EVIDENCE_LINE = 300;

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

/**
 * The "where" lines of a multi-account alert: `Account:` and `Region:` of the
 * log group, each only when known (single-account alerts have none).
 */
function whereLines(alert: Alert): (readonly [string, string])[] {
  const lines: (readonly [string, string])[] = [];
  if (alert.account !== undefined) lines.push(['Account:', alert.account]);
  if (alert.region !== undefined) lines.push(['Region:', alert.region]);
  return lines;
}

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
  for (const [label, value] of whereLines(alert)) lines.push(`${label.padEnd(17)}${line(value)}`);
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

/** An AWS Chatbot custom notification (docs: "Custom notifications", event schema version 1.0). */
export interface ChatNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: string;
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

/** A documentation link as it is (the catalog's, https, no markup characters), else escaped text. */
function chatUrl(url: string): string {
  return /^https:\/\/[\w.~%/:?=+,;-]+(#[\w.~%/-]*)?$/.test(url) ? url : escapeMarkdown(url, 500);
}

/**
 * The chat form of an alert: an AWS Chatbot custom notification with a
 * Markdown description. Every piece of text from logs (summary, names,
 * evidence, the key) goes through `escapeMarkdown`; our own words are the
 * only markup; the catalog's remediation and documentation link are shown
 * as they are (sanitised, and the link only when it is a plain https URL). The opened and resolved alerts of one key share a thread.
 */
export function renderChatNotification(alert: Alert): ChatNotification {
  const md = (text: string, max = 2000) => escapeMarkdown(text, max);
  const what = alert.status === 'resolved' ? 'RESOLVED' : alert.severity.toUpperCase();
  const lines = [`*${what}* ${md(alert.rule)} ${alert.status}`, '', md(alert.summary), ''];
  for (const [label, value] of whereLines(alert)) lines.push(`*${label}* ${md(value, 300)}`);
  for (const [field, label] of ABOUT_LABELS) {
    const value = alert.about[field];
    if (value !== undefined) lines.push(`*${label}:* ${md(value, 300)}`);
  }
  lines.push(`*When (UTC):* ${iso(alert.time)}`, `*Key:* ${md(alert.key, 300)}`);
  const evidence = sanitizeEvidence(
    alert.evidence,
    MAX_CHAT_EVIDENCE_LINES,
    MAX_CHAT_EVIDENCE_LINE,
  );
  if (evidence.length > 0) {
    lines.push('', `*Evidence (newest ${evidence.length}, from the log):*`);
    for (const text of evidence) lines.push(`- ${md(text, MAX_CHAT_EVIDENCE_LINE * 2)}`);
  }
  if (alert.docUrl !== undefined) lines.push('', `Documentation: ${chatUrl(alert.docUrl)}`);
  lines.push('', `Alert id: ${alert.id}`);
  const title = md(snsSubject(alert.subject), 200);
  return {
    version: '1.0',
    source: 'custom',
    id: alert.id,
    content: {
      textType: 'client-markdown',
      title,
      description: lines.join('\n'),
      // The catalog's own words, not log text: kept readable (no backslashes).
      nextSteps: [sanitizeLine(alert.remediation, 2000)],
      keywords: [alert.rule, alert.severity, alert.category, alert.source],
    },
    metadata: {
      threadId: createHash('sha256').update(alert.key).digest('hex').slice(0, 32),
      summary: title,
      eventType: alert.rule,
      additionalContext: { ...identity(alert), time: iso(alert.time) },
    },
  };
}

/** What an alert is, in the taxonomy's words (none of it is log text). */
function identity(alert: Alert): Record<string, string> {
  return {
    alertId: alert.id,
    rule: alert.rule,
    status: alert.status,
    category: alert.category,
    severity: alert.severity,
    source: alert.source,
  };
}

/** The JSON facts after the `---` line. */
function facts(alert: Alert, evidence: readonly string[]) {
  return {
    ...identity(alert),
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
    ...(alert.account === undefined ? {} : { account: sanitizeLine(alert.account, 300) }),
    ...(alert.region === undefined ? {} : { region: sanitizeLine(alert.region, 300) }),
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
 * Renders an alert for SNS `Publish`: per protocol (`MessageStructure: json`),
 * `default` is readable text, then `---`, then the facts as JSON (with
 * `alertId`), and `https` the chat notification (`renderChatNotification`);
 * the subject is ASCII, < 100 characters, one line; attributes `rule`, `category`, `severity`,
 * `source`, `status`, `alertId`, and `vpnConnectionId` / `tunnelIp` / `account` /
 * `region` when known.
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
  if (alert.account !== undefined) messageAttributes['account'] = attribute(alert.account);
  if (alert.region !== undefined) messageAttributes['region'] = attribute(alert.region);
  const budget = SNS_MAX_BYTES - SNS_MARGIN_BYTES - attributeBytes(messageAttributes);

  const chat = renderChatNotification(alert);
  let maxLines = MAX_EVIDENCE_LINES;
  for (;;) {
    const evidence = sanitizeEvidence(alert.evidence, maxLines, MAX_EVIDENCE_LINE);
    const messages: SnsProtocolMessages = {
      default: `${body(alert, evidence)}\n---\n${safeJson(facts(alert, evidence), { space: 2 })}\n`,
      https: safeJson(chat),
    };
    const message = safeJson(messages);
    if (Buffer.byteLength(message) <= budget || maxLines === 0) {
      return {
        subject: snsSubject(alert.subject),
        message,
        messageStructure: 'json',
        messageAttributes,
      };
    }
    maxLines = Math.floor(maxLines / 2);
  }
}
