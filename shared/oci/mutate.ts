import { canonicalJson } from './canonical-json';
import { sha256Digest } from './digest';
import type { Descriptor, Image, ImageIndex, IndexDocument, ManifestDocument, ConfigDocument } from './image';
import { imageFromDocuments, indexFromDocument } from './image';
import type { Layer } from './layer';
import { gzipLayerMediaType, manifestMediaType } from './media-types';

/** Labels written into the image config by {@link appendLayer}. */
export const Labels = Object.freeze({
  baseDigest: 'org.opencontainers.image.base.digest',
  revision: 'org.opencontainers.image.revision',
  configHash: 'io.wicked.config.hash',
  configSource: 'io.wicked.config.source',
});

/**
 * `created` of the new config and its history entry when the base config has
 * none: the epoch, so the time depends only on the inputs.
 */
export const FALLBACK_CREATED = '1970-01-01T00:00:00Z';

/** Where the configuration came from, recorded as labels. */
export type ConfigSource =
  | { readonly kind: 's3'; readonly bucket: string; readonly key: string; readonly versionId?: string; readonly revision?: string }
  | { readonly kind: 'git'; readonly revision: string; readonly url?: string };

/** What {@link appendLayer} records about the configuration layer. */
export interface AppendMeta {
  /** The wicked configuration hash computed by the validator. */
  readonly configHash: string;
  readonly source?: ConfigSource;
}

/**
 * Returns a new image: the base plus one layer. The config gets the layer's
 * diff_id, a history entry naming the configuration hash, and labels for the
 * base digest, configuration hash and source; `created` is the base's (or
 * {@link FALLBACK_CREATED}); every other field (Env, Cmd, Entrypoint, User,
 * WorkingDir, ExposedPorts, ...) is kept. The manifest keeps the base's
 * family and media types; the layer gets the gzip layer type of that family.
 * Serialisation is canonical: the same inputs give the same digest.
 *
 * @example
 * const image = appendLayer(base, layer, { configHash: 'abc', source: { kind: 's3', bucket: 'b', key: 'k', versionId: '1' } });
 */
export function appendLayer(base: Image, layer: Layer, meta: AppendMeta): Image {
  const created = base.config.created ?? FALLBACK_CREATED;
  const containerConfig = base.config.config ?? {};
  const config: ConfigDocument = {
    ...base.config,
    created,
    config: { ...containerConfig, Labels: { ...(containerConfig.Labels ?? {}), ...labelsFor(base.digest, meta) } },
    rootfs: { ...base.config.rootfs, diff_ids: [...base.config.rootfs.diff_ids, layer.diffId] },
    history: [...(base.config.history ?? []), { created, created_by: `wicked-control-plane: static configuration ${meta.configHash}` }],
  };
  const configBytes = canonicalJson(config);
  const manifest: ManifestDocument = {
    ...withoutKeys(base.manifest, ['subject']),
    schemaVersion: 2,
    mediaType: base.mediaType,
    config: { mediaType: base.manifest.config.mediaType, digest: sha256Digest(configBytes), size: configBytes.length },
    layers: [...base.manifest.layers, { mediaType: gzipLayerMediaType(base.family), digest: layer.digest, size: layer.size }],
  };
  return imageFromDocuments(base.family, base.mediaType, manifest, config);
}

/** The labels {@link appendLayer} sets, as a pure function of its inputs. */
export function labelsFor(baseDigest: string, meta: AppendMeta): Record<string, string> {
  const labels: Record<string, string> = { [Labels.baseDigest]: baseDigest, [Labels.configHash]: meta.configHash };
  const source = meta.source;
  if (source?.kind === 's3') {
    const version = source.versionId === undefined ? '' : `?versionId=${encodeURIComponent(source.versionId)}`;
    labels[Labels.configSource] = `s3://${source.bucket}/${source.key}${version}`;
    if (source.revision !== undefined) labels[Labels.revision] = source.revision;
  } else if (source?.kind === 'git') {
    labels[Labels.revision] = source.revision;
    if (source.url !== undefined) labels[Labels.configSource] = source.url;
  }
  return labels;
}

/**
 * A new index of the base's family listing the built images in place of the
 * base images they were built from (matched by the base image digest), with
 * platforms and annotations kept. Entries without a built image (attestations,
 * platforms not built) are left out: they describe the base, not the result.
 */
export function replaceIndexManifests(base: ImageIndex, built: ReadonlyMap<string, Image>): ImageIndex {
  const manifests: Descriptor[] = [];
  for (const entry of base.index.manifests) {
    const image = built.get(entry.digest);
    if (!image) continue;
    manifests.push({ ...withoutKeys(entry, ['data']), mediaType: image.mediaType, digest: image.digest, size: image.manifestBytes.length });
  }
  const mediaType = manifestMediaType(base.family, 'index');
  const index: IndexDocument = { ...withoutKeys(base.index, ['subject']), schemaVersion: 2, mediaType, manifests };
  return indexFromDocument(base.family, mediaType, index);
}

function withoutKeys<T extends object>(value: T, keys: readonly string[]): T {
  const copy = { ...value } as Record<string, unknown>;
  for (const key of keys) delete copy[key];
  return copy as T;
}
