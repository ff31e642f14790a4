/**
 * Daemonless image building: the configuration layer, image values and their
 * mutation, platform selection, derived tags, push orchestration over
 * {@link ImageRepository}, an OCI layout repository and image validation.
 * The registry client lives in `./registry` and is exported from there.
 */
export type { FetchedManifest, ImageRepository } from './repository';
export * from './errors';
export { MediaTypes, classifyManifestMediaType, manifestMediaType, gzipLayerMediaType, layerCompression, isNonDistributable } from './media-types';
export type { ManifestFamily, ManifestKind } from './media-types';
export { canonicalJson } from './canonical-json';
export { digestHex } from './digest';
export { TAR_BLOCK, TAR_END, USTAR_MAX_OCTAL11, encodeTarHeaders, paxRecord, splitUstarName, tarPadding } from './tar-header';
export type { TarItem } from './tar-header';
export { STATIC_ROOT, DIRECTORY_MODE, OPAQUE_WHITEOUT, planLayer } from './layer-plan';
export type { PlannedItem } from './layer-plan';
export { DEFAULT_LAYER_MTIME, DEFAULT_COMPRESSION_LEVEL, buildConfigLayer } from './layer';
export type { BuiltLayer, ConfigLayerOptions, Layer } from './layer';
export { parseManifest, parseConfig, imageFromParts, imageFromDocuments, indexFromDocument, deepFreeze } from './image';
export type { ConfigDocument, Descriptor, Image, ImageIndex, IndexDocument, ManifestDocument, ParsedManifest, Platform } from './image';
export { Labels, FALLBACK_CREATED, appendLayer, labelsFor, replaceIndexManifests } from './mutate';
export type { AppendMeta, ConfigSource } from './mutate';
export { DEFAULT_PLATFORM, buildableEntries, formatPlatform, parsePlatform, platformMatches, selectPlatform } from './platform';
export type { PlatformSpec } from './platform';
export { TAG_HEX_LENGTH, TAG_PREFIX, deriveTag } from './tag';
export { MAX_CONFIG_BYTES, fetchVerified, readBlob, resolveBase } from './resolve-base';
export type { PlatformSelection, ResolvedBase } from './resolve-base';
export { planBuild } from './plan';
export type { BuildPlan, PlannedBlob, PlannedManifest } from './plan';
export { forEachLimited, lazyBlobStream, placeBlob } from './blob-transfer';
export type { BlobAction, BlobSource } from './blob-transfer';
export { imageIdentity, inspectExistingTag } from './existing-tag';
export type { ExistingTag } from './existing-tag';
export { DEFAULT_CONCURRENCY, buildAndPush, startBaseResolution } from './build';
export type { BuildProgress, BuildRequest, BuildResult } from './build';
export { OciLayoutRepository, REF_NAME_ANNOTATION } from './oci-layout';
export { assertValidImage, validateImage } from './validate';
