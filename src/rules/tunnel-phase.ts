/**
 * What an aws-s2s record says about its tunnel: whether its IKE phase states
 * make the tunnel up, down, or leave it as it was (docs/taxonomy.md, "Tunnel incidents").
 */
import type { EventFields } from '../model.ts';

/** A tunnel's state as the incident rules see it. */
export type TunnelPhase = 'up' | 'down';

/** Effect of one IKE phase state value (lowercased) on the tunnel. */
const PHASE_STATE_EFFECT: Readonly<Record<string, 'up' | 'down' | 'keep'>> = {
  established: 'up',
  rekeying: 'up',
  negotiating: 'keep',
  down: 'down',
};

/**
 * The table's entries, compared by content first: a state parsed from JSON is
 * a fresh string, and indexing an object with it costs a string-table lookup.
 */
const PHASE_STATE_ENTRIES = Object.entries(PHASE_STATE_EFFECT);

function effectOf(state: string | undefined): 'up' | 'down' | 'keep' | undefined {
  if (typeof state !== 'string') return undefined;
  for (const [value, effect] of PHASE_STATE_ENTRIES) if (state === value) return effect;
  return PHASE_STATE_EFFECT[state] ?? PHASE_STATE_EFFECT[state.toLowerCase()] ?? 'keep';
}

/**
 * The tunnel phase a record shows: `down` when phase 1 or phase 2 is `down`,
 * `up` when both are `established` or `rekeying`, otherwise undefined (no
 * state fields, `negotiating`, or an unknown value: the tunnel keeps its phase).
 */
export function observedTunnelPhase(fields: EventFields): TunnelPhase | undefined {
  // Fields are never changed once parsed: the rules ask about one event several times in a row.
  if (fields === lastFields) return lastPhase;
  const phase = phaseOf(fields);
  lastFields = fields;
  lastPhase = phase;
  return phase;
}

let lastFields: EventFields | undefined;
let lastPhase: TunnelPhase | undefined;

function phaseOf(fields: EventFields): TunnelPhase | undefined {
  const phase1 = effectOf(fields.phase1State);
  const phase2 = effectOf(fields.phase2State);
  if (phase1 === 'down' || phase2 === 'down') return 'down';
  if (phase1 === 'up' && phase2 === 'up') return 'up';
  return undefined;
}
