import type { Readable } from 'node:stream';
import type { FetchedManifest, ImageRepository } from '../repository';
import { Authenticator } from './auth';
import { repositoryScope } from './challenge';
import { DigestMismatchError, RegistryError } from './errors';
import { responseError } from './failures';
import type { OperationContext } from './failures';
import { RegistryHttp } from './http';
import { fetchManifest, putManifest } from './manifests';
import type { ManifestIo } from './manifests';
import { canMount, resolveRepositoryOptions, underPrefix } from './options';
import type { MountSource, RegistryRepositoryOptions, ResolvedRepositoryOptions } from './options';
import { isDigest, parseRegistryReference } from './reference';
import { withRetry } from './retry';
import type { HttpResponse } from './transport';
import { verifyBlobStream } from './verify-stream';

/**
 * An {@link ImageRepository} over the OCI distribution API.
 *
 * @example
 * const target = createRegistryRepository({ host: '127.0.0.1:5000', repository: 'portal-api', insecure: true });
 * if ((await target.statBlob(layer.digest)) === undefined) await target.pushBlob(layer.digest, layer.size, layer.open);
 * await target.putManifest('cfg-1a2b', OCI_MANIFEST, manifestBytes);
 */
export function createRegistryRepository(options: RegistryRepositoryOptions): RegistryRepository {
  return new RegistryRepository(resolveRepositoryOptions(options));
}

/** See {@link createRegistryRepository}. */
export class RegistryRepository implements ImageRepository, MountSource {
  /** `HOST/REPOSITORY`. */
  readonly name: string;
  readonly host: string;
  readonly repository: string;
  /** True when blobs cannot be mounted out of this repository (pull-through cache). */
  readonly pullThroughCache: boolean;
  private readonly http: RegistryHttp;
  /** Upload sessions a declined mount opened, used by the next push of that digest. */
  private readonly openSessions = new Map<string, URL>();

  constructor(private readonly options: ResolvedRepositoryOptions) {
    this.host = options.host;
    this.repository = options.repository;
    this.name = `${options.host}/${options.repository}`;
    this.pullThroughCache = options.pullThroughCache || underPrefix(options.repository, options.pullThroughCachePrefixes);
    const authOptions = { ...options, now: options.runtime.now };
    const auth = options.session ? options.session.authenticator(authOptions) : new Authenticator(authOptions);
    this.http = new RegistryHttp({ ...options, auth });
  }

  /**
   * Whether {@link mountBlob} from `source` can work: same host, another
   * repository, and not a pull-through cache. `source` is a repository
   * object or a `HOST/REPO` reference.
   */
  canMountFrom(source: MountSource | string): boolean {
    const resolved = typeof source === 'string' ? parseRegistryReference(source) : source;
    return canMount(this.options, resolved);
  }

  /** {@inheritDoc ImageRepository.statBlob} */
  async statBlob(digest: string): Promise<number | undefined> {
    const context = this.context('statBlob', digest);
    return this.retrying(() => this.headBlob(digest, context));
  }

  /** {@inheritDoc ImageRepository.mountBlob} */
  async mountBlob(digest: string, fromRepository: string): Promise<boolean> {
    const context = this.context('mountBlob', `${digest} from ${fromRepository}`);
    checkDigest(digest, context);
    const query = new URLSearchParams({ mount: digest, from: fromRepository });
    const scopes = [this.scope(true), repositoryScope(fromRepository, ['pull'])];
    return this.retrying(async () => {
      const { response, url } = await this.http.send({ method: 'POST', url: `${this.base()}/blobs/uploads/?${query}`, scopes, headers: { 'content-length': '0' } }, context);
      if (response.status === 201) {
        await response.discard();
        return true;
      }
      if (response.status !== 202) throw await responseError('POST', url, response, context, '201 (mounted) or 202 (upload session)');
      try {
        this.openSessions.set(digest, uploadLocation(response, url, context));
      } finally {
        await response.discard();
      }
      return false;
    });
  }

  /**
   * {@inheritDoc ImageRepository.pushBlob} One POST, then one PUT with the
   * whole body and its Content-Length (201 or 202 accepted). A retry first
   * checks whether an earlier attempt already stored the blob.
   */
  /**
   * {@inheritDoc ImageRepository.pushBlob} Resolves `true` when the registry answered 201 with
   * this Docker-Content-Digest (or a retry found the blob in place); `false` for a 202 or a
   * 201 that did not name the digest, which the caller confirms with a HEAD.
   */
  async pushBlob(digest: string, size: number, open: () => Readable): Promise<boolean> {
    const context = this.context('pushBlob', digest);
    checkDigest(digest, context);
    return this.retrying(async (attempt) => {
      if (attempt > 1 && (await this.headBlob(digest, context)) === size) return true; // an earlier attempt landed
      const reused = attempt === 1 ? this.takeSession(digest) : undefined;
      const stored = reused ? await this.putBlob(reused, true, digest, size, open, context) : 'session-unknown';
      if (stored !== 'session-unknown') return stored === 'committed';
      return (await this.putBlob(await this.startUpload(context), false, digest, size, open, context)) === 'committed';
    });
  }

  /** {@inheritDoc ImageRepository.fetchBlob} The stream fails at its end when the bytes do not match `digest`. */
  async fetchBlob(digest: string): Promise<Readable> {
    const context = this.context('fetchBlob', digest);
    return this.retrying(async () => {
      const { response, url } = await this.http.send({ method: 'GET', url: `${this.base()}/blobs/${checkDigest(digest, context)}`, scopes: [this.scope(false)] }, context);
      if (response.status !== 200 || !response.body) throw await responseError('GET', url, response, context, '200 with the blob');
      const length = response.headers.get('content-length');
      return verifyBlobStream(response.body, digest, length === null ? undefined : Number(length), context);
    });
  }

  /** {@inheritDoc ImageRepository.fetchManifest} */
  async fetchManifest(reference: string): Promise<FetchedManifest | undefined> {
    const context = this.context('fetchManifest', reference);
    return this.retrying(() => fetchManifest(this.manifestIo(), reference, context));
  }

  /**
   * {@inheritDoc ImageRepository.putManifest} The registry's
   * Docker-Content-Digest must equal the sha256 of `bytes`. An immutable tag
   * that already holds these bytes counts as success.
   */
  async putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<string> {
    const context = this.context('putManifest', reference);
    return this.retrying(() => putManifest(this.manifestIo(), reference, mediaType, bytes, context));
  }

  /** Cancels upload sessions opened by declined mounts and never used (best effort). */
  async abandonUploads(): Promise<void> {
    const sessions = [...this.openSessions.values()];
    this.openSessions.clear();
    const context = this.context('abandonUploads', `${sessions.length} session(s)`);
    await Promise.all(
      sessions.map(async (session) => {
        try {
          await (await this.http.send({ method: 'DELETE', url: session.href, scopes: [this.scope(true)] }, context)).response.discard();
        } catch {
          // the registry expires abandoned sessions on its own
        }
      }),
    );
  }

  private async headBlob(digest: string, context: OperationContext): Promise<number | undefined> {
    const { response, url } = await this.http.send({ method: 'HEAD', url: `${this.base()}/blobs/${checkDigest(digest, context)}`, scopes: [this.scope(false)] }, context);
    await response.discard();
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw await responseError('HEAD', url, response, context, '200 (present) or 404 (absent)');
    const length = Number(response.headers.get('content-length') ?? Number.NaN);
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new RegistryError(`HEAD answered 200 without a valid Content-Length (${response.headers.get('content-length')}), expected the blob size`, { code: 'HTTP_ERROR', ...context, status: 200 });
    }
    return length;
  }

  private async startUpload(context: OperationContext): Promise<URL> {
    const { response, url } = await this.http.send({ method: 'POST', url: `${this.base()}/blobs/uploads/`, scopes: [this.scope(true)], headers: { 'content-length': '0' } }, context);
    if (response.status !== 202) throw await responseError('POST', url, response, context, '202 with an upload session');
    try {
      return uploadLocation(response, url, context);
    } finally {
      await response.discard();
    }
  }

  /**
   * PUTs the whole blob into an upload session: `committed` when the registry answered 201 naming
   * the digest, `stored` for another success, `session-unknown` when the registry no longer knows the session.
   */
  private async putBlob(session: URL, reused: boolean, digest: string, size: number, open: () => Readable, context: OperationContext): Promise<'committed' | 'stored' | 'session-unknown'> {
    const target = new URL(session);
    target.searchParams.set('digest', digest);
    const headers = { 'content-type': 'application/octet-stream', 'content-length': String(size) };
    const { response, url } = await this.http.send({ method: 'PUT', url: target.href, headers, body: open, scopes: [this.scope(true)] }, context);
    if (response.status === 404 && reused) {
      await response.discard();
      return 'session-unknown';
    }
    if (response.status !== 201 && response.status !== 202) throw await responseError('PUT', url, response, context, '201 or 202 (blob stored)');
    const reported = response.headers.get('docker-content-digest');
    await response.discard();
    if (reported !== null && reported !== digest) throw new DigestMismatchError(digest, reported, context);
    return response.status === 201 && reported === digest ? 'committed' : 'stored';
  }

  private takeSession(digest: string): URL | undefined {
    const session = this.openSessions.get(digest);
    this.openSessions.delete(digest);
    return session;
  }

  private manifestIo(): ManifestIo {
    return { send: (request, context) => this.http.send(request, context), base: this.base(), pull: this.scope(false), push: this.scope(true) };
  }

  private retrying<T>(attempt: (attemptNumber: number) => Promise<T>): Promise<T> {
    return withRetry(attempt, this.options.retry, this.options.runtime);
  }

  private base(): string {
    return `/v2/${this.repository}`;
  }

  private scope(push: boolean): string {
    return repositoryScope(this.repository, push ? ['pull', 'push'] : ['pull']);
  }

  private context(operation: string, subject: string): OperationContext {
    return { operation: `${operation} ${subject}`, repository: this.name };
  }
}

function checkDigest(digest: string, context: OperationContext): string {
  if (!isDigest(digest)) throw new RegistryError(`expected a digest sha256:<64 hex>, received ${JSON.stringify(digest)}`, { code: 'INVALID_DIGEST', ...context });
  return digest;
}

function uploadLocation(response: HttpResponse, requestUrl: URL, context: OperationContext): URL {
  const location = response.headers.get('location');
  if (!location) {
    throw new RegistryError(`upload answered ${response.status} without a Location header, expected the upload session URL`, { code: 'UPLOAD_FAILED', ...context, status: response.status });
  }
  return new URL(location, requestUrl);
}
