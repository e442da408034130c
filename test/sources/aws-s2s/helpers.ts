import type { VpnEvent } from '../../../src/model.ts';
import { createAwsS2sParser } from '../../../src/sources/aws-s2s/parser.ts';

/** A stream name with a VPN id and tunnel IP, as AWS names tunnel-log streams. */
export const STREAM = 'vpn-0a1b2c3d4e5f67890-203.0.113.10';

/** Parses one line as line 1 of `STREAM`. */
export function parseLine(line: string, context: { timestamp?: number } = {}): VpnEvent {
  return createAwsS2sParser({ stream: STREAM }).parse(line, {
    origin: { stream: STREAM, file: 'test.log', line: 1 },
    ...context,
  });
}

/** Parses a tunnel-activity record whose `details` is `details`. */
export function parseDetails(details: string): VpnEvent {
  return parseLine(JSON.stringify({ event_timestamp: 1_700_000_000, details }));
}

/** Parses a BGP status record whose `message.details` is `details`. */
export function parseBgpDetails(details: string): VpnEvent {
  return parseLine(
    JSON.stringify({
      resource_id: 'vpn-1234abcd_198.51.100.20',
      event_timestamp: 1_762_580_429_641,
      timestamp: '2025-11-08 05:40:29.641Z',
      type: 'BGPStatus',
      status: 'DOWN',
      message: { details },
    }),
  );
}

/** The fields an event got from its message (without the stream's and record's fields). */
export function messageFields(event: VpnEvent): Record<string, unknown> {
  const {
    vpnConnectionId: _v,
    tunnelIp: _t,
    bgpRecordType: _r,
    bgpStatus: _s,
    ...rest
  } = event.fields;
  return rest;
}
