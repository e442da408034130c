import { describe, expect, it } from 'vitest';
import {
  accountOfArn,
  awsClientOptions,
  readSubscriptionEnvironment,
} from '../../src/aws/environment.ts';
import { DEFAULT_RULES_CONFIG } from '../../src/rules/config.ts';

const BASE = {
  STATE_TABLE_NAME: 'state',
  ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq',
};

describe('readSubscriptionEnvironment', () => {
  it('reads the contract variables with defaults for the optional ones', () => {
    expect(readSubscriptionEnvironment(BASE)).toEqual({
      tableName: 'state',
      topicArn: BASE.ALERT_TOPIC_ARN,
      deadLetterQueueUrl: BASE.DEAD_LETTER_QUEUE_URL,
      logGroupSources: [],
      config: DEFAULT_RULES_CONFIG,
      account: '123456789012',
    });
  });

  it("takes the function's own account from the topic ARN, and none from an ARN without one", () => {
    expect(accountOfArn('arn:aws-cn:sns:cn-north-1:210987654321:alerts')).toBe('210987654321');
    expect(accountOfArn('arn:aws:sns:us-east-1::alerts')).toBeUndefined();
    expect(accountOfArn('alerts')).toBeUndefined();
    expect(
      readSubscriptionEnvironment({ ...BASE, ALERT_TOPIC_ARN: 'not-an-arn' }),
    ).not.toHaveProperty('account');
  });

  it('names every missing or bad variable at once', () => {
    expect(() =>
      readSubscriptionEnvironment({
        ALERT_TOPIC_ARN: 'x',
        LOG_GROUP_SOURCES: '[{"prefix":"/a","source":"nope"}]',
      }),
    ).toThrow(
      /STATE_TABLE_NAME is not set; DEAD_LETTER_QUEUE_URL is not set; LOG_GROUP_SOURCES\[0\]\.source/,
    );
  });

  it('reports a bad RULES_CONFIG by name', () => {
    expect(() => readSubscriptionEnvironment({ ...BASE, RULES_CONFIG: '{' })).toThrow(
      /RULES_CONFIG/,
    );
  });
});

describe('awsClientOptions', () => {
  it('points clients at an endpoint only when one is set', () => {
    expect(awsClientOptions({})).toEqual({});
    expect(
      awsClientOptions({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' }),
    ).toEqual({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:5000',
    });
  });
});
