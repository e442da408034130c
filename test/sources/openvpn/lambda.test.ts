/**
 * The subscription Lambda on a log group configured for source `openvpn`:
 * the gateway sample arrives as one CloudWatch Logs payload.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sourceHandler } from '../../helpers/source-handler.ts';
import { logEventsOf, subscriptionEvent } from '../../helpers/subscription-payload.ts';

const SAMPLE = readFileSync('samples/openvpn/vpngw-2025-04-14.log', 'utf8')
  .split('\n')
  .filter((line) => line !== '');

beforeEach(() => {
  // Powertools writes JSON logs and EMF to stdout; keep the test output readable.
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

const payload = () =>
  subscriptionEvent(logEventsOf(SAMPLE, Date.parse('2025-04-13T15:00:00Z')), {
    logGroup: '/tunnelwatch/openvpn/vpngw',
    logStream: 'openvpn-vtun0',
  });

describe('the Lambda on an OpenVPN log group', () => {
  it('publishes the brute force, the scanner and the certificate problems, in Japan time', async () => {
    // Prepare
    const { handler, sink } = sourceHandler('openvpn');
    // Act
    await handler(payload());
    // Assess
    expect(sink.alerts.map((alert) => [alert.rule, alert.key])).toEqual([
      ['auth.bruteforce', 'openvpn:client:203.0.113.66'],
      ['auth.bruteforce', 'openvpn:user:user05'],
      ['probe.scan', 'openvpn:client:198.51.100.200'],
      ['cert.problem', 'openvpn:client:192.0.2.77'],
      ['cert.problem', 'openvpn:client:203.0.113.95'],
    ]);
    expect(new Date(sink.alerts[0]?.time ?? 0).toISOString()).toBe('2025-04-13T17:18:49.000Z');
    for (const alert of sink.alerts) expect(alert.source).toBe('openvpn');
  });

  it('publishes nothing more when CloudWatch Logs delivers the same payload again', async () => {
    const { handler, sink } = sourceHandler('openvpn');
    await handler(payload());
    const first = sink.alerts.length;
    await handler(payload());
    expect(first).toBe(5);
    expect(sink.alerts).toHaveLength(5);
  });
});
