import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { BundleError, DEFAULT_LIMITS, isBundleError, readBundle, type BundleLimits, type BundleSource, type ReadBundleOptions } from '../../shared/config-bundle';
import { buildTar, buildTarGz, buildZip, chunked, collect, rawTar, rawTarEntry, rawZip, summarise, writeDirectory, type TestFile } from './archive-builders';
import { gzipBomb } from './hostile-corpus';

const files: TestFile[] = [
  { path: 'static/globals.json', content: Buffer.from('{"version":1}'), executable: false },
  { path: 'static/env/default.json', content: Buffer.from('{"PORTAL_NETWORK_SCHEMA":"https"}'), executable: false },
  { path: 'static/tools/check.sh', content: Buffer.from('#!/bin/sh\n'), executable: true },
  { path: 'static/empty.txt', content: Buffer.alloc(0), executable: false },
];

let root: string;
let spoolParent: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'read-bundle-'));
  spoolParent = join(root, 'spool');
  await mkdir(spoolParent);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function refusal(source: BundleSource, options: ReadBundleOptions = {}): Promise<BundleError> {
  const outcome = await readBundle(source, options).then(
    async (bundle) => {
      await bundle.close();
      return new Error('accepted');
    },
    (error: unknown) => error,
  );
  if (outcome instanceof BundleError) return outcome;
  throw outcome;
}

async function fileOf(name: string, content: Buffer): Promise<string> {
  const path = join(root, name);
  await writeFile(path, content);
  return path;
}

describe('readBundle: sources', () => {
  it.each([
    ['tar', buildTar],
    ['tar.gz', buildTarGz],
    ['zip', buildZip],
  ])('a %s stream gives the same entries as the same archive file', async (format, build) => {
    const archive = await build(files, { directories: true });
    const path = await fileOf(`same.${format}`, archive);
    const fromPath = await readBundle({ path });
    const fromStream = await readBundle({ stream: chunked(archive, 1_000), name: 'upload' }, { origin: 's3://cfg/dev/upload@v1' });
    expect(fromPath.format).toBe(format);
    expect(fromStream.format).toBe(format);
    expect(fromStream.origin).toBe('s3://cfg/dev/upload@v1');
    expect(await summarise(fromStream)).toEqual(await summarise(fromPath));
    expect(fromPath.entries.map((entry) => `${entry.path}:${entry.mode.toString(8)}:${entry.size}`)).toEqual([
      'empty.txt:644:0',
      'env/default.json:644:33',
      'globals.json:644:13',
      'tools/check.sh:755:10',
    ]);
    await fromPath.close();
    await fromStream.close();
  });

  it('spools archive content to a private directory that close() removes; open() works repeatedly until then', async () => {
    const bundle = await readBundle({ stream: chunked(await buildTarGz(files)) }, { tmpDir: spoolParent });
    const [spool] = await readdir(spoolParent);
    expect(spool).toMatch(/^config-bundle-/);
    expect((await readdir(join(spoolParent, spool))).length).toBe(3); // the empty file needs no spool file
    const globals = bundle.entries.find((entry) => entry.path === 'globals.json');
    expect((await collect(globals!.open())).toString()).toBe('{"version":1}');
    expect((await collect(globals!.open())).toString()).toBe('{"version":1}');
    await bundle.close();
    await bundle.close();
    expect(await readdir(spoolParent)).toEqual([]);
    await expect(collect(globals!.open())).rejects.toMatchObject({ code: 'BUNDLE_CLOSED', path: 'static/globals.json' });
  });

  it('reads v7 tars and GNU tars written byte by byte', async () => {
    const v7 = rawTar([rawTarEntry({ name: 'a.json', magic: 'v7', mode: 0o700 }, Buffer.from('{}'))]);
    const gnu = rawTar([rawTarEntry({ name: 'b.json', magic: 'gnu' }, Buffer.from('[]'))]);
    for (const [archive, path, mode] of [[v7, 'a.json', 0o755], [gnu, 'b.json', 0o644]] as const) {
      const bundle = await readBundle({ stream: chunked(archive) });
      expect(bundle.entries.map((entry) => [entry.path, entry.mode])).toEqual([[path, mode]]);
      await bundle.close();
    }
  });

  it('reads zip entries without Unix attributes as 0644 and ignores their DOS attributes', async () => {
    const zip = rawZip([{ name: 'run.sh', data: Buffer.from('x'), host: 0, unixMode: 0o100755 }]);
    const bundle = await readBundle({ stream: chunked(zip) });
    expect(bundle.entries.map((entry) => entry.mode)).toEqual([0o644]);
    await bundle.close();
  });

  it('warns once per skipped .git folder and about empty directories, without keeping them', async () => {
    const archive = rawTar([
      rawTarEntry({ name: 'static/', type: '5' }),
      rawTarEntry({ name: 'static/.git/HEAD' }, Buffer.from('ref')),
      rawTarEntry({ name: 'static/.git/config' }, Buffer.from('x')),
      rawTarEntry({ name: 'static/plugins/.git' }, Buffer.from('gitdir: ../x')),
      rawTarEntry({ name: 'static/empty/', type: '5' }),
      rawTarEntry({ name: 'static/globals.json' }, Buffer.from('{}')),
    ]);
    const bundle = await readBundle({ stream: chunked(archive) });
    expect(bundle.entries.map((entry) => entry.path)).toEqual(['globals.json']);
    expect(bundle.warnings.map((warning) => `${warning.code}:${warning.path}`)).toEqual([
      'GIT_SKIPPED:static/.git',
      'EMPTY_DIRECTORY_IGNORED:static/empty',
      'GIT_SKIPPED:static/plugins/.git',
    ]);
    await bundle.close();
  });

  it('reads what GNU tar writes, in gnu and pax formats, with long and Unicode names', async () => {
    const tree = join(root, 'gnu-tree');
    const long = `${'d'.repeat(120)}/${'f'.repeat(200)}.json`;
    const written: TestFile[] = [
      { path: long, content: Buffer.from('long'), executable: false },
      { path: 'ünï/日本.json', content: Buffer.from('u'), executable: true },
    ];
    await writeDirectory(tree, written);
    for (const format of ['gnu', 'pax']) {
      const archive = join(root, `gnu-${format}.tgz`);
      execFileSync('tar', ['-czf', archive, `--format=${format}`, '-C', tree, '.']);
      const bundle = await readBundle({ path: archive });
      expect(bundle.entries.map((entry) => [entry.path, entry.mode])).toEqual([
        [long, 0o644],
        ['ünï/日本.json', 0o755],
      ]);
      expect(bundle.warnings).toEqual([]);
      await bundle.close();
    }
  });
});

describe('readBundle: refusals outside the archive', () => {
  it.each([
    ['a missing path', () => ({ path: join(tmpdir(), 'no-such-config-bundle.tgz') }), 'NOT_FOUND'],
    ['a character device', () => ({ path: '/dev/null' }), 'UNSUPPORTED_FORMAT'],
    ['an empty stream', () => ({ stream: Readable.from([]) }), 'UNSUPPORTED_FORMAT'],
  ])('%s is refused with %s', async (_label, source, code) => {
    expect((await refusal(source())).code).toBe(code);
  });

  it.each([
    [{ limit: { maxEntries: 1 } }, 'unknown option "limit"'],
    [{ limits: { maxEntries: 0 } }, 'limits.maxEntries = 0'],
    [{ limits: { maxFiles: 3 } }, 'unknown limit "maxFiles"'],
  ])('options %j are refused', async (options, text) => {
    const error = await refusal({ stream: Readable.from([Buffer.from('x')]) }, options as ReadBundleOptions);
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.message).toContain(text);
  });

  it('refuses a tmpDir that cannot hold the spool', async () => {
    const error = await refusal({ stream: chunked(await buildTar(files)) }, { tmpDir: join(root, 'missing', 'dir') });
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.message).toContain('ENOENT');
  });

  it('reports a source stream that breaks as retryable, and destroys it', async () => {
    const source = new PassThrough();
    source.write((await buildTarGz(files)).subarray(0, 600));
    setTimeout(() => source.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), 20);
    const error = await refusal({ stream: source, name: 'flaky' });
    expect(error).toMatchObject({ code: 'SOURCE_READ_FAILED', retryable: true, origin: 'flaky' });
    expect(error.message).toContain('socket hang up');
    expect(source.destroyed).toBe(true);
  });

  it('destroys a stream it refuses early, so that an S3 connection is released', async () => {
    const source = new PassThrough();
    source.write(rawTarEntry({ name: '../x' }, Buffer.from('x')));
    const error = await refusal({ stream: source });
    expect(error.code).toBe('PATH_TRAVERSAL');
    expect(source.destroyed).toBe(true);
  });
});

describe('readBundle: limits are configurable and checked while reading', () => {
  const refusedWith = async (source: BundleSource, limits: Partial<BundleLimits>): Promise<string> => (await refusal(source, { limits })).code;

  it('applies maxEntries, maxTotalBytes and maxSegmentBytes to every format', async () => {
    for (const build of [buildTar, buildTarGz, buildZip]) {
      const archive = await build(files);
      expect(await refusedWith({ stream: chunked(archive) }, { maxEntries: 3 })).toBe('TOO_MANY_ENTRIES');
      expect(await refusedWith({ stream: chunked(archive) }, { maxTotalBytes: 40 })).toBe('TOO_LARGE');
      expect(await refusedWith({ stream: chunked(archive) }, { maxSegmentBytes: 8 })).toBe('NAME_TOO_LONG');
      const accepted = await readBundle({ stream: chunked(archive) }, { limits: { maxEntries: 10, maxSegmentBytes: 16 } });
      expect(accepted.entries).toHaveLength(4);
      await accepted.close();
    }
  });

  it('applies maxCompressionRatio above the 1 MiB floor only', async () => {
    const text = Buffer.from('{"a":"b"}\n'.repeat(250_000)); // 2.5 MB, compresses far beyond 20:1
    const archive = gzipSync(await buildTar([{ path: 'big.json', content: text, executable: false }]));
    expect(await refusedWith({ stream: chunked(archive, 65_536) }, { maxCompressionRatio: 20 })).toBe('COMPRESSION_RATIO');
    const small = gzipSync(await buildTar([{ path: 'small.json', content: text.subarray(0, 500_000), executable: false }]));
    const bundle = await readBundle({ stream: chunked(small) }, { limits: { maxCompressionRatio: 20 } });
    expect(bundle.entries[0].size).toBe(500_000);
    await bundle.close();
  });

  it('stops a gzip bomb early: most of the compressed input is never read', async () => {
    const bomb = gzipBomb();
    let consumed = 0;
    const counting = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        consumed += chunk.length;
        callback(null, chunk);
      },
    });
    const error = await refusal({ stream: chunked(bomb, 16_384).pipe(counting) }, { tmpDir: spoolParent });
    expect(error.code).toBe('COMPRESSION_RATIO');
    expect(error.expected).toContain(`${DEFAULT_LIMITS.maxCompressionRatio}:1`);
    expect(consumed).toBeLessThan(bomb.length / 10); // about 1 MB of input would inflate to 1 GiB
    expect(await readdir(spoolParent)).toEqual([]);
  });

  it('is a BundleError that isBundleError recognises by code', async () => {
    const error = await refusal({ stream: chunked(await buildTar(files)) }, { limits: { maxEntries: 1 } });
    expect(isBundleError(error)).toBe(true);
    expect(isBundleError(error, 'TOO_MANY_ENTRIES')).toBe(true);
    expect(isBundleError(error, 'TOO_LARGE')).toBe(false);
    expect(isBundleError(new Error('x'))).toBe(false);
  });
});
