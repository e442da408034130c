/**
 * What the subscription Lambda does with one event, without the Lambda:
 * decode → (poison: dead-letter it) → pick the source → one `StreamBatch` →
 * pipeline + outbox delivery → metrics. Shared by `lambda/subscription.ts` and
 * `tunnelwatch redrive`; every collaborator is injected.
 */
import {
  type AlertSink,
  type DeliveryResult,
  deliverBatch,
  outboxKeyOf,
  type PublishFailure,
} from '../delivery.ts';
import type { Alert, RulesConfig, SourceDefinition, StateStore, VpnEvent } from '../model.ts';
import { type PipelineResult, runPipeline, type StreamBatch } from '../pipeline.ts';
import { tunnelOf } from '../rules/tunnel-identity.ts';
import { observedTunnelPhase } from '../rules/tunnel-phase.ts';
import { type LogGroupSource, sourceForLogGroup } from './log-group-sources.ts';
import {
  decodeSubscriptionEvent,
  PoisonPayloadError,
  regionOfSubscription,
  type SubscriptionData,
  tunnelOfStream,
} from './subscription-payload.ts';

/** The contract's metric names (pipeline-contract.md, "EMF metrics"). */
export type MetricName =
  | 'EventsParsed'
  | 'Unclassified'
  | 'Malformed'
  | 'AlertsPublished'
  | 'AlertsSuppressed'
  | 'PublishFailures'
  | 'PoisonPayloads'
  | 'StateConflicts'
  | 'LateEvents'
  /** 1 when the tunnel's last record in the batch shows it up, 0 when down (dimensions vpnConnectionId, tunnelIp). */
  | 'TunnelUp';

/** The message of the log line written for each published alert (the dashboard's alert table reads it). */
export const ALERT_LOG_MESSAGE = 'alert published';

/** Counts a metric (unit Count) with extra dimensions besides `service`. */
export type CountMetric = (
  name: MetricName,
  value: number,
  dimensions?: Readonly<Record<string, string>>,
) => void;

/** The structured logger the processor writes to (Powertools Logger fits). */
export interface ProcessorLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
  appendKeys(keys: Record<string, string>): void;
}

/** Everything `processSubscriptionEvent` uses. */
export interface ProcessorDeps {
  readonly store: StateStore;
  readonly sink: AlertSink;
  readonly config: RulesConfig;
  readonly logGroupSources: readonly LogGroupSource[];
  readonly logger: ProcessorLogger;
  readonly count: CountMetric;
  /** Called with a payload that can never be processed (the Lambda sends it to the DLQ). */
  readonly onPoison: (event: unknown, error: PoisonPayloadError) => Promise<void>;
  /** Clock, epoch ms. */
  readonly now?: () => number;
  /** @default - the registry's sources (src/sources/index.ts); tests pass their own. */
  readonly sources?: readonly SourceDefinition[];
  /**
   * The AWS account the processing runs in (the monitoring account). A
   * payload whose `owner` is another account runs as that account's stream
   * (`StreamBatch.account`); see `streamBatchOf`.
   * @default - unknown: no payload is taken for another account's
   */
  readonly account?: string;
}

/** What happened to one event. */
export type ProcessOutcome =
  | { readonly kind: 'poison'; readonly error: PoisonPayloadError }
  | { readonly kind: 'control' }
  | {
      readonly kind: 'processed';
      readonly data: SubscriptionData;
      readonly delivery: DeliveryResult<PipelineResult>;
    };

/**
 * The `StreamBatch` of a decoded payload: one stream, every log event in order.
 *
 * `account` is set only when the payload's `owner` is known to be another
 * account than `ownAccount`, on both paths (direct and Kinesis): the
 * monitoring account's own log groups keep the keys they always had, and two
 * source accounts' streams of the same group and name keep separate state.
 * Kinesis streams of source accounts stored before accounts were known are
 * therefore judged afresh once after the upgrade (their old keys expire).
 * `region` is set whenever the filter's name carries it (`regionOfSubscription`).
 */
export function streamBatchOf(
  data: SubscriptionData,
  logGroupSources: readonly LogGroupSource[],
  ownAccount?: string,
): StreamBatch {
  const choice = sourceForLogGroup(logGroupSources, data.logGroup);
  const foreign = ownAccount !== undefined && data.owner !== '' && data.owner !== ownAccount;
  const region = regionOfSubscription(data);
  return {
    source: choice.source,
    stream: data.logStream,
    logGroup: data.logGroup,
    ...(foreign ? { account: data.owner } : {}),
    ...(region === undefined ? {} : { region }),
    ...(choice.timeZone === undefined ? {} : { timeZone: choice.timeZone }),
    lines: data.logEvents.map((logEvent) => ({
      text: logEvent.message,
      eventId: logEvent.id,
      timestamp: logEvent.timestamp,
    })),
  };
}

/**
 * Processes one subscription event. Poison is handed to `onPoison` and counted,
 * never thrown; publish failures are returned in `delivery.failed` (the caller
 * fails the invocation); store and pipeline errors propagate.
 */
export async function processSubscriptionEvent(
  event: unknown,
  deps: ProcessorDeps,
): Promise<ProcessOutcome> {
  const { logger, count } = deps;
  let data: SubscriptionData;
  try {
    data = decodeSubscriptionEvent(event);
  } catch (error) {
    if (!(error instanceof PoisonPayloadError)) throw error;
    logger.error('poison payload', { reason: error.reason, detail: error.detail });
    count('PoisonPayloads', 1);
    await deps.onPoison(event, error);
    return { kind: 'poison', error };
  }
  return await processSubscriptionData(data, deps);
}

/**
 * Processes one decoded subscription payload (the direct path after decoding,
 * and each record of a Kinesis batch): control messages are skipped; publish
 * failures are returned in `delivery.failed`; store and pipeline errors propagate.
 */
export async function processSubscriptionData(
  data: SubscriptionData,
  deps: Omit<ProcessorDeps, 'onPoison'>,
): Promise<Exclude<ProcessOutcome, { readonly kind: 'poison' }>> {
  const { logger, count } = deps;
  if (data.messageType === 'CONTROL_MESSAGE') {
    logger.info('control message skipped', { logGroup: data.logGroup });
    return { kind: 'control' };
  }
  const batch = streamBatchOf(data, deps.logGroupSources, deps.account);
  logger.appendKeys({
    logGroup: data.logGroup,
    logStream: data.logStream,
    ...(batch.account === undefined ? {} : { account: batch.account }),
    ...(batch.region === undefined ? {} : { region: batch.region }),
    ...tunnelOfStream(data.logStream),
  });
  const now = deps.now ?? Date.now;
  const tunnels = new LastTunnelPhases();
  const delivery = await deliverBatch({
    store: deps.store,
    sink: deps.sink,
    outboxKey: outboxKeyOf([
      ...(batch.account === undefined ? [] : [batch.account]),
      data.logGroup,
      data.logStream,
      ...data.logEvents.map((e) => e.id),
    ]),
    now,
    run: (extraWrites) =>
      runPipeline([batch], {
        store: deps.store,
        config: deps.config,
        extraWrites,
        now,
        onEvent: (event) => tunnels.see(event),
        ...(deps.sources === undefined ? {} : { sources: deps.sources }),
      }),
  });
  countDelivery(delivery, count);
  tunnels.count(count);
  const pipeline = delivery.pipeline;
  logger.info('batch processed', {
    source: batch.source,
    logEvents: data.logEvents.length,
    replayedOutbox: delivery.replayed,
    ...(pipeline === undefined
      ? {}
      : {
          unclassified: pipeline.unclassified,
          malformed: pipeline.malformed,
          duplicates: pipeline.duplicates,
          conflicts: pipeline.conflicts,
          late: pipeline.late,
        }),
    alertsPublished: delivery.published.length,
    alertIds: delivery.published.map((alert) => alert.id),
    publishFailures: delivery.failed.length,
  });
  for (const alert of delivery.published) logger.info(ALERT_LOG_MESSAGE, alertLogFields(alert));
  for (const failure of delivery.failed) {
    logger.warn('alert not published', publishFailureFields(failure));
  }
  return { kind: 'processed', data, delivery };
}

/** Emits the contract's metrics for one delivery. */
function countDelivery(delivery: DeliveryResult<PipelineResult>, count: CountMetric): void {
  const pipeline = delivery.pipeline;
  if (pipeline !== undefined) {
    for (const [source, categories] of Object.entries(pipeline.byCategory)) {
      for (const [category, events] of Object.entries(categories ?? {})) {
        if (events !== undefined && events > 0) count('EventsParsed', events, { source, category });
      }
    }
    count('Unclassified', pipeline.unclassified);
    count('Malformed', pipeline.malformed);
    const { cooldown, dedup, folded } = pipeline.suppressed;
    count('AlertsSuppressed', cooldown + dedup + folded);
    count('StateConflicts', pipeline.conflicts);
    // Past the lateness bound: counted and classified, not judged (docs/lambda.md).
    count('LateEvents', pipeline.late);
  }
  const published = new Map<string, { rule: string; severity: string; n: number }>();
  for (const alert of delivery.published) {
    const key = `${alert.rule}|${alert.severity}`;
    const entry = published.get(key) ?? { rule: alert.rule, severity: alert.severity, n: 0 };
    entry.n++;
    published.set(key, entry);
  }
  for (const { rule, severity, n } of published.values())
    count('AlertsPublished', n, { rule, severity });
  count('PublishFailures', delivery.failed.length);
}

/**
 * One unpublished alert as log fields. The SNS error text goes under `error`
 * and its code under `errorCode`: `message` is the logger's own key
 * (Powertools Logger drops a field of that name), so spreading the failure
 * lost the reason.
 */
export function publishFailureFields(failure: PublishFailure): Record<string, string | boolean> {
  return {
    alertId: failure.alertId,
    errorCode: failure.code,
    error: failure.message,
    senderFault: failure.senderFault,
  };
}

/**
 * One published alert as log fields: what the dashboard's latest-alerts table
 * shows. No evidence (log lines may hold secrets); the subject is ASCII.
 */
export function alertLogFields(alert: Alert): Record<string, string> {
  return {
    alertId: alert.id,
    rule: alert.rule,
    status: alert.status,
    severity: alert.severity,
    category: alert.category,
    source: alert.source,
    subject: alert.subject,
    ...(alert.about.vpnConnectionId === undefined
      ? {}
      : { vpnConnectionId: alert.about.vpnConnectionId }),
    ...(alert.about.tunnelIp === undefined ? {} : { tunnelIp: alert.about.tunnelIp }),
    ...(alert.account === undefined ? {} : { account: alert.account }),
    ...(alert.region === undefined ? {} : { region: alert.region }),
  };
}

/** The last state each tunnel's records showed in a batch, for the `TunnelUp` metric. */
class LastTunnelPhases {
  private readonly phases = new Map<
    string,
    { vpnConnectionId: string; tunnelIp: string; up: boolean }
  >();

  see(event: VpnEvent): void {
    const tunnel = tunnelOf(event);
    if (tunnel === undefined) return;
    const phase = observedTunnelPhase(event.fields);
    if (phase === undefined) return;
    this.phases.set(tunnel.stateKey, {
      vpnConnectionId: tunnel.vpnConnectionId,
      tunnelIp: tunnel.tunnelIp,
      up: phase === 'up',
    });
  }

  count(count: CountMetric): void {
    for (const { vpnConnectionId, tunnelIp, up } of this.phases.values()) {
      count('TunnelUp', up ? 1 : 0, { vpnConnectionId, tunnelIp });
    }
  }
}
