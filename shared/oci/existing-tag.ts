import { TagConflictError } from './errors';
import type { ConfigDocument } from './image';
import { parseConfig, parseManifest } from './image';
import { Labels } from './mutate';
import type { BuildPlan } from './plan';
import type { ImageRepository } from './repository';
import { fetchVerified, readBlob } from './resolve-base';

/** What the target already holds under the derived tag. */
export type ExistingTag =
  | { readonly kind: 'absent' }
  /** The exact manifest this build would push. */
  | { readonly kind: 'same'; readonly digest: string }
  /**
   * Another manifest with the same content: same base, same layers, same
   * configuration hash, differing only in metadata such as the source label
   * (the same configuration uploaded again as a new S3 version).
   */
  | { readonly kind: 'equivalent'; readonly digest: string };

/**
 * Looks at the derived tag in the target before anything is uploaded.
 *
 * @throws TagConflictError when the tag names an image with other content
 *   (other layers, base or configuration hash): the tag must not be moved.
 */
export async function inspectExistingTag(target: ImageRepository, plan: BuildPlan): Promise<ExistingTag> {
  const existing = await fetchVerified(target, plan.tag);
  if (!existing) return { kind: 'absent' };
  if (existing.digest === plan.digest) return { kind: 'same', digest: existing.digest };
  const found = await identitiesIn(target, existing.digest);
  const wanted = plan.images.map((image) => imageIdentity(image.config)).sort();
  if (found.length === wanted.length && found.every((identity, i) => identity === wanted[i])) {
    return { kind: 'equivalent', digest: existing.digest };
  }
  throw new TagConflictError(
    `tag ${target.name}:${plan.tag} names ${existing.digest} whose content differs from the image being built (${plan.digest}); expected the same base, layers and configuration hash. Refusing to move the tag.`,
    { tag: plan.tag, existingDigest: existing.digest, expectedDigest: plan.digest },
  );
}

/**
 * What makes two built images the same for a tag: platform, layer diff_ids,
 * base digest and configuration hash labels. Timestamps and provenance labels
 * are left out on purpose.
 */
export function imageIdentity(config: ConfigDocument): string {
  const labels = config.config?.Labels ?? {};
  return JSON.stringify([
    config.os ?? '',
    config.architecture ?? '',
    config.variant ?? '',
    config.rootfs.diff_ids,
    labels[Labels.baseDigest] ?? '',
    labels[Labels.configHash] ?? '',
  ]);
}

async function identitiesIn(target: ImageRepository, digest: string): Promise<string[]> {
  const fetched = await fetchVerified(target, digest);
  if (!fetched) return [];
  const parsed = parseManifest(fetched);
  if (parsed.kind === 'image') {
    const config = parseConfig(await readBlob(target, parsed.manifest.config.digest), parsed.manifest.config.digest);
    return [imageIdentity(config)];
  }
  const children = await Promise.all(parsed.index.manifests.map((entry) => identitiesIn(target, entry.digest)));
  return children.flat().sort();
}
