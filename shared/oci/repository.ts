import type { Readable } from 'node:stream';

/** A manifest (or index) as fetched from a repository. */
export interface FetchedManifest {
  readonly mediaType: string;
  /** `sha256:<hex>` of {@link bytes}. */
  readonly digest: string;
  readonly bytes: Buffer;
}

/**
 * One repository of an image store: a registry repository over the OCI
 * distribution API, or an OCI image layout directory. Image building talks to
 * this interface only, so the same build code pushes to ECR, to any registry,
 * or to `oci:DIR`.
 */
export interface ImageRepository {
  /** For messages and image references, for example `127.0.0.1:5000/portal-api` or `oci:/tmp/out`. */
  readonly name: string;
  /** Size of the blob when the repository holds it, otherwise `undefined`. */
  statBlob(digest: string): Promise<number | undefined>;
  /**
   * Asks the store to link a blob from another repository of the same store.
   * Resolves `true` when the blob is now present, `false` when the store
   * declined (the caller then uploads it).
   */
  mountBlob(digest: string, fromRepository: string): Promise<boolean>;
  /**
   * Uploads one blob in a single request body; `open` may be called again on retry. Resolves
   * `true` when the store acknowledged the blob as stored under `digest` (a registry's 201 with
   * that Docker-Content-Digest, a layout's verified write), which confirms it; otherwise the
   * caller confirms the blob with {@link statBlob}.
   */
  pushBlob(digest: string, size: number, open: () => Readable): Promise<boolean | void>;
  /** Streams a blob; rejects when it is missing. */
  fetchBlob(digest: string): Promise<Readable>;
  /** A manifest or index by tag or digest, or `undefined` when there is none. */
  fetchManifest(reference: string): Promise<FetchedManifest | undefined>;
  /** Stores a manifest under a tag or digest; resolves its digest. */
  putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<string>;
}
