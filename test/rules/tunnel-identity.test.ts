import { describe, expect, it } from 'vitest';
import { MAX_MEMOIZED_TUNNELS, tunnelOf } from '../../src/rules/tunnel-identity.ts';
import { s2s } from './tunnel-harness.ts';

describe('tunnelOf', () => {
  it('gives the tunnel with its state keys, the same object for the same tunnel', () => {
    const first = tunnelOf(s2s({ at: 0, vpn: 'vpn-0abc', tunnelIp: '203.0.113.10' }));
    const again = tunnelOf(s2s({ at: 1, vpn: 'vpn-0abc', tunnelIp: '203.0.113.10' }));

    expect(first).toEqual({
      vpnConnectionId: 'vpn-0abc',
      tunnelIp: '203.0.113.10',
      stateKey: 'tunnel:vpn-0abc:203.0.113.10',
      vpnStateKey: 'vpn:vpn-0abc',
    });
    expect(again).toBe(first);
  });

  it('stays correct past its memo bound', () => {
    const tunnels = Array.from({ length: MAX_MEMOIZED_TUNNELS + 10 }, (_, i) =>
      s2s({ at: 0, vpn: `vpn-${i.toString(16)}`, tunnelIp: '198.51.100.1' }),
    );

    const keys = tunnels.map((event) => tunnelOf(event)?.stateKey);

    expect(keys.at(-1)).toBe(`tunnel:vpn-${(MAX_MEMOIZED_TUNNELS + 9).toString(16)}:198.51.100.1`);
    expect(tunnelOf(tunnels[0]!)?.stateKey).toBe('tunnel:vpn-0:198.51.100.1');
  });
});
