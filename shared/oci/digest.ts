import { createHash } from 'node:crypto';
import { ManifestError } from './errors';

const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** `sha256:<hex>` of some bytes. */
export function sha256Digest(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Whether a string is a `sha256:` digest with 64 lower-case hex digits (the only algorithm used here). */
export function isDigest(value: string): boolean {
  return DIGEST_PATTERN.test(value);
}

/** The hex part of a `sha256:` digest; throws `MANIFEST_INVALID` for anything else. */
export function digestHex(digest: string): string {
  if (!isDigest(digest)) {
    throw new ManifestError('MANIFEST_INVALID', `expected a digest "sha256:<64 hex>", received "${digest}"`, { digest });
  }
  return digest.slice('sha256:'.length);
}
