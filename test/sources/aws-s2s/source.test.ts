import { describe, expect, it } from 'vitest';
import { awsS2sSource } from '../../../src/sources/aws-s2s/index.ts';
import { sniffSource, sourceDefinition } from '../../../src/sources/index.ts';

describe('awsS2sSource', () => {
  it('is registered for aws-s2s', () => {
    expect(sourceDefinition('aws-s2s')).toBe(awsS2sSource);
  });

  it.each([
    '{"event_timestamp": 1700000000, "details": "x", "ike_phase1_state": "up"}',
    '{"details": "AWS tunnel DPD timed out after 3 retransmits"}',
    '  {"ike_phase2_state": "Down"}',
    '{"resource_id": "vpn-1234abcd_1.2.3.4", "type": "BGPStatus", "message": {}}',
    '{"type": "RouteStatus", "status": "ADVERTISED"}',
    '2025-11-08 05:40:29 AWS tunnel DPD timed out after 3 retransmits',
  ])('recognises %s', (line) => {
    expect(awsS2sSource.sniff(line)).toBe(true);
  });

  it.each([
    '{"timestamp": "2025-01-01", "level": "info"}',
    '{"type": "Other"}',
    '{"details": "x"',
    '[{"details": "x"}]',
    'Thu Apr 25 10:57:36 2025 us=1 203.0.113.5:51234 TLS Error: TLS handshake failed',
    '2025-04-25 10:57:36.123 Connection "CID-3": No proposal chosen',
    '',
  ])('does not claim %s', (line) => {
    expect(awsS2sSource.sniff(line)).toBe(false);
  });

  it('is what --source auto picks for tunnel-log lines', () => {
    expect(sniffSource(['{"details": "", "ike_phase1_state": "Established"}'])?.source).toBe(
      'aws-s2s',
    );
  });
});
