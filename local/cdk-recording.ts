import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Capability } from '@aws-sdk/client-cloudformation';
import {
  CloudFormationClient, CreateChangeSetCommand, DescribeStackEventsCommand, ExecuteChangeSetCommand,
  waitUntilChangeSetCreateComplete, waitUntilStackCreateComplete,
} from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { bootstrapArgs, deployArgs, runCdkCli } from './cdk-cli';
import type { Cloud } from './cloud';
import { startCloud } from './cloud';
import type { CloudEndpoint } from './services';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './kernel/events';
import { SDK_DEFAULTS } from './story';
import { SYNTH_INPUTS, cachedAssembly } from './synth-cache';

/** A stack the CLI created, and the CreateChangeSet request it created it with. */
export interface RecordedStack {
  readonly stackName: string;
  /** The change set's name; a UUID at its end (the bootstrap's) is made anew on each replay, as the CLI does. */
  readonly changeSetName: string;
  /** The template as sent: a URL into the bootstrap bucket (the CLI uploads large templates) or the body itself. */
  readonly templateUrl?: string;
  readonly templateBody?: string;
  readonly parameters: readonly { readonly ParameterKey: string; readonly ParameterValue: string }[];
  readonly capabilities: readonly string[];
  readonly tags: readonly { readonly Key: string; readonly Value: string }[];
  readonly description?: string;
}

/**
 * What a run of the CDK CLI asked of an account, in order: the objects it put into the bootstrap bucket (file
 * assets, large templates), then each stack it created with one CREATE change set.
 */
export interface CdkRecording {
  /** The CLI command that was recorded, e.g. `cdk deploy wicked-dev`. */
  readonly command: string;
  readonly objects: readonly { readonly bucket: string; readonly key: string; readonly contentType?: string; readonly file: string }[];
  readonly stacks: readonly RecordedStack[];
}

/** The file of a cache entry that holds a recording; its presence marks the entry complete. Object bodies sit beside it. */
const RECORDING_FILE = 'cdk-recording.json';

/** The UUID that ends the bootstrap's change set name and every change set's description, unique to each CLI run. */
const UUID_SUFFIX = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** This file, an input of every recording: a change to what is recorded records again. */
const RECORDER = 'local/cdk-recording.ts';

/** The bootstrap bucket of the default qualifier in the local account. */
const ASSETS_BUCKET = `cdk-hnb659fds-assets-${LOCAL_ACCOUNT}-${LOCAL_REGION}`;

/**
 * The recording of the pinned CDK CLI's `cdk bootstrap aws://<account>/<region>` into an empty local cloud, from
 * the synth cache: made once per CLI version (package-lock.json), CDK settings (cdk.json) and recorder by running the CLI
 * against an empty cloud of its own and reading the change set it created. AWS documents deploying the bootstrap
 * template with CloudFormation itself as an alternative to the CLI (AWS CDK Developer Guide, "Customize AWS CDK
 * bootstrapping"); {@link replayCdk} does that with the CLI's own template and parameters.
 *
 * @example
 * const recording = await recordedBootstrap('.');
 * recording.stacks[0].parameters.find((p) => p.ParameterKey === 'Qualifier')?.ParameterValue // 'hnb659fds'
 */
export async function recordedBootstrap(root: string): Promise<CdkRecording> {
  const command = `cdk bootstrap aws://${LOCAL_ACCOUNT}/${LOCAL_REGION}`;
  // The app's assembly only when the CLI is recorded: asking the synth cache hashes every source of the app.
  return recorded(root, command, ['package-lock.json', 'cdk.json', RECORDER], async (cloud) => runCdkCli(root, cloud.env, bootstrapArgs(await cachedAssembly({ root }))));
}

/**
 * The recording of the pinned CDK CLI's `cdk deploy <stacks> --require-approval never` of the app in cdk.json
 * (its cached assembly) into a freshly bootstrapped local cloud: the assets and templates it uploaded and the
 * change sets of the stacks it created (dependencies first), from the synth cache. It is made again whenever a
 * synthesis input changes (the app, the Lambda sources, the locked CLI) or this recorder. Replayed with {@link replayCdk}, it
 * creates the same stacks from the same templates and bundles without starting the CLI.
 *
 * @example
 * const recording = await recordedDeploy('.', ['wicked-dev']);
 * recording.stacks.map((s) => s.stackName) // ['wicked-registry-cache', 'wicked-dev']
 */
export async function recordedDeploy(root: string, stacks: readonly string[]): Promise<CdkRecording> {
  const command = `cdk deploy ${stacks.join(' ')} --require-approval never`;
  // The app's assembly and the bootstrap only when the CLI is recorded (see recordedBootstrap).
  return recorded(root, command, [...SYNTH_INPUTS, RECORDER], async (cloud) => runCdkCli(root, cloud.env, deployArgs(stacks, await cachedAssembly({ root }))),
    async (cloud) => replayCdk(cloud.endpoints, await recordedBootstrap(root)));
}

/** Runs the CLI against a cloud: its exit code and output. */
type CliRun = (cloud: Cloud) => Promise<{ code: number | null; output: string }>;

/**
 * A recording from the synth cache, made when missing by `run` (the CLI against a local cloud, empty or as
 * `prepare` left it): what the run added to the cloud, the stacks it created and the objects it put into the
 * bootstrap bucket.
 */
async function recorded(root: string, command: string, inputs: readonly string[], run: CliRun, prepare?: (cloud: Cloud) => Promise<void>): Promise<CdkRecording> {
  const entry = await cachedAssembly({
    root, app: `${command}, recorded`, inputs, entryFile: RECORDING_FILE,
    synth: async (outDir) => {
      const scratch = await mkdtemp(join(tmpdir(), 'cdk-recording-'));
      try {
        // A fast clock: ECS services settle in emulated time; the CLI's requests do not depend on it.
        const cloud = await startCloud({ stateDir: join(scratch, 'cloud'), clockSpeed: 50 });
        try {
          await prepare?.(cloud);
          await record(cloud, command, outDir, run);
        } finally {
          await cloud.stop();
        }
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
  });
  const recording = JSON.parse(await readFile(join(entry, RECORDING_FILE), 'utf8')) as CdkRecording;
  return { ...recording, objects: recording.objects.map((o) => ({ ...o, file: join(entry, o.file) })) };
}

async function record(cloud: Cloud, command: string, outDir: string, run: CliRun): Promise<void> {
  const before = new Set(cloud.cloudformation.allStacks().map((s) => s.stackId));
  const s3 = new S3Client({ ...SDK_DEFAULTS, endpoint: cloud.endpoints.s3, forcePathStyle: true });
  try {
    const existing = new Set(await bucketKeys(s3));
    const result = await run(cloud);
    if (result.code !== 0) throw new Error(`${command} exited with ${result.code} while it was recorded:\n${result.output.slice(-3000)}`);
    const created = cloud.cloudformation.allStacks().filter((s) => !before.has(s.stackId));
    const stacks = created.map((stack): RecordedStack => {
      const changeSets = [...stack.changeSets.values()];
      if (stack.status !== 'CREATE_COMPLETE' || changeSets.length !== 1 || changeSets[0]!.type !== 'CREATE') {
        throw new Error(`${command} left stack ${stack.stackName} ${stack.status} with ${changeSets.length} change set(s): a recording holds stacks created by one CREATE change set each`);
      }
      const changeSet = changeSets[0]!;
      return {
        stackName: stack.stackName, changeSetName: changeSet.name,
        ...(changeSet.templateUrl !== undefined ? { templateUrl: changeSet.templateUrl } : { templateBody: changeSet.templateBody }),
        parameters: changeSet.parameters.map((p) => ({ ParameterKey: p.key, ParameterValue: p.value })),
        capabilities: changeSet.capabilities, tags: changeSet.tags,
        ...(changeSet.description !== undefined ? { description: changeSet.description } : {}),
      };
    });
    if (stacks.length === 0) throw new Error(`${command} created no stack: nothing to record`);
    await mkdir(join(outDir, 'objects'), { recursive: true });
    const objects: { bucket: string; key: string; contentType?: string; file: string }[] = [];
    for (const key of (await bucketKeys(s3)).filter((k) => !existing.has(k))) {
      const object = await s3.send(new GetObjectCommand({ Bucket: ASSETS_BUCKET, Key: key }));
      const file = join('objects', String(objects.length));
      await writeFile(join(outDir, file), await object.Body!.transformToByteArray());
      objects.push({ bucket: ASSETS_BUCKET, key, ...(object.ContentType !== undefined ? { contentType: object.ContentType } : {}), file });
    }
    const recording: CdkRecording = { command, objects, stacks };
    await writeFile(join(outDir, RECORDING_FILE), `${JSON.stringify(recording, null, 2)}\n`);
  } finally {
    s3.destroy();
  }
}

/** The bootstrap bucket's keys; none when there is no bootstrap bucket yet. */
async function bucketKeys(s3: S3Client): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: ASSETS_BUCKET, ...(token ? { ContinuationToken: token } : {}) }))
      .catch((error: unknown) => { if ((error as { name?: string }).name === 'NoSuchBucket') return undefined; throw error; });
    if (!page) return [];
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

/**
 * Sends a recording's requests again, through the AWS SDK: PutObject of each recorded object, then for each stack in
 * order CreateChangeSet as recorded, ExecuteChangeSet, and a wait for CREATE_COMPLETE. Fails naming the stack, the
 * failed resources and their reasons.
 *
 * @example
 * await replayCdk(cloud.endpoints, await recordedBootstrap(root));
 */
export async function replayCdk(endpoints: Pick<Readonly<Record<CloudEndpoint, string>>, 's3' | 'cloudformation'>, recording: CdkRecording): Promise<void> {
  const s3 = new S3Client({ ...SDK_DEFAULTS, endpoint: endpoints.s3, forcePathStyle: true });
  const cloudformation = new CloudFormationClient({ ...SDK_DEFAULTS, endpoint: endpoints.cloudformation });
  // The emulator answers within the call (a change set is computed when created, an execution waited for up to 10 s).
  const waiter = { client: cloudformation, maxWaitTime: 600, minDelay: 1, maxDelay: 5 };
  try {
    for (const object of recording.objects) {
      await s3.send(new PutObjectCommand({ Bucket: object.bucket, Key: object.key, Body: await readFile(object.file), ...(object.contentType !== undefined ? { ContentType: object.contentType } : {}) }));
    }
    for (const stack of recording.stacks) {
      const StackName = stack.stackName;
      const ChangeSetName = stack.changeSetName.replace(UUID_SUFFIX, () => randomUUID());
      await cloudformation.send(new CreateChangeSetCommand({
        StackName, ChangeSetName, ChangeSetType: 'CREATE',
        ...(stack.templateUrl !== undefined ? { TemplateURL: stack.templateUrl } : { TemplateBody: stack.templateBody }),
        Parameters: [...stack.parameters], Capabilities: [...stack.capabilities] as Capability[], Tags: [...stack.tags],
        ...(stack.description !== undefined ? { Description: stack.description.replace(UUID_SUFFIX, () => randomUUID()) } : {}),
      }));
      await waitUntilChangeSetCreateComplete(waiter, { StackName, ChangeSetName });
      await cloudformation.send(new ExecuteChangeSetCommand({ StackName, ChangeSetName }));
      try {
        await waitUntilStackCreateComplete(waiter, { StackName });
      } catch (error) {
        const events = (await cloudformation.send(new DescribeStackEventsCommand({ StackName }))).StackEvents ?? [];
        const failed = events.filter((e) => e.ResourceStatus?.endsWith('_FAILED')).map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}: ${e.ResourceStatusReason ?? ''}`);
        throw new Error(`${StackName} from the recording of ${recording.command} did not complete: ${failed.join('; ') || (error as Error).message}`, { cause: error });
      }
    }
  } finally {
    s3.destroy();
    cloudformation.destroy();
  }
}
