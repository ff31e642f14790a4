import { createReadStream, lstatSync, readFileSync, readdirSync, type Dirent } from 'node:fs';
import { Readable } from 'node:stream';
import type { BundleCollector } from './collector';
import type { RawEntry } from './entry-rules';

const SLASH = Buffer.from('/');

/**
 * Files up to this size are read in one synchronous call when opened; larger ones are streamed.
 * A configuration is mostly small JSON and Markdown files, read twice (hash and validation, then
 * the layer): through the thread pool each read is several event-loop round trips (open, read,
 * read to the end, close), which cost far more than the read itself. Memory stays bounded: one
 * such file at a time per open stream.
 */
export const SMALL_FILE_BYTES = 256 * 1024;

/**
 * Walks a configuration directory into the collector. Names are read as raw bytes (a name
 * that is not UTF-8 is refused, not mangled); symlinks and special files are refused; `.git`
 * folders are not entered and `*envkey` files are skipped with a warning. Content is not
 * copied: `open()` reads the original file, so the directory must stay as it is while the
 * bundle is in use.
 *
 * The walk is synchronous: it reads metadata of a local folder only (one `readdir` per
 * folder, one `lstat` per file), which the thread pool would turn into as many round trips.
 */
export async function readDirectory(root: string, collector: BundleCollector): Promise<void> {
  walk(Buffer.from(root), Buffer.alloc(0), collector);
  return Promise.resolve();
}

function walk(absolute: Buffer, relative: Buffer, collector: BundleCollector): void {
  const children = readdirSync(absolute, { withFileTypes: true, encoding: 'buffer' });
  for (const child of children) {
    const childAbsolute = Buffer.concat([absolute, SLASH, child.name]);
    const childRelative = relative.length === 0 ? child.name : Buffer.concat([relative, SLASH, child.name]);
    const decision = collector.admit(toRawEntry(child, childRelative));
    if (decision.action === 'directory') walk(childAbsolute, childRelative, collector);
    if (decision.action === 'file') addFile(childAbsolute, decision.path, collector);
  }
}

function addFile(absolute: Buffer, path: string, collector: BundleCollector): void {
  const stats = lstatSync(absolute);
  if (!stats.isFile()) {
    throw collector.error({ code: 'SOURCE_READ_FAILED', path, problem: 'changed while it was read', expected: 'a directory that is not modified while it is read' });
  }
  collector.countBytes(stats.size);
  const mode = (stats.mode & 0o111) !== 0 ? 0o755 : 0o644;
  const small = stats.size <= SMALL_FILE_BYTES;
  collector.addFile({ path, mode, size: stats.size, open: () => (small ? readSmallFile(absolute) : createReadStream(absolute)) });
}

/**
 * A stream of a small file's whole content, read synchronously on the first `read()`. A file
 * that changed meanwhile is caught by the consumers, which compare what they got with `size`.
 */
function readSmallFile(absolute: Buffer): Readable {
  let done = false;
  return new Readable({
    read() {
      if (done) return;
      done = true;
      let content: Buffer;
      try {
        content = readFileSync(absolute);
      } catch (error) {
        this.destroy(error as Error);
        return;
      }
      if (content.length > 0) this.push(content);
      this.push(null);
    },
  });
}

function toRawEntry(child: Dirent<Buffer>, name: Buffer): RawEntry {
  if (child.isFile()) return { name, kind: 'file' };
  if (child.isDirectory()) return { name, kind: 'directory' };
  if (child.isSymbolicLink()) return { name, kind: 'symlink' };
  const label = child.isFIFO() ? 'fifo' : child.isSocket() ? 'socket' : child.isCharacterDevice() ? 'character device' : 'block device';
  return { name, kind: 'special', kindLabel: label };
}
