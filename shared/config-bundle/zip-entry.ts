import type { RawEntry, RawEntryKind } from './entry-rules';
import type { BundleProblem } from './errors';
import { displayName } from './paths';

/** The central-directory fields of a zip entry that the bundle rules need (a subset of yauzl's Entry). */
export interface ZipEntryFields {
  readonly fileNameRaw: Uint8Array;
  readonly versionMadeBy: number;
  readonly externalFileAttributes: number;
  readonly generalPurposeBitFlag: number;
  readonly compressionMethod: number;
  readonly uncompressedSize: number;
}

/**
 * The bundle view of a zip entry, or why it is refused outright. `dataProblem` refuses the
 * entry only if its content is needed (an encrypted file inside a skipped `.git` is harmless).
 */
export type ZipEntryVerdict =
  | { readonly ok: true; readonly raw: RawEntry; readonly mode: 0o644 | 0o755; readonly dataProblem?: BundleProblem }
  | { readonly ok: false; readonly problem: BundleProblem };

const UNIX_HOSTS = new Set([3, 19]); // Unix, OS X (Darwin)
const DOS_DIRECTORY = 0x10;
const FILE_TYPES: Record<number, { kind: RawEntryKind; label?: string }> = {
  0o000000: { kind: 'file' },
  0o100000: { kind: 'file' },
  0o040000: { kind: 'directory' },
  0o120000: { kind: 'symlink' },
  0o010000: { kind: 'special', label: 'fifo' },
  0o020000: { kind: 'special', label: 'character device' },
  0o060000: { kind: 'special', label: 'block device' },
  0o140000: { kind: 'special', label: 'socket' },
};

/**
 * Reads kind and mode from a zip entry: Unix attributes (upper 16 bits of the external
 * attributes when the entry was made on Unix) give the file type and execute bits; without
 * them every file is 0644. A name ending in `/` is a directory. Encrypted content and
 * compression methods other than stored/deflate are reported as `dataProblem`; names stay raw bytes.
 */
export function describeZipEntry(entry: ZipEntryFields): ZipEntryVerdict {
  const name = entry.fileNameRaw;
  const unixMode = UNIX_HOSTS.has(entry.versionMadeBy >> 8) ? entry.externalFileAttributes >>> 16 : 0;
  const type = FILE_TYPES[unixMode & 0o170000] ?? { kind: 'special', label: 'entry of an unknown file type' };
  const slash = name.length > 0 && name[name.length - 1] === 0x2f;
  const dosDirectory = unixMode === 0 && (entry.externalFileAttributes & DOS_DIRECTORY) !== 0;
  const kind: RawEntryKind = type.kind === 'file' && (slash || dosDirectory) ? 'directory' : type.kind;
  const path = displayName(name);
  if (kind === 'directory' && entry.uncompressedSize > 0) {
    return { ok: false, problem: problem('CORRUPT_ARCHIVE', path, `is a directory with ${entry.uncompressedSize} bytes of content`, 'a well-formed zip entry') };
  }
  const mode = (unixMode & 0o111) !== 0 ? 0o755 : 0o644;
  const raw: RawEntry = type.label === undefined ? { name, kind } : { name, kind, kindLabel: type.label };
  const dataProblem = contentProblem(entry, path);
  return dataProblem ? { ok: true, raw, mode, dataProblem } : { ok: true, raw, mode };
}

function contentProblem(entry: ZipEntryFields, path: string): BundleProblem | undefined {
  if ((entry.generalPurposeBitFlag & 0x1) !== 0) {
    return problem('ENCRYPTED_ENTRY', path, 'is encrypted', 'unencrypted entries (the secrets are protected by the config key, not by zip)');
  }
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    return problem('UNSUPPORTED_FORMAT', path, `uses compression method ${entry.compressionMethod}`, 'stored or deflate entries');
  }
  return undefined;
}

function problem(code: BundleProblem['code'], path: string, text: string, expected: string): BundleProblem {
  return { code, path, problem: text, expected };
}
