import { decideAuth, parseBasicAuthorization } from '../../../local/ecr/auth';
import { ERROR_WIRE_FORMS } from '../../../local/ecr/errors';
import { inspectManifest } from '../../../local/ecr/manifest-facts';
import { checkMutabilityPolicy, decideTagWrite, isTagImmutable, wildcardMatches } from '../../../local/ecr/mutability';
import type { MutabilityPolicy } from '../../../local/ecr/mutability';
import { pageTags, planDeletion } from '../../../local/ecr/repository-state';
import type { RepositoryRecord } from '../../../local/ecr/repository-state';
import { isRepositoryName, parseOciPath } from '../../../local/ecr/routes';

const D = (c: string): string => `sha256:${c.repeat(64)}`;

describe('parseOciPath (distribution-spec v1.1, "Endpoints" table)', () => {
  it.each([
    ['/v2/', { kind: 'base' }],
    ['/v2', { kind: 'base' }],
    ['/v2/portal-api/tags/list', { kind: 'tags', name: 'portal-api' }],
    ['/v2/team/portal-api/manifests/cfg-1', { kind: 'manifest', name: 'team/portal-api', reference: 'cfg-1' }],
    [`/v2/a/b/c/manifests/${D('a')}`, { kind: 'manifest', name: 'a/b/c', reference: D('a') }],
    [`/v2/portal-api/blobs/${D('b')}`, { kind: 'blob', name: 'portal-api', digest: D('b') }],
    ['/v2/portal-api/blobs/uploads/', { kind: 'uploads', name: 'portal-api' }],
    ['/v2/portal-api/blobs/uploads', { kind: 'uploads', name: 'portal-api' }],
    ['/v2/portal-api/blobs/uploads/1234-abcd', { kind: 'upload', name: 'portal-api', uuid: '1234-abcd' }],
    [`/v2/x/blobs/blobs/${D('c')}`, { kind: 'blob', name: 'x/blobs', digest: D('c') }],
    ['/v2/portal-api/other', undefined],
    ['/v3/portal-api/tags/list', undefined],
  ])('%s', (path, expected) => {
    expect(parseOciPath(path)).toEqual(expected);
  });

  it.each([
    ['portal-api', true],
    ['team/portal.api_x', true],
    ['a__b', true],
    ['Portal', false],
    ['a', false],
    ['a//b', false],
    ['-a', false],
    ['a/', false],
  ])('repository name %s valid: %s', (name, valid) => {
    expect(isRepositoryName(name)).toBe(valid);
  });
});

describe('tag mutability (ECR user guide "Image tag mutability"; API reference ImageTagMutabilityExclusionFilter)', () => {
  const policy = (mutability: MutabilityPolicy['mutability'], exclusionFilters: string[] = []): MutabilityPolicy => ({ mutability, exclusionFilters });

  it.each([
    ['*-live', 'dev-live', true],
    ['*-live', 'dev-live-2', false],
    ['*-live', '-live', true],
    ['cfg-*', 'cfg-abc', true],
    ['latest', 'latest', true],
    ['latest', 'latest2', false],
    ['a.b', 'aXb', false],
    ['*', 'anything', true],
  ])('wildcard %s matches %s: %s', (filter, tag, expected) => {
    expect(wildcardMatches(filter, tag)).toBe(expected);
  });

  it.each([
    [policy('MUTABLE'), 'cfg-1', false],
    [policy('IMMUTABLE'), 'dev-live', true],
    [policy('IMMUTABLE_WITH_EXCLUSION', ['*-live']), 'dev-live', false],
    [policy('IMMUTABLE_WITH_EXCLUSION', ['*-live']), 'cfg-1', true],
    [policy('MUTABLE_WITH_EXCLUSION', ['release-*']), 'release-1', true],
    [policy('MUTABLE_WITH_EXCLUSION', ['release-*']), 'latest', false],
  ])('%j: tag %s immutable = %s', (settings, tag, expected) => {
    expect(isTagImmutable(settings, tag)).toBe(expected);
  });

  it.each([
    [policy('IMMUTABLE'), undefined, D('a'), 'create'],
    [policy('IMMUTABLE'), D('a'), D('a'), 'unchanged'],
    [policy('IMMUTABLE'), D('a'), D('b'), 'conflict'],
    [policy('MUTABLE'), D('a'), D('b'), 'move'],
    [policy('IMMUTABLE_WITH_EXCLUSION', ['*-live']), D('a'), D('b'), 'move'],
  ])('%j existing %s incoming %s → %s', (settings, existing, incoming, expected) => {
    const tag = settings.exclusionFilters.length ? 'dev-live' : 'cfg-1';
    expect(decideTagWrite(settings, tag, existing, incoming)).toBe(expected);
  });

  it.each([
    [undefined, undefined, { mutability: 'MUTABLE', exclusionFilters: [] }],
    ['IMMUTABLE_WITH_EXCLUSION', [{ filterType: 'WILDCARD', filter: '*-live' }], { mutability: 'IMMUTABLE_WITH_EXCLUSION', exclusionFilters: ['*-live'] }],
  ])('accepts %s with %j', (mutability, filters, expected) => {
    expect(checkMutabilityPolicy(mutability, filters)).toEqual(expected);
  });

  it.each([
    ['SOMETIMES', undefined, /imageTagMutability must be one of/],
    ['IMMUTABLE', [{ filterType: 'WILDCARD', filter: 'x' }], /only allowed with/],
    ['IMMUTABLE_WITH_EXCLUSION', [], /needs 1 to 5/],
    ['IMMUTABLE_WITH_EXCLUSION', Array.from({ length: 6 }, () => ({ filterType: 'WILDCARD', filter: 'x' })), /needs 1 to 5 imageTagMutabilityExclusionFilters, received 6/],
    ['IMMUTABLE_WITH_EXCLUSION', [{ filterType: 'REGEX', filter: 'x' }], /filterType must be WILDCARD/],
    ['IMMUTABLE_WITH_EXCLUSION', [{ filterType: 'WILDCARD', filter: 'a/b' }], /exclusion filter must match/],
  ])('refuses %s with %j', (mutability, filters, message) => {
    expect(() => checkMutabilityPolicy(mutability, filters)).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETER', message: expect.stringMatching(message) }));
  });
});

describe('registry auth decision (ECR user guide "Private registry authentication")', () => {
  const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const tokens = new Map([['good', 1000]]);
  it.each([
    [undefined, 0, { ok: false, reason: 'missing' }],
    ['Bearer x', 0, { ok: false, reason: 'malformed' }],
    [basic('bob', 'good'), 0, { ok: false, reason: 'wrong-user' }],
    [basic('AWS', 'bad'), 0, { ok: false, reason: 'unknown-token' }],
    [basic('AWS', 'good'), 999, { ok: true }],
    [basic('AWS', 'good'), 1000, { ok: false, reason: 'expired' }],
  ])('%s at %d', (header, now, expected) => {
    expect(decideAuth(header, tokens, now)).toEqual(expected);
  });

  it('keeps colons inside the password', () => {
    expect(parseBasicAuthorization(basic('AWS', 'a:b'))).toEqual({ username: 'AWS', password: 'a:b' });
  });
});

describe('inspectManifest', () => {
  const image = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: D('c'), size: 10 }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: D('1'), size: 100 }, { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: D('2'), size: 23 }] };
  const bytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

  it('reads blobs, layer bytes and the config media type of an image', () => {
    expect(inspectManifest(bytes(image), undefined)).toEqual({ mediaType: image.mediaType, kind: 'image', blobs: [D('c'), D('1'), D('2')], manifests: [], layerBytes: 123, configMediaType: image.config.mediaType });
  });

  it('reads the children of an index', () => {
    const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: image.mediaType, digest: D('9'), size: 5 }] };
    expect(inspectManifest(bytes(index), index.mediaType)).toMatchObject({ kind: 'index', manifests: [D('9')], blobs: [] });
  });

  it.each([
    [Buffer.from('{nope'), undefined, /not JSON/],
    [bytes(image), 'application/vnd.docker.distribution.manifest.v2+json', /does not match/],
    [bytes({ ...image, mediaType: 'application/vnd.docker.distribution.manifest.v1+json' }), undefined, /is not stored/],
    [bytes({ ...image, schemaVersion: 1 }), undefined, /schemaVersion must be 2/],
    [bytes({ ...image, layers: [{ ...image.layers[0], digest: 'md5:x' }] }), undefined, /layers\[0\]\.digest/],
    [bytes({ ...image, config: { ...image.config, size: -1 } }), undefined, /config\[0\]\.size/],
  ])('refuses %#', (body, contentType, message) => {
    expect(() => inspectManifest(body, contentType)).toThrow(expect.objectContaining({ code: 'MANIFEST_INVALID', message: expect.stringMatching(message) }));
  });
});

describe('repository state decisions', () => {
  const record = (tags: Record<string, string>): RepositoryRecord => ({
    name: 'r',
    createdAt: 0,
    policy: { mutability: 'MUTABLE', exclusionFilters: [] },
    blobs: {},
    manifests: Object.fromEntries(Object.values(tags).map((digest) => [digest, { mediaType: 'm', size: 1, pushedAt: 0, layerBytes: 0, configMediaType: undefined, children: [] }])),
    tags,
  });

  it.each([
    // API reference BatchDeleteImage: removing the last tag of an image deletes the image.
    [{ a: D('1') }, 'a', { digest: D('1'), removeTags: ['a'], removeManifest: true }],
    [{ a: D('1'), b: D('1') }, 'a', { digest: D('1'), removeTags: ['a'], removeManifest: false }],
    [{ a: D('1'), b: D('1') }, D('1'), { digest: D('1'), removeTags: ['a', 'b'], removeManifest: true }],
    [{ a: D('1') }, 'zzz', undefined],
  ])('planDeletion %j %s', (tags, reference, expected) => {
    expect(planDeletion(record(tags), reference)).toEqual(expected);
  });

  it.each([
    [['c', 'a', 'b'], undefined, undefined, { page: ['a', 'b', 'c'], more: false }],
    [['c', 'a', 'b'], 2, undefined, { page: ['a', 'b'], more: true }],
    [['c', 'a', 'b'], 2, 'b', { page: ['c'], more: false }],
    [['a'], 0, undefined, { page: [], more: true }],
  ])('pageTags %j n=%s last=%s', (tags, n, last, expected) => {
    expect(pageTags(tags, n, last)).toEqual(expected);
  });
});

describe('error wire forms', () => {
  it('gives every code a 4xx status, a distribution code and an ECR exception name', () => {
    for (const form of Object.values(ERROR_WIRE_FORMS)) {
      expect(form.status).toBeGreaterThanOrEqual(400);
      expect(form.status).toBeLessThan(500);
      expect(form.oci).toMatch(/^[A-Z_]+$/);
      expect(form.aws).toMatch(/^[A-Z][A-Za-z]+Exception$/);
    }
    // ECR refuses an immutable tag over the registry API with 400 TAG_INVALID.
    expect(ERROR_WIRE_FORMS.TAG_IMMUTABLE).toEqual({ status: 400, oci: 'TAG_INVALID', aws: 'ImageTagAlreadyExistsException' });
  });
});
