/**
 * Every rule the pipeline runs, in the order it applies them to each event.
 */
import type { Rule } from './rule.ts';
import { thresholdRules } from './threshold.ts';
import { tunnelRules } from './tunnel.ts';

/** The rules of docs/taxonomy.md's "Alerts" section, in application order. */
export const ALL_RULES: readonly Rule[] = [...thresholdRules, ...tunnelRules];
