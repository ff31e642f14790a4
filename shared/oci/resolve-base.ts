import { sha256Digest } from './digest';
import { OciDigestMismatchError, ManifestError, OciNotFoundError } from './errors';
import type { Image, ImageIndex, ParsedManifest } from './image';
import { deepFreeze, imageFromParts, parseManifest } from './image';
import type { PlatformSpec } from './platform';
import { buildableEntries, formatPlatform, platformMatches, selectPlatform } from './platform';
import type { FetchedManifest, ImageRepository } from './repository';

/** Largest image config read into memory; real configs are a few KiB. */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

/** The base to build on: one image, or an index and every buildable image of it. */
export type ResolvedBase =
  | { readonly kind: 'image'; readonly image: Image }
  | { readonly kind: 'index'; readonly index: ImageIndex; readonly images: readonly Image[] };

/** Which platform(s) of an index to build. */
export interface PlatformSelection {
  /** The platform to pick from an index; checked against a single image's config only when given. */
  readonly platform?: PlatformSpec;
  readonly fallbackPlatform: PlatformSpec;
  /** Build every platform of an index (and push a new index). */
  readonly allPlatforms: boolean;
}

/**
 * Fetches the base manifest, and for an index either the requested platform's
 * image or every buildable image, each with its config.
 *
 * @throws OciNotFoundError `BASE_NOT_FOUND` / `PLATFORM_NOT_FOUND`; ManifestError for unusable documents.
 */
export async function resolveBase(repository: ImageRepository, reference: string, selection: PlatformSelection): Promise<ResolvedBase> {
  const fetched = await fetchVerified(repository, reference);
  if (!fetched) throw new OciNotFoundError('BASE_NOT_FOUND', `base image ${repository.name}:${reference} not found`, { repository: repository.name, reference });
  const parsed = parseManifest(fetched);
  if (parsed.kind === 'image') {
    const image = await loadImage(repository, parsed, fetched.bytes);
    const wanted = selection.platform;
    if (wanted && !platformMatches({ os: image.config.os ?? '', architecture: image.config.architecture ?? '', variant: image.config.variant }, wanted)) {
      throw platformNotFound(repository, reference, wanted, [`${image.config.os}/${image.config.architecture}`]);
    }
    return { kind: 'image', image };
  }
  const index: ImageIndex = deepFreeze({ family: parsed.family, mediaType: parsed.mediaType, digest: parsed.digest, index: parsed.index, bytes: fetched.bytes });
  const available = buildableEntries(parsed.index.manifests);
  if (selection.allPlatforms) {
    if (available.length === 0) throw platformNotFound(repository, reference, undefined, []);
    const images = await Promise.all(available.map((entry) => loadChild(repository, entry.digest)));
    return { kind: 'index', index, images };
  }
  const wanted = selection.platform ?? selection.fallbackPlatform;
  const entry = selectPlatform(parsed.index.manifests, wanted);
  if (!entry) throw platformNotFound(repository, reference, wanted, available.map((e) => formatPlatform(e.platform ?? { os: '?', architecture: '?' })));
  return { kind: 'image', image: await loadChild(repository, entry.digest) };
}

/** Fetches a manifest and checks that its bytes hash to the digest it came with. */
export async function fetchVerified(repository: ImageRepository, reference: string): Promise<FetchedManifest | undefined> {
  const fetched = await repository.fetchManifest(reference);
  if (!fetched) return undefined;
  const actual = sha256Digest(fetched.bytes);
  const expected = reference.startsWith('sha256:') ? reference : fetched.digest;
  if (actual !== expected || fetched.digest !== actual) {
    throw new OciDigestMismatchError(`manifest ${repository.name}:${reference}: expected ${expected}, its bytes hash to ${actual}`, { reference, expected, actual });
  }
  return fetched;
}

/** Reads a whole blob (a config) into memory, refusing more than `maxBytes`. */
export async function readBlob(repository: ImageRepository, digest: string, maxBytes: number = MAX_CONFIG_BYTES): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of await repository.fetchBlob(digest)) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      throw new ManifestError('CONFIG_INVALID', `blob ${digest} in ${repository.name}: expected at most ${maxBytes} bytes for an image config, received more`, { digest });
    }
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts, total);
}

async function loadChild(repository: ImageRepository, digest: string): Promise<Image> {
  const fetched = await fetchVerified(repository, digest);
  if (!fetched) throw new OciNotFoundError('BASE_NOT_FOUND', `manifest ${digest} listed by the base index is not in ${repository.name}`, { repository: repository.name, digest });
  const parsed = parseManifest(fetched);
  if (parsed.kind !== 'image') {
    throw new ManifestError('MANIFEST_UNSUPPORTED', `manifest ${digest} of the base index is itself an index; expected an image manifest`, { digest });
  }
  return loadImage(repository, parsed, fetched.bytes);
}

async function loadImage(repository: ImageRepository, parsed: Extract<ParsedManifest, { kind: 'image' }>, bytes: Buffer): Promise<Image> {
  const configBytes = await readBlob(repository, parsed.manifest.config.digest);
  return imageFromParts(parsed, bytes, configBytes);
}

function platformNotFound(repository: ImageRepository, reference: string, wanted: PlatformSpec | undefined, available: string[]): OciNotFoundError {
  const what = wanted ? `platform ${formatPlatform(wanted)}` : 'a buildable platform';
  return new OciNotFoundError('PLATFORM_NOT_FOUND', `base image ${repository.name}:${reference} has no ${what}; available: ${available.join(', ') || 'none'}`, {
    reference,
    wanted: wanted ? formatPlatform(wanted) : undefined,
  });
}
