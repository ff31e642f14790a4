import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Attribute DynamoDB's TTL reads (epoch seconds) to drop expired ledger items such as leases. */
export const LEDGER_TTL_ATTRIBUTE = 'expiresAt';

/** What the control-plane functions do with the ledger: item reads, queries and writes; never a Scan. */
export const LEDGER_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;
/** What a reader of the ledger does: item reads and queries. */
export const LEDGER_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'] as const;
/** What DynamoDB needs of the caller on the table's customer-managed key. */
export const LEDGER_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'] as const;

/** Props of {@link LedgerTable}. */
export interface LedgerTableProps {
  /** Applied to the table and its key. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The deployment ledger: config hash, S3 version, image digest, ECS deployment and
 * recovery point of every deployment, plus locks. Single-table design with string
 * keys `pk` and `sk`; on-demand, point-in-time recovery, customer-managed key. Deletion
 * protection of a retained table is switched on after the create (`deletion-protection.ts`),
 * so a failed first create can still roll back.
 *
 * @example
 * const ledger = new LedgerTable(this, 'Ledger', { removalPolicy: RemovalPolicy.RETAIN });
 * ledger.table.grantReadWriteData(fn);
 */
export class LedgerTable extends Construct {
  /** The ledger table. */
  public readonly table: dynamodb.Table;
  /** Customer-managed key of the table (rotation on). */
  public readonly key: kms.Key;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - removal setting
   */
  public constructor(scope: Construct, id: string, props: LedgerTableProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the wicked deployment ledger',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    // AWS::DynamoDB::Table rather than TableV2's GlobalTable: cdk-nag checks PITR only on the former.
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      timeToLiveAttribute: LEDGER_TTL_ATTRIBUTE,
      // Deletion protection comes after the create (DeletionProtection), so that a failed create can roll back.
      removalPolicy: props.removalPolicy,
    });
  }

  /**
   * Item reads and queries on the table, and decryption with its key: for
   * build-image, which reads the deployed configuration and never writes.
   *
   * @param grantee - a function's role
   */
  public grantLedgerRead(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...LEDGER_READ_ACTIONS], resources: [this.table.tableArn] }));
    this.key.grant(grantee, 'kms:Decrypt', 'kms:DescribeKey');
  }

  /**
   * Item reads, queries and writes on the table (no Scan, no index: the table has none), and its key.
   *
   * @param grantee - a function's role
   */
  public grantLedgerAccess(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...LEDGER_ACTIONS], resources: [this.table.tableArn] }));
    this.key.grant(grantee, ...LEDGER_KEY_ACTIONS);
  }
}
