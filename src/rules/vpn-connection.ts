/**
 * `vpn.all_tunnels_down` (docs/taxonomy.md): opens when at least two tunnels of one
 * VPN connection are known and all of them are down; resolves when any is up.
 *
 * A tunnel is "known" once a record with state fields gave it a phase. The
 * state lives under the VPN connection (`vpn:<vpn>`, `VpnConnectionState`),
 * so the streams of both tunnels update the same key. It expires 7 days after
 * its last update; a tunnel not heard of for 7 days is forgotten. Measured
 * size (JSON.stringify, test/rules/tunnel-state-size.test.ts): 137 bytes
 * for two tunnels, about 380 bytes while the alert is open.
 */
import type { VpnEvent } from '../model.ts';
import { type CauseExplanation, explainCause, ownStateCategory } from './cause.ts';
import { formatDuration } from './duration.ts';
import { evidenceLine } from './incident.ts';
import type { Rule, RuleContext } from './rule.ts';
import type { Tunnel } from './tunnel-identity.ts';
import * as identity from './tunnel-identity.ts';
import { vpnAlertKey } from './tunnel-keys.ts';
import type { TunnelPhase } from './tunnel-phase.ts';
import * as tunnelPhase from './tunnel-phase.ts';
import * as tunnelSettings from './tunnel-settings.ts';

// The names used for every event, bound once (see src/rules/tunnel.ts).
const { vpnStateKeysOf, tunnelOf } = identity;
const { observedTunnelPhase } = tunnelPhase;
const { STATE_REFRESH_MS, STATE_RETENTION_MS, tunnelRuleSettings } = tunnelSettings;

/** Most tunnels remembered per VPN connection (AWS gives each two; replaced tunnels age out). */
export const MAX_TUNNELS_PER_VPN = 8;

/** One tunnel's phase as the VPN connection's state remembers it. */
export interface KnownTunnel {
  readonly phase: TunnelPhase;
  /** Time of the record that set the phase, epoch ms. */
  readonly at: number;
}

/** State of one VPN connection (key `vpn:<vpn>`), plain JSON. */
export interface VpnConnectionState {
  /** Outside IP → phase. */
  readonly tunnels: Readonly<Record<string, KnownTunnel>>;
  /** The open `vpn.all_tunnels_down` alert. */
  readonly open?: { readonly openedAt: number; readonly explanation: CauseExplanation };
  /** Time of the event that last wrote the entry, epoch ms. */
  readonly updatedAt: number;
}

const NO_KEYS: readonly string[] = Object.freeze([]);

function relevant(event: VpnEvent): Tunnel | undefined {
  const tunnel = tunnelOf(event);
  if (tunnel === undefined || observedTunnelPhase(event.fields) === undefined) return undefined;
  return tunnel;
}

function knownTunnels(
  tunnels: Readonly<Record<string, KnownTunnel>>,
  time: number,
): Record<string, KnownTunnel> {
  const entries = Object.entries(tunnels)
    .filter(([, known]) => time - known.at < STATE_RETENTION_MS)
    .sort(([, a], [, b]) => b.at - a.at)
    .slice(0, MAX_TUNNELS_PER_VPN);
  return Object.fromEntries(entries);
}

function applyToVpn(event: VpnEvent, tunnel: Tunnel, context: RuleContext): void {
  const phase = observedTunnelPhase(event.fields);
  if (phase === undefined) return;
  const key = tunnel.vpnStateKey;
  const previous = context.state.get<VpnConnectionState>(key);
  const time = event.time ?? previous?.updatedAt ?? 0;
  const known = previous?.tunnels[tunnel.tunnelIp];
  const stale = previous === undefined || time - previous.updatedAt >= STATE_REFRESH_MS;
  if (known?.phase === phase && !stale) return;
  const settings = tunnelRuleSettings(context.config);

  const tunnels = knownTunnels(
    { ...previous?.tunnels, [tunnel.tunnelIp]: { phase, at: time } },
    time,
  );
  const phases = Object.values(tunnels);
  const allDown = phases.length >= 2 && phases.every((t) => t.phase === 'down');
  const anyUp = phases.some((t) => t.phase === 'up');
  let open = previous?.open;
  const name = `all ${phases.length} tunnels of ${tunnel.vpnConnectionId}`;
  const base = {
    source: 'aws-s2s',
    key: vpnAlertKey(tunnel.vpnConnectionId),
    event,
    evidence: [evidenceLine(event.raw)],
    about: { vpnConnectionId: tunnel.vpnConnectionId },
  } as const;

  if (open === undefined && allDown) {
    const explanation = explainCause(ownStateCategory(event), event);
    open = { openedAt: time, explanation };
    if (settings.allTunnelsDownEnabled) {
      context.emit({
        ...base,
        rule: 'vpn.all_tunnels_down',
        status: 'opened',
        category: explanation.category,
        severity: settings.allTunnelsDownSeverity,
        summary: `All ${phases.length} tunnels of ${tunnel.vpnConnectionId} are down: the VPN connection carries no traffic (last: tunnel ${tunnel.tunnelIp}, ${explanation.cause}).`,
        cause: explanation.cause,
        remediation: explanation.remediation,
        ...(explanation.docUrl === undefined ? {} : { docUrl: explanation.docUrl }),
      });
    }
  } else if (open !== undefined && anyUp) {
    const explanation = open.explanation;
    if (settings.allTunnelsDownEnabled) {
      context.emit({
        ...base,
        rule: 'vpn.all_tunnels_down',
        status: 'resolved',
        category: explanation.category,
        severity: settings.allTunnelsDownSeverity,
        summary: `Tunnel ${tunnel.tunnelIp} of ${tunnel.vpnConnectionId} is up again; ${name} had been down for ${formatDuration(time - open.openedAt)}.`,
        cause: explanation.cause,
        remediation: explanation.remediation,
        ...(explanation.docUrl === undefined ? {} : { docUrl: explanation.docUrl }),
      });
    }
    open = undefined;
  }

  const state: VpnConnectionState = {
    tunnels,
    ...(open === undefined ? {} : { open }),
    updatedAt: time,
  };
  context.state.set(key, state, time + STATE_RETENTION_MS);
}

/** `vpn.all_tunnels_down`: reads and writes `vpn:<vpn>` for records with state fields. */
export const allTunnelsDownRule: Rule = {
  id: 'aws-s2s.vpn',
  keys(event) {
    const tunnel = relevant(event);
    if (tunnel === undefined) return NO_KEYS;
    return vpnStateKeysOf(tunnel);
  },
  apply(event, context) {
    const tunnel = relevant(event);
    if (tunnel !== undefined) applyToVpn(event, tunnel, context);
  },
};
