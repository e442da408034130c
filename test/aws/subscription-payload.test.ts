import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeSubscriptionEvent,
  PoisonPayloadError,
  regionOfSubscription,
  tunnelOfStream,
} from '../../src/aws/subscription-payload.ts';
import { streamBatchOf } from '../../src/aws/subscription-processor.ts';
import { encodeAwslogs, logEventsOf, subscriptionData } from '../helpers/subscription-payload.ts';

function poisonReason(event: unknown): string {
  try {
    decodeSubscriptionEvent(event);
  } catch (error) {
    if (error instanceof PoisonPayloadError) return error.reason;
    throw error;
  }
  return 'decoded';
}

describe('decodeSubscriptionEvent', () => {
  it('decodes a real gzipped DATA_MESSAGE', () => {
    const events = logEventsOf(['{"details":"a"}', '{"details":"b"}']);
    const data = subscriptionData(events, { logGroup: '/g', logStream: 's' });

    const decoded = decodeSubscriptionEvent(encodeAwslogs(data));

    expect(decoded).toEqual(data);
  });

  it('keeps policyLevel when present', () => {
    const data = { ...subscriptionData([]), policyLevel: 'ACCOUNT_LEVEL_POLICY' };

    expect(decodeSubscriptionEvent(encodeAwslogs(data)).policyLevel).toBe('ACCOUNT_LEVEL_POLICY');
  });

  it.each([
    ['not-awslogs-event', { records: [] }],
    ['not-awslogs-event', { awslogs: { data: 42 } }],
    ['not-base64', { awslogs: { data: 'not base64!' } }],
    ['not-base64', { awslogs: { data: 'H4sI!AAA' } }],
    ['not-gzip', { awslogs: { data: Buffer.from('plain text').toString('base64') } }],
    ['not-json', encodeAwslogs(Buffer.from('{"messageType":'))],
    ['not-subscription-shape', encodeAwslogs([1, 2])],
    ['not-subscription-shape', encodeAwslogs({ ...subscriptionData([]), messageType: 'OTHER' })],
    ['not-subscription-shape', encodeAwslogs({ ...subscriptionData([]), logGroup: 7 })],
    [
      'not-subscription-shape',
      encodeAwslogs({
        ...subscriptionData([]),
        logEvents: [{ id: 'x', timestamp: '1', message: '' }],
      }),
    ],
  ])('reports %s', (reason, event) => {
    expect(poisonReason(event)).toBe(reason);
  });

  it('names the bad log event in the detail', () => {
    const event = encodeAwslogs({ ...subscriptionData(logEventsOf(['a'])), logEvents: [{}, {}] });

    expect(() => decodeSubscriptionEvent(event)).toThrow(/logEvents\[0\]/);
  });

  it('refuses a gzip bomb as too-large', () => {
    const bomb = gzipSync(Buffer.alloc(65 * 1024 * 1024, 0x20));

    expect(poisonReason({ awslogs: { data: bomb.toString('base64') } })).toBe('too-large');
  });

  it('never throws anything but PoisonPayloadError on arbitrary data', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String()), fc.jsonValue(), (data, json) => {
        for (const event of [{ awslogs: { data } }, encodeAwslogs(json)]) {
          try {
            decodeSubscriptionEvent(event);
          } catch (error) {
            expect(error).toBeInstanceOf(PoisonPayloadError);
          }
        }
      }),
    );
  });
});

describe('tunnelOfStream', () => {
  it.each([
    ['vpn-0abc1234-203.0.113.10', { vpnConnectionId: 'vpn-0abc1234', tunnelIp: '203.0.113.10' }],
    [
      'vpn-0abc1234_203.0.113.10-bgp',
      { vpnConnectionId: 'vpn-0abc1234', tunnelIp: '203.0.113.10' },
    ],
    ['openvpn-gw1', undefined],
  ])('reads %s', (stream, expected) => {
    expect(tunnelOfStream(stream)).toEqual(expected);
  });
});

describe('regionOfSubscription', () => {
  const withFilters = (subscriptionFilters: string[], policyLevel?: string) => ({
    ...subscriptionData([]),
    subscriptionFilters,
    ...(policyLevel === undefined ? {} : { policyLevel }),
  });

  it("reads the region from the source stack's filter or account policy name", () => {
    expect(regionOfSubscription(withFilters(['tunnelwatch-eu-west-1']))).toBe('eu-west-1');
    expect(regionOfSubscription(withFilters(['other', 'tunnelwatch-us-gov-west-1']))).toBe(
      'us-gov-west-1',
    );
    expect(
      regionOfSubscription(withFilters(['tunnelwatch-ap-southeast-2'], 'ACCOUNT_LEVEL_POLICY')),
    ).toBe('ap-southeast-2');
  });

  it('never guesses: no region from any other name', () => {
    for (const names of [
      [],
      ['tunnelwatch'],
      ['tunnelwatch-'],
      ['tunnelwatch-eu-west'],
      ['tunnelwatch-eu-west-1x'],
      ['tunnelwatch-EU-WEST-1'],
      ['tunnelwatch-eu-west-1\nCRITICAL'],
      ['x-tunnelwatch-eu-west-1'],
    ]) {
      expect(regionOfSubscription(withFilters(names))).toBeUndefined();
    }
  });
});

describe('streamBatchOf', () => {
  const payload = (owner: string, subscriptionFilters = ['tunnelwatch']) => ({
    ...subscriptionData(logEventsOf(['x']), { owner }),
    subscriptionFilters,
  });

  it("names another account's stream, and not the function's own account's", () => {
    expect(streamBatchOf(payload('111111111111'), [], '999999999999').account).toBe('111111111111');
    expect(streamBatchOf(payload('999999999999'), [], '999999999999')).not.toHaveProperty(
      'account',
    );
    // Own account unknown: the keys stay those of a single account.
    expect(streamBatchOf(payload('111111111111'), [])).not.toHaveProperty('account');
  });

  it('carries the region the filter name gives, and none otherwise', () => {
    const named = payload('111111111111', ['tunnelwatch-eu-central-1']);
    expect(streamBatchOf(named, [], '999999999999')).toMatchObject({
      account: '111111111111',
      region: 'eu-central-1',
    });
    expect(streamBatchOf(payload('111111111111'), [], '999999999999')).not.toHaveProperty('region');
  });
});
