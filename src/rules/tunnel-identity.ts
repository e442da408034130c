/**
 * Which tunnel an aws-s2s event is about (VPN connection id + outside IP),
 * with its state keys built once: the same tunnel always yields
 * the same object and the same key strings, so per-event work allocates
 * nothing and the state lookups hash no new strings.
 */
import type { VpnEvent } from '../model.ts';
import { tunnelStateKey, vpnStateKey } from './tunnel-keys.ts';

/** A tunnel's identity: the VPN connection id and the tunnel's AWS-side outside IPv4 address. */
export interface TunnelId {
  readonly vpnConnectionId: string;
  readonly tunnelIp: string;
}

/** A tunnel with the state keys the incident rules read for every event (alert keys are built when an alert is raised). */
export interface Tunnel extends TunnelId {
  /** `tunnel:<vpn>:<ip>` */
  readonly stateKey: string;
  /** `vpn:<vpn>` */
  readonly vpnStateKey: string;
}

/** Tunnels remembered before the memo starts over (bounds memory in a long-lived Lambda). */
export const MAX_MEMOIZED_TUNNELS = 50_000;

const memo = new Map<string, Map<string, Tunnel>>();
let memoized = 0;

function tunnelFor(vpnConnectionId: string, tunnelIp: string): Tunnel {
  let byIp = memo.get(vpnConnectionId);
  const known = byIp?.get(tunnelIp);
  if (known !== undefined) return known;
  if (memoized >= MAX_MEMOIZED_TUNNELS) {
    memo.clear();
    memoized = 0;
    byIp = undefined;
  }
  if (byIp === undefined) {
    byIp = new Map();
    memo.set(vpnConnectionId, byIp);
  }
  const tunnel: Tunnel = {
    vpnConnectionId,
    tunnelIp,
    stateKey: tunnelStateKey({ vpnConnectionId, tunnelIp }),
    vpnStateKey: vpnStateKey(vpnConnectionId),
  };
  byIp.set(tunnelIp, tunnel);
  memoized++;
  return tunnel;
}

/** The tunnel an event is about, or undefined when it is not an aws-s2s event naming both. */
export function tunnelOf(event: VpnEvent): Tunnel | undefined {
  if (event.source !== 'aws-s2s') return undefined;
  const { vpnConnectionId, tunnelIp } = event.fields;
  if (typeof vpnConnectionId !== 'string' || vpnConnectionId === '') return undefined;
  if (typeof tunnelIp !== 'string' || tunnelIp === '') return undefined;
  return tunnelFor(vpnConnectionId, tunnelIp);
}
