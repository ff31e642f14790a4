import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';

/** Key prefix under which operators upload config archives (`config/<env>/<name>.tgz`). */
export const CONFIG_PREFIX = 'config/';

/** Props of {@link ConfigBucket}. */
export interface ConfigBucketProps {
  /** Days after which non-current versions of config archives expire. */
  readonly noncurrentVersionDays: number;
  /** Applied to both buckets and the key. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The versioned, KMS-encrypted bucket operators upload config archives to, with
 * EventBridge notifications on and server access logs in a separate bucket.
 *
 * @example
 * const config = new ConfigBucket(this, 'Config', { noncurrentVersionDays: 90, removalPolicy: RemovalPolicy.RETAIN });
 * config.grantReadConfig(fn);
 */
export class ConfigBucket extends Construct {
  /** The config bucket. */
  public readonly bucket: s3.Bucket;
  /** Customer-managed key of the config bucket (rotation on). */
  public readonly key: kms.Key;
  /**
   * Receives the config bucket's server access logs (SSE-S3: log delivery cannot use SSE-KMS).
   * It has no access logs of its own; cdk-nag treats a log destination as compliant.
   */
  public readonly accessLogsBucket: s3.Bucket;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - retention and removal settings
   */
  public constructor(scope: Construct, id: string, props: ConfigBucketProps) {
    super(scope, id);
    // Grant log delivery through a bucket policy scoped to the config bucket, not the
    // legacy LogDeliveryWrite ACL, whatever feature flags the enclosing app sets.
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the wicked config archives',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      // Access logs are audit material, but not forever: a year covers incident reviews.
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: props.removalPolicy,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'config-bucket/',
      lifecycleRules: [{
        noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      }],
      removalPolicy: props.removalPolicy,
    });
    enableEventBridge(this.bucket);
  }

  /** Name of the config bucket. */
  public get bucketName(): string {
    return this.bucket.bucketName;
  }

  /**
   * Lets `grantee` read config archives (any version) under `config/` and decrypt them:
   * nothing else in the bucket, no listing, no writes.
   *
   * @param grantee - the principal that reads config archives
   */
  public grantReadConfig(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [this.bucket.arnForObjects(`${CONFIG_PREFIX}*`)],
    }));
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [this.key.keyArn],
    }));
  }
}

/**
 * Turns on EventBridge notifications on the CloudFormation bucket itself. The L2
 * `eventBridgeEnabled` prop would deploy a custom-resource Lambda (with its own role
 * and managed policy) to call PutBucketNotification; CloudFormation supports the
 * setting natively, so the stack needs no extra function.
 */
function enableEventBridge(bucket: s3.Bucket): void {
  const cfnBucket = bucket.node.defaultChild as s3.CfnBucket;
  cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
}
