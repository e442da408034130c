import { describe, expect, it } from 'vitest';
import { parseResourceId, parseTunnelName } from '../../../src/sources/aws-s2s/stream-name.ts';

describe('parseTunnelName', () => {
  it.each([
    ['vpn-0a1b2c3d4e5f67890-203.0.113.10', 'vpn-0a1b2c3d4e5f67890', '203.0.113.10'],
    ['vpn-0a1b2c3d4e5f67890_203.0.113.10', 'vpn-0a1b2c3d4e5f67890', '203.0.113.10'],
    ['vpn-1234abcd-198.51.100.255-bgp', 'vpn-1234abcd', '198.51.100.255'],
    ['vpn-1234abcd_198.51.100.20_BGP', 'vpn-1234abcd', '198.51.100.20'],
    ['vpn-1234abcd-198.51.100.20.log', 'vpn-1234abcd', '198.51.100.20'],
    ['tunnel-logs/vpn-1234abcd-198.51.100.20', 'vpn-1234abcd', '198.51.100.20'],
  ])('reads %s', (name, vpnConnectionId, tunnelIp) => {
    expect(parseTunnelName(name)).toEqual({ vpnConnectionId, tunnelIp });
  });

  it.each([
    ['no vpn id', '203.0.113.10'],
    ['no address', 'vpn-1234abcd'],
    ['an octet above 255', 'vpn-1234abcd-203.0.113.256'],
    ['a fifth octet', 'vpn-1234abcd-203.0.113.10.5'],
    ['a non-hex id', 'vpn-xyz-203.0.113.10'],
    ['the id glued to a word', 'myvpn-1234abcd-203.0.113.10'],
    ['an empty name', ''],
  ])('leaves both absent for %s', (_why, name) => {
    expect(parseTunnelName(name)).toEqual({});
  });

  it('leaves both absent without a name', () => {
    expect(parseTunnelName(undefined)).toEqual({});
  });

  it('reads the BGP resource_id with its underscore', () => {
    expect(parseResourceId('vpn-1234abcd_1.2.3.4')).toEqual({
      vpnConnectionId: 'vpn-1234abcd',
      tunnelIp: '1.2.3.4',
    });
  });
});
