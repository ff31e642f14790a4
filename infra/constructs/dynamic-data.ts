import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Where portal-api keeps its dynamic data (JSON storage). */
export const DYNAMIC_DATA_PATH = '/var/portal-api/dynamic';
/**
 * The user and group wicked's images run as: the Dockerfiles create `wicked` with
 * uid/gid 888 (`useradd -r -g wicked --uid=888 wicked`) and switch to it.
 */
export const WICKED_UID = '888';

/** Props of {@link DynamicData}. */
export interface DynamicDataProps {
  /** The VPC; mount targets go to its private subnets (one per AZ). */
  readonly vpc: ec2.IVpc;
  /** Encrypts the file system. */
  readonly key: kms.IKey;
  /** Applied to the file system. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * portal-api's dynamic data on EFS: encrypted with a customer-managed key, regional
 * (multi-AZ), EFS's own automatic backups off (AWS Backup's plan covers it), and one
 * access point that presents `/wicked-dynamic` as root, owned by wicked's uid/gid 888.
 * Clients must use TLS and IAM; anonymous access is refused by the file-system policy.
 *
 * @example
 * const data = new DynamicData(this, 'DynamicData', { vpc, key, removalPolicy });
 * data.grantMount(taskRole);
 */
export class DynamicData extends Construct {
  /** The file system. */
  public readonly fileSystem: efs.FileSystem;
  /** portal-api's access point. */
  public readonly accessPoint: efs.AccessPoint;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - VPC, key and removal policy
   */
  public constructor(scope: Construct, id: string, props: DynamicDataProps) {
    super(scope, id);
    this.fileSystem = new efs.FileSystem(this, 'FileSystem', {
      vpc: props.vpc,
      vpcSubnets: { subnets: props.vpc.privateSubnets },
      encrypted: true,
      kmsKey: props.key,
      enableAutomaticBackups: false,
      performanceMode: efs.PerformanceMode.GENERAL_PURPOSE,
      throughputMode: efs.ThroughputMode.ELASTIC,
      lifecyclePolicy: efs.LifecyclePolicy.AFTER_30_DAYS,
      removalPolicy: props.removalPolicy,
    });
    // Explicit, whatever EFS's default for new file systems: AWS Backup's plan owns the backups.
    (this.fileSystem.node.defaultChild as efs.CfnFileSystem).backupPolicy = { status: 'DISABLED' };
    this.fileSystem.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['*'],
      conditions: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
    this.accessPoint = this.fileSystem.addAccessPoint('PortalApi', {
      path: '/wicked-dynamic',
      posixUser: { uid: WICKED_UID, gid: WICKED_UID },
      createAcl: { ownerUid: WICKED_UID, ownerGid: WICKED_UID, permissions: '750' },
    });
  }

  /**
   * Lets `grantee` mount and write through portal-api's access point only.
   *
   * @param grantee - portal-api's task role
   */
  public grantMount(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
      resources: [this.fileSystem.fileSystemArn],
      conditions: { StringEquals: { 'elasticfilesystem:AccessPointArn': this.accessPoint.accessPointArn } },
    }));
  }
}
