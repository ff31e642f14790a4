import type { Cloud } from '../../local/cloud';
import { bootstrappedCloud, cdk, fixtureAssembly } from '../helpers/cdk-cli';

const CLI_MS = 180_000;


describe('the real CDK CLI updates only what changed and destroy honours DeletionPolicy', () => {
  let cloud: Cloud;
  // Both versions come from the synth cache (e2e/cdk-cli.test.ts deploys an app that the CLI synthesizes itself).
  const app = async (context: Record<string, string>) => ['--app', await fixtureAssembly('tiny-app.ts', context)];
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ cloud, stop } = await bootstrappedCloud('e2e-cdk-update-'));
  }, CLI_MS);
  afterAll(async () => {
    await stop?.();
  });

  it('deploys, then a changed value updates the parameter in place and leaves the bucket alone', async () => {
    const first = await cdk(cloud, ['deploy', 'tiny', '--require-approval', 'never', ...(await app({ greeting: 'hello', retain: 'true' }))]);
    expect(first.code).toBe(0);
    const bucket = cloud.cloudformation.stack('tiny').outputs.find((o) => o.OutputKey === 'BucketName')!.OutputValue;
    expect(cloud.control.ssm.latest('/tiny/greeting').value).toBe('hello');
    const events = cloud.cloudformation.stack('tiny').events.length;
    const second = await cdk(cloud, ['deploy', 'tiny', '--require-approval', 'never', ...(await app({ greeting: 'hi', retain: 'true' }))]);
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
    // The app as last deployed.
    const run = await cdk(cloud, ['destroy', 'tiny', '--force', ...(await app({ greeting: 'hi', retain: 'true' }))]);
    expect(run.code).toBe(0);
    expect(run.output).toMatch(/DELETE_SKIPPED +\| AWS::S3::Bucket/);
    expect(cloud.control.s3.hasBucket(bucket)).toBe(true);
    expect(() => cloud.control.ssm.latest('/tiny/greeting')).toThrow();
  }, CLI_MS);
});
