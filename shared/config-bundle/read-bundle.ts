import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { Readable } from 'node:stream';
import { BundleCollector, type ArchiveReadContext } from './collector';
import { DETECT_BYTES, EXPECTED_FORMATS, detectFormat, type ContainerFormat } from './detect';
import { BundleError, type BundleProblem, type SourceKind } from './errors';
import { LimitMeter, resolveLimits } from './limits';
import { readDirectory } from './read-directory';
import { readTarStream } from './read-tar';
import { readZipFile, spoolZipStream } from './read-zip';
import { peekStream, readFileHead } from './source';
import { Spool } from './spool';
import type { BundleFormat, BundleLimits, ConfigBundle } from './types';

/** Where a configuration comes from: a directory or archive file, or an archive stream (an S3 object body). */
export type BundleSource = { readonly path: string } | { readonly stream: Readable; readonly name?: string };

/** Options of {@link readBundle}. Unknown keys are refused. */
export interface ReadBundleOptions {
  /** Overrides of {@link DEFAULT_LIMITS}. @default {} */
  readonly limits?: Partial<BundleLimits>;
  /** Parent of the private temporary directory that holds archive content. @default os.tmpdir() */
  readonly tmpDir?: string;
  /** Shown in messages and on the bundle, e.g. `s3://bucket/key@version`. @default the path, the stream name, or `stream` */
  readonly origin?: string;
}

const OPTION_KEYS = ['limits', 'tmpDir', 'origin'];

/**
 * Reads a configuration from a directory, `.tar`, `.tar.gz`/`.tgz` or `.zip` (recognised by
 * content) into one validated, ordered {@link ConfigBundle}: the same files give the same
 * entries whatever the container. Archive content is spooled to a private temporary
 * directory, never held in memory; call `close()` when done. Refusals are {@link BundleError}s.
 *
 * @example
 * const bundle = await readBundle({ stream: body, name: 'conf.tgz' }, { origin: 's3://cfg/dev/conf.tgz@v3' });
 * try {
 *   for (const entry of bundle.entries) entry.open().pipe(hash);
 * } finally {
 *   await bundle.close();
 * }
 */
export async function readBundle(source: BundleSource, options: ReadBundleOptions = {}): Promise<ConfigBundle> {
  const origin = options.origin ?? ('path' in source ? source.path : (source.name ?? 'stream'));
  const limits = checkOptions(options, origin);
  try {
    return 'path' in source ? await readPath(source.path, origin, limits, options) : await readStream(source.stream, origin, limits, options);
  } catch (error) {
    if ('stream' in source) source.stream.destroy();
    if (error instanceof BundleError) throw error;
    const text = (error as Error).message ?? String(error);
    throw sourceError({ code: 'SOURCE_READ_FAILED', problem: `could not be read (${text})`, expected: 'a readable source' }, origin, 'source', error);
  }
}

async function readPath(path: string, origin: string, limits: BundleLimits, options: ReadBundleOptions): Promise<ConfigBundle> {
  const stats = await stat(path).catch((error: NodeJS.ErrnoException) => {
    const missing = error.code === 'ENOENT' || error.code === 'ENOTDIR';
    const problem = missing
      ? { code: 'NOT_FOUND' as const, problem: 'does not exist', expected: EXPECTED_FORMATS }
      : { code: 'SOURCE_READ_FAILED' as const, problem: `cannot be read (${error.code ?? error.message})`, expected: 'a readable path' };
    throw sourceError(problem, origin, 'source', error);
  });
  if (stats.isDirectory()) {
    const collector = newCollector(origin, 'directory', limits);
    await readDirectory(path, collector);
    return collector.finish('directory', async () => undefined);
  }
  if (!stats.isFile()) throw sourceError({ code: 'UNSUPPORTED_FORMAT', problem: 'is neither a file nor a directory', expected: EXPECTED_FORMATS }, origin, 'source');
  const format = detected(await readFileHead(path, DETECT_BYTES), origin);
  return withSpool(origin, limits, options, async (context) => {
    if (format === 'zip') await readZipFile(path, stats.size, context);
    else await readTarStream(createReadStream(path), format === 'gzip', context);
    return format;
  });
}

async function readStream(stream: Readable, origin: string, limits: BundleLimits, options: ReadBundleOptions): Promise<ConfigBundle> {
  const broken = (error: unknown): BundleError =>
    error instanceof BundleError
      ? error
      : sourceError({ code: 'SOURCE_READ_FAILED', problem: `stream failed (${(error as Error).message})`, expected: 'a readable stream' }, origin, 'archive', error, true);
  const peeked = await peekStream(stream, DETECT_BYTES, broken);
  const format = detected(peeked.head, origin);
  return withSpool(origin, limits, options, async (context) => {
    if (format !== 'zip') {
      await readTarStream(peeked.stream, format === 'gzip', context);
      return format;
    }
    const archive = await spoolZipStream(peeked.stream, context, limits.maxTotalBytes);
    // Detection saw the zip signature, so the spooled archive is never empty.
    await readZipFile(archive.file as string, archive.size, context);
    await context.spool.discard(archive);
    return format;
  });
}

async function withSpool(
  origin: string,
  limits: BundleLimits,
  options: ReadBundleOptions,
  read: (context: ArchiveReadContext) => Promise<ContainerFormat>,
): Promise<ConfigBundle> {
  const meter = new LimitMeter(limits);
  const collector = new BundleCollector({ origin, source: 'archive', limits, meter });
  const parent = options.tmpDir ?? tmpdir();
  const spool = await Spool.create(parent).catch((error: NodeJS.ErrnoException) => {
    const problem = `has tmpDir "${parent}", which cannot hold a private directory (${error.code ?? error.message})`;
    throw sourceError({ code: 'INVALID_OPTIONS', problem, expected: 'an existing, writable directory' }, origin, 'source', error);
  });
  try {
    const format = await read({ collector, spool, meter });
    return collector.finish(toBundleFormat(format), () => spool.close());
  } catch (error) {
    await spool.close();
    throw error;
  }
}

function checkOptions(options: ReadBundleOptions, origin: string): BundleLimits {
  const unknown = Object.keys(options).find((key) => !OPTION_KEYS.includes(key));
  if (unknown !== undefined) {
    throw sourceError({ code: 'INVALID_OPTIONS', problem: `has the unknown option "${unknown}"`, expected: `one of ${OPTION_KEYS.join(', ')}` }, origin, 'source');
  }
  const verdict = resolveLimits(options.limits);
  if (!verdict.ok) throw sourceError(verdict.problem, origin, 'source');
  return verdict.limits;
}

function detected(head: Buffer, origin: string): ContainerFormat {
  const verdict = detectFormat(head);
  if (!verdict.ok) throw sourceError(verdict.problem, origin, 'source');
  return verdict.format;
}

function newCollector(origin: string, source: 'archive' | 'directory', limits: BundleLimits): BundleCollector {
  return new BundleCollector({ origin, source, limits, meter: new LimitMeter(limits) });
}

function toBundleFormat(format: ContainerFormat): BundleFormat {
  return format === 'gzip' ? 'tar.gz' : format;
}

function sourceError(problem: BundleProblem, origin: string, sourceKind: SourceKind, cause?: unknown, retryable = false): BundleError {
  return new BundleError({ ...problem, origin, sourceKind, cause, retryable });
}
