/**
 * Rule configuration: docs/taxonomy.md's defaults, and the JSON file / `RULES_CONFIG`
 * format that overrides them. A config document is a partial `RulesConfig`:
 *
 * ```json
 * { "rules": { "auth.bruteforce": { "threshold": 10, "cooldownMinutes": 30 } },
 *   "cause": { "cooldownMinutes": 120 },
 *   "causeSeverities": { "ike.negotiation_timeout": "critical" } }
 * ```
 *
 * Every member is optional; what is given is merged over the defaults, one
 * setting at a time. Validation collects every problem and throws once.
 */
import { readFile } from 'node:fs/promises';
import {
  AWS_S2S_CATEGORIES,
  type AwsS2sCategory,
  type RuleSettings,
  type RulesConfig,
  SEVERITIES,
  type Severity,
  STATE_RULES,
  type StateRuleId,
  THRESHOLD_RULES,
  type ThresholdRuleId,
} from '../model.ts';

/** A rule id that has its own settings in `RulesConfig.rules`. */
export type ConfiguredRuleId = StateRuleId | ThresholdRuleId;

/** Every configured rule id, in docs/taxonomy.md order. */
export const CONFIGURED_RULES: readonly ConfiguredRuleId[] = [...STATE_RULES, ...THRESHOLD_RULES];

/** docs/taxonomy.md's defaults. Durations are in minutes. */
export const DEFAULT_RULES_CONFIG: RulesConfig = {
  rules: {
    'tunnel.down': { enabled: true, severity: 'critical', causeLookbackMinutes: 5 },
    'tunnel.flapping': { enabled: true, severity: 'critical', threshold: 3, windowMinutes: 30 },
    'vpn.all_tunnels_down': { enabled: true, severity: 'critical' },
    'bgp.session_down': { enabled: true, severity: 'critical' },
    'auth.bruteforce': {
      enabled: true,
      severity: 'critical',
      threshold: 5,
      windowMinutes: 10,
      cooldownMinutes: 60,
      userThreshold: 5,
      userMinAddresses: 2,
    },
    'probe.scan': {
      enabled: true,
      severity: 'warning',
      threshold: 5,
      windowMinutes: 10,
      cooldownMinutes: 60,
    },
    'cert.problem': { enabled: true, severity: 'warning', cooldownMinutes: 60 },
    'admin.bruteforce': {
      enabled: true,
      severity: 'critical',
      threshold: 3,
      windowMinutes: 10,
      cooldownMinutes: 60,
    },
    'admin.audit': { enabled: true, severity: 'warning', cooldownMinutes: 60 },
    'network.conflict': { enabled: true, severity: 'warning', cooldownMinutes: 60 },
  },
  cause: { enabled: true, cooldownMinutes: 60 },
  causeSeverities: {},
};

/** A numeric rule setting. */
export type SettingName = Exclude<keyof RuleSettings, 'enabled' | 'severity'>;

/** The value rule of each numeric setting. */
export const SETTING_KINDS: Readonly<Record<SettingName, 'positive-integer' | 'positive-number'>> =
  {
    threshold: 'positive-integer',
    windowMinutes: 'positive-number',
    cooldownMinutes: 'positive-number',
    userThreshold: 'positive-integer',
    userMinAddresses: 'positive-integer',
    causeLookbackMinutes: 'positive-number',
  };

/** Which numeric settings each rule (and `cause`) understands: the keys of its defaults. */
function settingsOf(defaults: RuleSettings): ReadonlySet<string> {
  return new Set(['enabled', 'severity', ...Object.keys(defaults)]);
}

/** Thrown by `parseRulesConfig`/`loadRulesConfig`; `problems` lists each one. */
export class RulesConfigError extends Error {
  override readonly name = 'RulesConfigError';
  constructor(
    readonly origin: string,
    readonly problems: readonly string[],
  ) {
    super(`${origin}: invalid rules config: ${problems.join('; ')}`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseSettings(
  path: string,
  raw: unknown,
  defaults: RuleSettings,
  problems: string[],
): RuleSettings {
  if (!isRecord(raw)) {
    problems.push(`${path}: expected an object, got ${describe(raw)}`);
    return defaults;
  }
  const known = settingsOf(defaults);
  const merged: Record<string, unknown> = { ...defaults };
  for (const [name, value] of Object.entries(raw)) {
    const where = `${path}.${name}`;
    if (!known.has(name)) {
      problems.push(`${where}: unknown setting (expected one of ${[...known].join(', ')})`);
      continue;
    }
    if (name === 'enabled') {
      if (typeof value === 'boolean') merged[name] = value;
      else problems.push(`${where}: expected true or false, got ${describe(value)}`);
      continue;
    }
    if (name === 'severity') {
      if ((SEVERITIES as readonly unknown[]).includes(value)) merged[name] = value;
      else
        problems.push(`${where}: expected one of ${SEVERITIES.join(', ')}, got ${describe(value)}`);
      continue;
    }
    const kind = SETTING_KINDS[name as SettingName];
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      value > 0 &&
      (kind === 'positive-number' || Number.isInteger(value));
    if (ok) merged[name] = value;
    else problems.push(`${where}: expected a ${kind.replace('-', ' ')}, got ${describe(value)}`);
  }
  return merged as unknown as RuleSettings;
}

/**
 * Merges a partial config document over `DEFAULT_RULES_CONFIG` and validates
 * it. Throws one `RulesConfigError` listing every problem, each naming the key
 * (`rules["auth.bruteforce"].threshold: expected a positive integer, got -1`).
 * `origin` names where the document came from (a file path, `RULES_CONFIG`).
 */
export function parseRulesConfig(json: unknown, origin: string): RulesConfig {
  const problems: string[] = [];
  if (!isRecord(json))
    throw new RulesConfigError(origin, [`expected an object, got ${describe(json)}`]);
  const rules: Record<string, RuleSettings> = { ...DEFAULT_RULES_CONFIG.rules };
  let cause = DEFAULT_RULES_CONFIG.cause;
  const causeSeverities: Partial<Record<AwsS2sCategory, Severity>> = {
    ...DEFAULT_RULES_CONFIG.causeSeverities,
  };
  for (const [section, value] of Object.entries(json)) {
    if (section === 'rules') {
      if (!isRecord(value)) {
        problems.push(`rules: expected an object, got ${describe(value)}`);
        continue;
      }
      for (const [id, settings] of Object.entries(value)) {
        const defaults = DEFAULT_RULES_CONFIG.rules[id as ConfiguredRuleId];
        const path = `rules[${JSON.stringify(id)}]`;
        if (!(CONFIGURED_RULES as readonly string[]).includes(id) || defaults === undefined) {
          problems.push(`${path}: unknown rule (expected one of ${CONFIGURED_RULES.join(', ')})`);
          continue;
        }
        rules[id] = parseSettings(path, settings, defaults, problems);
      }
    } else if (section === 'cause') {
      cause = parseSettings('cause', value, DEFAULT_RULES_CONFIG.cause, problems);
    } else if (section === 'causeSeverities') {
      if (!isRecord(value)) {
        problems.push(`causeSeverities: expected an object, got ${describe(value)}`);
        continue;
      }
      for (const [category, severity] of Object.entries(value)) {
        const path = `causeSeverities[${JSON.stringify(category)}]`;
        if (!(AWS_S2S_CATEGORIES as readonly string[]).includes(category)) {
          problems.push(`${path}: unknown aws-s2s category`);
        } else if (!(SEVERITIES as readonly unknown[]).includes(severity)) {
          problems.push(
            `${path}: expected one of ${SEVERITIES.join(', ')}, got ${describe(severity)}`,
          );
        } else {
          causeSeverities[category as AwsS2sCategory] = severity as Severity;
        }
      }
    } else {
      problems.push(`${section}: unknown section (expected rules, cause, causeSeverities)`);
    }
  }
  if (problems.length > 0) throw new RulesConfigError(origin, problems);
  return {
    rules: rules as RulesConfig['rules'],
    cause,
    causeSeverities,
  };
}

/** Thrown by `loadRulesConfig` when the file cannot be read (CLI exit code 1). */
export class RulesConfigUnreadableError extends Error {
  override readonly name = 'RulesConfigUnreadableError';
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const why =
      code === 'ENOENT'
        ? 'no such file or directory'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : cause instanceof Error
              ? cause.message
              : String(cause);
    super(`cannot read ${path}: ${why}`);
  }
}

/**
 * Reads a JSON config file and parses it with `parseRulesConfig`. Throws
 * `RulesConfigUnreadableError` when the file cannot be read and
 * `RulesConfigError` when it is not JSON or not a valid config.
 */
export async function loadRulesConfig(path: string): Promise<RulesConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RulesConfigUnreadableError(path, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RulesConfigError(path, [
      `not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    ]);
  }
  return parseRulesConfig(json, path);
}
