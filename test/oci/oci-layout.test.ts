import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sha256Digest } from '../../shared/oci/digest';
import { OciError } from '../../shared/oci/errors';
import { MediaTypes } from '../../shared/oci/media-types';
import { OciLayoutRepository, REF_NAME_ANNOTATION } from '../../shared/oci/oci-layout';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oci-layout-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const readAll = async (stream: Readable): Promise<Buffer> => {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
};

describe('OciLayoutRepository', () => {
  it('creates oci-layout and an empty index.json', async () => {
    const layout = await OciLayoutRepository.open(dir);
    expect(layout.name).toBe(`oci:${dir}`);
    expect(JSON.parse(await readFile(join(dir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    expect(JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'))).toEqual({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] });
  });

  it('stores, stats and streams blobs, verifying their digest and size', async () => {
    const layout = await OciLayoutRepository.open(dir);
    const bytes = Buffer.from('hello layer');
    const digest = sha256Digest(bytes);
    expect(await layout.statBlob(digest)).toBeUndefined();
    await layout.pushBlob(digest, bytes.length, () => Readable.from([bytes]));
    expect(await layout.statBlob(digest)).toBe(bytes.length);
    expect(await readAll(await layout.fetchBlob(digest))).toEqual(bytes);
    const wrong = sha256Digest('other');
    await expect(layout.pushBlob(wrong, bytes.length, () => Readable.from([bytes]))).rejects.toMatchObject({ code: 'DIGEST_MISMATCH', retryable: true });
    await expect(layout.pushBlob(digest, bytes.length + 1, () => Readable.from([bytes]))).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(await layout.statBlob(wrong)).toBeUndefined();
    expect((await readdir(join(dir, 'blobs', 'sha256'))).filter((n) => n.includes('.tmp'))).toEqual([]);
    await expect(layout.fetchBlob(wrong)).rejects.toMatchObject({ code: 'BLOB_NOT_FOUND' });
    expect(await layout.mountBlob(digest, 'elsewhere')).toBe(false);
  });

  it('tags manifests in index.json, retags, and fetches by tag or digest', async () => {
    const layout = await OciLayoutRepository.open(dir);
    const first = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.dockerManifest, config: {}, layers: [] }));
    const second = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] }));
    const firstDigest = await layout.putManifest('v1', MediaTypes.dockerManifest, first);
    expect(firstDigest).toBe(sha256Digest(first));
    await layout.putManifest('latest', MediaTypes.dockerManifest, first);
    await layout.putManifest('v1', MediaTypes.ociIndex, second);
    expect(await layout.listTags()).toEqual(['latest', 'v1']);
    expect(await layout.fetchManifest('v1')).toEqual({ mediaType: MediaTypes.ociIndex, digest: sha256Digest(second), bytes: second });
    expect(await layout.fetchManifest(firstDigest)).toMatchObject({ mediaType: MediaTypes.dockerManifest, bytes: first });
    expect(await layout.fetchManifest('missing')).toBeUndefined();
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
    expect(index.manifests[1]).toEqual({ mediaType: MediaTypes.ociIndex, digest: sha256Digest(second), size: second.length, annotations: { [REF_NAME_ANNOTATION]: 'v1' } });
  });

  it('stores a manifest by digest without tagging it, and refuses a digest that does not match', async () => {
    const layout = await OciLayoutRepository.open(dir);
    const bytes = Buffer.from('{"schemaVersion":2,"layers":[]}');
    await layout.putManifest(sha256Digest(bytes), MediaTypes.ociManifest, bytes);
    expect(await layout.listTags()).toEqual([]);
    expect((await layout.fetchManifest(sha256Digest(bytes)))?.mediaType).toBe(MediaTypes.ociManifest);
    await expect(layout.putManifest(sha256Digest('x'), MediaTypes.ociManifest, bytes)).rejects.toBeInstanceOf(OciError);
  });

  it('serialises concurrent tag updates', async () => {
    const layout = await OciLayoutRepository.open(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => layout.putManifest(`t${i}`, MediaTypes.ociManifest, Buffer.from(`{"n":${i}}`))));
    expect((await layout.listTags()).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`).sort());
  });

  it('reopens an existing layout and rejects another layout version', async () => {
    const layout = await OciLayoutRepository.open(dir);
    await layout.putManifest('keep', MediaTypes.ociManifest, Buffer.from('{}'));
    expect(await (await OciLayoutRepository.open(dir)).listTags()).toEqual(['keep']);
    await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    await expect(OciLayoutRepository.open(dir)).rejects.toMatchObject({ code: 'LAYOUT_INVALID', message: expect.stringContaining('expected imageLayoutVersion "1.0.0"') });
  });
});
