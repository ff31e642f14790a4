import type { RemovalPolicy} from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ResolvedWickedPlatformProps } from '../props';
import { WICKED_COMPONENTS } from '../workload-props';
import { Backups } from './backups';
import { Database } from './database';
import { DynamicData } from './dynamic-data';
import { Gateways } from './gateways';
import type { ImageRepository } from './image-repository';
import { Monitoring } from './monitoring';
import { Network } from './network';
import type { Notifications } from './notifications';
import { SingletonServices } from './singleton-services';

/** Props of {@link Workload}. */
export interface WorkloadConstructProps {
  /** The platform's resolved props. */
  readonly platform: ResolvedWickedPlatformProps;
  /** portal-api's repository. */
  readonly images: ImageRepository;
  /** Alarms go here. */
  readonly notifications: Notifications;
  /** The load balancer's access logs go here. */
  readonly accessLogsBucket: s3.IBucket;
}

/**
 * wicked itself: VPC, ECS cluster (Container Insights on) with the singletons and the
 * Kong gateway groups behind a load balancer, the dynamic data on EFS, Postgres on RDS
 * when configured, AWS Backup, alarms and a dashboard.
 *
 * @example
 * new Workload(this, 'Workload', { platform: props, images, notifications, accessLogsBucket });
 */
export class Workload extends Construct {
  /** The VPC. */
  public readonly network: Network;
  /** Encrypts the file system, the database and the secrets of the workload. */
  public readonly dataKey: kms.Key;
  /** The ECS cluster, with the Cloud Map namespace `wicked-<env>.internal`. */
  public readonly cluster: ecs.Cluster;
  /** `PORTAL_CONFIG_KEY`: created with a placeholder; put the config's key in it. */
  public readonly portalConfigKey: secretsmanager.Secret;
  /** portal-api's dynamic data. */
  public readonly dynamicData: DynamicData;
  /** Postgres, unless `postgres` is `none`. */
  public readonly database?: Database;
  /** The singleton services. */
  public readonly singletons: SingletonServices;
  /** Kong and its load balancer. */
  public readonly gateways: Gateways;
  /** Vault, role and plan. */
  public readonly backups: Backups;
  /** Alarms and dashboard. */
  public readonly monitoring: Monitoring;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - resolved platform props and the control-plane resources it uses
   */
  public constructor(scope: Construct, id: string, props: WorkloadConstructProps) {
    super(scope, id);
    const p = props.platform;
    this.network = new Network(this, 'Network', { vpc: p.vpc, natGateways: p.natGateways, removalPolicy: p.removalPolicy });
    const vpc = this.network.vpc;
    this.dataKey = new kms.Key(this, 'DataKey', { description: 'Encrypts the wicked data: file system, database, secrets', enableKeyRotation: true, removalPolicy: p.removalPolicy });
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED,
      defaultCloudMapNamespace: { name: `wicked-${p.envName}.internal`, vpc, useForServiceConnect: false },
    });
    this.portalConfigKey = this.createPortalConfigKey(p.envName, p.removalPolicy);
    const logGroup = new logs.LogGroup(this, 'ServiceLogs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: p.removalPolicy });
    this.dynamicData = new DynamicData(this, 'DynamicData', { vpc, key: this.dataKey, removalPolicy: p.removalPolicy });
    if (p.postgres !== 'none') {
      this.database = new Database(this, 'Postgres', {
        vpc, key: this.dataKey, persistent: p.postgres === 'persistent', multiAz: p.postgresMultiAz, ...(p.postgresPasswordsRevision !== undefined ? { passwordsRevision: p.postgresPasswordsRevision } : {}), envName: p.envName, backupSchedule: p.backup.schedule, removalPolicy: p.removalPolicy,
      });
    }
    this.singletons = new SingletonServices(this, 'Singletons', {
      cluster: this.cluster, envName: p.envName, wickedVersion: p.wickedVersion, singletons: p.singletons, wickedImages: p.wickedImages,
      taskSizes: p.taskSizes, images: props.images, dynamicData: this.dynamicData, portalConfigKey: this.portalConfigKey,
      database: this.database, logGroup, ...(p.redisSessionStore ? { redisImage: p.redisImage } : {}), removalPolicy: p.removalPolicy,
      nodeEnv: p.nodeEnv, portalApiEnvironment: p.portalApiEnvironment, portalApiSecrets: p.portalApiSecrets,
    });
    this.gateways = new Gateways(this, 'Gateways', {
      cluster: this.cluster, envName: p.envName, groups: p.gatewayGroups, kongImage: p.kongImage, database: this.database, logGroup,
      accessLogsBucket: props.accessLogsBucket, domainNames: p.domainNames, certificateArn: p.certificateArn,
      kongAdapter: this.singletons.service('portal-kong-adapter'),
      upstreams: ['portal-api', 'portal', 'portal-auth'].filter((c) => p.singletons.includes(c))
        .map((c) => ({ peer: this.singletons.service(c), port: WICKED_COMPONENTS[c]!.port })),
    });
    this.allowDatabaseClients();
    this.backups = new Backups(this, 'Backups', { envName: p.envName, plan: p.backup, resources: this.backupResources(), removalPolicy: p.removalPolicy });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      envName: p.envName, notifications: props.notifications, singletons: this.singletons.services,
      gateways: this.gateways.groups, backupVaultName: this.backups.vault.backupVaultName, backupSchedule: p.backup.schedule,
    });
  }

  private allowDatabaseClients(): void {
    if (!this.database) return;
    this.database.allowFrom(this.singletons.service('portal-api'));
    this.database.allowFrom(this.singletons.service('portal-kong-adapter'));
    for (const group of Object.values(this.gateways.groups)) this.database.allowFrom(group.service);
    this.database.loginsAfterUsers(this.singletons.service('portal-api'), ...Object.values(this.gateways.groups).map((g) => g.service));
  }

  /** The file system always; the database only when it is persistent. */
  private backupResources(): backup.BackupResource[] {
    const resources = [backup.BackupResource.fromEfsFileSystem(this.dynamicData.fileSystem)];
    const db = this.database;
    if (db?.persistent) resources.push(backup.BackupResource.fromRdsDatabaseInstance(db.instance));
    return resources;
  }

  private createPortalConfigKey(envName: string, removalPolicy: RemovalPolicy): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'PortalConfigKey', {
      secretName: `wicked-${envName}/portal-config-key`,
      description: "PORTAL_CONFIG_KEY of portal-api: replace the placeholder with the config's deploy.envkey",
      encryptionKey: this.dataKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: "The value is the key of the config's encrypted values (deploy.envkey), set by the operator; rotating it means re-encrypting the config.",
    });
    return secret;
  }
}
