import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';

/** The first bytes of a stream, and a stream that replays them followed by the rest. */
export interface PeekedStream {
  readonly head: Buffer;
  readonly stream: Readable;
}

/**
 * Reads at least `bytes` bytes (fewer only at the end) from `source` without losing them:
 * the returned stream yields the head and then the rest of `source`, with backpressure.
 * Errors of `source` after the head are passed through `wrapError`, so a caller can tell
 * a broken source from a corrupt archive.
 */
export async function peekStream(source: Readable, bytes: number, wrapError: (error: unknown) => unknown): Promise<PeekedStream> {
  const iterator: AsyncIterator<Buffer | string> = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  try {
    while (length < bytes) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      const chunk = toBuffer(next.value);
      chunks.push(chunk);
      length += chunk.length;
    }
  } catch (error) {
    throw wrapError(error);
  }
  const head = Buffer.concat(chunks);
  return { head, stream: Readable.from(replay(head, done ? undefined : iterator, wrapError), { objectMode: false }) };
}

async function* replay(
  head: Buffer,
  rest: AsyncIterator<Buffer | string> | undefined,
  wrapError: (error: unknown) => unknown,
): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  if (!rest) return;
  try {
    for (;;) {
      let next: IteratorResult<Buffer | string>;
      try {
        next = await rest.next();
      } catch (error) {
        throw wrapError(error);
      }
      if (next.done) return;
      yield toBuffer(next.value);
    }
  } finally {
    // Stopping early (a refusal downstream) must release the source, e.g. an S3 socket.
    await rest.return?.();
  }
}

/** Reads up to `bytes` bytes from the start of a file. */
export async function readFileHead(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function toBuffer(chunk: Buffer | string | Uint8Array): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
