import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { currentConfig, FIXTURE_KEY, toFiles } from '../fixtures/wicked-config/sample-shaped';
import { HOSTILE_CORPUS } from '../config-bundle/hostile-corpus';
import { lastJson, runCli, spawnCli } from './run-cli';

const EXAMPLE = resolve(__dirname, '..', '..', 'examples', 'static');
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cli-validate-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('wickedctl validate', () => {
  it('accepts the example configuration and prints its configuration hash', async () => {
    const run = await runCli(['validate', '--config', EXAMPLE, '--json']);
    expect(run.code).toBe(0);
    expect(lastJson(run)).toMatchObject({ valid: true, environments: ['default', 'dev', 'prod'], issues: [] });
    expect(String(lastJson(run).configHash)).toMatch(/^[A-Za-z0-9+/]{27}=$/);
  });

  it('reports every problem at once with file, position and code, exit 2', async () => {
    // Prepare: three independent problems
    const dir = join(work, 'broken');
    await cp(EXAMPLE, dir, { recursive: true });
    await writeFile(join(dir, 'globals.json'), '{\n  "title": "x",\n  oops\n}\n');
    await rm(join(dir, 'env', 'default.json'));
    await writeFile(join(dir, 'plans', 'plans.json'), '{ "plans": [] }');
    // Act
    const run = await runCli(['validate', '--config', dir]);
    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^globals\.json:3:3 error JSON_SYNTAX: /m);
    expect(run.stdout).toMatch(/^env\/default\.json error MISSING_FILE: /m);
    expect(run.stdout).toMatch(/error UNKNOWN_PLAN/);
    expect(run.stdout).toMatch(/^dev: refused \(\d+ errors, 0 warnings\)$/m);
    expect(run.stdout).toMatch(/problems found\)$/m);
  });

  it('restricts variable resolution to the environments named with --env', async () => {
    const dir = join(work, 'env-only-dev');
    await cp(EXAMPLE, dir, { recursive: true });
    await rm(join(dir, 'env', 'prod.json'));
    const run = await runCli(['validate', '--config', dir, '--env', 'dev', '--json']);
    expect(lastJson(run)).toMatchObject({ valid: true, environments: ['dev'] });
    const missing = await runCli(['validate', '--config', dir, '--env', 'prod', '--json']);
    expect(missing.code).toBe(2);
  });

  it('warns that a deploy.envkey in a directory was left out and belongs in the secret store', async () => {
    const dir = join(work, 'with-key');
    await cp(EXAMPLE, dir, { recursive: true });
    await writeFile(join(dir, 'deploy.envkey'), 'k');
    const run = await runCli(['validate', '--config', dir, '--json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^warning: deploy\.envkey: .*PORTAL_CONFIG_KEY/m);
  });

  it('exits 2 with a usage message on a missing option', async () => {
    const run = await runCli(['validate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '--config <path>' not specified");
  });

  it('shows help for every command', async () => {
    for (const command of ['validate', 'build', 'demo']) {
      const run = await runCli([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: wickedctl ${command}`);
    }
  });
});

describe('wickedctl validate: portal-api\'s verdict per environment', () => {
  let sample: string;
  const FILES = toFiles(currentConfig());

  beforeAll(async () => {
    // A configuration shaped like wicked's sample: Postgres host and credentials come from the platform.
    sample = join(work, 'sample-shaped');
    for (const [path, text] of Object.entries(FILES)) {
      await mkdir(dirname(join(sample, path)), { recursive: true });
      await writeFile(join(sample, path), text);
    }
  });

  it('without --env, says which environments would run; the developer one is refused with its reason', async () => {
    const run = await runCli(['validate', '--config', sample, '--postgres']);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^default: would run \(0 errors, 0 warnings\)$/m);
    expect(run.stdout).toMatch(/^docker: would run/m);
    expect(run.stdout).toMatch(/^k8s: would run/m);
    expect(run.stdout).toMatch(/^localhost: refused \(2 errors, 0 warnings\)$/m);
    expect(run.stdout).toMatch(/\[env localhost\] error STATIC_CONFIG_PATH: .*\/home\/dev\/wicked-config\/static/);
  });

  it('accepts the environments that run, and needs the container\'s Postgres variables declared', async () => {
    const envs = ['--env', 'docker', '--env', 'k8s'];
    expect((await runCli(['validate', '--config', sample, ...envs, '--postgres'])).code).toBe(0);
    const undeclared = await runCli(['validate', '--config', sample, ...envs, '--json']);
    expect(undeclared.code).toBe(2);
    expect(lastJson(undeclared).issues).toContainEqual(expect.objectContaining({ code: 'UNRESOLVED_VARIABLE', severity: 'error', jsonPath: '$.storage.pgHost', env: 'docker' }));
    const declared = await runCli(['validate', '--config', sample, ...envs, '--var', 'PORTAL_STORAGE_PGHOST', '--var', 'PORTAL_STORAGE_PGUSER', '--var', 'PORTAL_STORAGE_PGPASSWORD']);
    expect(declared.code).toBe(0);
    const varsFile = join(work, 'container.env');
    await writeFile(varsFile, '# set by the task definition\nPORTAL_STORAGE_PGHOST\nexport PORTAL_STORAGE_PGUSER=kong\n\nPORTAL_STORAGE_PGPASSWORD=\n');
    expect((await runCli(['validate', '--config', sample, ...envs, '--vars-file', varsFile])).code).toBe(0);
    await writeFile(varsFile, 'NOT A NAME\n');
    const bad = await runCli(['validate', '--config', sample, ...envs, '--vars-file', varsFile]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${varsFile}:1: expected NAME or NAME=value`);
  });

  it('passes with warnings (exit 0, severity in --json), and --strict makes them fatal', async () => {
    const dir = join(work, 'sample-with-warning');
    await cp(sample, dir, { recursive: true });
    const globals = JSON.parse(FILES['globals.json'] as string) as { portal: { authMethods: string[] } };
    globals.portal.authMethods.push('corporate:saml');
    await writeFile(join(dir, 'globals.json'), JSON.stringify(globals));
    const run = await runCli(['validate', '--config', dir, '--env', 'docker', '--postgres', '--json']);
    expect(run.code).toBe(0);
    expect(lastJson(run)).toMatchObject({ valid: true, errorCount: 0, warningCount: 1, issues: [{ code: 'UNKNOWN_AUTH_METHOD', severity: 'warning', jsonPath: '$.portal.authMethods[2]' }] });
    const strict = await runCli(['validate', '--config', dir, '--env', 'docker', '--postgres', '--strict']);
    expect(strict.code).toBe(2);
    expect(strict.stdout).toMatch(/^globals\.json warning UNKNOWN_AUTH_METHOD: /m);
  });

  it('decrypts with --key-file as portal-api does, and refuses another key', async () => {
    const keyFile = join(work, 'deploy.envkey');
    await writeFile(keyFile, `${FIXTURE_KEY}\n`);
    expect((await runCli(['validate', '--config', sample, '--env', 'docker', '--postgres', '--key-file', keyFile])).code).toBe(0);
    await writeFile(keyFile, 'another-key\n');
    const wrong = await runCli(['validate', '--config', sample, '--env', 'docker', '--postgres', '--key-file', keyFile]);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toMatch(/^globals\.json error WRONG_CONFIG_KEY: /m);
  });

  it('names the environment file a NODE_ENV needs', async () => {
    const run = await runCli(['validate', '--config', sample, '--env', 'prod', '--postgres']);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/env\/prod\.json \[env prod\] error MISSING_FILE: the wicked environment \(NODE_ENV\) is "prod", but env\/prod\.json is missing.*\(environments of this configuration: default, docker, k8s, localhost\)/);
  });
});

describe('wickedctl validate on the hostile corpus', () => {
  const cases = HOSTILE_CORPUS.filter((hostile) => hostile.limits === undefined);

  it('has at least 25 hostile archives that default limits refuse', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases.map((hostile) => [hostile.name, hostile] as const))('%s: refused with its code, exit 2, no stack trace', async (_name, hostile) => {
    const file = join(work, `hostile-${HOSTILE_CORPUS.indexOf(hostile)}`);
    await writeFile(file, hostile.build());
    const run = await runCli(['validate', '--config', file, '--json']);
    expect(run.code).toBe(2);
    const report = lastJson(run) as { valid: boolean; issues: { code: string; file: string; message: string }[] };
    expect(report.valid).toBe(false);
    expect(report.issues).toHaveLength(1);
    expect(report.issues[0]).toMatchObject({ code: hostile.code, file: hostile.path ?? '', severity: 'error' });
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/^\s+at /m);
  });
});

describe('the wickedctl binary', () => {
  it('runs from bin/ with real exit codes and no stack trace on a refused archive', async () => {
    const file = join(work, 'not-an-archive.tgz');
    await writeFile(file, 'this is plain text, not an archive\n');
    const refused = await spawnCli(['validate', '--config', file]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(/UNSUPPORTED_FORMAT/);
    expect(refused.stderr).not.toMatch(/^\s+at /m);
    const valid = await spawnCli(['validate', '--config', EXAMPLE]);
    expect(valid.code).toBe(0);
  });
});
