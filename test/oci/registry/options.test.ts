import { canMount, createRegistryRepository, resolveRepositoryOptions } from '../../../shared/oci/registry';
import type { MountSource, RegistryRepositoryOptions } from '../../../shared/oci/registry';

describe('canMount', () => {
  const target = { host: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', repository: 'wicked/portal-api', pullThroughCachePrefixes: ['docker-hub', 'ghcr/'] };
  it.each<[string, MountSource, boolean]>([
    ['same host, another repository', { host: target.host, repository: 'wicked/base' }, true],
    ['same host in other letter case', { host: target.host.toUpperCase(), repository: 'wicked/base' }, true],
    ['another host', { host: '210987654321.dkr.ecr.eu-west-1.amazonaws.com', repository: 'wicked/base' }, false],
    ['the same repository', { host: target.host, repository: 'wicked/portal-api' }, false],
    ['a source flagged as pull-through cache', { host: target.host, repository: 'mirror/base', pullThroughCache: true }, false],
    ['a source below a pull-through prefix', { host: target.host, repository: 'docker-hub/haufelexware/wicked.api' }, false],
    ['a source below a prefix given with a slash', { host: target.host, repository: 'ghcr/org/image' }, false],
    ['a source named like the prefix', { host: target.host, repository: 'docker-hub' }, false],
    ['a source that only starts with the prefix text', { host: target.host, repository: 'docker-hubby/base' }, true],
  ])('%s → %s', (_name, source, expected) => {
    expect(canMount(resolveRepositoryOptions({ ...target }), source)).toBe(expected);
  });
});

describe('RegistryRepository.canMountFrom', () => {
  const host = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
  const target = createRegistryRepository({ host, repository: 'wicked/portal-api', pullThroughCachePrefixes: ['docker-hub'] });

  it('accepts repository objects and references', () => {
    expect(target.canMountFrom(createRegistryRepository({ host, repository: 'wicked/base' }))).toBe(true);
    expect(target.canMountFrom(`${host}/wicked/base:1.0`)).toBe(true);
    expect(target.canMountFrom('haufelexware/wicked.api:1.0.0')).toBe(false);
  });

  it('declines sources that are pull-through caches, by flag or by their own prefixes', () => {
    expect(target.canMountFrom(createRegistryRepository({ host, repository: 'mirror/base', pullThroughCache: true }))).toBe(false);
    const cached = createRegistryRepository({ host, repository: 'quay/org/base', pullThroughCachePrefixes: ['quay'] });
    expect(cached.pullThroughCache).toBe(true);
    expect(target.canMountFrom(cached)).toBe(false);
    expect(target.canMountFrom(`${host}/docker-hub/library/node:20`)).toBe(false);
  });
});

describe('resolveRepositoryOptions', () => {
  it('fills in defaults', () => {
    const resolved = resolveRepositoryOptions({ host: 'Registry.Example', repository: 'portal-api' });
    expect(resolved).toMatchObject({ host: 'registry.example', origin: 'https://registry.example', insecure: false, credentials: undefined, userAgent: 'wicked-control-plane', pullThroughCache: false, pullThroughCachePrefixes: [] });
    expect(resolved.retry.maxAttempts).toBe(5);
  });

  it.each<[string, RegistryRepositoryOptions, RegExp]>([
    ['an unknown key', { host: 'r.example', repository: 'a', retries: 3 } as unknown as RegistryRepositoryOptions, /unknown option\(s\) retries/],
    ['an upper-case repository', { host: 'r.example', repository: 'Portal' }, /repository must be a path .* received "Portal"/],
    ['an empty repository', { host: 'r.example', repository: '' }, /received ""/],
    ['a host with a scheme', { host: 'https://r.example', repository: 'a' }, /HOST\[:PORT\] without a scheme/],
    ['a bad pull-through prefix', { host: 'r.example', repository: 'a', pullThroughCachePrefixes: ['Docker Hub'] }, /pullThroughCachePrefixes/],
    ['a bad retry option', { host: 'r.example', repository: 'a', retry: { maxAttempts: 0 } }, /maxAttempts must be at least 1/],
    ['a session that is not a RegistrySession', { host: 'r.example', repository: 'a', session: {} } as unknown as RegistryRepositoryOptions, /session must be a RegistrySession/],
  ])('refuses %s', (_name, options, message) => {
    expect(() => resolveRepositoryOptions(options)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    expect(() => resolveRepositoryOptions(options)).toThrow(message);
  });
});
