/**
 * Alert rendering for people and machines: `renderAlert` (draft → alert with
 * a deterministic id and an SNS-safe subject), `renderForSns` and the
 * escaping of log text for each output (`sanitize.ts`).
 */
export { aboutText, alertId, MAX_SUBJECT_LENGTH, renderAlert, renderSubject } from './render.ts';
export {
  escapeHtml,
  escapeKey,
  escapeMarkdown,
  hasUnsafeCharacter,
  logValueReplacer,
  MAX_EVIDENCE_LINE,
  MAX_EVIDENCE_LINES,
  safeJson,
  sanitizeEvidence,
  sanitizeLine,
  toAscii,
  visibleText,
} from './sanitize.ts';
export {
  type ChatNotification,
  renderChatNotification,
  renderForSns,
  SNS_MAX_BYTES,
  type SnsAlertMessage,
  type SnsStringAttribute,
} from './sns.ts';
