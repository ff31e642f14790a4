import type { ImageRepository } from '../oci';
import { forEachLimited, parseManifest, placeBlob } from '../oci';
import type { BlobAction } from '../oci';
import { PipelineError } from './errors';

/** What {@link copyImage} did. */
export interface CopyResult {
  /** The digest now present in the target (the source's, unchanged). */
  readonly digest: string;
  /** True when the target already held the manifest: nothing was written. */
  readonly present: boolean;
  /** How each blob got there. */
  readonly blobs: Readonly<Record<string, BlobAction>>;
}

/**
 * Copies one image (or index, with its images) by digest from one
 * repository to another without changing a byte, so the digest stays the
 * same: blobs first (HEAD, then a cross-repository mount when `mountFrom`
 * names the source in the same registry, else a streamed upload), manifests
 * last and only after every blob is confirmed; a failed copy never leaves a
 * manifest pointing at missing blobs. `wickedctl promote` uses it to put the
 * exact digest running in one environment into the next one's repository.
 *
 * @throws PipelineError `IMAGE_NOT_FOUND` when the source lacks the digest.
 * @example
 * await copyImage(devRepository, prodRepository, 'sha256:…', { mountFrom: 'wicked-dev/portal-api' });
 */
export async function copyImage(source: ImageRepository, target: ImageRepository, digest: string, options: { mountFrom?: string; concurrency?: number } = {}): Promise<CopyResult> {
  if (await target.fetchManifest(digest)) return { digest, present: true, blobs: {} };
  const fetched = await source.fetchManifest(digest);
  if (!fetched) throw new PipelineError('IMAGE_NOT_FOUND', `copying ${digest} from ${source.name} to ${target.name}: the source holds no manifest ${digest}`, { digest, source: source.name });
  const parsed = parseManifest(fetched);
  const blobs: Record<string, BlobAction> = {};
  if (parsed.kind === 'index') {
    for (const child of parsed.index.manifests) Object.assign(blobs, (await copyImage(source, target, child.digest, options)).blobs);
  } else {
    const descriptors = [parsed.manifest.config, ...parsed.manifest.layers];
    await forEachLimited(descriptors, options.concurrency ?? 4, async (d) => {
      blobs[d.digest] = await placeBlob(target, d.digest, d.size, { kind: 'repository', repository: source, ...(options.mountFrom ? { mountFrom: options.mountFrom } : {}) });
    });
  }
  const written = await target.putManifest(digest, fetched.mediaType, fetched.bytes);
  if (written !== digest) throw new PipelineError('IMAGE_NOT_FOUND', `copying ${digest} to ${target.name}: the registry stored the manifest as ${written}`, { digest, source: source.name });
  return { digest, present: false, blobs };
}
