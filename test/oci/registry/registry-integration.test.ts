import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRegistryRepository, RegistryError } from '../../../shared/oci/registry';
import type { RegistryRepository } from '../../../shared/oci/registry';
import { startRegistry } from '../../helpers/registry-server';
import type { RegistryServer } from '../../helpers/registry-server';
import { readAll, tinyImage } from './tiny-image';
import type { TinyImage } from './tiny-image';

const execFileAsync = promisify(execFile);

interface SkopeoInspect {
  Digest: string;
  Architecture: string;
  Os: string;
  Layers: string[];
}

async function skopeoInspect(reference: string, creds?: string): Promise<SkopeoInspect> {
  const args = ['inspect', '--tls-verify=false', ...(creds ? ['--creds', creds] : []), `docker://${reference}`];
  const { stdout } = await execFileAsync('skopeo', args, { timeout: 20_000 });
  return JSON.parse(stdout) as SkopeoInspect;
}

async function pushImage(repository: RegistryRepository, image: TinyImage, tag: string): Promise<string> {
  for (const blob of [image.layer, image.config]) {
    if ((await repository.statBlob(blob.digest)) === undefined) await repository.pushBlob(blob.digest, blob.size, blob.open);
  }
  return repository.putManifest(tag, image.manifestMediaType, image.manifest.bytes);
}

describe.each([
  { mode: 'anonymous', auth: undefined },
  { mode: 'htpasswd Basic auth', auth: { username: 'builder', password: 'pa55-word' } },
])('RegistryRepository against docker-registry ($mode)', ({ auth }) => {
  let registry: RegistryServer;
  let image: TinyImage;
  const open = (repository: string): RegistryRepository =>
    createRegistryRepository({ host: registry.host, repository, insecure: true, credentials: auth, retry: { baseDelayMs: 1, maxDelayMs: 5 } });

  beforeAll(async () => {
    registry = await startRegistry(auth ? { auth } : {});
    image = await tinyImage({ 'var/portal-api/static/globals.json': '{"version":1}' });
  });
  afterAll(async () => {
    await registry.stop();
  });

  it('pushes blobs and a manifest that skopeo reads back with the same digest', async () => {
    const target = open('wicked/portal-api');
    expect(await target.statBlob(image.layer.digest)).toBeUndefined();

    const digest = await pushImage(target, image, 'cfg-1');

    expect(digest).toBe(image.manifest.digest);
    expect(await target.statBlob(image.layer.digest)).toBe(image.layer.size);
    const inspected = await skopeoInspect(`${registry.host}/wicked/portal-api:cfg-1`, auth && `${auth.username}:${auth.password}`);
    expect(inspected).toMatchObject({ Digest: image.manifest.digest, Architecture: 'amd64', Os: 'linux', Layers: [image.layer.digest] });
  });

  it('fetches manifests by tag and by digest, and blobs byte for byte', async () => {
    const target = open('wicked/portal-api');

    const byTag = await target.fetchManifest('cfg-1');
    const byDigest = await target.fetchManifest(image.manifest.digest);
    const layer = await readAll(await target.fetchBlob(image.layer.digest));

    expect(byTag).toEqual({ mediaType: image.manifestMediaType, digest: image.manifest.digest, bytes: image.manifest.bytes });
    expect(byDigest?.digest).toBe(image.manifest.digest);
    expect(layer.equals(image.layer.bytes)).toBe(true);
  });

  it('mounts blobs across repositories and declines unknown ones', async () => {
    const copy = open('wicked/portal-api-copy');
    const other = await tinyImage({ 'never-pushed.txt': 'x' });

    expect(await copy.mountBlob(image.layer.digest, 'wicked/portal-api')).toBe(true);
    expect(await copy.mountBlob(image.config.digest, 'wicked/portal-api')).toBe(true);
    expect(await copy.mountBlob(other.layer.digest, 'wicked/portal-api')).toBe(false);
    // the session opened by the declined mount carries the upload
    await copy.pushBlob(other.layer.digest, other.layer.size, other.layer.open);

    expect(await copy.statBlob(image.layer.digest)).toBe(image.layer.size);
    expect(await copy.statBlob(other.layer.digest)).toBe(other.layer.size);
    expect(await copy.putManifest('mounted', image.manifestMediaType, image.manifest.bytes)).toBe(image.manifest.digest);
    const inspected = await skopeoInspect(`${registry.host}/wicked/portal-api-copy:mounted`, auth && `${auth.username}:${auth.password}`);
    expect(inspected.Digest).toBe(image.manifest.digest);
  });

  it('answers undefined for missing manifests and blobs, and rejects fetching a missing blob', async () => {
    const target = open('wicked/portal-api');
    const missing = `sha256:${'0'.repeat(64)}`;

    expect(await target.fetchManifest('no-such-tag')).toBeUndefined();
    expect(await target.fetchManifest(missing)).toBeUndefined();
    expect(await open('wicked/no-such-repo').fetchManifest('latest')).toBeUndefined();
    expect(await target.statBlob(missing)).toBeUndefined();
    await expect(target.fetchBlob(missing)).rejects.toMatchObject({ name: 'RegistryError', code: 'BLOB_UNKNOWN', status: 404, retryable: false });
  });

  it('raises the registry error code when a manifest names blobs that are absent', async () => {
    const target = open('wicked/empty');
    const error = await target.putManifest('broken', image.manifestMediaType, image.manifest.bytes).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: 'MANIFEST_BLOB_UNKNOWN', status: 400, retryable: false });
    expect((error as Error).message).toContain(`putManifest broken in ${registry.host}/wicked/empty`);
  });
});

describe('RegistryRepository against docker-registry with htpasswd auth and wrong credentials', () => {
  it('fails with UNAUTHORIZED and does not retry', async () => {
    const registry = await startRegistry({ auth: { username: 'builder', password: 'right' } });
    try {
      const target = createRegistryRepository({ host: registry.host, repository: 'wicked/portal-api', insecure: true, credentials: { username: 'builder', password: 'wrong' } });
      const error = await target.statBlob(`sha256:${'1'.repeat(64)}`).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401, retryable: false, attempts: 1 });
    } finally {
      await registry.stop();
    }
  });
});
