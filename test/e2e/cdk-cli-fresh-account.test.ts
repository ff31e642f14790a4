import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Cloud } from '../../local/cloud';
import { appAssembly, bootstrappedCloud, cdk, ROOT } from '../helpers/cdk-cli';
import { packTarGz } from '../../local/pack';

const CLI_MS = 300_000;
/** Kong as the stack pulls it: the default `kongImage` (infra/workload-props.ts) through the account's docker-hub cache rule. */
const KONG = '000000000000.dkr.ecr.us-east-1.amazonaws.com/docker-hub/library/kong:0.14.1';


/** What the bus carried and how each function invocation ended, for a failure message. */
function diagnosis(cloud: Cloud): string {
  const events = cloud.bus.timeline.map((e) => `${e.event.source} ${e.event['detail-type']}`).join('\n  ');
  const calls = cloud.functions.invocations().map((i) => `${i.functionName} ${i.outcome} ${i.error ?? ''}\n${i.logs.slice(-1500)}`).join('\n  ');
  return `events:\n  ${events}\ninvocations:\n  ${calls}`;
}

/**
 * docs/deploy-to-aws.md's fresh-account order on an empty emulated account:
 * bootstrap, `cdk deploy wicked-dev` (wicked-registry-cache first), the first
 * config upload. The Docker Hub secret is a prerequisite by ARN only: Secrets
 * Manager is recorded, not emulated, so cdk.json's example ARN stands for it.
 */
describe('a fresh account with the real CDK CLI: a failed first create rolls back, the retry completes, the first upload brings portal-api up', () => {
  let dir: string;
  let cloud: Cloud;
  let assembly: string;
  const resources = (type: string) => [...cloud.cloudformation.stack('wicked-dev').resources.values()].filter((r) => r.type === type);
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    // Emulated waits only (ECS steady state, the circuit breaker's failed tasks): a fast clock shortens them.
    ({ cloud, dir, stop } = await bootstrappedCloud('e2e-cdk-fresh-', { clockSpeed: 20 }));
    assembly = await appAssembly();
  }, CLI_MS);
  afterAll(async () => {
    await stop?.();
  });

  it('Kong failing its health checks fails the first create: CREATE_FAILED on its service, ROLLBACK_COMPLETE, no named leftover', async () => {
    cloud.control.ecs.failHealth(KONG);
    const run = await cdk(cloud, ['deploy', 'wicked-dev', '--require-approval', 'never', '--app', assembly]);
    expect(run.code).not.toBe(0);
    expect(cloud.cloudformation.stack('wicked-registry-cache').status).toBe('CREATE_COMPLETE');
    const stack = cloud.cloudformation.stack('wicked-dev');
    expect(stack.status).toBe('ROLLBACK_COMPLETE');
    const failed = stack.events.filter((e) => e.ResourceStatus === 'CREATE_FAILED');
    expect(failed.map((e) => e.ResourceType)).toEqual(['AWS::ECS::Service']);
    expect(failed[0]!.ResourceStatusReason).toMatch(/ECS Deployment Circuit Breaker was triggered.*Task failed container health checks/);
    // RetainExceptOnCreate: the rollback of a create deletes the named repository, so the retry can create it again.
    expect(stack.events.filter((e) => e.ResourceStatus === 'DELETE_SKIPPED')).toEqual([]);
    expect(() => cloud.control.ecr.listImages('wicked-dev/portal-api')).toThrow(/does not exist/);
  }, CLI_MS);

  it('the retry (the CLI deletes the ROLLBACK_COMPLETE stack first) reaches CREATE_COMPLETE: singletons at zero tasks, Kong running from the cache', async () => {
    cloud.control.ecs.clearHealth(KONG);
    const run = await cdk(cloud, ['deploy', 'wicked-dev', '--require-approval', 'never', '--app', assembly]);
    expect(run.output).toMatch(/✅ {2}wicked-dev/);
    expect(run.code).toBe(0);
    expect(cloud.cloudformation.stack('wicked-dev').status).toBe('CREATE_COMPLETE');
    const cluster = resources('AWS::ECS::Cluster')[0]!.physicalId;
    expect(cloud.control.ecs.getDesiredCount(cluster, 'portal-api')).toBe(0);
    const kong = cloud.control.ecs.taskHistory().filter((t) => t.images.includes(KONG) && t.lastStatus === 'RUNNING' && t.healthStatus === 'HEALTHY');
    expect(kong.length).toBeGreaterThanOrEqual(1);
  }, CLI_MS);

  it('the first config upload: the deployed build-image builds portal-api, deploy-services brings it to running', async () => {
    const bucket = resources('AWS::S3::Bucket').find((r) => r.logicalId.startsWith('PlatformConfigBucket'))!.physicalId;
    const archive = join(dir, 'first.tgz');
    await packTarGz(join(ROOT, 'examples', 'static'), archive);
    const s3 = new S3Client({ endpoint: cloud.endpoints.s3, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'config/dev/first.tgz', Body: createReadStream(archive), ContentLength: (await stat(archive)).size }));
    } finally {
      s3.destroy();
    }
    const built = await cloud.bus.waitFor((e) => e['detail-type'] === 'Portal Image Built' || e['detail-type'] === 'Portal Config Rejected' || e['detail-type'] === 'Portal Build Failed', 120_000, 'the build outcome')
      .catch((error: Error) => { throw new Error(`${error.message}\n${diagnosis(cloud)}`); });
    expect(built['detail-type']).toBe('Portal Image Built');
    const outcome = await cloud.bus.waitFor((e) => e['detail-type'] === 'Portal Deployment Succeeded' || e['detail-type'] === 'Portal Deployment Failed', 120_000, 'the deployment outcome')
      .catch((error: Error) => { throw new Error(`${error.message}\n${diagnosis(cloud)}`); });
    expect(outcome['detail-type']).toBe('Portal Deployment Succeeded');
    const cluster = resources('AWS::ECS::Cluster')[0]!.physicalId;
    expect(cloud.control.ecs.getDesiredCount(cluster, 'portal-api')).toBe(1);
    const live = cloud.control.ecr.listImages('wicked-dev/portal-api').find((i) => i.imageTags?.includes('dev-live'));
    const running = cloud.control.ecs.taskHistory().filter((t) => t.serviceName === 'portal-api' && t.lastStatus === 'RUNNING');
    expect(running.map((t) => t.digests[0])).toEqual([live!.imageDigest]);
  }, CLI_MS);
});
