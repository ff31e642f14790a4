import { createRegistryRepository } from '../../../shared/oci/registry/registry-repository';
import { accountImageResolver } from '../../../local/image-resolver';
import { DOCKER_HUB_UPSTREAM, PullThroughCache } from '../../../local/pull-through-cache';
import { writeStandInBase } from '../../../local/stand-in-base';
import type { EcrFixture } from './ecr-fixture';
import { startEcrFixture } from './ecr-fixture';

const HOST = '000000000000.dkr.ecr.us-east-1.amazonaws.com';

describe('task images resolve as ECS pulls them: the account ECR address, the pull-through cache, other registries', () => {
  let fixture: EcrFixture;
  let cache: PullThroughCache;
  let resolve: (image: string) => Promise<string | undefined>;
  beforeAll(async () => {
    fixture = await startEcrFixture();
    const ecr = fixture.ecr.control;
    cache = new PullThroughCache(ecr);
    resolve = accountImageResolver({ ecr, account: '000000000000', region: 'us-east-1', cache });
    await ecr.createRepository('wicked-dev/portal-api');
    const credentials = { get: async () => ({ username: 'AWS', password: ecr.issueCredentials().password }) };
    await writeStandInBase(createRegistryRepository({ host: ecr.registry, repository: 'wicked-dev/portal-api', insecure: true, credentials }), { tag: 'dev-live' });
  });
  afterAll(() => fixture.stop());

  it.each([
    ['a pushed tag in the account ECR', `${HOST}/wicked-dev/portal-api:dev-live`, 'found'],
    ['a tag nothing pushed', `${HOST}/wicked-dev/portal-api:prod-live`, 'missing'],
    ['a repository that does not exist', `${HOST}/nothing/here:1`, 'missing'],
    ['another account', '111111111111.dkr.ecr.us-east-1.amazonaws.com/wicked-dev/portal-api:dev-live', 'missing'],
    ['another region', '000000000000.dkr.ecr.eu-west-1.amazonaws.com/wicked-dev/portal-api:dev-live', 'missing'],
    ['docker-hub/ with no cache rule yet', `${HOST}/docker-hub/library/redis:7.2`, 'missing'],
    ['a public registry image', 'public.ecr.aws/docker/library/redis:7.2', 'found'],
  ])('%s: %s is %s', async (_what, image, expected) => {
    expect((await resolve(image)) === undefined ? 'missing' : 'found').toBe(expected);
  });

  it('with a Docker Hub rule, the first pull creates the repository and caches the stand-in under the tag; a second pull finds it', async () => {
    cache.addRule({ prefix: 'docker-hub', upstreamRegistryUrl: DOCKER_HUB_UPSTREAM });
    const [first, concurrent] = await Promise.all([resolve(`${HOST}/docker-hub/library/kong:0.14.1`), resolve(`${HOST}/docker-hub/library/kong:0.14.1`)]);
    expect(first).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(concurrent).toBe(first);
    expect(fixture.ecr.control.listImages('docker-hub/library/kong').map((i) => i.imageTags)).toEqual([['0.14.1']]);
    expect(await resolve(`${HOST}/docker-hub/library/kong:0.14.1`)).toBe(first);
  });

  it('a second rule for the same prefix is refused; a rule for another upstream serves nothing', async () => {
    expect(() => cache.addRule({ prefix: 'docker-hub', upstreamRegistryUrl: DOCKER_HUB_UPSTREAM })).toThrow(/already exists/);
    cache.addRule({ prefix: 'quay', upstreamRegistryUrl: 'quay.io' });
    expect(await resolve(`${HOST}/quay/coreos/etcd:v3`)).toBeUndefined();
  });

  it('a registry client reading a manifest under the rule fills the cache first (as build-image pulls its base)', async () => {
    fixture.ecr.control.onManifestRead((repository, reference) => cache.pull(repository, reference));
    const ecr = fixture.ecr.control;
    const credentials = { get: async () => ({ username: 'AWS', password: ecr.issueCredentials().password }) };
    const base = createRegistryRepository({ host: ecr.registry, repository: 'docker-hub/haufelexware/wicked.api', insecure: true, credentials });
    const manifest = await base.fetchManifest('1.0.0');
    expect(manifest?.digest).toMatch(/^sha256:/);
    fixture.ecr.control.onManifestRead(undefined);
  });
});
