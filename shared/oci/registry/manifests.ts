import type { FetchedManifest } from '../repository';
import { isImmutableTagRejection } from './error-body';
import { DigestMismatchError, ImmutableTagError, RegistryError } from './errors';
import { failureError, networkError, readFailure, responseError } from './failures';
import type { OperationContext } from './failures';
import type { RegistryRequest, RegistryResponse } from './http';
import { MANIFEST_MEDIA_TYPES, sha256Digest } from './media-types';
import { isDigest } from './reference';

/** What the manifest operations need from a repository. */
export interface ManifestIo {
  readonly send: (request: RegistryRequest, context: OperationContext) => Promise<RegistryResponse>;
  /** `/v2/<repository>`. */
  readonly base: string;
  /** Scope for reading the repository. */
  readonly pull: string;
  /** Scope for writing the repository. */
  readonly push: string;
}

const TAG = /^[\w][\w.-]{0,127}$/;

/**
 * GETs a manifest or index with an Accept header for the OCI and Docker
 * types; `undefined` on 404. The digest is the sha256 of the bytes and must
 * match the requested digest and the registry's Docker-Content-Digest.
 */
export async function fetchManifest(io: ManifestIo, reference: string, context: OperationContext): Promise<FetchedManifest | undefined> {
  checkManifestReference(reference, context);
  const { response, url } = await io.send({ method: 'GET', url: `${io.base}/manifests/${reference}`, headers: { accept: MANIFEST_MEDIA_TYPES.join(', ') }, scopes: [io.pull] }, context);
  if (response.status === 404) {
    await response.discard();
    return undefined;
  }
  if (response.status !== 200) throw await responseError('GET', url, response, context, '200 with the manifest or 404');
  let bytes: Buffer;
  try {
    bytes = await response.bytes();
  } catch (error) {
    throw networkError(error, context, 'GET', url);
  }
  const digest = sha256Digest(bytes);
  const reported = response.headers.get('docker-content-digest');
  if (isDigest(reference) && reference !== digest) throw new DigestMismatchError(reference, digest, context);
  if (reported !== null && reported.startsWith('sha256:') && reported !== digest) throw new DigestMismatchError(digest, reported, context);
  return { mediaType: manifestMediaType(response.headers.get('content-type'), bytes), digest, bytes };
}

/**
 * PUTs a manifest and resolves the sha256 of its bytes, checked against the
 * registry's Docker-Content-Digest. When the registry refuses because the
 * tag is immutable, the tag is read back: holding the same digest counts as
 * success, anything else raises {@link ImmutableTagError}.
 */
export async function putManifest(io: ManifestIo, reference: string, mediaType: string, bytes: Buffer, context: OperationContext): Promise<string> {
  checkManifestReference(reference, context);
  const digest = sha256Digest(bytes);
  if (isDigest(reference) && reference !== digest) throw new DigestMismatchError(reference, digest, context);
  const request: RegistryRequest = { method: 'PUT', url: `${io.base}/manifests/${reference}`, headers: { 'content-type': mediaType }, body: () => bytes, scopes: [io.push] };
  const { response, url } = await io.send(request, context);
  if (response.status >= 200 && response.status <= 202) {
    const reported = response.headers.get('docker-content-digest');
    await response.discard();
    if (reported !== null && reported !== digest) throw new DigestMismatchError(digest, reported, context);
    return digest;
  }
  const failure = await readFailure('PUT', url, response);
  const error = failureError(failure, context, '201 (manifest stored)');
  if (!isImmutableTagRejection(failure.status, failure.entries)) throw error;
  const existing = await fetchManifest(io, reference, context);
  if (existing?.digest === digest) return digest;
  throw new ImmutableTagError(reference, digest, existing?.digest, { ...context, cause: error });
}

/** The media type from Content-Type, else from the document's `mediaType` field. */
export function manifestMediaType(contentType: string | null, bytes: Buffer): string {
  const declared = contentType?.split(';')[0]?.trim().toLowerCase();
  if (declared && MANIFEST_MEDIA_TYPES.includes(declared)) return declared;
  try {
    const field = (JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown }).mediaType;
    if (typeof field === 'string' && field !== '') return field;
  } catch {
    // not JSON: keep whatever the registry declared
  }
  return declared || 'application/octet-stream';
}

function checkManifestReference(reference: string, context: OperationContext): void {
  if (!TAG.test(reference) && !isDigest(reference)) {
    throw new RegistryError(`expected a tag ([A-Za-z0-9_.-], at most 128) or a digest sha256:<64 hex>, received ${JSON.stringify(reference)}`, {
      code: 'INVALID_REFERENCE',
      ...context,
    });
  }
}
