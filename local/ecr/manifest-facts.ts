import { EcrEmulatorError } from './errors';
import { isSha256Digest } from './routes';

/** Manifest media types the emulator stores: OCI and Docker v2 schema 2, images and indexes. */
export const STORABLE_MANIFEST_TYPES: readonly string[] = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

/** What the store needs to know about a manifest. */
export interface ManifestFacts {
  readonly mediaType: string;
  readonly kind: 'image' | 'index';
  /** Config and layer digests an image references (must be in the repository). */
  readonly blobs: readonly string[];
  /** Child manifests an index references (must be in the repository). */
  readonly manifests: readonly string[];
  /** Sum of the layer sizes the manifest states (ECR's `imageSizeInBytes` for an image). */
  readonly layerBytes: number;
  /** The config's media type (ECR's `artifactMediaType`). */
  readonly configMediaType: string | undefined;
}

interface DescriptorLike {
  readonly mediaType?: unknown;
  readonly digest?: unknown;
  readonly size?: unknown;
}

/**
 * Reads the facts of a pushed manifest. The media type is the request's
 * Content-Type, else the document's `mediaType`; when both are present they
 * must agree (distribution spec, "Pushing Manifests"). Foreign layers with
 * `urls` are not required to be present.
 *
 * @throws {EcrEmulatorError} `MANIFEST_INVALID` saying what was received and what was expected.
 */
export function inspectManifest(bytes: Buffer, contentType: string | undefined): ManifestFacts {
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw invalid(`manifest is not JSON (${(error as Error).message}), expected an OCI or Docker v2 manifest`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw invalid('manifest must be a JSON object');
  const declared = contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
  const field = typeof document.mediaType === 'string' ? document.mediaType : undefined;
  if (declared && field && declared !== field) throw invalid(`Content-Type ${declared} does not match the manifest's mediaType ${field}`);
  const mediaType = field ?? declared ?? (Array.isArray(document.manifests) ? STORABLE_MANIFEST_TYPES[1] : STORABLE_MANIFEST_TYPES[0]) as string;
  if (!STORABLE_MANIFEST_TYPES.includes(mediaType)) throw invalid(`media type ${mediaType} is not stored, expected one of ${STORABLE_MANIFEST_TYPES.join(', ')}`);
  if (document.schemaVersion !== 2) throw invalid(`schemaVersion must be 2, received ${JSON.stringify(document.schemaVersion)}`);
  if (mediaType.endsWith('index.v1+json') || mediaType.endsWith('list.v2+json')) {
    const children = descriptors(document.manifests, 'manifests');
    return { mediaType, kind: 'index', blobs: [], manifests: children.map((child) => child.digest), layerBytes: 0, configMediaType: undefined };
  }
  const [config] = descriptors([document.config], 'config');
  const layers = descriptors(document.layers, 'layers');
  const stored = layers.filter((layer) => !layer.foreign);
  return {
    mediaType,
    kind: 'image',
    blobs: [config!.digest, ...stored.map((layer) => layer.digest)],
    manifests: [],
    layerBytes: layers.reduce((sum, layer) => sum + layer.size, 0),
    configMediaType: config!.mediaType,
  };
}

function descriptors(value: unknown, field: string): { digest: string; size: number; mediaType: string; foreign: boolean }[] {
  if (!Array.isArray(value)) throw invalid(`${field} must be a list of descriptors, received ${JSON.stringify(value)}`);
  return value.map((entry: DescriptorLike & { urls?: unknown }, index) => {
    const where = `${field}[${index}]`;
    if (typeof entry !== 'object' || entry === null) throw invalid(`${where} must be a descriptor object`);
    if (typeof entry.digest !== 'string' || !isSha256Digest(entry.digest)) throw invalid(`${where}.digest must be sha256:<64 hex>, received ${JSON.stringify(entry.digest)}`);
    if (typeof entry.size !== 'number' || !Number.isSafeInteger(entry.size) || entry.size < 0) throw invalid(`${where}.size must be a non-negative integer, received ${JSON.stringify(entry.size)}`);
    if (typeof entry.mediaType !== 'string') throw invalid(`${where}.mediaType must be a string, received ${JSON.stringify(entry.mediaType)}`);
    return { digest: entry.digest, size: entry.size, mediaType: entry.mediaType, foreign: Array.isArray(entry.urls) && entry.urls.length > 0 };
  });
}

function invalid(message: string): EcrEmulatorError {
  return new EcrEmulatorError('MANIFEST_INVALID', message);
}
