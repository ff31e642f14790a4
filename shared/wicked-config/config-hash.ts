import { createHash } from 'node:crypto';
import type { BundleEntry, ConfigBundle } from '../config-bundle/types';
import { ConfigReadError } from './errors';

/*
 * The configuration hash, as portal-api computes it.
 *
 * Why this exact algorithm: portal-api answers `GET /confighash` with it,
 * stores it in its metadata, and the other wicked components poll it and
 * restart when it changes; the ledger keys deployments by it. Any deviation
 * would make the control plane and portal-api disagree about which
 * configuration is running.
 *
 * What portal-api does (wicked 1.0, `routes/versionizer.js`): at start-up,
 * before portal-env's config update steps touch the folder, it calls
 * `folderHash.hashElement('.', staticPath, { folders: { exclude: ['.git'] } })`
 * with `folder-hash` pinned to 2.1.2, and reports the root's `hash`. (wicked
 * 0.x computed it in the image's start script instead.) folder-hash 2.1.2:
 *
 * - sha1 digests, base64-encoded (its defaults; wicked passes neither).
 * - A file: sha1 over its base name (UTF-8) immediately followed by its raw
 *   bytes; no separator, no length, no mode or mtime.
 * - A folder: sha1 over its own name followed by the base64 strings of its
 *   children's hashes, concatenated in the order the children were listed.
 *   An empty folder is sha1(name).
 * - The root is a folder like any other, and its name is the first argument,
 *   `'.'`: the root contributes the single character "." (not the path of the
 *   static folder, so the hash does not depend on where the folder lives).
 * - Child order: 2.1.2 does not sort (sorting arrived in 3.0.0); it keeps
 *   `fs.readdir` order, which on Linux is libuv's `scandir` sorted with
 *   `strcmp`, i.e. ascending byte order of the UTF-8 names, per folder.
 *   Per folder matters: `a` sorts before `a.json` although `a.json` sorts
 *   before `a/x` as full paths.
 * - `exclude: ['.git']` applies to folders whose base name is `.git`, at any
 *   depth; a file named `.git` is still hashed. `fs.stat` follows symbolic
 *   links; other file types hash as the literal string "unknown element type"
 *   (never present in a bundle).
 *
 * A bundle has no directories of its own: they are implied by file paths, so
 * an empty folder (which folder-hash would count) cannot occur in a bundle,
 * and the bundle reader already drops `.git` and `*envkey` files. The image
 * layer must hold exactly the bundle's files under /var/portal-api/static for
 * portal-api to report the same hash.
 */

/** Name folder-hash gives the root: wicked calls `hashElement('.', staticDir)`. */
export const ROOT_NAME = '.';

/** Folders folder-hash skips with wicked's options. */
export const EXCLUDED_FOLDERS: readonly string[] = Object.freeze(['.git']);

/** Hash of a folder from its name and its children's hashes, in listing order. */
export function folderHash(name: string, childHashes: readonly string[]): string {
  const hash = createHash('sha1');
  hash.update(name, 'utf8');
  for (const child of childHashes) hash.update(child, 'utf8');
  return hash.digest('base64');
}

/** Byte order of UTF-8, the order `strcmp` gives `scandir`. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

interface FolderNode {
  readonly folders: Map<string, FolderNode>;
  readonly files: Map<string, string>;
}

/**
 * Hash of a tree given each file's hash by path: folders are implied by the
 * paths, children sorted per folder in byte order. Pure.
 *
 * @example
 * treeHash(new Map([['globals.json', fileHashOf('globals.json', '{}')]]))
 */
export function treeHash(fileHashes: ReadonlyMap<string, string>): string {
  const root: FolderNode = { folders: new Map(), files: new Map() };
  for (const [path, hash] of fileHashes) {
    const segments = path.split('/');
    const name = segments.pop() as string;
    let folder = root;
    for (const segment of segments) {
      let child = folder.folders.get(segment);
      if (!child) {
        child = { folders: new Map(), files: new Map() };
        folder.folders.set(segment, child);
      }
      folder = child;
    }
    folder.files.set(name, hash);
  }
  return nodeHash(ROOT_NAME, root);
}

function nodeHash(name: string, node: FolderNode): string {
  const children = [...node.folders.keys(), ...node.files.keys()].sort(compareNames);
  const hashes = children.map((child) => {
    const folder = node.folders.get(child);
    return folder ? nodeHash(child, folder) : (node.files.get(child) as string);
  });
  return folderHash(name, hashes);
}

/** Hash of one file from its base name and complete content (for tests and small inputs). */
export function fileHashOf(name: string, content: string | Buffer): string {
  return createHash('sha1').update(name, 'utf8').update(content).digest('base64');
}

/** Whether folder-hash, with wicked's options, counts the bundle path. */
export function isHashedPath(path: string): boolean {
  const folders = path.split('/').slice(0, -1);
  return !folders.some((folder) => EXCLUDED_FOLDERS.includes(folder));
}

/**
 * Streams one entry into a file hash; when `keep` is set, also returns the
 * content (used to parse `.json` files in the same pass).
 */
export async function hashEntry(origin: string, entry: BundleEntry, keep: boolean): Promise<{ hash: string; content?: Buffer }> {
  const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
  const hash = createHash('sha1').update(name, 'utf8');
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of entry.open()) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
      hash.update(bytes);
      if (keep) chunks.push(bytes);
    }
  } catch (error) {
    throw new ConfigReadError(origin, entry.path, error);
  }
  return keep ? { hash: hash.digest('base64'), content: Buffer.concat(chunks) } : { hash: hash.digest('base64') };
}

/** How long {@link scanBundle} reads before it lets the event loop handle I/O. */
const YIELD_EVERY_MS = 2;

/**
 * Reads every entry once, in bundle order and one at a time (memory holds one
 * chunk plus a 28-character hash per file, and the content of the entries
 * `keep` selects), and returns the configuration hash.
 */
export async function scanBundle(bundle: ConfigBundle, keep: (path: string) => boolean = () => false): Promise<{ configHash: string; kept: Map<string, Buffer> }> {
  const fileHashes = new Map<string, string>();
  const kept = new Map<string, Buffer>();
  let lastYield = performance.now();
  for (const entry of bundle.entries) {
    if (!isHashedPath(entry.path)) continue;
    // Small files come in one synchronous read each: let other work (the base image being fetched
    // meanwhile) handle its network events every few milliseconds.
    if (performance.now() - lastYield > YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    const result = await hashEntry(bundle.origin, entry, keep(entry.path));
    fileHashes.set(entry.path, result.hash);
    if (result.content) kept.set(entry.path, result.content);
  }
  return { configHash: treeHash(fileHashes), kept };
}

/**
 * The hash portal-api reports at `GET /confighash` for a static folder with
 * exactly the bundle's files (folder-hash 2.1.2 as wicked calls it).
 *
 * @example
 * const hash = await computeConfigHash(await readBundle({ path: 'examples/static' }));
 */
export async function computeConfigHash(bundle: ConfigBundle): Promise<string> {
  return (await scanBundle(bundle)).configHash;
}
