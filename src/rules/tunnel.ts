/**
 * Tunnel incidents of AWS Site-to-Site VPN (docs/taxonomy.md, "Tunnel incidents
 * (aws-s2s)"): `tunnel.down`, `tunnel.flapping` and the cause alerts (rule id
 * = category) of one tunnel, kept in one rule over one state key so that a
 * cause alert always sees the incident its own record opened or closed.
 *
 * State, key `tunnel:<vpn>:<ip>` (`TunnelState`, plain JSON), expires 7 days
 * after its last update (or when its last cause cooldown ends, if later).
 * Measured size (JSON.stringify, test/rules/tunnel-state-size.test.ts and
 * docs/rules-tunnel.md): 40 bytes for a healthy tunnel, about 470 bytes with
 * a cause cooldown and a remembered critical event, about 1 KB with an open
 * incident, about 1.9 KB when its evidence list is full of real AWS lines, and
 * at most about 5 KB (6 evidence lines cut at 600 characters).
 */
import type { AlertStatus, AwsS2sCategory, Category, Severity, VpnEvent } from '../model.ts';
import { bgpSessionRule } from './bgp.ts';
import type { CauseExplanation } from './cause.ts';
import * as cause from './cause.ts';
import { formatDuration } from './duration.ts';
import { evidenceLine, type Incident, openIncident, withEvidence } from './incident.ts';
import { journaled } from './journal.ts';
import type { AlertDraft, Rule, RuleContext } from './rule.ts';
import { sentenceStart } from './sentence.ts';
import type { Tunnel } from './tunnel-identity.ts';
import * as identity from './tunnel-identity.ts';
import { causeAlertKey, tunnelAlertKey } from './tunnel-keys.ts';
import type { TunnelPhase } from './tunnel-phase.ts';
import * as tunnelPhase from './tunnel-phase.ts';
import type { TunnelRuleSettings } from './tunnel-settings.ts';
import * as tunnelSettings from './tunnel-settings.ts';
import { allTunnelsDownRule } from './vpn-connection.ts';

// The names used for every event, bound once: when the code runs through a
// CommonJS transform (tsx, vitest), each use of an imported name is a
// property getter call (see src/sources/aws-s2s/parser.ts).
const { causeSeverity, explainCause, isAwsS2sCategory, ownStateCategory } = cause;
const { stateKeysOf, tunnelOf } = identity;
const { observedTunnelPhase } = tunnelPhase;
const { STATE_REFRESH_MS, STATE_RETENTION_MS, tunnelRuleSettings } = tunnelSettings;

/** The latest critical event on a tunnel, remembered to explain a down transition shortly after. */
export interface CriticalEvent {
  /** Event time, epoch ms. */
  readonly time: number;
  readonly explanation: CauseExplanation;
  /** Its raw line (cut to the evidence line length). */
  readonly raw: string;
}

/** State of one tunnel (key `tunnel:<vpn>:<ip>`), plain JSON; absent members mean "none". */
export interface TunnelState {
  /** Phase from the latest record with state fields; absent until one is seen. */
  readonly phase?: TunnelPhase;
  /** Time of the event that last wrote this entry, epoch ms. */
  readonly updatedAt: number;
  /** Time of the last up or down transition, epoch ms. */
  readonly lastTransitionAt?: number;
  /** Times of the down transitions within the flapping window, oldest first (at most the threshold). */
  readonly downTransitions?: readonly number[];
  readonly lastCritical?: CriticalEvent;
  /** The open `tunnel.down` or `tunnel.flapping` incident. */
  readonly incident?: Incident;
  /** Cause alert cooldowns: category → end of the quiet period, epoch ms. */
  readonly cooldowns?: Readonly<Partial<Record<Category, number>>>;
}

/** Why a tunnel went down and the raw lines that show it. */
interface DownCause {
  readonly explanation: CauseExplanation;
  readonly evidence: readonly string[];
}

interface WorkingState {
  phase: TunnelPhase | undefined;
  lastTransitionAt: number | undefined;
  downTransitions: readonly number[];
  lastCritical: CriticalEvent | undefined;
  incident: Incident | undefined;
  cooldowns: Readonly<Partial<Record<Category, number>>>;
}

/** What one event does to a tunnel, with the alerts it raises. */
class TunnelStep {
  private changed = false;
  private rawInIncident = false;
  private readonly work: WorkingState;
  private readonly settings: TunnelRuleSettings;
  private readonly severity: Severity;
  private readonly critical: boolean;

  constructor(
    private readonly tunnel: Tunnel,
    private readonly event: VpnEvent,
    private readonly context: RuleContext,
    private readonly previous: TunnelState | undefined,
    private readonly time: number,
  ) {
    this.settings = tunnelRuleSettings(context.config);
    this.severity = causeSeverity(event, context.config);
    this.critical = isAwsS2sCategory(event.category) && this.severity === 'critical';
    this.work = {
      phase: previous?.phase,
      lastTransitionAt: previous?.lastTransitionAt,
      downTransitions: previous?.downTransitions ?? [],
      lastCritical: previous?.lastCritical,
      incident: previous?.incident,
      cooldowns: previous?.cooldowns ?? {},
    };
  }

  run(): void {
    const flappingEnded = this.endFlappingWhenQuiet();
    this.applyPhase(flappingEnded);
    this.raiseCauseAlert();
    if (this.critical) {
      this.work.lastCritical = {
        time: this.time,
        explanation: explainCause(this.event.category, this.event),
        raw: evidenceLine(this.event.raw),
      };
      this.changed = true;
    }
    this.save();
  }

  /** `tunnel.flapping` resolves on the first record at least one window after the last transition. */
  private endFlappingWhenQuiet(): boolean {
    const incident = this.work.incident;
    if (incident?.rule !== 'tunnel.flapping') return false;
    const quietSince = this.work.lastTransitionAt ?? incident.openedAt;
    if (this.time - quietSince < this.settings.flappingWindowMs) return false;
    const phase = observedTunnelPhase(this.event.fields) ?? this.work.phase;
    this.emit({
      rule: 'tunnel.flapping',
      status: 'resolved',
      severity: this.settings.flappingSeverity,
      key: tunnelAlertKey(this.tunnel),
      explanation: incident.explanation,
      summary: `${this.tunnelName()} has had no up/down transition for ${formatDuration(this.time - quietSince)}; it is ${phase ?? 'in an unknown state'} now.`,
      evidence: [...incident.evidence, evidenceLine(this.event.raw)],
    });
    this.work.incident = undefined;
    this.changed = true;
    return true;
  }

  private applyPhase(flappingEnded: boolean): void {
    const observed = observedTunnelPhase(this.event.fields);
    const before = this.work.phase;
    const wentDown = observed === 'down' && before !== 'down';
    const cameUp = observed === 'up' && before === 'down';
    if (observed !== undefined && observed !== before) {
      this.work.phase = observed;
      this.changed = true;
    }
    if (wentDown) this.recordDownTransition();
    if (wentDown || cameUp) this.work.lastTransitionAt = this.time;

    const incident = this.work.incident;
    if (incident?.rule === 'tunnel.flapping') {
      if (wentDown || cameUp) {
        this.foldIntoIncident();
        this.context.suppressed('tunnel.down', 'folded');
      }
      return;
    }
    if (wentDown) {
      if (
        this.settings.flappingEnabled &&
        this.work.downTransitions.length >= this.settings.flappingThreshold
      ) {
        this.openFlapping();
      } else {
        this.openTunnelDown(this.downExplanation(ownStateCategory(this.event)));
      }
    } else if (cameUp && incident?.rule === 'tunnel.down') {
      this.resolveTunnelDown(incident);
    } else if (flappingEnded && this.work.phase === 'down') {
      const ownCategory = observed === 'down' ? ownStateCategory(this.event) : 'tunnel.state';
      this.openTunnelDown(this.downExplanation(ownCategory));
    }
  }

  private recordDownTransition(): void {
    const since = this.time - this.settings.flappingWindowMs;
    const kept = this.work.downTransitions.filter((at) => at > since);
    kept.push(this.time);
    this.work.downTransitions = kept.slice(-this.settings.flappingThreshold);
  }

  /**
   * The cause of a down transition: the record's critical category, else the
   * latest critical event within the lookback, else `ownCategory`.
   */
  private downExplanation(ownCategory: Category): DownCause {
    if (this.critical) {
      return {
        explanation: explainCause(this.event.category, this.event),
        evidence: [this.event.raw],
      };
    }
    const recent = this.work.lastCritical;
    if (
      recent !== undefined &&
      recent.time <= this.time &&
      this.time - recent.time <= this.settings.causeLookbackMs
    ) {
      return { explanation: recent.explanation, evidence: [recent.raw, this.event.raw] };
    }
    return { explanation: explainCause(ownCategory, this.event), evidence: [this.event.raw] };
  }

  /**
   * Opens `rule`'s incident on this event with `cause`: it becomes the
   * tunnel's incident, and this event's raw line counts as already in it.
   */
  private startIncident(rule: Incident['rule'], cause: DownCause): Incident {
    const incident = openIncident(
      rule,
      this.time,
      this.event.id,
      cause.explanation,
      cause.evidence,
    );
    this.work.incident = incident;
    this.rawInIncident = true;
    this.changed = true;
    return incident;
  }

  private openTunnelDown(cause: DownCause): void {
    if (!this.settings.tunnelDownEnabled) return;
    const incident = this.startIncident('tunnel.down', cause);
    this.emit({
      rule: 'tunnel.down',
      status: 'opened',
      severity: this.settings.tunnelDownSeverity,
      key: tunnelAlertKey(this.tunnel),
      explanation: cause.explanation,
      summary: `${this.tunnelName()} is down: ${cause.explanation.cause}.`,
      evidence: incident.evidence,
    });
  }

  private resolveTunnelDown(incident: Incident): void {
    const evidence = withEvidence(incident.evidence, this.event.raw);
    this.work.incident = undefined;
    this.changed = true;
    this.emit({
      rule: 'tunnel.down',
      status: 'resolved',
      severity: this.settings.tunnelDownSeverity,
      key: tunnelAlertKey(this.tunnel),
      explanation: incident.explanation,
      summary: `${this.tunnelName()} is up again after ${formatDuration(this.time - incident.openedAt)} (it went down: ${incident.explanation.cause}).`,
      evidence,
    });
  }

  private openFlapping(): void {
    const cause = this.downExplanation(ownStateCategory(this.event));
    const incident = this.startIncident('tunnel.flapping', cause);
    const windowText = formatDuration(this.settings.flappingWindowMs);
    this.emit({
      rule: 'tunnel.flapping',
      status: 'opened',
      severity: this.settings.flappingSeverity,
      key: tunnelAlertKey(this.tunnel),
      explanation: cause.explanation,
      summary: `${this.tunnelName()} went down ${this.work.downTransitions.length} times within ${windowText} (latest: ${cause.explanation.cause}); down/up alerts are held back until it has been stable for ${windowText}.`,
      evidence: incident.evidence,
    });
  }

  /**
   * Cause alerts: outside an incident once per cooldown per category; during
   * one, a critical category not yet reported opens once, the rest is folded.
   */
  private raiseCauseAlert(): void {
    const category = this.event.category;
    if (!this.settings.causeEnabled || !isAwsS2sCategory(category)) return;
    if (this.severity !== 'critical' && this.severity !== 'warning') return;
    const incident = this.work.incident;
    if (incident !== undefined) {
      if (this.critical && !incident.reported.includes(category)) {
        this.work.incident = { ...incident, reported: [...incident.reported, category] };
        this.foldIntoIncident();
        this.openCauseAlert(
          category,
          ` It appeared while the tunnel was down (${incident.explanation.cause}) and may be the root cause.`,
        );
      } else {
        this.foldIntoIncident();
        this.context.suppressed(category, 'folded');
      }
      return;
    }
    const quietUntil = this.work.cooldowns[category];
    if (quietUntil !== undefined && this.time < quietUntil) {
      this.context.suppressed(category, 'cooldown');
      return;
    }
    this.openCauseAlert(category, '');
  }

  private openCauseAlert(category: AwsS2sCategory, context: string): void {
    const explanation = explainCause(category, this.event);
    this.work.cooldowns = this.liveCooldowns({
      ...this.work.cooldowns,
      [category]: this.time + this.settings.causeCooldownMs,
    });
    this.changed = true;
    this.emit({
      rule: category,
      status: 'opened',
      severity: this.settings.causeSeverity ?? this.severity,
      key: causeAlertKey(this.tunnel, category),
      explanation,
      summary: `${sentenceStart(explanation.cause)} on ${this.tunnelName()}.${context}`,
      evidence: [evidenceLine(this.event.raw)],
    });
  }

  private foldIntoIncident(): void {
    const incident = this.work.incident;
    if (incident === undefined || this.rawInIncident) return;
    this.work.incident = { ...incident, evidence: withEvidence(incident.evidence, this.event.raw) };
    this.rawInIncident = true;
    this.changed = true;
  }

  private liveCooldowns(
    cooldowns: Readonly<Partial<Record<Category, number>>>,
  ): Partial<Record<Category, number>> {
    const live: Partial<Record<Category, number>> = {};
    for (const [category, until] of Object.entries(cooldowns) as [Category, number][]) {
      if (until > this.time) live[category] = until;
    }
    return live;
  }

  private save(): void {
    const previous = this.previous;
    const stale = previous === undefined || this.time - previous.updatedAt >= STATE_REFRESH_MS;
    if (!this.changed && !stale) return;
    const work = this.work;
    const cooldowns = this.liveCooldowns(work.cooldowns);
    const hasCooldowns = Object.keys(cooldowns).length > 0;
    // Every member is always set (undefined when absent) so that all tunnel
    // states share one object shape; JSON leaves the undefined ones out.
    const state: TunnelState = {
      phase: work.phase,
      updatedAt: this.time,
      lastTransitionAt: work.lastTransitionAt,
      downTransitions: work.downTransitions.length === 0 ? undefined : work.downTransitions,
      lastCritical: work.lastCritical,
      incident: work.incident,
      cooldowns: hasCooldowns ? cooldowns : undefined,
    };
    const lastCooldown = Math.max(0, ...Object.values(cooldowns));
    this.context.state.set(
      this.tunnel.stateKey,
      state,
      Math.max(this.time + STATE_RETENTION_MS, lastCooldown),
    );
  }

  private tunnelName(): string {
    return `tunnel ${this.tunnel.tunnelIp} of ${this.tunnel.vpnConnectionId}`;
  }

  private emit(alert: {
    readonly rule: AlertDraft['rule'];
    readonly status: AlertStatus;
    readonly severity: Severity;
    readonly key: string;
    readonly explanation: CauseExplanation;
    readonly summary: string;
    readonly evidence: readonly string[];
  }): void {
    const { explanation } = alert;
    this.context.emit({
      rule: alert.rule,
      status: alert.status,
      category: explanation.category,
      severity: alert.severity,
      source: 'aws-s2s',
      key: alert.key,
      event: this.event,
      summary: sentenceStart(alert.summary),
      cause: explanation.cause,
      evidence: alert.evidence,
      remediation: explanation.remediation,
      ...(explanation.docUrl === undefined ? {} : { docUrl: explanation.docUrl }),
      about: { vpnConnectionId: this.tunnel.vpnConnectionId, tunnelIp: this.tunnel.tunnelIp },
    });
  }
}

const NO_KEYS: readonly string[] = Object.freeze([]);

/**
 * `tunnel.down`, `tunnel.flapping` and the cause alerts of one tunnel. Reads
 * and writes only `tunnel:<vpn>:<ip>`; ignores events without both ids.
 */
export const tunnelIncidentRule: Rule = {
  id: 'aws-s2s.tunnel',
  keys(event) {
    const tunnel = tunnelOf(event);
    if (tunnel === undefined) return NO_KEYS;
    return stateKeysOf(tunnel);
  },
  apply(event, context) {
    const tunnel = tunnelOf(event);
    if (tunnel === undefined) return;
    const previous = context.state.get<TunnelState>(tunnel.stateKey);
    const time = event.time ?? previous?.updatedAt ?? 0;
    if (changesNothing(event, previous, time, context)) return;
    new TunnelStep(tunnel, event, context, previous, time).run();
  },
};

/**
 * The fast path for healthy traffic: true when `event` can neither change the
 * tunnel's phase, end flapping, raise or fold a cause, nor refresh the entry.
 */
function changesNothing(
  event: VpnEvent,
  previous: TunnelState | undefined,
  time: number,
  context: RuleContext,
): boolean {
  if (previous === undefined || previous.incident?.rule === 'tunnel.flapping') return false;
  if (time - previous.updatedAt >= STATE_REFRESH_MS) return false;
  const observed = observedTunnelPhase(event.fields);
  if (observed !== undefined && observed !== previous.phase) return false;
  if (!isAwsS2sCategory(event.category)) return true;
  const severity = causeSeverity(event, context.config);
  return severity !== 'critical' && severity !== 'warning';
}

/**
 * Every aws-s2s incident rule, in the order the pipeline applies them to each
 * event: tunnel incidents and cause alerts, all tunnels of a VPN down, BGP sessions.
 */
export const tunnelRules: readonly Rule[] = [
  tunnelIncidentRule,
  allTunnelsDownRule,
  bgpSessionRule,
].map((rule) => journaled(rule, (_draft, config) => tunnelRuleSettings(config).causeCooldownMs));
