import { InvalidOptionsError, IssueCode, REQUIRED_VARIABLES, validateConfig, validateContents } from '../../shared/wicked-config';
import type { ValidationIssue } from '../../shared/wicked-config';
import { memoryBundle } from '../helpers/memory-bundle';

const CIPHER = 'c0ffee'.repeat(16);

/** A small configuration that portal-api accepts, as documents. */
function baseDocuments(): Record<string, unknown> {
  return {
    'globals.json': {
      version: 23,
      network: { schema: '$PORTAL_NETWORK_SCHEMA', apiHost: '${API_HOST}', apiUrl: '$PORTAL_API_URL' },
      api: { apiUserGroup: 'admins', echoUserGroup: '' },
      initialUsers: [{ id: '1', email: 'a@b.c', password: '$PORTAL_INITIALUSERS0_PASSWORD', groups: ['admins'] }],
      portal: { authMethods: ['default:local'] },
    },
    'env/default.json': {
      ...Object.fromEntries(REQUIRED_VARIABLES.map((name) => [name, { value: `value-of-${name}` }])),
      // Where the image holds the static config and the platform mounts the dynamic data (wicked src/env/env-reader.js, infra dynamic-data.ts).
      PORTAL_API_STATIC_CONFIG: { value: '/var/portal-api/static' },
      PORTAL_API_DYNAMIC_CONFIG: { value: '/var/portal-api/dynamic' },
      PORTAL_API_AESKEY: { encrypted: true, value: CIPHER },
      PORTAL_NETWORK_SCHEMA: { value: 'https' },
      API_HOST: { value: 'api.example' },
      PORTAL_INITIALUSERS0_PASSWORD: { encrypted: true, value: CIPHER },
      UPSTREAM: { value: 'http://backend:8080' },
    },
    'env/prod.json': { API_HOST: { value: 'api.prod.example' } },
    'apis/apis.json': { apis: [{ id: 'shop', name: 'Shop', auth: 'oauth2', authMethods: ['default:local'], requiredGroup: 'admins', plans: ['basic'] }] },
    'apis/shop/config.json': { api: { upstream_url: '$UPSTREAM', routes: [{ paths: ['/shop'] }] }, plugins: [] },
    'apis/shop/swagger.json': { swagger: '2.0', paths: {} },
    'plans/plans.json': { plans: [{ id: 'basic', name: 'Basic', requiredGroup: 'admins' }] },
    'groups/groups.json': { groups: [{ id: 'admins', name: 'Admins', adminGroup: true }] },
    'auth-servers/default.json': { authMethods: [{ name: 'local', type: 'local', enabled: true }], config: { api: { upstream_url: 'http://portal-auth:3010', routes: [{ paths: ['/auth'] }] } } },
    'content/page.md': '# Page',
  };
}

/** The base configuration with some files replaced (documents), raw (strings) or removed (undefined). */
function bundleWith(overrides: Record<string, unknown> = {}) {
  const documents: Record<string, unknown> = { ...baseDocuments(), ...overrides };
  const files: Record<string, string> = {};
  for (const [path, document] of Object.entries(documents)) {
    if (document === undefined) continue;
    files[path] = typeof document === 'string' ? document : JSON.stringify(document, null, 2);
  }
  return memoryBundle(files);
}

function edit(path: string, change: (document: Record<string, unknown>) => void): Record<string, unknown> {
  const document = baseDocuments()[path] as Record<string, unknown>;
  change(document);
  return { [path]: document };
}

const apisWith = (api: Record<string, unknown>) => ({ 'apis/apis.json': { apis: [{ ...(baseDocuments()['apis/apis.json'] as { apis: object[] }).apis[0], ...api }] } });

describe('validateConfig', () => {
  it('accepts the base configuration for every environment', async () => {
    const report = await validateConfig(bundleWith());
    expect(report).toEqual({
      valid: true, configHash: expect.stringMatching(/^[A-Za-z0-9+/]{27}=$/), environments: ['default', 'prod'], issues: [], errorCount: 0, warningCount: 0,
      verdicts: [{ env: 'default', runs: true, errors: 0, warnings: 0 }, { env: 'prod', runs: true, errors: 0, warnings: 0 }],
    });
  });

  it.each<[string, Record<string, unknown>, Partial<ValidationIssue>]>([
    ['MISSING_FILE (globals.json)', { 'globals.json': undefined }, { file: 'globals.json', code: IssueCode.MissingFile, severity: 'error' }],
    ['MISSING_FILE (groups)', { 'groups/groups.json': undefined }, { file: 'groups/groups.json', code: IssueCode.MissingFile, severity: 'warning' }],
    ['MISSING_FILE (swagger)', { 'apis/shop/swagger.json': undefined }, { file: 'apis/shop/swagger.json', code: IssueCode.MissingFile, severity: 'warning' }],
    ['JSON_SYNTAX', { 'plans/plans.json': '{\n  "plans": [\n    { "id": "basic", "name": "Basic" },\n  ]\n}' }, { file: 'plans/plans.json', line: 4, column: 3, code: IssueCode.JsonSyntax, severity: 'error' }],
    ['INVALID_ENV_FILE', edit('env/prod.json', (env) => (env.API_HOST = 'api.prod.example')), { file: 'env/prod.json', jsonPath: '$.API_HOST', code: IssueCode.InvalidEnvFile, severity: 'warning' }],
    [
      'UNRESOLVED_VARIABLE (defined for prod only)',
      { ...edit('globals.json', (globals) => (globals.title = 'Portal ${PORTAL_TITLE}')), ...edit('env/prod.json', (env) => (env.PORTAL_TITLE = { value: 'Prod' })) },
      { file: 'globals.json', jsonPath: '$.title', env: 'default', code: IssueCode.UnresolvedVariable, severity: 'error' },
    ],
    ['EMPTY_VARIABLE', edit('env/prod.json', (env) => (env.API_HOST = { value: '' })), { file: 'env/prod.json', jsonPath: '$.API_HOST.value', env: 'prod', code: IssueCode.EmptyVariable, severity: 'warning' }],
    ['RECURSIVE_VARIABLE', edit('env/prod.json', (env) => (env.API_HOST = { value: 'x.${API_HOST}' })), { file: 'globals.json', jsonPath: '$.network.apiHost', env: 'prod', code: IssueCode.RecursiveVariable, severity: 'warning' }],
    ['MALFORMED_VARIABLE', edit('apis/shop/config.json', (config) => ((config.api as Record<string, unknown>).upstream_url = 'http://${backend-host}')), { file: 'apis/shop/config.json', jsonPath: '$.api.upstream_url', code: IssueCode.MalformedVariable, severity: 'warning' }],
    ['UNKNOWN_API_CONFIG', { 'apis/shop/config.json': undefined }, { file: 'apis/apis.json', jsonPath: '$.apis[0].id', code: IssueCode.UnknownApiConfig, severity: 'warning' }],
    ['UNKNOWN_PLAN', apisWith({ plans: ['basic', 'gold'] }), { file: 'apis/apis.json', jsonPath: '$.apis[0].plans[1]', code: IssueCode.UnknownPlan, severity: 'error' }],
    ['UNKNOWN_GROUP', apisWith({ requiredGroup: 'partners' }), { file: 'apis/apis.json', jsonPath: '$.apis[0].requiredGroup', code: IssueCode.UnknownGroup, severity: 'warning' }],
    ['UNKNOWN_AUTH_SERVER', apisWith({ authMethods: ['corp:saml'] }), { file: 'apis/apis.json', jsonPath: '$.apis[0].authMethods[0]', code: IssueCode.UnknownAuthServer, severity: 'warning' }],
    ['UNKNOWN_AUTH_METHOD', apisWith({ authMethods: ['default:github'] }), { file: 'apis/apis.json', jsonPath: '$.apis[0].authMethods[0]', code: IssueCode.UnknownAuthMethod, severity: 'warning' }],
    ['DUPLICATE_ID', edit('groups/groups.json', (groups) => (groups.groups as object[]).push({ id: 'admins', name: 'Again' })), { file: 'groups/groups.json', jsonPath: '$.groups[1].id', code: IssueCode.DuplicateId, severity: 'warning' }],
    ['INVALID_SHAPE', apisWith({ plans: 'basic' }), { file: 'apis/apis.json', jsonPath: '$.apis[0].plans', code: IssueCode.InvalidShape, severity: 'error' }],
  ])('reports %s, and nothing else', async (_name, overrides, expected) => {
    const report = await validateConfig(bundleWith(overrides));
    expect(report.valid).toBe(expected.severity === 'warning');
    expect(report.issues).toEqual([{ ...expected, message: expect.any(String) }]);
  });

  it('reports every problem at once, grouped by file', async () => {
    const overrides = {
      ...apisWith({ plans: ['gold'], requiredGroup: 'partners' }),
      'env/prod.json': '{ "API_HOST": { "value": "x" }, }',
      'groups/groups.json': undefined,
      'auth-servers/default.json': { authMethods: [{ name: 'local', enabled: true }] },
    };
    const report = await validateConfig(bundleWith(overrides), { envs: ['default', 'prod', 'staging'] });
    expect(report.issues.map((issue) => [issue.file, issue.code, issue.env, issue.severity])).toEqual([
      ['apis/apis.json', IssueCode.UnknownPlan, undefined, 'error'],
      ['auth-servers/default.json', IssueCode.InvalidShape, undefined, 'warning'],
      ['env/prod.json', IssueCode.JsonSyntax, undefined, 'error'],
      ['env/staging.json', IssueCode.MissingFile, 'staging', 'error'],
      ['groups/groups.json', IssueCode.MissingFile, undefined, 'warning'],
    ]);
    expect(report.environments).toEqual(['default', 'prod', 'staging']);
    expect(report.issues.find((issue) => issue.env === 'staging')?.message).toContain('the wicked environment (NODE_ENV) is "staging", but env/staging.json is missing');
  });

  it('does not report variables when env/default.json, the base layer, is unreadable', async () => {
    const report = await validateConfig(bundleWith({ 'env/default.json': '{' }));
    expect(report.issues.map((issue) => issue.code)).toEqual([IssueCode.JsonSyntax]);
  });

  it('takes platform variables from the options', async () => {
    const bundle = bundleWith(edit('globals.json', (globals) => (globals.environment = '$NODE_ENV')));
    expect((await validateConfig(bundle)).valid).toBe(true);
    const report = await validateConfig(bundle, { platformVariables: [] });
    expect(report.issues).toEqual([expect.objectContaining({ code: IssueCode.UnresolvedVariable, env: 'default', jsonPath: '$.environment' }), expect.objectContaining({ env: 'prod' })]);
  });

  it.each([
    [{ env: ['prod'] }, 'option "env": received an unknown option'],
    [{ envs: 'prod' }, 'option "envs": received the string "prod", expected an array of names'],
    [{ envs: ['../x'] }, 'option "envs[0]"'],
    [{ platformVariables: [1] }, 'option "platformVariables[0]": received the number 1'],
  ])('rejects the options %j', async (options, message) => {
    const error = await validateConfig(bundleWith(), options as never).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as Error).message).toContain(message);
  });

  it('validates already-read contents without a bundle', () => {
    const report = validateContents({ files: new Set(['globals.json']), json: new Map([['globals.json', '[]']]), configHash: 'h' });
    expect(report.configHash).toBe('h');
    expect(report.environments).toEqual([]);
    expect(report.issues.map((issue) => [issue.file, issue.code])).toEqual([
      ['apis/apis.json', IssueCode.MissingFile],
      ['content/', IssueCode.MissingFile],
      ['env/default.json', IssueCode.MissingFile],
      ['globals.json', IssueCode.InvalidShape],
      ['groups/groups.json', IssueCode.MissingFile],
      ['plans/plans.json', IssueCode.MissingFile],
    ]);
  });
});
