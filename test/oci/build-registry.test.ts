import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildAndPush } from '../../shared/oci/build';
import type { BuildRequest } from '../../shared/oci/build';
import { MediaTypes } from '../../shared/oci/media-types';
import { Labels } from '../../shared/oci/mutate';
import { createRegistryRepository } from '../../shared/oci/registry';
import type { RegistryRepository } from '../../shared/oci/registry';
import { validateImage } from '../../shared/oci/validate';
import { writeBaseImage } from '../helpers/base-image';
import { dirEntries } from '../helpers/dir-entries';
import { startRegistry } from '../helpers/registry-server';
import type { RegistryServer } from '../helpers/registry-server';

const run = promisify(execFile);
const FILES = { 'globals.json': '{"title":"Portal"}\n', 'env/default.json': '{}\n', 'apis/petstore/config.json': '{"x":1}\n' };

let registry: RegistryServer;
let work: string;
let source: string;
const repo = (repository: string): RegistryRepository => createRegistryRepository({ host: registry.host, repository, insecure: true });

beforeAll(async () => {
  registry = await startRegistry();
  work = await mkdtemp(join(tmpdir(), 'build-registry-'));
  source = join(work, 'static');
  for (const [path, content] of Object.entries(FILES)) {
    await mkdir(join(source, path, '..'), { recursive: true });
    await writeFile(join(source, path), content);
  }
});
afterAll(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

async function skopeo(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('skopeo', [...args.slice(0, -1), '--tls-verify=false', args[args.length - 1]]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

async function build(baseRepository: string, targetRepository: string, extra: Partial<BuildRequest> = {}) {
  const target = repo(targetRepository);
  const result = await buildAndPush({
    base: { repository: repo(baseRepository), reference: '1.0' },
    target, entries: await dirEntries(source), configHash: 'c0ffee', layer: { tempDir: work }, ...extra,
  });
  expect(await validateImage(target, result.tag)).toEqual([]);
  return result;
}

describe('buildAndPush to a CNCF distribution registry', () => {
  it('pushes an OCI image that skopeo reads, mounting base layers from the same registry', async () => {
    await writeBaseImage(repo('wicked/base-oci'), { family: 'oci', tag: '1.0' });
    const result = await build('wicked/base-oci', 'portal-api', { base: { repository: repo('wicked/base-oci'), reference: '1.0', mountFrom: 'wicked/base-oci' } });
    expect(result).toMatchObject({ skipped: false, mountedBlobs: 2, uploadedBlobs: 2, imageRef: `${registry.host}/portal-api@${result.digest}` });
    const info = await skopeo('inspect', `docker://${registry.host}/portal-api:${result.tag}`);
    expect(info.Digest).toBe(result.digest);
    expect((info.Labels as Record<string, string>)[Labels.configHash]).toBe('c0ffee');
    expect((info.Layers as string[]).at(-1)).toBe(result.layer.digest);
    expect((await skopeo('inspect', '--raw', `docker://${registry.host}/portal-api:${result.tag}`)).mediaType).toBe(MediaTypes.ociManifest);
  });

  it('uploads nothing on a rebuild, and gives the same digest when only file mtimes changed', async () => {
    const first = await build('wicked/base-oci', 'portal-api');
    expect(first).toMatchObject({ skipped: true, uploadedBlobs: 0, uploadedBytes: 0 });
    for (const path of Object.keys(FILES)) await utimes(join(source, path), 1_700_000_000, 1_700_000_000);
    const touched = await build('wicked/base-oci', 'portal-api');
    expect(touched).toMatchObject({ digest: first.digest, tag: first.tag, skipped: true, uploadedBlobs: 0 });
  });

  it('copies every blob through when it cannot mount, keeping the Docker format', async () => {
    await writeBaseImage(repo('mirror/base-docker'), { family: 'docker', tag: '1.0' });
    const result = await build('mirror/base-docker', 'portal-api-docker');
    expect(result).toMatchObject({ manifestMediaType: MediaTypes.dockerManifest, uploadedBlobs: 4, mountedBlobs: 0 });
    const info = await skopeo('inspect', `docker://${registry.host}/portal-api-docker:${result.tag}`);
    expect(info.Digest).toBe(result.digest);
    expect(info.Env).toContain('NODE_ENV=production');
    expect((await skopeo('inspect', '--raw', `docker://${registry.host}/portal-api-docker:${result.tag}`)).mediaType).toBe(MediaTypes.dockerManifest);
  });

  it('pushes a new index for every platform of an index base', async () => {
    const platforms = [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }];
    await writeBaseImage(repo('wicked/base-multi'), { family: 'oci', tag: '1.0', platforms, attestation: true });
    const result = await build('wicked/base-multi', 'portal-api-multi', { allPlatforms: true });
    const raw = await skopeo('inspect', '--raw', `docker://${registry.host}/portal-api-multi:${result.tag}`);
    expect(raw.mediaType).toBe(MediaTypes.ociIndex);
    expect((raw.manifests as { platform: unknown }[]).map((m) => m.platform)).toEqual(platforms);
    const arm = await skopeo('--override-arch', 'arm64', '--override-os', 'linux', 'inspect', `docker://${registry.host}/portal-api-multi:${result.tag}`);
    expect(arm.Architecture).toBe('arm64');
  });
});
