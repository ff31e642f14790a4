import * as path from 'path';
import { type CfnElement, type CfnResource, CustomResource, Duration, Stack, Token, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { PACKAGE_ROOT } from '../props';
import { functionCode } from '../bundling/function-code';
import { FUNCTION_ESBUILD_OPTIONS, FUNCTION_HANDLER, FUNCTION_RUNTIME } from './control-plane-function';
import { CUSTOM_RESOURCE_SERVICE_TIMEOUT } from './custom-resource-timeout';

/** CloudFormation type of the resource that creates the application users. */
export const DATABASE_USERS_RESOURCE_TYPE = 'Custom::WickedDatabaseUsers';
/** The onEvent handler of the resource's provider. */
export const DATABASE_USERS_ENTRY = path.join(PACKAGE_ROOT, 'functions', 'database-users', 'handler.ts');
/**
 * The RDS certificate authorities of the Lambda runtime: from Node.js 20 on, Lambda no longer
 * loads them by default (AWS Lambda docs, "Building Lambda functions with Node.js"), and the
 * handler verifies the instance's certificate.
 */
export const LAMBDA_CA_CERTS = '/var/runtime/ca-cert.pem';

/**
 * What Lambda needs to place a function in a VPC: the actions of the AWS managed policy
 * AWSLambdaVPCAccessExecutionRole (AWS Lambda docs, "Giving Lambda functions access to
 * resources in an Amazon VPC"). Lambda checks them when the function is created.
 */
export const VPC_ACCESS_ACTIONS = ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'];

/** One application user: its role, the database it owns, and where its password is. */
export interface ApplicationUser {
  /** Login role. */
  readonly role: string;
  /** The database it owns. */
  readonly database: string;
  /** Generated credentials, attached to the instance (`username`, `password`, `host`, `port`, `dbname`). */
  readonly secret: secretsmanager.ISecret;
}

/** Props of {@link DatabaseUsers}. */
export interface DatabaseUsersProps {
  /** The instance, with its generated master secret. */
  readonly instance: rds.DatabaseInstance;
  /** The master secret (attached to the instance): only this construct's function may read it. */
  readonly masterSecret: secretsmanager.ISecret;
  /** The VPC of the instance; the function runs in its private subnets. */
  readonly vpc: ec2.IVpc;
  /** Encrypts the users' secrets. */
  readonly key: kms.IKey;
  /** Environment name, part of the secrets' names. */
  readonly envName: string;
  /** The users, keyed by a name used in construct ids and secret names (`kong`, `portal-api`). */
  readonly users: Readonly<Record<string, { readonly role: string; readonly database: string }>>;
  /** Applied to the secrets and the function's log group. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Any new value sets every user's password again from its secret at the next deploy (the
   * resource's `PasswordsRevision` property): CloudFormation sends an Update only when a
   * property changes, and an edit of a secret changes none.
   *
   * @default - none: passwords are set at create, and at any Update for another reason
   */
  readonly passwordsRevision?: string;
}

/**
 * One login role per application, each owning its own database, created inside the VPC by a
 * custom resource (`Custom::WickedDatabaseUsers`, provider framework) once the instance exists:
 * the handler logs in as the master and runs idempotent SQL (create or alter the role with the
 * password from the user's secret, create the database owned by it or hand it over, revoke
 * PUBLIC's access). Create and Update converge; Delete keeps roles, databases and data.
 * Only this construct's function can read the master secret; the containers get their own
 * user's secret. Order the services after {@link DatabaseUsers.resource}.
 *
 * @example
 * const users = new DatabaseUsers(this, 'Users', { instance, masterSecret, vpc, key, envName: 'prod',
 *   users: { kong: { role: 'kong', database: 'kong' } }, removalPolicy });
 * kongService.node.addDependency(users.resource);
 */
export class DatabaseUsers extends Construct {
  /** The users by their key in the props. */
  public readonly users: Readonly<Record<string, ApplicationUser>>;
  /** The custom resource; services that log in must depend on it. */
  public readonly resource: CustomResource;
  /** The onEvent function (in the VPC, the only reader of the master secret). */
  public readonly handler: lambda.Function;
  private ingress!: ec2.CfnSecurityGroupIngress;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - instance, master secret, users
   */
  public constructor(scope: Construct, id: string, props: DatabaseUsersProps) {
    super(scope, id);
    this.users = Object.fromEntries(Object.entries(props.users).map(([name, user]) => [name, this.createUser(name, user, props)]));
    this.handler = this.createHandler(props);
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: props.removalPolicy }),
    });
    this.acknowledgeProvider(provider);
    this.resource = new CustomResource(this, 'Resource', {
      resourceType: DATABASE_USERS_RESOURCE_TYPE,
      serviceToken: provider.serviceToken,
      serviceTimeout: CUSTOM_RESOURCE_SERVICE_TIMEOUT,
      properties: {
        MasterSecretArn: props.masterSecret.secretArn,
        Users: Object.values(this.users).map((u) => ({ Role: u.role, Database: u.database, SecretArn: u.secret.secretArn })),
        ...(props.passwordsRevision !== undefined ? { PasswordsRevision: props.passwordsRevision } : {}),
      },
    });
    // The instance (the secrets' attachments name it too) and the path to it: SQL needs both. Resource to
    // resource, so that the services ordered after this resource do not pull the instance's ingress rules
    // (which name their security groups) into a cycle.
    const cfn = this.resource.node.defaultChild as CfnResource;
    cfn.addResourceDependency(props.instance.node.defaultChild as CfnResource);
    cfn.addResourceDependency(this.ingress);
  }

  private createUser(name: string, user: { readonly role: string; readonly database: string }, props: DatabaseUsersProps): ApplicationUser {
    const secret = new rds.DatabaseSecret(this, `${name}Secret`, {
      username: user.role,
      dbname: user.database,
      secretName: `wicked-${props.envName}/postgres-${name}`,
      encryptionKey: props.key,
    });
    secret.applyRemovalPolicy(props.removalPolicy);
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: `The ${name} containers read this password once at task start (ECS secrets) and keep their connections: single-user rotation would lock out their next connection until a redeploy, and multi-user rotation would switch them to a clone role that then owns what they create next, splitting the ownership of the ${user.database} database.`,
    });
    return { role: user.role, database: user.database, secret: secret.attach(props.instance) };
  }

  private createHandler(props: DatabaseUsersProps): lambda.Function {
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: props.removalPolicy });
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'Creates the wicked database users as the master' });
    // Lambda attaches the function to the VPC through network interfaces it manages under this role.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: VPC_ACCESS_ACTIONS,
      resources: ['*'],
    }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'The network interface actions Lambda needs to place the function in the VPC (the AWSLambdaVPCAccessExecutionRole set, checked by Lambda at create): the interfaces do not exist before Lambda creates them, and ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets have no resource-level permissions.',
    });
    logGroup.grantWrite(role);
    props.masterSecret.grantRead(role);
    for (const user of Object.values(this.users)) user.secret.grantRead(role);
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', { vpc: props.vpc, description: 'The database-users function: Postgres and Secrets Manager only', allowAllOutbound: true });
    // Its own rule, in this construct: the custom resource waits for it, not for all of the instance's ingress rules.
    this.ingress = new ec2.CfnSecurityGroupIngress(this, 'PostgresFromHandler', {
      groupId: props.instance.connections.securityGroups[0]!.securityGroupId,
      sourceSecurityGroupId: securityGroup.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: Token.asNumber(props.instance.dbInstanceEndpointPort),
      toPort: Token.asNumber(props.instance.dbInstanceEndpointPort),
      description: 'The database-users function creates the application users',
    });
    return new lambda.Function(this, 'Handler', {
      // pg loads its optional native binding only when asked (pg.native): leave it out.
      code: functionCode(DATABASE_USERS_ENTRY, { ...FUNCTION_ESBUILD_OPTIONS, external: ['pg-native'] }),
      handler: FUNCTION_HANDLER,
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.minutes(2),
      role,
      logGroup,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [securityGroup],
      description: 'Creates the wicked database users (Kong, portal-api) as the master, at cdk deploy',
      environment: { NODE_EXTRA_CA_CERTS: LAMBDA_CA_CERTS, NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'database-users' },
    });
  }

  private acknowledgeProvider(provider: cr.Provider): void {
    const framework = provider.node.findChild('framework-onEvent');
    const frameworkRole = framework.node.findChild('ServiceRole');
    Validations.of(frameworkRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "The CDK provider framework's function writes its own logs with the basic execution role; it only relays CloudFormation's request to the database-users function.",
    });
    const handlerId = Stack.of(this).resolve((this.handler.node.defaultChild as CfnElement).logicalId) as string;
    Validations.of(frameworkRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${handlerId}.Arn>:*]`,
      reason: "The provider framework's grantInvoke covers the qualified ARNs (versions, aliases) of the database-users function alone; the role can invoke no other function.",
    });
  }
}
