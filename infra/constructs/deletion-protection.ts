import { type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { CUSTOM_RESOURCE_SERVICE_TIMEOUT } from './custom-resource-timeout';

/** CloudFormation type of the custom resources that turn deletion protection on. */
export const DELETION_PROTECTION_RESOURCE_TYPE = 'Custom::WickedDeletionProtection';

/** What to protect. */
export interface DeletionProtectionProps {
  /** The ledger table. */
  readonly table: dynamodb.ITable;
  /** The internet-facing load balancer. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The database instance, when it is persistent. */
  readonly database?: rds.IDatabaseInstance;
  /** Applied to the provider's log group. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Turns deletion protection on for the ledger table, the load balancer and a persistent
 * database once the rest of the stack exists. In the template the protection would make a
 * failed first create end in ROLLBACK_FAILED (CloudFormation cannot delete a protected
 * resource), so it is set by a create-only call that {@link DeletionProtection.after}
 * orders after every other resource: if anything fails before it, nothing is protected
 * and the rollback is clean; once it has run, nothing of the create is left to fail.
 * The protected properties are absent from the template, so no later update turns them off;
 * the resources are retained on delete (`RETAIN_ON_UPDATE_OR_DELETE`) in any case.
 *
 * @example
 * const protection = new DeletionProtection(this, 'DeletionProtection', { table, loadBalancer, database, removalPolicy });
 * protection.after(...otherConstructs);
 */
export class DeletionProtection extends Construct {
  /** The custom resources, one per protected resource. */
  public readonly calls: cr.AwsCustomResource[] = [];

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - the resources to protect
   */
  public constructor(scope: Construct, id: string, props: DeletionProtectionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: props.removalPolicy });
    const protect = (name: string, call: cr.AwsSdkCall, action: string, resource: string): void => {
      this.calls.push(new cr.AwsCustomResource(this, name, {
        resourceType: DELETION_PROTECTION_RESOURCE_TYPE,
        onCreate: call, // create only: no update, and no delete that would lift the protection
        policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: [action], resources: [resource] })]),
        installLatestAwsSdk: false,
        serviceTimeout: CUSTOM_RESOURCE_SERVICE_TIMEOUT,
        logGroup,
      }));
    };
    protect('Ledger', {
      service: 'DynamoDB', action: 'UpdateTable',
      parameters: { TableName: props.table.tableName, DeletionProtectionEnabled: true },
      physicalResourceId: cr.PhysicalResourceId.of(`deletion-protection-${props.table.tableName}`),
    }, 'dynamodb:UpdateTable', props.table.tableArn);
    protect('LoadBalancer', {
      service: 'ElasticLoadBalancingV2', action: 'ModifyLoadBalancerAttributes',
      parameters: { LoadBalancerArn: props.loadBalancer.loadBalancerArn, Attributes: [{ Key: 'deletion_protection.enabled', Value: 'true' }] },
      physicalResourceId: cr.PhysicalResourceId.of('deletion-protection-load-balancer'),
    }, 'elasticloadbalancing:ModifyLoadBalancerAttributes', props.loadBalancer.loadBalancerArn);
    if (props.database) {
      protect('Database', {
        service: 'RDS', action: 'ModifyDBInstance',
        parameters: { DBInstanceIdentifier: props.database.instanceIdentifier, DeletionProtection: true, ApplyImmediately: true },
        physicalResourceId: cr.PhysicalResourceId.of('deletion-protection-database'),
      }, 'rds:ModifyDBInstance', props.database.instanceArn);
    }
  }

  /**
   * Orders the protection after these constructs (and every resource in them).
   *
   * @param constructs - everything else of the stack
   */
  public after(...constructs: IConstruct[]): void {
    for (const call of this.calls) call.node.addDependency(...constructs);
  }
}
