/**
 * `AlertStateTable`: the DynamoDB table holding rule state, open alerts and
 * dedup records (pipeline-contract.md, "Lambda environment").
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Partition key attribute (string). */
export const STATE_PARTITION_KEY = 'pk';
/** TTL attribute: epoch seconds. */
export const STATE_TTL_ATTRIBUTE = 'expiresAt';

/** Props of `AlertStateTable`. */
export interface AlertStateTableProps {
  /** @default - encrypted with a key owned by DynamoDB */
  readonly encryptionKey?: IKey;
  /** @default - RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * On-demand table, partition key `pk` (S), TTL on `expiresAt`, point-in-time
 * recovery on.
 */
export class AlertStateTable extends Construct {
  /** The table. */
  readonly table: Table;

  constructor(scope: Construct, id: string, props: AlertStateTableProps = {}) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: STATE_PARTITION_KEY, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: STATE_TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...(props.encryptionKey === undefined
        ? {}
        : { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.encryptionKey }),
    });
  }
}
