import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutBucketNotificationConfigurationCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LocalBus } from '../../../local/bus';
import { scaledClock } from '../../../local/kernel/clock';
import { AwsChunkedError, decodeAwsChunked, startS3 } from '../../../local/s3';
import { S3ObjectSource } from '../../../shared/adapters/s3-object-source';
import { S3ObjectCreatedEventSchema } from '../../../shared/events';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, forcePathStyle: true };

describe('decodeAwsChunked', () => {
  it.each([
    ['one chunk', '3\r\nabc\r\n0\r\n\r\n', 'abc'],
    ['two chunks with signatures', '2;chunk-signature=aa\r\nab\r\n1;chunk-signature=bb\r\nc\r\n0;chunk-signature=cc\r\n\r\n', 'abc'],
    ['trailing checksum', '5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n', 'hello'],
    ['empty body', '0\r\n\r\n', ''],
    ['bytes that contain CRLF', 'a\r\nab\r\ncd\r\nef\r\n0\r\n\r\n', 'ab\r\ncd\r\nef'],
  ])('%s', (_name, framed, plain) => {
    expect(decodeAwsChunked(Buffer.from(framed)).toString()).toBe(plain);
  });

  it.each([['no size', 'zz\r\nabc\r\n'], ['short chunk', '9\r\nabc\r\n0\r\n\r\n'], ['no terminator', '3\r\nabc\r\n']])('refuses %s', (_name, framed) => {
    expect(() => decodeAwsChunked(Buffer.from(framed))).toThrow(AwsChunkedError);
  });
});

describe('local S3 through @aws-sdk/client-s3 (path-style)', () => {
  let dir: string;
  let bus: LocalBus;
  let s3: Awaited<ReturnType<typeof startS3>>;
  let client: S3Client;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-s3-'));
    bus = new LocalBus({ clock: scaledClock(1) });
    s3 = await startS3({ clock: scaledClock(1), bus, stateDir: dir });
    client = new S3Client({ ...local, endpoint: s3.url });
  });
  afterEach(async () => {
    client.destroy();
    await s3.stop();
    bus.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every version of a key in a versioned bucket and reads each by version id ("Using versioning in S3 buckets")', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'cfg' }));
    await client.send(new PutBucketVersioningCommand({ Bucket: 'cfg', VersioningConfiguration: { Status: 'Enabled' } }));
    const first = await client.send(new PutObjectCommand({ Bucket: 'cfg', Key: 'config/dev/a.tgz', Body: 'first' }));
    const second = await client.send(new PutObjectCommand({ Bucket: 'cfg', Key: 'config/dev/a.tgz', Body: 'second!' }));
    expect(first.VersionId).toBeTruthy();
    expect(second.VersionId).not.toBe(first.VersionId);
    const old = await client.send(new GetObjectCommand({ Bucket: 'cfg', Key: 'config/dev/a.tgz', VersionId: first.VersionId }));
    expect(await old.Body!.transformToString()).toBe('first');
    const latest = await client.send(new GetObjectCommand({ Bucket: 'cfg', Key: 'config/dev/a.tgz' }));
    expect(await latest.Body!.transformToString()).toBe('second!');
    expect(latest.VersionId).toBe(second.VersionId);
    const head = await client.send(new HeadObjectCommand({ Bucket: 'cfg', Key: 'config/dev/a.tgz' }));
    expect(head).toMatchObject({ ContentLength: 7, ETag: second.ETag, VersionId: second.VersionId });
    await expect(client.send(new GetObjectCommand({ Bucket: 'cfg', Key: 'config/dev/a.tgz', VersionId: 'nope' }))).rejects.toMatchObject({ name: 'NoSuchVersion' });
  });

  it('stores streamed bodies without the aws-chunked framing, with the SDK default checksum setting', async () => {
    s3.control.createBucket('cfg');
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    await client.send(new PutObjectCommand({ Bucket: 'cfg', Key: 'blob.bin', Body: Readable.from([bytes]), ContentLength: bytes.length }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'cfg', Key: 'blob.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(bytes)).toBe(true);
  });

  it('answers missing buckets and keys with the S3 error codes', async () => {
    await expect(client.send(new GetObjectCommand({ Bucket: 'nope', Key: 'k' }))).rejects.toMatchObject({ name: 'NoSuchBucket' });
    s3.control.createBucket('cfg');
    await expect(client.send(new GetObjectCommand({ Bucket: 'cfg', Key: 'k' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    await expect(client.send(new HeadObjectCommand({ Bucket: 'cfg', Key: 'k' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    await expect(client.send(new CreateBucketCommand({ Bucket: 'cfg' }))).rejects.toMatchObject({ name: 'BucketAlreadyOwnedByYou' });
  });

  it('lists objects with prefix, delimiter and continuation tokens (ListObjectsV2)', async () => {
    s3.control.createBucket('cfg');
    for (const key of ['config/dev/a.tgz', 'config/dev/b.tgz', 'config/prod/a.tgz', 'other.txt']) {
      await client.send(new PutObjectCommand({ Bucket: 'cfg', Key: key, Body: key }));
    }
    const page1 = await client.send(new ListObjectsV2Command({ Bucket: 'cfg', Prefix: 'config/', MaxKeys: 2 }));
    expect(page1.Contents!.map((o) => o.Key)).toEqual(['config/dev/a.tgz', 'config/dev/b.tgz']);
    expect(page1.IsTruncated).toBe(true);
    const page2 = await client.send(new ListObjectsV2Command({ Bucket: 'cfg', Prefix: 'config/', MaxKeys: 2, ContinuationToken: page1.NextContinuationToken }));
    expect(page2.Contents!.map((o) => o.Key)).toEqual(['config/prod/a.tgz']);
    expect(page2.IsTruncated).toBe(false);
    const grouped = await client.send(new ListObjectsV2Command({ Bucket: 'cfg', Prefix: 'config/', Delimiter: '/' }));
    expect(grouped.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['config/dev/', 'config/prod/']);
    expect(grouped.Contents ?? []).toEqual([]);
  });

  it('puts an EventBridge "Object Created" event on the bus ("Amazon S3 Event Notifications: EventBridge event message structure")', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'cfg' }));
    await client.send(new PutObjectCommand({ Bucket: 'cfg', Key: 'config/dev/quiet.tgz', Body: 'x' }));
    expect(bus.timeline).toHaveLength(0); // EventBridge notifications are off until enabled
    await client.send(new PutBucketVersioningCommand({ Bucket: 'cfg', VersioningConfiguration: { Status: 'Enabled' } }));
    await client.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'cfg', NotificationConfiguration: { EventBridgeConfiguration: {} } }));
    const put = await client.send(new PutObjectCommand({ Bucket: 'cfg', Key: 'config/dev/a.tgz', Body: 'archive' }));
    await client.send(new PutObjectCommand({ Bucket: 'cfg', Key: 'config/dev/a.tgz', Body: 'archive 2' }));
    expect(bus.timeline).toHaveLength(2);
    const [first, second] = bus.timeline.map((entry) => entry.event);
    expect(first).toMatchObject({
      version: '0', source: 'aws.s3', 'detail-type': 'Object Created', account: '000000000000', region: 'us-east-1', resources: ['arn:aws:s3:::cfg'],
      detail: { version: '0', bucket: { name: 'cfg' }, object: { key: 'config/dev/a.tgz', size: 7, etag: put.ETag!.replace(/"/g, ''), 'version-id': put.VersionId }, requester: '000000000000', reason: 'PutObject' },
    });
    expect(S3ObjectCreatedEventSchema.safeParse(first).success).toBe(true);
    const sequencers = [first, second].map((e) => String((e!.detail.object as { sequencer: string }).sequencer));
    expect(sequencers[0]).toMatch(/^[0-9A-F]+$/);
    expect(sequencers[0]!.padStart(32, '0') < sequencers[1]!.padStart(32, '0')).toBe(true);
    // the project's adapter reads the version named in the event
    const opened = await new S3ObjectSource({ client }).open({ bucket: 'cfg', key: 'config/dev/a.tgz', versionId: put.VersionId! });
    const chunks: Buffer[] = [];
    for await (const chunk of opened.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('archive');
  });

  it('keeps objects across a restart with the same state dir', async () => {
    s3.control.createBucket('cfg', { versioning: true });
    const put = await client.send(new PutObjectCommand({ Bucket: 'cfg', Key: 'k', Body: 'kept' }));
    await s3.stop();
    s3 = await startS3({ clock: scaledClock(1), bus, stateDir: dir });
    client.destroy();
    client = new S3Client({ ...local, endpoint: s3.url });
    const got = await client.send(new GetObjectCommand({ Bucket: 'cfg', Key: 'k', VersionId: put.VersionId }));
    expect(await got.Body!.transformToString()).toBe('kept');
  });
});
