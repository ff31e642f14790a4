import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BuildImageFunction } from './constructs/build-image-function';
import { ConfigBucket } from './constructs/config-bucket';
import { ConfigUploadRule } from './constructs/config-upload-rule';
import { ImageRepository } from './constructs/image-repository';
import { LedgerTable } from './constructs/ledger-table';
import { ALARM_PERIOD, Notifications } from './constructs/notifications';
import { Workload } from './constructs/workload';
import { resolveWickedPlatformProps, type ResolvedWickedPlatformProps, type WickedPlatformProps } from './props';

/**
 * One environment of wicked on AWS and the serverless control plane that runs it.
 *
 * It holds the config bucket, the portal-api image repository with its Docker Hub
 * pull-through cache, the deployment ledger, the build-image function triggered by
 * config uploads, notifications with alarms, and the workload (VPC, ECS singletons,
 * Kong gateway groups behind a load balancer, EFS, RDS, AWS Backup, dashboard).
 *
 * @example
 * const stack = new Stack(app, 'wicked-dev');
 * new WickedPlatform(stack, 'Platform', { envName: 'dev', notificationEmail: 'ops@example.com' });
 */
export class WickedPlatform extends Construct {
  /** The props after validation, with every default applied. */
  public readonly props: ResolvedWickedPlatformProps;
  /** Config bucket, its key and its access-log bucket. */
  public readonly config: ConfigBucket;
  /** portal-api repository and pull-through cache. */
  public readonly images: ImageRepository;
  /** Deployment ledger. */
  public readonly ledger: LedgerTable;
  /** Failed config-upload events and failed build invocations end up here. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The build-image function. */
  public readonly buildImage: BuildImageFunction;
  /** S3 Object Created under config/ → build-image. */
  public readonly configUploadRule: ConfigUploadRule;
  /** Topic and alarms. */
  public readonly notifications: Notifications;
  /** wicked itself: network, services, gateways, data, backups, dashboard. */
  public readonly workload: Workload;

  /**
   * @param scope - parent construct, usually a Stack
   * @param id - construct id
   * @param props - checked at once; see {@link WickedPlatformProps}
   * @throws InvalidPropError or UnknownPropError when a prop is wrong
   */
  public constructor(scope: Construct, id: string, props: WickedPlatformProps) {
    super(scope, id);
    const p = resolveWickedPlatformProps(props);
    this.props = p;
    this.config = new ConfigBucket(this, 'Config', { noncurrentVersionDays: p.configNoncurrentVersionDays, removalPolicy: p.removalPolicy });
    this.images = new ImageRepository(this, 'Images', p);
    this.ledger = new LedgerTable(this, 'Ledger', { removalPolicy: p.removalPolicy });
    this.deadLetterQueue = this.createDeadLetterQueue();
    this.buildImage = new BuildImageFunction(this, 'BuildImage', {
      entry: p.functionEntries.buildImage,
      config: this.config,
      images: this.images,
      baseImageRepository: p.baseImageRepository,
      wickedVersion: p.wickedVersion,
      reservedConcurrency: p.buildImageReservedConcurrency,
      failureQueue: this.deadLetterQueue,
      removalPolicy: p.removalPolicy,
    });
    this.notifications = new Notifications(this, 'Notifications', { email: p.notificationEmail, removalPolicy: p.removalPolicy });
    this.createAlarms();
    this.workload = new Workload(this, 'Workload', {
      platform: p, images: this.images, notifications: this.notifications, accessLogsBucket: this.config.accessLogsBucket,
    });
    this.configUploadRule = new ConfigUploadRule(this, 'ConfigUploaded', {
      names: { configBucket: this.config.bucketName, cluster: this.workload.cluster.clusterName },
      target: this.buildImage.function,
      deadLetterQueue: this.deadLetterQueue,
    });
    this.createOutputs();
  }

  private createDeadLetterQueue(): sqs.Queue {
    const queue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the config-upload rule and of build-image invocations.',
    });
    return queue;
  }

  private createAlarms(): void {
    this.notifications.alarmOnAtLeastOne('BuildImageErrors', {
      metric: this.buildImage.function.metricErrors({ period: ALARM_PERIOD }),
      description: `wicked ${this.props.envName}: build-image failed; see its log group and the dead-letter queue`,
    });
    this.notifications.alarmOnAtLeastOne('DeadLetters', {
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      description: `wicked ${this.props.envName}: a config upload was not built; inspect and redrive the dead-letter queue`,
    });
  }

  private createOutputs(): void {
    new CfnOutput(this, 'ConfigBucketName', { value: this.config.bucketName, description: 'Upload config archives to config/<env>/ here' });
    new CfnOutput(this, 'PortalApiRepositoryUri', { value: this.images.repository.repositoryUri });
    new CfnOutput(this, 'LedgerTableName', { value: this.ledger.table.tableName });
    new CfnOutput(this, 'NotificationTopicArn', { value: this.notifications.topic.topicArn });
    new CfnOutput(this, 'DockerHubCredentialsSecretArn', { value: this.images.dockerHubCredentials.secretArn });
    const w = this.workload;
    new CfnOutput(this, 'LoadBalancerDnsName', { value: w.gateways.loadBalancer.loadBalancerDnsName, description: 'Point the domain names here' });
    new CfnOutput(this, 'PortalConfigKeySecretArn', { value: w.portalConfigKey.secretArn, description: "Put the config's deploy.envkey here" });
    new CfnOutput(this, 'ClusterName', { value: w.cluster.clusterName });
    new CfnOutput(this, 'BackupVaultName', { value: w.backups.vault.backupVaultName });
    new CfnOutput(this, 'BackupRoleArn', { value: w.backups.role.roleArn, description: 'Role for on-demand backup and restore jobs' });
  }
}
