/**
 * State keys and alert dedup keys of the aws-s2s incident rules. State keys
 * name what the state is about; alert keys are the public dedup keys of
 * docs/taxonomy.md (`aws-s2s:tunnel:<vpn>:<ip>` …).
 */
import type { Category } from '../model.ts';
import type { TunnelId } from './tunnel-identity.ts';

/** State of one tunnel: phase, down transitions, open incident, cause cooldowns. */
export function tunnelStateKey(tunnel: TunnelId): string {
  return `tunnel:${tunnel.vpnConnectionId}:${tunnel.tunnelIp}`;
}

/** State of one VPN connection: the phase of each of its tunnels. */
export function vpnStateKey(vpnConnectionId: string): string {
  return `vpn:${vpnConnectionId}`;
}

/** State of one BGP session: a tunnel and a neighbor address. */
export function bgpStateKey(tunnel: TunnelId, neighbor: string): string {
  return `bgp:${tunnel.vpnConnectionId}:${tunnel.tunnelIp}:${neighbor}`;
}

/** Dedup key of `tunnel.down` and `tunnel.flapping`. */
export function tunnelAlertKey(tunnel: TunnelId): string {
  return `aws-s2s:tunnel:${tunnel.vpnConnectionId}:${tunnel.tunnelIp}`;
}

/** Dedup key of `vpn.all_tunnels_down`. */
export function vpnAlertKey(vpnConnectionId: string): string {
  return `aws-s2s:vpn:${vpnConnectionId}`;
}

/** Dedup key of `bgp.session_down`. */
export function bgpAlertKey(tunnel: TunnelId, neighbor: string): string {
  return `aws-s2s:bgp:${tunnel.vpnConnectionId}:${tunnel.tunnelIp}:${neighbor}`;
}

/** Dedup key of a cause alert (rule id = category) on one tunnel. */
export function causeAlertKey(tunnel: TunnelId, category: Category): string {
  return `aws-s2s:cause:${tunnel.vpnConnectionId}:${tunnel.tunnelIp}:${category}`;
}
