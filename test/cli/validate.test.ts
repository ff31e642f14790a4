import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
    expect(run.stdout).toMatch(/^globals\.json:3:3 JSON_SYNTAX: /m);
    expect(run.stdout).toMatch(/^env\/default\.json MISSING_FILE: /m);
    expect(run.stdout).toMatch(/UNKNOWN_PLAN/);
    expect(run.stdout).toMatch(/problems found$/m);
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
    expect(report.issues[0]).toMatchObject({ code: hostile.code, file: hostile.path ?? '' });
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
