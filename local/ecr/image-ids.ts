import { EcrEmulatorError } from './errors';
import { resolveReference } from './repository-state';
import type { RepositoryRecord } from './repository-state';
import { isSha256Digest, isTag } from './routes';

/** ECR's ImageIdentifier: a digest, a tag, or both. */
export interface ImageId {
  readonly imageDigest?: string;
  readonly imageTag?: string;
}

/** One entry of a batch call's `failures` (API reference: ImageFailure). */
export interface ImageFailure {
  readonly imageId: ImageId;
  readonly failureCode: 'MissingDigestAndTag' | 'InvalidImageDigest' | 'InvalidImageTag' | 'ImageNotFound' | 'ImageTagDoesNotMatchDigest';
  readonly failureReason: string;
}

/** Reads a non-empty `imageIds` list. @throws `INVALID_PARAMETER` */
export function readImageIds(value: unknown): ImageId[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 100) {
    throw new EcrEmulatorError('INVALID_PARAMETER', `imageIds must list 1 to 100 image identifiers, received ${JSON.stringify(value)}`);
  }
  return value.map((entry: unknown) => {
    const { imageDigest, imageTag } = (entry ?? {}) as Record<string, unknown>;
    return { ...(typeof imageDigest === 'string' ? { imageDigest } : {}), ...(typeof imageTag === 'string' ? { imageTag } : {}) };
  });
}

/** The digest an identifier names in the repository; a tag and digest given together must agree. */
export function resolveId(record: RepositoryRecord, id: ImageId): string | undefined {
  const byDigest = id.imageDigest === undefined ? undefined : resolveReference(record, id.imageDigest);
  const byTag = id.imageTag === undefined ? undefined : resolveReference(record, id.imageTag);
  if (id.imageDigest !== undefined && id.imageTag !== undefined) return byDigest === byTag ? byDigest : undefined;
  return byDigest ?? byTag;
}

/**
 * Why an identifier cannot be served by BatchGetImage / BatchDeleteImage, or
 * `undefined` when it names an image; codes and reasons as ECR reports them.
 */
export function imageFailure(record: RepositoryRecord, id: ImageId): ImageFailure | undefined {
  if (id.imageDigest === undefined && id.imageTag === undefined) {
    return { imageId: id, failureCode: 'MissingDigestAndTag', failureReason: 'Invalid request parameters: both tag and digest cannot be null' };
  }
  if (id.imageDigest !== undefined && !isSha256Digest(id.imageDigest)) return { imageId: id, failureCode: 'InvalidImageDigest', failureReason: 'Invalid image digest' };
  if (id.imageTag !== undefined && !isTag(id.imageTag)) return { imageId: id, failureCode: 'InvalidImageTag', failureReason: 'Invalid image tag' };
  if (resolveId(record, id) !== undefined) return undefined;
  const both = id.imageDigest !== undefined && id.imageTag !== undefined;
  if (both && resolveReference(record, id.imageDigest as string) && resolveReference(record, id.imageTag as string)) {
    return { imageId: id, failureCode: 'ImageTagDoesNotMatchDigest', failureReason: 'Invalid image tag and digest combination' };
  }
  return { imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' };
}

/** The identifier echoed back, with the digest filled in. */
export function imageId(id: ImageId, digest: string): ImageId {
  return { imageDigest: digest, ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}) };
}
