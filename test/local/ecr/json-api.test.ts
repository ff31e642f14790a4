import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  ImageAlreadyExistsException,
  ImageNotFoundException,
  ImageTagAlreadyExistsException,
  InvalidParameterException,
  LayersNotFoundException,
  PutImageCommand,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { MediaTypes } from '../../../shared/oci/media-types';
import { TOKEN_LIFETIME_MS } from '../../../local/ecr';
import { pushTinyImage, registryClient, startEcrFixture } from './ecr-fixture';
import type { EcrFixture } from './ecr-fixture';

let fixture: EcrFixture;
beforeEach(async () => {
  fixture = await startEcrFixture();
});
afterEach(async () => {
  await fixture.stop();
});

describe('ECR JSON API through @aws-sdk/client-ecr', () => {
  it('GetAuthorizationToken: base64 AWS:<password>, valid 12 hours, proxyEndpoint is the registry (API reference GetAuthorizationToken)', async () => {
    const before = Date.now();
    const { authorizationData } = await fixture.client.send(new GetAuthorizationTokenCommand({}));
    const took = Date.now() - before;
    const [data] = authorizationData ?? [];
    const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
    expect(decoded).toMatch(/^AWS:.{20,}$/);
    expect(data?.proxyEndpoint).toBe(fixture.ecr.url);
    const lifetime = (data?.expiresAt?.getTime() ?? 0) - before;
    // The token was issued while the call ran: 12 hours from an instant within it (a second of slack for the wire's whole seconds).
    expect(lifetime).toBeGreaterThan(TOKEN_LIFETIME_MS - 1000);
    expect(lifetime).toBeLessThanOrEqual(TOKEN_LIFETIME_MS + took + 1000);
    const ping = await fetch(`${fixture.ecr.url}/v2/`, { headers: { authorization: `Basic ${data?.authorizationToken}` } });
    expect(ping.status).toBe(200);
  });

  it('CreateRepository and DescribeRepositories: repositoryUri is host:port/name, mutability and exclusion filters echoed (API reference CreateRepository)', async () => {
    const { repository } = await fixture.client.send(new CreateRepositoryCommand({
      repositoryName: 'team/portal-api',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: '*-live' }],
    }));
    expect(repository).toMatchObject({
      repositoryName: 'team/portal-api',
      registryId: '000000000000',
      repositoryArn: 'arn:aws:ecr:us-east-1:000000000000:repository/team/portal-api',
      repositoryUri: `${fixture.ecr.control.registry}/team/portal-api`,
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: '*-live' }],
    });
    expect(repository?.createdAt).toBeInstanceOf(Date);
    await fixture.ecr.control.createRepository('other');
    const all = await fixture.client.send(new DescribeRepositoriesCommand({}));
    expect(all.repositories?.map((r) => r.repositoryName)).toEqual(['other', 'team/portal-api']);
    const one = await fixture.client.send(new DescribeRepositoriesCommand({ repositoryNames: ['other'] }));
    expect(one.repositories?.[0]?.imageTagMutability).toBe('MUTABLE');
  });

  it('CreateRepository refuses duplicates and bad settings; unknown repositories raise RepositoryNotFoundException', async () => {
    await fixture.client.send(new CreateRepositoryCommand({ repositoryName: 'dup' }));
    await expect(fixture.client.send(new CreateRepositoryCommand({ repositoryName: 'dup' }))).rejects.toBeInstanceOf(RepositoryAlreadyExistsException);
    await expect(fixture.client.send(new CreateRepositoryCommand({ repositoryName: 'x', imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(fixture.client.send(new DescribeRepositoriesCommand({ repositoryNames: ['nope'] }))).rejects.toThrow(RepositoryNotFoundException);
    await expect(fixture.client.send(new DescribeImagesCommand({ repositoryName: 'nope' }))).rejects.toThrow(/The repository with name 'nope' does not exist/);
  });

  it('DescribeImages: digest, tags, size, pushedAt, media types; filter by imageIds; ImageNotFoundException (API reference DescribeImages)', async () => {
    await fixture.ecr.control.createRepository('portal-api');
    const repo = registryClient(fixture, 'portal-api');
    const image = await pushTinyImage(repo, 'cfg-1', 'one');
    await repo.putManifest('dev-live', MediaTypes.ociManifest, image.manifest);
    const second = await pushTinyImage(repo, 'cfg-2', 'two');
    const { imageDetails } = await fixture.client.send(new DescribeImagesCommand({ repositoryName: 'portal-api' }));
    expect(imageDetails).toHaveLength(2);
    const first = imageDetails?.find((detail) => detail.imageDigest === image.digest);
    expect(first).toMatchObject({ imageTags: ['cfg-1', 'dev-live'], imageSizeInBytes: image.layerSize, imageManifestMediaType: MediaTypes.ociManifest, artifactMediaType: MediaTypes.ociConfig });
    expect(first?.imagePushedAt).toBeInstanceOf(Date);
    const byTag = await fixture.client.send(new DescribeImagesCommand({ repositoryName: 'portal-api', imageIds: [{ imageTag: 'cfg-2' }] }));
    expect(byTag.imageDetails?.map((detail) => detail.imageDigest)).toEqual([second.digest]);
    await expect(fixture.client.send(new DescribeImagesCommand({ repositoryName: 'portal-api', imageIds: [{ imageTag: 'missing' }] }))).rejects.toBeInstanceOf(ImageNotFoundException);
    const page = await fixture.client.send(new DescribeImagesCommand({ repositoryName: 'portal-api', maxResults: 1 }));
    expect(page.imageDetails).toHaveLength(1);
    const rest = await fixture.client.send(new DescribeImagesCommand({ repositoryName: 'portal-api', maxResults: 1, nextToken: page.nextToken }));
    expect(rest.imageDetails?.[0]?.imageDigest).not.toBe(page.imageDetails?.[0]?.imageDigest);
    expect(rest.nextToken).toBeUndefined();
  });

  it('BatchGetImage returns the manifest and lists missing images as failures (API reference BatchGetImage)', async () => {
    await fixture.ecr.control.createRepository('portal-api');
    const image = await pushTinyImage(registryClient(fixture, 'portal-api'), 'cfg-1', 'one');
    const result = await fixture.client.send(new BatchGetImageCommand({ repositoryName: 'portal-api', imageIds: [{ imageTag: 'cfg-1' }, { imageTag: 'gone' }, {}] }));
    expect(result.images).toEqual([
      { registryId: '000000000000', repositoryName: 'portal-api', imageId: { imageDigest: image.digest, imageTag: 'cfg-1' }, imageManifest: image.manifest.toString('utf8'), imageManifestMediaType: MediaTypes.ociManifest },
    ]);
    expect(result.failures?.map((failure) => failure.failureCode)).toEqual(['ImageNotFound', 'MissingDigestAndTag']);
    expect(result.failures?.[0]).toMatchObject({ imageId: { imageTag: 'gone' }, failureReason: 'Requested image not found' });
  });

  it('PutImage retags; the same tag on the same digest raises ImageAlreadyExistsException (API reference PutImage)', async () => {
    await fixture.ecr.control.createRepository('portal-api');
    const image = await pushTinyImage(registryClient(fixture, 'portal-api'), 'cfg-1', 'one');
    const put = await fixture.client.send(new PutImageCommand({ repositoryName: 'portal-api', imageManifest: image.manifest.toString('utf8'), imageManifestMediaType: MediaTypes.ociManifest, imageTag: 'prod-live' }));
    expect(put.image?.imageId).toEqual({ imageDigest: image.digest, imageTag: 'prod-live' });
    const again = fixture.client.send(new PutImageCommand({ repositoryName: 'portal-api', imageManifest: image.manifest.toString('utf8'), imageTag: 'prod-live' }));
    await expect(again).rejects.toBeInstanceOf(ImageAlreadyExistsException);
    await expect(fixture.client.send(new PutImageCommand({ repositoryName: 'portal-api', imageManifest: image.manifest.toString('utf8'), imageTag: 'prod-live' }))).rejects.toThrow(/already exists in the repository with name 'portal-api'/);
    expect(fixture.ecr.control.listImages('portal-api')[0]?.imageTags).toEqual(['cfg-1', 'prod-live']);
    expect(fixture.ecr.control.pushes().map((push) => [push.via, push.tag, push.tagWrite])).toEqual([['oci', 'cfg-1', 'create'], ['PutImage', 'prod-live', 'create']]);
  });

  it('PutImage on an immutable tag with another digest raises ImageTagAlreadyExistsException; excluded tags move (ECR user guide "Image tag mutability")', async () => {
    await fixture.ecr.control.createRepository('portal-api', { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', exclusionFilters: ['*-live'] });
    const repo = registryClient(fixture, 'portal-api');
    const one = await pushTinyImage(repo, 'cfg-1', 'one');
    const two = await pushTinyImage(repo, 'cfg-2', 'two');
    const put = (tag: string, manifest: Buffer) => fixture.client.send(new PutImageCommand({ repositoryName: 'portal-api', imageManifest: manifest.toString('utf8'), imageTag: tag }));
    await expect(put('cfg-1', two.manifest)).rejects.toBeInstanceOf(ImageTagAlreadyExistsException);
    await put('dev-live', one.manifest);
    await put('dev-live', two.manifest);
    const live = await fixture.client.send(new DescribeImagesCommand({ repositoryName: 'portal-api', imageIds: [{ imageTag: 'dev-live' }] }));
    expect(live.imageDetails?.[0]?.imageDigest).toBe(two.digest);
    await expect(put('cfg-x', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: { mediaType: MediaTypes.ociConfig, digest: `sha256:${'0'.repeat(64)}`, size: 1 }, layers: [] })))).rejects.toBeInstanceOf(LayersNotFoundException);
  });

  it('BatchDeleteImage: a tag goes, the image with its last tag; a digest removes the image (API reference BatchDeleteImage)', async () => {
    await fixture.ecr.control.createRepository('portal-api');
    const repo = registryClient(fixture, 'portal-api');
    const image = await pushTinyImage(repo, 'a', 'one');
    await repo.putManifest('b', MediaTypes.ociManifest, image.manifest);
    const first = await fixture.client.send(new BatchDeleteImageCommand({ repositoryName: 'portal-api', imageIds: [{ imageTag: 'a' }, { imageTag: 'zzz' }] }));
    expect(first.imageIds).toEqual([{ imageDigest: image.digest, imageTag: 'a' }]);
    expect(first.failures?.[0]).toMatchObject({ imageId: { imageTag: 'zzz' }, failureCode: 'ImageNotFound' });
    expect(fixture.ecr.control.listImages('portal-api').map((i) => i.imageTags)).toEqual([['b']]);
    await fixture.client.send(new BatchDeleteImageCommand({ repositoryName: 'portal-api', imageIds: [{ imageTag: 'b' }] }));
    expect(fixture.ecr.control.listImages('portal-api')).toEqual([]);
    expect(fixture.events.map((event) => [event['detail-type'], event.detail['action-type']])).toEqual([['ECR Image Action', 'PUSH'], ['ECR Image Action', 'PUSH'], ['ECR Image Action', 'DELETE']]);
  });
});
