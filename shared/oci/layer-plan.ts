import type { BundleEntry } from '../config-bundle/types';
import { LayerBuildError } from './errors';
import type { TarItem } from './tar-header';

/** Where the static configuration lives in the portal-api image, without the leading `/`. */
export const STATIC_ROOT = 'var/portal-api/static';

/** Mode of every directory of the layer. */
export const DIRECTORY_MODE = 0o755;

/**
 * The opaque-whiteout marker: in an OCI/Docker layer it hides whatever the
 * lower layers hold in its directory, so the static folder holds exactly the
 * bundle's files even when the base image ships a starter configuration there
 * (and portal-api's configuration hash is computed over the bundle alone).
 */
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

/** A tar member of the configuration layer, with the bundle entry that supplies a file's content. */
export interface PlannedItem extends TarItem {
  readonly entry?: BundleEntry;
}

/**
 * Decides the members of the configuration layer: every file under `root`,
 * every directory above it (`var/`, `var/portal-api/`, ...), every
 * sub-directory and (unless `opaque: false`) the {@link OPAQUE_WHITEOUT} marker in `root`, sorted by the UTF-8 bytes of the tar name so that the same
 * entries give the same tar whatever their input order. Files get 0644, or
 * 0755 when the entry says so; directories 0755.
 *
 * @throws LayerBuildError `LAYER_INVALID_PATH` for an absolute path, an empty,
 *   `.` or `..` segment, or a NUL; `LAYER_PATH_CONFLICT` for duplicates and for a
 *   path that is both a file and a directory.
 * @example
 * planLayer([{ path: 'env/default.json', mode: 0o644, size: 2, open }]).map((i) => i.name);
 * // ['var/', 'var/portal-api/', 'var/portal-api/static/', 'var/portal-api/static/.wh..wh..opq',
 * //  'var/portal-api/static/env/', 'var/portal-api/static/env/default.json']
 */
export function planLayer(entries: readonly BundleEntry[], root: string = STATIC_ROOT, options: { opaque?: boolean } = {}): PlannedItem[] {
  checkRelativePath(root, 'layer root');
  const items = new Map<string, PlannedItem>();
  const directories = new Set<string>();
  addParents(`${root}/`, directories);
  for (const entry of entries) {
    checkRelativePath(entry.path, 'bundle entry path');
    if (!Number.isSafeInteger(entry.size) || entry.size < 0) {
      throw new LayerBuildError('LAYER_SIZE_MISMATCH', `bundle entry ${entry.path}: expected a size in bytes, received ${entry.size}`, { path: entry.path });
    }
    const name = `${root}/${entry.path}`;
    if (items.has(name)) {
      throw new LayerBuildError('LAYER_PATH_CONFLICT', `bundle entry ${entry.path} appears twice; expected unique paths`, { path: entry.path });
    }
    items.set(name, { name, type: 'file', mode: entry.mode === 0o755 ? 0o755 : 0o644, size: entry.size, entry });
    addParents(name, directories);
  }
  for (const directory of directories) {
    const asFile = directory.slice(0, -1);
    if (items.has(asFile)) {
      throw new LayerBuildError('LAYER_PATH_CONFLICT', `bundle entry ${asFile.slice(root.length + 1)} is a file and also a directory of other entries; expected one or the other`, { path: asFile });
    }
    items.set(directory, { name: directory, type: 'directory', mode: DIRECTORY_MODE, size: 0 });
  }
  if (options.opaque ?? true) {
    const marker = `${root}/${OPAQUE_WHITEOUT}`;
    if (items.has(marker)) throw new LayerBuildError('LAYER_PATH_CONFLICT', `bundle entry ${OPAQUE_WHITEOUT} is reserved for the layer's opaque whiteout; expected configuration files only`, { path: OPAQUE_WHITEOUT });
    items.set(marker, { name: marker, type: 'file', mode: 0o644, size: 0 });
  }
  return sortByBytes([...items.values()]);
}

/** Adds every ancestor directory of a name (each with a trailing `/`), and the name itself when it ends with `/`. */
function addParents(name: string, directories: Set<string>): void {
  for (let slash = name.indexOf('/'); slash !== -1; slash = name.indexOf('/', slash + 1)) {
    directories.add(name.slice(0, slash + 1));
  }
}

function checkRelativePath(path: string, what: string): void {
  const problem =
    path.length === 0 ? 'it is empty'
    : path.startsWith('/') ? 'it is absolute'
    : path.includes('\u0000') ? 'it contains a NUL character'
    : path.split('/').some((s) => s === '' || s === '.' || s === '..') ? 'it has an empty, "." or ".." segment'
    : undefined;
  if (problem) {
    throw new LayerBuildError('LAYER_INVALID_PATH', `${what} "${path}" is not a normalised relative path (${problem}); expected segments separated by single "/"`, { path });
  }
}

function sortByBytes(items: PlannedItem[]): PlannedItem[] {
  const keyed = items.map((item) => ({ item, key: Buffer.from(item.name, 'utf8') }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  return keyed.map((k) => k.item);
}
