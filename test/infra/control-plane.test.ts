import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { CONTROL_PLANE_RULES, SNAPSHOT_SCHEDULE_INPUT, SNAPSHOT_SCHEDULE_NAME, type DeploymentNames } from '../../shared/events/rules';
import { ScheduledEventSchema } from '../../shared/snapshot/events';
import { DeployEnvironmentSchema } from '../../shared/deploy/env';
import { resolveWickedPlatformProps } from '../../infra/props';
import { SnapshotEnvironmentSchema } from '../../shared/snapshot/env';
import { OUTCOME_CLAIM_MS } from '../../shared/snapshot/track';
import { OUTBOX_CLAIM_MS } from '../../shared/ledger/outbox';
import type { WickedStack } from '../../infra/wicked-stack';
import { actionsOf, DOCKER_HUB_SECRET_ARN, logicalId, testStack, type Statement } from './helpers';

const REQUIRED = { dockerHubCredentialsSecretArn: DOCKER_HUB_SECRET_ARN, allowPlainHttp: true } as const;

let dev: WickedStack;
let prod: WickedStack;
let template: Template;
const id = (construct: IConstruct, stack: Stack = dev): string => logicalId(stack, construct);
const platform = (): WickedStack['platform'] => dev.platform;

beforeAll(() => {
  dev = testStack({ envName: 'dev' });
  prod = testStack({ envName: 'prod', postgres: 'persistent', backup: { schedule: 'cron(30 1 * * ? *)', copyToVaultArn: 'arn:aws:backup:eu-central-1:123456789012:backup-vault:dr' } });
  template = Template.fromStack(dev);
});

interface FunctionResource { Properties: { Environment: { Variables: Record<string, unknown> }; Role: unknown; Runtime: string; Architectures: string[] } }
const functionOf = (fn: IConstruct, stack: Stack = dev): FunctionResource =>
  Template.fromStack(stack).findResources('AWS::Lambda::Function')[id(fn, stack)] as FunctionResource;

function statementsOf(role: IConstruct, stack: Stack = dev): (Statement & { Condition?: unknown })[] {
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: id(role, stack) }]));
  return policies.flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
const allActions = (role: IConstruct): string[] => statementsOf(role).flatMap(actionsOf);
const statementWith = (role: IConstruct, action: string): Statement & { Condition?: unknown } => {
  const found = statementsOf(role).find((s) => actionsOf(s).includes(action));
  if (!found) throw new Error(`no statement with ${action}`);
  return found;
};

describe('control-plane functions', () => {
  const deployKeys = ['LEDGER_TABLE_NAME', 'EVENT_BUS_NAME', 'DEPLOY_TARGETS', 'NOTIFY_TOPIC_ARN', 'STUCK_CHECK_GROUP_NAME', 'STUCK_CHECK_ROLE_ARN', 'EVENT_BUS_ARN'];
  const snapshotKeys = ['WICKED_ENV', 'LEDGER_TABLE_NAME', 'EVENT_BUS_NAME', 'BACKUP_VAULT_NAME', 'BACKUP_ROLE_ARN', 'EFS_FILE_SYSTEM_ARN', 'SNAPSHOT_SCHEDULE', 'SNAPSHOT_DELETE_AFTER_DAYS', 'NOTIFY_TOPIC_ARN'];

  it.each([
    ['deploy-services', (): IConstruct => platform().deploy.deployServices.function, deployKeys],
    ['track-deployment', (): IConstruct => platform().deploy.trackDeployment.function, deployKeys],
    ['snapshot-data', (): IConstruct => platform().snapshot.snapshotData.function, snapshotKeys],
    ['track-backup', (): IConstruct => platform().snapshot.trackBackup.function, snapshotKeys],
  ])('%s exists with its environment, on the build-image runtime', (service, fn, keys) => {
    const props = functionOf(fn()).Properties;
    expect(props.Environment.Variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: service, EVENT_BUS_NAME: 'default' });
    expect(Object.keys(props.Environment.Variables)).toEqual(expect.arrayContaining(keys));
    expect(props.Runtime).toBe('nodejs24.x');
    expect(props.Architectures).toEqual(['arm64']);
  });

  it('gives the deploy functions a DEPLOY_TARGETS the deploy environment schema accepts', () => {
    const vars = functionOf(platform().deploy.deployServices.function).Properties.Environment.Variables;
    const json = dev.resolve(vars.DEPLOY_TARGETS) as { 'Fn::Join': [string, unknown[]] };
    const text = json['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'token')).join('');
    const parsed = DeployEnvironmentSchema.parse({
      LEDGER_TABLE_NAME: 'ledger', EVENT_BUS_NAME: 'default', DEPLOY_TARGETS: text, NOTIFY_TOPIC_ARN: 'arn:aws:sns:eu-west-1:1:token',
      STUCK_CHECK_GROUP_NAME: 'token', STUCK_CHECK_ROLE_ARN: 'arn:aws:iam::1:role/token', EVENT_BUS_ARN: 'arn:aws:events:eu-west-1:1:event-bus/default',
    });
    const singletons = Object.keys(platform().workload.singletons.services).filter((name) => name !== 'portal-api');
    const gateways = Object.keys(platform().workload.gateways.groups);
    const restartable = [...singletons, ...gateways].map(() => 'token');
    expect(singletons.length).toBeGreaterThan(0);
    expect(gateways.length).toBeGreaterThan(0);
    expect(parsed.DEPLOY_TARGETS).toEqual({
      dev: { cluster: 'token', service: 'token', repositoryName: 'token', releaseTag: 'dev-live', strictSingleton: false, containerName: 'portal-api', restartable, singletons: singletons.map(() => 'token') },
    });
  });

  it('names the other singletons, and no gateway, as the services the reconcile loop brings up after portal-api', () => {
    const vars = functionOf(platform().deploy.deployServices.function).Properties.Environment.Variables;
    const json = dev.resolve(vars.DEPLOY_TARGETS) as { 'Fn::Join': [string, unknown[]] };
    // Each service name is a token of its service resource: render it as that resource's logical id.
    const named = (part: unknown): string => {
      const token = part as { 'Fn::GetAtt'?: [string, string]; Ref?: string };
      return token['Fn::GetAtt']?.[0] ?? token.Ref ?? 'token';
    };
    const text = json['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : named(part))).join('');
    const target = (JSON.parse(text) as Record<string, { service: string; singletons: string[]; restartable: string[] }>).dev!;
    const services = platform().workload.singletons.services;
    const others = Object.keys(services).filter((name) => name !== 'portal-api').map((name) => id(services[name]!));
    expect(others).toHaveLength(Object.keys(services).length - 1);
    expect(target.singletons).toEqual(others);
    expect(target.singletons).not.toContain(target.service);
    for (const group of Object.values(platform().workload.gateways.groups)) {
      expect(target.restartable).toContain(id(group.service));
      expect(target.singletons).not.toContain(id(group.service));
    }
  });

  it('turns the pre-deploy snapshot gate on for prod and off for dev by default, and the prop overrides it', () => {
    const gate = (stack: WickedStack): unknown => functionOf(stack.platform.deploy.deployServices.function, stack).Properties.Environment.Variables.PRE_DEPLOY_SNAPSHOT;
    expect([gate(prod), gate(dev)]).toEqual(['true', 'false']);
    expect([false, true, undefined].map((preDeploySnapshot) => resolveWickedPlatformProps({ envName: 'prod', preDeploySnapshot, ...REQUIRED }).preDeploySnapshot)).toEqual([false, true, true]);
    expect(resolveWickedPlatformProps({ envName: 'staging', preDeploySnapshot: true, ...REQUIRED }).preDeploySnapshot).toBe(true);
    expect(() => resolveWickedPlatformProps({ envName: 'prod', preDeploySnapshot: 'yes' as unknown as boolean, ...REQUIRED })).toThrow(/preDeploySnapshot.*true or false/);
    const parsed = DeployEnvironmentSchema.parse({
      LEDGER_TABLE_NAME: 'ledger', EVENT_BUS_NAME: 'default', DEPLOY_TARGETS: '{}', PRE_DEPLOY_SNAPSHOT: gate(prod),
      NOTIFY_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:wicked-prod-notifications', STUCK_CHECK_GROUP_NAME: 'wicked-prod-stuck-checks',
      STUCK_CHECK_ROLE_ARN: 'arn:aws:iam::123456789012:role/stuck-checks', EVENT_BUS_ARN: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
    });
    expect(parsed.PRE_DEPLOY_SNAPSHOT).toBe(true);
  });

  it('tells the gate which dynamic data a pre-deploy snapshot covers: the file system, and the database where it is persistent', () => {
    const covered = (stack: WickedStack): string => JSON.stringify(functionOf(stack.platform.deploy.deployServices.function, stack).Properties.Environment.Variables.SNAPSHOT_RESOURCE_ARNS);
    const fileSystem = (stack: WickedStack): string => id(stack.platform.workload.dynamicData.fileSystem, stack);
    expect(covered(prod)).toContain(fileSystem(prod));
    expect(covered(prod)).toContain(id(prod.platform.workload.database!.instance, prod));
    expect(covered(dev)).toContain(fileSystem(dev));
    expect(dev.platform.workload.database?.persistent).toBeFalsy();
    expect(covered(dev)).not.toMatch(/DatabaseInstance|PostgresInstance/);
  });

  it('ends every invocation of the snapshot functions before a claim on an outcome runs out (a claim outlives its holder)', () => {
    for (const stack of [dev, prod]) {
      for (const fn of [stack.platform.snapshot.snapshotData.function, stack.platform.snapshot.trackBackup.function]) {
        const timeout = (functionOf(fn, stack).Properties as unknown as { Timeout: number }).Timeout;
        expect(timeout * 1000).toBeLessThan(OUTCOME_CLAIM_MS);
      }
    }
  });

  it('ends every invocation of the deploy functions before its claim on an outbox entry runs out', () => {
    for (const stack of [dev, prod]) {
      for (const fn of [stack.platform.deploy.deployServices.function, stack.platform.deploy.trackDeployment.function]) {
        const timeout = (functionOf(fn, stack).Properties as unknown as { Timeout: number }).Timeout;
        expect(timeout * 1000).toBeLessThan(OUTBOX_CLAIM_MS);
      }
    }
  });

  it('gives the snapshot functions an environment the snapshot schema accepts, with the plan of the stack', () => {
    const vars = functionOf(prod.platform.snapshot.snapshotData.function, prod).Properties.Environment.Variables;
    const tokens: Record<string, string> = { BACKUP_ROLE_ARN: 'arn:aws:iam::1:role/token', NOTIFY_TOPIC_ARN: 'arn:aws:sns:eu-west-1:1:token', SNAPSHOT_SWEEP_ROLE_ARN: 'arn:aws:iam::1:role/token' };
    const plain = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : tokens[k] ?? 'token']));
    const env = SnapshotEnvironmentSchema.parse(plain);
    expect(vars.BACKUP_VAULT_NAME).toEqual({ 'Fn::GetAtt': [id(prod.platform.workload.backups.vault, prod), 'BackupVaultName'] });
    expect(env).toMatchObject({ WICKED_ENV: 'prod', SNAPSHOT_SCHEDULE: 'cron(30 1 * * ? *)', SNAPSHOT_DELETE_AFTER_DAYS: 35, DR_DELETE_AFTER_DAYS: 35 });
    expect(vars.RDS_INSTANCE_ARN).toBeDefined();
    expect(functionOf(platform().snapshot.snapshotData.function).Properties.Environment.Variables.RDS_INSTANCE_ARN).toBeUndefined();
    // The sweep: the environment's stuck-check group, and the role of the snapshot schedules; its target, snapshot-data,
    // takes its own ARN from the invocation, and track-backup is given it.
    expect(vars.SNAPSHOT_SWEEP_GROUP_NAME).toEqual(prod.resolve(prod.platform.deploy.stuckCheckGroup.scheduleGroupName));
    expect(vars.SNAPSHOT_SWEEP_ROLE_ARN).toEqual({ 'Fn::GetAtt': [id(prod.platform.snapshot.scheduleRole, prod), 'Arn'] });
    expect(vars.SNAPSHOT_SWEEP_FUNCTION_ARN).toBeUndefined();
    const tracking = functionOf(prod.platform.snapshot.trackBackup.function, prod).Properties.Environment.Variables;
    expect(tracking.SNAPSHOT_SWEEP_FUNCTION_ARN).toEqual({ 'Fn::GetAtt': [id(prod.platform.snapshot.snapshotData.function, prod), 'Arn'] });
    expect(SnapshotEnvironmentSchema.parse({ ...plain, SNAPSHOT_SWEEP_FUNCTION_ARN: 'arn:aws:lambda:eu-west-1:1:function:snapshot-data' })).toBeDefined();
  });
});

describe('control-plane permissions', () => {
  const roles = (): [string, IConstruct][] => [
    ['deploy-services', platform().deploy.deployServices.role], ['track-deployment', platform().deploy.trackDeployment.role],
    ['snapshot-data', platform().snapshot.snapshotData.role], ['track-backup', platform().snapshot.trackBackup.role],
  ];

  it('lets every function use the ledger without Scan, put events on the default bus and publish to the topic', () => {
    for (const [, role] of roles()) {
      expect(statementWith(role, 'dynamodb:GetItem').Resource).toEqual({ 'Fn::GetAtt': [id(platform().ledger.table), 'Arn'] });
      expect(allActions(role).filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
      expect(statementWith(role, 'kms:Encrypt').Resource).toEqual({ 'Fn::GetAtt': [id(platform().ledger.key), 'Arn'] });
      expect(JSON.stringify(statementWith(role, 'events:PutEvents').Resource)).toContain(':event-bus/default');
      expect(statementWith(role, 'sns:Publish').Resource).toEqual({ Ref: id(platform().notifications.topic) });
      expect(allActions(role)).not.toContain('dynamodb:Scan');
    }
  });

  it('scopes the deploy functions to the services they roll or restart, the cluster and the repository', () => {
    const role = platform().deploy.deployServices.role;
    const clusterArn = { 'Fn::GetAtt': [id(platform().workload.cluster), 'Arn'] };
    // portal-api for deploys, the other singletons and the gateway groups for wickedctl restart; nothing else.
    const singletons = Object.values(platform().workload.singletons.services).map((service) => ({ Ref: id(service) }));
    const gateways = Object.values(platform().workload.gateways.groups).map((group) => ({ Ref: id(group.service) }));
    expect(gateways.length).toBeGreaterThan(0);
    expect(statementWith(role, 'ecs:UpdateService').Resource).toEqual(expect.arrayContaining([...singletons, ...gateways]));
    expect(statementWith(role, 'ecs:UpdateService').Resource).toHaveLength(singletons.length + gateways.length);
    expect((statementWith(role, 'ecs:UpdateService').Resource as unknown[])[0]).toEqual({ Ref: id(platform().workload.singletons.service('portal-api')) });
    expect(statementWith(role, 'ecs:ListTasks')).toMatchObject({ Resource: '*', Condition: { ArnEquals: { 'ecs:cluster': clusterArn } } });
    expect(statementWith(role, 'ecs:DescribeTasks').Condition).toEqual({ ArnEquals: { 'ecs:cluster': clusterArn } });
    expect(JSON.stringify(statementWith(role, 'ecs:DescribeTasks').Resource)).toContain(':task/');
    expect(statementWith(role, 'ecr:PutImage').Resource).toEqual({ 'Fn::GetAtt': [id(platform().images.repository), 'Arn'] });
    // Without the pre-deploy gate (dev) no AWS Backup action; with it (prod) only DescribeBackupJob, which has no resource-level permissions.
    expect(allActions(role).filter((a) => a.startsWith('backup:'))).toEqual([]);
    for (const gated of [prod.platform.deploy.deployServices.role, prod.platform.deploy.trackDeployment.role]) {
      const statements = statementsOf(gated, prod);
      expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('backup:'))).toEqual(['backup:DescribeBackupJob']);
      expect(statements.find((s) => actionsOf(s).includes('backup:DescribeBackupJob'))?.Resource).toBe('*');
    }
    // The only role it may pass is the stuck-check role, and only to EventBridge Scheduler.
    expect(statementsOf(role).filter((s) => actionsOf(s).includes('iam:PassRole'))).toEqual([expect.objectContaining({
      Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [id(platform().deploy.stuckCheckRole), 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    })]);
  });

  it('lets the deploy functions create schedules in the stuck-check group only, delete only its safety-net nudges, and gives them its name, the role and the bus', () => {
    const group = platform().deploy.stuckCheckGroup;
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    for (const [, role] of roles().slice(0, 2)) {
      const statement = statementWith(role, 'scheduler:CreateSchedule');
      expect(statement.Action).toBe('scheduler:CreateSchedule');
      expect(JSON.stringify(statement.Resource)).toContain(`:schedule/${dev.resolve(group.scheduleGroupName) as string}/*`);
      const deletes = statementWith(role, 'scheduler:DeleteSchedule');
      expect(deletes.Action).toBe('scheduler:DeleteSchedule');
      expect(JSON.stringify(deletes.Resource)).toContain(`:schedule/${dev.resolve(group.scheduleGroupName) as string}/reconcile-*`);
      expect(allActions(role).filter((a) => a.startsWith('scheduler:')).sort()).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule']);
    }
    const vars = functionOf(platform().deploy.deployServices.function).Properties.Environment.Variables;
    expect(vars).toMatchObject({
      STUCK_CHECK_GROUP_NAME: dev.resolve(group.scheduleGroupName),
      STUCK_CHECK_ROLE_ARN: { 'Fn::GetAtt': [id(platform().deploy.stuckCheckRole), 'Arn'] },
      NOTIFY_TOPIC_ARN: { Ref: id(platform().notifications.topic) },
    });
    expect(JSON.stringify(vars.EVENT_BUS_ARN)).toContain(':event-bus/default');
  });

  it.each([['snapshot-data', (): IConstruct => platform().snapshot.snapshotData.role], ['track-backup', (): IConstruct => platform().snapshot.trackBackup.role]])('lets %s create and delete the sweep schedule (snapshot-sweep-<env> in the stuck-check group) and nothing else of Scheduler, passing the schedule role to Scheduler only', (_name, roleOf) => {
    const role = roleOf();
    const group = dev.resolve(platform().deploy.stuckCheckGroup.scheduleGroupName) as string;
    const statement = statementWith(role, 'scheduler:CreateSchedule');
    expect(actionsOf(statement).sort()).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule']);
    expect(JSON.stringify(statement.Resource)).toMatch(new RegExp(`:schedule/${group}/snapshot-sweep-dev"`));
    expect(JSON.stringify(statement.Resource)).not.toContain('*');
    expect(allActions(role).filter((a) => a.startsWith('scheduler:')).sort()).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule']);
    expect(statementsOf(role).filter((s) => actionsOf(s).includes('iam:PassRole'))).toEqual(expect.arrayContaining([expect.objectContaining({
      Resource: { 'Fn::GetAtt': [id(platform().snapshot.scheduleRole), 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    })]));
    // Each role it may pass goes to its own service only.
    for (const pass of statementsOf(role).filter((s) => actionsOf(s).includes('iam:PassRole'))) expect(pass.Condition).toBeDefined();
  });

  it('lets EventBridge Scheduler of this account put events on the default bus with the stuck-check role, and nothing else', () => {
    const role = platform().deploy.stuckCheckRole;
    const trust = (template.findResources('AWS::IAM::Role')[id(role)] as { Properties: { AssumeRolePolicyDocument: { Statement: unknown[] } } }).Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([expect.objectContaining({ Action: 'sts:AssumeRole', Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })]);
    expect(allActions(role)).toEqual(['events:PutEvents']);
    expect(JSON.stringify(statementWith(role, 'events:PutEvents').Resource)).toMatch(/:event-bus\/default"/);
  });

  it('scopes the snapshot functions to the vault, recovery points and the backup role', () => {
    const role = platform().snapshot.snapshotData.role;
    expect(statementWith(role, 'backup:StartBackupJob').Resource).toEqual({ 'Fn::GetAtt': [id(platform().workload.backups.vault), 'BackupVaultArn'] });
    expect(statementWith(role, 'iam:PassRole')).toMatchObject({
      Resource: { 'Fn::GetAtt': [id(platform().workload.backups.role), 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } },
    });
    expect(allActions(role).filter((a) => a.startsWith('ecs:') || a.startsWith('ecr:'))).toEqual([]);
  });

  it('lets the snapshot functions copy recovery points only when there is a DR vault to copy to', () => {
    for (const fn of [platform().snapshot.snapshotData, platform().snapshot.trackBackup]) {
      expect(allActions(fn.role)).not.toContain('backup:StartCopyJob');
    }
    for (const fn of [prod.platform.snapshot.snapshotData, prod.platform.snapshot.trackBackup]) {
      const copy = statementsOf(fn.role, prod).find((s) => actionsOf(s).includes('backup:StartCopyJob'));
      expect(JSON.stringify(copy?.Resource)).toContain(':recovery-point:*');
    }
  });
});

describe('control-plane rules', () => {
  const names = (): DeploymentNames => ({
    configBucket: platform().config.bucketName, cluster: platform().workload.cluster.clusterName, backupVault: platform().workload.backups.vault.backupVaultName, env: 'dev',
  });
  const ruleResource = (name: string): { Properties: Record<string, unknown> } =>
    template.findResources('AWS::Events::Rule')[logicalId(dev, platform().rules[name]!.rule)] as { Properties: Record<string, unknown> };

  it('creates one rule per shared rule, keeping ConfigUploaded/Rule', () => {
    expect(Object.keys(platform().rules).sort()).toEqual(CONTROL_PLANE_RULES.map((r) => r.name).sort());
    expect(platform().rules.ConfigUploaded!.rule.node.path).toBe('wicked-dev/Platform/ConfigUploaded/Rule');
  });

  it.each(CONTROL_PLANE_RULES.map((r) => [r.name, r] as const))('%s: pattern, description, retries, age and target from the shared rule', (name, rule) => {
    const props = ruleResource(name).Properties;
    expect(props.EventPattern).toEqual(dev.resolve(rule.pattern(names())));
    expect(props.Description).toBe(rule.description);
    const fn = {
      'build-image': platform().buildImage.function, 'deploy-services': platform().deploy.deployServices.function,
      'track-deployment': platform().deploy.trackDeployment.function, 'snapshot-data': platform().snapshot.snapshotData.function,
      'track-backup': platform().snapshot.trackBackup.function,
    }[rule.target];
    expect(props.Targets).toEqual([expect.objectContaining({
      Arn: { 'Fn::GetAtt': [id(fn), 'Arn'] },
      RetryPolicy: { MaximumRetryAttempts: rule.retryAttempts, MaximumEventAgeInSeconds: rule.maxEventAgeSeconds },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [id(platform().deadLetterQueue), 'Arn'] } },
    })]);
  });

  it('schedules snapshot-data with EventBridge Scheduler on the backup plan cron (UTC), a Scheduled Event input, retries and the dead-letter queue', () => {
    const schedule = platform().snapshot.schedule;
    expect(schedule.node.id).toBe(SNAPSHOT_SCHEDULE_NAME);
    const scheduleOf = (stack: WickedStack): { Properties: Record<string, unknown> & { Target: Record<string, unknown> } } =>
      Template.fromStack(stack).findResources('AWS::Scheduler::Schedule')[id(stack.platform.snapshot.schedule, stack)] as { Properties: Record<string, unknown> & { Target: Record<string, unknown> } };
    const props = scheduleOf(dev).Properties;
    expect(props).toMatchObject({ ScheduleExpression: 'cron(0 3 * * ? *)', ScheduleExpressionTimezone: 'Etc/UTC', FlexibleTimeWindow: { Mode: 'OFF' }, State: 'ENABLED' });
    expect(props.Target).toMatchObject({
      Arn: { 'Fn::GetAtt': [id(platform().snapshot.snapshotData.function), 'Arn'] },
      RoleArn: { 'Fn::GetAtt': [id(platform().snapshot.scheduleRole), 'Arn'] },
      RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [id(platform().deadLetterQueue), 'Arn'] } },
    });
    // What snapshot-data receives parses as its Scheduled Event once Scheduler filled in the context attributes.
    expect(JSON.parse(props.Target.Input as string)).toEqual(SNAPSHOT_SCHEDULE_INPUT);
    const filled = (props.Target.Input as string).replace('<aws.scheduler.execution-id>', 'exec-1').replace('<aws.scheduler.scheduled-time>', '2026-11-23T03:00:00Z');
    expect(ScheduledEventSchema.safeParse(JSON.parse(filled)).success).toBe(true);
    expect(scheduleOf(prod).Properties.ScheduleExpression).toBe('cron(30 1 * * ? *)');
    template.resourceCountIs('AWS::Events::Rule', CONTROL_PLANE_RULES.length);
  });

  it('lets the snapshot schedule invoke snapshot-data only, assumed by EventBridge Scheduler of this account', () => {
    const role = platform().snapshot.scheduleRole;
    const trust = (template.findResources('AWS::IAM::Role')[id(role)] as { Properties: { AssumeRolePolicyDocument: { Statement: unknown[] } } }).Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([expect.objectContaining({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })]);
    expect(allActions(role).sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
    expect(JSON.stringify(statementWith(role, 'lambda:InvokeFunction').Resource)).toContain(id(platform().snapshot.snapshotData.function));
    expect(statementWith(role, 'sqs:SendMessage').Resource).toEqual({ 'Fn::GetAtt': [id(platform().deadLetterQueue), 'Arn'] });
  });
});
