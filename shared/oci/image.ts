import * as z from '../zod';
import type { FetchedManifest } from './repository';
import { canonicalJson } from './canonical-json';
import { sha256Digest } from './digest';
import { ManifestError } from './errors';
import { classifyManifestMediaType, MediaTypes } from './media-types';
import type { ManifestFamily } from './media-types';

const digestString = z.string().check(z.regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:<64 lower-case hex>"'));

const platformSchema = z.looseObject({
  os: z.string(),
  architecture: z.string(),
  variant: z.optional(z.string()),
});

const descriptorSchema = z.looseObject({
  mediaType: z.string(),
  digest: digestString,
  size: z.int().check(z.nonnegative()),
  platform: z.optional(platformSchema),
  annotations: z.optional(z.record(z.string(), z.string())),
  urls: z.optional(z.array(z.string())),
});

const manifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.optional(z.string()),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  annotations: z.optional(z.record(z.string(), z.string())),
});

const indexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.optional(z.string()),
  manifests: z.array(descriptorSchema),
  annotations: z.optional(z.record(z.string(), z.string())),
});

const configSchema = z.looseObject({
  created: z.optional(z.string()),
  architecture: z.optional(z.string()),
  os: z.optional(z.string()),
  variant: z.optional(z.string()),
  config: z.optional(z.nullable(z.looseObject({ Labels: z.optional(z.nullable(z.record(z.string(), z.string()))) }))),
  rootfs: z.looseObject({ type: z.literal('layers'), diff_ids: z.array(digestString) }),
  history: z.optional(z.array(z.looseObject({ created: z.optional(z.string()), created_by: z.optional(z.string()), empty_layer: z.optional(z.boolean()) }))),
});

/** The platform of an index entry or image config. */
export type Platform = z.infer<typeof platformSchema>;
/** A content descriptor (OCI image spec "descriptor"; same fields in Docker v2 schema 2). */
export type Descriptor = z.infer<typeof descriptorSchema>;
/** An image manifest document (OCI, or Docker v2 schema 2). Unknown fields are kept. */
export type ManifestDocument = z.infer<typeof manifestSchema>;
/** An index document (OCI image index, or Docker manifest list). Unknown fields are kept. */
export type IndexDocument = z.infer<typeof indexSchema>;
/** An image configuration document. Unknown fields (Env, Cmd, ...) are kept. */
export type ConfigDocument = z.infer<typeof configSchema>;

/** An immutable image value: manifest and config, their exact bytes and digests. */
export interface Image {
  readonly family: ManifestFamily;
  readonly mediaType: string;
  readonly digest: string;
  readonly manifest: Readonly<ManifestDocument>;
  readonly manifestBytes: Buffer;
  readonly config: Readonly<ConfigDocument>;
  readonly configBytes: Buffer;
}

/** An immutable index value (OCI image index or Docker manifest list). */
export interface ImageIndex {
  readonly family: ManifestFamily;
  readonly mediaType: string;
  readonly digest: string;
  readonly index: Readonly<IndexDocument>;
  readonly bytes: Buffer;
}

/** A parsed manifest document: one image, or an index of images. */
export type ParsedManifest =
  | { readonly kind: 'image'; readonly family: ManifestFamily; readonly mediaType: string; readonly digest: string; readonly manifest: ManifestDocument }
  | { readonly kind: 'index'; readonly family: ManifestFamily; readonly mediaType: string; readonly digest: string; readonly index: IndexDocument };

/**
 * Parses a fetched manifest. The document's own `mediaType` wins over the
 * transport's; an OCI document without one is recognised by its shape.
 *
 * @throws ManifestError `MANIFEST_UNSUPPORTED` for other media types (Docker
 *   schema 1, artifacts), `MANIFEST_INVALID` for malformed JSON or fields.
 */
export function parseManifest(fetched: FetchedManifest): ParsedManifest {
  const json = parseJson(fetched.bytes, `manifest ${fetched.digest}`);
  const declared = typeof json.mediaType === 'string' ? json.mediaType : fetched.mediaType;
  const inferred = classifyManifestMediaType(declared) ?? inferOci(json);
  if (!inferred) {
    throw new ManifestError('MANIFEST_UNSUPPORTED', `manifest ${fetched.digest} has media type "${declared}"; expected an OCI or Docker v2 schema 2 manifest or index`, { digest: fetched.digest, mediaType: declared });
  }
  const mediaType = classifyManifestMediaType(declared) ? declared : inferred.kind === 'image' ? MediaTypes.ociManifest : MediaTypes.ociIndex;
  const common = { family: inferred.family, mediaType, digest: fetched.digest };
  if (inferred.kind === 'image') return { kind: 'image', ...common, manifest: check(manifestSchema, json, `manifest ${fetched.digest}`) };
  return { kind: 'index', ...common, index: check(indexSchema, json, `index ${fetched.digest}`) };
}

/** Parses an image config blob. @throws ManifestError `CONFIG_INVALID`. */
export function parseConfig(bytes: Buffer, digest: string): ConfigDocument {
  const json = parseJson(bytes, `image config ${digest}`, 'CONFIG_INVALID');
  return check(configSchema, json, `image config ${digest}`, 'CONFIG_INVALID');
}

/**
 * Makes an {@link Image} from a parsed image manifest and its config bytes,
 * checking that the bytes are the ones the manifest names.
 */
export function imageFromParts(parsed: Extract<ParsedManifest, { kind: 'image' }>, manifestBytes: Buffer, configBytes: Buffer): Image {
  const configDigest = sha256Digest(configBytes);
  if (configDigest !== parsed.manifest.config.digest || configBytes.length !== parsed.manifest.config.size) {
    throw new ManifestError('CONFIG_INVALID', `config of ${parsed.digest}: expected ${parsed.manifest.config.digest} (${parsed.manifest.config.size} bytes), received ${configDigest} (${configBytes.length} bytes)`, { digest: parsed.digest });
  }
  const config = parseConfig(configBytes, configDigest);
  return deepFreeze({ family: parsed.family, mediaType: parsed.mediaType, digest: parsed.digest, manifest: parsed.manifest, manifestBytes, config, configBytes });
}

/** Serialises documents canonically into a new {@link Image} value. */
export function imageFromDocuments(family: ManifestFamily, mediaType: string, manifest: ManifestDocument, config: ConfigDocument): Image {
  const configBytes = canonicalJson(config);
  const manifestBytes = canonicalJson(manifest);
  return deepFreeze({ family, mediaType, digest: sha256Digest(manifestBytes), manifest, manifestBytes, config, configBytes });
}

/** Serialises an index document canonically into a new {@link ImageIndex} value. */
export function indexFromDocument(family: ManifestFamily, mediaType: string, index: IndexDocument): ImageIndex {
  const bytes = canonicalJson(index);
  return deepFreeze({ family, mediaType, digest: sha256Digest(bytes), index, bytes });
}

function inferOci(json: Record<string, unknown>): { family: ManifestFamily; kind: 'image' | 'index' } | undefined {
  if (json.mediaType !== undefined) return undefined;
  if (Array.isArray(json.manifests)) return { family: 'oci', kind: 'index' };
  if (Array.isArray(json.layers)) return { family: 'oci', kind: 'image' };
  return undefined;
}

type InvalidCode = 'MANIFEST_INVALID' | 'CONFIG_INVALID';

function parseJson(bytes: Buffer, what: string, code: InvalidCode = 'MANIFEST_INVALID'): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ManifestError(code, `${what}: expected JSON, received ${bytes.length} bytes that do not parse (${(error as Error).message})`, {}, error);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ManifestError(code, `${what}: expected a JSON object, received ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

function check<T extends z.ZodMiniType>(schema: T, value: unknown, what: string, code: InvalidCode = 'MANIFEST_INVALID'): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ManifestError(code, `${what}: ${z.prettifyError(result.error).replace(/\n/g, ' ')}`);
  return result.data;
}

/** Freezes a value and everything reachable from it, Buffers excepted (they cannot be frozen). */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || Object.isFrozen(value)) return value;
  for (const member of Object.values(value)) deepFreeze(member);
  return Object.freeze(value);
}
