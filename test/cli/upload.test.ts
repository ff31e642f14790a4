import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { decideFollow, outcomeExitCode, uploadKey } from '../../cli/commands/upload';
import { SDK_DEFAULTS } from '../../local/story';
import { ImageBuiltDetailSchema } from '../../shared/events';
import type { DeploymentRecord, EnvironmentRecord } from '../../shared/ledger';
import { readBundle } from '../../shared/config-bundle';
import type { OperatorFixture } from './operator-fixture';
import { fakeImage, startOperatorFixture } from './operator-fixture';
import { lastJson, runCli } from './run-cli';
import { FOLLOW_TIMEOUT_S, SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';
import { isEvent, primaryDigest, releaseDigest, settle } from '../e2e/deploy-helpers';

const EXAMPLE = resolve(__dirname, '..', '..', 'examples', 'static');

function record(state: DeploymentRecord['state'], fields: Partial<DeploymentRecord> = {}): DeploymentRecord {
  const detail = fakeImage('dev', 1);
  return { ...detail, deploymentId: 'd-1', receivedAt: 't', state, createdAt: 't', updatedAt: 't', ...fields };
}
const idle: EnvironmentRecord = { env: 'dev', revision: 3, sequencers: {}, updatedAt: 't' };
const runningIt: EnvironmentRecord = { ...idle, lastGood: { deploymentId: 'd-0', digest: fakeImage('dev', 1).digest, configHash: 'x', imageUri: 'i', finishedAt: 't' } };
const rollingIt: EnvironmentRecord = {
  ...idle, inFlight: { request: { ...fakeImage('dev', 1), deploymentId: 'd-1', receivedAt: 't' }, lease: { owner: 'o', expiresAt: 1 }, phase: 'rolling', startedAt: 't' },
};

describe('decideFollow: ledger record -> stage and outcome', () => {
  it.each<[string, DeploymentRecord | undefined, EnvironmentRecord | undefined, string, string | undefined]>([
    ['no record yet', undefined, undefined, 'uploaded', undefined],
    ['received', record('received'), idle, 'image built', undefined],
    ['queued behind another rollout', record('queued'), idle, 'queued', undefined],
    ['in flight and holding the environment', record('in-flight'), rollingIt, 'rolling', undefined],
    ['in flight, environment not yet updated', record('in-flight'), idle, 'image built', undefined],
    ['succeeded', record('succeeded'), runningIt, 'succeeded', 'deployed'],
    ['failed (circuit breaker)', record('failed', { reason: 'circuit breaker' }), idle, 'failed', 'failed'],
    ['stuck', record('stuck'), idle, 'failed', 'failed'],
    ['superseded by a newer config', record('superseded'), idle, 'superseded', 'failed'],
    ['ignored: the digest already runs', record('ignored'), runningIt, 'unchanged', 'unchanged'],
    ['ignored as older: something else runs', record('ignored', { reason: 'older' }), idle, 'failed', 'failed'],
  ])('%s', (_name, rec, env, stage, outcome) => {
    const step = decideFollow(rec, env);
    expect(step.stage).toBe(stage);
    expect(step.outcome).toBe(outcome);
  });

  it.each([['deployed', 0], ['unchanged', 0], ['failed', 1], ['pending', 1], ['rejected', 2]] as const)('exit code of %s is %d', (outcome, code) => {
    expect(outcomeExitCode(outcome)).toBe(code);
  });

  it('names uploads by UTC time under config/<env>/, in a shape build-image accepts', () => {
    expect(uploadKey('prod', Date.UTC(2026, 0, 2, 3, 4, 5, 6))).toBe('config/prod/20260102T030405006Z.tgz');
  });
});

describe('wickedctl upload against the local emulator', () => {
  let fixture: OperatorFixture;
  let s3: S3Client;
  let exampleHash = '';
  beforeAll(async () => {
    fixture = await startOperatorFixture('cli-upload-');
    s3 = new S3Client({ ...SDK_DEFAULTS, endpoint: fixture.emulator.endpoints.s3, forcePathStyle: true });
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    s3?.destroy();
    await fixture?.stop();
  });

  async function objectBytes(key: string, versionId?: string): Promise<Buffer> {
    const object = await s3.send(new GetObjectCommand({ Bucket: fixture.names.bucket, Key: key, VersionId: versionId }));
    return Buffer.from(await object.Body!.transformToByteArray());
  }

  it('refuses bad arguments with exit 2 before touching AWS', async () => {
    const cases = [
      ['upload', '--config', EXAMPLE],
      ['upload', '--config', EXAMPLE, '--env', 'Prod', '--bucket', 'b'],
      ['upload', '--config', EXAMPLE, '--env', 'dev', '--bucket', 'b', '--timeout', 'soon'],
      ['upload', '--config', EXAMPLE, '--env', 'dev', '--bucket', 'b', '--endpoint', 'localhost:1'],
      ['upload', '--config', join(fixture.dir, 'missing'), '--env', 'dev', '--bucket', fixture.names.bucket],
    ];
    for (const args of cases) {
      const run = await runCli(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(/expected|required|missing|no such|ENOENT|not found/i);
    }
    // An environment without /wicked/<env>/ parameters and no override: exit 1, naming the path, where it looked and the override.
    const noBucket = await runCli(['upload', '--config', EXAMPLE, '--env', 'ghost'], '');
    expect(noBucket.code).toBe(1);
    expect(noBucket.stderr).toMatch(/environment ghost not found: no SSM parameters under \/wicked\/ghost\/ in account 000000000000, region us-east-1/);
    expect(noBucket.stderr).toContain('WICKED_CONFIG_BUCKET');
  });

  it('refuses an environment whose NODE_ENV has no env file, naming --node-env and its default; nothing is uploaded', async () => {
    const run = await runCli(['upload', '--config', EXAMPLE, '--env', 'staging', '--bucket', fixture.names.bucket, '--json']);
    expect(run.code).toBe(2);
    // No /wicked/staging/ parameters: today's defaults, said in one line.
    expect(run.stderr).toMatch(/^wickedctl: no parameters under \/wicked\/staging\/: validating with the defaults NODE_ENV=staging \(the --env name\)/m);
    expect(run.stderr).toMatch(/env\/staging\.json \[env staging\] error MISSING_FILE: --node-env \(default: the --env name; no parameter \/wicked\/staging\/node-env\) is "staging"/);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: fixture.names.bucket, Prefix: 'config/staging/' }));
    expect(listed.Contents ?? []).toEqual([]);
  });

  it('refuses an invalid configuration with exit 2 and the report; nothing is uploaded', async () => {
    const dir = join(fixture.dir, 'invalid');
    await cp(EXAMPLE, dir, { recursive: true });
    await writeFile(join(dir, 'apis', 'apis.json'), '{ "apis": [ { "id": "petstore", "name": "Petstore", "auth": "key-auth", "plans": ["gold"] } ] }');
    const run = await runCli(['upload', '--config', dir, '--env', 'dev', '--bucket', fixture.names.bucket, '--json']);
    expect(run.code).toBe(2);
    // initializer.checkApiPlans makes portal-api exit on an unknown plan: an error.
    expect(run.stderr).toMatch(/error UNKNOWN_PLAN/);
    expect(lastJson(run)).toMatchObject({ outcome: 'rejected', env: 'dev', digest: null, deploymentId: null });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: fixture.names.bucket, Prefix: 'config/' }));
    expect(listed.Contents ?? []).toEqual([]);
  });

  it('packs deterministically without deploy.envkey or .git, uploads, and build-image builds the same configuration hash', async () => {
    const budget = signalBudget();
    const dir = join(fixture.dir, 'with-secrets');
    await cp(EXAMPLE, dir, { recursive: true });
    await writeFile(join(dir, 'deploy.envkey'), 'secret-key-material');
    await mkdir(join(dir, '.git'));
    await writeFile(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    const first = await runCli(['upload', '--config', dir, '--env', 'dev', '--bucket', fixture.names.bucket, '--json']);
    expect(first.code).toBe(0);
    const line = lastJson(first);
    expect(line).toMatchObject({ outcome: 'pending', env: 'dev', digest: null, deploymentId: null });
    const key = /s3:\/\/[^/]+\/(config\/dev\/\d{8}T\d{9}Z\.tgz)/.exec(first.stderr)![1]!;

    const built = await fixture.emulator.bus.waitFor((event) => event['detail-type'] === 'Portal Image Built' && (event.detail as { key?: string }).key === key, budget.left(), 'Portal Image Built');
    expect(ImageBuiltDetailSchema.parse(built.detail).configHash).toBe(line.configHash);
    exampleHash = String(line.configHash);

    await new Promise((done) => setTimeout(done, 5)); // a later key
    const second = await runCli(['upload', '--config', EXAMPLE, '--env', 'dev', '--bucket', fixture.names.bucket, '--json']);
    const secondKey = /s3:\/\/[^/]+\/(config\/dev\/\S+\.tgz)/.exec(second.stderr)![1]!;
    expect(secondKey).not.toBe(key);
    const [a, b] = await Promise.all([objectBytes(key), objectBytes(secondKey)]);
    expect(createHash('sha256').update(a).digest('hex')).toBe(createHash('sha256').update(b).digest('hex'));
    // The next test's rollout must not queue behind this upload's: it waits for this build and a settled ledger.
    await fixture.emulator.bus.waitFor((event) => event['detail-type'] === 'Portal Image Built' && (event.detail as { key?: string }).key === secondKey, budget.left(), 'Portal Image Built of the second upload');
    await settle(fixture.emulator, budget.left());

    const archive = join(fixture.dir, 'uploaded.tgz');
    await writeFile(archive, a);
    const bundle = await readBundle({ path: archive });
    try {
      const paths = bundle.entries.map((entry) => entry.path);
      expect(paths).toContain('globals.json');
      expect(paths).toContain('.gitignore');
      expect(paths.filter((path) => /envkey|(^|\/)\.git(\/|$)/.test(path))).toEqual([]);
      expect([...paths].sort()).toEqual(paths);
    } finally {
      await bundle.close();
    }
    // Its own limit above what it nests: two CLI runs and a wait of up to 30 s for the build.
  }, SIGNAL_TEST_LIMIT_MS);

  it('with --follow, reports the outcome the ledger records for the uploaded object version', async () => {
    const budget = signalBudget();
    const dir = join(fixture.dir, 'changed');
    await cp(EXAMPLE, dir, { recursive: true });
    await writeFile(join(dir, 'content', 'follow-test.md'), '# a new page, so a new image\n');
    const follow = runCli(['upload', '--config', dir, '--env', 'dev', '--bucket', fixture.names.bucket, '--table', fixture.names.table, '--follow', '--timeout', FOLLOW_TIMEOUT_S, '--json']);
    const built = await fixture.emulator.bus.waitFor((event) => event['detail-type'] === 'Portal Image Built' && (event.detail as { configHash?: string }).configHash !== exampleHash, budget.left(), 'Portal Image Built of the changed configuration');
    const detail = ImageBuiltDetailSchema.parse(built.detail);
    // Until deploy-services is on the bus, the test plays its part in the ledger.
    const run = await follow;
    expect(run.stderr).toMatch(/\[uploaded\]/);
    expect(run.stderr).toMatch(/\[succeeded\]/);
    expect(run.code).toBe(0);
    expect(lastJson(run)).toEqual({ outcome: 'deployed', env: 'dev', configHash: detail.configHash, digest: detail.digest, deploymentId: expect.stringMatching(/^d-/), reason: expect.any(String) });
    // Its own limit above what it nests: the CLI follows for up to 60 s.
  }, SIGNAL_TEST_LIMIT_MS);

  it('a build that ends late never replaces a newer upload: the earlier upload is ignored as older, the newer one runs', async () => {
    const budget = signalBudget();
    const buildImage = fixture.emulator.resources.functions['build-image'];
    const { bus, lambdaAsync } = fixture.emulator;
    const uploadChanged = async (name: string): Promise<string> => {
      const dir = join(fixture.dir, name);
      await cp(EXAMPLE, dir, { recursive: true });
      await writeFile(join(dir, 'content', `${name}.md`), `# ${name}\n`);
      const run = await runCli(['upload', '--config', dir, '--env', 'dev', '--bucket', fixture.names.bucket, '--json']);
      expect(run.code).toBe(0);
      // Its S3 event delivered to build-image's asynchronous queue.
      await bus.idle();
      return /s3:\/\/[^/]+\/(config\/dev\/\S+\.tgz)/.exec(run.stderr)![1]!;
    };
    const created = (key: string) => bus.timeline.map((entry) => entry.event).find((e) => e['detail-type'] === 'Object Created' && (e.detail as { object?: { key?: string } }).object?.key === key)!;
    // Prepare: build-image holds every upload (reserved concurrency 0): both wait in its queue.
    lambdaAsync.setReservedConcurrency(buildImage, 0);
    let held = true;
    try {
      const earlier = await uploadChanged('late-earlier');
      const later = await uploadChanged('late-later');
      expect(lambdaAsync.load.throttled).toBe(2);
      // Act: the later upload's build runs first (its S3 event, invoked directly) and deploys ...
      await fixture.emulator.cloud.functions.invoke(buildImage, created(later));
      const laterBuilt = ImageBuiltDetailSchema.parse((await bus.waitFor(isEvent('Portal Image Built', { key: later }), budget.left(), 'Portal Image Built of the later upload')).detail);
      await bus.waitFor(isEvent('Portal Deployment Succeeded', { digest: laterBuilt.digest }), budget.left(), 'the later upload deployed');
      // ... then the held builds run: the earlier upload's ends last.
      lambdaAsync.setReservedConcurrency(buildImage, undefined);
      held = false;
      const earlierBuilt = ImageBuiltDetailSchema.parse((await bus.waitFor(isEvent('Portal Image Built', { key: earlier }), budget.left(), 'Portal Image Built of the earlier upload')).detail);
      await settle(fixture.emulator, budget.left());
      // Assess
      expect(Date.parse(earlierBuilt.requestedAt!)).toBeLessThan(Date.parse(laterBuilt.requestedAt!));
      const records = await fixture.ledger.listDeployments('dev');
      expect(records.filter((r) => r.digest === earlierBuilt.digest).map((r) => [r.state, r.reason])).toEqual([['ignored', expect.stringMatching(/^requested at .*, before d-\S+ \(requested at /)]]);
      expect(records.filter((r) => r.digest === laterBuilt.digest).map((r) => r.state)).toEqual(['succeeded']);
      expect([primaryDigest(fixture.emulator), releaseDigest(fixture.emulator)]).toEqual([laterBuilt.digest, laterBuilt.digest]);
    } finally {
      if (held) lambdaAsync.setReservedConcurrency(buildImage, undefined);
    }
  }, SIGNAL_TEST_LIMIT_MS);

  it('with --follow and no ledger record before the timeout, says pending and why, with exit 1', async () => {
    // Platform environment "other" runs wicked's "dev" environment (its nodeEnv prop).
    const run = await runCli(['upload', '--config', EXAMPLE, '--env', 'other', '--node-env', 'dev', '--bucket', fixture.names.bucket, '--table', fixture.names.table, '--follow', '--timeout', '1.5', '--json']);
    expect(run.code).toBe(1);
    expect(lastJson(run)).toMatchObject({ outcome: 'pending', env: 'other', digest: null, reason: expect.stringMatching(/no outcome after 2 s: .*rejected/) });
  });
});
