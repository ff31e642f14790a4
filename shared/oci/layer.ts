import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import * as z from '../zod';
import type { BundleEntry } from '../config-bundle/types';
import { LayerBuildError, OciError } from './errors';
import { STATIC_ROOT, planLayer } from './layer-plan';
import type { PlannedItem } from './layer-plan';
import { parseOptions } from './options';
import { TAR_END, USTAR_MAX_OCTAL11, encodeTarHeaders, tarPadding } from './tar-header';

/** Default mtime of every member: the Unix epoch, so the layer depends on content only. */
export const DEFAULT_LAYER_MTIME = 0;

/** Default gzip level: zlib's default, the same as `gzip` without options. */
export const DEFAULT_COMPRESSION_LEVEL = 6;

/** Bytes handed to gzip and hashes at a time; small headers and files are gathered up to this size. */
const CHUNK_BYTES = 256 * 1024;

/** Options of {@link buildConfigLayer}. */
export interface ConfigLayerOptions {
  /** Directory of the files in the image, relative to `/`. @default 'var/portal-api/static' */
  readonly root?: string;
  /**
   * Add an opaque whiteout in `root`, so the base image's files there are hidden
   * and the folder holds exactly the bundle. @default true
   */
  readonly opaque?: boolean;
  /** Modification time (seconds since the epoch) of every member. @default 0 */
  readonly mtime?: number;
  /** gzip level, 1 to 9. Part of the layer's identity: changing it changes the digest. @default 6 */
  readonly compressionLevel?: number;
  /** Where the compressed layer is kept until {@link BuiltLayer.dispose}. @default os.tmpdir() */
  readonly tempDir?: string;
}

const optionsSchema = z.strictObject({
  root: z.optional(z.string()),
  opaque: z.optional(z.boolean()),
  mtime: z.optional(z.int().check(z.gte(0), z.lte(USTAR_MAX_OCTAL11))),
  compressionLevel: z.optional(z.int().check(z.gte(1), z.lte(9))),
  tempDir: z.optional(z.string().check(z.minLength(1))),
});

/** An immutable layer value: what a manifest and an image config say about it. */
export interface Layer {
  /** `sha256:` of the compressed bytes (the blob). */
  readonly digest: string;
  /** `sha256:` of the uncompressed tar (the config's rootfs.diff_ids entry). */
  readonly diffId: string;
  /** Size of the compressed blob in bytes. */
  readonly size: number;
  /** Size of the uncompressed tar in bytes. */
  readonly uncompressedSize: number;
  readonly compression: 'gzip';
}

/** A {@link Layer} whose compressed bytes wait in a temporary file, ready to be uploaded (and re-read on retry). */
export interface BuiltLayer extends Layer {
  /** Path of the compressed blob. */
  readonly path: string;
  /** A fresh stream of the compressed blob; may be called any number of times before {@link dispose}. */
  open(): Readable;
  /** Removes the temporary file. Idempotent. */
  dispose(): Promise<void>;
}

/**
 * Builds the configuration layer: a reproducible gzip'd tar of the entries
 * under {@link STATIC_ROOT} (see `planLayer` for members, modes and order),
 * uid/gid 0, one fixed mtime, no user names. The tar is produced, hashed
 * (diff_id), compressed, hashed again (digest) and written to a temporary
 * file in one streaming pass: memory stays bounded whatever the size.
 *
 * @throws LayerBuildError when an entry path is invalid, a stream yields
 *   another size than its entry announced, or the file cannot be written.
 * @example
 * const layer = await buildConfigLayer(bundle.entries);
 * try { await target.pushBlob(layer.digest, layer.size, () => layer.open()); } finally { await layer.dispose(); }
 */
export async function buildConfigLayer(entries: readonly BundleEntry[], options: ConfigLayerOptions = {}): Promise<BuiltLayer> {
  const opts = parseOptions(optionsSchema, options, 'config layer options');
  const items = planLayer(entries, opts.root ?? STATIC_ROOT, { opaque: opts.opaque ?? true });
  const directory = await mkdtemp(join(opts.tempDir ?? tmpdir(), 'config-layer-'));
  const path = join(directory, 'layer.tar.gz');
  const tarDigest = new DigestCounter();
  const blobDigest = new DigestCounter();
  try {
    await pipeline(
      Readable.from(tarChunks(items, opts.mtime ?? DEFAULT_LAYER_MTIME, tarDigest), { objectMode: false }),
      createGzip({ level: opts.compressionLevel ?? DEFAULT_COMPRESSION_LEVEL, chunkSize: CHUNK_BYTES }),
      blobDigest.tap(),
      createWriteStream(path),
    );
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    if (error instanceof OciError) throw error;
    throw new LayerBuildError('LAYER_WRITE_FAILED', `building the config layer in ${directory}: ${(error as Error).message}`, { directory }, error);
  }
  return {
    digest: blobDigest.digest(),
    diffId: tarDigest.digest(),
    size: blobDigest.bytes,
    uncompressedSize: tarDigest.bytes,
    compression: 'gzip',
    path,
    open: () => createReadStream(path, { highWaterMark: CHUNK_BYTES }),
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
}

/** Running sha256 and byte count of a stream of chunks. */
class DigestCounter {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  update(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }

  /** A pass-through stream that feeds this counter. */
  tap(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        this.update(chunk);
        callback(null, chunk);
      },
    });
  }
}

/** The tar, as chunks of about {@link CHUNK_BYTES}, each one hashed as it is emitted. */
async function* tarChunks(items: readonly PlannedItem[], mtime: number, digest: DigestCounter): AsyncGenerator<Buffer> {
  const out = new Gatherer(digest);
  for (const item of items) {
    yield* out.add(encodeTarHeaders(item, mtime));
    if (!item.entry) continue;
    let received = 0;
    for await (const chunk of item.entry.open()) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      received += buffer.length;
      if (received > item.size) throw sizeMismatch(item, `more than ${item.size}`);
      yield* out.add(buffer);
    }
    if (received !== item.size) throw sizeMismatch(item, String(received));
    yield* out.add(Buffer.alloc(tarPadding(item.size)));
  }
  yield* out.add(TAR_END);
  yield* out.flush();
}

function sizeMismatch(item: PlannedItem, received: string): LayerBuildError {
  const path = item.entry?.path ?? item.name;
  return new LayerBuildError('LAYER_SIZE_MISMATCH', `bundle entry ${path}: announced ${item.size} bytes, its stream gave ${received}`, { path, expected: item.size });
}

/** Gathers small buffers into chunks of at least {@link CHUNK_BYTES}; passes large ones through without copying. */
class Gatherer {
  private parts: Buffer[] = [];
  private pending = 0;

  constructor(private readonly digest: DigestCounter) {}

  add(buffer: Buffer): Buffer[] {
    if (buffer.length === 0) return [];
    if (buffer.length >= CHUNK_BYTES) return [...this.flush(), this.emit(buffer)];
    this.parts.push(buffer);
    this.pending += buffer.length;
    return this.pending >= CHUNK_BYTES ? this.flush() : [];
  }

  flush(): Buffer[] {
    if (this.pending === 0) return [];
    const chunk = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.pending);
    this.parts = [];
    this.pending = 0;
    return [this.emit(chunk)];
  }

  private emit(chunk: Buffer): Buffer {
    this.digest.update(chunk);
    return chunk;
  }
}
