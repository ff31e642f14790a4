import { createHash, randomUUID } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EcrEmulatorError } from './errors';

/** An upload session: bytes so far, hashed as they arrived. */
interface UploadSession {
  readonly repository: string;
  readonly path: string;
  size: number;
  readonly hash: Hash;
  /** Set while a request appends, so a second concurrent PATCH is refused rather than interleaved. */
  busy: boolean;
}

/**
 * Content-addressed blob files (`blobs/sha256/<hex>`) and upload sessions
 * streamed into `uploads/<uuid>`: a blob is never held whole in memory, its
 * sha256 is computed while it arrives, and it is renamed into place only
 * when the digest the client names matches.
 */
export class BlobStore {
  private readonly sessions = new Map<string, UploadSession>();

  private constructor(private readonly root: string) {}

  /** Opens (and creates) the store under `root`; unfinished uploads of an earlier run are dropped. */
  static async open(root: string): Promise<BlobStore> {
    await rm(join(root, 'uploads'), { recursive: true, force: true });
    await mkdir(join(root, 'uploads'), { recursive: true });
    await mkdir(join(root, 'blobs', 'sha256'), { recursive: true });
    return new BlobStore(root);
  }

  /** Size of a stored blob, or `undefined`. */
  async size(digest: string): Promise<number | undefined> {
    try {
      return (await stat(this.blobPath(digest))).size;
    } catch {
      return undefined;
    }
  }

  /** Streams a stored blob (the caller has checked that it exists). */
  open(digest: string): Readable {
    return createReadStream(this.blobPath(digest));
  }

  /** Stores small bytes (manifests) under their digest. */
  async putBytes(digest: string, bytes: Buffer): Promise<void> {
    if ((await this.size(digest)) !== undefined) return;
    const temporary = join(this.root, 'uploads', `${randomUUID()}.part`);
    await writeFile(temporary, bytes);
    await rename(temporary, this.blobPath(digest));
  }

  /** Starts an upload session for `repository`; resolves its id. */
  async begin(repository: string): Promise<string> {
    const uuid = randomUUID();
    const path = join(this.root, 'uploads', uuid);
    await writeFile(path, '');
    this.sessions.set(uuid, { repository, path, size: 0, hash: createHash('sha256'), busy: false });
    return uuid;
  }

  /** Bytes received so far by a session of `repository`, or `undefined` when there is no such session. */
  uploaded(repository: string, uuid: string): number | undefined {
    const session = this.sessions.get(uuid);
    return session?.repository === repository ? session.size : undefined;
  }

  /**
   * Appends a request body to a session. `start`, from a `Content-Range`
   * header, must equal the bytes received so far (distribution spec,
   * "Pushing a blob in chunks": otherwise 416).
   */
  async append(repository: string, uuid: string, body: Readable, start?: number): Promise<number> {
    const session = this.session(repository, uuid);
    if (start !== undefined && start !== session.size) {
      throw new EcrEmulatorError('RANGE_INVALID', `chunk starts at byte ${start}, expected ${session.size} (bytes received so far)`, { repository, detail: { received: session.size } });
    }
    if (session.busy) throw new EcrEmulatorError('RANGE_INVALID', `upload ${uuid} is receiving another chunk`, { repository });
    session.busy = true;
    try {
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          session.hash.update(chunk);
          session.size += chunk.length;
          callback(null, chunk);
        },
      });
      await pipeline(body, counter, createWriteStream(session.path, { flags: 'a' }));
    } catch (error) {
      await this.cancel(repository, uuid);
      throw error;
    } finally {
      session.busy = false;
    }
    return session.size;
  }

  /**
   * Ends a session: the bytes must hash to `digest`, then the file moves into
   * the content-addressed store. Resolves the blob size.
   */
  async commit(repository: string, uuid: string, digest: string): Promise<number> {
    const session = this.session(repository, uuid);
    const actual = `sha256:${session.hash.copy().digest('hex')}`;
    if (actual !== digest) {
      await this.cancel(repository, uuid);
      throw new EcrEmulatorError('DIGEST_MISMATCH', `uploaded bytes hash to ${actual}, the request named ${digest}`, { repository, reference: digest, detail: { expected: digest, actual } });
    }
    this.sessions.delete(uuid);
    if ((await this.size(digest)) === undefined) await rename(session.path, this.blobPath(digest));
    else await rm(session.path, { force: true });
    return session.size;
  }

  /** Drops a session and its bytes; unknown sessions are ignored. */
  async cancel(repository: string, uuid: string): Promise<void> {
    const session = this.sessions.get(uuid);
    if (session?.repository !== repository) return;
    this.sessions.delete(uuid);
    await rm(session.path, { force: true });
  }

  private session(repository: string, uuid: string): UploadSession {
    const session = this.sessions.get(uuid);
    if (session?.repository !== repository) {
      throw new EcrEmulatorError('UPLOAD_UNKNOWN', `upload ${uuid} is not an open upload of repository ${repository}`, { repository, reference: uuid });
    }
    return session;
  }

  /** File path of a stored blob. */
  pathOf(digest: string): string {
    return this.blobPath(digest);
  }

  private blobPath(digest: string): string {
    return join(this.root, 'blobs', 'sha256', digest.slice('sha256:'.length));
  }
}
