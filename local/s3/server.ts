import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Clock } from '../kernel/clock';
import type { EventSink } from '../kernel/events';
import { LOCAL_ACCOUNT } from '../kernel/events';
import { readBody } from '../kernel/aws-json';
import { decodeAwsChunked, isAwsChunked } from './aws-chunked';
import { S3Error } from './errors';
import type { BucketState, ObjectVersion } from './store';
import { S3Store } from './store';
import { errorXml, listObjectsV2Xml, versioningXml } from './xml';

/** Options of {@link startS3}. */
export interface S3Options {
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  readonly clock: Clock;
  readonly bus: EventSink;
  /** Objects are kept under `<stateDir>/s3`. */
  readonly stateDir: string;
}

/** The emulated S3's control surface for tests and the demo. */
export interface S3Control {
  /** Creates a bucket as the CDK stack would (versioning, EventBridge notifications). */
  createBucket(name: string, settings?: { versioning?: boolean; eventBridge?: boolean }): void;
  /** Every version of a key, oldest first. */
  versions(bucket: string, key: string): readonly ObjectVersion[];
  /** Whether a bucket exists. */
  hasBucket(name: string): boolean;
}

/**
 * Starts the emulator's S3 subset on 127.0.0.1, path-style only:
 * CreateBucket, HeadBucket, Put/GetBucketVersioning,
 * PutBucketNotificationConfiguration (EventBridge on/off), PutObject,
 * GetObject, HeadObject and ListObjectsV2, with version ids. Every PutObject
 * in a bucket with EventBridge notifications on puts an `Object Created`
 * event on the bus. aws-chunked request bodies are decoded, so the SDK's
 * default checksum setting works unchanged.
 *
 * @example
 * const s3 = await startS3({ clock, bus, stateDir });
 * new S3Client({ endpoint: s3.url, forcePathStyle: true });
 */
export async function startS3(options: S3Options): Promise<{ url: string; stop(): Promise<void>; control: S3Control }> {
  const store = new S3Store(join(options.stateDir, 's3'), options.clock);
  const server = createServer((req, res) => {
    handle(store, options.bus, req, res).catch((error: unknown) => {
      const failure = error instanceof S3Error ? error : new S3Error('InternalError', (error as Error).message, 500);
      const body = req.method === 'HEAD' ? undefined : errorXml(failure);
      res.writeHead(failure.status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId() });
      res.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
    control: {
      createBucket: (name, settings) => { store.createBucket(name, settings); },
      versions: (bucket, key) => store.versions(bucket, key),
      hasBucket: (name) => { try { store.bucket(name); return true; } catch { return false; } },
    },
  };
}

async function handle(store: S3Store, bus: EventSink, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const [bucket, ...rest] = url.pathname.slice(1).split('/');
  const key = rest.map(decodeURIComponent).join('/');
  if (!bucket) throw new S3Error('NotImplemented', 'ListBuckets is not emulated; address a bucket path-style: /<bucket>/<key>', 501);
  const name = decodeURIComponent(bucket);
  if (key) return objectRequest(store, bus, req, res, { bucket: name, key, versionId: url.searchParams.get('versionId') ?? undefined });
  return bucketRequest(store, req, res, name, url.searchParams);
}

async function bucketRequest(store: S3Store, req: IncomingMessage, res: ServerResponse, bucket: string, query: URLSearchParams): Promise<void> {
  const method = req.method ?? 'GET';
  if (method === 'PUT' && query.has('versioning')) {
    const body = (await readBody(req)).toString('utf8');
    store.configure(bucket, { versioning: /<Status>\s*Enabled\s*<\/Status>/.test(body) ? 'Enabled' : 'Suspended' });
    return send(res, 200);
  }
  if (method === 'PUT' && query.has('notification')) {
    const body = (await readBody(req)).toString('utf8');
    store.configure(bucket, { eventBridge: body.includes('<EventBridgeConfiguration') });
    return send(res, 200);
  }
  if (method === 'PUT') {
    await readBody(req);
    store.createBucket(bucket);
    return send(res, 200, { location: `/${bucket}` });
  }
  if (method === 'HEAD') {
    store.bucket(bucket);
    return send(res, 200);
  }
  if (method === 'DELETE' && [...query.keys()].length === 0) {
    store.deleteBucket(bucket);
    return send(res, 204);
  }
  // Every bucket is in the emulator's one region; us-east-1 answers an empty LocationConstraint ("GetBucketLocation", S3 API reference).
  if (method === 'GET' && query.has('location')) return send(res, 200, { 'content-type': 'application/xml' }, `<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>`);
  // S3 encrypts every new object with SSE-S3 by default since January 2023 ("Setting default server-side encryption behavior for Amazon S3 buckets").
  if (method === 'GET' && query.has('encryption')) {
    store.bucket(bucket);
    return send(res, 200, { 'content-type': 'application/xml' }, '<?xml version="1.0" encoding="UTF-8"?><ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>');
  }
  if (method === 'GET' && query.has('versioning')) return send(res, 200, { 'content-type': 'application/xml' }, versioningXml(store.bucket(bucket).versioning));
  if (method === 'GET' && query.get('list-type') === '2') return listObjects(store, res, bucket, query);
  throw new S3Error('NotImplemented', `${method} on a bucket with ?${[...query.keys()].join('&')} is not emulated; expected CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, GetBucketEncryption, versioning, notification or ListObjectsV2`, 501);
}

function listObjects(store: S3Store, res: ServerResponse, bucket: string, query: URLSearchParams): void {
  const token = query.get('continuation-token') ?? undefined;
  const after = token ? Buffer.from(token, 'base64url').toString('utf8') : query.get('start-after') ?? undefined;
  const maxKeys = query.has('max-keys') ? Number(query.get('max-keys')) : 1000;
  const prefix = query.get('prefix') ?? undefined;
  const delimiter = query.get('delimiter') ?? undefined;
  const page = store.list(bucket, { ...(prefix ? { prefix } : {}), ...(delimiter ? { delimiter } : {}), maxKeys, ...(after ? { after } : {}) });
  send(res, 200, { 'content-type': 'application/xml' }, listObjectsV2Xml({ bucket, prefix, delimiter, maxKeys, continuationToken: token, page }));
}

interface ObjectAddress {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string | undefined;
}

async function objectRequest(store: S3Store, bus: EventSink, req: IncomingMessage, res: ServerResponse, at: ObjectAddress): Promise<void> {
  const method = req.method ?? 'GET';
  if (method === 'PUT') {
    if (req.headers['x-amz-copy-source']) throw new S3Error('NotImplemented', 'CopyObject is not emulated', 501);
    const raw = await readBody(req);
    const bytes = isAwsChunked(req.headers) ? decodeAwsChunked(raw) : raw;
    const version = store.putObject(at.bucket, at.key, bytes, String(req.headers['content-type'] ?? 'binary/octet-stream'), userMetadata(req.headers));
    const state = store.bucket(at.bucket);
    if (state.eventBridge) bus.put(objectCreatedEvent(state, version, req.socket.remoteAddress ?? '127.0.0.1'));
    return send(res, 200, { etag: version.etag, ...versionHeader(state, version) });
  }
  if (method === 'GET' || method === 'HEAD') {
    const version = store.getObject(at.bucket, at.key, at.versionId);
    const headers = {
      'content-type': version.contentType,
      'content-length': String(version.size),
      etag: version.etag,
      'last-modified': new Date(version.lastModified).toUTCString(),
      'accept-ranges': 'bytes',
      ...versionHeader(store.bucket(at.bucket), version),
      ...Object.fromEntries(Object.entries(version.metadata ?? {}).map(([name, value]) => [`x-amz-meta-${name}`, value])),
    };
    res.writeHead(200, { ...headers, 'x-amz-request-id': requestId() });
    if (method === 'HEAD') return void res.end();
    return void createReadStream(version.file).pipe(res);
  }
  throw new S3Error('NotImplemented', `${method} on an object is not emulated; expected PutObject, GetObject or HeadObject`, 501);
}

/**
 * The EventBridge `Object Created` event, with the detail fields the
 * "Amazon S3 Event Notifications: EventBridge event message structure" page lists.
 */
export function objectCreatedEvent(bucket: Pick<BucketState, 'name' | 'versioning'>, version: ObjectVersion, sourceIp: string): Parameters<EventSink['put']>[0] {
  return {
    source: 'aws.s3',
    'detail-type': 'Object Created',
    resources: [`arn:aws:s3:::${bucket.name}`],
    detail: {
      version: '0',
      'event-version': '1.1',
      bucket: { name: bucket.name },
      object: {
        key: version.key,
        size: version.size,
        etag: version.etag.replace(/"/g, ''),
        ...(bucket.versioning ? { 'version-id': version.versionId } : {}),
        sequencer: version.sequencer,
      },
      'request-id': requestId(),
      requester: LOCAL_ACCOUNT,
      'source-ip-address': sourceIp.replace(/^::ffff:/, ''),
      reason: 'PutObject',
    },
  };
}

function versionHeader(bucket: BucketState, version: ObjectVersion): Record<string, string> {
  return bucket.versioning ? { 'x-amz-version-id': version.versionId } : {};
}

function send(res: ServerResponse, status: number, headers: Record<string, string> = {}, body?: string): void {
  res.writeHead(status, { ...headers, 'x-amz-request-id': requestId(), ...(body === undefined ? { 'content-length': '0' } : {}) });
  res.end(body);
}

function requestId(): string {
  return Math.random().toString(16).slice(2, 18).toUpperCase().padEnd(16, '0');
}

/**
 * User-defined metadata of a PutObject: the `x-amz-meta-*` headers, names
 * lower-cased; at most 2 KB in all ("Working with object metadata", S3 User Guide).
 */
export function userMetadata(headers: IncomingMessage['headers']): Record<string, string> {
  const metadata: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const key = name.slice('x-amz-meta-'.length);
    const text = Array.isArray(value) ? value.join(',') : value;
    bytes += Buffer.byteLength(key) + Buffer.byteLength(text);
    metadata[key] = text;
  }
  if (bytes > 2048) throw new S3Error('MetadataTooLarge', `Your metadata headers exceed the maximum allowed metadata size: received ${bytes} bytes, expected at most 2048`, 400);
  return metadata;
}
