import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OciLayoutRepository } from '../../../shared/oci/oci-layout';
import { validateImage } from '../../../shared/oci/validate';
import { writeStandInBase } from '../../../local/stand-in-base';
import { registryClient, startEcrFixture } from './ecr-fixture';
import type { EcrFixture } from './ecr-fixture';

const run = promisify(execFile);

let fixture: EcrFixture;
let work: string;
beforeAll(async () => {
  fixture = await startEcrFixture();
  work = await mkdtemp(join(tmpdir(), 'ecr-skopeo-'));
  await fixture.ecr.control.createRepository('portal-api', { imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', exclusionFilters: ['*-live'] });
});
afterAll(async () => {
  await fixture.stop();
  await rm(work, { recursive: true, force: true });
});

async function skopeo(...args: string[]): Promise<string> {
  return (await run('skopeo', args, { timeout: 30_000 })).stdout;
}

describe('interoperability with skopeo (copy in, inspect, copy out)', () => {
  it('copies an OCI layout in and out with --creds AWS:<password>, keeping the digest', async () => {
    const layout = await OciLayoutRepository.open(join(work, 'in'));
    const { reference, digest } = await writeStandInBase(layout);
    const creds = `AWS:${fixture.ecr.control.issueCredentials().password}`;
    const remote = `docker://${fixture.ecr.control.registry}/portal-api:v1`;
    await skopeo('copy', '--dest-creds', creds, '--dest-tls-verify=false', `oci:${join(work, 'in')}:${reference}`, remote);

    const info = JSON.parse(await skopeo('inspect', '--creds', creds, '--tls-verify=false', remote)) as { Digest: string; Layers: string[]; Env: string[] };
    expect(info.Digest).toBe(digest);
    expect(info.Env).toContain('NODE_ENV=production');
    expect(fixture.ecr.control.listImages('portal-api').map((image) => image.imageDigest)).toEqual([digest]);
    expect(await validateImage(registryClient(fixture, 'portal-api'), 'v1')).toEqual([]);

    await skopeo('copy', '--src-creds', creds, '--src-tls-verify=false', remote, `oci:${join(work, 'out')}:v1`);
    const out = JSON.parse(await skopeo('inspect', `oci:${join(work, 'out')}:v1`)) as { Digest: string; Layers: string[] };
    expect(out).toMatchObject({ Digest: digest, Layers: info.Layers });
  });

  it('converts to Docker v2 schema 2 on copy, and an immutable tag refuses another image', async () => {
    const creds = `AWS:${fixture.ecr.control.issueCredentials().password}`;
    const v1 = `docker://${fixture.ecr.control.registry}/portal-api:v1`;
    const docker = `docker://${fixture.ecr.control.registry}/portal-api:docker-live`;
    const flags = ['--src-creds', creds, '--dest-creds', creds, '--src-tls-verify=false', '--dest-tls-verify=false'];
    await skopeo('copy', ...flags, '--format', 'v2s2', v1, docker);
    const raw = JSON.parse(await skopeo('inspect', '--raw', '--creds', creds, '--tls-verify=false', docker)) as { mediaType: string };
    expect(raw.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    await expect(skopeo('copy', ...flags, docker, v1)).rejects.toThrow(/already exists in the 'portal-api' repository and cannot be overwritten/);
  });

  it('is refused without credentials', async () => {
    await expect(skopeo('inspect', '--tls-verify=false', '--no-creds', `docker://${fixture.ecr.control.registry}/portal-api:v1`)).rejects.toThrow(/unauthorized|authentication required|401/i);
  });
});
