import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

/** Where a stored entry's content lives: `file` is absent for empty content. */
export interface SpooledContent {
  readonly size: number;
  readonly file?: string;
}

/**
 * A private temporary directory (mode 0700) holding archive content, one file per entry
 * (mode 0600), so that an entry can be streamed again without keeping it in memory.
 * Nothing is written outside this directory; {@link Spool.close} removes it.
 *
 * @example
 * const spool = await Spool.create();
 * const stored = await spool.store(Readable.from([Buffer.from('{}')]), () => undefined);
 * spool.stream(stored).pipe(process.stdout);
 * await spool.close();
 */
export class Spool {
  private counter = 0;
  private closed = false;

  private constructor(readonly directory: string) {}

  /** Creates the private directory under `parent`. @default parent os.tmpdir() */
  static async create(parent: string = tmpdir()): Promise<Spool> {
    return new Spool(await mkdtemp(join(parent, 'config-bundle-')));
  }

  /**
   * Copies `source` into a new file. `onBytes` sees every chunk's size before it is written
   * and may throw to stop (a limit was crossed); the partial file is left for {@link close}.
   */
  async store(source: AsyncIterable<Uint8Array>, onBytes: (bytes: number) => void): Promise<SpooledContent> {
    const file = join(this.directory, `entry-${(this.counter += 1)}`);
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    let size = 0;
    try {
      for await (const chunk of source) {
        if (chunk.length === 0) continue;
        onBytes(chunk.length);
        handle ??= await open(file, 'wx', 0o600);
        await handle.write(chunk);
        size += chunk.length;
      }
    } finally {
      await handle?.close();
    }
    return handle ? { size, file } : { size };
  }

  /** A fresh stream of stored content. */
  stream(content: SpooledContent): Readable {
    return content.file === undefined ? Readable.from([]) : createReadStream(content.file);
  }

  /** Deletes one stored file early (e.g. a spooled zip after its entries were extracted). */
  async discard(content: SpooledContent): Promise<void> {
    if (content.file !== undefined) await rm(content.file, { force: true });
  }

  /** Removes the directory and everything in it. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await rm(this.directory, { recursive: true, force: true });
  }
}
