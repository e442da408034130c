/**
 * `tunnelwatch`, the core as a library: parse and classify VPN log lines,
 * run the alert pipeline with in-memory state, render alerts. No AWS imports
 * (the CDK constructs are `tunnelwatch/cdk`).
 *
 * ```ts
 * import { DEFAULT_RULES_CONFIG, MemoryStateStore, runPipeline } from 'tunnelwatch';
 *
 * const result = await runPipeline(
 *   [{ source: 'auto', stream: 'gw', lines: text.split('\n').map((line) => ({ text: line })) }],
 *   { store: new MemoryStateStore(), config: DEFAULT_RULES_CONFIG },
 * );
 * ```
 */
export * from './alerts/index.ts';
export * from './model.ts';
export {
  DEFAULT_MAX_CONFLICT_RETRIES,
  type PipelineOptions,
  type PipelineResult,
  type RawLine,
  runPipeline,
  StateConflictRetriesExhaustedError,
  type StreamBatch,
  type SuppressionReason,
} from './pipeline.ts';
export {
  CONFIGURED_RULES,
  type ConfiguredRuleId,
  DEFAULT_RULES_CONFIG,
  parseRulesConfig,
  RulesConfigError,
} from './rules/config.ts';
export { ALL_RULES } from './rules/index.ts';
export {
  SOURCE_DEFINITIONS,
  sniffSource,
  sourceDefinition,
  unsupportedSources,
} from './sources/index.ts';
export { MemoryStateStore } from './state/memory-state-store.ts';
