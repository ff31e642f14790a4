import { createHash } from 'node:crypto';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { sha256Digest } from './digest';
import type { ValidationProblem } from './errors';
import { ImageInvalidError, OciError } from './errors';
import type { Descriptor, ManifestDocument } from './image';
import { parseConfig, parseManifest } from './image';
import { isNonDistributable, layerCompression } from './media-types';
import { platformMatches } from './platform';
import type { ImageRepository } from './repository';
import { MAX_CONFIG_BYTES, readBlob } from './resolve-base';

/**
 * Checks an image (or index) as stored: the manifest hashes to its digest;
 * every child manifest, config and layer exists with the size its descriptor
 * states and hashes to its digest; each config lists one diff_id per layer,
 * equal to the sha256 of the layer's uncompressed bytes (gunzipped while
 * streaming, never held in memory); index platforms match the configs.
 * Modelled on go-containerregistry's `validate.Image`.
 *
 * @returns every problem found; empty when the image is valid.
 * @example
 * expect(await validateImage(target, result.tag)).toEqual([]);
 */
export async function validateImage(repository: ImageRepository, reference: string): Promise<ValidationProblem[]> {
  const problems: ValidationProblem[] = [];
  await validateReference(repository, reference, problems, undefined);
  return problems;
}

/** {@link validateImage}, throwing {@link ImageInvalidError} (with every problem) instead of returning them. */
export async function assertValidImage(repository: ImageRepository, reference: string): Promise<void> {
  const problems = await validateImage(repository, reference);
  if (problems.length > 0) throw new ImageInvalidError(`${repository.name}:${reference}`, problems);
}

async function validateReference(repository: ImageRepository, reference: string, problems: ValidationProblem[], descriptor: Descriptor | undefined): Promise<void> {
  const fetched = await repository.fetchManifest(reference);
  if (!fetched) return void problems.push({ code: 'MANIFEST_MISSING', message: `manifest ${reference} is not in ${repository.name}`, digest: descriptor?.digest });
  const actual = sha256Digest(fetched.bytes);
  const expected = descriptor?.digest ?? (reference.startsWith('sha256:') ? reference : fetched.digest);
  if (actual !== expected || actual !== fetched.digest) {
    problems.push({ code: 'MANIFEST_DIGEST', message: `manifest ${reference}: expected digest ${expected}, bytes hash to ${actual}`, digest: expected });
  }
  if (descriptor && descriptor.size !== fetched.bytes.length) {
    problems.push({ code: 'MANIFEST_SIZE', message: `manifest ${descriptor.digest}: index says ${descriptor.size} bytes, stored ${fetched.bytes.length}`, digest: descriptor.digest });
  }
  let parsed;
  try {
    parsed = parseManifest(fetched);
  } catch (error) {
    return void problems.push({ code: 'MANIFEST_INVALID', message: (error as Error).message, digest: actual });
  }
  if (descriptor && parsed.mediaType !== descriptor.mediaType) {
    problems.push({ code: 'MEDIA_TYPE', message: `manifest ${descriptor.digest}: index says ${descriptor.mediaType}, document is ${parsed.mediaType}`, digest: descriptor.digest });
  }
  if (parsed.kind === 'index') {
    for (const child of parsed.index.manifests) await validateReference(repository, child.digest, problems, child);
    return;
  }
  await validateImageManifest(repository, parsed.manifest, descriptor, problems);
}

async function validateImageManifest(repository: ImageRepository, manifest: ManifestDocument, descriptor: Descriptor | undefined, problems: ValidationProblem[]): Promise<void> {
  const configDescriptor = manifest.config;
  if (!(await checkStat(repository, configDescriptor, 'config', problems))) return;
  let config;
  try {
    const bytes = await readBlob(repository, configDescriptor.digest, MAX_CONFIG_BYTES);
    if (sha256Digest(bytes) !== configDescriptor.digest) {
      problems.push({ code: 'BLOB_DIGEST', message: `config ${configDescriptor.digest}: bytes hash to ${sha256Digest(bytes)}`, digest: configDescriptor.digest });
    }
    config = parseConfig(bytes, configDescriptor.digest);
  } catch (error) {
    return void problems.push({ code: 'CONFIG_INVALID', message: (error as Error).message, digest: configDescriptor.digest });
  }
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length) {
    problems.push({ code: 'DIFF_ID_COUNT', message: `config ${configDescriptor.digest}: ${diffIds.length} diff_ids for ${manifest.layers.length} layers; expected one per layer`, digest: configDescriptor.digest });
  }
  if (descriptor?.platform && !platformMatches({ os: config.os ?? '', architecture: config.architecture ?? '', variant: config.variant }, descriptor.platform)) {
    problems.push({ code: 'PLATFORM', message: `manifest ${descriptor.digest}: index says ${descriptor.platform.os}/${descriptor.platform.architecture}, config says ${config.os}/${config.architecture}`, digest: descriptor.digest });
  }
  for (const [position, layer] of manifest.layers.entries()) {
    if (isNonDistributable(layer.mediaType)) continue;
    if (await checkStat(repository, layer, 'layer', problems)) await checkLayer(repository, layer, diffIds[position], problems);
  }
}

async function checkStat(repository: ImageRepository, descriptor: Descriptor, what: string, problems: ValidationProblem[]): Promise<boolean> {
  const size = await repository.statBlob(descriptor.digest);
  if (size === undefined) {
    problems.push({ code: 'BLOB_MISSING', message: `${what} ${descriptor.digest} is not in ${repository.name}`, digest: descriptor.digest });
    return false;
  }
  if (size !== descriptor.size) {
    problems.push({ code: 'BLOB_SIZE', message: `${what} ${descriptor.digest}: manifest says ${descriptor.size} bytes, stored ${size}`, digest: descriptor.digest });
  }
  return true;
}

async function checkLayer(repository: ImageRepository, layer: Descriptor, diffId: string | undefined, problems: ValidationProblem[]): Promise<void> {
  const compression = layerCompression(layer.mediaType);
  let measured;
  try {
    measured = await measureBlob(repository, layer.digest, compression);
  } catch (error) {
    const reason = error instanceof OciError ? error.message : `cannot read: ${(error as Error).message}`;
    return void problems.push({ code: 'LAYER_UNREADABLE', message: `layer ${layer.digest}: ${reason}`, digest: layer.digest });
  }
  if (measured.digest !== layer.digest || measured.size !== layer.size) {
    problems.push({ code: 'BLOB_DIGEST', message: `layer ${layer.digest} (${layer.size} bytes): stored bytes hash to ${measured.digest} (${measured.size} bytes)`, digest: layer.digest });
  }
  if (measured.diffId !== undefined && diffId !== undefined && measured.diffId !== diffId) {
    problems.push({ code: 'DIFF_ID', message: `layer ${layer.digest}: config diff_id is ${diffId}, uncompressed bytes hash to ${measured.diffId}`, digest: layer.digest });
  }
}

/** Streams a blob once: its digest and size, and for gzip or plain tar its diff_id (zstd: not checked). */
async function measureBlob(repository: ImageRepository, digest: string, compression: ReturnType<typeof layerCompression>): Promise<{ digest: string; size: number; diffId?: string }> {
  const blob = tap();
  const stages: NodeJS.ReadWriteStream[] = [blob.stream];
  const tar = tap();
  if (compression === 'gzip') stages.push(createGunzip(), tar.stream);
  await pipeline([await repository.fetchBlob(digest), ...stages, new Writable({ write: (_chunk, _encoding, callback) => callback() })]);
  const blobDigest = blob.digest();
  const diffId = compression === 'gzip' ? tar.digest() : compression === 'none' ? blobDigest : undefined;
  return { digest: blobDigest, size: blob.size(), diffId };
}

function tap(): { stream: Transform; digest: () => string; size: () => number } {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  return { stream, digest: () => `sha256:${hash.digest('hex')}`, size: () => size };
}
