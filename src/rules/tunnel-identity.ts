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
/**
 * The last answer, by identity: the three incident rules ask about the same
 * event in a row, and a stream's events share one fields object shape and the
 * same id strings, so most calls are answered without a Map lookup.
 */
let lastFields: VpnEvent['fields'] | undefined;
let lastFieldsTunnel: Tunnel | undefined;
let lastTunnel: Tunnel | undefined;

function tunnelFor(vpnConnectionId: string, tunnelIp: string): Tunnel {
  const last = lastTunnel;
  if (
    last !== undefined &&
    last.vpnConnectionId === vpnConnectionId &&
    last.tunnelIp === tunnelIp
  ) {
    return last;
  }
  lastTunnel = lookUp(vpnConnectionId, tunnelIp);
  return lastTunnel;
}

function lookUp(vpnConnectionId: string, tunnelIp: string): Tunnel {
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
  keyLists.set(tunnel, {
    state: Object.freeze([tunnel.stateKey]),
    vpn: Object.freeze([tunnel.vpnStateKey]),
  });
  memoized++;
  return tunnel;
}

/** Each memoised tunnel's one-key lists, built with it: what the rules' `keys` return. */
const keyLists = new WeakMap<
  Tunnel,
  { readonly state: readonly string[]; readonly vpn: readonly string[] }
>();

/** `[tunnel.stateKey]`, the same array for every event of a tunnel from `tunnelOf`. */
export function stateKeysOf(tunnel: Tunnel): readonly string[] {
  return keyLists.get(tunnel)?.state ?? [tunnel.stateKey];
}

/** `[tunnel.vpnStateKey]`, the same array for every event of a tunnel from `tunnelOf`. */
export function vpnStateKeysOf(tunnel: Tunnel): readonly string[] {
  return keyLists.get(tunnel)?.vpn ?? [tunnel.vpnStateKey];
}

/** The tunnel an event is about, or undefined when it is not an aws-s2s event naming both. */
export function tunnelOf(event: VpnEvent): Tunnel | undefined {
  if (event.source !== 'aws-s2s') return undefined;
  const fields = event.fields;
  // Fields are never changed once parsed, so the same object gives the same tunnel.
  if (fields === lastFields) return lastFieldsTunnel;
  const { vpnConnectionId, tunnelIp } = fields;
  let tunnel: Tunnel | undefined;
  if (
    typeof vpnConnectionId === 'string' &&
    vpnConnectionId !== '' &&
    typeof tunnelIp === 'string' &&
    tunnelIp !== ''
  ) {
    tunnel = tunnelFor(vpnConnectionId, tunnelIp);
  }
  lastFields = fields;
  lastFieldsTunnel = tunnel;
  return tunnel;
}
