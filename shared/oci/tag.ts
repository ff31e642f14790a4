import { createHash } from 'node:crypto';

/** Hex digits of the derived tag: 128 bits, collision-free in practice and short enough to read. */
export const TAG_HEX_LENGTH = 32;

/** Prefix of every derived tag. */
export const TAG_PREFIX = 'cfg-';

/**
 * The tag of a built image, derived from its inputs only:
 * `cfg-` + the first {@link TAG_HEX_LENGTH} hex digits of
 * sha256(base manifest digest + layer diff_id), both as `sha256:<hex>`
 * strings concatenated without separator (their fixed format makes that
 * unambiguous). The base manifest digest is the one the built manifest
 * replaces: the index digest when every platform is built, otherwise the
 * selected platform's manifest digest.
 *
 * @example
 * deriveTag('sha256:aa…', 'sha256:bb…'); // 'cfg-3f1c…' (36 characters)
 */
export function deriveTag(baseDigest: string, diffId: string): string {
  const hex = createHash('sha256').update(baseDigest + diffId).digest('hex');
  return TAG_PREFIX + hex.slice(0, TAG_HEX_LENGTH);
}
