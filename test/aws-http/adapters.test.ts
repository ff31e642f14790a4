import type { Readable } from 'node:stream';
import { EventPublishError } from '../../shared/adapters/event-publisher';
import { S3ObjectError } from '../../shared/adapters/s3-object-source';
import { AwsHttpClient } from '../../shared/aws-http/client';
import { httpEcrToken } from '../../shared/aws-http/ecr-token';
import { HttpEventPublisher } from '../../shared/aws-http/event-publisher';
import { HttpLedgerReader } from '../../shared/aws-http/ledger-reader';
import { encodeKey, HttpS3ObjectSource, s3ObjectLocation } from '../../shared/aws-http/s3-object-source';
import { Ledger, LedgerError } from '../../shared/ledger';
import { ecrCredentials } from '../../shared/oci/registry/credentials';
import type { AwsWire } from '../helpers/aws-wire';
import { startAwsWire, WIRE_CREDENTIALS } from '../helpers/aws-wire';
import type { DynaliteHarness } from '../ledger/dynalite-server';
import { startDynalite } from '../ledger/dynalite-server';
import { request } from '../ledger/fixtures';

let wire: AwsWire;
const client = (service: 's3' | 'ecr' | 'events' | 'dynamodb', endpoint = wire.url, maxAttempts = 2): AwsHttpClient =>
  new AwsHttpClient({ service, region: 'eu-west-1', endpoint, credentials: WIRE_CREDENTIALS, maxAttempts, sleep: async () => undefined });

async function text(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

beforeAll(async () => { wire = await startAwsWire(); });
afterAll(() => wire.stop());
beforeEach(() => {
  wire.requests.length = 0;
  wire.json.clear();
  wire.objects.clear();
});

describe('HttpS3ObjectSource', () => {
  it('streams an object version with its size and version id', async () => {
    wire.objects.set('cfg/config/dev/a b.tgz?versionId=v7', { bytes: Buffer.from('tar bytes') });
    const opened = await new HttpS3ObjectSource({ client: client('s3') }).open({ bucket: 'cfg', key: 'config/dev/a b.tgz', versionId: 'v7' });
    expect({ size: opened.size, versionId: opened.versionId }).toEqual({ size: 9, versionId: 'v7' });
    expect(await text(opened.body)).toBe('tar bytes');
    expect(wire.requests[0]).toMatchObject({ url: '/cfg/config/dev/a%20b.tgz?versionId=v7', signatureProblem: undefined });
  });

  it('names the object and the S3 error, not retryable for a missing key', async () => {
    const error = await new HttpS3ObjectSource({ client: client('s3') }).open({ bucket: 'cfg', key: 'config/dev/gone.tgz', versionId: 'v1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3ObjectError);
    expect(error).toMatchObject({ code: 'NoSuchKey', retryable: false });
    expect((error as Error).message).toMatch(/^reading s3:\/\/cfg\/config\/dev\/gone\.tgz@v1: NoSuchKey: /);
  });

  it('marks throttling as retryable once the client has given up', async () => {
    wire.failNext('GetObject', { status: 503, body: '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>' }, 2);
    await expect(new HttpS3ObjectSource({ client: client('s3') }).open({ bucket: 'cfg', key: 'k' })).rejects.toMatchObject({ code: 'SlowDown', retryable: true });
    expect(wire.requests).toHaveLength(2);
  });

  it('addresses buckets virtual-hosted on AWS and path-style elsewhere', () => {
    expect(s3ObjectLocation({ custom: false }, 'cfg-bucket', 'config/dev/a+b.tgz')).toEqual({ hostPrefix: 'cfg-bucket.', path: '/config/dev/a%2Bb.tgz' });
    expect(s3ObjectLocation({ custom: false }, 'my.dotted.bucket', 'k')).toEqual({ path: '/my.dotted.bucket/k' });
    expect(s3ObjectLocation({ custom: true }, 'cfg-bucket', 'k')).toEqual({ path: '/cfg-bucket/k' });
    expect(encodeKey("a/b c/ü!'()*~._-")).toBe('a/b%20c/%C3%BC%21%27%28%29%2A~._-');
  });

  it('refuses a client of another service', () => {
    expect(() => new HttpS3ObjectSource({ client: client('events') })).toThrow('HttpS3ObjectSource needs an s3 client, got events');
  });
});

describe('HttpEventPublisher', () => {
  it('puts one control-plane entry and returns its event id', async () => {
    wire.json.set('PutEvents', () => ({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-1' }] }));
    const id = await new HttpEventPublisher({ busName: 'wicked-dev', client: client('events') }).publish('Portal Image Built', { env: 'dev' }, ['arn:aws:s3:::cfg/k']);
    expect(id).toBe('evt-1');
    expect(JSON.parse(wire.requests[0]!.body)).toEqual({ Entries: [{ EventBusName: 'wicked-dev', Source: 'wicked.control-plane', DetailType: 'Portal Image Built', Detail: '{"env":"dev"}', Resources: ['arn:aws:s3:::cfg/k'] }] });
  });

  it('rejects an entry EventBridge refused with status 200', async () => {
    wire.json.set('PutEvents', () => ({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'no' }] }));
    const error = await new HttpEventPublisher({ busName: 'b', client: client('events') }).publish('X', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventPublishError);
    expect((error as Error).message).toBe('putting "X" on bus b: NotAuthorizedForSourceException: no');
  });
});

describe('httpEcrToken', () => {
  it('feeds ecrCredentials: the token decoded, cached until shortly before expiresAt (epoch seconds)', async () => {
    let calls = 0;
    wire.json.set('GetAuthorizationToken', (input) => {
      calls++;
      return { authorizationData: [{ authorizationToken: Buffer.from(`AWS:secret-${calls}`).toString('base64'), expiresAt: 1_800_000_000.5, proxyEndpoint: 'x' }], input };
    });
    let now = 1_800_000_000_500 - 400_000;
    const credentials = ecrCredentials({ token: httpEcrToken(client('ecr')), registryId: '123456789012', now: () => now });
    expect(await credentials.get()).toEqual({ username: 'AWS', password: 'secret-1' });
    expect(await credentials.get()).toEqual({ username: 'AWS', password: 'secret-1' });
    now += 200_000; // inside the 5-minute margin
    expect(await credentials.get()).toEqual({ username: 'AWS', password: 'secret-2' });
    expect(JSON.parse(wire.requests[0]!.body)).toEqual({ registryIds: ['123456789012'] });
  });

  it('turns a refused call into ECR_TOKEN_FAILED naming the AWS error', async () => {
    wire.failNext('GetAuthorizationToken', { status: 400, body: JSON.stringify({ __type: 'AccessDeniedException', message: 'not authorized to perform: ecr:GetAuthorizationToken' }) });
    await expect(ecrCredentials({ token: httpEcrToken(client('ecr')) }).get()).rejects.toMatchObject({ code: 'ECR_TOKEN_FAILED', message: expect.stringMatching(/AccessDeniedException: not authorized/) });
  });
});

describe('HttpLedgerReader against dynalite', () => {
  let dynamo: DynaliteHarness;
  beforeAll(async () => { dynamo = await startDynalite(); });
  afterAll(() => dynamo.stop());

  it('reads the same environment and deployment records the SDK-based ledger wrote', async () => {
    const tableName = await dynamo.freshTable();
    const ledger = new Ledger({ client: dynamo.doc, tableName, leaseMs: 60_000 });
    await ledger.admit(request('d-1', { sequencer: '10' }), 'evt-1');
    await ledger.recordEcsDeployment('dev', 'd-1', 'evt-1', { service: 'portal-api', ecsDeploymentId: 'ecs-svc/1' }, Date.now() + 60_000);
    expect(await ledger.complete('dev', 'd-1', { kind: 'succeeded' })).toMatchObject({ completed: true, lastGood: { deploymentId: 'd-1' } });
    const dynamoClient = new AwsHttpClient({ service: 'dynamodb', region: 'us-east-1', endpoint: dynamo.url, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const reader = new HttpLedgerReader({ client: dynamoClient, tableName });
    expect(await reader.getEnvironment('dev')).toEqual(await ledger.getEnvironment('dev'));
    expect((await reader.getEnvironment('dev'))?.lastGood?.deploymentId).toBe('d-1');
    expect(await reader.getDeployment('dev', 'd-1')).toEqual(await ledger.getDeployment('dev', 'd-1'));
    expect(await reader.getDeployment('dev', 'd-1')).toMatchObject({ deploymentId: 'd-1', bucket: 'cfg' });
    expect(await reader.getEnvironment('prod')).toBeUndefined();
    expect(await reader.getDeployment('dev', 'nope')).toBeUndefined();
  });

  it('names the table and the DynamoDB error', async () => {
    const dynamoClient = new AwsHttpClient({ service: 'dynamodb', region: 'us-east-1', endpoint: dynamo.url, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const error = await new HttpLedgerReader({ client: dynamoClient, tableName: 'missing-table' }).getEnvironment('dev').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerError);
    expect(error).toMatchObject({ code: 'DYNAMODB_FAILED', retryable: false, context: { table: 'missing-table', awsError: 'ResourceNotFoundException' } });
    expect((error as Error).message).toMatch(/^reading environment dev in table missing-table: ResourceNotFoundException: /);
  });
});
