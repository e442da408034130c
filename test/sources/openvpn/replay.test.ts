import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.ts';

const SAMPLE = 'samples/openvpn/vpngw-2025-04-14.log';

interface PrintedAlert {
  readonly rule: string;
  readonly status: string;
  readonly category: string;
  readonly source: string;
  readonly key: string;
  readonly time: string;
  readonly evidence: readonly string[];
}

describe('tunnelwatch replay --source openvpn on the gateway sample', () => {
  it('shows the brute force, the distributed guessing, the scanner and the certificate problems', async () => {
    // Act
    const { code, stdout, stderr } = await runCli([
      'replay',
      '--source',
      'openvpn',
      '--tz',
      'Asia/Tokyo',
      '--json',
      SAMPLE,
    ]);
    // Assess
    expect(stderr).toEqual([]);
    expect(code).toBe(0);
    const alerts = stdout
      .filter((line) => line !== '' && !line.startsWith('{"summary"'))
      .map((line) => JSON.parse(line) as PrintedAlert);
    expect(alerts.map((alert) => [alert.rule, alert.category, alert.key])).toEqual([
      ['auth.bruteforce', 'auth.failed', 'openvpn:client:203.0.113.66'],
      ['auth.bruteforce', 'auth.failed', 'openvpn:user:user05'],
      ['probe.scan', 'probe.bad_packet', 'openvpn:client:198.51.100.200'],
      ['cert.problem', 'cert.key_usage', 'openvpn:client:192.0.2.77'],
      ['cert.problem', 'cert.missing', 'openvpn:client:203.0.113.95'],
    ]);
    for (const alert of alerts) {
      expect(alert.source).toBe('openvpn');
      expect(alert.status).toBe('opened');
      expect(alert.evidence.length).toBeGreaterThan(0);
    }
    // The gateway writes Japan time: 02:18:49 JST is 17:18:49 UTC the day before.
    expect(alerts[0]?.time).toBe('2025-04-13T17:18:49.000Z');
  });

  it('finds the same alerts with --source auto', async () => {
    const { code, stdout } = await runCli(['replay', '--tz', 'Asia/Tokyo', '--json', SAMPLE]);
    expect(code).toBe(0);
    const rules = stdout
      .filter((line) => line !== '' && !line.startsWith('{"summary"'))
      .map((line) => (JSON.parse(line) as PrintedAlert).rule);
    expect(rules).toEqual([
      'auth.bruteforce',
      'auth.bruteforce',
      'probe.scan',
      'cert.problem',
      'cert.problem',
    ]);
  });
});
