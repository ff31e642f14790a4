import type { BundleProblem } from './errors';
import { baseName, decodeName, displayName, normalisePath } from './paths';
import type { BundleWarning } from './types';

/** What a source says an entry is, before any rule is applied. */
export type RawEntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'special';

/** One entry as a reader found it: raw name bytes (or an already decoded name) and its kind. */
export interface RawEntry {
  readonly name: Uint8Array | string;
  readonly kind: RawEntryKind;
  /** For `special`: what it is (`fifo`, `character device`, `sparse file`, `type 'S'`). */
  readonly kindLabel?: string;
}

/** Where entries come from: a directory is the operator's working copy, an archive has left it. */
export type EntrySource = 'archive' | 'directory';

/** What to do with one entry. */
export type EntryDecision =
  | { readonly action: 'file'; readonly path: string; readonly display: string }
  | { readonly action: 'directory'; readonly path: string; readonly display: string }
  | { readonly action: 'skip'; readonly warning: BundleWarning }
  | { readonly action: 'refuse'; readonly problem: BundleProblem };

/** True for wicked's `*envkey` files (`deploy.envkey`), whatever the case. */
export function isEnvkeyName(path: string): boolean {
  return baseName(path).toLowerCase().endsWith('envkey');
}

/** The `.git` folder an entry lies in (or is), e.g. `sub/.git` for `sub/.git/HEAD`; undefined outside. */
export function gitFolderOf(path: string): string | undefined {
  const segments = path.split('/');
  const index = segments.indexOf('.git');
  return index < 0 ? undefined : segments.slice(0, index + 1).join('/');
}

/**
 * Applies the bundle rules to one entry, in order: name encoding and shape; `*envkey` inside
 * an archive (refused: the key has left the operator's machine); `.git` and anything in it
 * (skipped; a directory walker does not enter it); links and special files (refused);
 * `*envkey` in a directory (skipped); then files and directories.
 *
 * @example
 * classifyEntry({ name: Buffer.from('../x'), kind: 'file' }, 'archive', 255).action; // 'refuse'
 */
export function classifyEntry(raw: RawEntry, source: EntrySource, maxSegmentBytes: number): EntryDecision {
  const decoded = decodeName(raw.name);
  if (!decoded.ok) return { action: 'refuse', problem: decoded.problem };
  const verdict = normalisePath(decoded.name, maxSegmentBytes);
  if (!verdict.ok) return { action: 'refuse', problem: verdict.problem };
  const { path } = verdict;
  const display = displayName(raw.name);
  const mayHoldKey = raw.kind === 'file' || raw.kind === 'hardlink';
  if (source === 'archive' && mayHoldKey && isEnvkeyName(path)) return { action: 'refuse', problem: envkeyInArchive(display) };
  const git = gitFolderOf(path);
  if (git !== undefined) return { action: 'skip', warning: gitSkipped(git) };
  const typeProblem = kindProblem(raw, display);
  if (typeProblem) return { action: 'refuse', problem: typeProblem };
  if (raw.kind === 'directory') return { action: 'directory', path, display };
  if (source === 'directory' && isEnvkeyName(path)) return { action: 'skip', warning: envkeySkipped(path) };
  if (path === '') {
    return { action: 'refuse', problem: { code: 'INVALID_NAME', path: display, problem: 'names no file', expected: 'a file name' } };
  }
  return { action: 'file', path, display };
}

function kindProblem(raw: RawEntry, display: string): BundleProblem | undefined {
  const expected = 'regular files and directories only';
  switch (raw.kind) {
    case 'symlink':
      return { code: 'LINK_NOT_ALLOWED', path: display, problem: 'is a symbolic link', expected: `${expected}; copy the target into place` };
    case 'hardlink':
      return { code: 'LINK_NOT_ALLOWED', path: display, problem: 'is a hard link', expected: `${expected}; store the content itself` };
    case 'special':
      return { code: 'SPECIAL_FILE', path: display, problem: `is a ${raw.kindLabel ?? 'special file'}`, expected };
    default:
      return undefined;
  }
}

function envkeyInArchive(path: string): BundleProblem {
  return {
    code: 'ENVKEY_IN_ARCHIVE',
    path,
    problem:
      'is the key that decrypts the configuration\'s secrets: it has left the operator\'s machine and must be rotated ' +
      '(create a new key with the kickstarter, re-encrypt, store it as PORTAL_CONFIG_KEY in the secret store)',
    expected: 'an archive without *envkey files',
  };
}

function envkeySkipped(path: string): BundleWarning {
  return {
    code: 'ENVKEY_SKIPPED',
    path,
    message:
      `skipped "${path}": the key that decrypts the configuration's secrets never goes into the image or S3; ` +
      'put its value as PORTAL_CONFIG_KEY in the platform\'s secret store',
  };
}

function gitSkipped(path: string): BundleWarning {
  return { code: 'GIT_SKIPPED', path, message: `skipped "${path}": git metadata is not part of the configuration` };
}
