/**
 * Causes of tunnel and BGP incidents: which aws-s2s events are cause alerts,
 * their effective severity, and the words (cause phrase, remediation, doc
 * link) an alert carries, taken from the event's catalog hint with a table of
 * fallbacks for events that have none.
 */
import {
  AWS_S2S_CATEGORIES,
  type AwsS2sCategory,
  type Category,
  type Hint,
  type RulesConfig,
  type Severity,
  type VpnEvent,
} from '../model.ts';

/** AWS's page that lists every tunnel and BGP log message. */
export const AWS_S2S_LOG_DOC_URL =
  'https://docs.aws.amazon.com/vpn/latest/s2svpn/log-contents.html';

/** What explains an alert: the category, a short cause phrase and what to do. */
export interface CauseExplanation {
  readonly category: Category;
  /** Short ASCII fragment cased like `Hint.title`: "DPD timeout", "pre-shared key mismatch". */
  readonly cause: string;
  readonly remediation: string;
  readonly docUrl?: string;
}

interface FallbackCause {
  readonly cause: string;
  readonly remediation: string;
}

/** Words for events that carry no catalog hint (the parser normally supplies one). */
const FALLBACK_CAUSES: Readonly<Partial<Record<Category, FallbackCause>>> = {
  'ike.psk_mismatch': {
    cause: 'pre-shared key mismatch',
    remediation: 'Make the pre-shared key on the customer gateway identical to the tunnel option.',
  },
  'ike.auth_failed': {
    cause: 'IKE authentication failed',
    remediation:
      'Check the pre-shared key or certificate and the IKE identity on the customer gateway.',
  },
  'dpd.timeout': {
    cause: 'DPD timeout',
    remediation:
      'The customer gateway stopped answering dead peer detection: check that it is up and that UDP 500/4500 reach AWS.',
  },
  'ike.proposal_mismatch': {
    cause: 'IKE proposal mismatch',
    remediation:
      'Offer encryption, integrity and DH groups that the tunnel options allow, for phase 1 and phase 2.',
  },
  'ike.phase2_failed': {
    cause: 'phase 2 failed to establish',
    remediation: 'Compare the phase 2 proposals and the traffic selectors with the tunnel options.',
  },
  'ike.traffic_selector_mismatch': {
    cause: 'traffic selector mismatch',
    remediation: 'Configure identical local and remote CIDRs (encryption domain) on both sides.',
  },
  'ike.negotiation_timeout': {
    cause: 'IKE negotiation timed out',
    remediation:
      'The customer gateway stopped negotiating: check that UDP 500/4500 are not blocked between it and AWS.',
  },
  'ike.peer_delete': {
    cause: 'customer gateway deleted the SA',
    remediation:
      'Check why the customer gateway tore the tunnel down (restart, configuration change, idle timeout).',
  },
  'bgp.prefix_limit': {
    cause: 'BGP maximum prefix limit',
    remediation: 'Advertise fewer prefixes from the customer gateway (summarise routes).',
  },
  'bgp.notification': {
    cause: 'BGP notification',
    remediation:
      'Read the notification code: check ASN, hold time and the BGP configuration of the customer gateway.',
  },
  'bgp.route_denied': {
    cause: 'BGP route denied',
    remediation: 'Fix the advertised route (AS path loop, next hop) on the customer gateway.',
  },
  'bgp.state_change': {
    cause: 'BGP session left Established',
    remediation:
      'Check TCP 179 and the BGP configuration (ASN, neighbor address) of the customer gateway.',
  },
};

const GENERIC_FALLBACK: FallbackCause = {
  cause: 'tunnel reported down',
  remediation:
    'Check the customer gateway and the tunnel options; the evidence lines show what AWS logged.',
};

const AWS_S2S_CATEGORY_SET: ReadonlySet<Category> = new Set<Category>(AWS_S2S_CATEGORIES);

/** True when `category` is an aws-s2s specific category. */
export function isAwsS2sCategory(category: Category): category is AwsS2sCategory {
  return AWS_S2S_CATEGORY_SET.has(category);
}

/**
 * An aws-s2s event's severity for the incident rules: `config.causeSeverities`
 * for its category when set, else the event's own severity.
 */
export function causeSeverity(event: VpnEvent, config: RulesConfig): Severity {
  if (!isAwsS2sCategory(event.category)) return event.severity;
  return config.causeSeverities?.[event.category] ?? event.severity;
}

/**
 * The cause phrase, remediation and doc link for `category`: from `event`'s
 * catalog hint when the event is of that category, else from the fallbacks.
 */
export function explainCause(
  category: Category,
  event: Pick<VpnEvent, 'category' | 'hint'>,
): CauseExplanation {
  const hint = event.category === category ? event.hint : undefined;
  if (hint !== undefined) {
    // Hints are the catalog's shared rows: one explanation per hint and category.
    const cached = fromHint.get(hint);
    if (cached !== undefined && cached.category === category) return cached;
    const explanation: CauseExplanation = {
      category,
      cause: hint.title,
      remediation: hint.remediation,
      ...(hint.docUrl === undefined ? {} : { docUrl: hint.docUrl }),
    };
    fromHint.set(hint, explanation);
    return explanation;
  }
  let explanation = fromFallback.get(category);
  if (explanation === undefined) {
    const fallback = FALLBACK_CAUSES[category] ?? GENERIC_FALLBACK;
    explanation = { category, ...fallback, docUrl: AWS_S2S_LOG_DOC_URL };
    fromFallback.set(category, explanation);
  }
  return explanation;
}

/** Explanations built so far (plain JSON, never changed once built, so they can be shared). */
const fromHint = new WeakMap<Hint, CauseExplanation>();
const fromFallback = new Map<Category, CauseExplanation>();

/**
 * The category a state alert names when its own record explains it: the
 * record's aws-s2s category, or `tunnel.state` for an unclassified record.
 */
export function ownStateCategory(event: Pick<VpnEvent, 'category'>): Category {
  return isAwsS2sCategory(event.category) ? event.category : 'tunnel.state';
}
