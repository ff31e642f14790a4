import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { validateImage } from '../../shared/oci';
import { createRegistryRepository } from '../../shared/oci/registry/registry-repository';
import { writeStandInBase } from '../../local/stand-in-base';
import type { RegistryServer } from '../helpers/registry-server';
import { freePort, startRegistry } from '../helpers/registry-server';
import { lastJson, runCli, spawnCli } from './run-cli';

const EXAMPLE = resolve(__dirname, '..', '..', 'examples', 'static');
const AUTH = { username: 'ci', password: 's3cret-pass' };
let open: RegistryServer;
let locked: RegistryServer;
let work: string;

beforeAll(async () => {
  [open, locked] = await Promise.all([startRegistry(), startRegistry({ auth: AUTH })]);
  work = await mkdtemp(join(tmpdir(), 'cli-build-'));
  await writeStandInBase(createRegistryRepository({ host: open.host, repository: 'wicked/api', insecure: true }));
  await writeStandInBase(createRegistryRepository({ host: locked.host, repository: 'wicked/api', insecure: true, credentials: AUTH }));
});

afterAll(async () => {
  await Promise.all([open?.stop(), locked?.stop()]);
  await rm(work, { recursive: true, force: true });
});

async function tags(host: string, repository: string): Promise<string[]> {
  const response = await fetch(`http://${host}/v2/${repository}/tags/list`);
  return response.status === 404 ? [] : (((await response.json()) as { tags: string[] | null }).tags ?? []);
}

describe('wickedctl build', () => {
  it('builds and pushes, printing the documented JSON; a rebuild uploads nothing', async () => {
    const args = ['build', '--config', EXAMPLE, '--base', `${open.host}/wicked/api:stand-in`, '--to', `${open.host}/portal-api`, '--insecure-registry', '--json'];
    const first = await runCli(args);
    expect(first.code).toBe(0);
    const result = lastJson(first);
    expect(Object.keys(result).sort()).toEqual(['configHash', 'digest', 'image', 'skipped', 'tag', 'uploadedBlobs', 'uploadedBytes', 'warnings']);
    expect(result.warnings).toEqual([]);
    expect(result).toMatchObject({ image: `${open.host}/portal-api@${String(result.digest)}`, skipped: false });
    // The base layer is mounted from wicked/api, so only the config layer and the config blob are uploaded.
    expect(result.uploadedBlobs).toBe(2);
    expect(first.stderr).toMatch(/^layer sha256:[0-9a-f]{64}: \d+ bytes hashed/m);
    expect(await validateImage(createRegistryRepository({ host: open.host, repository: 'portal-api', insecure: true }), String(result.tag))).toEqual([]);

    const again = lastJson(await runCli(args));
    expect(again).toMatchObject({ digest: result.digest, tag: result.tag, uploadedBlobs: 0, uploadedBytes: 0, skipped: true });
  });

  it('the installed binary exits as soon as it is done, after a push and after a refused one (no connection is left open)', async () => {
    const args = ['build', '--config', EXAMPLE, '--insecure-registry', '--json'];
    const pushed = await spawnCli([...args, '--base', `${open.host}/wicked/api:stand-in`, '--to', `${open.host}/spawned`], { timeoutMs: 20_000 });
    expect(pushed.stderr).not.toContain('killed');
    expect(pushed.code).toBe(0);
    expect(lastJson(pushed)).toMatchObject({ skipped: false, uploadedBlobs: 2 });
    const refused = await spawnCli([...args, '--base', `${locked.host}/wicked/api:stand-in`, '--to', `${locked.host}/spawned`], { timeoutMs: 20_000 });
    expect(refused.stderr).not.toContain('killed');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^wickedctl: .*401/m);
  });

  it('the installed binary reports a refused configuration and exits while the base read still waits on a registry that never answers', async () => {
    const dir = join(work, 'refused-offline');
    await cp(EXAMPLE, dir, { recursive: true });
    await writeFile(join(dir, 'globals.json'), '{ "network": ');
    // Accepts connections and never answers: the base read started next to the validation stays pending.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const run = await spawnCli(['build', '--config', dir, '--base', `${host}/wicked/api:1`, '--to', `${host}/portal-api`, '--insecure-registry'], { timeoutMs: 15_000 });
      expect(run.stderr).not.toContain('killed');
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/configuration problem\(s\); nothing was uploaded/);
    } finally {
      silent.close();
    }
  });

  it('authenticates with --username and --password-stdin', async () => {
    const run = await runCli(
      ['build', '--config', EXAMPLE, '--base', `${locked.host}/wicked/api:stand-in`, '--to', `${locked.host}/portal-api`, '--insecure-registry', '--username', AUTH.username, '--password-stdin', '--json'],
      `${AUTH.password}\n`,
    );
    expect(run.code).toBe(0);
    expect(lastJson(run).skipped).toBe(false);
    expect(run.stdout + run.stderr).not.toContain(AUTH.password);
  });

  it('fails with exit 1 and a one-line reason when credentials are refused', async () => {
    const run = await runCli(
      ['build', '--config', EXAMPLE, '--base', `${locked.host}/wicked/api:stand-in`, '--to', `${locked.host}/portal-api`, '--insecure-registry', '--username', AUTH.username, '--password-stdin'],
      'wrong\n',
    );
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^wickedctl: .*(401|UNAUTHORIZED|unauthorized)/i);
  });

  it('refuses an invalid configuration with exit 2 and uploads nothing', async () => {
    const dir = join(work, 'invalid');
    await cp(EXAMPLE, dir, { recursive: true });
    await writeFile(join(dir, 'apis', 'apis.json'), '{ "apis": [ { "id": "petstore", "name": "Petstore", "auth": "key-auth", "plans": ["gold"] } ] }');
    const run = await runCli(['build', '--config', dir, '--base', `${open.host}/wicked/api:stand-in`, '--to', `${open.host}/never-pushed`, '--insecure-registry', '--json']);
    expect(run.code).toBe(2);
    expect(lastJson(run)).toMatchObject({ error: 'invalid-config' });
    // initializer.checkApiPlans makes portal-api exit on an unknown plan: an error.
    expect(run.stderr).toMatch(/error UNKNOWN_PLAN/);
    expect(await tags(open.host, 'never-pushed')).toEqual([]);
  });

  it('exits 1 with one line when the registry is unreachable', async () => {
    const port = await freePort();
    const run = await runCli(['build', '--config', EXAMPLE, '--base', `127.0.0.1:${port}/wicked/api:1`, '--to', `127.0.0.1:${port}/portal-api`, '--insecure-registry']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^wickedctl: /);
  });

  it.each([
    ['a malformed target', ['--to', 'UPPER CASE/x']],
    ['plain HTTP to a non-loopback registry', ['--to', 'registry.example.com/portal-api']],
  ])('exits 2 on %s', async (_what, extra) => {
    const run = await runCli(['build', '--config', EXAMPLE, '--base', `${open.host}/wicked/api:stand-in`, '--insecure-registry', ...extra]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^wickedctl: /);
  });

  it('writes to an OCI layout with oci:DIR', async () => {
    const layout = join(work, 'layout');
    const run = await runCli(['build', '--config', EXAMPLE, '--base', `${open.host}/wicked/api:stand-in`, '--to', `oci:${layout}`, '--insecure-registry', '--json']);
    expect(run.code).toBe(0);
    // Base layers are copied through (no mount across stores), so three blobs are written.
    expect(lastJson(run)).toMatchObject({ uploadedBlobs: 3, skipped: false });
  });
});
