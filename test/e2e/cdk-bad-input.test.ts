import type { Cloud } from '../../local/cloud';
import { bootstrappedCloud, cdk, fixtureAssembly } from '../helpers/cdk-cli';

const CLI_MS = 180_000;

/**
 * Templates the local CloudFormation cannot run fail the deploy, through the
 * real CDK CLI: the resource CREATE_FAILED with its logical id, the property
 * and the reason, the stack rolled back (what was created deleted), never a
 * silent success. The cases are in fixtures/bad-input-app.ts.
 */
describe('templates the emulator cannot run fail the deploy, naming the logical id, the property and the reason (real CDK CLI)', () => {
  let cloud: Cloud;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ cloud, stop } = await bootstrappedCloud('e2e-cdk-bad-input-'));
  }, CLI_MS);
  afterAll(async () => {
    await stop?.();
  });

  // Each case's template is valid CDK output (it is the emulator that cannot run it): the synth cache keeps the
  // fixture's one assembly, a stack per case.
  const deploy = async (kind: string) => cdk(cloud, ['deploy', `bad-${kind}`, '--require-approval', 'never', '--app', await fixtureAssembly('bad-input-app.ts', {})]);

  it.each([
    ['intrinsic', 'AWS::SSM::Parameter', /^Cidr[0-9A-F]{8}\.Properties\.Value: Fn::Cidr: this intrinsic function is not emulated; supported: Ref, /],
    ['property', 'AWS::S3::Bucket', /^Fast[0-9A-F]{8}\.Properties\.AccelerateConfiguration: not understood by the emulated AWS::S3::Bucket; it understands BucketName, /],
    ['controller', 'AWS::ECS::Service', /^Svc \(AWS::ECS::Service\): DeploymentController\.Type "CODE_DEPLOY" is not emulated; the emulated ECS runs rolling updates \(ECS\) only$/],
  ])('%s: CREATE_FAILED on the %s with the reason, ROLLBACK_COMPLETE, the bucket created before it deleted', async (kind, type, reason) => {
    const run = await deploy(kind);
    const stack = cloud.cloudformation.stack(`bad-${kind}`);
    const failed = stack.events.filter((e) => e.ResourceStatus === 'CREATE_FAILED' && e.ResourceType === type);
    expect({ code: run.code === 0 ? 0 : 'failed', status: stack.status, reasons: failed.map((e) => e.ResourceStatusReason) }).toEqual({ code: 'failed', status: 'ROLLBACK_COMPLETE', reasons: [expect.stringMatching(reason)] });
    // The CLI shows the reason to the user, as against AWS.
    expect(run.output).toContain(failed[0]!.ResourceStatusReason!.slice(0, 60));
    const bucket = stack.events.filter((e) => e.LogicalResourceId.startsWith('First')).map((e) => e.ResourceStatus);
    expect(bucket.slice(0, 2)).toEqual(['DELETE_COMPLETE', 'DELETE_IN_PROGRESS']);
  }, CLI_MS);

  it('an intrinsic the emulator does not run in an output fails the stack too, naming the output', async () => {
    const template = { Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: {} } }, Outputs: { Count: { Value: { 'Fn::Length': [1, 2] } } } };
    const changeSet = await cloud.cloudformation.createChangeSet({ StackName: 'outputs', ChangeSetName: 'create', ChangeSetType: 'CREATE', TemplateBody: JSON.stringify(template), Parameters: [], Capabilities: [], Tags: [] });
    cloud.cloudformation.executeChangeSet(changeSet.id);
    await cloud.cloudformation.settled();
    const stack = cloud.cloudformation.stack('outputs');
    expect({ status: stack.status, reason: stack.statusReason }).toEqual({ status: 'ROLLBACK_COMPLETE', reason: expect.stringMatching(/Outputs\.Count\.Value: Fn::Length: this intrinsic function is not emulated/) });
    expect(cloud.control.sns.listTopics()).toEqual([]);
  });
});
