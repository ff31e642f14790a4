import { pipeline, type Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import type { ArchiveReadContext, BundleCollector } from './collector';
import { DETECT_BYTES, detectFormat, notTarInsideGzip } from './detect';
import type { RawEntry } from './entry-rules';
import { BundleError } from './errors';
import { TarBlockMonitor } from './tar-blocks';
import { describeTarHeader, type TarEntryView } from './tar-entry';

const BLOCK = 512;

/**
 * Reads a tar or tar.gz stream into the collector: every file is spooled, every rule and
 * limit applied while the stream flows, so a refused or oversized archive stops early.
 * Also enforces what the tar parser does not: nothing may follow the end-of-archive marker,
 * and the marker must be there (a stream cut at an entry boundary is a truncated upload).
 */
export async function readTarStream(input: Readable, gzip: boolean, context: ArchiveReadContext): Promise<void> {
  const { collector, meter } = context;
  const gunzip: Gunzip | undefined = gzip ? createGunzip() : undefined;
  const monitor = new TarBlockMonitor((bytes) => {
    if (gunzip) meter.setCompressed(gunzip.bytesWritten);
    collector.countBytes(bytes);
  });
  // Errors reach the feeder through the monitor, which the pipeline destroys with them.
  if (gunzip) pipeline(input, gunzip, monitor, () => undefined);
  else pipeline(input, monitor, () => undefined);
  // latin1 keeps every byte of a name; v7 tars have no magic, detection checked their checksum.
  const extract = tar.extract({ filenameEncoding: 'binary', allowUnknownFormat: true } as Parameters<typeof tar.extract>[0]);
  const failure: { error?: unknown } = {};
  const feeding = feed(monitor, extract, gzip ? (head) => collector.check(innerFormatProblem(head)) : undefined).catch((error: unknown) => {
    failure.error ??= error;
    extract.destroy(error as Error);
  });
  let end = 0;
  try {
    for await (const entry of extract) end = await readEntry(entry as unknown as TarEntryView, end, monitor, context);
  } catch (error) {
    throw toBundleError(failure.error ?? error, collector);
  } finally {
    monitor.destroy();
    await feeding;
  }
  if (!monitor.blocks.isNullAt(end)) {
    throw collector.error({
      code: 'TRUNCATED_ARCHIVE',
      problem: `ends at byte ${monitor.bytes} without the end-of-archive marker`,
      expected: 'a complete tar archive ending with two zero blocks',
    });
  }
}

async function readEntry(entry: TarEntryView, previousEnd: number, monitor: TarBlockMonitor, context: ArchiveReadContext): Promise<number> {
  const { collector, spool } = context;
  if (entry.offset > previousEnd && monitor.blocks.isNullAt(previousEnd)) {
    entry.resume();
    throw collector.error({
      code: 'CORRUPT_ARCHIVE',
      problem: `has entries after its end-of-archive marker at byte ${previousEnd}, as concatenated archives do`,
      expected: 'one tar archive with nothing after its end-of-archive marker',
    });
  }
  const view = describeTarHeader(entry.header);
  if (!view.ok) {
    entry.resume();
    throw collector.error(view.problem);
  }
  const raw: RawEntry = view.raw;
  const decision = collector.admit(raw);
  if (decision.action === 'file') {
    const content = await spool.store(entry, () => undefined);
    collector.addFile({ path: decision.path, mode: view.mode, size: content.size, open: () => spool.stream(content) });
  } else {
    entry.resume();
  }
  return entry.header.byteOffset + Math.ceil(view.size / BLOCK) * BLOCK;
}

async function feed(from: Readable, extract: tar.Extract, checkHead?: (head: Buffer) => void): Promise<void> {
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let checked = checkHead === undefined;
  for await (const chunk of from as AsyncIterable<Buffer>) {
    if (!checked) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < DETECT_BYTES) continue;
      checkHead?.(Buffer.concat(pending));
      checked = true;
      for (const held of pending.splice(0)) await write(extract, held);
      continue;
    }
    await write(extract, chunk);
  }
  if (!checked) checkHead?.(Buffer.concat(pending));
  for (const held of pending.splice(0)) await write(extract, held);
  extract.end(null);
}

async function write(extract: tar.Extract, chunk: Buffer): Promise<void> {
  if (extract.destroyed) throw new Error('tar parser stopped');
  if (extract.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const onDrain = (): void => {
      extract.off('close', onClose);
      resolve();
    };
    const onClose = (): void => {
      extract.off('drain', onDrain);
      reject(new Error('tar parser stopped'));
    };
    extract.once('drain', onDrain);
    extract.once('close', onClose);
  });
}

function innerFormatProblem(head: Buffer) {
  const inner = detectFormat(head);
  return inner.ok && inner.format === 'tar' ? undefined : notTarInsideGzip(inner);
}

/** Maps zlib and tar parser failures to stable codes; BundleErrors pass unchanged. */
export function toBundleError(error: unknown, collector: BundleCollector): BundleError {
  if (error instanceof BundleError) return error;
  const { code, message } = error as { code?: string; message?: string };
  const text = message ?? String(error);
  if (code === 'Z_BUF_ERROR' || /unexpected end of (file|data)/i.test(text)) {
    return collector.error({ code: 'TRUNCATED_ARCHIVE', problem: `ends early (${text})`, expected: 'a complete archive' }, { cause: error });
  }
  if (code?.startsWith('Z_') || /invalid|header|corrupt/i.test(text)) {
    return collector.error({ code: 'CORRUPT_ARCHIVE', problem: `is corrupt (${text})`, expected: 'a well-formed archive' }, { cause: error });
  }
  return collector.error({ code: 'SOURCE_READ_FAILED', problem: `could not be read (${text})`, expected: 'a readable source' }, { cause: error });
}
