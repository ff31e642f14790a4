import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { BundleEntry } from '../../shared/config-bundle/types';

/**
 * A tiny directory walker for tests: the regular files under `root` as
 * bundle entries (paths relative and POSIX, mode 0755 when any execute bit is
 * set). Content is streamed from disk, as the real bundle reader does.
 */
export async function dirEntries(root: string): Promise<BundleEntry[]> {
  const entries: BundleEntry[] = [];
  const walk = async (directory: string): Promise<void> => {
    for (const dirent of await readdir(directory, { withFileTypes: true })) {
      const full = join(directory, dirent.name);
      if (dirent.isDirectory()) await walk(full);
      else if (dirent.isFile()) {
        const info = await stat(full);
        entries.push({
          path: relative(root, full).split(sep).join('/'),
          mode: (info.mode & 0o111) !== 0 ? 0o755 : 0o644,
          size: info.size,
          open: () => createReadStream(full),
        });
      }
    }
  };
  await walk(root);
  return entries;
}
