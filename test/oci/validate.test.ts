import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { canonicalJson } from '../../shared/oci/canonical-json';
import { sha256Digest } from '../../shared/oci/digest';
import { ImageInvalidError } from '../../shared/oci/errors';
import { parseConfig, parseManifest } from '../../shared/oci/image';
import type { ConfigDocument, IndexDocument, ManifestDocument } from '../../shared/oci/image';
import { MediaTypes } from '../../shared/oci/media-types';
import { OciLayoutRepository } from '../../shared/oci/oci-layout';
import { readBlob } from '../../shared/oci/resolve-base';
import { assertValidImage, validateImage } from '../../shared/oci/validate';
import { writeBaseImage } from '../helpers/base-image';
import type { SyntheticBase } from '../helpers/base-image';

let work: string;
let repo: OciLayoutRepository;
let base: SyntheticBase;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'validate-'));
  repo = await OciLayoutRepository.open(work);
  base = await writeBaseImage(repo, { family: 'oci', tag: 'good' });
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const blobFile = (digest: string): string => join(work, 'blobs', 'sha256', digest.slice('sha256:'.length));
const codes = async (reference: string): Promise<string[]> => (await validateImage(repo, reference)).map((p) => p.code);

async function pushJson(value: unknown): Promise<{ digest: string; size: number; bytes: Buffer }> {
  const bytes = canonicalJson(value);
  const digest = sha256Digest(bytes);
  await repo.pushBlob(digest, bytes.length, () => Readable.from([bytes]));
  return { digest, size: bytes.length, bytes };
}

/** Tags a variant of the good image whose manifest and config went through `change`. */
async function variant(tag: string, change: (manifest: ManifestDocument, config: ConfigDocument) => void): Promise<void> {
  const parsed = parseManifest((await repo.fetchManifest('good'))!);
  if (parsed.kind !== 'image') throw new Error('expected an image');
  const manifest = structuredClone(parsed.manifest);
  const config = structuredClone(parseConfig(await readBlob(repo, manifest.config.digest), manifest.config.digest));
  change(manifest, config);
  const pushed = await pushJson(config);
  manifest.config = { ...manifest.config, digest: pushed.digest, size: pushed.size };
  await repo.putManifest(tag, MediaTypes.ociManifest, canonicalJson(manifest));
}

describe('validateImage', () => {
  it('finds nothing wrong with a sound image', async () => {
    expect(await validateImage(repo, 'good')).toEqual([]);
    await expect(assertValidImage(repo, 'good')).resolves.toBeUndefined();
  });

  it.each([
    ['a missing layer', async () => unlink(blobFile(base.images[0].layers[1].digest)), ['BLOB_MISSING']],
    ['a layer with other bytes of another size', async () => writeFile(blobFile(base.images[0].layers[0].digest), gzipSync(Buffer.alloc(1024))), ['BLOB_SIZE', 'BLOB_DIGEST', 'DIFF_ID']],
    ['a layer that is not gzip', async () => writeFile(blobFile(base.images[0].layers[0].digest), Buffer.alloc(base.images[0].layers[0].size)), ['LAYER_UNREADABLE']],
    ['a missing config', async () => unlink(blobFile(base.images[0].configDigest)), ['BLOB_MISSING']],
  ])('reports %s', async (_title, corrupt, expected) => {
    await corrupt();
    expect(await codes('good')).toEqual(expected);
  });

  it.each([
    ['a wrong diff_id', (_m: ManifestDocument, c: ConfigDocument) => { c.rootfs.diff_ids[1] = sha256Digest('x'); }, ['DIFF_ID']],
    ['a missing diff_id', (_m: ManifestDocument, c: ConfigDocument) => { c.rootfs.diff_ids.pop(); }, ['DIFF_ID_COUNT']],
    ['a wrong layer size', (m: ManifestDocument) => { m.layers[0].size += 1; }, ['BLOB_SIZE', 'BLOB_DIGEST']],
  ])('reports %s', async (_title, change, expected) => {
    await variant('bad', change);
    expect(await codes('bad')).toEqual(expected);
  });

  it('reports a missing manifest and a config that is not an image config', async () => {
    expect(await codes('nope')).toEqual(['MANIFEST_MISSING']);
    await variant('bad', (_m, c) => { (c.rootfs as { type: string }).type = 'other'; });
    expect(await codes('bad')).toEqual(['CONFIG_INVALID']);
  });

  it('checks the children of an index: presence, sizes and platforms', async () => {
    const image = base.images[0];
    const entry = { mediaType: image.mediaType, digest: image.digest, size: image.size };
    const index: IndexDocument = {
      schemaVersion: 2, mediaType: MediaTypes.ociIndex,
      manifests: [
        { ...entry, platform: { os: 'linux', architecture: 'arm64' } },
        { ...entry, size: image.size + 1, platform: { os: 'linux', architecture: 'amd64' } },
        { ...entry, digest: sha256Digest('absent') },
      ],
    };
    await repo.putManifest('index', MediaTypes.ociIndex, canonicalJson(index));
    expect(await codes('index')).toEqual(['PLATFORM', 'MANIFEST_SIZE', 'MANIFEST_MISSING']);
    const error = await assertValidImage(repo, 'index').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageInvalidError);
    expect((error as ImageInvalidError).problems).toHaveLength(3);
    expect((error as ImageInvalidError).message).toContain(`image ${repo.name}:index is invalid (3 problem(s))`);
  });
});
