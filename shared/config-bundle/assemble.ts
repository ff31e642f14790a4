import type { BundleProblem } from './errors';
import { ancestorsOf, compareUtf8 } from './paths';
import type { BundleWarning } from './types';

/** The top folder that is stripped when it holds every entry (the kickstarter's `static/`). */
export const TOP_FOLDER = 'static';

/** The final entries and warnings, or why there is no bundle. */
export type AssembleVerdict<T> =
  | { readonly ok: true; readonly entries: T[]; readonly warnings: BundleWarning[] }
  | { readonly ok: false; readonly problem: BundleProblem };

/**
 * Removes the `static/` prefix when every path lies under it (operators often archive the
 * `static` folder itself); otherwise returns the paths unchanged.
 *
 * @example
 * stripTopFolder(['static/a.json', 'static/env/x.json']); // ['a.json', 'env/x.json']
 */
export function stripTopFolder(paths: readonly string[]): string[] {
  const prefix = `${TOP_FOLDER}/`;
  const strip = paths.length > 0 && paths.every((path) => path.startsWith(prefix));
  return strip ? paths.map((path) => path.slice(prefix.length)) : [...paths];
}

/** One `EMPTY_DIRECTORY_IGNORED` warning per explicit directory that holds no file of the bundle. */
export function emptyDirectoryWarnings(explicitDirectories: readonly string[], filePaths: readonly string[]): BundleWarning[] {
  const used = new Set<string>();
  for (const path of filePaths) for (const ancestor of ancestorsOf(path)) used.add(ancestor);
  return explicitDirectories
    .filter((directory) => !used.has(directory))
    .map((path) => ({ code: 'EMPTY_DIRECTORY_IGNORED', path, message: `ignored "${path}": a directory without files` }));
}

/**
 * Turns the accepted files into the bundle's entry list: refuses an empty result, strips the
 * `static/` top folder, sorts by UTF-8 bytes, and adds empty-directory warnings. Warnings keep
 * the paths as found and are sorted, so that directory walk order never shows.
 */
export function assembleEntries<T extends { readonly path: string }>(
  files: readonly T[],
  explicitDirectories: readonly string[],
  warnings: readonly BundleWarning[],
): AssembleVerdict<T> {
  if (files.length === 0) {
    const skipped = warnings.length > 0 ? ` (${warnings.length} skipped or ignored, see warnings)` : '';
    return {
      ok: false,
      problem: { code: 'EMPTY_BUNDLE', problem: `contains no regular files${skipped}`, expected: 'at least one configuration file' },
    };
  }
  const paths = stripTopFolder(files.map((file) => file.path));
  const entries = files
    .map((file, index) => ({ file: { ...file, path: paths[index] }, key: Buffer.from(paths[index], 'utf8') }))
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .map(({ file }) => file);
  const allWarnings = [...warnings, ...emptyDirectoryWarnings(explicitDirectories, files.map((file) => file.path))].sort(
    (a, b) => compareUtf8(a.path, b.path) || a.code.localeCompare(b.code),
  );
  return { ok: true, entries, warnings: allWarnings };
}
