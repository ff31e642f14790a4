import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { DATABASE_USERS_RESOURCE_TYPE, LAMBDA_CA_CERTS } from '../../../infra/constructs/database-users';
import type { WickedStack } from '../../../infra/wicked-stack';
import { assertCount, assertProps, logicalId, testStack, type Statement } from '../helpers';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

let dev: WickedStack;
let template: Template;
let resources: Record<string, Resource>;
beforeAll(() => {
  dev = testStack({ envName: 'dev' });
  template = Template.fromStack(dev);
  resources = template.toJSON().Resources as Record<string, Resource>;
});

const db = (): NonNullable<WickedStack['platform']['workload']['database']> => dev.platform.workload.database!;
const id = (construct: IConstruct): string => logicalId(dev, construct);
/** The `Ref` of a secret as the stack names it (an attached secret's ARN is its attachment's Ref). */
const ref = (secret: { secretArn: string }): unknown => dev.resolve(secret.secretArn);
const ofType = (type: string): [string, Resource][] => Object.entries(resources).filter(([, r]) => r.Type === type);
function container(family: string): { Secrets: { Name: string; ValueFrom: unknown }[] } {
  const task = ofType('AWS::ECS::TaskDefinition').find(([, r]) => r.Properties.Family === family);
  if (!task) throw new Error(`no task definition ${family}`);
  return (task[1].Properties.ContainerDefinitions as { Secrets: { Name: string; ValueFrom: unknown }[] }[])[0]!;
}
/** Every IAM policy that names the resource reference, by the policy's logical id. */
function policiesNaming(reference: unknown): string[] {
  const needle = JSON.stringify(reference);
  return ofType('AWS::IAM::Policy').filter(([, r]) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement
    .some((s) => JSON.stringify(s.Resource).includes(needle))).map(([logical]) => logical);
}

describe('database users', () => {
  it('generate one KMS-encrypted secret per application, named after it and attached to the instance', () => {
    for (const [name, role, database] of [['kong', 'kong', 'kong'], ['portal-api', 'portal_api', 'wicked']] as const) {
      assertProps(template, 'AWS::SecretsManager::Secret', {
        Name: `wicked-dev/postgres-${name}`,
        KmsKeyId: { 'Fn::GetAtt': [id(dev.platform.workload.dataKey), 'Arn'] },
        GenerateSecretString: Match.objectLike({ GenerateStringKey: 'password' }),
      });
      // Read as text: the template is a JSON string inside the property.
      const secret = ofType('AWS::SecretsManager::Secret').find(([, r]) => r.Properties.Name === `wicked-dev/postgres-${name}`)![1];
      const text = JSON.stringify((secret.Properties.GenerateSecretString as { SecretStringTemplate: unknown }).SecretStringTemplate);
      expect(text).toContain(JSON.stringify(`"username":"${role}"`).slice(1, -1));
      expect(text).toContain(JSON.stringify(`"dbname":"${database}"`).slice(1, -1));
    }
    assertCount(template, 'AWS::SecretsManager::SecretTargetAttachment', 3); // the master's and the two users'
    expect([db().users.kong.role, db().users.kong.database, db().users.portalApi.role, db().users.portalApi.database]).toEqual(['kong', 'kong', 'portal_api', 'wicked']);
  });

  it('give Kong its own user and portal-api its own, never the master', () => {
    const kong = container('wicked-dev-kong-default').Secrets;
    expect(kong.map((s) => s.Name).sort()).toEqual(['KONG_PG_HOST', 'KONG_PG_PASSWORD', 'KONG_PG_USER']);
    for (const secret of kong) expect(JSON.stringify(secret.ValueFrom)).toContain(JSON.stringify(ref(db().users.kong.secret)));
    const api = container('wicked-dev-portal-api').Secrets.filter((s) => s.Name.startsWith('PORTAL_STORAGE_'));
    expect(api.map((s) => s.Name).sort()).toEqual(['PORTAL_STORAGE_PGHOST', 'PORTAL_STORAGE_PGPASSWORD', 'PORTAL_STORAGE_PGUSER']);
    for (const secret of api) expect(JSON.stringify(secret.ValueFrom)).toContain(JSON.stringify(ref(db().users.portalApi.secret)));
    const master = JSON.stringify(ref(db().secret));
    for (const [, task] of ofType('AWS::ECS::TaskDefinition')) expect(JSON.stringify(task.Properties.ContainerDefinitions)).not.toContain(master);
  });

  it('let only the database-users function read the master secret; each execution role reads its own user only', () => {
    const handlerPolicy = id(db().usersResource.handler.role!.node.findChild('DefaultPolicy'));
    expect(policiesNaming(ref(db().secret))).toEqual([handlerPolicy]);
    const kongPolicies = policiesNaming(ref(db().users.kong.secret));
    const apiPolicies = policiesNaming(ref(db().users.portalApi.secret));
    expect(kongPolicies).toContain(handlerPolicy);
    expect(kongPolicies.filter((p) => p !== handlerPolicy)).toEqual([expect.stringMatching(/^PlatformWorkloadGatewaysdefaultTaskExecutionRoleDefaultPolicy/)]);
    expect(apiPolicies.filter((p) => p !== handlerPolicy)).toEqual([expect.stringMatching(/^PlatformWorkloadSingletonsportalapiTaskExecutionRoleDefaultPolicy/)]);
  });

  it('create the users by a custom resource once the instance and the function\'s path to it exist', () => {
    const [logical, resource] = ofType(DATABASE_USERS_RESOURCE_TYPE)[0]!;
    expect(ofType(DATABASE_USERS_RESOURCE_TYPE)).toHaveLength(1);
    expect(resource.Properties).toMatchObject({
      MasterSecretArn: ref(db().secret),
      Users: [{ Role: 'kong', Database: 'kong', SecretArn: ref(db().users.kong.secret) }, { Role: 'portal_api', Database: 'wicked', SecretArn: ref(db().users.portalApi.secret) }],
    });
    expect(resource.DependsOn).toEqual(expect.arrayContaining([id(db().instance), expect.stringMatching(/PostgresUsersPostgresFromHandler/)]));
    expect(logical).toBe(id(db().usersResource.resource));
    // No revision by default: an edit of a secret alone is not applied (see the next case).
    expect(resource.Properties).not.toHaveProperty('PasswordsRevision');
  });

  it('set the passwords again at the next deploy when postgresPasswordsRevision changes: a new property value, so CloudFormation sends an Update', () => {
    const revisionOf = (revision: string): unknown => {
      const stack = testStack({ envName: 'dev', postgresPasswordsRevision: revision });
      const resource = Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, Resource>).find((r) => r.Type === DATABASE_USERS_RESOURCE_TYPE)!;
      return resource.Properties.PasswordsRevision;
    };
    expect([revisionOf('2026-12-06'), revisionOf('2026-12-07')]).toEqual(['2026-12-06', '2026-12-07']);
  });

  it('start Kong and portal-api only after their users exist', () => {
    const users = id(db().usersResource.resource);
    for (const service of [dev.platform.workload.gateways.groups.default!.service, dev.platform.workload.singletons.service('portal-api')]) {
      expect(resources[id(service)]!.DependsOn).toContain(users);
    }
  });

  it('run the handler in the VPC\'s private subnets, verifying TLS with the runtime\'s RDS authorities, reachable to Postgres', () => {
    const handler = resources[id(db().usersResource.handler)]!;
    expect(handler.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      VpcConfig: { SubnetIds: dev.resolve(dev.platform.workload.network.vpc.privateSubnets.map((s) => s.subnetId)) },
    });
    expect(handler.Properties.Environment).toMatchObject({ Variables: { NODE_EXTRA_CA_CERTS: LAMBDA_CA_CERTS } });
    // Created once the private subnets route to the NAT gateway: the function reaches Secrets Manager through it.
    expect(handler.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/NetworkVpcprivateSubnet1DefaultRoute/)]));
    assertProps(template, 'AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [id(db().instance.connections.securityGroups[0]!), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [id(db().usersResource.handler.connections.securityGroups[0]!), 'GroupId'] },
      FromPort: { 'Fn::GetAtt': [id(db().instance), 'Endpoint.Port'] },
    });
  });

  it('point portal-api at the database made for its user', () => {
    const task = ofType('AWS::ECS::TaskDefinition').find(([, r]) => r.Properties.Family === 'wicked-dev-portal-api')![1];
    expect((task.Properties.ContainerDefinitions as { Environment: unknown[] }[])[0]!.Environment).toContainEqual({ Name: 'PORTAL_STORAGE_PGDATABASE', Value: 'wicked' });
  });

  it('are not made without a database', () => {
    const none = Template.fromStack(testStack({ envName: 'nodb', postgres: 'none' }));
    assertCount(none, DATABASE_USERS_RESOURCE_TYPE, 0);
    assertCount(none, 'AWS::SecretsManager::SecretTargetAttachment', 0);
  });
});
