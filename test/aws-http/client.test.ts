import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { defaultProvider, MissingEnvironmentCredentialsError } from '../../functions/credentials/env-provider';
import { AwsHttpClient, parseErrorBody } from '../../shared/aws-http/client';
import { AwsHttpError } from '../../shared/aws-http/errors';
import { encodeKey } from '../../shared/aws-http/s3-object-source';
import type { AwsWire } from '../helpers/aws-wire';
import { startAwsWire, WIRE_CREDENTIALS } from '../helpers/aws-wire';

let wire: AwsWire;
const sleeps: number[] = [];
const client = (service: 's3' | 'ecr' | 'events' | 'dynamodb', extra: { maxAttempts?: number } = {}): AwsHttpClient =>
  new AwsHttpClient({ service, region: 'eu-west-1', endpoint: wire.url, credentials: WIRE_CREDENTIALS, sleep: async (ms) => { sleeps.push(ms); }, ...extra });

beforeAll(async () => {
  wire = await startAwsWire();
});

afterAll(async () => {
  await wire.stop();
});

beforeEach(() => {
  wire.requests.length = 0;
  sleeps.length = 0;
  wire.json.clear();
  wire.objects.clear();
});

describe('AwsHttpClient on the wire', () => {
  it('signs an awsJson call so that the signature verifies from the request as received', async () => {
    wire.json.set('PutEvents', (input) => ({ FailedEntryCount: 0, Entries: [{ EventId: `id-${(input.Entries as unknown[]).length}` }] }));
    const output = await client('events').callJson<{ Entries: { EventId: string }[] }>('PutEvents', { Entries: [{ Detail: '{"a":"ü"}' }] });
    expect(output.Entries[0]!.EventId).toBe('id-1');
    const [request] = wire.requests;
    expect(request!.signatureProblem).toBeUndefined();
    expect(request!.scope).toEqual({ service: 'events', region: 'eu-west-1' });
    expect(request!.headers['x-amz-target']).toBe('AWSEvents.PutEvents');
    expect(request!.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(request!.body)).toEqual({ Entries: [{ Detail: '{"a":"ü"}' }] });
  });

  it('uses each service’s signing name, target prefix and JSON version', async () => {
    wire.json.set('GetItem', () => ({}));
    wire.json.set('GetAuthorizationToken', () => ({ authorizationData: [] }));
    await client('dynamodb').callJson('GetItem', { TableName: 't' });
    await client('ecr').callJson('GetAuthorizationToken', {});
    expect(wire.requests.map((r) => [r.scope?.service, r.headers['x-amz-target'], r.headers['content-type'], r.signatureProblem])).toEqual([
      ['dynamodb', 'DynamoDB_20120810.GetItem', 'application/x-amz-json-1.0', undefined],
      ['ecr', 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken', 'application/x-amz-json-1.1', undefined],
    ]);
  });

  it('signs an S3 GET of a key that needs encoding, with its version id', async () => {
    const key = 'config/dev/a b+c (ü)*.tgz';
    wire.objects.set(`cfg-bucket/${key}?versionId=v 1/2`, { bytes: Buffer.from('archive') });
    const response = await client('s3').send({ operation: 'GetObject', method: 'GET', path: `/cfg-bucket/${encodeKey(key)}`, query: { versionId: 'v 1/2' } });
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('archive');
    const [request] = wire.requests;
    expect(request!.signatureProblem).toBeUndefined();
    expect(request!.scope).toEqual({ service: 's3', region: 'eu-west-1' });
    expect(request!.url).toBe('/cfg-bucket/config/dev/a%20b%2Bc%20%28%C3%BC%29%2A.tgz?versionId=v%201%2F2');
  });

  it('the signature check is not circular: the AWS SDK’s own requests verify, a tampered one does not', async () => {
    wire.objects.set('cfg-bucket/k?versionId=v1', { bytes: Buffer.from('x') });
    wire.json.set('PutEvents', () => ({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] }));
    const s3 = new S3Client({ region: 'eu-west-1', endpoint: wire.url, forcePathStyle: true, credentials: WIRE_CREDENTIALS });
    await (await s3.send(new GetObjectCommand({ Bucket: 'cfg-bucket', Key: 'k', VersionId: 'v1' }))).Body!.transformToString();
    const events = new EventBridgeClient({ region: 'eu-west-1', endpoint: wire.url, credentials: WIRE_CREDENTIALS });
    await events.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] }));
    expect(wire.requests.map((r) => r.signatureProblem)).toEqual([undefined, undefined]);
    // The same signed request with another query value: the server refuses it.
    const signed = wire.requests[0]!;
    const tampered = await fetch(`${wire.url}${signed.url.replace('versionId=v1', 'versionId=v2')}`, { headers: Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name !== 'host' && name !== 'connection').map(([k, v]) => [k, String(v)])) });
    expect(tampered.status).toBe(403);
    expect(wire.requests[2]!.signatureProblem).toMatch(/does not match/);
  });

  it('retries 5xx and throttling with growing jittered waits, then succeeds', async () => {
    wire.json.set('PutEvents', () => ({ Entries: [{ EventId: 'e' }] }));
    wire.failNext('PutEvents', { status: 503, body: JSON.stringify({ __type: 'ServiceUnavailable', message: 'busy' }) });
    wire.failNext('PutEvents', { status: 400, body: JSON.stringify({ __type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate exceeded' }) });
    await expect(client('events').callJson('PutEvents', {})).resolves.toEqual({ Entries: [{ EventId: 'e' }] });
    expect(wire.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeLessThanOrEqual(100);
    expect(sleeps[1]).toBeLessThanOrEqual(1000);
  });

  it('retries a dropped connection as a network error', async () => {
    wire.json.set('PutEvents', () => ({ Entries: [{ EventId: 'e' }] }));
    wire.failNext('PutEvents', { status: 0, drop: true });
    await expect(client('events').callJson('PutEvents', {})).resolves.toEqual({ Entries: [{ EventId: 'e' }] });
    expect(wire.requests).toHaveLength(2);
  });

  it('gives up after maxAttempts with the last error, its status and the attempts', async () => {
    wire.failNext('PutEvents', { status: 500, body: JSON.stringify({ __type: 'InternalException', message: 'oops' }), headers: { 'x-amzn-requestid': 'req-9' } }, 5);
    const error = await client('events', { maxAttempts: 3 }).callJson('PutEvents', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsHttpError);
    expect(error).toMatchObject({ name: 'InternalException', $fault: 'server', $metadata: { httpStatusCode: 500, requestId: 'req-9', attempts: 3 } });
    expect((error as Error).message).toBe('events:PutEvents answered 500 InternalException: oops (after 3 attempts)');
    expect(wire.requests).toHaveLength(3);
  });

  it('does not retry a client error, and names it', async () => {
    wire.failNext('GetItem', { status: 400, body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found' }) });
    const error = await client('dynamodb').callJson('GetItem', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    expect(wire.requests).toHaveLength(1);
  });

  it('reads S3’s XML errors', async () => {
    const error = await client('s3').send({ operation: 'GetObject', method: 'GET', path: '/cfg-bucket/missing' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404, requestId: 'wire-404' } });
    expect((error as Error).message).toBe('s3:GetObject answered 404 NoSuchKey: The specified key does not exist.');
  });

  it('names the bucket’s region when S3 redirects', async () => {
    wire.failNext('GetObject', { status: 301, headers: { 'x-amz-bucket-region': 'us-east-2' }, body: '<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message></Error>' });
    const error = await client('s3').send({ operation: 'GetObject', method: 'GET', path: '/b/k' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/PermanentRedirect: .* \(the bucket is in us-east-2, the client in eu-west-1\)$/);
  });

  it('refuses a JSON answer that is not JSON', async () => {
    wire.failNext('PutEvents', { status: 200, body: '<html>proxy</html>' });
    await expect(client('events').callJson('PutEvents', {})).rejects.toMatchObject({ name: 'InvalidResponse' });
  });

  it('fails clearly when the credentials provider has none, with the provider\'s own error', async () => {
    const broken = new AwsHttpClient({ service: 'events', region: 'eu-west-1', endpoint: wire.url, credentials: defaultProvider(), env: {} });
    const saved = { key: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const error = await broken.callJson('PutEvents', {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MissingEnvironmentCredentialsError);
      expect(error).toMatchObject({ code: 'CREDENTIALS_NOT_IN_ENVIRONMENT', retryable: false });
    } finally {
      if (saved.key !== undefined) process.env.AWS_ACCESS_KEY_ID = saved.key;
      if (saved.secret !== undefined) process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
    expect(wire.requests).toHaveLength(0);
  });
});

describe('parseErrorBody', () => {
  it.each([
    ['{"__type":"com.amazon.coral.validate#ValidationException","message":"bad"}', {}, { code: 'ValidationException', message: 'bad' }],
    ['{"__type":"ThrottlingException:http://internal.amazon.com/coral/","Message":"slow"}', {}, { code: 'ThrottlingException', message: 'slow' }],
    ['{"message":"no type"}', { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/' }, { code: 'AccessDeniedException', message: 'no type' }],
    ['<Error><Code>AccessDenied</Code><Message>a &amp; b</Message></Error>', {}, { code: 'AccessDenied', message: 'a & b' }],
    ['', { 'x-amzn-errortype': 'ExpiredTokenException' }, { code: 'ExpiredTokenException' }],
    ['', {}, {}],
  ])('%s', (text, headers, expected) => {
    expect(parseErrorBody(text, headers)).toEqual(expected);
  });
});
