import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import type { ConfigBundle } from '../../shared/config-bundle/types';
import { computeConfigHash, ConfigReadError, fileHashOf, folderHash, treeHash } from '../../shared/wicked-config';
import { directoryBundle } from '../helpers/directory-bundle';
import { memoryBundle } from '../helpers/memory-bundle';

/**
 * Independent reference of folder-hash 2.1.2 as portal-api calls it,
 * `hashElement('.', staticDir, { folders: { exclude: ['.git'] } })`, written
 * from the package's algorithm rather than from the module under test: it
 * walks the real directory with fs, lists children in `fs.readdirSync` order
 * without sorting (on Linux libuv already returns them in strcmp order, which
 * is what 2.1.2 relied on) and hashes with `hash.write(...)` as the package does.
 */
function folderHashReference(parent: string, name: string): string {
  const path = join(parent, name);
  const hash = createHash('sha1');
  hash.write(name);
  if (statSync(path).isDirectory()) {
    for (const child of readdirSync(path)) {
      if (child === '.git' && statSync(join(path, child)).isDirectory()) continue;
      hash.write(folderHashReference(path, child));
    }
  } else {
    hash.write(readFileSync(path));
  }
  hash.end();
  return (hash.read() as Buffer).toString('base64');
}

function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

describe('computeConfigHash', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'wicked-config-hash-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /*
   * Known answer derived by hand in a shell (bash, OpenSSL 3):
   *   mkdir -p kat/apis && cd kat
   *   printf '# APIs\n' > apis.md; printf '{"apis":[]}\n' > apis/apis.json; printf '{}\n' > globals.json
   *   F1=$( (printf 'apis.json'; cat apis/apis.json) | openssl dgst -sha1 -binary | base64 )     # k5K+PhNvzzi4XtLVful1SJ67Vi8=
   *   F2=$( (printf 'apis.md'; cat apis.md) | openssl dgst -sha1 -binary | base64 )              # FotQUOQiTIFmHx/ectL33gtIv2s=
   *   F3=$( (printf 'globals.json'; cat globals.json) | sha1sum | cut -d' ' -f1 | xxd -r -p | base64 )  # mV50zjJ6Wwfe/i1sdAY/c2Lvd7g=
   *   D=$( printf '%s%s' apis "$F1" | openssl dgst -sha1 -binary | base64 )                      # C8dwhyGGQ0oJSZW/bSs5pwxjCes=
   *   printf '%s%s%s%s' . "$D" "$F2" "$F3" | openssl dgst -sha1 -binary | base64                  # XqDRmwqg3Yvci9/1O/+54vkxfK8=
   * The folder "apis" comes before the file "apis.md" (strcmp per folder),
   * although "apis.md" sorts before "apis/apis.json" as a full path.
   */
  const KAT_FILES = { 'apis.md': '# APIs\n', 'apis/apis.json': '{"apis":[]}\n', 'globals.json': '{}\n' };

  it('matches the hand-computed known answer', async () => {
    await expect(computeConfigHash(memoryBundle(KAT_FILES))).resolves.toBe('XqDRmwqg3Yvci9/1O/+54vkxfK8=');
    expect(fileHashOf('apis.json', '{"apis":[]}\n')).toBe('k5K+PhNvzzi4XtLVful1SJ67Vi8=');
    expect(folderHash('apis', ['k5K+PhNvzzi4XtLVful1SJ67Vi8='])).toBe('C8dwhyGGQ0oJSZW/bSs5pwxjCes=');
  });

  it('matches the known answer for a single file (printf "globals.json{}\\n" | sha1 → then ".": PXxSjHVW3xUzjYjFxWLWdFuRnqg=)', async () => {
    await expect(computeConfigHash(memoryBundle({ 'globals.json': '{}\n' }))).resolves.toBe('PXxSjHVW3xUzjYjFxWLWdFuRnqg=');
  });

  it('agrees with the reference walking the same directory', async () => {
    writeTree(root, KAT_FILES);
    expect(folderHashReference(root, '.')).toBe('XqDRmwqg3Yvci9/1O/+54vkxfK8=');
    await expect(computeConfigHash(directoryBundle(root))).resolves.toBe(folderHashReference(root, '.'));
  });

  it('agrees with the reference on the example configuration', async () => {
    const example = join(__dirname, '../../examples/static');
    await expect(computeConfigHash(directoryBundle(example))).resolves.toBe(folderHashReference(example, '.'));
  });

  it('leaves out .git folders at any depth but hashes a file named .git', async () => {
    // (A folder holding nothing but .git would still count for folder-hash as an
    // empty folder; it cannot exist in a bundle or in the image built from it.)
    const files = { 'globals.json': '{}', '.git/HEAD': 'ref', 'apis/apis.json': '{}', 'apis/.git/x': 'y', 'content/.git': 'gitdir: ../x' };
    writeTree(root, files);
    const expected = folderHashReference(root, '.');
    await expect(computeConfigHash(memoryBundle(files))).resolves.toBe(expected);
    const kept = ['globals.json', 'apis/apis.json', 'content/.git'].map((path) => [path, fileHashOf(path.split('/').pop() as string, (files as Record<string, string>)[path] as string)] as const);
    expect(treeHash(new Map(kept))).toBe(expected);
  });

  it('changes with content, names and placement', async () => {
    const base = await computeConfigHash(memoryBundle({ 'a/b.json': '1' }));
    const variants: Array<Record<string, string>> = [{ 'a/b.json': '2' }, { 'a/c.json': '1' }, { 'b.json': '1' }, { 'a/b.json': '1', 'a/c': '' }];
    for (const variant of variants) {
      await expect(computeConfigHash(memoryBundle(variant))).resolves.not.toBe(base);
    }
  });

  it('agrees with the reference on random trees (property)', async () => {
    const name = fc.string({ unit: fc.constantFrom('a', 'b', 'A', 'Z', '0', '-', '_', '.', 'é', 'ä', '日', '😀', ' '), minLength: 1, maxLength: 4 }).filter((n) => n !== '.' && n !== '..' && n !== '.git');
    const tree = fc.uniqueArray(fc.tuple(fc.array(name, { minLength: 1, maxLength: 3 }), fc.string({ maxLength: 20 })), { maxLength: 8, selector: ([segments]) => segments.join('/') });
    await fc.assert(
      fc.asyncProperty(tree, async (entries) => {
        const dir = mkdtempSync(join(root, 't-'));
        const files: Record<string, string> = {};
        for (const [segments, content] of entries) {
          const path = segments.join('/');
          const clash = Object.keys(files).some((other) => other.startsWith(`${path}/`) || path.startsWith(`${other}/`));
          if (!clash) files[path] = content;
        }
        writeTree(dir, files);
        await expect(computeConfigHash(memoryBundle(files))).resolves.toBe(folderHashReference(dir, '.'));
      }),
      { numRuns: 60 },
    );
  });

  it('streams every entry and reports a failing one with its path', async () => {
    const failing: ConfigBundle = {
      ...memoryBundle({ 'globals.json': '{}' }),
      origin: 's3://bucket/config.tgz@v1',
      entries: [{ path: 'env/default.json', mode: 0o644, size: 10, open: () => Readable.from((async function* () { yield Buffer.from('{'); throw new Error('connection reset'); })()) }],
    };
    const error = await computeConfigHash(failing).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigReadError);
    expect(error).toMatchObject({ code: 'CONFIG_READ_FAILED', path: 'env/default.json', retryable: true, message: 'reading env/default.json of s3://bucket/config.tgz@v1: connection reset' });
  });
  it('lets the event loop handle I/O while it reads many files that come without waiting', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) files[`content/page-${String(i).padStart(4, '0')}.md`] = `# page ${i}\n${'text '.repeat(200)}`;
    let ticks = 0;
    let scanning = true;
    const tick = (): void => {
      ticks++;
      if (scanning) setImmediate(tick);
    };
    setImmediate(tick);
    await computeConfigHash(memoryBundle(files));
    scanning = false;
    // Without yielding, an in-memory bundle (no real I/O) is read start to end before one immediate runs.
    expect(ticks).toBeGreaterThan(1);
  });
});
