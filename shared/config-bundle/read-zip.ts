import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import * as yauzl from 'yauzl';
import type { ArchiveReadContext, BundleCollector } from './collector';
import { BundleError, type BundleProblem } from './errors';
import type { SpooledContent } from './spool';
import { describeZipEntry, type ZipEntryFields } from './zip-entry';

const ZIP_OPTIONS: yauzl.Options = {
  lazyEntries: true,
  autoClose: false,
  // Raw name bytes: the bundle rules validate UTF-8 and paths themselves.
  decodeStrings: false,
  validateEntrySizes: true,
  strictFileNames: false,
};

/**
 * Spools a zip stream to a temporary file (zip needs random access: its directory is at the
 * end), refusing it as soon as it is larger than `limits.maxTotalBytes`.
 */
export async function spoolZipStream(input: Readable, context: ArchiveReadContext, maxBytes: number): Promise<SpooledContent> {
  let total = 0;
  return context.spool.store(input, (bytes) => {
    total += bytes;
    if (total <= maxBytes) return;
    context.collector.check({
      code: 'TOO_LARGE',
      problem: `is a zip archive of more than ${maxBytes} bytes`,
      expected: `at most ${maxBytes} bytes (limits.maxTotalBytes)`,
    });
  });
}

/**
 * Reads a zip file into the collector. Declared sizes are checked against the limits before
 * anything is inflated, actual bytes while inflating; yauzl checks sizes, and the CRC-32 of
 * every file is verified here (yauzl does not).
 */
export async function readZipFile(file: string, archiveBytes: number, context: ArchiveReadContext): Promise<void> {
  const { collector, meter } = context;
  meter.setCompressed(archiveBytes);
  let zip: yauzl.ZipFile | undefined;
  try {
    zip = await yauzl.openPromise(file, ZIP_OPTIONS);
    for await (const entry of zip.eachEntry()) await readZipEntry(zip, entry, context);
  } catch (error) {
    throw toZipError(error, collector);
  } finally {
    zip?.close();
  }
}

async function readZipEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, context: ArchiveReadContext): Promise<void> {
  const { collector, meter, spool } = context;
  const view = describeZipEntry(entry as ZipEntryFields);
  if (!view.ok) throw collector.error(view.problem);
  const decision = collector.admit(view.raw);
  if (decision.action !== 'file') return;
  if (view.dataProblem) throw collector.error(view.dataProblem);
  collector.check(meter.declareUncompressed(entry.uncompressedSize));
  let crc = 0;
  let content: SpooledContent;
  try {
    const stream = await zip.openReadStreamPromise(entry);
    content = await spool.store(withCrc(stream, (chunk) => (crc = crc32(chunk, crc))), (bytes) => collector.countBytes(bytes));
  } catch (error) {
    throw toZipError(error, collector, decision.display);
  }
  if (crc !== entry.crc32) {
    throw collector.error(corrupt(decision.display, `fails its CRC-32 check (stored ${hex(entry.crc32)}, computed ${hex(crc)})`));
  }
  collector.addFile({ path: decision.path, mode: view.mode, size: content.size, open: () => spool.stream(content) });
}

async function* withCrc(stream: Readable, update: (chunk: Buffer) => void): AsyncGenerator<Buffer> {
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    update(chunk);
    yield chunk;
  }
}

/** Maps yauzl and zlib failures to stable codes; BundleErrors pass unchanged. */
export function toZipError(error: unknown, collector: BundleCollector, path?: string): BundleError {
  if (error instanceof BundleError) return error;
  const { code, message } = error as { code?: string; message?: string };
  const text = message ?? String(error);
  const at = path === undefined ? {} : { path };
  if (/end of central directory record signature not found/i.test(text)) {
    return collector.error(
      { code: 'TRUNCATED_ARCHIVE', problem: 'has no end of central directory (cut short?)', expected: 'a complete zip archive' },
      { cause: error },
    );
  }
  if (/encrypt/i.test(text)) {
    return collector.error({ ...at, code: 'ENCRYPTED_ENTRY', problem: `is encrypted (${text})`, expected: 'unencrypted entries' }, { cause: error });
  }
  if (/multi-disk|unsupported compression/i.test(text)) {
    return collector.error({ ...at, code: 'UNSUPPORTED_FORMAT', problem: `uses an unsupported zip feature (${text})`, expected: 'a single-file zip with stored or deflate entries' }, { cause: error });
  }
  if (code !== undefined && /^E[A-Z]+$/.test(code)) {
    return collector.error({ code: 'SOURCE_READ_FAILED', problem: `could not be read (${text})`, expected: 'a readable file' }, { cause: error });
  }
  return collector.error({ ...corrupt(path, `is corrupt (${text})`) }, { cause: error });
}

function corrupt(path: string | undefined, problem: string): BundleProblem {
  const base = { code: 'CORRUPT_ARCHIVE' as const, problem, expected: 'a well-formed zip archive' };
  return path === undefined ? base : { ...base, path };
}

function hex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
