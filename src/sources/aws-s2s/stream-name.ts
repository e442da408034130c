/**
 * Which tunnel a record belongs to. AWS does not put the VPN connection id or
 * the tunnel outside IP into tunnel-activity records: they are in the log
 * stream name (`vpn-0a1b2c3d4e5f67890-203.0.113.10`, separator undocumented,
 * the AWS sample splits on `-`). BGP records carry them in `resource_id`
 * with an underscore (`vpn-1234abcd_1.2.3.4`).
 */

/** The tunnel a stream name or `resource_id` names; both members absent when it names none. */
export interface TunnelIdentity {
  /** `vpn-…` as written. */
  readonly vpnConnectionId?: string;
  /** The tunnel's AWS-side outside IPv4 address, dotted quad. */
  readonly tunnelIp?: string;
}

/**
 * `vpn-<hex>`, then `-` or `_`, then an IPv4 address that is not followed by
 * more digits (so `….10.5` is not read as `….10`). Anything after it (`-bgp`,
 * `_BGP`, `.log`) and any prefix ending in a non-word character are ignored.
 */
const TUNNEL_NAME =
  /(?:^|[^0-9A-Za-z])(vpn-[0-9a-fA-F]+)[-_]((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})(?![0-9]|\.[0-9])/;

/** Reads the VPN connection id and tunnel outside IP from a log stream name or `resource_id`. */
export function parseTunnelName(name: string | undefined): TunnelIdentity {
  if (name === undefined) return {};
  const match = TUNNEL_NAME.exec(name);
  if (match === null) return {};
  return { vpnConnectionId: match[1] as string, tunnelIp: match[2] as string };
}

/** Same as `parseTunnelName`: the BGP log's `resource_id` (`vpn-1234abcd_1.2.3.4`). */
export const parseResourceId: (resourceId: string) => TunnelIdentity = parseTunnelName;
