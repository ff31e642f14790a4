import { join, resolve } from 'node:path';
import { MediaTypes } from '../../../shared/oci/media-types';
import { ImmutableTagError } from '../../../shared/oci/registry/errors';
import { validateImage } from '../../../shared/oci/validate';
import { buildConfigImage } from '../../../shared/pipeline/build-config';
import { writeStandInBase } from '../../../local/stand-in-base';
import { pushTinyImage, registryClient, startEcrFixture } from './ecr-fixture';
import type { EcrFixture } from './ecr-fixture';

let fixture: EcrFixture;
beforeEach(async () => {
  fixture = await startEcrFixture();
});
afterEach(async () => {
  await fixture.stop();
});

describe("the project's registry client against the emulator (ecrCredentials + createRegistryRepository)", () => {
  it('pushes and reads back blobs and manifests, authenticated through GetAuthorizationToken', async () => {
    await fixture.ecr.control.createRepository('portal-api');
    const repo = registryClient(fixture, 'portal-api');
    const image = await pushTinyImage(repo, 'cfg-1', 'one');
    expect(await repo.statBlob(image.layerDigest)).toBe(image.layerSize);
    const fetched = await repo.fetchManifest('cfg-1');
    expect(fetched).toEqual({ mediaType: MediaTypes.ociManifest, digest: image.digest, bytes: image.manifest });
    expect(await repo.fetchManifest('absent')).toBeUndefined();
  });

  it('answers NAME_UNKNOWN for a repository nobody created (ECR requires repositories to exist)', async () => {
    await expect(pushTinyImage(registryClient(fixture, 'never-created'), 'x', 'one')).rejects.toMatchObject({ code: 'NAME_UNKNOWN', status: 404 });
  });

  it('immutable tags: another digest is refused with 400 TAG_INVALID, the same digest succeeds, excluded *-live tags move (ECR user guide "Image tag mutability")', async () => {
    await fixture.ecr.control.createRepository('portal-api', { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', exclusionFilters: ['*-live'] });
    const repo = registryClient(fixture, 'portal-api');
    const one = await pushTinyImage(repo, 'cfg-1', 'one');
    const two = await pushTinyImage(repo, 'cfg-2', 'two');
    expect(await repo.putManifest('cfg-1', MediaTypes.ociManifest, one.manifest)).toBe(one.digest);
    const refused = await repo.putManifest('cfg-1', MediaTypes.ociManifest, two.manifest).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ImmutableTagError);
    expect(refused).toMatchObject({ existing: one.digest, wanted: two.digest });
    const raw = await fetch(`${fixture.ecr.url}/v2/portal-api/manifests/cfg-1`, {
      method: 'PUT',
      body: two.manifest,
      headers: { 'content-type': MediaTypes.ociManifest, authorization: `Basic ${Buffer.from(`AWS:${fixture.ecr.control.issueCredentials().password}`).toString('base64')}` },
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ errors: [{ code: 'TAG_INVALID', message: "The image tag 'cfg-1' already exists in the 'portal-api' repository and cannot be overwritten because the repository is immutable." }] });
    await repo.putManifest('dev-live', MediaTypes.ociManifest, one.manifest);
    await repo.putManifest('dev-live', MediaTypes.ociManifest, two.manifest);
    expect((await repo.fetchManifest('dev-live'))?.digest).toBe(two.digest);
    expect((await repo.fetchManifest('cfg-1'))?.digest).toBe(one.digest);
  });

  it('buildConfigImage pushes the example config onto the stand-in base, mounting base blobs, and the image validates', async () => {
    await fixture.ecr.control.createRepository('wicked-base');
    await fixture.ecr.control.createRepository('portal-api', { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', exclusionFilters: ['*-live'] });
    const base = registryClient(fixture, 'wicked-base');
    const { reference } = await writeStandInBase(base);
    const target = registryClient(fixture, 'portal-api');
    const image = { base: { repository: base, reference, mountFrom: 'wicked-base' }, target };
    const outcome = await buildConfigImage({ source: { path: join(resolve(__dirname, '../../..'), 'examples', 'static') }, image });
    if (outcome.kind !== 'built') throw new Error(`example config rejected: ${JSON.stringify(outcome.report.issues)}`);
    expect(outcome.result.mountedBlobs).toBe(1);
    expect(await validateImage(target, outcome.result.tag)).toEqual([]);
    const images = fixture.ecr.control.listImages('portal-api');
    expect(images.map((i) => [i.imageDigest, i.imageTags])).toEqual([[outcome.result.digest, [outcome.result.tag]]]);
    const again = await buildConfigImage({ source: { path: join(resolve(__dirname, '../../..'), 'examples', 'static') }, image });
    expect(again.kind === 'built' && again.result.skipped).toBe(true);
  });
});
