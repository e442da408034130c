/**
 * The contract between the pipeline and the rules. A rule is a stateful
 * detector over ordered events: it names the state keys an event touches (so
 * the pipeline can load them in one batched read), then applies the event to
 * that state synchronously and emits alert drafts.
 */
import type {
  AlertStatus,
  AlertSubject,
  Category,
  RuleId,
  RulesConfig,
  Severity,
  Source,
  VpnEvent,
} from '../model.ts';

/**
 * Synchronous access to the state loaded for the current batch. Values must be
 * plain JSON (they are stored as JSON in DynamoDB).
 */
export interface StateView {
  get<T>(key: string): T | undefined;
  /** Sets a key; `expiresAt` (epoch ms) bounds how long it is kept. */
  set<T>(key: string, value: T, expiresAt?: number): void;
  delete(key: string): void;
}

/** What a rule says about an alert; `src/alerts` derives id, subject and text from it. */
export interface AlertDraft {
  readonly rule: RuleId;
  readonly status: AlertStatus;
  readonly category: Category;
  readonly severity: Severity;
  readonly source: Source;
  /** Dedup key: what the alert is about (see docs/taxonomy.md), e.g. `aws-s2s:tunnel:vpn-0abc:203.0.113.10`. */
  readonly key: string;
  /** The event that triggered the alert (its id and time make the alert id). */
  readonly event: VpnEvent;
  /** One or two plain sentences: what happened. */
  readonly summary: string;
  /** Short cause phrase for the subject, e.g. "pre-shared key mismatch". */
  readonly cause: string;
  /** Supporting raw lines, oldest first (untrusted text). */
  readonly evidence: readonly string[];
  readonly remediation: string;
  readonly docUrl?: string;
  readonly about: AlertSubject;
}

/** What a rule gets besides the event. */
export interface RuleContext {
  readonly state: StateView;
  readonly config: RulesConfig;
  emit(draft: AlertDraft): void;
  /** Counts an alert the rule held back (cooldown, dedup, folded into an incident). */
  suppressed(rule: RuleId, reason: 'cooldown' | 'dedup' | 'folded'): void;
}

/** A stateful detector. */
export interface Rule {
  readonly id: string;
  /** The state keys `apply` may read or write for this event; `[]` when the event is irrelevant. */
  keys(event: VpnEvent): readonly string[];
  apply(event: VpnEvent, context: RuleContext): void;
}
