/**
 * An open tunnel incident (`tunnel.down` or `tunnel.flapping`) as kept in
 * state: its cause, the critical categories already reported for it, and a
 * bounded list of evidence lines.
 */
import type { Category } from '../model.ts';
import type { CauseExplanation } from './cause.ts';

/** Evidence lines kept per incident: the line that opened it plus the newest ones. */
export const MAX_EVIDENCE_LINES = 6;
/** Characters kept per evidence line (longer raw lines are cut, with a marker). */
export const MAX_EVIDENCE_LINE_CHARS = 600;

const TRUNCATION_MARKER = '…[truncated]';

/** An open incident on one tunnel; plain JSON. */
export interface Incident {
  readonly rule: 'tunnel.down' | 'tunnel.flapping';
  /** Time of the event that opened it, epoch ms. */
  readonly openedAt: number;
  /** Id of the event that opened it. */
  readonly openedBy: string;
  readonly explanation: CauseExplanation;
  /** Categories already reported for this incident (its own and cause alerts opened during it). */
  readonly reported: readonly Category[];
  /** Raw lines, oldest first, at most `MAX_EVIDENCE_LINES`. */
  readonly evidence: readonly string[];
}

/** `raw` cut to `MAX_EVIDENCE_LINE_CHARS` characters. */
export function evidenceLine(raw: string): string {
  if (raw.length <= MAX_EVIDENCE_LINE_CHARS) return raw;
  return raw.slice(0, MAX_EVIDENCE_LINE_CHARS - TRUNCATION_MARKER.length) + TRUNCATION_MARKER;
}

/**
 * `evidence` with `raw` appended; when full, the oldest line after the first
 * is dropped so the line that opened the incident and the newest ones stay.
 */
export function withEvidence(evidence: readonly string[], raw: string): readonly string[] {
  const line = evidenceLine(raw);
  const kept: string[] = [];
  // Full: the second line (the oldest after the one that opened it) goes.
  const drop = evidence.length < MAX_EVIDENCE_LINES ? -1 : 1;
  for (let i = 0; i < evidence.length; i++) if (i !== drop) kept.push(evidence[i] as string);
  kept.push(line);
  return kept;
}

/** A new incident opened by the event `eventId` at `time` with the given evidence. */
export function openIncident(
  rule: Incident['rule'],
  time: number,
  eventId: string,
  explanation: CauseExplanation,
  evidence: readonly string[],
): Incident {
  return {
    rule,
    openedAt: time,
    openedBy: eventId,
    explanation,
    reported: [explanation.category],
    evidence: evidence.slice(-MAX_EVIDENCE_LINES).map(evidenceLine),
  };
}
