import { parseWwwAuthenticate, repositoryScope, schemeFromChallenges } from '../../../shared/oci/registry';

describe('parseWwwAuthenticate', () => {
  it.each([
    [
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:wicked/portal-api:pull,push"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:wicked/portal-api:pull,push' } }],
    ],
    ['Basic realm="basic-realm"', [{ scheme: 'basic', params: { realm: 'basic-realm' } }]],
    ['basic REALM=unquoted', [{ scheme: 'basic', params: { realm: 'unquoted' } }]],
    [
      'Basic realm="https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/",service="ecr.amazonaws.com"',
      [{ scheme: 'basic', params: { realm: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/', service: 'ecr.amazonaws.com' } }],
    ],
    [
      'Bearer realm="https://a/token", service="s", error="insufficient_scope", scope="repository:x:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://a/token', service: 's', error: 'insufficient_scope', scope: 'repository:x:pull' } }],
    ],
    [
      'Basic realm="one", Bearer realm="https://two/token",service="s"',
      [
        { scheme: 'basic', params: { realm: 'one' } },
        { scheme: 'bearer', params: { realm: 'https://two/token', service: 's' } },
      ],
    ],
    ['Bearer realm="a \\"quoted\\" realm, with comma"', [{ scheme: 'bearer', params: { realm: 'a "quoted" realm, with comma' } }]],
    ['Bearer realm = "spaced" , service = s', [{ scheme: 'bearer', params: { realm: 'spaced', service: 's' } }]],
    ['Bearer realm="first",realm="second"', [{ scheme: 'bearer', params: { realm: 'first' } }]],
    ['Negotiate', [{ scheme: 'negotiate', params: {} }]],
    ['', []],
    ['   ,, ', []],
    ['Bearer realm="unterminated', [{ scheme: 'bearer', params: { realm: 'unterminated' } }]],
    ['@@@ Basic realm="x"', [{ scheme: 'basic', params: { realm: 'x' } }]],
    ['Bearer realm=', [{ scheme: 'bearer', params: { realm: '' } }]],
  ])('parses %j', (header, expected) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected);
  });

  it('never throws on arbitrary input', () => {
    for (const header of ['"', '=', '=,=', 'a="\\', '\u0000\u0001', 'x'.repeat(10_000), '"'.repeat(100), 'A b=c d=e, f']) {
      expect(Array.isArray(parseWwwAuthenticate(header))).toBe(true);
    }
  });
});

describe('schemeFromChallenges', () => {
  it.each([
    ['Bearer realm="https://a/token",service="s"', { kind: 'bearer', realm: 'https://a/token', service: 's' }],
    ['Bearer realm="https://a/token"', { kind: 'bearer', realm: 'https://a/token', service: undefined }],
    ['Basic realm="x", Bearer realm="https://a/token"', { kind: 'bearer', realm: 'https://a/token', service: undefined }],
    ['Basic realm="x"', { kind: 'basic' }],
    ['Bearer service="no realm", Basic realm="x"', { kind: 'basic' }],
    ['Bearer service="no realm"', undefined],
    ['Negotiate', undefined],
  ])('%j → %j', (header, expected) => {
    expect(schemeFromChallenges(parseWwwAuthenticate(header))).toEqual(expected);
  });
});

describe('repositoryScope', () => {
  it('joins the actions', () => {
    expect(repositoryScope('wicked/portal-api', ['pull', 'push'])).toBe('repository:wicked/portal-api:pull,push');
    expect(repositoryScope('base', ['pull'])).toBe('repository:base:pull');
  });
});
