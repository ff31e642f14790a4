import { cp, lstat, mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Copies a directory tree byte for byte (modes and timestamps kept), refusing
 * to overwrite anything at the destination.
 */
export async function copyTree(source: string, destination: string): Promise<void> {
  await mkdir(dirname(destination), { recursive: true });
  await cp(source, destination, { recursive: true, errorOnExist: true, force: false, preserveTimestamps: true, verbatimSymlinks: true });
}

/** Copies the named items (paths relative to `root`, `/a/b`) into `destination`, keeping their hierarchy. */
export async function copyItems(root: string, items: readonly string[], destination: string): Promise<void> {
  await mkdir(destination, { recursive: true });
  for (const item of items) {
    const relative = item.replace(/^\/+/, '');
    await copyTree(join(root, relative), join(destination, relative));
  }
}

/** Total size in bytes of the regular files under a directory. */
export async function treeSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await treeSize(path);
    else if (entry.isFile()) total += (await lstat(path)).size;
  }
  return total;
}
