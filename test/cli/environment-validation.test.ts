import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { EnvironmentValidationInput } from '../../cli/environment-validation';
import { decideEnvironmentValidation } from '../../cli/environment-validation';
import { SDK_DEFAULTS } from '../../local/story';
import { PLATFORM_VARIABLES, POSTGRES_PLATFORM_VARIABLES } from '../../shared/wicked-config';
import { currentConfig, toFiles } from '../fixtures/wicked-config/sample-shaped';
import type { OperatorFixture } from './operator-fixture';
import { startOperatorFixture } from './operator-fixture';
import { lastJson, runCli } from './run-cli';
import { SETUP_LIMIT_MS } from '../helpers/signals';

const EXAMPLE = resolve(__dirname, '..', '..', 'examples', 'static');
const BASE = [...PLATFORM_VARIABLES];
const WITH_PG = [...PLATFORM_VARIABLES, ...POSTGRES_PLATFORM_VARIABLES];
const STACK = { nodeEnv: 'k8s', platformVariables: [...WITH_PG, 'SMTP_HOST'], strictValidation: 'true' };

describe('decideEnvironmentValidation: flag, else parameter, else default', () => {
  const input = (fields: Partial<EnvironmentValidationInput>): EnvironmentValidationInput => ({ env: 'prod', envFlag: '--env', flags: {}, flagVariables: BASE, found: STACK, ...fields });

  it.each<[string, Partial<EnvironmentValidationInput>, { nodeEnv: string; setting: RegExp; variables: readonly string[]; strict: boolean; defaults: RegExp | undefined; notes: number }]>([
    ['every setting from the stack\'s parameters', {}, { nodeEnv: 'k8s', setting: /^parameter \/wicked\/prod\/node-env \(the nodeEnv prop of the prod stack\)$/, variables: STACK.platformVariables, strict: true, defaults: undefined, notes: 0 }],
    ['--node-env overrides the parameter, with a note', { flags: { nodeEnv: 'docker' } }, { nodeEnv: 'docker', setting: /^--node-env$/, variables: STACK.platformVariables, strict: true, defaults: undefined, notes: 1 }],
    ['--node-env equal to the parameter: no note', { flags: { nodeEnv: 'k8s' } }, { nodeEnv: 'k8s', setting: /^--node-env$/, variables: STACK.platformVariables, strict: true, defaults: undefined, notes: 0 }],
    ['--postgres replaces the variable list, with a note', { flags: { postgres: true }, flagVariables: WITH_PG }, { nodeEnv: 'k8s', setting: /parameter/, variables: WITH_PG, strict: true, defaults: undefined, notes: 1 }],
    ['--var replaces the list; same names in another order: no note', { flags: { var: ['SMTP_HOST'] }, flagVariables: ['SMTP_HOST', ...WITH_PG] }, { nodeEnv: 'k8s', setting: /parameter/, variables: ['SMTP_HOST', ...WITH_PG], strict: true, defaults: undefined, notes: 0 }],
    ['strict-validation false, --strict makes warnings fatal', { found: { ...STACK, strictValidation: 'false' }, flags: { strict: true } }, { nodeEnv: 'k8s', setting: /parameter/, variables: STACK.platformVariables, strict: true, defaults: undefined, notes: 0 }],
    ['strict-validation false', { found: { ...STACK, strictValidation: 'false' } }, { nodeEnv: 'k8s', setting: /parameter/, variables: STACK.platformVariables, strict: false, defaults: undefined, notes: 0 }],
    ['no parameters at all: every default, named in one line', { found: undefined }, {
      nodeEnv: 'prod', setting: /^--node-env \(default: the --env name; no parameter \/wicked\/prod\/node-env\)$/, variables: BASE, strict: false,
      defaults: /^wickedctl: no parameters under \/wicked\/prod\/: validating with the defaults NODE_ENV=prod \(the --env name\), platform variables NODE_ENV,PORTAL_CONFIG_KEY, warnings not fatal; --node-env, --postgres\/--var\/--vars-file and --strict set them$/, notes: 0,
    }],
    ['an older stack (node-env only): the other two default', { found: { nodeEnv: 'k8s', configBucket: 'b' } }, {
      nodeEnv: 'k8s', setting: /parameter/, variables: BASE, strict: false,
      defaults: /^wickedctl: no \/wicked\/prod\/platform-variables, \/wicked\/prod\/strict-validation \(a stack older than this wickedctl\): validating with the defaults platform variables NODE_ENV,PORTAL_CONFIG_KEY, warnings not fatal;/, notes: 0,
    }],
    ['promote names --to in its default', { envFlag: '--to', found: undefined, flags: { strict: true, postgres: true }, flagVariables: WITH_PG }, {
      nodeEnv: 'prod', setting: /^--node-env \(default: the --to name;/, variables: WITH_PG, strict: true, defaults: /the defaults NODE_ENV=prod \(the --to name\);/, notes: 0,
    }],
  ])('%s', (_name, fields, expected) => {
    const decided = decideEnvironmentValidation(input(fields));
    expect(decided.nodeEnv).toBe(expected.nodeEnv);
    expect(decided.nodeEnvSetting).toMatch(expected.setting);
    expect(decided.platformVariables).toEqual(expected.variables);
    expect(decided.strict).toBe(expected.strict);
    if (expected.defaults) expect(decided.defaults).toMatch(expected.defaults);
    else expect(decided.defaults).toBeUndefined();
    expect(decided.notes).toHaveLength(expected.notes);
    expect(decided.defaults?.includes('\n') ?? false).toBe(false);
  });

  it('refuses a strict-validation parameter that is neither true nor false, naming it (exit 1)', () => {
    expect(() => decideEnvironmentValidation(input({ found: { ...STACK, strictValidation: 'yes' } }))).toThrow(expect.objectContaining({
      message: 'parameter /wicked/prod/strict-validation: received "yes", expected true or false; redeploy the stack', exitCode: 1,
    }));
  });
});

describe('wickedctl upload validates as the environment\'s stack runs it (emulator SSM)', () => {
  let fixture: OperatorFixture;
  let s3: S3Client;
  let sample: string;
  let withWarning: string;
  const buckets = new Set<string>();

  /** A platform environment `env` as a stack writes it: its own config bucket (no build here), and the validation parameters given. */
  function stack(env: string, values: { nodeEnv?: string; platformVariables?: readonly string[]; strictValidation?: string }): string {
    const bucket = `wicked-${env}-config`;
    if (!buckets.has(bucket)) fixture.emulator.control.s3.createBucket(bucket, { versioning: true });
    buckets.add(bucket);
    const put = (key: string, value: string, type: 'String' | 'StringList' = 'String') => fixture.emulator.control.ssm.put({ name: `/wicked/${env}/${key}`, value, type, overwrite: true });
    put('config-bucket', bucket);
    if (values.nodeEnv) put('node-env', values.nodeEnv);
    if (values.platformVariables) put('platform-variables', values.platformVariables.join(','), 'StringList');
    if (values.strictValidation) put('strict-validation', values.strictValidation);
    return bucket;
  }
  async function uploaded(bucket: string): Promise<number> {
    return ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).length;
  }

  beforeAll(async () => {
    fixture = await startOperatorFixture('cli-env-validation-');
    s3 = new S3Client({ ...SDK_DEFAULTS, endpoint: fixture.emulator.endpoints.s3, forcePathStyle: true });
    // Shaped like wicked's sample: env/k8s.json and env/docker.json, no env/prod.json; Postgres host and credentials from the platform.
    const files = toFiles(currentConfig());
    sample = join(fixture.dir, 'sample-shaped');
    withWarning = join(fixture.dir, 'sample-with-warning');
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(sample, path)), { recursive: true });
      await writeFile(join(sample, path), text);
    }
    await cp(sample, withWarning, { recursive: true });
    // An auth method portal-api does not know: it logs and skips it (swagger-utils lookupAuthMethod), a warning.
    const globals = JSON.parse(files['globals.json'] as string) as { portal: { authMethods: string[] } };
    globals.portal.authMethods.push('corporate:saml');
    await writeFile(join(withWarning, 'globals.json'), JSON.stringify(globals));
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    s3?.destroy();
    await fixture?.stop();
  });

  it('accepts a configuration valid for k8s in --env prod when the stack\'s nodeEnv is k8s, and refuses it without env/k8s.json, naming the parameter', async () => {
    const bucket = stack('prod', { nodeEnv: 'k8s', platformVariables: WITH_PG, strictValidation: 'false' });
    const run = await runCli(['upload', '--config', sample, '--env', 'prod', '--json']);
    expect(run.stderr).not.toMatch(/defaults/);
    expect(run.code).toBe(0);
    expect(lastJson(run)).toMatchObject({ outcome: 'pending', env: 'prod' });
    expect(await uploaded(bucket)).toBe(1);

    const noK8s = join(fixture.dir, 'no-k8s');
    await cp(sample, noK8s, { recursive: true });
    await rm(join(noK8s, 'env', 'k8s.json'));
    const refused = await runCli(['upload', '--config', noK8s, '--env', 'prod', '--json']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/env\/k8s\.json \[env k8s\] error MISSING_FILE: parameter \/wicked\/prod\/node-env \(the nodeEnv prop of the prod stack\) is "k8s", but env\/k8s\.json is missing/);
    expect(lastJson(refused)).toMatchObject({ outcome: 'rejected', env: 'prod' });
    expect(await uploaded(bucket)).toBe(1);

    // An explicit --node-env overrides the parameter and says so.
    const docker = await runCli(['upload', '--config', noK8s, '--env', 'prod', '--node-env', 'docker']);
    expect(docker.code).toBe(0);
    expect(docker.stderr).toContain('note: --node-env docker overrides parameter /wicked/prod/node-env (k8s)');
    expect(await uploaded(bucket)).toBe(2);
  }, 60_000);

  it('takes the container variables and strictness from the parameters; flags replace them', async () => {
    const bucket = stack('stage', { nodeEnv: 'k8s', platformVariables: BASE, strictValidation: 'true' });
    // The task definition sets no Postgres variables here: the storage host cannot resolve (an error), as portal-api would see it.
    const noPg = await runCli(['upload', '--config', sample, '--env', 'stage', '--json']);
    expect(noPg.code).toBe(2);
    expect(noPg.stderr).toMatch(/\[env k8s\] error UNRESOLVED_VARIABLE/);
    // --postgres replaces the stack's list (with a note); the stack's strict-validation still makes a warning fatal.
    const strict = await runCli(['upload', '--config', withWarning, '--env', 'stage', '--postgres']);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('note: --postgres/--var/--vars-file replace parameter /wicked/stage/platform-variables (NODE_ENV,PORTAL_CONFIG_KEY)');
    expect(strict.stderr).toMatch(/globals\.json .*warning UNKNOWN_AUTH_METHOD/);
    expect(await uploaded(bucket)).toBe(0);
    // prod's stack is not strict: the same configuration is built there, warnings shown.
    stack('prod', { nodeEnv: 'k8s', platformVariables: WITH_PG, strictValidation: 'false' });
    const lenient = await runCli(['upload', '--config', withWarning, '--env', 'prod']);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/warning UNKNOWN_AUTH_METHOD/);
  }, 60_000);

  it('falls back to today\'s defaults for an older stack and names them on stderr in one line', async () => {
    const bucket = stack('legacy', {});
    const run = await runCli(['upload', '--config', EXAMPLE, '--env', 'legacy', '--node-env', 'prod']);
    const lines = run.stderr.split('\n').filter((line) => line.includes('defaults'));
    expect(lines).toEqual(['wickedctl: no /wicked/legacy/node-env, /wicked/legacy/platform-variables, /wicked/legacy/strict-validation (a stack older than this wickedctl): validating with the defaults platform variables NODE_ENV,PORTAL_CONFIG_KEY, warnings not fatal; --node-env, --postgres/--var/--vars-file and --strict set them']);
    expect(run.code).toBe(0);
    expect(await uploaded(bucket)).toBe(1);
    const named = await runCli(['upload', '--config', EXAMPLE, '--env', 'legacy']);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/error MISSING_FILE: --node-env \(default: the --env name; no parameter \/wicked\/legacy\/node-env\) is "legacy"/);
  }, 60_000);
});
