import { describe, expect, it } from 'vitest';
import { alertJson, painter } from '../../src/cli/commands/replay-output.ts';
import type { Alert } from '../../src/model.ts';

describe('painter', () => {
  it('adds SGR codes only when colouring', () => {
    expect(painter(false)('red', 'x')).toBe('x');
    expect(painter(true)('red', 'x')).toBe('\u001b[31mx\u001b[39m');
  });
});

describe('alertJson', () => {
  const alert: Alert = {
    id: '0123456789abcdef0123456789abcdef',
    rule: 'cert.problem',
    status: 'opened',
    category: 'cert.expired',
    severity: 'warning',
    source: 'openvpn',
    key: 'openvpn:user:alice',
    subject: 'WARNING user alice certificate problem',
    time: Date.parse('2026-03-01T00:00:00Z'),
    summary: 'Certificate expired.',
    evidence: ['line'],
    remediation: 'Renew it.',
    about: { user: 'alice' },
    eventId: 'e1',
  };

  it('names the account and region of a multi-account alert', () => {
    const json = JSON.parse(alertJson({ ...alert, account: '111111111111', region: 'eu-west-1' }));
    expect(json).toMatchObject({ account: '111111111111', region: 'eu-west-1' });
  });

  it('has no account or region keys for a single-account alert', () => {
    const json = JSON.parse(alertJson(alert));
    expect(Object.keys(json)).not.toContain('account');
    expect(Object.keys(json)).not.toContain('region');
  });

  it('writes a hostile account inert (no raw escape or bidi character)', () => {
    const text = alertJson({ ...alert, account: '1\u001b[2J\u202e' });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(text).not.toMatch(/[\u001b\u202e]/);
    expect(JSON.parse(text).account).toBe('1\u001b[2J\u202e');
  });
});
