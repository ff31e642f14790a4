import { Readable } from 'node:stream';
import type { BundleEntry, ConfigBundle, BundleWarning } from '../../shared/config-bundle/types';

/** A file for {@link memoryBundle}: its content, or content plus mode. */
export type MemoryFile = string | Buffer | { content: string | Buffer; mode?: 0o644 | 0o755 };

/**
 * Builds an in-memory {@link ConfigBundle} for tests of code that consumes bundles.
 *
 * @example
 * const bundle = memoryBundle({ 'globals.json': '{}', 'env/default.json': '{}' });
 */
export function memoryBundle(files: Record<string, MemoryFile>, warnings: BundleWarning[] = []): ConfigBundle {
  const entries: BundleEntry[] = Object.entries(files)
    .map(([path, file]) => {
      const content = typeof file === 'string' || Buffer.isBuffer(file) ? file : file.content;
      const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
      const mode = typeof file === 'object' && !Buffer.isBuffer(file) && file.mode ? file.mode : 0o644;
      return { path, mode, size: bytes.length, open: () => Readable.from([bytes]) };
    })
    .sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  return { format: 'directory', origin: 'memory', entries, warnings, close: async () => undefined };
}
