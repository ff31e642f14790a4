import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Cloud } from '../../../local/cloud';
import { startCloud } from '../../../local/cloud';
import { deployTemplate } from './deploy-template';

const template = (paramValue: unknown) => ({
  Resources: {
    Bucket: { Type: 'AWS::S3::Bucket', Properties: { VersioningConfiguration: { Status: 'Enabled' }, NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } }, BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } } },
    Table: { Type: 'AWS::DynamoDB::Table', Properties: { AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' } },
    Repo: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'app/repo', EmptyOnDelete: true } },
    Param: { Type: 'AWS::SSM::Parameter', Properties: { Name: '/app/bucket', Type: 'String', Value: paramValue } },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'app-fn', Runtime: 'nodejs20.x', Handler: 'index.handler', Timeout: 10, Code: { ZipFile: "exports.handler = async (e) => { if (e.detail.bucket.name !== process.env.BUCKET) throw new Error('wrong bucket ' + e.detail.bucket.name); return 'ok'; };" }, Environment: { Variables: { BUCKET: { Ref: 'Bucket' }, TABLE_ARN: { 'Fn::GetAtt': ['Table', 'Arn'] } } } } },
    Rule: { Type: 'AWS::Events::Rule', Properties: { EventPattern: { source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { bucket: { name: [{ Ref: 'Bucket' }] } } }, Targets: [{ Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] }, Id: 'T', RetryPolicy: { MaximumRetryAttempts: 2 } }] } },
    Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'app-topic' } },
  },
  Outputs: { TableArn: { Value: { 'Fn::GetAtt': ['Table', 'Arn'] } } },
});

describe('resource providers against the emulated services', () => {
  let dir: string;
  let cloud: Cloud;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cfn-providers-'));
    cloud = await startCloud({ stateDir: join(dir, 'state') });
  });
  afterAll(async () => {
    await cloud?.stop();
    // rm retries, as sdk-model.test.ts does (an ENOTEMPTY was seen once under load; the cloud's stop now also waits for its last inventory write).
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  const deploy = (body: object, type: 'CREATE' | 'UPDATE', name: string) => deployTemplate(cloud, 'app', body, type, name);

  it('creates each resource in its service, wired by Ref/GetAtt: an upload reaches the function through the stack\'s rule', async () => {
    const stack = await deploy(template({ Ref: 'Bucket' }), 'CREATE', 'create');
    expect(stack.status).toBe('CREATE_COMPLETE');
    const bucket = stack.resources.get('Bucket')!.physicalId;
    expect(bucket).toMatch(/^app-bucket-[a-z0-9]{13}$/);
    expect(cloud.control.ssm.latest('/app/bucket').value).toBe(bucket);
    expect(cloud.control.ecr.listImages('app/repo')).toEqual([]);
    expect(cloud.control.sns.listTopics()).toEqual(['arn:aws:sns:us-east-1:000000000000:app-topic']);
    expect(stack.outputs[0]!.OutputValue).toMatch(/^arn:aws:dynamodb:us-east-1:\d{12}:table\/app-Table-/);
    expect(cloud.functions.get('app-fn')?.environment).toEqual({ BUCKET: bucket, TABLE_ARN: stack.outputs[0]!.OutputValue });
    const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: cloud.endpoints.s3, forcePathStyle: true });
    try {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'config/a.tgz', Body: 'x' }));
    } finally { s3.destroy(); }
    const invocation = await cloud.functions.waitFor((i) => i.functionName === 'app-fn', 15_000, 'app-fn invoked');
    expect(invocation.outcome).toBe('success');
  });

  it('updates in place what changed and keeps the rest', async () => {
    const before = cloud.cloudformation.stack('app');
    const ids = Object.fromEntries([...before.resources].map(([id, r]) => [id, r.physicalId]));
    const stack = await deploy(template('fixed'), 'UPDATE', 'update');
    expect(stack.status).toBe('UPDATE_COMPLETE');
    expect(cloud.control.ssm.latest('/app/bucket').value).toBe('fixed');
    expect(Object.fromEntries([...stack.resources].map(([id, r]) => [id, r.physicalId]))).toEqual(ids);
    const updated = stack.events.filter((e) => e.ResourceStatus === 'UPDATE_COMPLETE' && e.ResourceType !== 'AWS::CloudFormation::Stack').map((e) => e.LogicalResourceId);
    expect(updated).toEqual(['Param']);
  });

  it('fails the deletion of a bucket that still holds objects, as S3 does, and deletes the rest', async () => {
    cloud.cloudformation.deleteStack('app');
    await cloud.cloudformation.settled();
    const stack = cloud.cloudformation.stack('app');
    expect(stack.status).toBe('DELETE_FAILED');
    expect(stack.events.find((e) => e.ResourceStatus === 'DELETE_FAILED' && e.LogicalResourceId === 'Bucket')?.ResourceStatusReason).toMatch(/The bucket you tried to delete is not empty/);
    expect([...stack.resources.keys()]).toEqual(['Bucket']);
    expect(cloud.functions.get('app-fn')).toBeUndefined();
    expect(cloud.control.sns.listTopics()).toEqual([]);
    expect(() => cloud.control.ssm.latest('/app/bucket')).toThrow();
  });

  it('ReservedConcurrentExecutions: the function runs its asynchronous events one at a time, none lost; a reservation Lambda refuses fails the resource', async () => {
    const gate = join(dir, 'gate');
    // Blocks until the test creates the gate file: the first event holds the one reserved execution as long as the test wants.
    const handler = `const fs = require('node:fs'); exports.handler = async () => { while (!fs.existsSync(${JSON.stringify(gate)})) await new Promise((r) => setTimeout(r, 5)); return 'ok'; };`;
    const fn = (reserved: number) => ({ Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: `reserved-${reserved}`, Runtime: 'nodejs20.x', Handler: 'index.handler', Timeout: 30, ReservedConcurrentExecutions: reserved, Code: { ZipFile: handler } } } } });
    const stack = await deployTemplate(cloud, 'reserved', fn(1), 'CREATE', 'one');
    expect(stack.status).toBe('CREATE_COMPLETE');
    for (let i = 0; i < 3; i += 1) cloud.lambdaAsync.invoke('reserved-1', { i });
    for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(cloud.lambdaAsync.load).toEqual({ executing: 1, throttled: 2 });
    await writeFile(gate, '');
    await cloud.lambdaAsync.idle();
    expect(cloud.lambdaAsync.invocations('reserved-1').map((invocation) => [invocation.status, invocation.attempts])).toEqual([['succeeded', 1], ['succeeded', 1], ['succeeded', 1]]);
    // 1,000 of the account's quota less 901 would leave 99 unreserved.
    const refused = await deployTemplate(cloud, 'too-much', fn(901), 'CREATE', 'too-much');
    expect(refused.status).toBe('ROLLBACK_COMPLETE');
    expect(refused.events.find((e) => e.ResourceStatus === 'CREATE_FAILED')?.ResourceStatusReason).toContain("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].");
    expect(cloud.functions.get('reserved-901')).toBeUndefined();
    // Deleting the stack gives the reservation back: 900 more fit again.
    await cloud.cloudformation.deleteStack('reserved');
    await cloud.cloudformation.settled();
    expect((await deployTemplate(cloud, 'most', fn(900), 'CREATE', 'most')).status).toBe('CREATE_COMPLETE');
  });
});
