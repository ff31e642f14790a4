import type { EnvVariables, JsonDocument } from '../../shared/wicked-config';
import { checkVariables, environmentLookup, IssueCode, isSubstitutedFile, REQUIRED_VARIABLES } from '../../shared/wicked-config';

const vars = (entries: Record<string, string | { value: string; encrypted: boolean }>): EnvVariables =>
  new Map(Object.entries(entries).map(([name, value]) => [name, typeof value === 'string' ? { value, encrypted: false } : value]));

const required = Object.fromEntries(REQUIRED_VARIABLES.map((name) => [name, 'x']));

function check(documents: JsonDocument[], envFiles: Record<string, EnvVariables>, environments = Object.keys(envFiles), platform = ['NODE_ENV']) {
  return checkVariables({ documents, envFiles: new Map(Object.entries(envFiles)), environments, platformVariables: platform });
}

const globals = (network: Record<string, unknown>): JsonDocument => ({ path: 'globals.json', value: { network } });

describe('checkVariables', () => {
  it('accepts LOCAL_IP and friends, which portal-env sets itself (wicked src/env/env-reader.js, checkEnvironment)', () => {
    const documents = [{ path: 'env/localhost.json', value: { PORTAL_API_URL: { value: 'http://${LOCAL_IP}:3001' }, P: { value: '$LOCAL_PORTAL_URL' } } }];
    expect(check(documents, { default: vars(required) })).toEqual([]);
  });

  it('accepts references defined by default, the environment or the platform', () => {
    const documents = [globals({ a: '$FROM_DEFAULT', b: 'https://${FROM_DEV}/x', c: '$NODE_ENV', d: '$SECRET' })];
    const envFiles = { default: vars({ ...required, FROM_DEFAULT: 'd', FROM_DEV: 'default-value', SECRET: { value: 'ab'.repeat(40), encrypted: true } }), dev: vars({ FROM_DEV: 'dev.example' }) };
    expect(check(documents, envFiles)).toEqual([]);
  });

  it.each<[string, JsonDocument[], Record<string, EnvVariables>, Array<Partial<Record<string, unknown>>>]>([
    [
      'a variable only one environment defines',
      [globals({ host: '$HOST' })],
      { default: vars(required), dev: vars({ HOST: 'dev' }), prod: vars({}) },
      [
        { file: 'globals.json', jsonPath: '$.network.host', env: 'default', code: IssueCode.UnresolvedVariable },
        { file: 'globals.json', jsonPath: '$.network.host', env: 'prod', code: IssueCode.UnresolvedVariable },
      ],
    ],
    [
      'a reference inside an env value',
      [{ path: 'env/default.json', value: { URL: { value: 'https://${DOMAIN}' } } }],
      { default: vars({ ...required, URL: 'https://${DOMAIN}' }) },
      [{ file: 'env/default.json', jsonPath: '$.URL.value', env: 'default', code: IssueCode.UnresolvedVariable, message: expect.stringContaining('"DOMAIN"') }],
    ],
    [
      "a reference in another environment's file (portal-api scans them all)",
      [{ path: 'env/prod.json', value: { URL: { value: '${PROD_DOMAIN}' } } }],
      { default: vars(required), dev: vars({}), prod: vars({ PROD_DOMAIN: 'p', URL: '${PROD_DOMAIN}' }) },
      [{ file: 'env/prod.json', env: 'default' }, { file: 'env/prod.json', env: 'dev', message: expect.stringContaining('whatever NODE_ENV is') }],
    ],
    [
      'an empty variable in a substituted file',
      [globals({ password: '${EMPTY}' })],
      { default: vars({ ...required, EMPTY: '' }) },
      [{ jsonPath: '$.network.password', env: 'default', code: IssueCode.EmptyVariable }],
    ],
    [
      'a cycle',
      [globals({ x: '$A' })],
      { default: vars({ ...required, A: '${B}', B: '${A}' }) },
      [{ jsonPath: '$.network.x', env: 'default', code: IssueCode.RecursiveVariable }],
    ],
    [
      'a malformed reference',
      [globals({ x: 'http://${my-host}' })],
      { default: vars(required) },
      [{ jsonPath: '$.network.x', code: IssueCode.MalformedVariable, message: expect.stringContaining('"${my-host}"') }],
    ],
    [
      'a "$" value with a path after the name',
      [globals({ x: '$HOST/api' })],
      { default: vars({ ...required, HOST: 'h' }) },
      [{ code: IssueCode.UnresolvedVariable, message: expect.stringContaining('write ${NAME} inside longer strings') }],
    ],
  ])('reports %s', (_name, documents, envFiles, expected) => {
    const issues = check(documents, envFiles);
    expect(issues).toHaveLength(expected.length);
    expected.forEach((issue, index) => expect(issues[index]).toMatchObject(issue));
  });

  it('only requires references to be defined in files portal-api does not substitute', () => {
    const documents: JsonDocument[] = [{ path: 'content/page.json', value: { x: '${EMPTY}', y: '${bad-name}' } }];
    expect(check(documents, { default: vars({ ...required, EMPTY: '' }) })).toEqual([]);
  });

  it('checks only the environments asked for', () => {
    const documents = [globals({ host: '$HOST' })];
    expect(check(documents, { default: vars({ ...required, HOST: 'h' }), dev: vars({}) }, ['dev'])).toEqual([]);
  });
});

describe('environmentLookup', () => {
  const envFiles = new Map<string, EnvVariables>([
    ['default', vars({ A: 'default-a', B: 'default-b', S: { value: 'ab'.repeat(40), encrypted: true } })],
    ['dev', vars({ A: 'dev-a' })],
  ]);

  it.each([
    ['dev', 'A', 'dev-a'],
    ['dev', 'B', 'default-b'],
    ['default', 'A', 'default-a'],
    ['default', 'S', '<set at run time>'],
    ['dev', 'NODE_ENV', '<set at run time>'],
    ['dev', 'NOPE', undefined],
  ])('%s: %s → %s', (env, name, expected) => {
    expect(environmentLookup(envFiles, env, ['NODE_ENV'])(name)).toBe(expected);
  });

  it('lets the platform win over the files, as process.env does', () => {
    expect(environmentLookup(envFiles, 'dev', ['A'])('A')).toBe('<set at run time>');
  });
});

describe('isSubstitutedFile', () => {
  it.each([
    ['globals.json', true],
    ['apis/apis.json', true],
    ['apis/x/config.json', true],
    ['plans/plans.json', true],
    ['groups/groups.json', true],
    ['auth-servers/default.json', true],
    ['apis/x/swagger.json', false],
    ['env/default.json', false],
    ['content/index.json', false],
  ])('%s → %s', (path, expected) => {
    expect(isSubstitutedFile(path)).toBe(expected);
  });
});
