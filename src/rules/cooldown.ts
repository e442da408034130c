/**
 * Once per cooldown, by key: the generic block behind every threshold and
 * audit rule. State per key: `{ until }` (plus what the caller adds) and the
 * alerts raised within the lateness bound (`alerts`), so that an event that
 * arrives late is judged against the alerts around its own time: it is covered
 * by an alert raised before it within the cooldown, and by one raised after it
 * within the cooldown (the same incident, which had started earlier).
 */
import type { StateView } from './rule.ts';

/** The stored value of a cooldown key. */
export interface CooldownState {
  /** End of the latest quiet period, epoch ms. */
  readonly until: number;
  /** The alerts raised within the lateness bound: their time and the end of their quiet period. */
  readonly alerts?: readonly { readonly at: number; readonly until: number }[];
  /** Client addresses an alert covered (auth.bruteforce's per-user alert). */
  readonly addresses?: readonly string[];
}

/** How long (ms) raised alerts are remembered: the pipeline's lateness bound. */
export const COOLDOWN_MEMORY_MS = 24 * 60 * 60_000;
/** Most raised alerts remembered per key. */
const MAX_REMEMBERED_ALERTS = 32;

function alertsOf(
  entry: CooldownState,
): readonly { readonly at: number; readonly until: number }[] {
  // An entry stored before alerts were remembered: covered until `until`.
  return entry.alerts ?? [{ at: Number.NEGATIVE_INFINITY, until: entry.until }];
}

/** True when an alert of `entry` covers `time`: raised before it within its cooldown, or after it within one cooldown. */
function covers(entry: CooldownState, time: number): boolean {
  return alertsOf(entry).some(
    (alert) =>
      (alert.at <= time && time < alert.until) ||
      (time < alert.at && alert.at - time < alert.until - alert.at),
  );
}

/** True while `key` is in its quiet period at `time` (ms). */
export function inCooldown(state: StateView, key: string, time: number): boolean {
  const entry = state.get<CooldownState>(key);
  return entry !== undefined && covers(entry, time);
}

/** The cooldown entry of `key` while it is active at `time` (ms). */
export function activeCooldown(
  state: StateView,
  key: string,
  time: number,
): CooldownState | undefined {
  const entry = state.get<CooldownState>(key);
  return entry !== undefined && covers(entry, time) ? entry : undefined;
}

/** Starts the quiet period of `key` at `time` for `cooldownMs` (both ms). */
export function startCooldown(
  state: StateView,
  key: string,
  time: number,
  cooldownMs: number,
  extra: Omit<CooldownState, 'until' | 'alerts'> = {},
): void {
  const previous = state.get<CooldownState>(key);
  const until = time + cooldownMs;
  const newest = Math.max(time, ...(previous?.alerts ?? []).map((alert) => alert.at));
  const alerts = [...(previous?.alerts ?? []), { at: time, until }]
    .filter((alert) => alert.at > newest - COOLDOWN_MEMORY_MS)
    .sort((a, b) => a.at - b.at)
    .slice(-MAX_REMEMBERED_ALERTS);
  const latestUntil = Math.max(...alerts.map((alert) => alert.until));
  state.set<CooldownState>(
    key,
    { ...previous, ...extra, until: latestUntil, alerts },
    Math.max(latestUntil, newest + COOLDOWN_MEMORY_MS),
  );
}

/**
 * Once per cooldown: returns true (and starts the cooldown) when `key` is not
 * in its quiet period at `time`, false when it is.
 */
export function takeCooldown(
  state: StateView,
  key: string,
  time: number,
  cooldownMs: number,
): boolean {
  if (inCooldown(state, key, time)) return false;
  startCooldown(state, key, time, cooldownMs);
  return true;
}
