import type { BundleProblem } from './errors';

/** How many leading bytes {@link detectFormat} needs to decide (one tar header block). */
export const DETECT_BYTES = 512;

/** The container formats recognised by their first bytes. */
export type ContainerFormat = 'gzip' | 'zip' | 'tar';

/** A recognised container, or why the bytes are refused. */
export type DetectVerdict = { readonly ok: true; readonly format: ContainerFormat } | { readonly ok: false; readonly problem: BundleProblem };

/** The sentence used when a source is none of the accepted formats. */
export const EXPECTED_FORMATS = 'a directory, a .tar, .tar.gz/.tgz or .zip archive (recognised by content, not by name)';

const OTHER_FORMATS: readonly { name: string; magic: readonly number[] }[] = [
  { name: 'bzip2', magic: [0x42, 0x5a, 0x68] },
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: '7-zip', magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { name: 'rar', magic: [0x52, 0x61, 0x72, 0x21] },
];

/**
 * Recognises a container by magic bytes: gzip `1f 8b 08`, zip `PK\x03\x04` (or `PK\x05\x06`
 * for an empty zip), tar by `ustar` at offset 257, an old v7 tar by a valid header checksum,
 * and an empty tar by an all-zero first block. Bytes that are both zip and tar are refused:
 * two tools would see two different configurations.
 *
 * @example
 * detectFormat(Buffer.from([0x1f, 0x8b, 0x08, 0])); // { ok: true, format: 'gzip' }
 */
export function detectFormat(head: Uint8Array): DetectVerdict {
  if (head.length === 0) return unsupported('is empty');
  if (startsWith(head, [0x1f, 0x8b, 0x08])) return { ok: true, format: 'gzip' };
  const zip = startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06]);
  const tar = looksLikeTar(head);
  if (zip && tar) return unsupported('is both a zip and a tar archive');
  if (zip) return { ok: true, format: 'zip' };
  if (tar) return { ok: true, format: 'tar' };
  const other = OTHER_FORMATS.find((candidate) => startsWith(head, candidate.magic));
  return unsupported(other ? `is a ${other.name} file` : `is not an archive (starts with ${hexPrefix(head)})`);
}

/** True when a 512-byte block is a tar header: ustar/GNU magic, a valid v7 checksum, or all zeros. */
export function looksLikeTar(block: Uint8Array): boolean {
  if (block.length < DETECT_BYTES) return false;
  const magic = Buffer.from(block.subarray(257, 263)).toString('latin1');
  if (magic === 'ustar\0' || magic === 'ustar ') return true;
  if (block.subarray(0, DETECT_BYTES).every((byte) => byte === 0)) return true;
  return block[0] !== 0 && checksumMatches(block);
}

/**
 * Verifies a tar header checksum: the octal number at 148..155 equals the sum of the header
 * bytes with that field counted as spaces (unsigned, or signed as some old tars wrote it).
 */
export function checksumMatches(block: Uint8Array): boolean {
  const field = Buffer.from(block.subarray(148, 156)).toString('latin1').replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]{1,7}$/.test(field)) return false;
  const stored = parseInt(field, 8);
  let unsigned = 0;
  let signed = 0;
  for (let index = 0; index < DETECT_BYTES; index += 1) {
    const byte = index >= 148 && index < 156 ? 0x20 : block[index];
    unsigned += byte;
    signed += byte > 0x7f ? byte - 0x100 : byte;
  }
  return stored === unsigned || stored === signed;
}

/** The refusal for a gzip stream whose content is not a tar archive. */
export function notTarInsideGzip(inner: DetectVerdict): BundleProblem {
  const what = inner.ok ? `a ${inner.format}` : 'no tar archive';
  return { code: 'UNSUPPORTED_FORMAT', problem: `is gzip-compressed but contains ${what}`, expected: 'a gzip-compressed tar archive' };
}

function unsupported(problem: string): DetectVerdict {
  return { ok: false, problem: { code: 'UNSUPPORTED_FORMAT', problem, expected: EXPECTED_FORMATS } };
}

function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return head.length >= magic.length && magic.every((byte, index) => head[index] === byte);
}

function hexPrefix(head: Uint8Array): string {
  return Buffer.from(head.subarray(0, 8)).toString('hex').replace(/(..)(?!$)/g, '$1 ');
}
