import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { writeStandInBase } from '../../local/stand-in-base';
import { createRegistryRepository } from '../../shared/oci/registry/registry-repository';
import type { RegistryRepository } from '../../shared/oci/registry/registry-repository';
import { buildConfigImage } from '../../shared/pipeline/build-config';
import type { BuildConfigOutcome } from '../../shared/pipeline/build-config';
import { startFaultProxy } from '../helpers/fault-proxy';
import type { FaultProxy } from '../helpers/fault-proxy';
import { startRegistry } from '../helpers/registry-server';
import type { RegistryServer } from '../helpers/registry-server';

const run = promisify(execFile);
const EXAMPLE = resolve(__dirname, '..', '..', 'examples', 'static');
const AUTH = { username: 'builder', password: 'pa55-word' };
const FAST_RETRY = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxElapsedMs: 5000 };

let anonymous: RegistryServer;
let basic: RegistryServer;
let work: string;

beforeAll(async () => {
  [anonymous, basic] = await Promise.all([startRegistry(), startRegistry({ auth: AUTH })]);
  work = await mkdtemp(join(tmpdir(), 'e2e-build-'));
  await writeStandInBase(repository(anonymous.host, 'wicked/api'));
  await writeStandInBase(repository(basic.host, 'wicked/api', AUTH));
});

afterAll(async () => {
  await Promise.all([anonymous?.stop(), basic?.stop()]);
  await rm(work, { recursive: true, force: true });
});

function repository(host: string, name: string, credentials?: typeof AUTH, retry = FAST_RETRY): RegistryRepository {
  return createRegistryRepository({ host, repository: name, insecure: true, retry, ...(credentials ? { credentials } : {}) });
}

async function build(host: string, target: string, config: string, credentials?: typeof AUTH, retry = FAST_RETRY): Promise<Extract<BuildConfigOutcome, { kind: 'built' }>> {
  const outcome = await buildConfigImage({
    source: { path: config },
    image: { base: { repository: repository(host, 'wicked/api', credentials, retry), reference: 'stand-in', mountFrom: 'wicked/api' }, target: repository(host, target, credentials, retry) },
  });
  if (outcome.kind !== 'built') throw new Error(`rejected: ${JSON.stringify(outcome.report.issues)}`);
  return outcome;
}

async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const walk = async (current: string): Promise<void> => {
    for (const item of await readdir(current, { withFileTypes: true })) {
      const path = join(current, item.name);
      if (item.isDirectory()) await walk(path);
      else files.set(relative(dir, path), await readFile(path));
    }
  };
  await walk(dir);
  return files;
}

/** Copies the pushed image out of the registry with skopeo and unpacks it with umoci: independent tools. */
async function unpackFromRegistry(host: string, reference: string, creds?: typeof AUTH): Promise<string> {
  const layout = await mkdtemp(join(work, 'layout-'));
  const credArgs = creds ? ['--src-creds', `${creds.username}:${creds.password}`] : [];
  await run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', ...credArgs, `docker://${host}/${reference}`, `oci:${layout}:pulled`]);
  const bundle = join(layout, 'bundle');
  await run('umoci', ['unpack', '--rootless', '--image', `${layout}:pulled`, bundle]);
  return join(bundle, 'rootfs');
}

describe.each([
  ['anonymous', () => anonymous, undefined],
  ['htpasswd Basic auth', () => basic, AUTH],
] as const)('build and push to the CNCF distribution registry (%s)', (_mode, server, credentials) => {
  it('delivers every file byte for byte at /var/portal-api/static, over the base unchanged', async () => {
    const { result, report } = await build(server().host, 'portal-api', EXAMPLE, credentials);
    const credArgs = credentials ? ['--creds', `${credentials.username}:${credentials.password}`] : [];
    const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', ...credArgs, `docker://${server().host}/portal-api:${result.tag}`]);
    const inspected = JSON.parse(stdout) as { Digest: string; Labels: Record<string, string>; Layers: string[] };
    expect(inspected.Digest).toBe(result.digest);
    expect(inspected.Labels['io.wicked.config.hash']).toBe(report.configHash);
    expect(inspected.Layers).toHaveLength(2);

    const rootfs = await unpackFromRegistry(server().host, `portal-api:${result.tag}`, credentials);
    expect(await filesUnder(join(rootfs, 'var', 'portal-api', 'static'))).toEqual(await filesUnder(EXAMPLE));
    expect(await readFile(join(rootfs, 'usr', 'src', 'app', 'package.json'), 'utf8')).toContain('portal-api');
  });

  it('uploads nothing on a rebuild and keeps the digest when only mtimes change', async () => {
    const copy = await mkdtemp(join(work, 'touched-'));
    await cp(EXAMPLE, copy, { recursive: true });
    const first = await build(server().host, 'portal-api-touch', copy, credentials);
    const again = await build(server().host, 'portal-api-touch', copy, credentials);
    expect(again.result).toMatchObject({ digest: first.result.digest, skipped: true, uploadedBlobs: 0, uploadedBytes: 0 });
    const later = new Date('2031-01-01T00:00:00Z');
    for (const path of (await filesUnder(copy)).keys()) await utimes(join(copy, path), later, later);
    const touched = await build(server().host, 'portal-api-touch-2', copy, credentials);
    expect(touched.result.digest).toBe(first.result.digest);
  });
});

describe('build through a faulty network', () => {
  let proxy: FaultProxy;

  beforeEach(async () => {
    proxy = await startFaultProxy(anonymous.host);
  });
  afterEach(async () => {
    await proxy.stop();
  });

  it('retries dropped connections and 500s and still pushes a valid image', async () => {
    proxy.inject({ method: 'PUT', path: /\/blobs\/uploads\//, fault: 'drop', times: 1 });
    proxy.inject({ method: 'POST', path: /\/blobs\/uploads\//, fault: 'status', status: 500, times: 1 });
    proxy.inject({ method: 'PUT', path: /\/manifests\//, fault: 'status', status: 503, times: 1 });
    const { result } = await build(proxy.host, 'portal-api-flaky', EXAMPLE);
    expect(result.skipped).toBe(false);
    const outcomes = proxy.requests.map((request) => request.outcome);
    expect(outcomes).toEqual(expect.arrayContaining(['dropped', 'status 500', 'status 503']));
    const direct = repository(anonymous.host, 'portal-api-flaky');
    expect((await direct.fetchManifest(result.tag))?.digest).toBe(result.digest);
  });

  it('leaves no tag when uploads keep failing', async () => {
    proxy.inject({ method: 'PUT', path: /\/blobs\/uploads\//, fault: 'status', status: 500, times: 1000 });
    const failure = await build(proxy.host, 'portal-api-doomed', EXAMPLE).catch((error: unknown) => error);
    expect(failure).toMatchObject({ retryable: true });
    expect(proxy.requests.some((request) => request.method === 'PUT' && request.path.includes('/manifests/'))).toBe(false);
    const response = await fetch(`http://${anonymous.host}/v2/portal-api-doomed/tags/list`);
    expect(response.status).toBe(404);
  });
});
