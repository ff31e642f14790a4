import type { Readable } from 'node:stream';
import type { FetchedManifest, ImageRepository } from '../../shared/oci/repository';

/** One call seen by {@link RecordingRepository}. */
export interface RecordedCall {
  readonly method: 'statBlob' | 'mountBlob' | 'pushBlob' | 'fetchBlob' | 'fetchManifest' | 'putManifest';
  readonly reference: string;
  readonly result?: unknown;
}

/** Hooks that replace one method of the wrapped repository (fault injection, fake mounts). */
export type RepositoryOverrides = Partial<Pick<ImageRepository, 'statBlob' | 'mountBlob' | 'pushBlob' | 'putManifest'>>;

/**
 * Wraps an {@link ImageRepository}, recording every call in order, with
 * optional overrides of single methods. For asserting what a build did
 * (counts, order: manifests last) and for making one step fail.
 */
export class RecordingRepository implements ImageRepository {
  readonly calls: RecordedCall[] = [];
  readonly name: string;

  constructor(private readonly inner: ImageRepository, private readonly overrides: RepositoryOverrides = {}) {
    this.name = inner.name;
  }

  /** Calls of one method, in order. */
  of(method: RecordedCall['method']): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  async statBlob(digest: string): Promise<number | undefined> {
    const result = await (this.overrides.statBlob ?? this.inner.statBlob.bind(this.inner))(digest);
    this.calls.push({ method: 'statBlob', reference: digest, result });
    return result;
  }

  async mountBlob(digest: string, fromRepository: string): Promise<boolean> {
    const result = await (this.overrides.mountBlob ?? this.inner.mountBlob.bind(this.inner))(digest, fromRepository);
    this.calls.push({ method: 'mountBlob', reference: digest, result });
    return result;
  }

  async pushBlob(digest: string, size: number, open: () => Readable): Promise<boolean | void> {
    const acknowledged = await (this.overrides.pushBlob ?? this.inner.pushBlob.bind(this.inner))(digest, size, open);
    this.calls.push({ method: 'pushBlob', reference: digest, result: size });
    return acknowledged;
  }

  async fetchBlob(digest: string): Promise<Readable> {
    this.calls.push({ method: 'fetchBlob', reference: digest });
    return this.inner.fetchBlob(digest);
  }

  async fetchManifest(reference: string): Promise<FetchedManifest | undefined> {
    const result = await this.inner.fetchManifest(reference);
    this.calls.push({ method: 'fetchManifest', reference, result: result?.digest });
    return result;
  }

  async putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<string> {
    const result = await (this.overrides.putManifest ?? this.inner.putManifest.bind(this.inner))(reference, mediaType, bytes);
    this.calls.push({ method: 'putManifest', reference, result });
    return result;
  }
}
