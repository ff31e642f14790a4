import type { ManifestFacts } from './manifest-facts';
import type { MutabilityPolicy, TagWrite } from './mutability';
import { decideTagWrite } from './mutability';
import { isSha256Digest } from './routes';

/** A stored manifest (image or index) of a repository. */
export interface ManifestRecord {
  readonly mediaType: string;
  /** Bytes of the manifest document. */
  readonly size: number;
  /** Emulated epoch ms of the first push. */
  readonly pushedAt: number;
  readonly layerBytes: number;
  readonly configMediaType: string | undefined;
  /** Child manifests of an index. */
  readonly children: readonly string[];
}

/** Everything a repository holds, as persisted. */
export interface RepositoryRecord {
  readonly name: string;
  /** Emulated epoch ms. */
  readonly createdAt: number;
  readonly policy: MutabilityPolicy;
  /** Blob digest → size, for blobs uploaded into or mounted into this repository. */
  readonly blobs: Record<string, number>;
  readonly manifests: Record<string, ManifestRecord>;
  /** Tag → manifest digest. */
  readonly tags: Record<string, string>;
}

/** What a manifest PUT would do, decided before anything is written. */
export interface ManifestPutPlan {
  /** The tag named by the reference, when it is a tag. */
  readonly tag: string | undefined;
  /** The tag's fate; `'none'` for a push by digest. */
  readonly tagWrite: TagWrite | 'none';
  /** The tag's digest before the push. */
  readonly previous: string | undefined;
  /** Whether the manifest itself is new to the repository. */
  readonly newManifest: boolean;
  /** Referenced blobs and child manifests the repository lacks. */
  readonly missing: readonly string[];
}

/** Plans a manifest PUT under `reference` (tag or digest) for the manifest `digest` with `facts`. */
export function planManifestPut(repository: RepositoryRecord, reference: string, digest: string, facts: ManifestFacts): ManifestPutPlan {
  const missing = [...facts.blobs.filter((blob) => repository.blobs[blob] === undefined), ...facts.manifests.filter((child) => !repository.manifests[child])];
  const newManifest = !repository.manifests[digest];
  if (isSha256Digest(reference)) return { tag: undefined, tagWrite: 'none', previous: undefined, newManifest, missing };
  const previous = repository.tags[reference];
  return { tag: reference, tagWrite: decideTagWrite(repository.policy, reference, previous, digest), previous, newManifest, missing };
}

/** The manifest digest a tag or digest names, or `undefined`. */
export function resolveReference(repository: RepositoryRecord, reference: string): string | undefined {
  const digest = isSha256Digest(reference) ? reference : repository.tags[reference];
  return digest !== undefined && repository.manifests[digest] ? digest : undefined;
}

/** Tags pointing at `digest`, sorted. */
export function tagsOf(repository: RepositoryRecord, digest: string): string[] {
  return Object.entries(repository.tags)
    .filter(([, target]) => target === digest)
    .map(([tag]) => tag)
    .sort();
}

/**
 * ECR's `imageSizeInBytes`: the layers of an image; for a manifest list, the
 * largest of its images (API reference: ImageDetail).
 */
export function imageSize(repository: RepositoryRecord, digest: string): number {
  const manifest = repository.manifests[digest];
  if (!manifest) return 0;
  if (manifest.children.length === 0) return manifest.layerBytes;
  return Math.max(0, ...manifest.children.map((child) => imageSize(repository, child)));
}

/** What a delete removes. */
export interface DeletionPlan {
  readonly digest: string;
  readonly removeTags: readonly string[];
  /** False when only a tag goes and the image keeps other tags. */
  readonly removeManifest: boolean;
}

/**
 * Plans deleting a tag or digest the way ECR's BatchDeleteImage does: a
 * digest removes the image and all its tags; a tag removes the tag, and the
 * image with it when that was its last tag. `undefined` when nothing matches.
 */
export function planDeletion(repository: RepositoryRecord, reference: string): DeletionPlan | undefined {
  const digest = resolveReference(repository, reference);
  if (digest === undefined) return undefined;
  const tags = tagsOf(repository, digest);
  if (isSha256Digest(reference)) return { digest, removeTags: tags, removeManifest: true };
  return { digest, removeTags: [reference], removeManifest: tags.length === 1 };
}

/** Sorted tag list from position `last` (exclusive) on, at most `n` (distribution spec, "Listing Tags"). */
export function pageTags(tags: readonly string[], n: number | undefined, last: string | undefined): { page: string[]; more: boolean } {
  const sorted = [...tags].sort();
  const from = last === undefined ? 0 : sorted.findIndex((tag) => tag > last);
  const rest = from < 0 ? [] : sorted.slice(from);
  if (n === undefined) return { page: rest, more: false };
  return { page: rest.slice(0, n), more: rest.length > n };
}
