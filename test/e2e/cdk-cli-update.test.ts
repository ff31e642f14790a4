import { join } from 'node:path';
import type { Cloud } from '../../local/cloud';
import { bootstrappedCloud, cdk, fixtureAssembly } from '../helpers/cdk-cli';

const CLI_MS = 180_000;


describe('the real CDK CLI updates only what changed and destroy honours DeletionPolicy', () => {
  let dir: string;
  let cloud: Cloud;
  const app = (out: string, context: Record<string, string>) => ['--app', 'npx tsx test/e2e/fixtures/tiny-app.ts', '--output', join(dir, out), ...Object.entries(context).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ cloud, dir, stop } = await bootstrappedCloud('e2e-cdk-update-'));
  }, CLI_MS);
  afterAll(async () => {
    await stop?.();
  });

  it('deploys, then a changed value updates the parameter in place and leaves the bucket alone', async () => {
    // The first version comes from the synth cache; the changed one is synthesized by this deploy.
    const first = await cdk(cloud, ['deploy', 'tiny', '--require-approval', 'never', '--app', await fixtureAssembly('tiny-app.ts', { greeting: 'hello', retain: 'true' })]);
    expect(first.code).toBe(0);
    const bucket = cloud.cloudformation.stack('tiny').outputs.find((o) => o.OutputKey === 'BucketName')!.OutputValue;
    expect(cloud.control.ssm.latest('/tiny/greeting').value).toBe('hello');
    const events = cloud.cloudformation.stack('tiny').events.length;
    const second = await cdk(cloud, ['deploy', 'tiny', '--require-approval', 'never', ...app('b', { greeting: 'hi', retain: 'true' })]);
    expect(second.output).toMatch(/UPDATE_COMPLETE +\| AWS::SSM::Parameter/);
    expect(second.code).toBe(0);
    const stack = cloud.cloudformation.stack('tiny');
    expect(stack.status).toBe('UPDATE_COMPLETE');
    expect(cloud.control.ssm.latest('/tiny/greeting').value).toBe('hi');
    const touched = stack.events.slice(0, stack.events.length - events).filter((e) => e.ResourceType !== 'AWS::CloudFormation::Stack').map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`);
    expect(touched.reverse()).toEqual([expect.stringMatching(/^Greeting\w+ UPDATE_IN_PROGRESS$/), expect.stringMatching(/^Greeting\w+ UPDATE_COMPLETE$/)]);
    expect(cloud.control.s3.hasBucket(bucket)).toBe(true);
  }, CLI_MS);

  it('cdk destroy keeps the retained bucket and deletes the parameter', async () => {
    const bucket = cloud.cloudformation.stack('tiny').outputs.find((o) => o.OutputKey === 'BucketName')!.OutputValue;
    // The app as the last deploy synthesized it.
    const run = await cdk(cloud, ['destroy', 'tiny', '--force', '--app', join(dir, 'b')]);
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/DELETE_SKIPPED +\| AWS::S3::Bucket/);
    expect(cloud.control.s3.hasBucket(bucket)).toBe(true);
    expect(() => cloud.control.ssm.latest('/tiny/greeting')).toThrow();
  }, CLI_MS);
});
