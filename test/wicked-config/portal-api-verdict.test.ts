/**
 * The validator's verdict is portal-api 1.0's: what makes it refuse to start
 * is an error, what only degrades a request or a feature is a warning. One
 * row per rule, each naming the wicked source it encodes; fixtures shaped
 * like wicked's own configurations (test/fixtures/wicked-config).
 */
import { IssueCode, PLATFORM_VARIABLES, POSTGRES_PLATFORM_VARIABLES, validateConfig } from '../../shared/wicked-config';
import type { ValidateConfigOptions, ValidationIssue } from '../../shared/wicked-config';
import type { Documents } from '../fixtures/wicked-config/sample-shaped';
import { currentConfig, FIXTURE_KEY, toFiles, version16Config, version8Config } from '../fixtures/wicked-config/sample-shaped';
import { kickstarterEncrypt } from '../helpers/kickstarter-crypt';
import { memoryBundle } from '../helpers/memory-bundle';

/** The platform of a Postgres environment: the task definition sets the database host and credentials. */
const POSTGRES_PLATFORM = { platformVariables: [...PLATFORM_VARIABLES, ...POSTGRES_PLATFORM_VARIABLES], configKey: FIXTURE_KEY };
const DEPLOYABLE = ['default', 'docker', 'k8s'];

type Change = (documents: Documents) => void;
const validate = (documents: Documents, options: ValidateConfigOptions = {}) => validateConfig(memoryBundle(toFiles(documents)), { ...POSTGRES_PLATFORM, envs: DEPLOYABLE, ...options });
const changed = (change: Change, base: () => Documents = currentConfig): Documents => {
  const documents = base();
  change(documents);
  return documents;
};
const at = <T>(documents: Documents, path: string): T => documents[path] as T;
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('fixtures shaped like wicked\'s configurations', () => {
  it('accepts the current configuration (two auth servers, Postgres from the platform) for default, docker and k8s, without an issue', async () => {
    const report = await validate(currentConfig());
    expect(report.issues).toEqual([]);
    expect(report.verdicts).toEqual(DEPLOYABLE.map((env) => ({ env, runs: true, errors: 0, warnings: 0 })));
  });

  it('refuses its localhost environment, a developer machine, with the reason (env-reader.js checkEnvironment)', async () => {
    const report = await validate(currentConfig(), { envs: ['localhost'] });
    expect(report.valid).toBe(false);
    expect(report.issues).toContainEqual(expect.objectContaining({ env: 'localhost', code: IssueCode.StaticConfigPath, severity: 'error', message: expect.stringContaining('"/home/dev/wicked-config/static"') }));
  });

  it('without --env, judges every env/<name>.json and says which would run', async () => {
    const report = await validateConfig(memoryBundle(toFiles(currentConfig())), POSTGRES_PLATFORM);
    expect(report.verdicts?.map((verdict) => [verdict.env, verdict.runs])).toEqual([['default', true], ['docker', true], ['k8s', true], ['localhost', false]]);
    expect(report.valid).toBe(false);
  });

  it('accepts a version 16 configuration after replaying portal-api\'s update steps 17 to 23', async () => {
    const report = await validate(version16Config(), { envs: [...DEPLOYABLE, 'box'] });
    expect(report.issues).toEqual([]);
    expect(report.environments).toContain('box'); // step 19 adds env/box.json
  });
});

describe('errors: portal-api refuses to start', () => {
  it.each<[string, Change, Partial<ValidationIssue>, ValidateConfigOptions?]>([
    // env-reader.js sanityCheckDir: every referenced variable must be in process.env.
    ['a storage host the platform does not set (no Postgres)', () => undefined, { code: IssueCode.UnresolvedVariable, jsonPath: '$.storage.pgHost' }, { platformVariables: [...PLATFORM_VARIABLES] }],
    ['a reference nothing defines', (d) => { at<Obj>(d, 'globals.json').title = 'Portal ${PORTAL_TITLE}'; }, { code: IssueCode.UnresolvedVariable, jsonPath: '$.title' }],
    // env-reader.js loadEnvironment: "Could not find environment file".
    ['NODE_ENV without its env file', () => undefined, { code: IssueCode.MissingFile, file: 'env/prod.json', message: expect.stringContaining('the nodeEnv prop is "prod"') }, { envs: ['prod'], nodeEnvSetting: 'the nodeEnv prop' }],
    // bin/api: `if (!aesKey) throw`.
    ['an empty PORTAL_API_AESKEY', (d) => { at<Obj>(d, 'env/default.json').PORTAL_API_AESKEY = { value: '' }; }, { code: IssueCode.EmptyRequiredVariable }],
    // content.js setup: fs.readdirSync(content) at start.
    ['no content/ folder', (d) => { delete d['content/index.md']; delete d['content/index.json']; }, { code: IssueCode.MissingFile, file: 'content/' }],
    // initializer.js addInitialUsers: thisUser.email.toLowerCase().
    ['an initial user without e-mail', (d) => { delete at<Obj>(d, 'globals.json').initialUsers[0].email; }, { code: IssueCode.InvalidShape, jsonPath: '$.initialUsers[0].email' }],
    // The platform's dynamic data mount (infra dynamic-data.ts).
    ['dynamic data off the mount', (d) => { at<Obj>(d, 'env/default.json').PORTAL_API_DYNAMIC_CONFIG = { value: '/data/dynamic' }; }, { code: IssueCode.DynamicConfigPath }],
    // config-updater.js verifyConfigKey.
    ['another configuration key', (d) => { at<Obj>(d, 'globals.json').configKeyCheck = kickstarterEncrypt('other-key', `${'0'.repeat(40)}wicked`); }, { code: IssueCode.WrongConfigKey, file: 'globals.json' }],
    // crypt-tools.js apiDecrypt: a value of another key decrypts to garbage.
    ['a value encrypted with another key', (d) => { at<Obj>(d, 'env/default.json').PORTAL_API_AESKEY = { value: kickstarterEncrypt('other-key', 'x'), encrypted: true }; }, { code: IssueCode.WrongConfigKey, file: 'env/default.json' }],
    // initializer.js checkApiPlans: messages make bin/api exit.
    ['an API naming an unknown plan', (d) => { at<Obj>(d, 'apis/apis.json').apis[0].plans.push('gold'); }, { code: IssueCode.UnknownPlan }],
    // utils.js injectAuthMethods: throws without a portal.authMethods array.
    ['a current config without portal.authMethods', (d) => { delete at<Obj>(d, 'globals.json').portal; }, { code: IssueCode.InvalidShape, jsonPath: '$.portal' }],
    // sanityCheckDir JSON.parses every .json of the folder.
    ['a content page that does not parse', (d) => { d['content/index.json'] = '{ "title": "Welcome", }'; }, { code: IssueCode.JsonSyntax, file: 'content/index.json' }],
    // A rest parameter: jest would take a fourth declared parameter for `done` on rows without options.
  ])('%s', async (...[, change, expected, options]) => {
    const report = await validate(changed(change), options);
    expect(report.issues).toContainEqual(expect.objectContaining({ ...expected, severity: 'error' }));
    expect(report.valid).toBe(false);
  });
});

describe('warnings: portal-api starts, a request or a feature is degraded', () => {
  it.each<[string, Change, Partial<ValidationIssue>]>([
    // swagger-utils.js lookupAuthMethod: warns and skips an unknown server or method.
    ['an unknown method in portal.authMethods', (d) => { at<Obj>(d, 'globals.json').portal.authMethods.push('corporate:saml'); }, { code: IssueCode.UnknownAuthMethod }],
    ['a method its auth server does not enable', (d) => { delete at<Obj>(d, 'auth-servers/corporate.json').authMethods[0].enabled; }, { code: IssueCode.AuthMethodDisabled, file: 'globals.json', jsonPath: '$.portal.authMethods[1]' }],
    ['an unknown auth server in an API\'s authMethods', (d) => { at<Obj>(d, 'apis/apis.json').apis[1].authMethods.push('legacy:local'); }, { code: IssueCode.UnknownAuthServer }],
    // apis.js: config.json and swagger.json are read per request.
    ['an API without config.json (current version)', (d) => { delete d['apis/petstore/config.json']; }, { code: IssueCode.UnknownApiConfig }],
    ['an API without swagger.json', (d) => { delete d['apis/petstore/swagger.json']; }, { code: IssueCode.MissingFile, file: 'apis/petstore/swagger.json' }],
    ['a malformed swagger.json', (d) => { d['apis/petstore/swagger.json'] = { info: {} }; }, { code: IssueCode.InvalidShape, file: 'apis/petstore/swagger.json' }],
    // swagger-utils.js injectOpenAPIAuth loops over apiInfo.authMethods when the documentation is requested.
    ['an oauth2 API without authMethods', (d) => { delete at<Obj>(d, 'apis/apis.json').apis[1].authMethods; }, { code: IssueCode.InvalidShape, jsonPath: '$.apis[1].authMethods' }],
    // apis.js loadApiConfig logs an invalid upstream_url.
    ['a relative upstream_url', (d) => { at<Obj>(d, 'apis/petstore/config.json').api.upstream_url = '/v2'; }, { code: IssueCode.InvalidShape, jsonPath: '$.api.upstream_url' }],
    ['a Kong definition without routes', (d) => { delete at<Obj>(d, 'apis/petstore/config.json').api.routes; }, { code: IssueCode.InvalidShape, jsonPath: '$.api.routes' }],
    // utils.js getPools throws only when a registration request loads the pools.
    ['pool properties that are not an array', (d) => { at<Obj>(d, 'pools/wicked.json').properties = {}; }, { code: IssueCode.InvalidShape, file: 'pools/wicked.json' }],
    ['an unknown group', (d) => { at<Obj>(d, 'apis/apis.json').apis[0].requiredGroup = 'vip'; }, { code: IssueCode.UnknownGroup }],
    ['a duplicate API id', (d) => { at<Obj>(d, 'apis/apis.json').apis.push({ id: 'petstore', name: 'Again', plans: ['basic'] }); }, { code: IssueCode.DuplicateId }],
    // utils.js loadGroups runs per request.
    ['no groups/groups.json', (d) => { delete d['groups/groups.json']; }, { code: IssueCode.MissingFile, file: 'groups/groups.json' }],
    ['an API named ""', (d) => { at<Obj>(d, 'apis/apis.json').apis[0].name = ''; }, { code: IssueCode.InvalidShape, jsonPath: '$.apis[0].name' }],
    // env-reader.js loadEnvironment sets process.env[name] = undefined, i.e. "undefined".
    ['an env entry without value', (d) => { at<Obj>(d, 'env/docker.json').PORTAL_NETWORK_SCHEMA = {}; }, { code: IssueCode.InvalidEnvFile, file: 'env/docker.json' }],
    // env-reader.js loadEnvironment keeps env/<env>.json's value only when non-empty.
    ['an empty value that falls back to env/default.json', (d) => { at<Obj>(d, 'env/docker.json').PORTAL_NETWORK_APIHOST = { value: '' }; }, { code: IssueCode.EmptyVariable, env: 'docker' }],
    // utils.js replaceEnvVars gives up after 10 rounds; non-matching ${...} stays literal.
    ['a recursive reference', (d) => { at<Obj>(d, 'env/default.json').PORTAL_NETWORK_APIHOST = { value: 'api.${PORTAL_NETWORK_APIHOST}' }; }, { code: IssueCode.RecursiveVariable }],
    ['a malformed ${...}', (d) => { at<Obj>(d, 'globals.json').title = 'Portal ${not-a-name}'; }, { code: IssueCode.MalformedVariable }],
  ])('%s', async (_name, change, expected) => {
    const report = await validate(changed(change));
    expect(report.issues).toContainEqual(expect.objectContaining({ ...expected, severity: 'warning' }));
    expect(report.issues.filter((issue) => issue.severity === 'error')).toEqual([]);
    expect(report.valid).toBe(true);
    expect(await validate(changed(change), { strict: true })).toMatchObject({ valid: false });
  });

  it.each<[string, Change]>([
    // No route or util of portal-api 1.0 reads apis[].authServers.
    ['apis[].authServers naming nothing', (d) => { at<Obj>(d, 'apis/apis.json').apis[1].authServers = ['nowhere']; }],
    // env-reader.js checkEnvironment sets LOCAL_IP and friends unless WICKED_IN_DOCKER.
    ['a reference to LOCAL_IP', (d) => { at<Obj>(d, 'globals.json').footer = 'served from ${LOCAL_IP}'; }],
  ])('no issue for %s', async (_name, change) => {
    expect((await validate(changed(change))).issues).toEqual([]);
  });
});

describe('older configurations, judged as portal-api\'s update leaves them (config-updater.js)', () => {
  it('a version 8 config gets step 10\'s seven portal auth methods (warnings) and step 14\'s storage references (errors: no step defines PGPORT or PGDATABASE)', async () => {
    // Judged without PORTAL_STORAGE_PGDATABASE from the platform (a platform that sets only host and credentials).
    const report = await validate(version8Config(), { platformVariables: POSTGRES_PLATFORM.platformVariables.filter((name) => name !== 'PORTAL_STORAGE_PGDATABASE') });
    const errors = report.issues.filter((issue) => issue.severity === 'error');
    expect(errors.map((issue) => [issue.env, issue.jsonPath, issue.message.match(/variable "(\w+)"/)?.[1]])).toEqual(
      DEPLOYABLE.flatMap((env) => [[env, '$.storage.pgPort', 'PORTAL_STORAGE_PGPORT'], [env, '$.storage.pgDatabase', 'PORTAL_STORAGE_PGDATABASE']]),
    );
    expect(errors[0]?.message).toContain('from config version 8');
    expect(report.issues.filter((issue) => issue.code === IssueCode.UnknownAuthMethod)).toHaveLength(6);
  });

  it('leaves only PGPORT to the config on this platform, which sets PORTAL_STORAGE_PGDATABASE (the database it made for portal-api)', async () => {
    const errors = (await validate(version8Config())).issues.filter((issue) => issue.severity === 'error');
    expect(errors.map((issue) => [issue.env, issue.jsonPath])).toEqual(DEPLOYABLE.map((env) => [env, '$.storage.pgPort']));
  });

  it('runs once env/default.json defines what step 14 references', async () => {
    const report = await validate(changed((d) => Object.assign(at<Obj>(d, 'env/default.json'), { PORTAL_STORAGE_PGPORT: { value: '5432' }, PORTAL_STORAGE_PGDATABASE: { value: 'wicked' } }), version8Config));
    expect(report.valid).toBe(true);
    expect(report.verdicts?.every((verdict) => verdict.runs && verdict.warnings === 6)).toBe(true);
  });

  it('does not check a configKeyCheck that update step 4 rewrites with the running key (config version 3)', async () => {
    const documents = changed((d) => Object.assign(at<Obj>(d, 'globals.json'), { version: 3, configKeyCheck: kickstarterEncrypt('old-key', `${'0'.repeat(40)}wicked`) }), version8Config);
    const report = await validate(documents);
    expect(report.issues.filter((issue) => issue.code === IssueCode.WrongConfigKey)).toEqual([]);
    expect((await validate(changed((d) => { at<Obj>(d, 'globals.json').configKeyCheck = kickstarterEncrypt('old-key', `${'0'.repeat(40)}wicked`); }, version8Config))).issues)
      .toContainEqual(expect.objectContaining({ code: IssueCode.WrongConfigKey, file: 'globals.json' }));
  });

  it.each<[string, () => Documents, Change, number, string]>([
    ['no kickstarter.json', version8Config, (d) => { delete d['kickstarter.json']; }, 10, 'kickstarter.json'],
    ['no globals.network', version8Config, (d) => { delete at<Obj>(d, 'globals.json').network; }, 10, 'globals.json'],
    ['an API without config.json', version8Config, (d) => { delete d['apis/petstore/config.json']; }, 13, 'apis/apis.json'],
    ['no content/ folder', version8Config, (d) => { delete d['content/index.md']; delete d['content/index.json']; }, 16, 'content/'],
    ['a chatbot with neither targets nor hookUrls', version16Config, (d) => { delete at<Obj>(d, 'globals.json').chatbot.hookUrls; }, 21, 'globals.json'],
    ['a Kong definition without "api"', version16Config, (d) => { d['apis/petstore/config.json'] = { plugins: [] }; }, 23, 'apis/petstore/config.json'],
  ])('fails migration on %s', async (_name, base, change, step, file) => {
    const report = await validate(changed(change, base));
    expect(report.issues).toContainEqual(expect.objectContaining({ code: IssueCode.MigrationFailed, severity: 'error', file, message: expect.stringContaining(`update step ${step} fails`) }));
  });
});
