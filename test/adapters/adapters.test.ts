import 'aws-sdk-client-mock-jest';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { EventPublisher, EventPublishError } from '../../shared/adapters/event-publisher';
import { S3ObjectError, S3ObjectSource } from '../../shared/adapters/s3-object-source';

const s3 = mockClient(S3Client);
const eb = mockClient(EventBridgeClient);

afterEach(() => {
  s3.reset();
  eb.reset();
});

describe('S3ObjectSource', () => {
  it('reads the object by version id as a stream', async () => {
    // Prepare
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from('abc')]) as never, ContentLength: 3, VersionId: 'v7' });
    // Act
    const object = await new S3ObjectSource({ client: new S3Client({}) }).open({ bucket: 'b', key: 'config/dev/a.tgz', versionId: 'v7' });
    const chunks: Buffer[] = [];
    for await (const chunk of object.body) chunks.push(Buffer.from(chunk));
    // Assess
    expect(Buffer.concat(chunks).toString()).toBe('abc');
    expect(object.size).toBe(3);
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'b', Key: 'config/dev/a.tgz', VersionId: 'v7' });
  });

  it.each([
    ['NoSuchKey', 404, false],
    ['AccessDenied', 403, false],
    ['InternalError', 500, true],
    ['SlowDown', 503, true],
  ])('maps %s (%d) to a typed error, retryable=%s', async (name, status, retryable) => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('boom'), { name, $metadata: { httpStatusCode: status } }));
    const error = await new S3ObjectSource({ client: new S3Client({}) }).open({ bucket: 'b', key: 'k', versionId: 'v1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3ObjectError);
    expect(error).toMatchObject({ code: name, retryable });
    expect((error as Error).message).toContain('s3://b/k@v1');
  });

  it('maps a connection reset (no HTTP answer) to a retryable error, and a bug to a final one', async () => {
    s3.on(GetObjectCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: { attempts: 3 } })).rejectsOnce(new TypeError('x is not a function'));
    const source = new S3ObjectSource({ client: new S3Client({}) });
    await expect(source.open({ bucket: 'b', key: 'k' })).rejects.toMatchObject({ code: 'Error', retryable: true });
    await expect(source.open({ bucket: 'b', key: 'k' })).rejects.toMatchObject({ code: 'TypeError', retryable: false });
  });
});

describe('EventPublisher', () => {
  it('puts one entry with the control plane source', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    const id = await new EventPublisher({ busName: 'default', client: new EventBridgeClient({}) }).publish('Portal Image Built', { env: 'dev' });
    expect(id).toBe('e1');
    expect(eb).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [{ EventBusName: 'default', Source: 'wicked.control-plane', DetailType: 'Portal Image Built', Detail: '{"env":"dev"}', Resources: [] }],
    });
  });

  it('rejects when EventBridge reports a failed entry with HTTP 200', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    const error = await new EventPublisher({ busName: 'default', client: new EventBridgeClient({}) }).publish('X', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventPublishError);
    expect((error as Error).message).toBe('putting "X" on bus default: InternalFailure: try again');
  });
});
