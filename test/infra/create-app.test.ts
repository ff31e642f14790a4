import * as fs from 'fs';
import * as path from 'path';
import { Validations, type App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createWickedApp, stackName } from '../../infra/create-app';
import type { WickedStack } from '../../infra/wicked-stack';
import { DOCKER_HUB_SECRET_ARN, FIXTURE_ENTRY, testApp } from './helpers';

interface Finding { ruleName: string; paths: (string | undefined)[] }
interface Acknowledgement { path: string; id: string; reason: string }

/** cdk.json's own environments, with the fixture handler entry. */
function cdkJsonEnvironments(): Record<string, Record<string, unknown>> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '../../cdk.json'), 'utf8')) as { context: { wicked: Record<string, Record<string, unknown>> } };
  return Object.fromEntries(Object.entries(cdkJson.context.wicked).map(([env, props]) => [env, { ...props, functionEntries: { buildImage: FIXTURE_ENTRY } }]));
}

function findings(scope: App | Stack, honourAcknowledgements: boolean): Finding[] {
  const pack = new AwsSolutionsChecks();
  if (!honourAcknowledgements) Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
  return pack.validateScope(scope).violations.map((v) => ({ ruleName: v.ruleName, paths: v.violatingResources.map((r) => r.constructPath) }));
}

function nagAcknowledgements(app: App): Acknowledgement[] {
  return app.node.findAll().flatMap((construct) => construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
    .map(([key, reason]) => ({ path: construct.node.path, id: key.replace(/^annotation::/i, ''), reason }))
    .filter((ack) => ack.id.startsWith('AwsSolutions-')));
}

let app: App;
let stacks: WickedStack[];

beforeAll(() => {
  app = testApp({ wicked: cdkJsonEnvironments(), 'wicked-registry-cache': JSON.parse(fs.readFileSync(path.join(__dirname, '../../cdk.json'), 'utf8')).context['wicked-registry-cache'] });
  stacks = createWickedApp(app);
});

describe('createWickedApp', () => {
  it('defines the environment-agnostic stacks wicked-dev and wicked-prod from the context', () => {
    expect(stacks.map((s) => s.stackName)).toEqual(['wicked-dev', 'wicked-prod']);
    expect(stacks.map((s) => s.platform.props.envName)).toEqual(['dev', 'prod']);
    for (const stack of stacks) expect(stack.environment).toBe('aws://unknown-account/unknown-region');
    expect(stackName('stage-2')).toBe('wicked-stage-2');
  });

  it('gives the account-wide docker-hub cache rule one owner, the wicked-registry-cache stack, that dev and prod depend on', () => {
    const cache = app.node.findChild('wicked-registry-cache') as Stack;
    const template = Template.fromStack(cache);
    expect(Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type)).toEqual(['AWS::ECR::PullThroughCacheRule']);
    template.hasResourceProperties('AWS::ECR::PullThroughCacheRule', { EcrRepositoryPrefix: 'docker-hub', UpstreamRegistry: 'docker-hub', CredentialArn: Match.stringLikeRegexp(':secret:ecr-pullthroughcache/') });
    for (const stack of stacks) {
      expect([stack.stackName, stack.dependencies.map((d) => d.stackName)]).toEqual([stack.stackName, ['wicked-registry-cache']]);
      expect([stack.stackName, stack.platform.images.pullThroughCacheRule]).toEqual([stack.stackName, undefined]);
    }
  });

  it('passes the context props through to the platform', () => {
    expect(stacks[1]!.platform.props).toMatchObject({ buildImageRetentionCount: 50, configNoncurrentVersionDays: 365, removalPolicy: 'retain-on-update-or-delete' });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('has no unacknowledged finding in any stack', () => {
    expect(findings(app, true)).toEqual([]);
  });

  it('acknowledges only these findings, each on the construct it concerns and with a reason', () => {
    const acks = nagAcknowledgements(app).filter((a) => a.path.startsWith('wicked-dev/'));
    const dev = stacks.find((stack) => stack.stackName === 'wicked-dev')!;
    const stuckCheckGroup = dev.platform.deploy.stuckCheckGroup.scheduleGroupName;
    const snapshotDataId = dev.resolve((dev.platform.snapshot.snapshotData.function.node.defaultChild as CfnElement).logicalId) as string;
    const usersHandlerId = dev.resolve((dev.platform.workload.database!.usersResource.handler.node.defaultChild as CfnElement).logicalId) as string;
    expect(acks.map((a) => [a.path, a.id]).sort()).toEqual([
      ['wicked-dev/AWS679f53fac002430cb0da5b7982bd2287', 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]'],
      // CDK's log-retention function, for the retention of RDS's exported log groups.
      ['wicked-dev/LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a/ServiceRole', 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]'],
      ['wicked-dev/LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a/ServiceRole', 'AwsSolutions-IAM5[Resource::*]'],
      ['wicked-dev/Platform/BuildImage/Role', 'AwsSolutions-IAM5[Resource::*]'],
      ['wicked-dev/Platform/BuildImage/Role', 'AwsSolutions-IAM5[Resource::<PlatformConfigBucket53D744BA.Arn>/config/*]'],
      ['wicked-dev/Platform/BuildImage/Role', 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/docker-hub/*]'],
      ['wicked-dev/Platform/DeadLetters', 'AwsSolutions-SQS3'],
      ...['DeployServices', 'TrackDeployment'].flatMap((fn) => [
        [`wicked-dev/Platform/Deploy/${fn}/Role`, 'AwsSolutions-IAM5[Resource::*]'],
        [`wicked-dev/Platform/Deploy/${fn}/Role`, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<PlatformWorkloadCluster301D6141>/*]'],
        [`wicked-dev/Platform/Deploy/${fn}/Role`, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${stuckCheckGroup}/*]`],
        [`wicked-dev/Platform/Deploy/${fn}/Role`, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${stuckCheckGroup}/reconcile-*]`],
      ]),
      ['wicked-dev/Platform/Snapshot/ScheduleRole', `AwsSolutions-IAM5[Resource::<${snapshotDataId}.Arn>:*]`],
      // No DR vault in dev: no StartCopyJob on recovery-point:*, so no finding to acknowledge for it.
      ...['SnapshotData', 'TrackBackup'].map((fn) => [`wicked-dev/Platform/Snapshot/${fn}/Role`, 'AwsSolutions-IAM5[Resource::*]']),
      ['wicked-dev/Platform/Workload/PortalConfigKey', 'AwsSolutions-SMG4'],
      ['wicked-dev/Platform/Workload/Postgres/Instance/Secret', 'AwsSolutions-SMG4'],
      // Kong's and portal-api's own users: their secrets, the function that creates them in the VPC, its provider.
      ['wicked-dev/Platform/Workload/Postgres/Users/kongSecret', 'AwsSolutions-SMG4'],
      ['wicked-dev/Platform/Workload/Postgres/Users/portal-apiSecret', 'AwsSolutions-SMG4'],
      ['wicked-dev/Platform/Workload/Postgres/Users/Role', 'AwsSolutions-IAM5[Resource::*]'],
      ['wicked-dev/Platform/Workload/Postgres/Users/Provider/framework-onEvent/ServiceRole', 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]'],
      ['wicked-dev/Platform/Workload/Postgres/Users/Provider/framework-onEvent/ServiceRole', `AwsSolutions-IAM5[Resource::<${usersHandlerId}.Arn>:*]`],
      ['wicked-dev/Platform/Workload/Postgres/Instance', 'AwsSolutions-RDS11'],
      ['wicked-dev/Platform/Workload/Postgres/Instance', 'AwsSolutions-RDS3'],
      ['wicked-dev/Platform/Workload/Postgres/Instance', 'AwsSolutions-RDS10'],
      ['wicked-dev/Platform/Workload/Postgres/Instance', 'AwsSolutions-RDS13'],
      ...['portal-api', 'portal', 'portal-mailer', 'portal-kong-adapter', 'portal-chatbot', 'portal-auth'].flatMap((c) => [
        [`wicked-dev/Platform/Workload/Singletons/${c}/Task`, 'AwsSolutions-ECS2'],
        [`wicked-dev/Platform/Workload/Singletons/${c}/Task/ExecutionRole`, 'AwsSolutions-IAM5[Resource::*]'],
      ]),
      // Redis has no environment (no ECS2 finding); its execution role pulls through the cache like the others.
      ['wicked-dev/Platform/Workload/Singletons/redis/Task/ExecutionRole', 'AwsSolutions-IAM5[Resource::*]'],
      ['wicked-dev/Platform/Workload/Gateways/LoadBalancer', 'AwsSolutions-EC23'],
      ['wicked-dev/Platform/Workload/Gateways/default/Task', 'AwsSolutions-ECS2'],
      ['wicked-dev/Platform/Workload/Gateways/default/Task/ExecutionRole', 'AwsSolutions-IAM5[Resource::*]'],
      ['wicked-dev/Platform/Workload/Backups/Role', 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]'],
      ['wicked-dev/Platform/Workload/Backups/Role', 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]'],
    ].sort());
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(40);
    // A persistent multi-AZ database (prod) needs none of the database acknowledgements but the secret's, the port's
    // and deletion protection's, which the DeletionProtection custom resource turns on after the create.
    const prodDb = nagAcknowledgements(app).filter((a) => a.path.startsWith('wicked-prod/Platform/Workload/Postgres/Instance'));
    expect(prodDb.map((a) => a.id).sort()).toEqual(['AwsSolutions-RDS10', 'AwsSolutions-RDS11', 'AwsSolutions-SMG4']);
    expect(prodDb.find((a) => a.id === 'AwsSolutions-RDS10')?.reason).toMatch(/DeletionProtection custom resource/);
    // The shared registry-cache stack needs none.
    expect(nagAcknowledgements(app).filter((a) => a.path.startsWith('wicked-registry-cache/'))).toEqual([]);
  });

  it('uses every acknowledgement: each one hides a finding that would otherwise be reported there', () => {
    const raw = findings(app, false);
    const acks = nagAcknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      const hidden = raw.find((f) => f.ruleName === ack.id && f.paths.some((p) => p === ack.path || p?.startsWith(`${ack.path}/`)));
      expect({ ack: ack.id, at: ack.path, hides: hidden !== undefined }).toEqual({ ack: ack.id, at: ack.path, hides: true });
    }
  });

  it('lets the app synthesize with the checks as a validation plugin', () => {
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(['wicked-dev', 'wicked-prod', 'wicked-registry-cache']);
  });

  it('fails synthesis on a finding nobody acknowledged', () => {
    const failing = testApp({ wicked: { dev: { functionEntries: { buildImage: FIXTURE_ENTRY }, allowPlainHttp: true, dockerHubCredentialsSecretArn: DOCKER_HUB_SECRET_ARN } } });
    const [stack] = createWickedApp(failing);
    new s3.Bucket(stack!, 'Unlogged', { enforceSSL: true });
    expect(findings(stack!, true).map((f) => f.ruleName)).toEqual(['AwsSolutions-S1']);
    expect(() => failing.synth()).toThrow(/wicked-dev\/Unlogged\/Resource[\s\S]*AwsSolutions-S1/);
  });
});
