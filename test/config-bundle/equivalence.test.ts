import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { readBundle, type BundleSource } from '../../shared/config-bundle';
import { buildTar, buildTarGz, buildZip, chunked, summarise, writeDirectory, type EntrySummary, type TestFile } from './archive-builders';

/** A generated file: NFC path segments, content, exec bit, and whether to write the name in NFD. */
interface GeneratedFile {
  readonly segments: string[];
  readonly content: Uint8Array;
  readonly executable: boolean;
  readonly nfd: boolean;
}

const segment = fc
  .array(fc.constantFrom('a', 'b', 'x', '0', '-', '_', '.', ' ', '\u00e9', '\u00df', '日', '\u{1F600}', '\uFF5E'), { minLength: 1, maxLength: 8 })
  .map((chars) => chars.join(''))
  .filter((name) => name !== '.' && name !== '..');

const generatedFile: fc.Arbitrary<GeneratedFile> = fc.record({
  segments: fc.array(segment, { minLength: 1, maxLength: 3 }),
  content: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ maxLength: 3_000 })),
  executable: fc.boolean(),
  nfd: fc.boolean(),
});

/** Drops files that would collide: same path, or a file where another file needs a directory. */
function consistent(files: readonly GeneratedFile[]): GeneratedFile[] {
  const taken = new Set<string>();
  const directories = new Set<string>();
  const kept: GeneratedFile[] = [];
  for (const file of files) {
    const path = file.segments.join('/');
    const ancestors = file.segments.slice(0, -1).map((_, index) => file.segments.slice(0, index + 1).join('/'));
    if (taken.has(path) || directories.has(path) || ancestors.some((ancestor) => taken.has(ancestor))) continue;
    taken.add(path);
    for (const ancestor of ancestors) directories.add(ancestor);
    kept.push(file);
  }
  return kept;
}

function expectedEntries(files: readonly GeneratedFile[]): EntrySummary[] {
  return files
    .map((file) => ({
      path: file.segments.join('/'),
      mode: file.executable ? 0o755 : 0o644,
      size: file.content.length,
      sha256: createHash('sha256').update(file.content).digest('hex'),
    }))
    .sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

function toTestFiles(files: readonly GeneratedFile[], wrap: boolean): TestFile[] {
  return files.map((file) => {
    const path = file.segments.join('/');
    const written = file.nfd ? path.normalize('NFD') : path;
    return { path: wrap ? `static/${written}` : written, content: Buffer.from(file.content), executable: file.executable };
  });
}

async function entriesOf(source: BundleSource): Promise<{ format: string; entries: EntrySummary[] }> {
  const bundle = await readBundle(source);
  try {
    return { format: bundle.format, entries: await summarise(bundle) };
  } finally {
    await bundle.close();
  }
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'bundle-equivalence-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the same files give the same bundle in every container', () => {
  it('directory, tar, tar.gz, zip and a chunked tar.gz stream agree with the model', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(generatedFile, { minLength: 1, maxLength: 12 }).map(consistent),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 4_096 }),
        async (files, wrap, directories, chunkSize) => {
          const dir = join(root, `run-${(run += 1)}`);
          const testFiles = toTestFiles(files, wrap);
          await writeDirectory(join(dir, 'tree'), testFiles);
          const tarGz = await buildTarGz(testFiles, { directories });
          await writeFile(join(dir, 'a.tar'), await buildTar(testFiles, { directories }));
          await writeFile(join(dir, 'a.tgz'), tarGz);
          await writeFile(join(dir, 'a.zip'), await buildZip(testFiles, { directories }));
          const expected = expectedEntries(files);
          const results = [
            await entriesOf({ path: join(dir, 'tree') }),
            await entriesOf({ path: join(dir, 'a.tar') }),
            await entriesOf({ path: join(dir, 'a.tgz') }),
            await entriesOf({ path: join(dir, 'a.zip') }),
            await entriesOf({ stream: chunked(tarGz, chunkSize) }),
          ];
          expect(results.map((result) => result.format)).toEqual(['directory', 'tar', 'tar.gz', 'zip', 'tar.gz']);
          for (const result of results) expect(result.entries).toEqual(expected);
          await rm(dir, { recursive: true, force: true });
        },
      ),
      { numRuns: 30 },
    );
  });
});
