import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cloud } from '../../local/cloud';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { appAssembly, cdk, ROOT } from '../helpers/cdk-cli';
import { SDK_DEFAULTS } from '../../local/story';
import type { CdkRecording, RecordedStack } from '../../local/cdk-recording';
import { recordedBootstrap, recordedDeploy, replayCdk } from '../../local/cdk-recording';
import { startCloud } from '../../local/cloud';

const CLI_MS = 240_000;

/** Runs the real AWS CDK CLI (the project's pinned devDependency) against the cloud, as a user would with its endpoints exported. */

describe('the real CDK CLI against the local cloud: bootstrap, deploy wicked-dev, deploy again from a fresh synth, destroy', () => {
  let dir: string;
  let cloud: Cloud;
  let assembly: string;
  let fresh: string | undefined;
  /** Invocations of the singleton counts resource's reader (infra/constructs/singleton-counts.ts). */
  const countReader = () => {
    const fn = [...cloud.cloudformation.stack('wicked-dev').resources.values()].find((r) => r.type === 'AWS::Lambda::Function' && r.logicalId.startsWith('PlatformWorkloadSingletonsCountsHandler'))!;
    return cloud.functions.invocations(fn.physicalId);
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'e2e-cdk-'));
    // The ECS services' steady-state waits are emulated time: a faster clock shortens them, nothing else here waits on it.
    cloud = await startCloud({ stateDir: join(dir, 'state'), clockSpeed: 20 });
    // The app as cdk.json synthesizes it, from the synth cache (one synthesis for every file and run until the sources change).
    assembly = await appAssembly();
  }, CLI_MS);
  afterAll(async () => {
    await cloud?.stop();
    await rm(dir, { recursive: true, force: true });
    if (fresh !== undefined) await rm(fresh, { recursive: true, force: true });
  });

  it('cdk bootstrap, as the README writes it (no environment: the CLI synthesizes the app, whose stacks are environment-agnostic, and takes the account from STS), creates the bootstrap stack: bucket, repository, roles, version parameter', async () => {
    // `local up` and the deployed stacks of the other tests name the environment (`cdk bootstrap aws://000000000000/us-east-1`).
    const run = await cdk(cloud, ['bootstrap']);
    expect(run.output).toContain('Environment aws://000000000000/us-east-1 bootstrapped.');
    expect(run.code).toBe(0);
    const stack = cloud.cloudformation.stack('CDKToolkit');
    expect(stack.status).toBe('CREATE_COMPLETE');
    const version = stack.outputs.find((o) => o.OutputKey === 'BootstrapVersion')?.OutputValue;
    expect(Number(version)).toBeGreaterThanOrEqual(6);
    expect(cloud.control.ssm.latest('/cdk-bootstrap/hnb659fds/version').value).toBe(version);
    expect(cloud.control.s3.hasBucket('cdk-hnb659fds-assets-000000000000-us-east-1')).toBe(true);
    expect(cloud.control.ecr.listImages('cdk-hnb659fds-container-assets-000000000000-us-east-1')).toEqual([]);
    const roles = [...stack.resources.values()].filter((r) => r.type === 'AWS::IAM::Role').map((r) => r.physicalId).sort();
    expect(roles).toEqual(['cdk-hnb659fds-cfn-exec-role-000000000000-us-east-1', 'cdk-hnb659fds-deploy-role-000000000000-us-east-1', 'cdk-hnb659fds-file-publishing-role-000000000000-us-east-1', 'cdk-hnb659fds-image-publishing-role-000000000000-us-east-1', 'cdk-hnb659fds-lookup-role-000000000000-us-east-1']);
  }, CLI_MS);

  /**
   * The other files create their stacks from recordings of the CLI (local/cdk-recording.ts): a recording must
   * hold exactly the requests the CLI sent here, and its replay must end with the same stacks.
   */
  const unique = (text?: string) => text?.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, '<uuid>');
  /** The CreateChangeSet request that made a stack of this cloud, as a recording holds it (each run's UUIDs masked). */
  const sent = (target: Cloud, name: string): RecordedStack => {
    const [changeSet, ...more] = [...target.cloudformation.stack(name).changeSets.values()];
    expect(more).toEqual([]);
    return {
      stackName: name, changeSetName: unique(changeSet!.name)!,
      ...(changeSet!.templateUrl !== undefined ? { templateUrl: changeSet!.templateUrl } : { templateBody: changeSet!.templateBody }),
      parameters: changeSet!.parameters.map((p) => ({ ParameterKey: p.key, ParameterValue: p.value })),
      capabilities: changeSet!.capabilities, tags: changeSet!.tags, ...(changeSet!.description !== undefined ? { description: unique(changeSet!.description)! } : {}),
    };
  };
  const masked = (recording: CdkRecording): RecordedStack[] => recording.stacks.map((s) => ({ ...s, changeSetName: unique(s.changeSetName)!, ...(s.description !== undefined ? { description: unique(s.description)! } : {}) }));
  /**
   * A stack's resources by logical id, type, status and whether the emulator runs them. Their physical ids
   * differ from one creation to the next, on AWS as here (generated names, resource ids); the bootstrap
   * stack's, which the template names, are compared where it is created.
   */
  const resources = (target: Cloud, name: string) => [...target.cloudformation.stack(name).resources.values()]
    .map((r) => [r.logicalId, r.type, r.status, r.emulated]).sort();

  it('the recording of cdk bootstrap that other tests bootstrap with sends what the CLI sent and creates the same bootstrap stack', async () => {
    const recording = await recordedBootstrap(ROOT);
    expect(recording.objects).toEqual([]);
    expect(masked(recording)).toEqual([sent(cloud, 'CDKToolkit')]);
    expect(recording.stacks[0]!.templateBody).toBeDefined();
    const other = await startCloud({ stateDir: join(dir, 'replayed-bootstrap') });
    try {
      await replayCdk(other.endpoints, recording);
      const [cli, replayed] = [cloud, other].map((c) => c.cloudformation.stack('CDKToolkit'));
      expect(replayed!.status).toBe('CREATE_COMPLETE');
      expect(replayed!.parameters).toEqual(cli!.parameters);
      expect(resources(other, 'CDKToolkit')).toEqual(resources(cloud, 'CDKToolkit'));
      const named = (c: Cloud) => [...c.cloudformation.stack('CDKToolkit').resources.values()].filter((r) => r.physicalId.startsWith('cdk-hnb659fds-')).map((r) => r.physicalId).sort();
      expect(named(other)).toEqual(named(cloud));
      expect(named(cloud).length).toBeGreaterThan(5);
      expect(replayed!.outputs).toEqual(cli!.outputs);
      expect(other.control.ssm.latest('/cdk-bootstrap/hnb659fds/version').value).toBe(cloud.control.ssm.latest('/cdk-bootstrap/hnb659fds/version').value);
      // Each replay names its change set anew, as each CLI run does.
      const [change] = [...replayed!.changeSets.values()];
      expect(change!.name).toMatch(/^cdk-bootstrap-change-set-[0-9a-f-]{36}$/);
      expect(change!.name).not.toBe([...cli!.changeSets.values()][0]!.name);
    } finally {
      await other.stop();
    }
  }, CLI_MS);

  it('cdk deploy wicked-dev publishes the assets, runs the change set to CREATE_COMPLETE, the custom resource through its Lambda', async () => {
    const run = await cdk(cloud, ['deploy', 'wicked-dev', '--require-approval', 'never', '--app', assembly]);
    expect(run.output).toMatch(/✅ {2}wicked-dev/);
    expect(run.code).toBe(0);
    const stack = cloud.cloudformation.stack('wicked-dev');
    expect(stack.status).toBe('CREATE_COMPLETE');
    expect([...stack.resources.values()].filter((r) => r.status !== 'CREATE_COMPLETE')).toEqual([]);
    const fn = (id: RegExp) => [...stack.resources.values()].find((r) => r.type === 'AWS::Lambda::Function' && id.test(r.logicalId))!;
    // build-image runs from its shipped bundle, unpacked from the asset bucket, with the template's environment.
    const buildImage = cloud.functions.get(fn(/^PlatformBuildImageFunction/).physicalId)!;
    expect(existsSync(join(buildImage.codeDir, 'index.mjs'))).toBe(true);
    const configBucket = [...stack.resources.values()].find((r) => r.logicalId.startsWith('PlatformConfigBucket') && r.type === 'AWS::S3::Bucket')!;
    expect(buildImage.environment.CONFIG_BUCKET).toBe(configBucket.physicalId);
    expect(buildImage.runtime).toBe('nodejs24.x');
    // The base-image announcement (an AwsCustomResource) ran its handler, which put the event on the bus and answered SUCCESS.
    const announcer = fn(/^AWS679f53fac002430cb0da5b7982bd2287/).physicalId;
    expect(cloud.functions.invocations(announcer).map((i) => i.outcome)).toEqual(['success']);
    expect(countReader().map((i) => i.outcome)).toEqual(['success']);
    expect(cloud.bus.timeline.filter((e) => e.event['detail-type'] === 'Portal Base Image Changed').map((e) => e.event.detail.requestedBy)).toEqual(['cdk-deploy']);
    // The stack's own rule delivers that event to the deployed build-image bundle (its handler decides what to do with it).
    const delivered = await cloud.functions.waitFor((i) => i.functionName === buildImage.name && (i.event as { 'detail-type'?: string })['detail-type'] === 'Portal Base Image Changed', 30_000, 'build-image invoked with Portal Base Image Changed');
    expect(delivered.event).toMatchObject({ source: 'wicked.control-plane', detail: { env: 'dev', requestedBy: 'cdk-deploy' } });
    // Outputs have stable names (infra: stabilizeOutputNames), not hashed logical ids.
    const outputs = Object.fromEntries(stack.outputs.map((o) => [o.OutputKey, o.OutputValue]));
    expect(outputs.ConfigBucketName).toBe(configBucket.physicalId);
    expect(cloud.control.s3.hasBucket(outputs.ConfigBucketName!)).toBe(true);
  }, CLI_MS);

  it('the recording of cdk deploy wicked-dev that other tests deploy with uploads what the CLI uploaded, sends its change sets, and creates the same stacks', async () => {
    const recording = await recordedDeploy(ROOT, ['wicked-dev']);
    expect(masked(recording)).toEqual(['wicked-registry-cache', 'wicked-dev'].map((name) => sent(cloud, name)));
    // The CLI uploads the large template and sends its URL; the bundles as zip files.
    expect(recording.stacks[1]!.templateUrl).toMatch(/^https:\/\/s3\.us-east-1\.amazonaws\.com\/cdk-hnb659fds-assets-000000000000-us-east-1\/[0-9a-f]{64}\.json$/);
    const bucket = 'cdk-hnb659fds-assets-000000000000-us-east-1';
    expect(recording.objects.length).toBeGreaterThan(5);
    // Everything the CLI uploaded (before its own second deploy and destroy below) is in the recording.
    const s3 = new S3Client({ ...SDK_DEFAULTS, endpoint: cloud.endpoints.s3, forcePathStyle: true });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket })).finally(() => s3.destroy());
    expect(recording.objects.map((o) => o.key).sort()).toEqual((listed.Contents ?? []).map((o) => o.Key).sort());
    for (const object of recording.objects) {
      const [uploaded] = cloud.control.s3.versions(bucket, object.key);
      expect({ key: object.key, contentType: object.contentType, etag: `"${createHash('md5').update(await readFile(object.file)).digest('hex')}"` })
        .toEqual({ key: object.key, contentType: uploaded!.contentType, etag: uploaded!.etag });
    }
    const other = await startCloud({ stateDir: join(dir, 'replayed-deploy'), clockSpeed: 20 });
    try {
      await replayCdk(other.endpoints, await recordedBootstrap(ROOT));
      await replayCdk(other.endpoints, recording);
      for (const name of ['wicked-registry-cache', 'wicked-dev']) {
        expect(other.cloudformation.stack(name).status).toBe('CREATE_COMPLETE');
        expect(resources(other, name)).toEqual(resources(cloud, name));
        expect(other.cloudformation.stack(name).outputs.map((o) => o.OutputKey)).toEqual(cloud.cloudformation.stack(name).outputs.map((o) => o.OutputKey));
      }
    } finally {
      await other.stop();
    }
  }, CLI_MS);

  /**
   * `cdk deploy` of an unchanged app, synthesized afresh by this command (as a
   * user runs it, no --app), changes nothing: the singleton counts resource
   * carries no per-synth value, so the CLI finds the deployed template (the
   * synth cache's, another process at another time) identical, and neither the
   * stack nor the count reader runs again. The fresh assembly sits outside
   * the repository, at another depth than the cache's: the Lambda bundles'
   * asset hashes (part of the template) do not depend on where the assembly is.
   */
  it('a second cdk deploy, synthesizing the app afresh, says no changes and runs nothing: the same template bytes, no stack event, the count reader not run again', async () => {
    const events = cloud.cloudformation.stack('wicked-dev').events.length;
    fresh = await mkdtemp(join(tmpdir(), 'cdk-fresh-'));
    // The README's words (`npx cdk deploy wicked-dev`), with an assembly directory of the test's own (parallel test files).
    const run = await cdk(cloud, ['deploy', 'wicked-dev', '--output', fresh]);
    expect(run.output).toContain('wicked-dev (no changes)');
    expect(run.code).toBe(0);
    expect(await readFile(join(fresh, 'wicked-dev.template.json'), 'utf8')).toBe(await readFile(join(assembly, 'wicked-dev.template.json'), 'utf8'));
    expect(cloud.cloudformation.stack('wicked-dev').events.length).toBe(events);
    expect(countReader()).toHaveLength(1);
  }, CLI_MS);

  it('the cached assembly differs from a plain synthesis only in its metadata\'s stack traces (the CLI re-reads that file for each stack event)', async () => {
    const traces = async (dir: string) => {
      const metadata = JSON.parse(await readFile(join(dir, 'wicked-dev.metadata.json'), 'utf8')) as Record<string, { type: string; trace?: unknown }[]>;
      const entries = Object.values(metadata).flat();
      return { entries: entries.length, creationStacks: entries.filter((e) => e.type === 'aws:cdk:creationStack').length, traced: entries.filter((e) => e.trace !== undefined).length };
    };
    const plain = await traces(fresh!);
    const cached = await traces(assembly);
    expect(plain.creationStacks).toBeGreaterThan(0);
    expect(cached).toEqual({ entries: plain.entries - plain.creationStacks, creationStacks: 0, traced: 0 });
  });

  it('cdk destroy deletes the stack and the emulated resources it created', async () => {
    const stack = cloud.cloudformation.stack('wicked-dev');
    const id = stack.stackId;
    const physical = (type: string) => [...stack.resources.values()].filter((r) => r.type === type).map((r) => r.physicalId);
    const buckets = physical('AWS::S3::Bucket');
    const topics = physical('AWS::SNS::Topic');
    const functions = physical('AWS::Lambda::Function');
    expect(buckets.every((b) => cloud.control.s3.hasBucket(b))).toBe(true);
    const run = await cdk(cloud, ['destroy', 'wicked-dev', '--force', '--app', assembly]);
    expect(run.output).toContain('wicked-dev: destroyed');
    expect(run.code).toBe(0);
    expect(cloud.cloudformation.stack(id).status).toBe('DELETE_COMPLETE');
    expect(buckets.filter((b) => cloud.control.s3.hasBucket(b))).toEqual([]);
    expect(cloud.control.sns.listTopics().filter((t) => topics.includes(t))).toEqual([]);
    expect(functions.filter((f) => cloud.functions.get(f))).toEqual([]);
    expect(() => cloud.control.ecr.listImages('wicked-dev/portal-api')).toThrow(/does not exist/);
  }, CLI_MS);
});
