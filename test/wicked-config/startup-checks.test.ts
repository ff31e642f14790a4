import type { EnvVariables, JsonDocument } from '../../shared/wicked-config';
import { kickstarterEncrypt } from '../helpers/kickstarter-crypt';
import { checkStartup, checkStaticFiles, configKeyMatches, decryptValue, IssueCode, POSTGRES_PLATFORM_VARIABLES, REQUIRED_VARIABLES, simulateProcessEnv } from '../../shared/wicked-config';

const KEY = 'an-operator-key-from-deploy.envkey';
const vars = (entries: Record<string, string | { value: string; encrypted: boolean }>): EnvVariables =>
  new Map(Object.entries(entries).map(([name, value]) => [name, typeof value === 'string' ? { value, encrypted: false } : value]));

/** Every variable portal-api requires, with the platform's paths (as wicked's own sample writes them: PORTAL_CONFIG_BASE + folder). */
const base = (): Record<string, string | { value: string; encrypted: boolean }> => ({
  ...Object.fromEntries(REQUIRED_VARIABLES.map((name) => [name, `http://${name.toLowerCase()}`])),
  PORTAL_CONFIG_BASE: '/var/portal-api',
  PORTAL_API_STATIC_CONFIG: '${PORTAL_CONFIG_BASE}/static',
  PORTAL_API_DYNAMIC_CONFIG: '${PORTAL_CONFIG_BASE}/dynamic',
  PORTAL_API_AESKEY: { value: kickstarterEncrypt(KEY, 'aes-key-of-portal-api'), encrypted: true },
});

function check(files: Record<string, EnvVariables>, env: string, configKey?: string) {
  return checkStartup({ envFiles: new Map(Object.entries(files)), environments: [env], platformVariables: ['NODE_ENV', 'PORTAL_CONFIG_KEY'], dynamicDataPath: '/var/portal-api/dynamic', ...(configKey ? { configKey } : {}) });
}

describe('checkStartup (what src/api/bin/api and portal-env test at start)', () => {
  it('accepts the platform paths written as wicked\'s sample writes them', () => {
    expect(check({ default: vars(base()), docker: vars({}) }, 'docker', KEY)).toEqual([]);
  });

  // One row per start-up rule: the environment change, the code, where it is reported.
  it.each<[string, Record<string, string | { value: string; encrypted: boolean }>, string, string]>([
    // env-reader.js checkEnvironment: PORTAL_API_STATIC_CONFIG must equal the resolved folder (/var/portal-api/static in the image).
    ['a PORTAL_CONFIG_BASE of a developer machine (wicked sample env/localhost.json)', { PORTAL_CONFIG_BASE: '/override/this/', PORTAL_API_DYNAMIC_CONFIG: '/var/portal-api/dynamic' }, IssueCode.StaticConfigPath, 'resolves to "/override/this/static"'],
    ['a relative static path, resolved in portal-api\'s working directory', { PORTAL_API_STATIC_CONFIG: 'static' }, IssueCode.StaticConfigPath, '"/usr/src/app/static"'],
    // bin/api: `if (!aesKey) throw Error('Environment variable PORTAL_API_AESKEY not set...')`.
    ['an empty PORTAL_API_AESKEY', { PORTAL_API_AESKEY: '' }, IssueCode.EmptyRequiredVariable, 'PORTAL_API_AESKEY is empty'],
    // bin/api: `if (!dynamicRepo) throw Error('Environment variable PORTAL_API_DYNAMIC_CONFIG not set.')`.
    ['an empty PORTAL_API_DYNAMIC_CONFIG', { PORTAL_API_DYNAMIC_CONFIG: '' }, IssueCode.EmptyRequiredVariable, 'PORTAL_API_DYNAMIC_CONFIG is empty'],
    // The platform mounts the dynamic data at /var/portal-api/dynamic (infra dynamic-data.ts).
    ['dynamic data off the mount', { PORTAL_API_DYNAMIC_CONFIG: '/tmp/dynamic' }, IssueCode.DynamicConfigPath, 'resolves to "/tmp/dynamic"'],
    // crypt-tools.js apiDecrypt with another key yields garbage without the random-id prefix.
    ['a value encrypted with another key', { PORTAL_API_AESKEY: { value: kickstarterEncrypt('another-key', 'x'), encrypted: true } }, IssueCode.WrongConfigKey, 'does not decrypt'],
  ])('refuses %s (an error)', (_name, change, code, message) => {
    const defaults = { ...base(), ...change };
    const issues = check({ default: vars(defaults) }, 'default', KEY);
    expect(issues).toEqual([expect.objectContaining({ code, env: 'default', message: expect.stringContaining(message) })]);
    expect(issues[0]?.severity).toBeUndefined(); // the code's default: error
  });

  it('reports a required variable missing in an environment', () => {
    const { PORTAL_API_AESKEY: _omitted, ...rest } = base();
    expect(check({ default: vars(rest) }, 'default')).toEqual([
      { file: 'env/default.json', env: 'default', code: IssueCode.UnresolvedVariable, message: expect.stringContaining('requires variable PORTAL_API_AESKEY') },
    ]);
  });

  it('falls back to env/default.json for an empty value of env/<env>.json, and warns (env-reader.js loadEnvironment keeps only non-empty values)', () => {
    const issues = check({ default: vars(base()), prod: vars({ PORTAL_API_URL: '' }) }, 'prod');
    expect(issues).toEqual([expect.objectContaining({ file: 'env/prod.json', jsonPath: '$.PORTAL_API_URL.value', code: IssueCode.EmptyVariable })]);
    const simulated = simulateProcessEnv({ envFiles: new Map([['default', vars(base())], ['prod', vars({ PORTAL_API_URL: '' })]]), env: 'prod', platformVariables: [] });
    expect(simulated.get('PORTAL_API_URL')).toBe('http://portal_api_url');
  });

  it('cannot judge paths made of values only the container knows, and does not guess', () => {
    const issues = checkStartup({ envFiles: new Map([['default', vars({ ...base(), PORTAL_CONFIG_BASE: '' })]]), environments: ['default'], platformVariables: ['PORTAL_CONFIG_BASE'], dynamicDataPath: '/var/portal-api/dynamic' });
    expect(issues).toEqual([]);
  });

  it('knows the Postgres variables the task definition sets', () => {
    expect(POSTGRES_PLATFORM_VARIABLES).toEqual(['PORTAL_STORAGE_PGHOST', 'PORTAL_STORAGE_PGUSER', 'PORTAL_STORAGE_PGPASSWORD', 'PORTAL_STORAGE_PGDATABASE', 'PGSSLMODE']);
  });
});

describe('decryption as portal-env does it (crypt-tools.js)', () => {
  it('decrypts a kickstarter value with its key and refuses another key', () => {
    const cipher = kickstarterEncrypt(KEY, 'secret value');
    expect(decryptValue(KEY, cipher)).toEqual({ ok: true, value: 'secret value' });
    expect(decryptValue('wrong', cipher)).toEqual({ ok: false });
  });

  it('checks configKeyCheck: salt of 40 hex digits, then "wicked" (config-updater.js step 4 and verifyConfigKey)', () => {
    const check = kickstarterEncrypt(KEY, `${'0123456789'.repeat(4)}wicked`);
    expect(configKeyMatches(KEY, check)).toBe(true);
    expect(configKeyMatches('wrong', check)).toBe(false);
    expect(configKeyMatches(KEY, kickstarterEncrypt(KEY, `${'0123456789'.repeat(4)}other`))).toBe(false);
  });
});

describe('checkStaticFiles', () => {
  const globals = (value: Record<string, unknown>): JsonDocument => ({ path: 'globals.json', value });
  const content = new Set(['content/index.md']);

  it('accepts a content folder and initial users with e-mails', () => {
    expect(checkStaticFiles(content, globals({ initialUsers: [{ id: '1', email: 'a@b.c' }] }), undefined)).toEqual([]);
  });

  it.each<[string, ReadonlySet<string>, Record<string, unknown>, string | undefined, string, string]>([
    // content.js setup lists content/ at start (fs.readdirSync).
    ['no content/ folder', new Set(), {}, undefined, 'content/', IssueCode.MissingFile],
    // initializer.js addInitialUsers: thisUser.email.toLowerCase().
    ['an initial user without e-mail', content, { initialUsers: [{ id: '1' }] }, undefined, 'globals.json', IssueCode.InvalidShape],
    // config-updater.js verifyConfigKey.
    ['a configKeyCheck of another key', content, { configKeyCheck: kickstarterEncrypt('other', `${'a'.repeat(40)}wicked`) }, KEY, 'globals.json', IssueCode.WrongConfigKey],
  ])('refuses %s', (_name, files, value, key, file, code) => {
    const issues = checkStaticFiles(files, globals(value), key);
    expect(issues).toEqual([expect.objectContaining({ file, code })]);
    expect(issues[0]?.severity ?? 'error').toBe('error');
  });
});
