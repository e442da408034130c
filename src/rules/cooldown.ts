/**
 * Once per cooldown, by key: the generic block behind every threshold and
 * audit rule. State per key: `{ until }` (plus what the caller adds), expiring
 * at `until`, so a key costs nothing once its cooldown is over.
 */
import type { StateView } from './rule.ts';

/** The stored value of a cooldown key. */
export interface CooldownState {
  /** End of the quiet period, epoch ms. */
  readonly until: number;
  /** Client addresses an alert covered (auth.bruteforce's per-user alert). */
  readonly addresses?: readonly string[];
}

/** True while `key` is in its quiet period at `time` (ms). */
export function inCooldown(state: StateView, key: string, time: number): boolean {
  const entry = state.get<CooldownState>(key);
  return entry !== undefined && entry.until > time;
}

/** The cooldown entry of `key` while it is active at `time` (ms). */
export function activeCooldown(
  state: StateView,
  key: string,
  time: number,
): CooldownState | undefined {
  const entry = state.get<CooldownState>(key);
  return entry !== undefined && entry.until > time ? entry : undefined;
}

/** Starts the quiet period of `key` at `time` for `cooldownMs` (both ms). */
export function startCooldown(
  state: StateView,
  key: string,
  time: number,
  cooldownMs: number,
  extra: Omit<CooldownState, 'until'> = {},
): void {
  const until = time + cooldownMs;
  state.set<CooldownState>(key, { ...extra, until }, until);
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
