import { describe, expect, it } from 'vitest';
import { createAwsS2sParser } from '../../../src/sources/aws-s2s/parser.ts';
import { parseLine, STREAM } from './helpers.ts';

const T = Date.parse('2023-11-14T22:13:20.000Z');

const record = (fields: Record<string, unknown>): string => JSON.stringify(fields);

describe('aws-s2s record parser: tunnel-activity records', () => {
  describe('time', () => {
    it.each([
      ['epoch seconds', { event_timestamp: 1_700_000_000 }, T],
      ['epoch milliseconds', { event_timestamp: 1_700_000_000_123 }, T + 123],
      ['fractional epoch seconds', { event_timestamp: 1_700_000_000.5 }, T + 500],
      ['epoch seconds as a string', { event_timestamp: '1700000000' }, T],
      ['a readable event_timestamp', { event_timestamp: '2023-11-14 22:13:20' }, T],
      ['the readable timestamp alone', { timestamp: '2023-11-14 22:13:20.250Z' }, T + 250],
      ['an ISO timestamp with an offset', { timestamp: '2023-11-15T07:13:20+09:00' }, T],
    ])('reads %s', (_name, time, expected) => {
      // Act
      const event = parseLine(record({ ...time, details: '', ike_phase1_state: 'up' }));
      // Assess
      expect(event.time).toBe(expected);
    });

    it('prefers event_timestamp over the readable timestamp', () => {
      const event = parseLine(
        record({ event_timestamp: 1_700_000_000, timestamp: '2020-01-01 00:00:00Z', details: 'x' }),
      );
      expect(event.time).toBe(T);
    });

    it('falls back to the CloudWatch Logs timestamp, else null', () => {
      const line = record({ details: 'AWS tunnel received DELETE for IKE_SA from CGW' });
      expect(parseLine(line, { timestamp: 1234 }).time).toBe(1234);
      expect(parseLine(line).time).toBeNull();
    });

    it.each([
      ['event_timestamp', { event_timestamp: true }, /^event_timestamp: expected an epoch time/],
      ['event_timestamp', { event_timestamp: -5 }, /^event_timestamp: expected an epoch time/],
      ['timestamp', { timestamp: 'yesterday-ish' }, /^timestamp: unreadable time "yesterday-ish"/],
      ['timestamp', { timestamp: '2023-13-40 25:00:00Z' }, /^timestamp: unreadable time/],
    ])('makes a record with a bad %s malformed, naming the field', (_key, time, reason) => {
      const event = parseLine(record({ ...time, details: 'x' }));
      expect(event.category).toBe('malformed');
      expect(event.reason).toMatch(reason);
    });
  });

  describe('states and flags', () => {
    it.each([
      ['Established', 'established'],
      ['DOWN', 'down'],
      ['rekeying', 'rekeying'],
      ['Negotiating', 'negotiating'],
    ])('stores the state %s as %s', (state, expected) => {
      const event = parseLine(record({ ike_phase1_state: state, ike_phase2_state: state }));
      expect(event.fields.phase1State).toBe(expected);
      expect(event.fields.phase2State).toBe(expected);
    });

    it.each([
      [true, true],
      [false, false],
      ['True', true],
      ['False', false],
      ['true', true],
      ['FALSE', false],
    ])('reads the flag %j as %j', (flag, expected) => {
      const event = parseLine(record({ details: 'x', dpd_enabled: flag, nat_t_detected: flag }));
      expect(event.fields.dpdEnabled).toBe(expected);
      expect(event.fields.natTDetected).toBe(expected);
    });

    it('makes a record with an unreadable flag malformed, naming the field and value', () => {
      const event = parseLine(record({ details: 'x', dpd_enabled: 'maybe' }));
      expect(event.category).toBe('malformed');
      expect(event.reason).toBe('dpd_enabled: expected true or false, found "maybe"');
    });

    it('still reports the readable states of a malformed record', () => {
      const event = parseLine(
        record({ ike_phase1_state: 'Down', ike_phase2_state: 'DOWN', nat_t_detected: 7 }),
      );
      expect(event.category).toBe('malformed');
      expect(event.reason).toBe('nat_t_detected: expected true or false, found number 7');
      expect(event.fields).toEqual({
        vpnConnectionId: 'vpn-0a1b2c3d4e5f67890',
        tunnelIp: '203.0.113.10',
        phase1State: 'down',
        phase2State: 'down',
      });
    });

    it('makes a record with a non-string state malformed, naming the field', () => {
      const event = parseLine(record({ ike_phase2_state: 3 }));
      expect(event.reason).toBe('ike_phase2_state: expected a state string, found number 3');
    });

    it('extracts the states on a classified child-SA record', () => {
      const event = parseLine(
        record({
          event_timestamp: 1_700_000_000,
          details: 'AWS tunnel is sending response (id=4) for CREATE_CHILD_SA',
          ike_phase1_state: 'Established',
          ike_phase2_state: 'Rekeying',
          dpd_enabled: 'True',
          nat_t_detected: 'False',
        }),
      );
      expect(event.category).toBe('ike.child_sa');
      expect(event.fields).toEqual({
        vpnConnectionId: 'vpn-0a1b2c3d4e5f67890',
        tunnelIp: '203.0.113.10',
        phase1State: 'established',
        phase2State: 'rekeying',
        dpdEnabled: true,
        natTDetected: false,
        ikeMessageId: 4,
      });
    });

    it('extracts the states on an unclassified record', () => {
      const event = parseLine(
        record({ details: 'AWS tunnel did something new', ike_phase1_state: 'Down' }),
      );
      expect(event.category).toBe('unclassified');
      expect(event.fields.phase1State).toBe('down');
      expect(event.message).toBe('AWS tunnel did something new');
    });
  });

  describe('records without details', () => {
    it.each([
      ['empty details', { details: '' }],
      ['blank details', { details: '  ' }],
      ['no details', {}],
      ['null details', { details: null }],
    ])('with state fields and %s is tunnel.state', (_name, details) => {
      const event = parseLine(
        record({ event_timestamp: 1_700_000_000, ike_phase1_state: 'Down', ...details }),
      );
      expect(event.category).toBe('tunnel.state');
      expect(event.severity).toBe('info');
      expect(event.hint?.id).toBe('tunnel.state');
      expect(event.fields.phase1State).toBe('down');
      expect(event.fields.phase2State).toBeUndefined();
    });

    it('without state fields is unclassified', () => {
      const event = parseLine(record({ event_timestamp: 1_700_000_000, dpd_enabled: true }));
      expect(event.category).toBe('unclassified');
      expect(event.fields.dpdEnabled).toBe(true);
    });

    it('reads a record with only details (optional fields missing)', () => {
      const event = parseLine(record({ details: 'No Proposal Match Found by AWS' }));
      expect(event.category).toBe('ike.proposal_mismatch');
      expect(event.fields).toEqual({
        vpnConnectionId: 'vpn-0a1b2c3d4e5f67890',
        tunnelIp: '203.0.113.10',
      });
    });
  });

  describe('malformed lines', () => {
    it.each([
      ['truncated JSON', '{"details": "AWS tun', /^invalid JSON: /],
      ['an array', '[1, 2]', /^expected a JSON object, found an array$/],
      ['a JSON number', '42', /^expected a JSON object, found number 42$/],
      ['a JSON string', '"details"', /^expected a JSON object, found "details"$/],
      ['null', 'null', /^expected a JSON object, found null$/],
      [
        'an object of another log',
        '{"level":"info","msg":"hello"}',
        /^not a tunnel or BGP log record: none of the keys details, /,
      ],
      [
        'non-string details',
        '{"details": {"a": 1}}',
        /^details: expected a string, found an object$/,
      ],
    ])('%s is malformed with its reason', (_name, line, reason) => {
      const event = parseLine(line, { timestamp: 99 });
      expect(event.category).toBe('malformed');
      expect(event.severity).toBe('info');
      expect(event.reason).toMatch(reason);
      expect(event.raw).toBe(line);
      expect(event.time).toBe(99);
      expect(event.fields).toEqual({
        vpnConnectionId: 'vpn-0a1b2c3d4e5f67890',
        tunnelIp: '203.0.113.10',
      });
      expect(event.hint).toBeUndefined();
    });
  });
});

describe('aws-s2s record parser: BGP records', () => {
  const bgp = (fields: Record<string, unknown>): string =>
    record({
      resource_id: 'vpn-1234abcd_198.51.100.20',
      event_timestamp: 1_762_580_429_641,
      timestamp: '2025-11-08 05:40:29.641Z',
      ...fields,
    });

  it('reads a BGPStatus record: tunnel from resource_id, time in ms, status and message', () => {
    const event = parseLine(
      bgp({
        type: 'BGPStatus',
        status: 'DOWN',
        message: {
          details:
            'AWS-side peer BGP session state has changed from Established to Idle with neighbor 169.254.50.85',
        },
      }),
    );
    expect(event.category).toBe('bgp.state_change');
    expect(event.time).toBe(Date.parse('2025-11-08T05:40:29.641Z'));
    expect(event.fields).toEqual({
      vpnConnectionId: 'vpn-1234abcd',
      tunnelIp: '198.51.100.20',
      bgpRecordType: 'BGPStatus',
      bgpStatus: 'DOWN',
      bgpFromState: 'Established',
      bgpToState: 'Idle',
      bgpNeighbor: '169.254.50.85',
    });
    expect(event.message).toMatch(/^AWS-side peer BGP session state/);
  });

  it('reads an advertised route as bgp.route with its attributes', () => {
    const event = parseLine(
      bgp({
        type: 'RouteStatus',
        status: 'ADVERTISED',
        message: {
          prefix: '10.20.0.0/16',
          asPath: '65000 65010',
          localPref: 100,
          med: '0',
          weight: 0,
          nextHopIp: '169.254.50.86',
        },
      }),
    );
    expect(event.category).toBe('bgp.route');
    expect(event.hint?.id).toBe('bgp.route-status');
    expect(event.message).toBe('');
    expect(event.fields).toMatchObject({
      bgpRecordType: 'RouteStatus',
      bgpStatus: 'ADVERTISED',
      prefix: '10.20.0.0/16',
      asPath: '65000 65010',
      localPref: 100,
      med: 0,
      weight: 0,
      nextHopIp: '169.254.50.86',
    });
  });

  it('reads a denied route with its reason and attributes', () => {
    const event = parseLine(
      bgp({
        type: 'RouteStatus',
        status: 'WITHDRAWN',
        message: {
          prefix: '10.30.0.0/16',
          asPath: [64512, 65000],
          nextHopIp: '10.9.9.9',
          details: 'DENIED due to: non-connected next-hop',
        },
      }),
    );
    expect(event.category).toBe('bgp.route_denied');
    expect(event.severity).toBe('warning');
    expect(event.fields).toMatchObject({
      deniedReason: 'non-connected next-hop',
      prefix: '10.30.0.0/16',
      asPath: '64512 65000',
      nextHopIp: '10.9.9.9',
    });
  });

  it('accepts the message as a plain string', () => {
    const event = parseLine(
      bgp({
        type: 'BGPStatus',
        status: 'UP',
        message: 'AWS-side peer sent an End-of-RIB message to neighbor 169.254.50.85',
      }),
    );
    expect(event.hint?.id).toBe('bgp.end-of-rib');
  });

  it('keeps the stream tunnel when resource_id names none', () => {
    const event = parseLine(
      record({ resource_id: 'something-else', type: 'BGPStatus', message: {} }),
    );
    expect(event.fields.vpnConnectionId).toBe('vpn-0a1b2c3d4e5f67890');
    expect(event.category).toBe('unclassified');
  });

  it.each([
    ['message', { message: 7 }, 'message: expected an object or a string, found number 7'],
    [
      'message.localPref',
      { message: { localPref: 'high' } },
      'message.localPref: expected a number, found "high"',
    ],
    [
      'message.med (400 digits, Infinity as a number)',
      { message: { med: '9'.repeat(400) } },
      `message.med: expected a number, found "${'9'.repeat(40)}…"`,
    ],
    [
      'message.details',
      { message: { details: 5 } },
      'message.details: expected a string, found number 5',
    ],
    ['resource_id', { resource_id: 12 }, 'resource_id: expected a string, found number 12'],
  ])('makes a BGP record with a bad %s malformed, naming it', (_key, fields, reason) => {
    const event = parseLine(bgp({ type: 'RouteStatus', ...fields }));
    expect(event.category).toBe('malformed');
    expect(event.reason).toBe(reason);
  });
});

describe('aws-s2s record parser: text output format', () => {
  it('classifies a text line by the catalog, with its fields and leading time', () => {
    const line =
      '2025-11-08 05:40:29.641 AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.7';
    const event = parseLine(line);
    expect(event.category).toBe('ike.psk_mismatch');
    expect(event.time).toBe(Date.parse('2025-11-08T05:40:29.641Z'));
    expect(event.fields.cgw).toBe('198.51.100.7');
    expect(event.fields.vpnConnectionId).toBe('vpn-0a1b2c3d4e5f67890');
    expect(event.message).toBe(line);
  });

  it('leaves an unknown text line unclassified, not malformed', () => {
    const event = parseLine('tunnel is happy today', { timestamp: 5 });
    expect(event.category).toBe('unclassified');
    expect(event.time).toBe(5);
  });
});

describe('aws-s2s record parser: identity', () => {
  it('uses the CloudWatch Logs event id when given', () => {
    const parser = createAwsS2sParser({ stream: STREAM });
    const event = parser.parse('{}', { eventId: '3719', origin: { stream: STREAM } });
    expect(event.id).toBe('3719');
  });

  it('builds file:stream:line otherwise, filling the stream from the parser', () => {
    const parser = createAwsS2sParser({ stream: STREAM });
    const event = parser.parse('x', { origin: { file: 'a.log', line: 7 } });
    expect(event.id).toBe(`a.log:${STREAM}:7`);
    expect(event.origin).toEqual({ file: 'a.log', line: 7, stream: STREAM });
    expect(event.source).toBe('aws-s2s');
  });

  it('uses the log group when there is no file', () => {
    const parser = createAwsS2sParser({});
    const event = parser.parse('x', { origin: { logGroup: '/vpn', stream: 'other', line: 2 } });
    expect(event.id).toBe('/vpn:other:2');
    expect(event.fields.vpnConnectionId).toBeUndefined();
    expect(event.fields.tunnelIp).toBeUndefined();
  });

  it('keeps the whole line as raw evidence', () => {
    const line = '  {"details": "No proposal chosen"}  ';
    expect(parseLine(line).raw).toBe(line);
  });
});
