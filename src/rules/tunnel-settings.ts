/**
 * The settings the tunnel, VPN and BGP rules read from `RulesConfig`, with
 * docs/taxonomy.md's defaults applied, in milliseconds.
 */
import type { RulesConfig, Severity } from '../model.ts';

/** Minutes a critical event may explain a later down transition (docs/taxonomy.md: 5). */
export const DEFAULT_CAUSE_LOOKBACK_MINUTES = 5;
/** Down transitions within the window that make a tunnel flap (docs/taxonomy.md: 3). */
export const DEFAULT_FLAPPING_THRESHOLD = 3;
/** Flapping window, and quiet time that ends flapping, in minutes (docs/taxonomy.md: 30). */
export const DEFAULT_FLAPPING_WINDOW_MINUTES = 30;
/** Cause alerts: quiet period per tunnel and category, in minutes (docs/taxonomy.md: 1 h). */
export const DEFAULT_CAUSE_COOLDOWN_MINUTES = 60;
/** How long a tunnel, VPN or BGP session entry is kept after its last update: 7 days in ms. */
export const STATE_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** An unchanged entry is rewritten (to push its expiry) at most this often: 1 day in ms. */
export const STATE_REFRESH_MS = 24 * 60 * 60 * 1000;

const MINUTE_MS = 60_000;

/** Resolved settings of the aws-s2s incident rules; durations in ms. */
export interface TunnelRuleSettings {
  readonly tunnelDownEnabled: boolean;
  readonly tunnelDownSeverity: Severity;
  readonly causeLookbackMs: number;
  readonly flappingEnabled: boolean;
  readonly flappingSeverity: Severity;
  readonly flappingThreshold: number;
  readonly flappingWindowMs: number;
  readonly allTunnelsDownEnabled: boolean;
  readonly allTunnelsDownSeverity: Severity;
  readonly bgpSessionDownEnabled: boolean;
  readonly bgpSessionDownSeverity: Severity;
  readonly causeEnabled: boolean;
  /** Severity of every cause alert when set; else each alert takes its category's. */
  readonly causeSeverity?: Severity;
  readonly causeCooldownMs: number;
}

const resolved = new WeakMap<RulesConfig, TunnelRuleSettings>();

/** The incident rules' settings for `config` (computed once per config object). */
export function tunnelRuleSettings(config: RulesConfig): TunnelRuleSettings {
  const cached = resolved.get(config);
  if (cached !== undefined) return cached;
  const down = config.rules['tunnel.down'];
  const flapping = config.rules['tunnel.flapping'];
  const allDown = config.rules['vpn.all_tunnels_down'];
  const bgp = config.rules['bgp.session_down'];
  const settings: TunnelRuleSettings = {
    tunnelDownEnabled: down?.enabled ?? true,
    tunnelDownSeverity: down?.severity ?? 'critical',
    causeLookbackMs: (down?.causeLookbackMinutes ?? DEFAULT_CAUSE_LOOKBACK_MINUTES) * MINUTE_MS,
    flappingEnabled: flapping?.enabled ?? true,
    flappingSeverity: flapping?.severity ?? 'critical',
    flappingThreshold: Math.max(1, flapping?.threshold ?? DEFAULT_FLAPPING_THRESHOLD),
    flappingWindowMs: (flapping?.windowMinutes ?? DEFAULT_FLAPPING_WINDOW_MINUTES) * MINUTE_MS,
    allTunnelsDownEnabled: allDown?.enabled ?? true,
    allTunnelsDownSeverity: allDown?.severity ?? 'critical',
    bgpSessionDownEnabled: bgp?.enabled ?? true,
    bgpSessionDownSeverity: bgp?.severity ?? 'critical',
    causeEnabled: config.cause.enabled,
    ...(config.cause.severity === undefined ? {} : { causeSeverity: config.cause.severity }),
    causeCooldownMs: (config.cause.cooldownMinutes ?? DEFAULT_CAUSE_COOLDOWN_MINUTES) * MINUTE_MS,
  };
  resolved.set(config, settings);
  return settings;
}
