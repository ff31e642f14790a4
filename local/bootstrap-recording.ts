import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CloudFormationClient, CreateChangeSetCommand, DescribeStackEventsCommand, ExecuteChangeSetCommand,
  waitUntilChangeSetCreateComplete, waitUntilStackCreateComplete,
} from '@aws-sdk/client-cloudformation';
import { runCdkCli } from './cdk-cli';
import { startCloud } from './cloud';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './kernel/events';
import { SDK_DEFAULTS } from './story';
import { cachedAssembly } from './synth-cache';

/**
 * What `cdk bootstrap` asked CloudFormation for when it bootstrapped an empty account: the bootstrap stack's
 * CreateChangeSet request (its template, the parameters the CLI computed, capabilities, tags and description).
 */
export interface BootstrapRecording {
  readonly stackName: string;
  /** The recorded change set's name without its unique suffix, e.g. `cdk-bootstrap-change-set`. */
  readonly changeSetPrefix: string;
  readonly templateBody: string;
  readonly parameters: readonly { readonly ParameterKey: string; readonly ParameterValue: string }[];
  readonly capabilities: readonly string[];
  readonly tags: readonly { readonly Key: string; readonly Value: string }[];
  readonly description?: string;
}

/** The UUID that ends the CLI's change set name and description, unique to each bootstrap. */
const UUID_SUFFIX = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The file of a cache entry that holds the recording; its presence marks the entry complete. */
const RECORDING_FILE = 'bootstrap-recording.json';

/**
 * The recording of the pinned CDK CLI's `cdk bootstrap aws://<account>/<region>` into an empty local cloud, from
 * the synth cache: made once per CLI version (package-lock.json) and CDK settings (cdk.json), by running the CLI
 * against an empty cloud of its own and reading the change set it created. AWS documents deploying the bootstrap
 * template with CloudFormation itself as an alternative to the CLI (AWS CDK Developer Guide, "Customize AWS CDK
 * bootstrapping"); {@link bootstrapFromRecording} does that with the CLI's own template and parameters.
 *
 * @example
 * const recording = await recordedBootstrap('.');
 * recording.parameters.find((p) => p.ParameterKey === 'Qualifier')?.ParameterValue // 'hnb659fds'
 */
export async function recordedBootstrap(root: string): Promise<BootstrapRecording> {
  const app = await cachedAssembly({ root });
  const entry = await cachedAssembly({
    root,
    app: 'cdk bootstrap, recorded',
    inputs: ['package-lock.json', 'cdk.json'],
    entryFile: RECORDING_FILE,
    synth: (outDir) => recordInto(resolve(root), app, outDir),
  });
  return JSON.parse(await readFile(join(entry, RECORDING_FILE), 'utf8')) as BootstrapRecording;
}

/** Runs the CLI's bootstrap against an empty cloud in a scratch directory and writes what it asked for into `outDir`. */
async function recordInto(root: string, app: string, outDir: string): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'bootstrap-recording-'));
  try {
    const cloud = await startCloud({ stateDir: join(scratch, 'cloud') });
    try {
      const run = await runCdkCli(root, cloud.env, ['bootstrap', `aws://${LOCAL_ACCOUNT}/${LOCAL_REGION}`, '--app', app]);
      if (run.code !== 0) throw new Error(`cdk bootstrap exited with ${run.code}:\n${run.output.slice(-3000)}`);
      const stack = cloud.cloudformation.allStacks().find((s) => s.status === 'CREATE_COMPLETE');
      const changeSets = stack ? [...stack.changeSets.values()] : [];
      if (!stack || changeSets.length !== 1) throw new Error(`cdk bootstrap left ${cloud.cloudformation.allStacks().map((s) => `${s.stackName} ${s.status}`).join(', ') || 'no stack'}: expected one stack created by one change set`);
      const changeSet = changeSets[0]!;
      const recording: BootstrapRecording = {
        stackName: stack.stackName,
        changeSetPrefix: changeSet.name.replace(new RegExp(`-${UUID_SUFFIX.source}`), ''),
        templateBody: changeSet.templateBody,
        parameters: changeSet.parameters.map((p) => ({ ParameterKey: p.key, ParameterValue: p.value })),
        capabilities: changeSet.capabilities,
        tags: changeSet.tags,
        ...(changeSet.description !== undefined ? { description: changeSet.description } : {}),
      };
      await mkdir(outDir, { recursive: true });
      await writeFile(join(outDir, RECORDING_FILE), `${JSON.stringify(recording, null, 2)}\n`);
    } finally {
      await cloud.stop();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Creates the bootstrap stack from a recording of `cdk bootstrap` through the CloudFormation API (the AWS SDK):
 * CreateChangeSet with the recorded template, parameters, capabilities and tags, then ExecuteChangeSet, and
 * waits for CREATE_COMPLETE. Fails naming the failed resources and their reasons.
 *
 * @example
 * await bootstrapFromRecording(cloud.endpoints.cloudformation, await recordedBootstrap(root));
 */
export async function bootstrapFromRecording(endpoint: string, recording: BootstrapRecording): Promise<void> {
  const client = new CloudFormationClient({ ...SDK_DEFAULTS, endpoint });
  const StackName = recording.stackName;
  const ChangeSetName = `${recording.changeSetPrefix}-${randomUUID()}`;
  // The emulator answers within the call (a change set is computed when created, an execution waited for): the first check passes.
  const waiter = { client, maxWaitTime: 300, minDelay: 1, maxDelay: 5 };
  try {
    await client.send(new CreateChangeSetCommand({
      StackName, ChangeSetName, ChangeSetType: 'CREATE', TemplateBody: recording.templateBody,
      Parameters: [...recording.parameters], Capabilities: [...recording.capabilities] as never, Tags: [...recording.tags],
      // The CLI names each execution with a fresh UUID in the description too.
      ...(recording.description !== undefined ? { Description: recording.description.replace(UUID_SUFFIX, randomUUID()) } : {}),
    }));
    await waitUntilChangeSetCreateComplete(waiter, { StackName, ChangeSetName });
    await client.send(new ExecuteChangeSetCommand({ StackName, ChangeSetName }));
    try {
      await waitUntilStackCreateComplete(waiter, { StackName });
    } catch (error) {
      const events = (await client.send(new DescribeStackEventsCommand({ StackName }))).StackEvents ?? [];
      const failed = events.filter((e) => e.ResourceStatus?.endsWith('_FAILED')).map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}: ${e.ResourceStatusReason ?? ''}`);
      throw new Error(`bootstrap stack ${StackName} from the recording of cdk bootstrap did not complete: ${failed.join('; ') || (error as Error).message}`, { cause: error });
    }
  } finally {
    client.destroy();
  }
}
