import type { S3ObjectRef, S3ObjectStream } from '../adapters/s3-object-source';
import { s3ReadError } from '../adapters/s3-object-source';
import type { AwsHttpClient } from './client';

/** DNS-compatible bucket names can be addressed virtual-hosted style (no dots: TLS wildcard certificates). */
const VIRTUAL_HOSTABLE = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * Encodes an S3 key for the request path as the AWS SDK does: every
 * character but unreserved ones and `/` percent-encoded.
 *
 * @example
 * encodeKey('config/dev/a b+c.tgz') // 'config/dev/a%20b%2Bc.tgz'
 */
export function encodeKey(key: string): string {
  return key.split('/').map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

/**
 * Where a GET of an object goes: virtual-hosted (`<bucket>.s3.<region>...`,
 * path `/<key>`) on AWS for DNS-compatible names without dots, path-style
 * (`/<bucket>/<key>`) otherwise and against a custom endpoint.
 *
 * @example
 * s3ObjectLocation({ custom: false }, 'cfg', 'config/dev/a.tgz') // { hostPrefix: 'cfg.', path: '/config/dev/a.tgz' }
 */
export function s3ObjectLocation(endpoint: { readonly custom: boolean }, bucket: string, key: string): { hostPrefix?: string; path: string } {
  return !endpoint.custom && VIRTUAL_HOSTABLE.test(bucket)
    ? { hostPrefix: `${bucket}.`, path: `/${encodeKey(key)}` }
    : { path: `/${encodeURIComponent(bucket)}/${encodeKey(key)}` };
}

/**
 * Streams S3 objects by version id over the lean client: the same port as
 * the SDK-based `S3ObjectSource` (the archive is never held in memory), for
 * the build-image function. Virtual-hosted addressing on AWS, path-style
 * against a custom endpoint such as the local emulator.
 *
 * @example
 * const source = new HttpS3ObjectSource({ client: new AwsHttpClient({ service: 's3', credentials }) });
 * const { body } = await source.open({ bucket: 'cfg', key: 'config/dev/a.tgz', versionId: 'v1' });
 */
export class HttpS3ObjectSource {
  private readonly client: AwsHttpClient;

  constructor(options: { client: AwsHttpClient }) {
    if (options.client.service !== 's3') throw new TypeError(`HttpS3ObjectSource needs an s3 client, got ${options.client.service}`);
    this.client = options.client;
  }

  /** Opens the object; rejects with an `S3ObjectError` naming `s3://bucket/key@version`. */
  async open(ref: S3ObjectRef): Promise<S3ObjectStream> {
    try {
      const response = await this.client.send({
        operation: 'GetObject', method: 'GET', ...s3ObjectLocation(this.client.endpoint, ref.bucket, ref.key),
        ...(ref.versionId ? { query: { versionId: ref.versionId } } : {}),
      });
      const length = response.headers['content-length'];
      const versionId = response.headers['x-amz-version-id'];
      return {
        body: response.body,
        ...(length === undefined ? {} : { size: Number(length) }),
        ...(typeof versionId === 'string' ? { versionId } : {}),
        metadata: Object.fromEntries(Object.entries(response.headers).filter(([name, value]) => name.startsWith('x-amz-meta-') && typeof value === 'string').map(([name, value]) => [name.slice('x-amz-meta-'.length), value as string])),
      };
    } catch (error) {
      throw s3ReadError(ref, error);
    }
  }
}
