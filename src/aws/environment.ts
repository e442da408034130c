/**
 * The Lambda environment (pipeline-contract.md, "Lambda environment"), read and
 * validated once, shared by the handler and `tunnelwatch redrive`.
 */
import type { RulesConfig } from '../model.ts';
import { DEFAULT_RULES_CONFIG, parseRulesConfig } from '../rules/config.ts';
import { type LogGroupSource, parseLogGroupSources } from './log-group-sources.ts';

/** The settings the subscription processing needs. */
export interface SubscriptionEnvironment {
  readonly tableName: string;
  readonly topicArn: string;
  readonly deadLetterQueueUrl: string;
  readonly logGroupSources: readonly LogGroupSource[];
  readonly config: RulesConfig;
  /**
   * The account the function runs in: the account of `topicArn` (the stack
   * creates the topic next to the function); absent when the ARN names none.
   */
  readonly account?: string;
}

/** A missing or bad variable; the message names every problem. */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
}

const REQUIRED = ['STATE_TABLE_NAME', 'ALERT_TOPIC_ARN', 'DEAD_LETTER_QUEUE_URL'] as const;

/** Reads `STATE_TABLE_NAME`, `ALERT_TOPIC_ARN`, `DEAD_LETTER_QUEUE_URL`, `LOG_GROUP_SOURCES`, `RULES_CONFIG`. */
export function readSubscriptionEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): SubscriptionEnvironment {
  const problems = REQUIRED.filter((name) => (env[name] ?? '') === '').map(
    (name) => `${name} is not set`,
  );
  let logGroupSources: readonly LogGroupSource[] = [];
  let config: RulesConfig = DEFAULT_RULES_CONFIG;
  try {
    logGroupSources = parseLogGroupSources(env.LOG_GROUP_SOURCES);
  } catch (error) {
    problems.push((error as Error).message);
  }
  try {
    const json = env.RULES_CONFIG;
    if (json !== undefined && json.trim() !== '') config = parseRulesConfig(json, 'RULES_CONFIG');
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0) throw new EnvironmentError(`bad environment: ${problems.join('; ')}`);
  const account = accountOfArn(env.ALERT_TOPIC_ARN ?? '');
  return {
    tableName: env.STATE_TABLE_NAME ?? '',
    topicArn: env.ALERT_TOPIC_ARN ?? '',
    deadLetterQueueUrl: env.DEAD_LETTER_QUEUE_URL ?? '',
    logGroupSources,
    config,
    ...(account === undefined ? {} : { account }),
  };
}

/** The 12-digit account id of an ARN (`arn:<partition>:<service>:<region>:<account>:…`), if any. */
export function accountOfArn(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}

/** SDK client options from `AWS_REGION` and `AWS_ENDPOINT_URL` (the emulator), when set. */
export function awsClientOptions(env: Readonly<Record<string, string | undefined>>): {
  region?: string;
  endpoint?: string;
} {
  return {
    ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
    ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
  };
}
