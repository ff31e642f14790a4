import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { BundleEntry } from '../../shared/config-bundle/types';
import { OciError } from '../../shared/oci/errors';
import { buildConfigLayer } from '../../shared/oci/layer';
import type { BuiltLayer } from '../../shared/oci/layer';
import { dirEntries } from '../helpers/dir-entries';
import { readTarGz } from '../helpers/layer-reader';
import { memoryBundle } from '../helpers/memory-bundle';
import type { MemoryFile } from '../helpers/memory-bundle';

const execFileAsync = promisify(execFile);
const ROOT = 'var/portal-api/static/';
const sha = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'layer-test-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Builds, hands the layer to `check`, always disposes. */
async function withLayer<T>(entries: readonly BundleEntry[], check: (layer: BuiltLayer) => Promise<T>, mtime?: number): Promise<T> {
  const layer = await buildConfigLayer(entries, { tempDir: workDir, ...(mtime === undefined ? {} : { mtime }) });
  try {
    return await check(layer);
  } finally {
    await layer.dispose();
  }
}

const segment = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[a-zA-Z0-9_-][a-zA-Z0-9._-]{0,11}$/) },
  { weight: 1, arbitrary: fc.constantFrom('ümlaut', '日本語', 'x'.repeat(120), 'y'.repeat(99), 'a b') },
);

/** Unique paths where no path is a directory of another, with content and mode. */
const bundleFiles = fc
  .uniqueArray(fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/')), { maxLength: 12 })
  .map((paths) => paths.filter((p) => !paths.some((q) => q.startsWith(`${p}/`))))
  .chain((paths) =>
    fc.tuple(...paths.map((path) => fc.record({ path: fc.constant(path), content: fc.uint8Array({ maxLength: 1500 }), exec: fc.boolean() }))),
  )
  .map((files) => files.map((f) => ({ path: f.path, content: Buffer.from(f.content), mode: f.exec ? (0o755 as const) : (0o644 as const) })));

type File = { path: string; content: Buffer; mode: 0o644 | 0o755 };
const toEntries = (files: readonly File[]): readonly BundleEntry[] =>
  memoryBundle(Object.fromEntries(files.map((f): [string, MemoryFile] => [f.path, { content: f.content, mode: f.mode }]))).entries;

/** The opaque whiteout: an empty 0644 file in the static root. */
const OPAQUE = { path: '.wh..wh..opq', content: Buffer.alloc(0), mode: 0o644 } as const;

function expectedNames(files: readonly File[]): string[] {
  const names = new Set<string>(['var/', 'var/portal-api/', ROOT, ROOT + OPAQUE.path]);
  for (const file of files) {
    const segments = file.path.split('/');
    for (let i = 1; i < segments.length; i++) names.add(`${ROOT}${segments.slice(0, i).join('/')}/`);
    names.add(ROOT + file.path);
  }
  return [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

describe('buildConfigLayer (properties)', () => {
  it('gives the same digest and diff_id whatever the input order', async () => {
    await fc.assert(
      fc.asyncProperty(bundleFiles.chain((files) => fc.tuple(fc.constant(files), fc.shuffledSubarray(files, { minLength: files.length }))), async ([files, shuffled]) => {
        const entries = toEntries(files);
        const reordered = shuffled.map((f) => entries.find((e) => e.path === f.path) as BundleEntry);
        const first = await withLayer(entries, async (l) => [l.digest, l.diffId, l.size]);
        const second = await withLayer(reordered, async (l) => [l.digest, l.diffId, l.size]);
        expect(second).toEqual(first);
      }),
      { numRuns: 25 },
    );
  });

  it('writes sorted members, every parent directory, fixed modes, ids and mtime, exact content, and honest hashes', async () => {
    await fc.assert(
      fc.asyncProperty(bundleFiles, fc.constantFrom(0, 1700000000), async (files, mtime) => {
        await withLayer(toEntries(files), async (layer) => {
          const blob = await readFile(layer.path);
          const tar = gunzipSync(blob);
          expect([layer.digest, layer.size, layer.diffId, layer.uncompressedSize]).toEqual([sha(blob), blob.length, sha(tar), tar.length]);
          const members = await readTarGz(layer.path);
          expect(members.map((m) => m.name)).toEqual(expectedNames(files));
          for (const member of members) {
            const file = [...files, OPAQUE].find((f) => ROOT + f.path === member.name);
            expect({ type: member.type, mode: member.mode, uid: member.uid, gid: member.gid, mtime: member.mtime, uname: member.uname, gname: member.gname }).toEqual({
              type: file ? 'file' : 'directory', mode: file ? file.mode : 0o755, uid: 0, gid: 0, mtime, uname: '', gname: '',
            });
            if (file) expect(member.content.equals(file.content)).toBe(true);
          }
        }, mtime);
      }),
      { numRuns: 40 },
    );
  });

  it('is listed by GNU tar with exactly the expected names, modes and owners, and extracts byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(bundleFiles, async (files) => {
        await withLayer(toEntries(files), async (layer) => {
          const env = { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' };
          const { stdout, stderr } = await execFileAsync('tar', ['--numeric-owner', '--quoting-style=literal', '-tvzf', layer.path], { env });
          expect(stderr).toBe('');
          const lines = stdout.trimEnd().split('\n').map((line) => line.match(/^(\S+) (\S+)\s+(\d+) (\S+ \S+) (.*)$/)?.slice(1));
          expect(lines.map((l) => l?.[4])).toEqual(expectedNames(files));
          for (const [perms, owner, , date, name] of lines as string[][]) {
            const file = [...files, OPAQUE].find((f) => ROOT + f.path === name);
            expect([perms, owner, date]).toEqual([file ? (file.mode === 0o755 ? '-rwxr-xr-x' : '-rw-r--r--') : 'drwxr-xr-x', '0/0', '1970-01-01 00:00']);
          }
          const out = await mkdtemp(join(workDir, 'x-'));
          await execFileAsync('tar', ['-xzf', layer.path, '-C', out], { env });
          for (const file of files) {
            const path = join(out, ROOT, file.path);
            expect((await readFile(path)).equals(file.content)).toBe(true);
            expect((await stat(path)).mode & 0o777).toBe(file.mode);
          }
          await rm(out, { recursive: true, force: true });
        });
      }),
      { numRuns: 12 },
    );
  });
});

describe('buildConfigLayer', () => {
  it('writes a gzip header without file name, with mtime 0 and a fixed OS byte', async () => {
    await withLayer(memoryBundle({ 'globals.json': '{}' }).entries, async (layer) => {
      const head = (await readFile(layer.path)).subarray(0, 10);
      expect([...head.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]);
      expect(head.readUInt32LE(4)).toBe(0);
      expect(head[9]).toBe(3);
    });
  });

  it('streams large files in many chunks and still hashes them exactly', async () => {
    const big = randomBytes(3 * 1024 * 1024 + 17);
    await withLayer(memoryBundle({ 'big.bin': big, 'small.json': '{}' }).entries, async (layer) => {
      const tar = gunzipSync(await readFile(layer.path));
      expect(layer.diffId).toBe(sha(tar));
      expect(tar.includes(big.subarray(0, 4096))).toBe(true);
    });
  });

  it('gives the same digest when the source files only differ in mtime', async () => {
    const source = join(workDir, 'src');
    await mkdir(join(source, 'env'), { recursive: true });
    await writeFile(join(source, 'globals.json'), '{"a":1}');
    await writeFile(join(source, 'env', 'default.json'), '{}');
    await writeFile(join(source, 'run.sh'), '#!/bin/sh\n');
    await chmod(join(source, 'run.sh'), 0o755);
    const before = await withLayer(await dirEntries(source), async (l) => l.digest);
    for (const path of ['globals.json', 'env/default.json', 'run.sh']) await utimes(join(source, path), 1_600_000_000, 1_600_000_000 + path.length);
    const after = await withLayer(await dirEntries(source), async (l) => l.digest);
    expect(after).toBe(before);
    await writeFile(join(source, 'globals.json'), '{"a":2}');
    expect(await withLayer(await dirEntries(source), async (l) => l.digest)).not.toBe(before);
  });

  it('changes the digest with the mtime option and the compression level', async () => {
    const entries = memoryBundle({ 'globals.json': '{"x":"'.padEnd(400, 'y') + '"}' }).entries;
    const base = await withLayer(entries, async (l) => l.digest);
    expect(await withLayer(entries, async (l) => l.digest, 1)).not.toBe(base);
    const level1 = await buildConfigLayer(entries, { tempDir: workDir, compressionLevel: 1 });
    await level1.dispose();
    expect(level1.digest).not.toBe(base);
  });

  it.each([
    ['shorter', Buffer.from('ab'), 3, /announced 3 bytes, its stream gave 2/],
    ['longer', Buffer.from('abcd'), 3, /announced 3 bytes, its stream gave more than 3/],
  ])('rejects a stream %s than its entry and leaves no temporary file', async (_title, content, size, message) => {
    const dir = await mkdtemp(join(workDir, 'tmp-'));
    const entries: BundleEntry[] = [{ path: 'a.json', mode: 0o644, size, open: () => Readable.from([content]) }];
    const error = await buildConfigLayer(entries, { tempDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OciError);
    expect((error as OciError).code).toBe('LAYER_SIZE_MISMATCH');
    expect((error as OciError).message).toMatch(message);
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    [{ level: 3 }, /Unrecognized key/],
    [{ mtime: -1 }, /mtime/],
    [{ compressionLevel: 10 }, /compressionLevel/],
  ])('rejects options %o', async (options, message) => {
    const error = await buildConfigLayer([], options as never).catch((e: unknown) => e);
    expect((error as OciError).code).toBe('INVALID_OPTIONS');
    expect((error as OciError).message).toMatch(message);
  });

  it('removes its temporary file on dispose, twice without error', async () => {
    const layer = await buildConfigLayer([], { tempDir: workDir });
    expect(existsSync(layer.path)).toBe(true);
    await layer.dispose();
    await layer.dispose();
    expect(existsSync(dirname(layer.path))).toBe(false);
  });
});
