import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAndPush } from '../../shared/oci/build';
import type { BuildRequest } from '../../shared/oci/build';
import type { OciError } from '../../shared/oci/errors';
import { OciLayoutRepository } from '../../shared/oci/oci-layout';
import { writeBaseImage } from '../helpers/base-image';
import { memoryBundle } from '../helpers/memory-bundle';
import { RecordingRepository } from '../helpers/recording-repository';
import type { RepositoryOverrides } from '../helpers/recording-repository';

const entries = memoryBundle({ 'globals.json': '{}' }).entries;

let work: string;
let baseRepo: OciLayoutRepository;
let targetLayout: OciLayoutRepository;
let tempDir: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'build-fail-'));
  baseRepo = await OciLayoutRepository.open(join(work, 'base'));
  targetLayout = await OciLayoutRepository.open(join(work, 'target'));
  tempDir = join(work, 'tmp');
  await mkdir(tempDir);
  await writeBaseImage(baseRepo, { family: 'oci', tag: '1.0' });
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const request = (target: RecordingRepository, extra: Partial<BuildRequest> = {}): BuildRequest => ({
  base: { repository: baseRepo, reference: '1.0' }, target, entries, configHash: 'h', layer: { tempDir }, ...extra,
});

/** Runs a build against a target with one faulty method; returns the error and the target. */
async function failingBuild(overrides: RepositoryOverrides, extra: Partial<BuildRequest> = {}): Promise<{ error: OciError; target: RecordingRepository }> {
  const target = new RecordingRepository(targetLayout, overrides);
  const error = await buildAndPush(request(target, extra)).then(
    () => { throw new Error('expected the build to fail'); },
    (e: unknown) => e as OciError,
  );
  return { error, target };
}

describe('buildAndPush failures', () => {
  it('puts no manifest when an upload fails, and removes its temporary layer', async () => {
    const { error, target } = await failingBuild({
      pushBlob: async (digest, size, open) => {
        if (size < 1000) throw new Error(`upload of ${digest} refused`);
        return targetLayout.pushBlob(digest, size, open);
      },
    });
    expect(error.message).toMatch(/upload of sha256:.* refused/);
    expect(target.of('putManifest')).toEqual([]);
    expect(await targetLayout.listTags()).toEqual([]);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('withholds the manifest when an uploaded blob is not confirmed (retryable)', async () => {
    let pushed = false;
    const { error, target } = await failingBuild({
      statBlob: async (digest) => (pushed ? undefined : targetLayout.statBlob(digest)),
      pushBlob: async (digest, size, open) => {
        await targetLayout.pushBlob(digest, size, open);
        pushed = true;
      },
    }, { concurrency: 1 });
    expect(error).toMatchObject({ code: 'BLOB_NOT_CONFIRMED', retryable: true, message: expect.stringContaining('statBlob reports no blob') });
    expect(target.of('putManifest')).toEqual([]);
  });

  it('fails when the store reports another manifest digest than the one computed', async () => {
    const { error } = await failingBuild({ putManifest: async () => `sha256:${'0'.repeat(64)}` });
    expect(error).toMatchObject({ code: 'DIGEST_MISMATCH', message: expect.stringContaining('the store reports sha256:000') });
  });

  it('names a missing base', async () => {
    const error = await buildAndPush(request(new RecordingRepository(targetLayout), { base: { repository: baseRepo, reference: '9.9' } })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BASE_NOT_FOUND', message: `base image ${baseRepo.name}:9.9 not found` });
  });

  it('rejects a base that is one image of another platform when a platform is requested', async () => {
    const error = await buildAndPush(request(new RecordingRepository(targetLayout), { platform: 'linux/arm64' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PLATFORM_NOT_FOUND', message: expect.stringContaining('available: linux/amd64') });
  });

  it.each([
    [{ bogus: 1 }, /Unrecognized key: "bogus"/],
    [{ configHash: '' }, /configHash/],
    [{ concurrency: 0 }, /concurrency/],
    [{ source: { kind: 'ftp' } }, /expected \{ kind: "s3" \| "git"/],
    [{ platform: 'linux' }, /expected "os\/architecture/],
  ])('rejects the request %j before any I/O', async (extra, message) => {
    const target = new RecordingRepository(targetLayout);
    const error = await buildAndPush(request(target, extra as Partial<BuildRequest>)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_OPTIONS', message: expect.stringMatching(message) });
    expect(target.calls).toEqual([]);
  });
});
