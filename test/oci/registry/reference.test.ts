import fc from 'fast-check';
import { formatImageReference, ImageReferenceError, isValidRepositoryName, parseImageReference, parseRegistryReference } from '../../../shared/oci/registry';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('parseImageReference', () => {
  it.each([
    ['127.0.0.1:5000/portal-api:cfg-1a2b', { registry: '127.0.0.1:5000', host: '127.0.0.1:5000', repository: 'portal-api', tag: 'cfg-1a2b', digest: undefined, reference: 'cfg-1a2b' }],
    ['localhost:5000/team/portal-api', { registry: 'localhost:5000', repository: 'team/portal-api', tag: undefined, reference: 'latest' }],
    ['localhost/portal-api', { registry: 'localhost', repository: 'portal-api' }],
    [`123456789012.dkr.ecr.eu-west-1.amazonaws.com/wicked/portal-api@${DIGEST}`, { host: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', repository: 'wicked/portal-api', tag: undefined, digest: DIGEST, reference: DIGEST }],
    [`r.example/a:1.0@${DIGEST}`, { repository: 'a', tag: '1.0', digest: DIGEST, reference: DIGEST }],
    ['haufelexware/wicked.api:1.0.0', { registry: 'docker.io', host: 'registry-1.docker.io', repository: 'haufelexware/wicked.api', tag: '1.0.0' }],
    ['haufelexware/wicked.portal-api', { registry: 'docker.io', repository: 'haufelexware/wicked.portal-api', reference: 'latest' }],
    ['alpine', { registry: 'docker.io', host: 'registry-1.docker.io', repository: 'library/alpine', tag: undefined }],
    ['alpine:3.19', { repository: 'library/alpine', tag: '3.19' }],
    ['docker.io/alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    ['index.docker.io/library/alpine:edge', { registry: 'docker.io', host: 'registry-1.docker.io', repository: 'library/alpine', tag: 'edge' }],
    ['Registry/repo', { registry: 'Registry', host: 'Registry', repository: 'repo' }],
    ['[::1]:5000/portal-api:v1', { host: '[::1]:5000', repository: 'portal-api', tag: 'v1' }],
    ['r.example/a__b/c-d.e_f:T_1.x-y', { repository: 'a__b/c-d.e_f', tag: 'T_1.x-y' }],
  ])('parses %s', (text, expected) => {
    expect(parseImageReference(text)).toMatchObject({ kind: 'registry', ...expected });
  });

  it.each([
    ['oci:/tmp/out', { path: '/tmp/out', tag: undefined }],
    ['oci:/tmp/out:cfg-1', { path: '/tmp/out', tag: 'cfg-1' }],
    ['oci:relative/dir:latest', { path: 'relative/dir', tag: 'latest' }],
  ])('recognises the OCI layout %s', (text, expected) => {
    expect(parseImageReference(text)).toEqual({ kind: 'oci-layout', ...expected });
  });

  // Hostile and malformed inputs: every one must be refused with a typed error.
  it.each([
    ['', /empty string/],
    ['oci:', /empty directory/],
    ['oci::tag', /empty directory/],
    ['oci:/tmp/out:', /printable ASCII tag/],
    ['oci:/tmp/out:bad tag', /printable ASCII tag/],
    ['r.example/', /repository name/],
    ['r.example/Upper', /lower-case/],
    ['r.example/a//b', /""/],
    ['r.example/a/../b', /"\.\."/],
    ['r.example/-a', /"-a"/],
    ['r.example/a-', /"a-"/],
    ['r.example/a:', /tag/],
    ['r.example/a:-x', /tag/],
    [`r.example/a:${'t'.repeat(129)}`, /tag/],
    ['r.example/a@sha256:abc', /digest/],
    [`r.example/a@md5:${'0'.repeat(32)}`, /digest/],
    [`r.example/a@sha256:${'A'.repeat(64)}`, /digest/],
    ['r.example/a b', /"a b"/],
    ['r.example/a\u0000b', /lower-case/],
    ['r.example/ä', /lower-case/],
    ['bad_host.example:5000/a', /registry host/],
    ['r.example:port/a', /registry host/],
    ['https://r.example/a', /registry host|tag/],
    [`r.example/${'a'.repeat(250)}`, /at most 255/],
    ['UPPER', /lower-case/],
  ])('refuses %j', (text, message) => {
    expect(() => parseImageReference(text)).toThrow(ImageReferenceError);
    expect(() => parseImageReference(text)).toThrow(message);
  });

  it('refuses an OCI layout where a registry image is required', () => {
    expect(() => parseRegistryReference('oci:/tmp/out')).toThrow(expect.objectContaining({ code: 'INVALID_REFERENCE' }));
  });

  it('round-trips generated references through formatImageReference', () => {
    const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8})?$/);
    const host = fc.constantFrom('127.0.0.1:5000', 'localhost:5000', 'r.example', '123456789012.dkr.ecr.eu-west-1.amazonaws.com');
    const tag = fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), { nil: undefined });
    const digest = fc.option(fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`), { nil: undefined });
    fc.assert(
      fc.property(host, fc.array(component, { minLength: 1, maxLength: 3 }), tag, digest, (registry, path, tagValue, digestValue) => {
        const text = `${registry}/${path.join('/')}${tagValue === undefined ? '' : `:${tagValue}`}${digestValue === undefined ? '' : `@${digestValue}`}`;
        const parsed = parseRegistryReference(text);
        expect(formatImageReference(parsed)).toBe(text);
        expect(parsed.reference).toBe(digestValue ?? tagValue ?? 'latest');
      }),
    );
  });

  it('formats OCI layout references', () => {
    expect(formatImageReference(parseImageReference('oci:/tmp/out:v1'))).toBe('oci:/tmp/out:v1');
    expect(formatImageReference(parseImageReference('oci:/tmp/out'))).toBe('oci:/tmp/out');
  });
});

describe('isValidRepositoryName', () => {
  it.each([
    ['portal-api', true],
    ['team/portal-api', true],
    ['a__b', true],
    ['a___b', false],
    ['Portal', false],
    ['', false],
    ['a/', false],
    ['/a', false],
  ])('%j → %s', (name, valid) => {
    expect(isValidRepositoryName(name)).toBe(valid);
  });
});
