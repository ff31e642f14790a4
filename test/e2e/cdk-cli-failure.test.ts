import { join } from 'node:path';
import type { Cloud } from '../../local/cloud';
import { bootstrappedCloud, cdk, fixtureAssembly } from '../helpers/cdk-cli';
import { runCli } from '../cli/run-cli';

const CLI_MS = 180_000;


describe('a template that would fail on AWS for a known reason fails here too (real CDK CLI)', () => {
  let dir: string;
  let cloud: Cloud;
  const app = async (image: 'missing' | 'cached') => ['--app', await fixtureAssembly('service-app.ts', { image })];
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    // Tasks take seconds of emulated time to pull and fail; a faster clock keeps the circuit breaker's three failures short.
    ({ cloud, dir, stop } = await bootstrappedCloud('e2e-cdk-failure-', { clockSpeed: 20 }));
  }, CLI_MS);
  afterAll(async () => {
    await stop?.();
  });

  it('a service whose ECR image does not exist yet: CREATE_FAILED on the service, ROLLBACK_COMPLETE, the retained repository left', async () => {
    const run = await cdk(cloud, ['deploy', 'svc', '--require-approval', 'never', ...(await app('missing'))]);
    expect(run.code).not.toBe(0);
    const stack = cloud.cloudformation.stack('svc');
    expect(stack.status).toBe('ROLLBACK_COMPLETE');
    const failed = stack.events.filter((e) => e.ResourceStatus === 'CREATE_FAILED' && e.ResourceType === 'AWS::ECS::Service');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.ResourceStatusReason).toMatch(/ECS Deployment Circuit Breaker was triggered/);
    expect(failed[0]!.ResourceStatusReason).toMatch(/CannotPullContainerError: .*000000000000\.dkr\.ecr\.us-east-1\.amazonaws\.com\/.+:v1: not found/);
    expect(run.output).toMatch(/CREATE_FAILED +\| AWS::ECS::Service/);
    // The CLI looked at the failure through the emulator's CloudTrail (a lookup over the deploy's time range), not AWS's.
    expect(cloud.trailLookups().length).toBeGreaterThanOrEqual(1);
    expect(cloud.trailLookups().every((lookup) => lookup.startTime !== undefined && lookup.endTime !== undefined && lookup.startTime <= lookup.endTime)).toBe(true);
    // The service that existed was deleted by the rollback (events newest first); its tasks never ran.
    const service = stack.events.filter((e) => e.LogicalResourceId === failed[0]!.LogicalResourceId).map((e) => e.ResourceStatus);
    expect(service.slice(0, 3)).toEqual(['DELETE_COMPLETE', 'DELETE_IN_PROGRESS', 'CREATE_FAILED']);
    expect(cloud.control.ecs.taskHistory().filter((t) => t.lastStatus !== 'STOPPED')).toEqual([]);
    expect(cloud.control.ecs.taskHistory().filter((t) => t.stopCode === 'TaskFailedToStart').length).toBeGreaterThanOrEqual(3);
    // DeletionPolicy Retain: the repository is left behind (DELETE_SKIPPED), as on AWS.
    const repository = stack.events.find((e) => e.ResourceType === 'AWS::ECR::Repository' && e.ResourceStatus === 'DELETE_SKIPPED');
    expect(repository).toBeDefined();
    expect(cloud.control.ecr.listImages(repository!.PhysicalResourceId)).toEqual([]);
  }, CLI_MS);

  it('a custom resource whose handler never answers: CREATE_FAILED once its ServiceTimeout passed, with CloudFormation\'s message, then ROLLBACK_COMPLETE', async () => {
    const run = await cdk(cloud, ['deploy', 'mute', '--require-approval', 'never', '--app', await fixtureAssembly('mute-resource-app.ts', { timeout: '30' })]);
    expect(run.code).not.toBe(0);
    const stack = cloud.cloudformation.stack('mute');
    expect(stack.status).toBe('ROLLBACK_COMPLETE');
    const failed = stack.events.filter((e) => e.ResourceStatus === 'CREATE_FAILED' && e.ResourceType === 'Custom::Mute');
    expect(failed.map((e) => e.ResourceStatusReason)).toEqual([expect.stringMatching(/CloudFormation did not receive a response from your Custom Resource\. Please check your logs for requestId \[[0-9a-f-]{36}\]\.$/)]);
    expect(run.output).toMatch(/CREATE_FAILED +\| Custom::Mute/);
    // CloudFormation invoked the handler asynchronously, once: it returned without an error, so Lambda had nothing to retry
    // (the wait's length on the emulated clock is tested in local/lambda/functions.test.ts).
    expect(cloud.lambdaAsync.invocations().filter((i) => (i.event as { ResourceType?: string }).ResourceType === 'Custom::Mute').map((i) => [i.status, i.attempts])).toEqual([['succeeded', 1]]);
  }, CLI_MS);

  it('the same service with a Docker Hub image through the pull-through cache rule: CREATE_COMPLETE, the stand-in cached', async () => {
    // The CLI deletes the ROLLBACK_COMPLETE stack before creating it again, as against AWS.
    const run = await cdk(cloud, ['deploy', 'svc', '--require-approval', 'never', ...(await app('cached'))]);
    expect(run.output).toMatch(/✅ {2}svc/);
    expect(run.code).toBe(0);
    expect(cloud.cloudformation.stack('svc').status).toBe('CREATE_COMPLETE');
    expect(cloud.control.ecr.listImages('docker-hub/library/nginx').flatMap((i) => i.imageTags ?? [])).toEqual(['1.27']);
    const running = cloud.control.ecs.taskHistory().filter((t) => t.lastStatus === 'RUNNING' && t.healthStatus === 'HEALTHY');
    expect(running.map((t) => t.images[0])).toEqual(['000000000000.dkr.ecr.us-east-1.amazonaws.com/docker-hub/library/nginx:1.27']);
    // `wickedctl local resources` reads the inventory the cloud keeps in its state directory.
    const listed = await runCli(['local', 'resources', '--state-dir', join(dir, 'state')]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^svc +Service\w+ +AWS::ECS::Service +emulated +arn:aws:ecs:/m);
    expect(listed.stdout).toMatch(/^svc +DockerHubCache +AWS::ECR::PullThroughCacheRule +emulated +docker-hub$/m);
    expect(listed.stdout).toMatch(/^svc +Vpc\w+ +AWS::EC2::VPC +recorded, not emulated +vpc-/m);
  }, CLI_MS);
});
