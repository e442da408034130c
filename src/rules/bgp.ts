/**
 * `bgp.session_down` (docs/taxonomy.md): opens when a BGP session (tunnel +
 * neighbor) leaves Established, resolves when it returns. A session's
 * Established-ness comes from `bgp.state_change` records (`bgpFromState` →
 * `bgpToState`) and from BGPStatus records with a neighbor (`UP` means
 * Established, `DOWN` means not). The alert's category is the record's own
 * when it is a warning or critical BGP event (notification, prefix limit),
 * else the latest such event on the session within the cause lookback, else
 * `bgp.state_change`.
 *
 * The cause alerts `bgp.prefix_limit`, `bgp.notification` and
 * `bgp.route_denied` are raised per tunnel by the tunnel rule (./tunnel.ts),
 * like every other cause alert.
 *
 * State, key `bgp:<vpn>:<ip>:<neighbor>` (`BgpSessionState`), expires 7 days
 * after its last update. Measured size (JSON.stringify,
 * test/rules/tunnel-state-size.test.ts): 46 bytes for an Established
 * session, about 1 KB with a remembered cause and an open alert.
 */
import type { Category, VpnEvent } from '../model.ts';
import { type CauseExplanation, causeSeverity, explainCause } from './cause.ts';
import { formatDuration } from './duration.ts';
import { evidenceLine } from './incident.ts';
import type { Rule, RuleContext } from './rule.ts';
import type { TunnelId } from './tunnel-identity.ts';
import * as identity from './tunnel-identity.ts';
import { bgpAlertKey, bgpStateKey } from './tunnel-keys.ts';
import { STATE_REFRESH_MS, STATE_RETENTION_MS, tunnelRuleSettings } from './tunnel-settings.ts';

// Bound once (see src/rules/tunnel.ts): `sessionOf` runs for every event.
const { tunnelOf } = identity;

/** A warning or critical BGP event remembered to explain a session that goes down shortly after. */
export interface BgpCause {
  /** Event time, epoch ms. */
  readonly time: number;
  readonly explanation: CauseExplanation;
  readonly raw: string;
}

/** State of one BGP session (key `bgp:<vpn>:<ip>:<neighbor>`), plain JSON. */
export interface BgpSessionState {
  /** Whether the session is Established; absent until a record tells. */
  readonly established?: boolean;
  /** The open `bgp.session_down` alert. */
  readonly open?: {
    readonly openedAt: number;
    readonly explanation: CauseExplanation;
    readonly evidence: readonly string[];
  };
  readonly lastCause?: BgpCause;
  /** Time of the event that last wrote the entry, epoch ms. */
  readonly updatedAt: number;
}

/** BGP categories that can explain a session going down. */
const SESSION_CAUSES: ReadonlySet<Category> = new Set<Category>([
  'bgp.notification',
  'bgp.prefix_limit',
]);

/** Meaning of a BGPStatus record's `status` for the session. */
const STATUS_ESTABLISHED: Readonly<Record<string, boolean>> = { UP: true, DOWN: false };

interface BgpSession {
  readonly tunnel: TunnelId;
  readonly neighbor: string;
}

function sessionOf(event: VpnEvent): BgpSession | undefined {
  if (!event.category.startsWith('bgp.')) return undefined;
  const neighbor = event.fields.bgpNeighbor;
  if (typeof neighbor !== 'string' || neighbor === '') return undefined;
  const tunnel = tunnelOf(event);
  return tunnel === undefined ? undefined : { tunnel, neighbor };
}

/** What a record says about the session: established or not, and whether it was established before. */
function sessionSignal(
  event: VpnEvent,
): { readonly established: boolean; readonly wasEstablished: boolean } | undefined {
  const { bgpFromState, bgpToState, bgpStatus } = event.fields;
  if (typeof bgpToState === 'string') {
    return {
      established: bgpToState.toLowerCase() === 'established',
      wasEstablished:
        typeof bgpFromState === 'string' && bgpFromState.toLowerCase() === 'established',
    };
  }
  if (typeof bgpStatus !== 'string') return undefined;
  const established = STATUS_ESTABLISHED[bgpStatus.toUpperCase()];
  return established === undefined ? undefined : { established, wasEstablished: false };
}

function applyToSession(event: VpnEvent, session: BgpSession, context: RuleContext): void {
  const key = bgpStateKey(session.tunnel, session.neighbor);
  const previous = context.state.get<BgpSessionState>(key);
  const time = event.time ?? previous?.updatedAt ?? 0;
  const settings = tunnelRuleSettings(context.config);
  const severity = causeSeverity(event, context.config);
  const isCause = SESSION_CAUSES.has(event.category) && severity !== 'info';
  const signal = sessionSignal(event);

  let changed = false;
  let lastCause = previous?.lastCause;
  let open = previous?.open;
  let established = previous?.established;
  const base = {
    rule: 'bgp.session_down',
    severity: settings.bgpSessionDownSeverity,
    source: 'aws-s2s',
    key: bgpAlertKey(session.tunnel, session.neighbor),
    event,
    about: {
      vpnConnectionId: session.tunnel.vpnConnectionId,
      tunnelIp: session.tunnel.tunnelIp,
      bgpNeighbor: session.neighbor,
    },
  } as const;
  const name = `BGP session with ${session.neighbor} on tunnel ${session.tunnel.tunnelIp} of ${session.tunnel.vpnConnectionId}`;

  if (signal !== undefined) {
    const wasEstablished = established === true || signal.wasEstablished;
    if (!signal.established && wasEstablished && open === undefined) {
      const explanation = sessionDownExplanation(
        event,
        isCause,
        lastCause,
        time,
        settings.causeLookbackMs,
      );
      const evidence = [
        ...(explanation.raw === undefined ? [] : [explanation.raw]),
        evidenceLine(event.raw),
      ];
      open = { openedAt: time, explanation: explanation.explanation, evidence };
      if (settings.bgpSessionDownEnabled) {
        context.emit({
          ...base,
          status: 'opened',
          category: explanation.explanation.category,
          summary: `${name} left Established: ${explanation.explanation.cause}.`,
          cause: explanation.explanation.cause,
          evidence,
          remediation: explanation.explanation.remediation,
          ...docUrlOf(explanation.explanation),
        });
      }
    } else if (signal.established && open !== undefined) {
      if (settings.bgpSessionDownEnabled) {
        context.emit({
          ...base,
          status: 'resolved',
          category: open.explanation.category,
          summary: `${name} is Established again after ${formatDuration(time - open.openedAt)} (it went down: ${open.explanation.cause}).`,
          cause: open.explanation.cause,
          evidence: [...open.evidence, evidenceLine(event.raw)],
          remediation: open.explanation.remediation,
          ...docUrlOf(open.explanation),
        });
      }
      open = undefined;
    }
    if (established !== signal.established || open !== previous?.open) changed = true;
    established = signal.established;
  }
  if (isCause) {
    lastCause = {
      time,
      explanation: explainCause(event.category, event),
      raw: evidenceLine(event.raw),
    };
    changed = true;
  }

  const stale = previous === undefined || time - previous.updatedAt >= STATE_REFRESH_MS;
  if (!changed && !stale) return;
  const state: BgpSessionState = {
    ...(established === undefined ? {} : { established }),
    ...(open === undefined ? {} : { open }),
    ...(lastCause === undefined || time - lastCause.time > settings.causeLookbackMs
      ? {}
      : { lastCause }),
    updatedAt: time,
  };
  context.state.set(key, state, time + STATE_RETENTION_MS);
}

function sessionDownExplanation(
  event: VpnEvent,
  isCause: boolean,
  lastCause: BgpCause | undefined,
  time: number,
  lookbackMs: number,
): { readonly explanation: CauseExplanation; readonly raw?: string } {
  if (isCause) return { explanation: explainCause(event.category, event) };
  if (lastCause !== undefined && lastCause.time <= time && time - lastCause.time <= lookbackMs) {
    return { explanation: lastCause.explanation, raw: lastCause.raw };
  }
  return { explanation: explainCause('bgp.state_change', event) };
}

function docUrlOf(explanation: CauseExplanation): { readonly docUrl?: string } {
  return explanation.docUrl === undefined ? {} : { docUrl: explanation.docUrl };
}

const NO_KEYS: readonly string[] = Object.freeze([]);

/** `bgp.session_down` per tunnel and neighbor; reads and writes `bgp:<vpn>:<ip>:<neighbor>`. */
export const bgpSessionRule: Rule = {
  id: 'aws-s2s.bgp',
  keys(event) {
    const session = sessionOf(event);
    return session === undefined ? NO_KEYS : [bgpStateKey(session.tunnel, session.neighbor)];
  },
  apply(event, context) {
    const session = sessionOf(event);
    if (session !== undefined) applyToSession(event, session, context);
  },
};
