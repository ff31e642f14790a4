import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** Postgres port; the security group, not the port number, keeps others out. */
export const POSTGRES_PORT = 5432;
/** The master user Kong and portal-api log in as. */
export const POSTGRES_USER = 'wicked';
/** Kong's database, created with the instance; wicked creates its own (`wicked`) on first start. */
export const KONG_DATABASE = 'kong';

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
  /** Environment name, part of the secret name. */
  readonly envName: string;
}

/**
 * Postgres on RDS for Kong (`kong` database) and wicked's Postgres storage: encrypted,
 * private, generated credentials in Secrets Manager, reachable only from the security
 * groups {@link Database.allowFrom} is called with.
 *
 * @example
 * const db = new Database(this, 'Postgres', { vpc, key, persistent: true, multiAz: true, envName: 'prod' });
 * db.allowFrom(kongService);
 */
export class Database extends Construct {
  /** The instance. */
  public readonly instance: rds.DatabaseInstance;
  /** Generated credentials (`username`, `password`, `host`, `port`). */
  public readonly secret: secretsmanager.ISecret;
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
      deletionProtection: props.persistent,
      backupRetention: props.persistent ? Duration.days(7) : Duration.days(0),
      removalPolicy: props.persistent ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      parameters: { 'rds.force_ssl': '1' },
      autoMinorVersionUpgrade: true,
    });
    this.secret = this.instance.secret!;
    this.acknowledge(props);
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
    ack('AwsSolutions-RDS11', 'The port number is no protection: the security group admits only Kong, portal-api and kong-adapter.');
    // The generated secret itself, not the attachment the instance exposes as `secret`.
    Validations.of(this.instance.node.findChild('Secret')).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Kong and portal-api read the password once at task start (ECS secrets); rotation would break running tasks until a redeploy.',
    });
    if (!props.multiAz) ack('AwsSolutions-RDS3', 'Multi-AZ is off by the postgresMultiAz prop: Kong only holds tokens, which can be re-issued.');
    if (!props.persistent) {
      ack('AwsSolutions-RDS10', 'postgres is "ephemeral": the database is meant to be deleted with the stack.');
      ack('AwsSolutions-RDS13', 'postgres is "ephemeral": no automated backups by choice.');
    }
  }
}
