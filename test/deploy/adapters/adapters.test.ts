import 'aws-sdk-client-mock-jest';
import { BatchGetImageCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { DeployError, EcrReleaseAdapter, EcsServiceAdapter } from '../../../shared/deploy';

const ecs = mockClient(ECSClient);
const ecr = mockClient(ECRClient);
const NEW = `sha256:${'b'.repeat(64)}`;
const OLD = `sha256:${'a'.repeat(64)}`;

afterEach(() => {
  ecs.reset();
  ecr.reset();
});

describe('EcsServiceAdapter', () => {
  it('describes the PRIMARY deployment with the digests of its running tasks, counting STOPPING tasks as alive', async () => {
    // Prepare
    ecs.on(DescribeServicesCommand).resolves({ services: [{ status: 'ACTIVE', desiredCount: 1, deployments: [{ id: 'ecs-svc/2', status: 'PRIMARY', rolloutState: 'IN_PROGRESS' }, { id: 'ecs-svc/1', status: 'ACTIVE' }], events: [{ createdAt: new Date(0), message: 'has reached a steady state.' }] }] });
    ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: ['t-new'] });
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: ['t-old', 't-gone'] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [
      { taskArn: 't-new', lastStatus: 'RUNNING', startedBy: 'ecs-svc/2', containers: [{ name: 'sidecar', imageDigest: OLD }, { name: 'portal-api', imageDigest: NEW }] },
      { taskArn: 't-old', lastStatus: 'STOPPING', startedBy: 'ecs-svc/1', containers: [{ name: 'portal-api', imageDigest: OLD }] },
      { taskArn: 't-gone', lastStatus: 'STOPPED', startedBy: 'ecs-svc/1', containers: [{ name: 'portal-api', imageDigest: OLD }] },
    ] });
    // Act
    const snapshot = await new EcsServiceAdapter({ client: new ECSClient({}), containerName: 'portal-api' }).describe('wicked', 'portal-api');
    // Assess
    expect(snapshot).toEqual({
      serviceName: 'portal-api', desiredCount: 1, aliveTaskCount: 2, primaryDeploymentId: 'ecs-svc/2', primaryRolloutState: 'IN_PROGRESS', primaryTaskDigests: [NEW], primaryTaskHealth: ['UNKNOWN'],
      healthChecked: false, deployments: [{ id: 'ecs-svc/2', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', rolloutStateReason: undefined }, { id: 'ecs-svc/1', status: 'ACTIVE', rolloutState: undefined, rolloutStateReason: undefined }],
      recentEvents: ['1970-01-01T00:00:00.000Z has reached a steady state.'],
    });
    expect(ecs).toHaveReceivedCommandWith(DescribeTasksCommand, { cluster: 'wicked', tasks: ['t-new', 't-old', 't-gone'] });
  });

  it('reads task health, and whether the primary task definition defines a health check (once per revision)', async () => {
    // Prepare
    ecs.on(DescribeServicesCommand).resolves({ services: [{ status: 'ACTIVE', desiredCount: 1, deployments: [{ id: 'ecs-svc/2', status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: 'arn:td/portal-api:7' }] }] });
    ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: ['t'] });
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: 't', lastStatus: 'RUNNING', startedBy: 'ecs-svc/2', healthStatus: 'UNKNOWN', containers: [{ name: 'portal-api', imageDigest: NEW }] }] });
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [{ name: 'portal-api', healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:3001/ping'] } }] } });
    const adapter = new EcsServiceAdapter({ client: new ECSClient({}), containerName: 'portal-api' });
    // Act
    const first = await adapter.describe('wicked', 'portal-api');
    await adapter.describe('wicked', 'portal-api');
    // Assess
    expect(first).toMatchObject({ primaryTaskHealth: ['UNKNOWN'], healthChecked: true });
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
  });

  it('reads the named container, or the only container of another service (a restart), never a guess among several', async () => {
    // Prepare
    ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: ['one', 'two', 'named'] });
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [
      { taskArn: 'one', lastStatus: 'RUNNING', containers: [{ name: 'portal-kong-adapter', imageDigest: NEW }] },
      { taskArn: 'two', lastStatus: 'RUNNING', containers: [{ name: 'app', imageDigest: NEW }, { name: 'sidecar', imageDigest: OLD }] },
      { taskArn: 'named', lastStatus: 'RUNNING', containers: [{ name: 'sidecar', imageDigest: OLD }, { name: 'portal-api', imageDigest: NEW }] },
    ] });
    // Act
    const tasks = await new EcsServiceAdapter({ client: new ECSClient({}), containerName: 'portal-api' }).aliveTasks('c', 's');
    // Assess
    expect(tasks.map((t) => [t.taskArn, t.digest])).toEqual([['one', NEW], ['two', undefined], ['named', NEW]]);
  });

  it('pages ListTasks', async () => {
    ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolvesOnce({ taskArns: ['a'], nextToken: 'n' }).resolves({ taskArns: ['b'] });
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: 'a', lastStatus: 'RUNNING' }, { taskArn: 'b', lastStatus: 'PENDING' }] });
    expect((await new EcsServiceAdapter({ client: new ECSClient({}) }).aliveTasks('c', 's')).map((t) => t.taskArn)).toEqual(['a', 'b']);
  });

  it('returns the PRIMARY deployment id after UpdateService', async () => {
    ecs.on(UpdateServiceCommand).resolves({ service: { deployments: [{ id: 'ecs-svc/1', status: 'ACTIVE' }, { id: 'ecs-svc/9', status: 'PRIMARY' }] } });
    const input = { cluster: 'c', service: 'kong', forceNewDeployment: true };
    expect(await new EcsServiceAdapter({ client: new ECSClient({}) }).updateService(input)).toBe('ecs-svc/9');
    expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, input);
  });

  it('reads desired counts with one DescribeServices per 10 services, leaving out services not found or INACTIVE', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `s${i}`);
    ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
      services: input.services.filter((name) => name !== 's3').map((name) => ({ serviceName: name, status: name === 's11' ? 'INACTIVE' : 'ACTIVE', desiredCount: name === 's0' ? 1 : 0 })),
      failures: input.services.includes('s3') ? [{ arn: 's3', reason: 'MISSING' }] : [],
    }));
    const counts = await new EcsServiceAdapter({ client: new ECSClient({}) }).desiredCounts('wicked', names);
    expect(counts).toEqual(Object.fromEntries(names.filter((name) => name !== 's3' && name !== 's11').map((name) => [name, name === 's0' ? 1 : 0])));
    expect(ecs.commandCalls(DescribeServicesCommand).map((call) => call.args[0].input.services)).toEqual([names.slice(0, 10), names.slice(10)]);
  });

  it.each([
    [{ services: [] , failures: [{ reason: 'MISSING' }] }, 'SERVICE_NOT_FOUND', 'expected an ACTIVE service, found MISSING'],
    [{ services: [{ status: 'INACTIVE' }] }, 'SERVICE_NOT_FOUND', 'found INACTIVE'],
  ])('refuses a missing service (%#)', async (output, code, message) => {
    ecs.on(DescribeServicesCommand).resolves(output);
    const error = await new EcsServiceAdapter({ client: new ECSClient({}) }).describe('c', 's').catch((e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toContain(message);
  });

  it('maps throttling to a retryable ECS_FAILED', async () => {
    ecs.on(UpdateServiceCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const error = await new EcsServiceAdapter({ client: new ECSClient({}) }).updateService({ cluster: 'c', service: 's' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeployError);
    expect(error).toMatchObject({ code: 'ECS_FAILED', retryable: true, message: 'updating service s in cluster c: ThrottlingException: slow down' });
  });

  it.each([
    ['ServerException', 500, true],
    ['ClientException', 400, false],
    // ECS means a quota by it ("the limit for the resource was exceeded"): no retry helps.
    ['LimitExceededException', 400, false],
  ])('maps %s (%d) to ECS_FAILED, retryable=%s', async (name, status, retryable) => {
    ecs.on(UpdateServiceCommand).rejects(Object.assign(new Error('refused'), { name, $metadata: { httpStatusCode: status } }));
    const error = await new EcsServiceAdapter({ client: new ECSClient({}) }).updateService({ cluster: 'c', service: 's' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ECS_FAILED', retryable, message: `updating service s in cluster c: ${name}: refused` });
  });
});

describe('EcrReleaseAdapter', () => {
  const manifest = '{"schemaVersion":2}';

  it('moves the tag by putting the manifest of the digest byte for byte', async () => {
    ecr.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageDigest: NEW }, imageManifest: manifest, imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' }] });
    ecr.on(PutImageCommand).resolves({});
    await new EcrReleaseAdapter({ client: new ECRClient({}) }).moveTag('portal-api', 'dev-live', NEW);
    expect(ecr).toHaveReceivedCommandWith(BatchGetImageCommand, { repositoryName: 'portal-api', imageIds: [{ imageDigest: NEW }] });
    expect(ecr).toHaveReceivedCommandWith(PutImageCommand, { repositoryName: 'portal-api', imageTag: 'dev-live', imageDigest: NEW, imageManifest: manifest, imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' });
  });

  it('treats ImageAlreadyExistsException as success', async () => {
    ecr.on(BatchGetImageCommand).resolves({ images: [{ imageManifest: manifest }] });
    ecr.on(PutImageCommand).rejects(Object.assign(new Error('exists'), { name: 'ImageAlreadyExistsException' }));
    await expect(new EcrReleaseAdapter({ client: new ECRClient({}) }).moveTag('portal-api', 'dev-live', NEW)).resolves.toBeUndefined();
  });

  it('refuses a digest ECR does not have, with its failure code', async () => {
    ecr.on(BatchGetImageCommand).resolves({ images: [], failures: [{ failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }] });
    const error = await new EcrReleaseAdapter({ client: new ECRClient({}) }).moveTag('portal-api', 'dev-live', NEW).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'IMAGE_NOT_FOUND', message: `moving portal-api:dev-live to ${NEW}: expected the manifest of ${NEW}, ECR said ImageNotFound: Requested image not found` });
    expect(ecr).not.toHaveReceivedCommand(PutImageCommand);
  });

  it('resolves a tag to its digest, undefined when absent', async () => {
    ecr.on(BatchGetImageCommand).resolvesOnce({ images: [{ imageId: { imageDigest: OLD, imageTag: 'dev-live' } }] }).resolves({ images: [], failures: [{ failureCode: 'ImageNotFound' }] });
    const adapter = new EcrReleaseAdapter({ client: new ECRClient({}) });
    expect(await adapter.resolveTag('portal-api', 'dev-live')).toBe(OLD);
    expect(await adapter.resolveTag('portal-api', 'dev-live')).toBeUndefined();
  });
});
