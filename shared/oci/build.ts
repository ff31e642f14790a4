import { Readable } from 'node:stream';
import * as z from '../zod';
import type { BundleEntry } from '../config-bundle/types';
import type { BlobAction, BlobSource } from './blob-transfer';
import { forEachLimited, placeBlob } from './blob-transfer';
import { OciDigestMismatchError } from './errors';
import { inspectExistingTag } from './existing-tag';
import type { BuiltLayer, ConfigLayerOptions } from './layer';
import { buildConfigLayer } from './layer';
import type { ConfigSource } from './mutate';
import { parseOptions } from './options';
import type { BuildPlan, PlannedBlob } from './plan';
import { planBuild } from './plan';
import type { PlatformSpec } from './platform';
import { DEFAULT_PLATFORM, parsePlatform } from './platform';
import type { ImageRepository } from './repository';
import { resolveBase } from './resolve-base';
import type { ResolvedBase } from './resolve-base';

/** Blobs placed in parallel by default. */
export const DEFAULT_CONCURRENCY = 4;

/** Input of {@link buildAndPush}. */
export interface BuildRequest {
  readonly base: {
    readonly repository: ImageRepository;
    /** Tag or digest of the base image (or index) in `repository`. */
    readonly reference: string;
    /**
     * Name of the base repository inside the target's store, when the target
     * can mount blobs from it (same registry, not a pull-through cache).
     * @default undefined (base layers are copied through)
     */
    readonly mountFrom?: string;
    /**
     * The base, resolved by {@link startBaseResolution} with the same platform
     * choice while something else ran (the configuration was read and
     * validated). @default resolved here
     */
    readonly resolved?: Promise<ResolvedBase>;
  };
  readonly target: ImageRepository;
  readonly entries: readonly BundleEntry[];
  /** The wicked configuration hash from the validator (label and history). */
  readonly configHash: string;
  readonly source?: ConfigSource;
  /** Platform to take from an index base. @default 'linux/amd64' */
  readonly platform?: string | PlatformSpec;
  /** Build every platform of an index base and push a new index. @default false */
  readonly allPlatforms?: boolean;
  readonly layer?: ConfigLayerOptions;
  /** Blobs placed in parallel. @default 4 */
  readonly concurrency?: number;
  readonly onProgress?: (event: BuildProgress) => void;
}

/** Progress of {@link buildAndPush}, for logs and metrics. */
export type BuildProgress =
  | { readonly phase: 'layer'; readonly digest: string; readonly diffId: string; readonly size: number; readonly uncompressedSize: number }
  | { readonly phase: 'tag'; readonly tag: string; readonly existing: 'absent' | 'same' | 'equivalent'; readonly digest: string }
  | { readonly phase: 'blob'; readonly digest: string; readonly size: number; readonly action: BlobAction }
  | { readonly phase: 'manifest'; readonly reference: string; readonly digest: string };

/** Outcome of {@link buildAndPush}. */
export interface BuildResult {
  /** Digest of the manifest (or index) the tag names. */
  readonly digest: string;
  readonly tag: string;
  /** `<target name>@<digest>`: the pinned reference to deploy. */
  readonly imageRef: string;
  readonly manifestMediaType: string;
  readonly uploadedBlobs: number;
  readonly uploadedBytes: number;
  readonly mountedBlobs: number;
  /** True when the target already held the tag with this content: nothing was written. */
  readonly skipped: boolean;
  /** The layer's identity, for the ledger. */
  readonly layer: { readonly digest: string; readonly diffId: string; readonly size: number };
}

const repositorySchema = z.custom<ImageRepository>(
  (value) => typeof value === 'object' && value !== null && typeof (value as ImageRepository).putManifest === 'function',
  'expected an ImageRepository',
);
const requestSchema = z.strictObject({
  base: z.strictObject({
    repository: repositorySchema, reference: z.string().check(z.minLength(1)), mountFrom: z.optional(z.string().check(z.minLength(1))),
    resolved: z.optional(z.custom<Promise<ResolvedBase>>((v) => v instanceof Promise, 'expected a Promise from startBaseResolution')),
  }),
  target: repositorySchema,
  entries: z.readonly(z.array(z.custom<BundleEntry>((v) => typeof v === 'object' && v !== null, 'expected a BundleEntry'))),
  configHash: z.string().check(z.minLength(1)),
  source: z.optional(z.custom<ConfigSource>((v) => typeof v === 'object' && v !== null && ['s3', 'git'].includes((v as ConfigSource).kind), 'expected { kind: "s3" | "git", ... }')),
  platform: z.optional(z.union([z.string(), z.strictObject({ os: z.string(), architecture: z.string(), variant: z.optional(z.string()) })])),
  allPlatforms: z.optional(z.boolean()),
  layer: z.optional(z.custom<ConfigLayerOptions>((v) => typeof v === 'object' && v !== null)),
  concurrency: z.optional(z.int().check(z.gte(1), z.lte(32))),
  onProgress: z.optional(z.custom<(event: BuildProgress) => void>((v) => typeof v === 'function', 'expected a function')),
});

/**
 * Builds the private portal-api image and pushes it: base resolved (platform
 * or every platform of an index), configuration layer built once, tag derived
 * from the inputs. If the target already holds the tag with this content,
 * nothing is written (`skipped`). Otherwise every blob is placed and
 * confirmed (HEAD, else mount, else upload), then the manifests go up,
 * children first and the tagged one last: a failure never leaves the tag
 * pointing at missing blobs.
 *
 * @example
 * const result = await buildAndPush({
 *   base: { repository: dockerHubMirror, reference: '1.0.0' },
 *   target: ecrRepository, entries: bundle.entries, configHash,
 *   source: { kind: 's3', bucket: 'cfg', key: 'dev/config.tgz', versionId: 'v3' },
 * });
 * // result.imageRef === '123.dkr.ecr.eu-west-1.amazonaws.com/portal-api@sha256:…'
 */
export async function buildAndPush(request: BuildRequest): Promise<BuildResult> {
  const req = parseOptions(requestSchema, request, 'build request') as BuildRequest;
  // The base is fetched while the layer is built: one waits on the registry, the other on disk and gzip.
  const [baseResult, layerResult] = await Promise.allSettled([req.base.resolved ?? startBaseResolution(req), buildConfigLayer(req.entries, req.layer)]);
  if (baseResult.status === 'rejected') {
    if (layerResult.status === 'fulfilled') await layerResult.value.dispose();
    throw baseResult.reason;
  }
  if (layerResult.status === 'rejected') throw layerResult.reason;
  const [base, layer] = [baseResult.value, layerResult.value];
  try {
    req.onProgress?.({ phase: 'layer', digest: layer.digest, diffId: layer.diffId, size: layer.size, uncompressedSize: layer.uncompressedSize });
    const plan = planBuild(base, layer, { configHash: req.configHash, source: req.source });
    // The blobs are looked up (HEAD) while the tag is checked: one round trip less when the tag is new.
    const seen = statBlobs(req.target, plan.blobs, req.concurrency ?? DEFAULT_CONCURRENCY);
    seen.catch(() => undefined); // a failed lookup is reported by placeBlobs, or not needed when the tag exists
    const existing = await inspectExistingTag(req.target, plan);
    const digest = existing.kind === 'absent' ? plan.digest : existing.digest;
    req.onProgress?.({ phase: 'tag', tag: plan.tag, existing: existing.kind, digest });
    const summary = { digest, tag: plan.tag, imageRef: `${req.target.name}@${digest}`, manifestMediaType: plan.mediaType, layer: { digest: layer.digest, diffId: layer.diffId, size: layer.size } };
    if (existing.kind !== 'absent') return { ...summary, uploadedBlobs: 0, uploadedBytes: 0, mountedBlobs: 0, skipped: true };
    const counts = await placeBlobs(req, plan, layer, await seen);
    await putManifests(req, plan);
    return { ...summary, ...counts, skipped: false };
  } finally {
    await layer.dispose();
  }
}

/**
 * Starts resolving the base of a build (manifest, platform, config), to hand
 * to {@link buildAndPush} as `base.resolved` once the build may go ahead: the
 * registry round trips then overlap with reading and validating the
 * configuration. Reading the base uploads nothing.
 *
 * @example
 * const resolved = startBaseResolution({ base, platform: 'linux/amd64' });
 * resolved.catch(() => undefined); // awaited only if the configuration is valid
 */
export function startBaseResolution(request: Pick<BuildRequest, 'base' | 'platform' | 'allPlatforms'>): Promise<ResolvedBase> {
  const platform = typeof request.platform === 'string' ? parsePlatform(request.platform) : request.platform;
  return resolveBase(request.base.repository, request.base.reference, { platform, fallbackPlatform: DEFAULT_PLATFORM, allPlatforms: request.allPlatforms ?? false });
}

/** What the target's statBlob answers for each blob, at most `concurrency` at a time. */
async function statBlobs(target: ImageRepository, blobs: readonly PlannedBlob[], concurrency: number): Promise<Map<string, { size: number | undefined }>> {
  const seen = new Map<string, { size: number | undefined }>();
  await forEachLimited(blobs, concurrency, async (blob) => {
    seen.set(blob.digest, { size: await target.statBlob(blob.digest) });
  });
  return seen;
}

async function placeBlobs(
  req: BuildRequest,
  plan: BuildPlan,
  layer: BuiltLayer,
  seen: ReadonlyMap<string, { size: number | undefined }>,
): Promise<{ uploadedBlobs: number; uploadedBytes: number; mountedBlobs: number }> {
  const counts = { uploadedBlobs: 0, uploadedBytes: 0, mountedBlobs: 0 };
  await forEachLimited(plan.blobs, req.concurrency ?? DEFAULT_CONCURRENCY, async (blob) => {
    const action = await placeBlob(req.target, blob.digest, blob.size, sourceOf(req, blob, layer), seen.get(blob.digest));
    if (action === 'uploaded') {
      counts.uploadedBlobs++;
      counts.uploadedBytes += blob.size;
    } else if (action === 'mounted') {
      counts.mountedBlobs++;
    }
    req.onProgress?.({ phase: 'blob', digest: blob.digest, size: blob.size, action });
  });
  return counts;
}

function sourceOf(req: BuildRequest, blob: PlannedBlob, layer: BuiltLayer): BlobSource {
  if (blob.origin === 'config' && blob.bytes) {
    const bytes = blob.bytes;
    return { kind: 'stream', open: () => Readable.from([bytes]) };
  }
  if (blob.origin === 'layer' && blob.digest === layer.digest) return { kind: 'stream', open: () => layer.open() };
  return { kind: 'repository', repository: req.base.repository, mountFrom: req.base.mountFrom };
}

async function putManifests(req: BuildRequest, plan: BuildPlan): Promise<void> {
  for (const manifest of plan.manifests) {
    const digest = await req.target.putManifest(manifest.reference, manifest.mediaType, manifest.bytes);
    if (digest !== manifest.digest) {
      throw new OciDigestMismatchError(`putting manifest ${manifest.reference} to ${req.target.name}: expected digest ${manifest.digest}, the store reports ${digest}`, {
        reference: manifest.reference,
        expected: manifest.digest,
        actual: digest,
      });
    }
    req.onProgress?.({ phase: 'manifest', reference: manifest.reference, digest });
  }
}
