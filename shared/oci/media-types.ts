/** Media types of the two manifest families this builder reads and writes. */
export const MediaTypes = Object.freeze({
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
});

/** `oci` (OCI image spec) or `docker` (Docker image manifest v2, schema 2). */
export type ManifestFamily = 'oci' | 'docker';

/** Whether a document is one image or an index / manifest list of images. */
export type ManifestKind = 'image' | 'index';

/** Family and kind of a manifest media type, or `undefined` when it is neither OCI nor Docker v2 schema 2. */
export function classifyManifestMediaType(mediaType: string): { family: ManifestFamily; kind: ManifestKind } | undefined {
  switch (mediaType) {
    case MediaTypes.ociManifest:
      return { family: 'oci', kind: 'image' };
    case MediaTypes.ociIndex:
      return { family: 'oci', kind: 'index' };
    case MediaTypes.dockerManifest:
      return { family: 'docker', kind: 'image' };
    case MediaTypes.dockerManifestList:
      return { family: 'docker', kind: 'index' };
    default:
      return undefined;
  }
}

/** The manifest media type of a family and kind (inverse of {@link classifyManifestMediaType}). */
export function manifestMediaType(family: ManifestFamily, kind: ManifestKind): string {
  if (family === 'oci') return kind === 'image' ? MediaTypes.ociManifest : MediaTypes.ociIndex;
  return kind === 'image' ? MediaTypes.dockerManifest : MediaTypes.dockerManifestList;
}

/** The media type of a gzip-compressed tar layer in a family. */
export function gzipLayerMediaType(family: ManifestFamily): string {
  return family === 'oci' ? MediaTypes.ociLayerGzip : MediaTypes.dockerLayerGzip;
}

/** How a layer media type is compressed, as far as diff_id verification is concerned. */
export function layerCompression(mediaType: string): 'gzip' | 'none' | 'zstd' | 'unknown' {
  if (mediaType.endsWith('+gzip') || mediaType.endsWith('.tar.gzip')) return 'gzip';
  if (mediaType.endsWith('+zstd')) return 'zstd';
  if (mediaType.endsWith('.tar') || mediaType.endsWith('.diff.tar')) return 'none';
  return 'unknown';
}

/**
 * Layers that registries may refuse to store (Windows foreign layers and OCI
 * non-distributable layers, fetched from their `urls`): never copied.
 */
export function isNonDistributable(mediaType: string): boolean {
  return mediaType === MediaTypes.dockerForeignLayerGzip || mediaType.includes('.nondistributable.');
}
