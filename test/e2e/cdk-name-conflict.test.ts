import { CreateBucketCommand, DeleteBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Cloud } from '../../local/cloud';
import { bootstrappedCloud, cdk, fixtureAssembly } from '../helpers/cdk-cli';

const CLI_MS = 180_000;
const clientOptions = (endpoint: string) => ({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

/**
 * CloudFormation's pre-deployment validation through the real CDK CLI: a bucket and a parameter that exist outside
 * the stack (what `cdk destroy` of a stack with RemovalPolicy RETAIN leaves behind) fail `cdk deploy` of a stack that
 * names them at CreateChangeSet, before anything is created. The CLI reads the change set's reason, asks
 * DescribeEvents for the failed events and prints each reason and path. The app is fixtures/name-conflict-app.ts.
 */
describe('a named resource that exists already fails cdk deploy at change set creation (real CDK CLI)', () => {
  let cloud: Cloud;
  let stop: (() => Promise<void>) | undefined;
  let s3: S3Client;
  let ssm: SSMClient;
  let app: string[];
  beforeAll(async () => {
    ({ cloud, stop } = await bootstrappedCloud('e2e-cdk-name-conflict-'));
    s3 = new S3Client({ ...clientOptions(cloud.endpoints.s3), forcePathStyle: true });
    ssm = new SSMClient(clientOptions(cloud.endpoints.ssm));
    app = ['--app', await fixtureAssembly('name-conflict-app.ts', {})];
  }, CLI_MS);
  afterAll(async () => {
    s3?.destroy();
    ssm?.destroy();
    await stop?.();
  });

  it('the CLI fails naming both resources, the reasons and the template paths; nothing is created', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'wicked-e2e-config' }));
    await ssm.send(new PutParameterCommand({ Name: '/wicked-e2e/setting', Value: 'from before', Type: 'String' }));
    const run = await cdk(cloud, ['deploy', 'named', '--require-approval', 'never', ...app]);
    expect(run.code).not.toBe(0);
    // The CLI wraps reasons at 120 columns: compare with the whitespace folded.
    const output = run.output.replace(/\s+/g, ' ');
    expect(output).toContain('Early validation failed for change set cdk-deploy-change-set:');
    expect(output).toMatch(/named\/Config\/Resource \(AWS::S3::Bucket (Config[0-9A-F]{8})\) Resource of type 'AWS::S3::Bucket' with identifier 'wicked-e2e-config' already exists\. \(at \/Resources\/\1\)/);
    expect(output).toMatch(/named\/Setting\/Resource \(AWS::SSM::Parameter (Setting[0-9A-F]{8})\) Resource of type 'AWS::SSM::Parameter' with identifier '\/wicked-e2e\/setting' already exists\. \(at \/Resources\/\1\)/);
    // The change set was never executed: no resource event (the unnamed bucket was not created either), no resource held, the parameter as it was.
    // The new stack stays as CreateChangeSet made it, REVIEW_IN_PROGRESS, as on AWS.
    const stack = cloud.cloudformation.stack('named');
    expect(stack.status).toBe('REVIEW_IN_PROGRESS');
    expect(stack.resources.size).toBe(0);
    expect(stack.events.filter((e) => e.ResourceType !== 'AWS::CloudFormation::Stack')).toEqual([]);
    expect((await ssm.send(new GetParameterCommand({ Name: '/wicked-e2e/setting' }))).Parameter?.Value).toBe('from before');
  }, CLI_MS);

  it('once the leftovers are gone, the same deploy creates the stack', async () => {
    await s3.send(new DeleteBucketCommand({ Bucket: 'wicked-e2e-config' }));
    await ssm.send(new DeleteParameterCommand({ Name: '/wicked-e2e/setting' }));
    const run = await cdk(cloud, ['deploy', 'named', '--require-approval', 'never', ...app]);
    expect(run.output).toMatch(/✅ {2}named/);
    expect(run.code).toBe(0);
    expect(cloud.cloudformation.stack('named').status).toBe('CREATE_COMPLETE');
    expect((await s3.send(new HeadBucketCommand({ Bucket: 'wicked-e2e-config' }))).$metadata.httpStatusCode).toBe(200);
    expect((await ssm.send(new GetParameterCommand({ Name: '/wicked-e2e/setting' }))).Parameter?.Value).toBe('from the stack');
  }, CLI_MS);
});
