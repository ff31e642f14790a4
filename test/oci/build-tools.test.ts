import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildAndPush } from '../../shared/oci/build';
import { MediaTypes } from '../../shared/oci/media-types';
import { Labels } from '../../shared/oci/mutate';
import { OciLayoutRepository } from '../../shared/oci/oci-layout';
import { assertValidImage } from '../../shared/oci/validate';
import { writeBaseImage } from '../helpers/base-image';
import { dirEntries } from '../helpers/dir-entries';

const run = promisify(execFile);

const FILES: Record<string, string> = {
  'globals.json': '{"title":"Portal"}\n',
  'env/default.json': '{"PORTAL_NETWORK_SCHEMA":"https"}\n',
  'apis/petstore/config.json': '{"api":{"upstream_url":"http://petstore"}}\n',
  'content/index.md': '# Hello\n\nÜmlauts and 日本語.\n',
  [`templates/${'long-name-'.repeat(12)}.json`]: '{}',
};

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'build-tools-'));
  for (const [path, content] of Object.entries(FILES)) {
    await mkdir(join(work, 'src', path, '..'), { recursive: true });
    await writeFile(join(work, 'src', path), content);
  }
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function build(family: 'oci' | 'docker', name: string, allPlatforms = false) {
  const base = await OciLayoutRepository.open(join(work, `${name}-base`));
  const platforms = allPlatforms ? [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] : undefined;
  await writeBaseImage(base, { family, tag: '1.0', platforms });
  const target = await OciLayoutRepository.open(join(work, name));
  const result = await buildAndPush({ base: { repository: base, reference: '1.0' }, target, entries: await dirEntries(join(work, 'src')), configHash: 'f00d', allPlatforms });
  await assertValidImage(target, result.tag);
  return { result, dir: target.directory };
}

describe('built images, read by skopeo and umoci', () => {
  // skopeo's oci: transport only finds OCI media types in index.json, so Docker-format builds are checked against a registry instead.
  it('skopeo inspects an OCI build with its digest, layers and labels', async () => {
    const family = 'oci';
    const { result, dir } = await build(family, `skopeo-${family}`);
    const { stdout } = await run('skopeo', ['inspect', `oci:${dir}:${result.tag}`]);
    const info = JSON.parse(stdout) as { Digest: string; Layers: string[]; Labels: Record<string, string>; Architecture: string; Env: string[] };
    expect(info.Digest).toBe(result.digest);
    expect(info.Layers.at(-1)).toBe(result.layer.digest);
    expect(info.Labels[Labels.configHash]).toBe('f00d');
    expect(info.Env).toContain('NODE_ENV=production');
    const raw = JSON.parse((await run('skopeo', ['inspect', '--raw', `oci:${dir}:${result.tag}`])).stdout) as { mediaType: string };
    expect(raw.mediaType).toBe(MediaTypes.ociManifest);
  });

  it('skopeo resolves a built OCI index to the amd64 image', async () => {
    const { result, dir } = await build('oci', 'skopeo-index', true);
    const { stdout } = await run('skopeo', ['--override-arch', 'amd64', '--override-os', 'linux', 'inspect', `oci:${dir}:${result.tag}`]);
    const info = JSON.parse(stdout) as { Architecture: string; Layers: string[] };
    expect(info.Architecture).toBe('amd64');
    expect(info.Layers.at(-1)).toBe(result.layer.digest);
  });

  it('umoci unpacks the image with the configuration byte for byte under /var/portal-api/static', async () => {
    const { result, dir } = await build('oci', 'umoci');
    const bundle = join(work, 'bundle');
    await run('umoci', ['unpack', '--rootless', '--image', `${dir}:${result.tag}`, bundle]);
    const rootfs = join(bundle, 'rootfs');
    for (const [path, content] of Object.entries(FILES)) {
      expect(await readFile(join(rootfs, 'var/portal-api/static', path), 'utf8')).toBe(content);
    }
    expect(await readFile(join(rootfs, 'usr/src/app/package.json'), 'utf8')).toBe('{"name":"portal-api"}\n');
    expect((await stat(join(rootfs, 'var/portal-api/static/env'))).mode & 0o777).toBe(0o755);
    const runtime = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as { process: { args: string[]; cwd: string; env: string[] } };
    expect(runtime.process.args).toEqual(['/usr/src/app/bin/docker-entrypoint.sh', 'npm', 'start']);
    expect(runtime.process.cwd).toBe('/usr/src/app');
  });
});
