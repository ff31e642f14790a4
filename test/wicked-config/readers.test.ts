import type { DocumentRead, Reference } from '../../shared/wicked-config';
import {
  IssueCode,
  readApiConfig,
  readApis,
  readAuthServer,
  readContentPage,
  readGlobals,
  readGroups,
  readPlans,
  readPool,
  readSwagger,
} from '../../shared/wicked-config';

type Reader = (document: unknown) => DocumentRead;

const readers: Record<string, Reader> = {
  apis: readApis,
  plans: readPlans,
  groups: readGroups,
  globals: readGlobals,
  authServer: (document) => readAuthServer('auth-servers/default.json', document),
  apiConfig: (document) => readApiConfig('apis/a/config.json', document),
  swagger: (document) => readSwagger('apis/a/swagger.json', document),
  content: (document) => readContentPage('content/page.json', document),
  pool: (document) => readPool('pools/wicked.json', document),
};

const api = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ id: 'a', name: 'A', plans: ['basic'], ...extra });
const kong = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ api: { upstream_url: 'http://b:80', routes: [{ paths: ['/a'] }], ...extra } });

describe('shape checks', () => {
  it.each<[string, string, unknown]>([
    ['apis', 'a key-auth API', { apis: [api({ auth: 'key-auth', tags: ['x'], partner: false })] }],
    ['apis', 'an oauth2 API with methods', { apis: [api({ auth: 'oauth2', authMethods: ['default:local'] })] }],
    ['plans', 'a plan list', { plans: [{ id: 'basic', name: 'Basic', needsApproval: false, config: { plugins: [] } }] }],
    ['groups', 'a group list', { groups: [{ id: 'dev', name: 'Dev', adminGroup: false, alt_ids: ['x'] }] }],
    ['globals', 'globals with auth methods', { version: 23, portal: { authMethods: ['default:local'] } }],
    ['authServer', 'an auth server', { authMethods: [{ name: 'local', type: 'local', enabled: true, config: {} }], config: kong() }],
    ['apiConfig', 'a Kong definition with routes', kong()],
    ['apiConfig', 'a pre-1.0 Kong definition with uris', { api: { upstream_url: 'http://b', uris: ['/a'] } }],
    ['apiConfig', 'an upstream made of variables', kong({ upstream_url: '$UPSTREAM' })],
    ['swagger', 'Swagger 2.0', { swagger: '2.0' }],
    ['swagger', 'OpenAPI 3', { openapi: '3.0.0' }],
    ['swagger', 'a remote definition', { href: 'https://x/swagger.json' }],
    ['content', 'a page', { title: 'T' }],
    ['pool', 'a pool', { properties: [] }],
  ])('%s: accepts %s', (reader, _name, document) => {
    expect((readers[reader] as Reader)(document).issues).toEqual([]);
  });

  it.each<[string, string, unknown, string, string, string?]>([
    ['apis', 'a non-object file', [], '$', 'expected an object, received an array'],
    ['apis', 'a missing list', {}, '$.apis', 'the API list ("apis"): expected an array, received nothing'],
    ['apis', 'a missing id', { apis: [{ name: 'A', plans: [] }] }, '$.apis[0].id', 'apis[0].id: expected a non-empty string'],
    ['apis', 'an id with a slash', { apis: [api({ id: 'a/b' })] }, '$.apis[0].id', 'letters, digits, "-" and "_" only'],
    ['apis', 'plans as a string', { apis: [api({ plans: 'basic' })] }, '$.apis[0].plans', 'API "a" plans: expected an array, received the string "basic"'],
    ['apis', 'a numeric plan', { apis: [api({ plans: [1] })] }, '$.apis[0].plans[0]', 'expected a string, received the number 1'],
    ['apis', 'oauth2 without authMethods', { apis: [api({ auth: 'oauth2' })] }, '$.apis[0].authMethods', 'uses auth "oauth2"'],
    ['apis', 'a duplicate id', { apis: [api(), api()] }, '$.apis[1].id', 'API id "a" is defined twice (first at $.apis[0].id)', IssueCode.DuplicateId],
    ['plans', 'a plan without name', { plans: [{ id: 'p' }] }, '$.plans[0].name', 'plan "p" name'],
    ['plans', 'a duplicate plan', { plans: [{ id: 'p', name: 'P' }, { id: 'p', name: 'Q' }] }, '$.plans[1].id', 'plan id "p" is defined twice', IssueCode.DuplicateId],
    ['plans', 'plugins as an object', { plans: [{ id: 'p', name: 'P', config: { plugins: {} } }] }, '$.plans[0].config.plugins', 'expected an array'],
    ['groups', 'a string adminGroup', { groups: [{ id: 'g', name: 'G', adminGroup: 'yes' }] }, '$.groups[0].adminGroup', 'expected true or false'],
    ['groups', 'a duplicate group', { groups: [{ id: 'g', name: 'G' }, { id: 'g', name: 'H' }] }, '$.groups[1].id', 'group id "g"', IssueCode.DuplicateId],
    // Read after the update steps, which add `portal` to configurations older than version 10 (config-updater step 10).
    ['globals', 'a config without portal', { version: 23 }, '$.portal', 'portal-api copies portal.authMethods onto its internal APIs at start'],
    ['globals', 'authMethods as a string', { version: 23, portal: { authMethods: 'default:local' } }, '$.portal.authMethods', 'expected an array'],
    ['globals', 'a string useMailer', { mailer: { useMailer: 'true' } }, '$.mailer.useMailer', 'expected true or false'],
    ['authServer', 'a method without type', { authMethods: [{ name: 'local' }] }, '$.authMethods[0].type', 'auth method "local" type'],
    ['apiConfig', 'a missing api', {}, '$.api', 'the Kong API definition: expected an object, received nothing'],
    ['apiConfig', 'a relative upstream', kong({ upstream_url: '/backend' }), '$.api.upstream_url', 'expected an absolute URL'],
    ['apiConfig', 'no request path', { api: { upstream_url: 'http://b' } }, '$.api.routes', 'Kong needs a request path'],
    ['apiConfig', 'a route without paths', kong({ routes: [{ paths: [] }] }), '$.api.routes[0].paths', 'expected at least one path'],
    ['swagger', 'a document of neither kind', { info: {} }, '$', 'expected a "swagger" or "openapi" property'],
    ['content', 'a numeric requiredGroup', { requiredGroup: 1 }, '$.requiredGroup', 'expected a string'],
    ['pool', 'properties as an object', { properties: {} }, '$.properties', 'properties: expected an array, received an object'],
  ])('%s: rejects %s', (reader, _name, document, jsonPath, message, code = IssueCode.InvalidShape) => {
    const issues = (readers[reader] as Reader)(document).issues;
    expect(issues).toContainEqual(expect.objectContaining({ jsonPath, code, message: expect.stringContaining(message) }));
  });

  // Values portal-api dereferences at start are errors; the rest of the shapes only degrade requests.
  it.each<[string, string, unknown, string]>([
    ['apis', 'a missing API list (utils.loadApis appends to it)', {}, '$.apis'],
    ['apis', 'plans as a string (initializer.checkApiPlans iterates them)', { apis: [api({ plans: 'basic' })] }, '$.apis[0].plans'],
    ['plans', 'a missing plan list (utils.loadPlans appends to it)', {}, '$.plans'],
    ['globals', 'authMethods as a string (utils.injectAuthMethods needs the array)', { version: 23, portal: { authMethods: 'default:local' } }, '$.portal.authMethods'],
  ])('%s: marks %s as an error', (reader, _name, document, jsonPath) => {
    expect((readers[reader] as Reader)(document).issues).toContainEqual(expect.objectContaining({ jsonPath, severity: 'error' }));
  });

  it('leaves shapes portal-api meets only at request time to the code\'s severity (a warning)', () => {
    const issues = readApis({ apis: [api({ auth: 'oauth2', name: '' })] }).issues;
    expect(issues.map((issue) => [issue.jsonPath, issue.severity])).toEqual([['$.apis[0].name', undefined], ['$.apis[0].authMethods', undefined]]);
  });
});

describe('references collected', () => {
  const refs = (read: DocumentRead): Array<Pick<Reference, 'kind' | 'name' | 'jsonPath'>> =>
    read.references.map(({ kind, name, jsonPath }) => ({ kind, name, jsonPath }));

  it('collects plans, groups and auth methods of APIs, not their authServers (portal-api 1.0 never reads them)', () => {
    const read = readApis({ apis: [api({ requiredGroup: 'partners', authMethods: ['default:github'], authServers: ['legacy'] })] });
    expect(refs(read)).toEqual([
      { kind: 'plan', name: 'basic', jsonPath: '$.apis[0].plans[0]' },
      { kind: 'group', name: 'partners', jsonPath: '$.apis[0].requiredGroup' },
      { kind: 'authMethod', name: 'default:github', jsonPath: '$.apis[0].authMethods[0]' },
    ]);
  });

  it('collects every group reference of globals.json and skips empty and variable ones', () => {
    const read = readGlobals({
      api: { apiUserGroup: 'admins', echoUserGroup: '' },
      validatedUserGroup: '$DEV_GROUP',
      initialUsers: [{ email: 'a@b', groups: ['admins', 'dev'] }],
      portal: { authMethods: ['default:local'] },
    });
    expect(refs(read)).toEqual([
      { kind: 'group', name: 'admins', jsonPath: '$.api.apiUserGroup' },
      { kind: 'group', name: 'admins', jsonPath: '$.initialUsers[0].groups[0]' },
      { kind: 'group', name: 'dev', jsonPath: '$.initialUsers[0].groups[1]' },
      { kind: 'authMethod', name: 'default:local', jsonPath: '$.portal.authMethods[0]' },
    ]);
  });

  it('reports the mailer switch and the methods of an auth server', () => {
    expect(readGlobals({ mailer: { useMailer: true } }).mailerEnabled).toBe(true);
    expect(readGlobals({}).mailerEnabled).toBe(false);
    expect(readAuthServer('auth-servers/x.json', { authMethods: [{ name: 'local', type: 'local' }, { name: 'github', type: 'github' }] }).methods).toEqual(['local', 'github']);
  });

  it('lists each API once even when its id is duplicated', () => {
    expect(readApis({ apis: [api(), api()] }).apis).toEqual([{ id: 'a', jsonPath: '$.apis[0].id' }]);
  });
});
