import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { canonicalJson } from './canonical-json';
import { digestHex, isDigest, sha256Digest } from './digest';
import { OciDigestMismatchError, OciNotFoundError, OciError } from './errors';
import { MediaTypes } from './media-types';
import type { FetchedManifest, ImageRepository } from './repository';

/** Annotation naming a tag in an OCI layout's index.json. */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** The only layout version of the OCI image spec. */
const LAYOUT_VERSION = '1.0.0';

interface LayoutEntry {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/**
 * An {@link ImageRepository} over an OCI image layout directory (`oci:DIR`):
 * `oci-layout`, `index.json` naming tags with `org.opencontainers.image.ref.name`,
 * and `blobs/sha256/<hex>`. Every file is written to a temporary name and
 * renamed, so readers never see a partial blob or index; blobs are verified
 * against their digest before the rename. Updates of index.json are
 * serialised within one instance (one writer process per directory).
 *
 * @example
 * const target = await OciLayoutRepository.open('/tmp/out');
 * await buildAndPush({ base, target, entries, configHash }); // then: skopeo inspect oci:/tmp/out:<tag>
 */
export class OciLayoutRepository implements ImageRepository {
  readonly name: string;
  private indexUpdates: Promise<unknown> = Promise.resolve();

  private constructor(readonly directory: string) {
    this.name = `oci:${directory}`;
  }

  /** Opens a layout directory, creating it (and its `oci-layout` and empty `index.json`) when missing. */
  static async open(directory: string): Promise<OciLayoutRepository> {
    const layout = new OciLayoutRepository(resolve(directory));
    await mkdir(join(layout.directory, 'blobs', 'sha256'), { recursive: true });
    const marker = await readOptional(join(layout.directory, 'oci-layout'));
    if (marker === undefined) {
      await writeAtomic(join(layout.directory, 'oci-layout'), canonicalJson({ imageLayoutVersion: LAYOUT_VERSION }));
    } else if (parseLayoutJson(marker, layout.name, 'oci-layout').imageLayoutVersion !== LAYOUT_VERSION) {
      throw new OciError('LAYOUT_INVALID', `${layout.name}/oci-layout: expected imageLayoutVersion "${LAYOUT_VERSION}", received ${marker.toString('utf8')}`, { context: { directory } });
    }
    if ((await readOptional(join(layout.directory, 'index.json'))) === undefined) {
      await layout.writeIndex([]);
    }
    return layout;
  }

  /** @inheritdoc */
  async statBlob(digest: string): Promise<number | undefined> {
    try {
      return (await stat(this.blobPath(digest))).size;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** A layout is a single repository: there is nothing to mount from. Always `false`. */
  async mountBlob(_digest: string, _fromRepository: string): Promise<boolean> {
    return false;
  }

  /** Stores a blob after checking its size and digest; a blob already present is not rewritten. Resolves `true`: stored and verified. */
  async pushBlob(digest: string, size: number, openBlob: () => Readable): Promise<boolean> {
    const path = this.blobPath(digest);
    if ((await this.statBlob(digest)) === size) return true;
    const temporary = `${path}.tmp-${randomBytes(6).toString('hex')}`;
    const hash = createHash('sha256');
    let received = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        received += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(openBlob(), tap, createWriteStream(temporary));
      const actual = `sha256:${hash.digest('hex')}`;
      if (actual !== digest || received !== size) {
        throw new OciDigestMismatchError(`pushing blob to ${this.name}: expected ${digest} (${size} bytes), received ${actual} (${received} bytes)`, { digest, size, received });
      }
      await rename(temporary, path);
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
    return true;
  }

  /** @inheritdoc */
  async fetchBlob(digest: string): Promise<Readable> {
    try {
      const handle = await open(this.blobPath(digest), 'r');
      return handle.createReadStream({ autoClose: true });
    } catch (error) {
      if (isNotFound(error)) throw new OciNotFoundError('BLOB_NOT_FOUND', `blob ${digest} is not in ${this.name}`, { digest, repository: this.name });
      throw error;
    }
  }

  /** A manifest by tag (index.json ref name) or by digest (any blob), or `undefined`. */
  async fetchManifest(reference: string): Promise<FetchedManifest | undefined> {
    const entries = await this.readIndex();
    const entry = isDigest(reference)
      ? entries.find((e) => e.digest === reference)
      : entries.find((e) => e.annotations?.[REF_NAME_ANNOTATION] === reference);
    const digest = entry?.digest ?? (isDigest(reference) ? reference : undefined);
    if (digest === undefined) return undefined;
    const bytes = await readOptional(this.blobPath(digest));
    if (bytes === undefined) return undefined;
    return { mediaType: entry?.mediaType ?? declaredMediaType(bytes), digest, bytes };
  }

  /** Stores the manifest blob; a tag reference is (re)pointed at it in index.json. */
  async putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<string> {
    const digest = sha256Digest(bytes);
    if (isDigest(reference) && reference !== digest) {
      throw new OciDigestMismatchError(`putting manifest ${reference} to ${this.name}: its bytes hash to ${digest}`, { reference, digest });
    }
    if ((await this.statBlob(digest)) !== bytes.length) await writeAtomic(this.blobPath(digest), bytes);
    if (!isDigest(reference)) {
      await this.updateIndex((entries) => [
        ...entries.filter((e) => e.annotations?.[REF_NAME_ANNOTATION] !== reference),
        { mediaType, digest, size: bytes.length, annotations: { [REF_NAME_ANNOTATION]: reference } },
      ]);
    }
    return digest;
  }

  /** The tags of index.json, in file order. */
  async listTags(): Promise<string[]> {
    return (await this.readIndex()).flatMap((e) => e.annotations?.[REF_NAME_ANNOTATION] ?? []);
  }

  private blobPath(digest: string): string {
    return join(this.directory, 'blobs', 'sha256', digestHex(digest));
  }

  private async readIndex(): Promise<LayoutEntry[]> {
    const bytes = await readFile(join(this.directory, 'index.json'));
    const manifests = parseLayoutJson(bytes, this.name, 'index.json').manifests;
    if (!Array.isArray(manifests)) {
      throw new OciError('LAYOUT_INVALID', `${this.name}/index.json: expected a "manifests" array`, { context: { directory: this.directory } });
    }
    return manifests as LayoutEntry[];
  }

  private updateIndex(change: (entries: LayoutEntry[]) => LayoutEntry[]): Promise<void> {
    const next = this.indexUpdates.then(async () => this.writeIndex(change(await this.readIndex())));
    this.indexUpdates = next.catch(() => undefined);
    return next;
  }

  private writeIndex(manifests: LayoutEntry[]): Promise<void> {
    return writeAtomic(join(this.directory, 'index.json'), canonicalJson({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests }));
  }
}

/** The `mediaType` a manifest declares, or the OCI type its shape implies. */
function declaredMediaType(bytes: Buffer): string {
  try {
    const json = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    if (typeof json.mediaType === 'string') return json.mediaType;
    return Array.isArray(json.manifests) ? MediaTypes.ociIndex : MediaTypes.ociManifest;
  } catch {
    return 'application/octet-stream';
  }
}

function parseLayoutJson(bytes: Buffer, name: string, file: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below with what was received
  }
  throw new OciError('LAYOUT_INVALID', `${name}/${file}: expected a JSON object, received ${JSON.stringify(bytes.toString('utf8').slice(0, 80))}`, { context: { file } });
}

async function writeAtomic(path: string, bytes: Buffer): Promise<void> {
  const temporary = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
