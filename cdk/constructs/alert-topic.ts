/**
 * `AlertTopic`: the SNS topic alerts and alarms are published to.
 */

import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SubscriptionProtocol, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, UrlSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { isToken, throwIfProblems } from './validation.ts';

/** Default display name (shown as the sender of alert emails). */
export const DEFAULT_ALERT_TOPIC_DISPLAY_NAME = 'tunnelwatch';

/** Props of `AlertTopic`. */
export interface AlertTopicProps {
  /** @default - no email subscription */
  readonly emails?: readonly string[];
  /** HTTPS endpoints, e.g. a paging service's SNS integration URL. @default - none */
  readonly httpsEndpoints?: readonly string[];
  /**
   * Customer managed key. When the key is defined in this app, its policy gets
   * a statement letting CloudWatch alarms (`cloudwatch.amazonaws.com`) use it;
   * an imported key's policy must already allow that.
   * @default - not encrypted with KMS (cdk-nag no longer asks for it)
   */
  readonly masterKey?: IKey;
  /** @default - DEFAULT_ALERT_TOPIC_DISPLAY_NAME */
  readonly displayName?: string;
}

/**
 * An SNS topic with `enforceSSL` (deny publish without TLS), an optional KMS
 * key usable by CloudWatch alarms, and the configured email and HTTPS
 * subscriptions (HTTPS endpoints confirm the subscription themselves; email
 * recipients click the confirmation link).
 */
export class AlertTopic extends Construct {
  /** The topic. */
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: AlertTopicProps = {}) {
    super(scope, id);
    const problems: string[] = [];
    for (const [i, email] of (props.emails ?? []).entries()) {
      if (!isToken(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        problems.push(`emails[${i}] must be an email address, got "${email}"`);
      }
    }
    for (const [i, url] of (props.httpsEndpoints ?? []).entries()) {
      if (!isToken(url) && !url.startsWith('https://')) {
        problems.push(`httpsEndpoints[${i}] must be an https:// URL, got "${url}"`);
      }
    }
    throwIfProblems(this, problems);
    this.topic = new Topic(this, 'Topic', {
      displayName: props.displayName ?? DEFAULT_ALERT_TOPIC_DISPLAY_NAME,
      enforceSSL: true,
      ...(props.masterKey === undefined ? {} : { masterKey: props.masterKey }),
    });
    if (props.masterKey instanceof Key) {
      props.masterKey.addToResourcePolicy(
        new PolicyStatement({
          sid: 'AllowCloudWatchAlarmsToPublish',
          principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
        }),
      );
    }
    for (const email of props.emails ?? []) {
      this.topic.addSubscription(new EmailSubscription(email));
    }
    for (const url of props.httpsEndpoints ?? []) {
      this.topic.addSubscription(
        new UrlSubscription(url, { protocol: SubscriptionProtocol.HTTPS }),
      );
    }
  }
}
