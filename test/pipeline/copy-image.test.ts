import { promotedImage } from '../../cli/commands/promote-image';
import { writeStandInBase } from '../../local/stand-in-base';
import { validateImage } from '../../shared/oci';
import type { ImageRepository } from '../../shared/oci';
import { createRegistryRepository } from '../../shared/oci/registry/registry-repository';
import { copyImage } from '../../shared/pipeline/copy-image';
import type { RegistryServer } from '../helpers/registry-server';
import { startRegistry } from '../helpers/registry-server';

const D = `sha256:${'ab'.repeat(32)}`;

describe('promotedImage', () => {
  it.each([
    ['per-environment repository', `1.dkr.ecr.eu-west-1.amazonaws.com/wicked-dev/portal-api@${D}`, 'wicked-dev/portal-api', 'wicked-prod/portal-api'],
    ['a repository both environments share', `127.0.0.1:5000/portal-api@${D}`, 'portal-api', 'portal-api'],
    ['another environment prefix is not rewritten', `h:1/wicked-qa/portal-api@${D}`, 'wicked-qa/portal-api', 'wicked-qa/portal-api'],
  ])('%s', (_name, uri, source, target) => {
    const image = promotedImage(uri, 'dev', 'prod');
    expect(image).toMatchObject({ digest: D, sourceRepository: source, targetRepository: target });
    expect(image.imageUri).toBe(uri.replace(source, target));
  });

  it('refuses an image URI without a digest, naming what it expected', () => {
    expect(() => promotedImage('h/wicked-dev/portal-api:dev-live', 'dev', 'prod')).toThrow(expect.objectContaining({ exitCode: 1, message: expect.stringMatching(/expected HOST\/REPOSITORY@sha256/) }));
  });
});

describe('copyImage against the distribution registry', () => {
  let registry: RegistryServer;
  const open = (repository: string): ImageRepository => createRegistryRepository({ host: registry.host, repository, insecure: true });
  beforeAll(async () => { registry = await startRegistry(); });
  afterAll(async () => { await registry?.stop(); });

  it('copies by digest, mounting blobs from the source repository, and the copy validates with the same digest', async () => {
    const written = await writeStandInBase(open('wicked-dev/portal-api'), { tag: 'cfg-1', version: '9.9.9' });
    const result = await copyImage(open('wicked-dev/portal-api'), open('wicked-prod/portal-api'), written.digest, { mountFrom: 'wicked-dev/portal-api' });
    expect(result).toMatchObject({ digest: written.digest, present: false });
    expect(Object.values(result.blobs).sort()).toEqual(['mounted', 'mounted']);
    const copied = await open('wicked-prod/portal-api').fetchManifest(written.digest);
    expect(copied?.digest).toBe(written.digest);
    expect(await validateImage(open('wicked-prod/portal-api'), written.digest)).toEqual([]);
    expect(await copyImage(open('wicked-dev/portal-api'), open('wicked-prod/portal-api'), written.digest)).toEqual({ digest: written.digest, present: true, blobs: {} });
  });

  it('uploads when no mount is possible; a digest the source lacks is IMAGE_NOT_FOUND and writes nothing', async () => {
    const written = await writeStandInBase(open('src/a'), { tag: 't', version: '1.2.3' });
    expect(Object.values((await copyImage(open('src/a'), open('dst/a'), written.digest)).blobs).sort()).toEqual(['uploaded', 'uploaded']);
    expect(await validateImage(open('dst/a'), written.digest)).toEqual([]);
    await expect(copyImage(open('src/none'), open('dst/b'), written.digest)).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND', message: expect.stringContaining(`the source holds no manifest ${written.digest}`) });
    expect(await open('dst/b').fetchManifest(written.digest)).toBeUndefined();
  });
});
