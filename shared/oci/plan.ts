import type { Image, ImageIndex } from './image';
import type { Layer } from './layer';
import { isNonDistributable } from './media-types';
import type { AppendMeta } from './mutate';
import { appendLayer, replaceIndexManifests } from './mutate';
import type { ResolvedBase } from './resolve-base';
import { deriveTag } from './tag';

/** A blob the target must hold before the manifests go up. */
export interface PlannedBlob {
  readonly digest: string;
  readonly size: number;
  /** `base`: a layer of the base image; `layer`: the configuration layer; `config`: a new image config. */
  readonly origin: 'base' | 'layer' | 'config';
  /** Content of a `config` blob. */
  readonly bytes?: Buffer;
}

/** A manifest to put, in order: children by digest first, the tagged one last. */
export interface PlannedManifest {
  readonly reference: string;
  readonly mediaType: string;
  readonly digest: string;
  readonly bytes: Buffer;
}

/** Everything a build will write, decided before any I/O on the target. */
export interface BuildPlan {
  readonly tag: string;
  /** Digest of the manifest the tag will name (an index when every platform is built). */
  readonly digest: string;
  readonly mediaType: string;
  readonly images: readonly Image[];
  readonly index?: ImageIndex;
  readonly blobs: readonly PlannedBlob[];
  readonly manifests: readonly PlannedManifest[];
}

/**
 * Decides the new image(s), the tag, the blobs to place (deduplicated, base
 * layers first, non-distributable layers left out) and the manifests to put
 * (tagged one last). Pure: the same base, layer and meta give the same plan.
 */
export function planBuild(base: ResolvedBase, layer: Layer, meta: AppendMeta): BuildPlan {
  if (base.kind === 'image') {
    const image = appendLayer(base.image, layer, meta);
    const tag = deriveTag(base.image.digest, layer.diffId);
    return {
      tag, digest: image.digest, mediaType: image.mediaType, images: [image],
      blobs: blobsOf([image]),
      manifests: [{ reference: tag, mediaType: image.mediaType, digest: image.digest, bytes: image.manifestBytes }],
    };
  }
  const built = new Map(base.images.map((image) => [image.digest, appendLayer(image, layer, meta)] as const));
  const index = replaceIndexManifests(base.index, built);
  const tag = deriveTag(base.index.digest, layer.diffId);
  const images = [...built.values()];
  return {
    tag, digest: index.digest, mediaType: index.mediaType, images, index,
    blobs: blobsOf(images),
    manifests: [
      ...images.map((image) => ({ reference: image.digest, mediaType: image.mediaType, digest: image.digest, bytes: image.manifestBytes })),
      { reference: tag, mediaType: index.mediaType, digest: index.digest, bytes: index.bytes },
    ],
  };
}

function blobsOf(images: readonly Image[]): PlannedBlob[] {
  const blobs = new Map<string, PlannedBlob>();
  for (const image of images) {
    const layers = image.manifest.layers;
    layers.forEach((descriptor, position) => {
      if (isNonDistributable(descriptor.mediaType) || blobs.has(descriptor.digest)) return;
      const origin = position === layers.length - 1 ? 'layer' : 'base';
      blobs.set(descriptor.digest, { digest: descriptor.digest, size: descriptor.size, origin });
    });
    const config = image.manifest.config;
    if (!blobs.has(config.digest)) blobs.set(config.digest, { digest: config.digest, size: config.size, origin: 'config', bytes: image.configBytes });
  }
  return [...blobs.values()];
}
