import { Readable } from 'node:stream';
import { BlobNotConfirmedError } from './errors';
import type { ImageRepository } from './repository';

/** What placing a blob took: nothing, a cross-repository mount, or an upload. */
export type BlobAction = 'present' | 'mounted' | 'uploaded';

/** Where the bytes of a blob come from when the target lacks it. */
export type BlobSource =
  | { readonly kind: 'repository'; readonly repository: ImageRepository; readonly mountFrom?: string }
  | { readonly kind: 'stream'; readonly open: () => Readable };

/**
 * Makes sure the target holds a blob, cheapest way first: HEAD (statBlob);
 * then a cross-repository mount when the source is in the same store
 * (`mountFrom`); then an upload, streamed from the source repository
 * (re-fetched on every retry) or from local bytes. Every outcome is confirmed
 * before it counts: by the store's acknowledgement of the digest (see
 * `ImageRepository.pushBlob`), otherwise with statBlob.
 *
 * `seen` is what a statBlob of the target already answered for this digest
 * (a HEAD sent ahead, say while the tag was checked); the first HEAD is then
 * not repeated.
 *
 * @throws BlobNotConfirmedError (retryable) when the target does not show the blob with its size afterwards.
 */
export async function placeBlob(target: ImageRepository, digest: string, size: number, source: BlobSource, seen?: { readonly size: number | undefined }): Promise<BlobAction> {
  if ((seen ? seen.size : await target.statBlob(digest)) === size) return 'present';
  if (source.kind === 'repository' && source.mountFrom !== undefined && (await target.mountBlob(digest, source.mountFrom))) {
    await confirm(target, digest, size, `mounting from ${source.mountFrom}`);
    return 'mounted';
  }
  const open = source.kind === 'stream' ? source.open : () => lazyBlobStream(source.repository, digest);
  // A store that acknowledged the digest (a registry's 201 naming it) has confirmed the upload itself.
  if ((await target.pushBlob(digest, size, open)) !== true) await confirm(target, digest, size, 'uploading');
  return 'uploaded';
}

/** A stream that fetches the blob only when first read, so `open()` stays synchronous. */
export function lazyBlobStream(repository: ImageRepository, digest: string): Readable {
  return Readable.from(
    (async function* () {
      yield* await repository.fetchBlob(digest);
    })(),
    { objectMode: false },
  );
}

async function confirm(target: ImageRepository, digest: string, size: number, action: string): Promise<void> {
  const seen = await target.statBlob(digest);
  if (seen !== size) {
    throw new BlobNotConfirmedError(`${action} blob ${digest} to ${target.name}: expected it present with ${size} bytes, statBlob reports ${seen === undefined ? 'no blob' : `${seen} bytes`}`, {
      digest,
      size,
      seen,
      repository: target.name,
    });
  }
}

/** Runs `task` over `items` with at most `limit` in flight; rejects with the first failure after all settle. */
export async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length && failures.length === 0) {
      const item = items[next++];
      await task(item).catch((error: unknown) => failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
}
