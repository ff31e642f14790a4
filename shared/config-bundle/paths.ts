import type { BundleProblem } from './errors';

/** A name that was decoded and normalised, or the reason it was refused. */
export type PathVerdict =
  | { readonly ok: true; readonly path: string; readonly endsWithSlash: boolean }
  | { readonly ok: false; readonly problem: BundleProblem };

/** A name decoded from raw bytes, or the reason it is not UTF-8. */
export type NameVerdict = { readonly ok: true; readonly name: string } | { readonly ok: false; readonly problem: BundleProblem };

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const DRIVE_LETTER = /^[A-Za-z]:/;
// C0 controls and DEL: legal in POSIX names, but never intended in a configuration and
// able to forge log lines or confuse the tools that display these paths.
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Prefix of whiteout entries in OCI and Docker image layers: a config file may not use it. */
export const WHITEOUT_PREFIX = '.wh.';
const RELATIVE = 'a relative path inside the configuration';

/**
 * Shows raw name bytes for a message: the UTF-8 text when valid, else ASCII with
 * `\xNN` escapes, so that a refused name can still be found in the archive.
 */
export function displayName(raw: Uint8Array | string): string {
  if (typeof raw === 'string') return raw;
  try {
    return UTF8.decode(raw);
  } catch {
    return Array.from(raw, (byte) => (byte < 0x80 ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`)).join('');
  }
}

/** Decodes raw name bytes as strict UTF-8: an invalid sequence refuses the name, never replaces it. */
export function decodeName(raw: Uint8Array | string): NameVerdict {
  if (typeof raw === 'string') return { ok: true, name: raw };
  try {
    return { ok: true, name: UTF8.decode(raw) };
  } catch {
    return {
      ok: false,
      problem: {
        code: 'INVALID_NAME_ENCODING',
        path: displayName(raw),
        problem: 'has a name that is not valid UTF-8',
        expected: 'file names encoded in UTF-8',
      },
    };
  }
}

/**
 * Normalises an entry name to the bundle's path form, or refuses it.
 *
 * `a//b`, `./a/b` and `a/b/` all become `a/b`; each segment is Unicode NFC. Refused:
 * absolute paths (`/x`, `\x`, `C:x`), any `..` segment (also behind a backslash), backslashes,
 * control characters, and segments longer than `maxSegmentBytes` UTF-8 bytes.
 * The empty path (`.`, `./`) names the root.
 *
 * @example
 * normalisePath('./env//default.json', 255); // { ok: true, path: 'env/default.json', endsWithSlash: false }
 */
export function normalisePath(name: string, maxSegmentBytes: number): PathVerdict {
  const refused = (code: BundleProblem['code'], problem: string, expected = RELATIVE): PathVerdict => ({
    ok: false,
    problem: { code, path: name, problem, expected },
  });
  if (CONTROL.test(name)) return refused('INVALID_NAME', 'contains a control character', 'names without control characters');
  if (DRIVE_LETTER.test(name)) return refused('ABSOLUTE_PATH', 'is a Windows drive path');
  if (name.startsWith('/') || name.startsWith('\\')) return refused('ABSOLUTE_PATH', 'is an absolute path');
  if (name.split(/[\\/]/).includes('..')) return refused('PATH_TRAVERSAL', 'escapes the root');
  if (name.includes('\\')) return refused('INVALID_NAME', 'contains a backslash', "'/' as the only path separator");
  const segments = name
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .map((segment) => segment.normalize('NFC'));
  // OCI layers give `.wh.` names a meaning (whiteouts: delete a file of the base image).
  if (segments.some((segment) => segment.startsWith(WHITEOUT_PREFIX))) {
    return refused('INVALID_NAME', `has a segment starting with "${WHITEOUT_PREFIX}", which image layers reserve for whiteouts`, `names that do not start with "${WHITEOUT_PREFIX}"`);
  }
  const tooLong = segments.find((segment) => Buffer.byteLength(segment, 'utf8') > maxSegmentBytes);
  if (tooLong !== undefined) {
    const bytes = Buffer.byteLength(tooLong, 'utf8');
    return refused('NAME_TOO_LONG', `has a ${bytes}-byte segment`, `at most ${maxSegmentBytes} bytes per path segment (limits.maxSegmentBytes)`);
  }
  return { ok: true, path: segments.join('/'), endsWithSlash: name.endsWith('/') };
}

/** The parent directories of a normalised path, outermost first: `a/b/c` gives `a`, `a/b`. */
export function ancestorsOf(path: string): string[] {
  const segments = path.split('/');
  return segments.slice(0, -1).map((_, index) => segments.slice(0, index + 1).join('/'));
}

/** The last segment of a normalised path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Orders paths by the bytes of their UTF-8 encoding (not by UTF-16 code units). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
