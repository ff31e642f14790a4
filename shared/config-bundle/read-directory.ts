import { createReadStream, type Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import type { BundleCollector } from './collector';
import type { RawEntry } from './entry-rules';

const SLASH = Buffer.from('/');

/**
 * Walks a configuration directory into the collector. Names are read as raw bytes (a name
 * that is not UTF-8 is refused, not mangled); symlinks and special files are refused; `.git`
 * folders are not entered and `*envkey` files are skipped with a warning. Content is not
 * copied: `open()` streams the original file, so the directory must stay as it is while the
 * bundle is in use.
 */
export async function readDirectory(root: string, collector: BundleCollector): Promise<void> {
  await walk(Buffer.from(root), Buffer.alloc(0), collector);
}

async function walk(absolute: Buffer, relative: Buffer, collector: BundleCollector): Promise<void> {
  const children = await readdir(absolute, { withFileTypes: true, encoding: 'buffer' });
  for (const child of children) {
    const childAbsolute = Buffer.concat([absolute, SLASH, child.name]);
    const childRelative = relative.length === 0 ? child.name : Buffer.concat([relative, SLASH, child.name]);
    const decision = collector.admit(toRawEntry(child, childRelative));
    if (decision.action === 'directory') await walk(childAbsolute, childRelative, collector);
    if (decision.action === 'file') await addFile(childAbsolute, decision.path, collector);
  }
}

async function addFile(absolute: Buffer, path: string, collector: BundleCollector): Promise<void> {
  const stats = await lstat(absolute);
  if (!stats.isFile()) {
    throw collector.error({ code: 'SOURCE_READ_FAILED', path, problem: 'changed while it was read', expected: 'a directory that is not modified while it is read' });
  }
  collector.countBytes(stats.size);
  const mode = (stats.mode & 0o111) !== 0 ? 0o755 : 0o644;
  collector.addFile({ path, mode, size: stats.size, open: () => createReadStream(absolute) });
}

function toRawEntry(child: Dirent<Buffer>, name: Buffer): RawEntry {
  if (child.isFile()) return { name, kind: 'file' };
  if (child.isDirectory()) return { name, kind: 'directory' };
  if (child.isSymbolicLink()) return { name, kind: 'symlink' };
  const label = child.isFIFO() ? 'fifo' : child.isSocket() ? 'socket' : child.isCharacterDevice() ? 'character device' : 'block device';
  return { name, kind: 'special', kindLabel: label };
}
