import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleError, readBundle, type BundleSource } from '../../shared/config-bundle';
import { chunked } from './archive-builders';
import { HOSTILE_CORPUS, type HostileCase } from './hostile-corpus';

let root: string;
let spoolParent: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hostile-'));
  spoolParent = join(root, 'spool');
  await mkdir(spoolParent);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function refusal(source: BundleSource, hostile: HostileCase): Promise<BundleError> {
  try {
    const bundle = await readBundle(source, { tmpDir: spoolParent, ...(hostile.limits ? { limits: hostile.limits } : {}) });
    await bundle.close();
  } catch (error) {
    if (error instanceof BundleError) return error;
    throw error;
  }
  throw new Error(`${hostile.name}: was accepted`);
}

function assertRefusal(error: BundleError, hostile: HostileCase, origin: string): void {
  expect({ code: error.code, path: error.path ?? null }).toEqual({ code: hostile.code, path: hostile.path });
  expect(error.origin).toBe(origin);
  expect(error.message.startsWith(`reading config `)).toBe(true);
  expect(error.message).toContain(`${origin}: `);
  expect(error.message).toMatch(/\(expected .+\)$/);
  expect(error.expected.length).toBeGreaterThan(0);
}

describe('hostile corpus', () => {
  it('holds at least 25 distinct cases, built deterministically', () => {
    expect(HOSTILE_CORPUS.length).toBeGreaterThanOrEqual(25);
    expect(new Set(HOSTILE_CORPUS.map((hostile) => hostile.name)).size).toBe(HOSTILE_CORPUS.length);
    const sample = HOSTILE_CORPUS.slice(0, 5);
    expect(sample.map((hostile) => hostile.build().toString('hex'))).toEqual(sample.map((hostile) => hostile.build().toString('hex')));
  });

  describe.each(HOSTILE_CORPUS.map((hostile) => [hostile.name, hostile] as const))('%s', (_name, hostile) => {
    it(`is refused from a stream with ${hostile.code}`, async () => {
      const error = await refusal({ stream: chunked(hostile.build()), name: 'upload.bin' }, hostile);
      assertRefusal(error, hostile, 'upload.bin');
      expect(await readdir(spoolParent)).toEqual([]);
    });

    it(`is refused from a file with ${hostile.code}`, async () => {
      const path = join(root, 'archive.bin');
      await writeFile(path, hostile.build());
      const error = await refusal({ path }, hostile);
      assertRefusal(error, hostile, path);
      expect(await readdir(spoolParent)).toEqual([]);
    });
  });
});
