import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BASE_IMAGE_CHANGED_RULE } from '../shared/events/rules';
import { BaseImageChange } from './constructs/base-image-change';
import { BuildImageFunction } from './constructs/build-image-function';
import { platformVariableNames, validationLambdaEnvironment } from './validation-props';
import { ConfigBucket } from './constructs/config-bucket';
import { addControlPlaneRules, type RoutedRule } from './constructs/control-plane-rules';
import { DeletionProtection } from './constructs/deletion-protection';
import { DeployFunctions } from './constructs/deploy-functions';
import { EnvironmentParameters, stabilizeOutputNames } from './constructs/environment-parameters';
import { ImageRepository } from './constructs/image-repository';
import { LedgerTable } from './constructs/ledger-table';
import { ALARM_PERIOD, Notifications } from './constructs/notifications';
import { SnapshotFunctions } from './constructs/snapshot-functions';
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
  /** Announces the base image on create and on change: build-image rebuilds the deployed config. */
  public readonly baseImageChange: BaseImageChange;
  /** The build-image function. */
  public readonly buildImage: BuildImageFunction;
  /** deploy-services and track-deployment. */
  public readonly deploy: DeployFunctions;
  /** snapshot-data (with its schedule) and track-backup. */
  public readonly snapshot: SnapshotFunctions;
  /** The rules of the shared rule list (shared/events/rules.ts) by name, e.g. `ConfigUploaded`. */
  public readonly rules: Readonly<Record<string, RoutedRule>>;
  /** Topic and alarms. */
  public readonly notifications: Notifications;
  /** wicked itself: network, services, gateways, data, backups, dashboard. */
  public readonly workload: Workload;
  /** Turns deletion protection on after the create, when resources are retained. */
  public readonly deletionProtection?: DeletionProtection;
  /** `/wicked/<env>/...`: what `wickedctl --env` reads to find this environment. */
  public readonly parameters: EnvironmentParameters;

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
      ledger: this.ledger,
      validationEnvironment: validationLambdaEnvironment(p, p.postgres !== 'none'),
    });
    this.notifications = new Notifications(this, 'Notifications', {
      email: p.notificationEmail, topicArn: p.notificationTopicArn, topicKeyArn: p.notificationTopicKeyArn, removalPolicy: p.removalPolicy,
    });
    this.createAlarms();
    this.workload = new Workload(this, 'Workload', {
      platform: p, images: this.images, notifications: this.notifications, accessLogsBucket: this.config.accessLogsBucket,
    });
    // Kong and Redis pull through the cache during the create: the rule must exist first when this stack owns it.
    if (this.images.pullThroughCacheRule) this.workload.node.addDependency(this.images.pullThroughCacheRule);
    this.deploy = this.createDeployFunctions();
    this.snapshot = this.createSnapshotFunctions();
    this.rules = addControlPlaneRules(this, {
      names: { configBucket: this.config.bucketName, cluster: this.workload.cluster.clusterName, backupVault: this.workload.backups.vault.backupVaultName, env: p.envName },
      functions: {
        'build-image': this.buildImage.function,
        'deploy-services': this.deploy.deployServices.function,
        'track-deployment': this.deploy.trackDeployment.function,
        'snapshot-data': this.snapshot.snapshotData.function,
        'track-backup': this.snapshot.trackBackup.function,
      },
      deadLetterQueue: this.deadLetterQueue,
    });
    this.createFunctionAlarms();
    this.baseImageChange = this.announceBaseImage();
    this.createOutputs();
    this.parameters = this.writeParameters();
    stabilizeOutputNames(this);
    if (p.removalPolicy !== RemovalPolicy.DESTROY) this.deletionProtection = this.protectAfterCreate();
  }

  /** Deletion protection as the last step of the create: see {@link DeletionProtection}. */
  private protectAfterCreate(): DeletionProtection {
    // Everything of the platform, and what CDK puts beside it in the stack (log-retention and provider functions).
    const others = [...this.node.children, ...Stack.of(this).node.children.filter((child) => child !== this)];
    const protection = new DeletionProtection(this, 'DeletionProtection', {
      table: this.ledger.table, loadBalancer: this.workload.gateways.loadBalancer, removalPolicy: this.props.removalPolicy,
      ...(this.workload.database?.persistent ? { database: this.workload.database.instance } : {}),
    });
    protection.after(...others);
    return protection;
  }
  /** The SSM parameters `wickedctl --env <name>` reads (shared/environment/parameters.ts). */
  private writeParameters(): EnvironmentParameters {
    const w = this.workload;
    return new EnvironmentParameters(this, 'Parameters', {
      envName: this.props.envName,
      values: {
        configBucket: this.config.bucketName,
        ledgerTable: this.ledger.table.tableName,
        eventBus: 'default',
        cluster: w.cluster.clusterName,
        // Every ECS service of the environment: the singletons, Redis when wicked keeps its sessions there, the gateway groups.
        services: [...Object.values(w.singletons.services), ...(w.singletons.redis ? [w.singletons.redis] : []), ...Object.values(w.gateways.groups).map((g) => g.service)].map((s) => s.serviceName),
        repository: this.images.repository.repositoryUri,
        backupVault: w.backups.vault.backupVaultName,
        notificationTopic: this.notifications.topic.topicArn,
        // The same values build-image validates with (validationLambdaEnvironment), so wickedctl upload and promote judge as it does.
        nodeEnv: this.props.nodeEnv,
        platformVariables: platformVariableNames(this.props, this.props.postgres !== 'none'),
        strictValidation: String(this.props.strictValidation),
      },
    });
  }

  /** The base image event of `cdk deploy`, after its consumer (function and rule) is in place. */
  private announceBaseImage(): BaseImageChange {
    const change = new BaseImageChange(this, 'BaseImageChange', { envName: this.props.envName, baseImage: this.buildImage.baseImage, removalPolicy: this.props.removalPolicy });
    change.node.addDependency(this.buildImage.function, this.rules[BASE_IMAGE_CHANGED_RULE.name]!);
    return change;
  }

  private createDeployFunctions(): DeployFunctions {
    const p = this.props;
    const others = Object.entries(this.workload.singletons.services).filter(([name]) => name !== 'portal-api').map(([, service]) => service);
    return new DeployFunctions(this, 'Deploy', {
      envName: p.envName, entries: p.functionEntries, cluster: this.workload.cluster,
      service: this.workload.singletons.service('portal-api'), repository: this.images.repository,
      // `wickedctl restart`: the other singletons and every gateway group (Kong reads its secrets at task start).
      restartable: [...others, ...Object.values(this.workload.gateways.groups).map((group) => group.service)],
      // Created with no task (they wait for portal-api): the reconcile loop brings them up after portal-api's first good deployment.
      singletons: others,
      ledger: this.ledger, notifications: this.notifications, failureQueue: this.deadLetterQueue, removalPolicy: p.removalPolicy,
      preDeploySnapshot: p.preDeploySnapshot,
      snapshotResources: this.snapshotResources(),
    });
  }

  /** The dynamic data every snapshot covers: the EFS file system, and the RDS instance when it is persistent. */
  private snapshotResources(): string[] {
    const w = this.workload;
    return [w.dynamicData.fileSystem.fileSystemArn, ...(w.database?.persistent ? [w.database.instance.instanceArn] : [])];
  }

  private createSnapshotFunctions(): SnapshotFunctions {
    const p = this.props;
    const w = this.workload;
    return new SnapshotFunctions(this, 'Snapshot', {
      envName: p.envName, entries: p.functionEntries, vault: w.backups.vault, backupRole: w.backups.role,
      fileSystemArn: w.dynamicData.fileSystem.fileSystemArn,
      ...(w.database?.persistent ? { databaseArn: w.database.instance.instanceArn } : {}),
      plan: p.backup, ledger: this.ledger, notifications: this.notifications, failureQueue: this.deadLetterQueue, removalPolicy: p.removalPolicy,
      sweepGroup: this.deploy.stuckCheckGroup,
    });
  }

  private createDeadLetterQueue(): sqs.Queue {
    const queue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the control-plane rules and of the control-plane functions.',
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
      description: `wicked ${this.props.envName}: a control-plane event or invocation failed; inspect and redrive the dead-letter queue`,
    });
  }

  /** Errors of the four event-driven functions (build-image has its own), and stuck deployments. */
  private createFunctionAlarms(): void {
    const env = this.props.envName;
    const functions = {
      DeployServices: this.deploy.deployServices, TrackDeployment: this.deploy.trackDeployment,
      SnapshotData: this.snapshot.snapshotData, TrackBackup: this.snapshot.trackBackup,
    };
    for (const [name, fn] of Object.entries(functions)) {
      this.notifications.alarmOnAtLeastOne(`${name}Errors`, {
        metric: fn.function.metricErrors({ period: ALARM_PERIOD }),
        description: `wicked ${env}: ${fn.service} failed; see its log group and the dead-letter queue`,
      });
    }
    this.notifications.alarmOnAtLeastOne('DeploymentStuck', {
      metric: this.deploy.metricDeploymentsStuck(ALARM_PERIOD),
      description: `wicked ${env}: a portal-api deployment got no terminal ECS event before its deadline and was failed as stuck; the release tag is back on the last good digest, see deploy-services' log and the ECS service events`,
    });
  }

  private createOutputs(): void {
    new CfnOutput(this, 'ConfigBucketName', { value: this.config.bucketName, description: 'Upload config archives to config/<env>/ here' });
    new CfnOutput(this, 'PortalApiRepositoryUri', { value: this.images.repository.repositoryUri });
    new CfnOutput(this, 'LedgerTableName', { value: this.ledger.table.tableName });
    new CfnOutput(this, 'NotificationTopicArn', { value: this.notifications.topic.topicArn });
    if (this.images.dockerHubCredentials) new CfnOutput(this, 'DockerHubCredentialsSecretArn', { value: this.images.dockerHubCredentials.secretArn });
    const w = this.workload;
    new CfnOutput(this, 'LoadBalancerDnsName', { value: w.gateways.loadBalancer.loadBalancerDnsName, description: 'Point the domain names here' });
    new CfnOutput(this, 'PortalConfigKeySecretArn', { value: w.portalConfigKey.secretArn, description: "Put the config's deploy.envkey here" });
    new CfnOutput(this, 'ClusterName', { value: w.cluster.clusterName });
    new CfnOutput(this, 'BackupVaultName', { value: w.backups.vault.backupVaultName });
    new CfnOutput(this, 'BackupRoleArn', { value: w.backups.role.roleArn, description: 'Role for on-demand backup and restore jobs' });
  }
}
