import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { awsErrorName, isRetryableAwsError } from './aws-error';

/** Where an object lives: bucket, key and (for versioned buckets) version id. */
export interface S3ObjectRef {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
}

/** An object's body as a stream, with the size S3 reported. */
export interface S3ObjectStream {
  readonly body: Readable;
  readonly size?: number;
  readonly versionId?: string;
  /** User-defined metadata (`x-amz-meta-*`), names lower-cased. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Error raised when an object cannot be read; `retryable` for throttling, 5xx and network failures (see `isRetryableAwsError`). */
export class S3ObjectError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(message: string, code: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'S3ObjectError';
    this.code = code;
    this.retryable = retryable;
  }
}

/**
 * Streams S3 objects by version id: the configuration archive is never held in memory.
 *
 * @example
 * const source = new S3ObjectSource({ client: new S3Client({}) });
 * const { body } = await source.open({ bucket: 'cfg', key: 'config/dev/a.tgz', versionId: 'v1' });
 */
export class S3ObjectSource {
  private readonly client: S3Client;

  constructor(options: { client?: S3Client } = {}) {
    this.client = options.client ?? new S3Client({});
  }

  /** Opens the object; rejects with {@link S3ObjectError} naming `s3://bucket/key@version`. */
  async open(ref: S3ObjectRef): Promise<S3ObjectStream> {
    try {
      const output = await this.client.send(
        new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, VersionId: ref.versionId }),
      );
      if (!output.Body) throw new S3ObjectError(`reading ${describe(ref)}: S3 returned no body`, 'EmptyBody', false);
      return { body: output.Body as Readable, size: output.ContentLength, versionId: output.VersionId, ...(output.Metadata ? { metadata: output.Metadata } : {}) };
    } catch (error) {
      throw s3ReadError(ref, error);
    }
  }
}

/**
 * A failed read of an object as an {@link S3ObjectError} naming
 * `s3://bucket/key@version` and the AWS error; retryable by the shared rule.
 * S3 object errors pass through unchanged.
 */
export function s3ReadError(ref: S3ObjectRef, error: unknown): S3ObjectError {
  if (error instanceof S3ObjectError) return error;
  const name = awsErrorName(error);
  return new S3ObjectError(`reading ${describe(ref)}: ${name}: ${(error as Error).message}`, name, isRetryableAwsError(error), { cause: error });
}

/** `s3://bucket/key@version` for messages. */
export function describe(ref: S3ObjectRef): string {
  return `s3://${ref.bucket}/${ref.key}${ref.versionId ? `@${ref.versionId}` : ''}`;
}
