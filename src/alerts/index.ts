/**
 * Alert rendering for people and machines: `renderAlert` (draft → alert with
 * a deterministic id and an SNS-safe subject) and `renderForSns`.
 */
export { aboutText, alertId, MAX_SUBJECT_LENGTH, renderAlert, renderSubject } from './render.ts';
export {
  MAX_EVIDENCE_LINE,
  MAX_EVIDENCE_LINES,
  sanitizeEvidence,
  sanitizeLine,
  toAscii,
} from './sanitize.ts';
export {
  renderForSns,
  SNS_MAX_BYTES,
  type SnsAlertMessage,
  type SnsStringAttribute,
} from './sns.ts';
