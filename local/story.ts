import { BackupClient, DeleteBackupSelectionCommand, ListBackupPlansCommand, ListBackupSelectionsCommand } from '@aws-sdk/client-backup';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createReadStream } from 'node:fs';
import { appendFile, cp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageBuiltDetail } from '../shared/events';
import { Ledger } from '../shared/ledger';
import type { StoryStack } from './demo-stack';
import type { EcsControl } from './ecs';
import type { LocalBus } from './bus';
import type { EmulatorControl } from './control';
import { storyStack } from './demo-stack';
import { LOCAL_REGION } from './kernel/events';
import { localUp } from './local-up';
import type { AwsEvent } from './kernel/events';
import { packTarGz } from './pack';

/** Credentials and region of every client of the local cloud. */
export const SDK_DEFAULTS = { region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;

/**
 * Deletes every backup selection of the account's AWS Backup plans through the Backup API (ListBackupPlans,
 * ListBackupSelections, DeleteBackupSelection), as an operator stops scheduled backups: each plan keeps its rules,
 * with nothing assigned to back up. The demo and the tests run on a sped-up clock that crosses the plans' 03:00
 * whenever a run starts in the hour before; without this, a plan's job in the middle of a run would depend on the
 * time of day.
 *
 * @example
 * await unassignBackupPlans(cloud.endpoints.backup);
 */
export async function unassignBackupPlans(endpoint: string): Promise<void> {
  const backup = new BackupClient({ ...SDK_DEFAULTS, endpoint });
  try {
    for (const plan of (await backup.send(new ListBackupPlansCommand({}))).BackupPlansList ?? []) {
      for (const selection of (await backup.send(new ListBackupSelectionsCommand({ BackupPlanId: plan.BackupPlanId }))).BackupSelectionsList ?? []) {
        await backup.send(new DeleteBackupSelectionCommand({ BackupPlanId: plan.BackupPlanId, SelectionId: selection.SelectionId }));
      }
    }
  } finally {
    backup.destroy();
  }
}

/** The emulated clock's speed during the story: the ECS and Backup waits are emulated time. */
const STORY_CLOCK_SPEED = 200;

/**
 * How long one step may wait for one of its events (wall time; the emulator's clock runs fast). The
 * deployed functions run as processes of their own, so a loaded machine stretches a step; this only
 * bounds how long a step that will never see its event takes to say so.
 */
export const STEP_TIMEOUT_MS = 120_000;

/** One step of the story, as the summary table shows it. */
export interface StoryStep {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly ms: number;
}

/** What the story needs from its runner. */
/** What the shared story helpers (upload, wait, deploy) need of the platform under test. */
export interface StoryPlatform {
  readonly endpoints: { readonly s3: string; readonly dynamodb: string };
  readonly bus: LocalBus;
  readonly control: EmulatorControl;
  readonly resources: { readonly env: string; readonly cluster: string; readonly configBucket: string; readonly ledgerTable: string };
}

export interface StoryContext<S extends StoryPlatform = StoryStack> {
  /** The local cloud with wicked-dev deployed from the templates and bundles that ship. */
  readonly stack: S;
  readonly work: string;
  readonly examples: string;
  readonly log: (line: string) => void;
  /** Digests by role, filled as the story goes. */
  readonly digests: Record<string, string>;
}

/** A step: returns a one-line detail, throws when the platform did not behave. */
export type StoryAction = (context: StoryContext) => Promise<string>;

/**
 * Starts an empty local cloud under `work`, bootstraps it and deploys
 * wicked-dev with the real CDK CLI from the synth cache (`local-up.ts`), then
 * runs the steps in order against the deployed Lambdas; a failed step does not
 * stop the others. The deployment is the first result.
 */
export async function runStory(root: string, work: string, examples: string, steps: readonly [string, StoryAction][], log: (line: string) => void, progress: (line: string) => void = () => undefined): Promise<StoryStep[]> {
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const deployStarted = Date.now();
  const up = await localUp({ root, stateDir: join(work, 'cloud'), envs: ['dev'], clockSpeed: STORY_CLOCK_SPEED, progress });
  // The story's snapshots are snapshot-data's (its schedule fired by hand, on demand, before a deploy); the stack's
  // backup plan would add a job of its own whenever the sped-up clock crosses 03:00 during a step.
  await unassignBackupPlans(up.cloud.endpoints.backup);
  const results: StoryStep[] = [{ name: 'cdk bootstrap + cdk deploy wicked-dev', ok: true, detail: 'the app in cdk.json, from the synth cache', ms: Date.now() - deployStarted }];
  log(`  ok    ${results[0]!.name}: ${results[0]!.detail}`);
  try {
    const context: StoryContext = { stack: storyStack(up, 'dev'), work, examples, log, digests: {} };
    for (const [name, action] of steps) {
      const started = Date.now();
      try {
        const detail = await action(context);
        results.push({ name, ok: true, detail, ms: Date.now() - started });
        log(`  ok    ${name}: ${detail}`);
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        results.push({ name, ok: false, detail, ms: Date.now() - started });
        log(`  FAIL  ${name}: ${detail}`);
      }
    }
  } finally {
    await up.stop();
  }
  return results;
}

/** Packs the example config, optionally with a changed content page (a new config hash) or a broken globals.json. */
export async function packConfig(context: Pick<StoryContext<StoryPlatform>, 'work' | 'examples'>, name: string, change?: { page?: string; brokenGlobals?: boolean }): Promise<string> {
  const source = join(context.work, `${name}-src`);
  await cp(context.examples, source, { recursive: true });
  if (change?.page) await appendFile(join(source, 'content', 'contact.md'), `\n${change.page}\n`);
  if (change?.brokenGlobals) await writeFile(join(source, 'globals.json'), '{ "version": 23, "title": "broken", }\n');
  const archive = join(context.work, `${name}.tgz`);
  await packTarGz(source, archive);
  return archive;
}

/** Uploads an archive under `key` of the emulated config bucket, as an operator would; resolves the S3 version id. */
export async function uploadConfig(stack: { readonly endpoints: { readonly s3: string }; readonly resources: { readonly configBucket: string } }, archive: string, key: string): Promise<string | undefined> {
  const s3 = new S3Client({ ...SDK_DEFAULTS, endpoint: stack.endpoints.s3, forcePathStyle: true });
  try {
    const size = (await stat(archive)).size;
    const put = await s3.send(new PutObjectCommand({ Bucket: stack.resources.configBucket, Key: key, Body: createReadStream(archive), ContentLength: size }));
    return put.VersionId;
  } finally {
    s3.destroy();
  }
}

/** Waits for an event on the bus timeline with this detail-type and these detail fields. */
export function waitForEvent(context: StoryContext<StoryPlatform>, detailType: string, fields: Record<string, unknown> = {}): Promise<AwsEvent> {
  const matches = (event: AwsEvent): boolean =>
    event['detail-type'] === detailType && Object.entries(fields).every(([key, value]) => (event.detail as Record<string, unknown>)[key] === value);
  return context.stack.bus.waitFor(matches, STEP_TIMEOUT_MS, detailType);
}

/** The digest portal-api's PRIMARY deployment runs. */
export function runningDigest(stack: { readonly control: { readonly ecs: Pick<EcsControl, 'deployments'> }; readonly resources: { readonly cluster: string } }): string | undefined {
  const primary = stack.control.ecs.deployments(stack.resources.cluster, 'portal-api').find((d) => d.status === 'PRIMARY');
  return primary?.containers.find((c) => c.name === 'portal-api')?.imageDigest;
}

/** The ledger of the emulated environment. */
export async function withLedger<T>(stack: { readonly endpoints: { readonly dynamodb: string }; readonly resources: { readonly ledgerTable: string } }, use: (ledger: Ledger) => Promise<T>): Promise<T> {
  const client = new DynamoDBClient({ ...SDK_DEFAULTS, endpoint: stack.endpoints.dynamodb });
  try {
    return await use(new Ledger({ client: DynamoDBDocumentClient.from(client), tableName: stack.resources.ledgerTable }));
  } finally {
    client.destroy();
  }
}

/** Short form of a digest for the timeline. */
export function short(digest: string | undefined): string {
  return digest ? digest.slice(0, 19) : '(none)';
}

/** Uploads a config and waits until it is built and rolled; returns the built detail. */
export async function deployConfig(context: StoryContext<StoryPlatform>, archive: string, key: string): Promise<ImageBuiltDetail> {
  const versionId = await uploadConfig(context.stack, archive, key);
  const built = (await waitForEvent(context, 'Portal Image Built', { key, ...(versionId ? { versionId } : {}) })).detail as unknown as ImageBuiltDetail;
  context.log(`        image built ${short(built.digest)} (config hash ${built.configHash})`);
  await waitForEvent(context, 'Portal Deployment Succeeded', { digest: built.digest });
  await context.stack.control.ecs.waitForSteadyState(context.stack.resources.cluster, 'portal-api', STEP_TIMEOUT_MS);
  return built;
}

/**
 * The singletons other than portal-api, as the reconcile loop leaves them after portal-api's first good
 * deployment: waits (up to the step timeout, wall time) until each has desired count 1 and one RUNNING task.
 * Resolves the services; rejects naming the ones that are not there.
 */
export async function waitForCompanions(stack: { readonly control: { readonly ecs: Pick<EcsControl, 'getDesiredCount' | 'taskHistory'> }; readonly resources: { readonly cluster: string; readonly singletons: readonly string[] } }): Promise<readonly string[]> {
  const { cluster, singletons } = stack.resources;
  const others = singletons.filter((name) => name !== 'portal-api');
  const up = (name: string): boolean => stack.control.ecs.getDesiredCount(cluster, name) === 1
    && stack.control.ecs.taskHistory().filter((task) => task.serviceName === name && task.lastStatus === 'RUNNING').length === 1;
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (!others.every(up)) {
    if (Date.now() > deadline) {
      const down = others.filter((name) => !up(name)).map((name) => `${name} (desired ${stack.control.ecs.getDesiredCount(cluster, name)})`);
      throw new Error(`expected every singleton at one running task after portal-api's first good deployment, found ${down.join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return others;
}
