import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alertId,
  renderAlert,
  renderForSns,
  renderSubject,
  SNS_MAX_BYTES,
} from '../../src/alerts/index.ts';
import type { AlertSubject, VpnEvent } from '../../src/model.ts';
import type { AlertDraft } from '../../src/rules/rule.ts';

const EVENT: VpnEvent = {
  id: 'cwl-event-1',
  source: 'aws-s2s',
  category: 'ike.psk_mismatch',
  severity: 'critical',
  time: Date.parse('2025-04-25T10:57:36Z'),
  message: 'AWS tunnel received invalid Pre-shared Key',
  raw: '{"details":"AWS tunnel received invalid Pre-shared Key"}',
  fields: {},
  origin: { stream: 'vpn-0abc1234def567890-203.0.113.10' },
};

function draftOf(overrides: Partial<AlertDraft> = {}): AlertDraft {
  return {
    rule: 'tunnel.down',
    status: 'opened',
    category: 'ike.psk_mismatch',
    severity: 'critical',
    source: 'aws-s2s',
    key: 'aws-s2s:tunnel:vpn-0abc1234def567890:203.0.113.10',
    event: EVENT,
    summary:
      'Tunnel 203.0.113.10 of vpn-0abc1234def567890 went down: the pre-shared key does not match.',
    cause: 'pre-shared key mismatch',
    evidence: [EVENT.raw],
    remediation: 'Set the same pre-shared key on the customer gateway and the AWS tunnel.',
    docUrl: 'https://docs.aws.amazon.com/vpn/latest/s2svpn/Troubleshooting.html',
    about: { vpnConnectionId: 'vpn-0abc1234def567890', tunnelIp: '203.0.113.10' },
    ...overrides,
  };
}

/** The `default` message (email, SQS) of a rendered alert. */
function defaultText(rendered: { message: string }): string {
  return (JSON.parse(rendered.message) as { default: string }).default;
}

/** SNS's subject rules plus ours. */
function expectValidSubject(subject: string): void {
  expect(subject.length).toBeLessThan(100);
  expect(subject).toMatch(/^[A-Za-z0-9][\x20-\x7e]*$/);
}

describe('renderAlert', () => {
  it('derives the id from key, status and event id only', () => {
    const alert = renderAlert(draftOf());
    expect(alert.id).toMatch(/^[0-9a-f]{32}$/);
    expect(alert.id).toBe(alertId(alert.key, 'opened', EVENT.id));
    expect(renderAlert(draftOf({ summary: 'other words' })).id).toBe(alert.id);
    expect(renderAlert(draftOf({ status: 'resolved' })).id).not.toBe(alert.id);
    expect(renderAlert(draftOf({ event: { ...EVENT, id: 'cwl-event-2' } })).id).not.toBe(alert.id);
  });

  it('carries the facts of the draft and the event time', () => {
    expect(renderAlert(draftOf())).toMatchObject({
      rule: 'tunnel.down',
      status: 'opened',
      category: 'ike.psk_mismatch',
      time: EVENT.time,
      eventId: EVENT.id,
      evidence: [EVENT.raw],
    });
  });
});

describe('renderSubject', () => {
  it('names severity, tunnel, what happened and the cause', () => {
    expect(renderSubject(draftOf())).toBe(
      'CRITICAL vpn-0abc1234def567890 203.0.113.10 DOWN: pre-shared key mismatch',
    );
  });

  it('says when an alert is resolved', () => {
    expect(renderSubject(draftOf({ status: 'resolved', cause: 'DPD timeout' }))).toBe(
      'RESOLVED vpn-0abc1234def567890 203.0.113.10 UP again: DPD timeout',
    );
  });

  it('keeps hostile or long text ASCII, control-free and under 100 characters', () => {
    const about: AlertSubject = {
      user: `r\u00f6\u00f6t\u001b[31m\u202e\u0000\n\u30e6\u30fc\u30b6${'x'.repeat(300)}`,
    };
    const subject = renderSubject(
      draftOf({ rule: 'auth.bruteforce', about, cause: '\r\nBcc: evil@example.com' }),
    );
    expectValidSubject(subject);
    expect(subject).toMatch(/^CRITICAL user root\\u\{1B\}\[31m\\u\{202E\}\\u\{0\} \?+x+/);
    expect(subject.endsWith('...')).toBe(true);
  });

  it('is always a valid SNS subject, whatever the text (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        (user, cause) => {
          expectValidSubject(renderSubject(draftOf({ about: { user }, cause })));
        },
      ),
    );
  });
});

describe('renderForSns', () => {
  it('gives a readable body, a --- line, then the same facts as JSON', () => {
    const alert = renderAlert(draftOf());
    const rendered = renderForSns(alert);
    expect(rendered.subject).toBe(alert.subject);
    expect(rendered.messageStructure).toBe('json');
    const message = defaultText(rendered);
    const [text, json] = message.split('\n---\n');
    expect(text).toContain('CRITICAL: tunnel.down opened');
    expect(text).toContain('Tunnel:          203.0.113.10');
    expect(text).toContain('When (UTC):      2025-04-25T10:57:36.000Z');
    expect(text).toContain(`  | ${EVENT.raw}`);
    expect(text).toContain('Set the same pre-shared key');
    expect(text).toContain('Documentation: https://docs.aws.amazon.com/');
    expect(JSON.parse(json ?? '')).toMatchObject({
      alertId: alert.id,
      rule: 'tunnel.down',
      status: 'opened',
      time: '2025-04-25T10:57:36.000Z',
      about: { tunnelIp: '203.0.113.10' },
      evidence: [EVENT.raw],
    });
  });

  it('sets the filter-policy attributes, with tunnel ones only when known', () => {
    const tunnel = renderForSns(renderAlert(draftOf())).messageAttributes;
    expect(Object.fromEntries(Object.entries(tunnel).map(([k, v]) => [k, v.StringValue]))).toEqual({
      rule: 'tunnel.down',
      category: 'ike.psk_mismatch',
      severity: 'critical',
      source: 'aws-s2s',
      status: 'opened',
      alertId: expect.stringMatching(/^[0-9a-f]{32}$/),
      vpnConnectionId: 'vpn-0abc1234def567890',
      tunnelIp: '203.0.113.10',
    });
    const user = renderForSns(renderAlert(draftOf({ about: { user: 'bob' } }))).messageAttributes;
    expect(Object.keys(user)).not.toContain('tunnelIp');
    expect(Object.values(user).every((v) => v.DataType === 'String')).toBe(true);
  });

  it('neutralises hostile evidence: escapes, controls, fake separators and huge lines', () => {
    const hostile = [
      '\u001b[2J\u001b[31mred\u001b[0m \u001b]0;owned\u0007title',
      'line one\n---\n{"alertId":"forged"}',
      `bidi \u202egnp.exe\u202c zero\u200bwidth \u2028 sep`,
      'x'.repeat(100_000),
      '\ud800 lone surrogate',
    ];
    const rendered = renderForSns(renderAlert(draftOf({ evidence: hostile })));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(rendered.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u202e\u200b]/);
    const message = defaultText(rendered);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(message).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u202e\u200b]/);
    expect(message.split('\n').filter((l) => l === '---')).toHaveLength(1);
    const facts = JSON.parse(message.split('\n---\n')[1] ?? '');
    expect(facts.alertId).not.toBe('forged');
    expect(facts.evidence[0]).toBe('\\u{1B}[2J\\u{1B}[31mred\\u{1B}[0m \\u{1B}]0;owned\\u{7}title');
    expect(facts.evidence[1]).toBe('line one --- {"alertId":"forged"}');
    expect(facts.evidence[2]).toBe('bidi \\u{202E}gnp.exe\\u{202C} zero\\u{200B}width   sep');
    expect(facts.evidence[3]).toMatch(/^x{1000}\.\.\. \[99000 more characters\]$/);
    expect(message).toContain('  | \\u{1B}[2J\\u{1B}[31mred');
  });

  it('keeps the newest evidence lines and says how many were left out', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`);
    const facts = JSON.parse(
      defaultText(renderForSns(renderAlert(draftOf({ evidence: lines })))).split('\n---\n')[1] ??
        '',
    );
    expect(facts.evidence[0]).toBe('[30 earlier line(s) omitted]');
    expect(facts.evidence.at(-1)).toBe('line 49');
    expect(facts.evidence).toHaveLength(21);
  });

  it('stays within 256 KiB with attributes, even with multi-byte evidence', () => {
    const lines = Array.from({ length: 500 }, () => '\u{1f600}'.repeat(5000));
    const { message, messageAttributes } = renderForSns(renderAlert(draftOf({ evidence: lines })));
    const attributeBytes = Object.entries(messageAttributes).reduce(
      (sum, [name, value]) =>
        sum + Buffer.byteLength(name) + Buffer.byteLength(value.StringValue) + 6,
      0,
    );
    expect(Buffer.byteLength(message) + attributeBytes).toBeLessThanOrEqual(SNS_MAX_BYTES);
    expect(message).toContain('earlier line(s) omitted');
  });
});

describe('the account and region of a multi-account alert', () => {
  const from = (origin: VpnEvent['origin']) =>
    renderAlert(draftOf({ event: { ...EVENT, origin: { ...EVENT.origin, ...origin } } }));
  const where = { account: '111111111111', region: 'eu-west-1' };

  /** The `https` (chat) message's description. */
  const chatText = (rendered: { message: string }) =>
    (
      JSON.parse((JSON.parse(rendered.message) as { https: string }).https) as {
        content: { description: string };
      }
    ).content.description;

  it('come from the triggering event and leave the id as it was', () => {
    const alert = from(where);
    expect(alert).toMatchObject(where);
    expect(alert.id).toBe(renderAlert(draftOf()).id);
    expect(renderAlert(draftOf())).not.toHaveProperty('account');
    expect(renderAlert(draftOf())).not.toHaveProperty('region');
  });

  it('are shown in the text, the facts, the chat message and the attributes', () => {
    const rendered = renderForSns(from(where));
    const [text, json] = defaultText(rendered).split('\n---\n');
    expect(text).toContain('Account:         111111111111\nRegion:          eu-west-1\n');
    expect(JSON.parse(json ?? '')).toMatchObject(where);
    expect(chatText(rendered)).toContain('*Account:* 111111111111\n*Region:* eu-west-1\n');
    expect(rendered.messageAttributes['account']).toEqual({
      DataType: 'String',
      StringValue: '111111111111',
    });
    expect(rendered.messageAttributes['region']?.StringValue).toBe('eu-west-1');
  });

  it('leave a single-account alert exactly as it was', () => {
    const rendered = renderForSns(renderAlert(draftOf()));
    expect(defaultText(rendered)).not.toMatch(/Account:|Region:/);
    expect(chatText(rendered)).not.toMatch(/Account|Region/);
    expect(Object.keys(rendered.messageAttributes)).not.toContain('account');
    expect(Object.keys(rendered.messageAttributes)).not.toContain('region');
  });

  it('are neutralised like any text from a payload', () => {
    const hostile = { account: '1111\u001b[31m\n---\n*x*', region: 'eu-west-1\u202e\u0007' };
    const rendered = renderForSns(from(hostile));
    const parts = defaultText(rendered).split('\n---\n');
    expect(parts).toHaveLength(2);
    const [text] = parts;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
    expect(text).toContain('Account:         1111');
    expect(chatText(rendered)).toContain('\\*x\\*');
    for (const name of ['account', 'region']) {
      expect(rendered.messageAttributes[name]?.StringValue).toMatch(/^[\x20-\x7e]+$/);
    }
  });
});
