import { type CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CUSTOM_RESOURCE_SERVICE_TIMEOUT } from './custom-resource-timeout';
import { DatabaseUsers, type ApplicationUser } from './database-users';

/** Postgres port; the security group, not the port number, keeps others out. */
export const POSTGRES_PORT = 5432;
/**
 * The master user. Only the database-users function logs in as it; the name stays what
 * earlier versions created the instance with (a new master name would replace the instance).
 */
export const POSTGRES_USER = 'wicked';
/**
 * Kong's database, created with the instance and owned by {@link KONG_ROLE}. Kong does not
 * create its database (wicked `doc/postgres-notes.md`: "the (existing!) database"), and
 * `kong start --run-migrations` (wicked `src/kong/startup.sh`) creates its tables, functions
 * and triggers in it (Kong/kong 0.14 `kong/dao/migrations/postgres.lua`), which its owner may.
 */
export const KONG_DATABASE = 'kong';
/** Kong's login role: wicked's default Kong user (`src/kong/Dockerfile` `KONG_PG_USER kong`, Helm `values.yaml` `pgUser: kong`). */
export const KONG_ROLE = 'kong';
/**
 * wicked's database: portal-api's default (`src/api/dao/postgres/pg-utils.js` `resolveDatabase`,
 * `src/env/initial-config/static/globals.json` `pgDatabase`), set explicitly in its container as
 * `PORTAL_STORAGE_PGDATABASE`. The stack creates it owned by {@link PORTAL_API_ROLE}: portal-api
 * then finds it, never reaches its own `CREATE DATABASE` (taken only on error 3D000, "database
 * does not exist", in `getPoolOrClient`), and so needs no CREATEDB; it creates the schema
 * `wicked` with its tables, a plpgsql function and triggers (`schemas/core.sql`), which the
 * database's owner may.
 */
export const WICKED_DATABASE = 'wicked';
/** portal-api's login role; `wicked` is taken by the master, so the role is named after the component. */
export const PORTAL_API_ROLE = 'portal_api';

/** Props of {@link Database}. */
export interface DatabaseProps {
  /** The VPC; the instance goes to its private subnets. */
  readonly vpc: ec2.IVpc;
  /** Encrypts storage and the generated secret. */
  readonly key: kms.IKey;
  /** `persistent`: deletion protection, automated backups, snapshot on delete; `ephemeral`: none of these. */
  readonly persistent: boolean;
  /** Standby in a second AZ. */
  readonly multiAz: boolean;
  /** Changed, it sets the users' passwords again from their secrets (the users' resource `PasswordsRevision`). @default - none */
  readonly passwordsRevision?: string;
  /** Environment name, part of the secret name. */
  readonly envName: string;
  /** The AWS Backup plan's cron expression: RDS's own backup window is kept apart from it. */
  readonly backupSchedule: string;
  /** Applied to the application users' secrets and the database-users function's logs. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Password hashing both of the instance's clients can log in with: `md5`. RDS for
 * PostgreSQL 14 and later hash new passwords with `scram-sha-256` by default. portal-api's
 * `pg` 7.18.1 (Haufe-Lexware/wicked.haufe.io `src/api/package.json`) speaks SCRAM (added in
 * pg 7.9.0, brianc/node-postgres `CHANGELOG.md`), but Kong 0.14.1, the base of wicked's
 * Kong image (`src/kong/Dockerfile`: `FROM kong:0.14.1-centos`) and this stack's default
 * `kongImage`, pins `pgmoon == 1.8.0` (Kong/kong `kong-0.14.1-0.rockspec`), which answers
 * only cleartext and MD5 password requests. The hash is chosen when the password is set, so
 * the parameter group must say md5 when the instance (and its master password) is created.
 */
export const PASSWORD_ENCRYPTION = 'md5';

/**
 * The hours of a cron expression's hour field (`3`, `0,12`, `1-4`, `*\/6`, `2/8`, `*`).
 *
 * @example
 * cronHours('cron(0 *\/12 * * ? *)') // [0, 12]
 */
export function cronHours(schedule: string): number[] {
  const field = /^cron\(\s*\S+\s+(\S+)/.exec(schedule)?.[1] ?? '*';
  const hours = new Set<number>();
  for (const part of field.split(',')) {
    const [range = '*', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    const [from, to] = range === '*' ? [0, 23] : range.includes('-') ? range.split('-').map(Number) as [number, number] : [Number(range), stepText === undefined ? Number(range) : 23];
    for (let h = from; h <= to; h += step) if (Number.isInteger(h) && h >= 0 && h < 24) hours.add(h);
  }
  return [...hours].sort((a, b) => a - b);
}

/**
 * RDS's automated backup window, kept apart from the AWS Backup plan: the hour that is
 * longest after the latest start of the plan (so past its start and completion windows)
 * and still before the next one. AWS Backup skips or delays an RDS job that meets the
 * instance's own backup or maintenance window, so they must not meet. The maintenance
 * window (which RDS refuses to overlap the backup window) is the hour before, on Sunday.
 *
 * @example
 * rdsBackupWindow('cron(0 3 * * ? *)') // { backup: '02:00-02:30', maintenance: 'Sun:01:00-Sun:01:30' }
 */
export function rdsBackupWindow(schedule: string): { readonly backup: string; readonly maintenance: string } {
  const starts = cronHours(schedule);
  const sinceLastStart = (h: number): number => Math.min(...starts.map((p) => (h - p + 24) % 24));
  let hour = 0;
  for (let h = 0; h < 24; h++) if (sinceLastStart(h) > sinceLastStart(hour)) hour = h;
  const hh = (h: number): string => String((h + 24) % 24).padStart(2, '0');
  return { backup: `${hh(hour)}:00-${hh(hour)}:30`, maintenance: `Sun:${hh(hour - 1)}:00-Sun:${hh(hour - 1)}:30` };
}

/**
 * Postgres on RDS for Kong (`kong` database) and wicked's Postgres storage (`wicked` database):
 * encrypted, private, reachable only from the security groups {@link Database.allowFrom} is
 * called with. Each application logs in as its own role that owns its own database
 * ({@link Database.users}, created by the `Custom::WickedDatabaseUsers` resource); the
 * generated master credentials are read by that resource's function only.
 *
 * @example
 * const db = new Database(this, 'Postgres', { vpc, key, persistent: true, multiAz: true, envName: 'prod', backupSchedule, removalPolicy });
 * db.allowFrom(kongService);
 * db.loginsAfterUsers(kongService);
 * ecs.Secret.fromSecretsManager(db.users.kong.secret, 'password');
 */
export class Database extends Construct {
  /** The instance. */
  public readonly instance: rds.DatabaseInstance;
  /** The generated master credentials (`username`, `password`, `host`, `port`): for the database-users function only. */
  public readonly secret: secretsmanager.ISecret;
  /** Kong's and portal-api's own users, each owning its database. */
  public readonly users: { readonly kong: ApplicationUser; readonly portalApi: ApplicationUser };
  /** Creates the users; every service that logs in starts after it. */
  public readonly usersResource: DatabaseUsers;
  /** Whether the database is kept (deletion protection, backups) or ephemeral. */
  public readonly persistent: boolean;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - network, key, persistence
   */
  public constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    this.persistent = props.persistent;
    const windows = rdsBackupWindow(props.backupSchedule);
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.SMALL),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      credentials: rds.Credentials.fromGeneratedSecret(POSTGRES_USER, { secretName: `wicked-${props.envName}/postgres`, encryptionKey: props.key }),
      storageEncrypted: true,
      storageEncryptionKey: props.key,
      multiAz: props.multiAz,
      port: POSTGRES_PORT,
      databaseName: KONG_DATABASE,
      allocatedStorage: 20,
      maxAllocatedStorage: 100,
      storageType: rds.StorageType.GP3,
      backupRetention: props.persistent ? Duration.days(7) : Duration.days(0),
      ...(props.persistent ? { preferredBackupWindow: windows.backup } : {}),
      preferredMaintenanceWindow: windows.maintenance,
      removalPolicy: props.persistent ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      cloudwatchLogsRetention: logs.RetentionDays.THREE_MONTHS,
      parameters: { 'rds.force_ssl': '1', password_encryption: PASSWORD_ENCRYPTION },
      autoMinorVersionUpgrade: true,
    });
    // Deletion protection is turned on once the whole stack exists (DeletionProtection): set here,
    // a failed create could not delete the instance and would end in ROLLBACK_FAILED. Left out of the
    // template altogether, so that no later update of the instance sends a value that turns it off.
    (this.instance.node.defaultChild as rds.CfnDBInstance).addPropertyDeletionOverride('DeletionProtection');
    // The exported log groups' retention is a custom resource (CDK's LogRetention) too: bounded like the stack's own.
    for (const retention of this.instance.node.findAll().filter((c): c is logs.LogRetention => c instanceof logs.LogRetention)) {
      (retention.node.defaultChild as CfnResource).addPropertyOverride('ServiceTimeout', CUSTOM_RESOURCE_SERVICE_TIMEOUT.toSeconds());
    }
    this.secret = this.instance.secret!;
    this.usersResource = new DatabaseUsers(this, 'Users', {
      instance: this.instance, masterSecret: this.secret, vpc: props.vpc, key: props.key, envName: props.envName, removalPolicy: props.removalPolicy,
      ...(props.passwordsRevision !== undefined ? { passwordsRevision: props.passwordsRevision } : {}),
      users: { kong: { role: KONG_ROLE, database: KONG_DATABASE }, 'portal-api': { role: PORTAL_API_ROLE, database: WICKED_DATABASE } },
    });
    this.users = { kong: this.usersResource.users.kong!, portalApi: this.usersResource.users['portal-api']! };
    this.acknowledge(props);
    // CDK's log-retention function (one per stack) sets the retention of the exported log groups.
    const retention = Stack.of(this).node.tryFindChild('LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a');
    if (retention) {
      const role = retention.node.findChild('ServiceRole');
      Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: "CDK's log-retention function writes its own logs with the basic execution role; it runs only when RDS's exported log groups are created or changed." });
      Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: "CDK's log-retention function sets retention on log groups whose names RDS derives at create time; CDK grants logs:PutRetentionPolicy/DeleteRetentionPolicy on * for it." });
    }
  }

  /**
   * Starts the services only once their users exist: on the first create Kong starts its tasks
   * right away and would log in before the role did.
   *
   * @param services - the services that log in
   */
  public loginsAfterUsers(...services: ecs.IService[]): void {
    // Service resource to custom resource only: a construct dependency would take the services' security
    // groups along, which the instance's ingress rules name (a cycle).
    const users = this.usersResource.resource.node.defaultChild as CfnResource;
    for (const service of services) (service.node.defaultChild as CfnResource).addResourceDependency(users);
  }

  /**
   * Opens the Postgres port to a service's security groups.
   *
   * @param peer - a service (or anything with connections)
   */
  public allowFrom(peer: ec2.IConnectable): void {
    this.instance.connections.allowFrom(peer, ec2.Port.tcp(POSTGRES_PORT), 'Postgres clients: Kong, portal-api, kong-adapter');
  }

  private acknowledge(props: DatabaseProps): void {
    const ack = (id: string, reason: string): void => Validations.of(this.instance).acknowledge({ id, reason });
    ack('AwsSolutions-RDS11', 'The port number is no protection: the security group admits only Kong, portal-api, kong-adapter and the database-users function.');
    // The generated secret itself, not the attachment the instance exposes as `secret`.
    Validations.of(this.instance.node.findChild('Secret')).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: "Only the database-users function reads the master password, at cdk deploy; no task holds it. CDK's rotation deploys AWS's rotation function as a Serverless Application Repository nested stack, which the project's local CloudFormation cannot run; rotate it with RDS's single-user rotation template if your policy requires it.",
    });
    if (!props.multiAz) {
      ack('AwsSolutions-RDS3', props.persistent
        ? "Multi-AZ is off by the postgresMultiAz prop: the instance holds Kong's tokens and, with wicked 1.0's Postgres storage, portal-api's data; an AZ outage stops both until RDS recovers the instance, and the backups restore it."
        : "Multi-AZ is off in an ephemeral environment: the instance holds Kong's tokens and, with wicked 1.0's Postgres storage, portal-api's data, both meant to go with the stack; an AZ outage stops them until RDS recovers the instance.");
    }
    if (props.persistent) {
      ack('AwsSolutions-RDS10', 'Deletion protection is turned on by the DeletionProtection custom resource once every other resource of the stack is created, so that a failed first create can still roll back.');
    } else {
      ack('AwsSolutions-RDS10', 'postgres is "ephemeral": the database is meant to be deleted with the stack.');
      ack('AwsSolutions-RDS13', 'postgres is "ephemeral": no automated backups by choice.');
    }
  }
}
