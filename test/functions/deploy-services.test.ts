import 'aws-sdk-client-mock-jest';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { cachedDeployDeps, deployDepsFromEnvironment, resetDeployDeps } from '../../functions/deploy-services/deps';
import { DeployServicesEventSchema, deployServicesEvent, handler } from '../../functions/deploy-services/handler';
import { EventShapeError } from '../../functions/middleware/parse-event';
import { EnvironmentError } from '../../shared/pipeline/lambda-env';

const documents = mockClient(DynamoDBDocumentClient);
const ecs = mockClient(ECSClient);
const eb = mockClient(EventBridgeClient);
const scheduler = mockClient(SchedulerClient);
const context = { functionName: 'deploy-services', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const savedEnv = { ...process.env };
const TARGETS = { dev: { cluster: 'wicked-dev', service: 'portal-api', repositoryName: 'portal-api' } };
const DIGEST = `sha256:${'a'.repeat(64)}`;

function taskStopped(group: string, clusterArn = 'arn:aws:ecs:eu-west-1:1:cluster/wicked-dev'): Record<string, unknown> {
  return { id: 'evt-task', source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: { clusterArn, taskArn: 'arn:aws:ecs:eu-west-1:1:task/wicked-dev/1', group, lastStatus: 'STOPPED' } };
}

function snapshotOutcome(detailType: string, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    id: 'evt-snap', source: 'wicked.control-plane', 'detail-type': detailType,
    detail: { env: 'dev', jobId: 'job-1', resourceArn: 'arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs-1', trigger: 'pre-deploy', deploymentIds: ['d-1'], ...fields },
  };
}

beforeEach(() => {
  Object.assign(process.env, {
    LEDGER_TABLE_NAME: 'ledger', EVENT_BUS_NAME: 'default', DEPLOY_TARGETS: JSON.stringify(TARGETS), AWS_REGION: 'eu-west-1',
    NOTIFY_TOPIC_ARN: 'arn:aws:sns:eu-west-1:1:wicked-dev', STUCK_CHECK_GROUP_NAME: 'wicked-dev-stuck-checks', STUCK_CHECK_ROLE_ARN: 'arn:aws:iam::1:role/stuck-check', EVENT_BUS_ARN: 'arn:aws:events:eu-west-1:1:event-bus/default',
  });
  resetDeployDeps();
});
afterEach(() => {
  documents.reset();
  ecs.reset();
  scheduler.reset();
  eb.reset();
  process.env = { ...savedEnv };
});

describe('deploy-services dependencies', () => {
  it('are built once per distinct environment: same variables, same deps; another endpoint, new deps', () => {
    const first = cachedDeployDeps(process.env, 'deploy-services');
    expect(cachedDeployDeps({ ...process.env }, 'deploy-services')).toBe(first);
    expect(cachedDeployDeps({ ...process.env, AWS_ENDPOINT_URL_ECS: 'http://127.0.0.1:1' }, 'deploy-services')).not.toBe(first);
    resetDeployDeps();
    expect(cachedDeployDeps(process.env, 'deploy-services')).not.toBe(first);
  });

  it('reads durations and targets from the environment', () => {
    const deps = deployDepsFromEnvironment({ ...process.env, STUCK_AFTER_SECONDS: '60', WAIT_FOR_ZERO_SECONDS: '30' }, 'deploy-services');
    expect(deps).toMatchObject({ stuckAfterMs: 60_000, waitForZeroMs: 30_000, targets: { dev: { cluster: 'wicked-dev', strictSingleton: false } } });
  });

  it.each([
    ['a missing ledger table', { LEDGER_TABLE_NAME: undefined }, 'LEDGER_TABLE_NAME'],
    ['targets that are not JSON', { DEPLOY_TARGETS: '{dev' }, 'expected JSON'],
    ['a target without a cluster', { DEPLOY_TARGETS: JSON.stringify({ dev: { service: 'portal-api', repositoryName: 'portal-api' } }) }, 'cluster'],
    ['a missing topic', { NOTIFY_TOPIC_ARN: undefined }, 'NOTIFY_TOPIC_ARN'],
    ['a topic that is not an SNS ARN', { NOTIFY_TOPIC_ARN: 'wicked-dev' }, 'expected an SNS topic ARN'],
    ['a missing stuck-check group', { STUCK_CHECK_GROUP_NAME: undefined }, 'STUCK_CHECK_GROUP_NAME'],
    ['a stuck-check role that is not a role ARN', { STUCK_CHECK_ROLE_ARN: 'stuck-check' }, 'expected an IAM role ARN'],
    ['a bus ARN that is not one', { EVENT_BUS_ARN: 'default' }, 'expected an event bus ARN'],
  ])('refuses %s at cold start, naming the variable', (_name, change, message) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...change };
    for (const [key, value] of Object.entries(change)) if (value === undefined) delete env[key];
    expect(() => deployDepsFromEnvironment(env, 'deploy-services')).toThrow(EnvironmentError);
    expect(() => deployDepsFromEnvironment(env, 'deploy-services')).toThrow(message);
  });
});

describe('deploy-services handler', () => {
  it('rejects an event it does not consume at the edge, before any AWS call', async () => {
    await expect(handler({ source: 'aws.s3', 'detail-type': 'Object Created', id: 'x', detail: {} }, context)).rejects.toBeInstanceOf(EventShapeError);
    await expect(handler({ source: 'wicked.control-plane', 'detail-type': 'Portal Image Built', detail: { env: 'dev' } }, context)).rejects.toBeInstanceOf(EventShapeError);
    expect(documents.calls()).toHaveLength(0);
    expect(ecs.calls()).toHaveLength(0);
  });

  it.each([
    ['Portal Image Built', { id: 'e', source: 'wicked.control-plane', 'detail-type': 'Portal Image Built', detail: { env: 'dev', bucket: 'cfg', key: 'config/dev/a.tgz', configHash: 'h', imageUri: 'r/p@x', digest: DIGEST, tag: 'cfg-h' } }],
    ['ECS Task State Change', taskStopped('service:portal-api')],
    ['Portal Stuck Check Due', { id: 'e', source: 'wicked.control-plane', 'detail-type': 'Portal Stuck Check Due', detail: { env: 'dev', deploymentId: 'd-1' } }],
    ['Portal Snapshot Completed', snapshotOutcome('Portal Snapshot Completed', { state: 'COMPLETED', recoveryPointArn: 'arn:aws:backup:eu-west-1:1:recovery-point:rp' })],
    ['Portal Snapshot Failed', snapshotOutcome('Portal Snapshot Failed', { state: 'FAILED', reason: 'vault unreachable' })],
  ])('accepts %s', (_name, event) => {
    expect(DeployServicesEventSchema.safeParse(event).success).toBe(true);
  });

  it('ignores a stopped task of a service it does not deploy without reading the ledger', async () => {
    await expect(deployServicesEvent(taskStopped('service:kong'))).resolves.toMatchObject({ action: 'ignored' });
    await expect(deployServicesEvent(taskStopped('service:portal-api', 'arn:aws:ecs:eu-west-1:1:cluster/other'))).resolves.toMatchObject({ action: 'ignored' });
    expect(documents.calls()).toHaveLength(0);
  });

  it.each([
    ['a stuck check', 'Portal Stuck Check Due', { env: 'dev', deploymentId: 'd-1' }],
    ['the safety-net nudge', 'Portal Reconcile Due', { env: 'dev' }],
  ])('%s with nothing in flight reconciles to idle, reading only the environment item, and disarms the safety net', async (_name, detailType, detail) => {
    documents.on(GetCommand).resolves({});
    const result = await handler({ id: 'e', source: 'wicked.control-plane', 'detail-type': detailType, detail }, context);
    expect(result).toMatchObject({ action: 'reconciled', reconciled: [{ settled: 'idle', steps: [] }] });
    expect(scheduler).toHaveReceivedCommandWith(DeleteScheduleCommand, { Name: 'reconcile-dev' });
    expect(documents).toHaveReceivedCommandWith(GetCommand, { TableName: 'ledger', ConsistentRead: true });
    expect(ecs).not.toHaveReceivedCommand(DescribeServicesCommand);
    expect(eb).not.toHaveReceivedCommand(PutEventsCommand);
  });

  it('a snapshot outcome with nothing in flight reconciles to idle and changes nothing', async () => {
    documents.on(GetCommand).resolves({});
    const result = await handler(snapshotOutcome('Portal Snapshot Completed', { state: 'COMPLETED', recoveryPointArn: 'rp' }), context);
    expect(result).toMatchObject({ action: 'reconciled', reconciled: [{ settled: 'idle', steps: [] }] });
    expect(ecs).not.toHaveReceivedCommand(DescribeServicesCommand);
    expect(eb).not.toHaveReceivedCommand(PutEventsCommand);
  });

  it('reads the gate setting and its wait from the environment; unset means the prod default', () => {
    expect(deployDepsFromEnvironment({ ...process.env, PRE_DEPLOY_SNAPSHOT: 'true', PRE_DEPLOY_SNAPSHOT_WAIT_SECONDS: '600' }, 'deploy-services')).toMatchObject({ preDeploySnapshot: true, snapshotWaitMs: 600_000 });
    expect(deployDepsFromEnvironment(process.env, 'deploy-services')).toMatchObject({ preDeploySnapshot: undefined, snapshotWaitMs: 7_200_000 });
    expect(() => deployDepsFromEnvironment({ ...process.env, PRE_DEPLOY_SNAPSHOT: 'yes' }, 'deploy-services')).toThrow('PRE_DEPLOY_SNAPSHOT');
  });

  it('reads the resources a pre-deploy snapshot covers from the environment, none when unset', () => {
    const arns = ['arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs-1', 'arn:aws:rds:eu-west-1:1:db:wicked'];
    expect(deployDepsFromEnvironment({ ...process.env, SNAPSHOT_RESOURCE_ARNS: JSON.stringify(arns) }, 'deploy-services')).toMatchObject({ snapshotResources: arns });
    expect(deployDepsFromEnvironment(process.env, 'deploy-services')).toMatchObject({ snapshotResources: [] });
    expect(() => deployDepsFromEnvironment({ ...process.env, SNAPSHOT_RESOURCE_ARNS: 'fs-1' }, 'deploy-services')).toThrow(/SNAPSHOT_RESOURCE_ARNS.*expected JSON/);
    expect(() => deployDepsFromEnvironment({ ...process.env, SNAPSHOT_RESOURCE_ARNS: '["fs-1"]' }, 'deploy-services')).toThrow(/SNAPSHOT_RESOURCE_ARNS.*expected an ARN/);
  });

  it('fails the invocation (so EventBridge retries) when the ledger is unreachable', async () => {
    documents.on(GetCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    await expect(deployServicesEvent({ id: 'e', source: 'wicked.control-plane', 'detail-type': 'Portal Stuck Check Due', detail: { env: 'dev', deploymentId: 'd-1' } })).rejects.toThrow('socket hang up');
  });
});
