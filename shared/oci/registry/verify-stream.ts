import { createHash } from 'node:crypto';
import { pipeline, Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { DigestMismatchError, RegistryError } from './errors';
import type { OperationContext } from './failures';

/**
 * Passes a blob through while hashing it; the stream fails at its end with a
 * {@link DigestMismatchError} when the bytes do not hash to `digest`, or with
 * a `SIZE_MISMATCH` {@link RegistryError} when fewer or more bytes than
 * `expectedSize` arrived.
 */
export function verifyBlobStream(source: Readable, digest: string, expectedSize: number | undefined, context: OperationContext): Readable {
  const [algorithm] = digest.split(':');
  const hash = createHash(algorithm === 'sha512' ? 'sha512' : 'sha256');
  let size = 0;
  const verifier = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      if (expectedSize !== undefined && size !== expectedSize) {
        callback(new RegistryError(`received ${size} bytes, expected ${expectedSize} (Content-Length)`, { code: 'SIZE_MISMATCH', ...context }));
        return;
      }
      const received = `${algorithm}:${hash.digest('hex')}`;
      callback(received === digest ? null : new DigestMismatchError(digest, received, context));
    },
  });
  pipeline(source, verifier, () => undefined); // errors surface on `verifier`
  return verifier;
}
