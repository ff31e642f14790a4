import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleWarning, ConfigBundle } from '../../shared/config-bundle/types';
import type { MemoryFile } from './memory-bundle';
import { memoryBundle } from './memory-bundle';

/**
 * Reads a directory with fs into the in-memory bundle shape of
 * {@link memoryBundle}, leaving out `.git` folders and `*envkey` files as the
 * real bundle reader does. For tests that load the example configuration.
 *
 * @example
 * const bundle = directoryBundle(join(__dirname, '../../examples/static'));
 */
export function directoryBundle(root: string): ConfigBundle {
  const files: Record<string, MemoryFile> = {};
  const warnings: BundleWarning[] = [];
  const walk = (directory: string, prefix: string): void => {
    for (const name of readdirSync(directory)) {
      const full = join(directory, name);
      const path = prefix === '' ? name : `${prefix}/${name}`;
      const info = statSync(full);
      if (info.isDirectory() && name === '.git') {
        warnings.push({ code: 'GIT_SKIPPED', path, message: `${path} skipped: git metadata is not configuration` });
      } else if (info.isDirectory()) {
        walk(full, path);
      } else if (/envkey$/.test(name)) {
        warnings.push({ code: 'ENVKEY_SKIPPED', path, message: `${path} skipped: the deploy key never goes into an image` });
      } else if (info.isFile()) {
        files[path.normalize('NFC')] = { content: readFileSync(full), mode: (info.mode & 0o111) !== 0 ? 0o755 : 0o644 };
      }
    }
  };
  walk(root, '');
  return memoryBundle(files, warnings);
}
