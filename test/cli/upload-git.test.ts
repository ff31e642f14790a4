import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { uploadSourceOptions } from '../../cli/upload-source';
import { SDK_DEFAULTS } from '../../local/story';
import { ImageBuiltDetailSchema } from '../../shared/events';
import { Labels } from '../../shared/oci/mutate';
import { createRegistryRepository } from '../../shared/oci/registry/registry-repository';
import type { OperatorFixture } from './operator-fixture';
import { startOperatorFixture } from './operator-fixture';
import { lastJson, runCli } from './run-cli';
import { SETUP_LIMIT_MS, SIGNAL_BACKSTOP_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';
import { settle } from '../e2e/deploy-helpers';

const EXAMPLE = resolve(__dirname, '..', '..', 'examples', 'static');

/** Runs git in `dir` with a fixed identity, so the test needs no global git configuration. */
function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', '-c', 'protocol.file.allow=always', '-C', dir, ...args], { encoding: 'utf8' }).trim();
}

describe('upload source options', () => {
  it.each([
    [{ config: 'a', git: 'r', rev: 'v' }, /received both/],
    [{ git: 'r' }, /received no --rev/],
    [{ rev: 'v' }, /--rev: received without --git/],
    [{}, /no configuration/],
  ])('refuses %j with exit 2', (options, message) => {
    expect(() => uploadSourceOptions(options)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(message) }));
  });
});

describe('wickedctl upload --git against the local emulator and real repositories', () => {
  let fixture: OperatorFixture;
  let s3: S3Client;
  let repo: string;
  let v1: string;

  beforeAll(async () => {
    fixture = await startOperatorFixture('cli-upload-git-');
    s3 = new S3Client({ ...SDK_DEFAULTS, endpoint: fixture.emulator.endpoints.s3, forcePathStyle: true });
    repo = join(fixture.dir, 'config-repo');
    await mkdir(repo);
    git(repo, 'init', '--quiet');
    await cp(EXAMPLE, join(repo, 'static'), { recursive: true });
    await writeFile(join(repo, 'README.md'), 'not configuration\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '--quiet', '-m', 'v1');
    git(repo, 'tag', 'v1');
    v1 = git(repo, 'rev-parse', 'HEAD');
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    s3?.destroy();
    // The uploads' deployments end first, so stopping the cloud cuts nothing short.
    if (fixture) await settle(fixture.emulator, SIGNAL_BACKSTOP_MS);
    await fixture?.stop();
  });

  const objectOf = (stderr: string): string => /s3:\/\/[^/]+\/(config\/dev\/\S+\.tgz)/.exec(stderr)![1]!;
  const bytesOf = async (key: string): Promise<Buffer> => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: fixture.names.bucket, Key: key }))).Body!.transformToByteArray());

  it('packs the commit, not the dirty working tree, puts the sha on the upload, the event and the image label', async () => {
    const budget = signalBudget();
    // Prepare: a dirty working tree (changed and untracked files) that must not reach the archive.
    await writeFile(join(repo, 'static', 'globals.json'), '{ "broken": ');
    await writeFile(join(repo, 'static', 'untracked.json'), '{}');
    // Act
    const run = await runCli(['upload', '--git', repo, '--rev', 'v1', '--env', 'dev', '--json']);
    // Assess
    expect(run.code).toBe(0);
    expect(lastJson(run)).toMatchObject({ outcome: 'pending', env: 'dev', revision: v1 });
    const key = objectOf(run.stderr);
    expect(run.stderr).toContain(`commit ${v1}`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: fixture.names.bucket, Key: key }));
    expect(head.Metadata).toEqual({ 'git-commit': v1, 'uploaded-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
    const built = await fixture.emulator.bus.waitFor((e) => e['detail-type'] === 'Portal Image Built' && (e.detail as { key?: string }).key === key, budget.left(), 'Portal Image Built of the git upload');
    const detail = ImageBuiltDetailSchema.parse(built.detail);
    expect(detail.revision).toBe(v1);
    // Asked for at S3's time of the upload (to the second), to the uploader's millisecond when that is in the same second.
    const created = fixture.emulator.bus.timeline.map((entry) => entry.event).find((e) => e['detail-type'] === 'Object Created' && (e.detail as { object?: { key?: string } }).object?.key === key)!;
    const second = Date.parse(created.time);
    const uploadedAt = Date.parse(head.Metadata!['uploaded-at']!);
    expect(detail.requestedAt).toBe(new Date(uploadedAt >= second && uploadedAt < second + 1000 ? uploadedAt : second).toISOString());
    expect(await labelsOf(detail.digest)).toMatchObject({ [Labels.revision]: v1 });
    const record = await waitForRecord(detail.digest);
    expect(record.revision).toBe(v1);
    expect(record.requestedAt).toBe(detail.requestedAt);
  }, SIGNAL_TEST_LIMIT_MS);

  it('gives the same archive bytes for the same commit from another clone with other file times', async () => {
    const budget = signalBudget();
    const clone = join(fixture.dir, 'clone');
    git(fixture.dir, 'clone', '--quiet', repo, clone);
    await utimes(join(clone, 'static', 'globals.json'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const first = await runCli(['upload', '--git', repo, '--rev', v1, '--env', 'dev']);
    await new Promise((done) => setTimeout(done, 5));
    const second = await runCli(['upload', '--git', clone, '--rev', v1.slice(0, 10), '--path', './static/', '--env', 'dev']);
    expect([first.code, second.code]).toEqual([0, 0]);
    const [a, b] = await Promise.all([bytesOf(objectOf(first.stderr)), bytesOf(objectOf(second.stderr))]);
    expect(objectOf(first.stderr)).not.toBe(objectOf(second.stderr));
    expect(createHash('sha256').update(b).digest('hex')).toBe(createHash('sha256').update(a).digest('hex'));
    const digests = await Promise.all([first, second].map(async (run) => {
      const key = objectOf(run.stderr);
      const built = await fixture.emulator.bus.waitFor((e) => e['detail-type'] === 'Portal Image Built' && (e.detail as { key?: string }).key === key, budget.left(), `Portal Image Built of ${key}`);
      return ImageBuiltDetailSchema.parse(built.detail).digest;
    }));
    expect(digests[1]).toBe(digests[0]);
  }, SIGNAL_TEST_LIMIT_MS);

  it('status shows the commit of what runs once the rollout has finished', async () => {
    await settle(fixture.emulator, SIGNAL_BACKSTOP_MS);
    const run = await runCli(['status', '--env', 'dev', '--json']);
    expect(run.code).toBe(0);
    expect((lastJson(run) as { environments: { deployed: { revision: string | null } | null }[] }).environments[0]!.deployed).toMatchObject({ revision: v1 });
    expect((await runCli(['status', '--env', 'dev'])).stdout).toContain(`commit ${v1}`);
  }, SIGNAL_TEST_LIMIT_MS);

  it.each([
    ['a revision that does not exist', ['--rev', 'no-such-tag'], /--rev: "no-such-tag" is not a commit of/],
    ['a path that is not in the commit', ['--rev', 'v1', '--path', 'config'], /--path: "config" is not in commit [0-9a-f]{12} \(v1\)/],
    ['a path that is a file', ['--rev', 'v1', '--path', 'README.md'], /--path: "README.md" is a blob, not a folder/],
    ['a path escaping the repository', ['--rev', 'v1', '--path', '../x'], /--path: received "..\/x"/],
  ])('refuses %s with exit 2 and uploads nothing', async (_case, args, message) => {
    const run = await runCli(['upload', '--git', repo, ...args, '--env', 'dev']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain('[uploaded]');
  });

  it('refuses a submodule inside the configuration folder, naming it', async () => {
    const inner = join(fixture.dir, 'inner');
    await mkdir(inner);
    git(inner, 'init', '--quiet');
    await writeFile(join(inner, 'x.json'), '{}');
    git(inner, 'add', '-A');
    git(inner, 'commit', '--quiet', '-m', 'inner');
    git(repo, 'checkout', '--quiet', '--', 'static/globals.json');
    await rm(join(repo, 'static', 'untracked.json'));
    git(repo, 'submodule', '--quiet', 'add', inner, 'static/shared');
    git(repo, 'commit', '--quiet', '-m', 'with submodule');
    const run = await runCli(['upload', '--git', repo, '--rev', 'HEAD', '--env', 'dev']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/contains submodule\(s\) static\/shared/);
  });

  it('refuses a folder that is not a repository', async () => {
    const plain = join(fixture.dir, 'plain');
    await cp(EXAMPLE, plain, { recursive: true });
    const run = await runCli(['upload', '--git', plain, '--rev', 'main', '--env', 'dev']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is a folder but not a git repository/);
  });

  async function labelsOf(digest: string): Promise<Record<string, string>> {
    const credentials = { get: async () => ({ username: 'AWS', password: fixture.emulator.control.ecr.issueCredentials().password }) };
    const repository = createRegistryRepository({ host: fixture.emulator.control.ecr.registry, repository: fixture.emulator.resources.repositoryName, insecure: true, credentials });
    const manifest = JSON.parse((await repository.fetchManifest(digest))!.bytes.toString('utf8')) as { config: { digest: string } };
    const chunks: Buffer[] = [];
    for await (const chunk of await repository.fetchBlob(manifest.config.digest)) chunks.push(chunk as Buffer);
    return (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { config: { Labels: Record<string, string> } }).config.Labels;
  }

  /** The ledger record of `digest`, once deploy-services (invoked asynchronously by the bus's rule) has admitted it. */
  async function waitForRecord(digest: string): Promise<{ revision?: string; requestedAt?: string }> {
    await fixture.emulator.bus.idle();
    await fixture.emulator.lambdaAsync.idle();
    const record = (await fixture.ledger.listDeployments('dev')).find((r) => r.digest === digest);
    if (!record) throw new Error(`no ledger record of ${digest} after the bus went idle`);
    return record;
  }
});
