import { BackupClient, StartRestoreJobCommand } from '@aws-sdk/client-backup';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { SnapshotDetailType } from '../shared/snapshot';
import { toStartRestoreJobInput } from '../shared/snapshot/restore';
import type { StoryAction, StoryContext } from './story';
import { SDK_DEFAULTS, STEP_TIMEOUT_MS } from './story';

/** sha256 of every file under a directory, by relative path. */
async function treeDigest(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (current: string): Promise<void> => {
    for (const item of await readdir(current, { withFileTypes: true })) {
      const path = join(current, item.name);
      if (item.isDirectory()) await walk(path);
      else files[relative(dir, path)] = createHash('sha256').update(await readFile(path)).digest('hex');
    }
  };
  await walk(dir);
  return files;
}

/** Writes some dynamic data (what portal-api keeps on EFS: applications, subscriptions). */
async function seedDynamicData(context: StoryContext): Promise<string> {
  const dynamic = join(context.stack.resources.dynamicData.path, 'dynamic');
  await mkdir(join(dynamic, 'applications'), { recursive: true });
  await mkdir(join(dynamic, 'subscriptions'), { recursive: true });
  await writeFile(join(dynamic, 'applications', 'petshop.json'), JSON.stringify({ id: 'petshop', name: 'Pet Shop', redirectUri: 'https://petshop.example.com/cb' }));
  await writeFile(join(dynamic, 'subscriptions', 'petshop.json'), JSON.stringify([{ application: 'petshop', api: 'petstore', plan: 'basic', approved: true }]));
  return dynamic;
}

/** Waits until nothing is in flight: backup jobs, schedule executions, bus deliveries, asynchronous invocations. */
async function settleAll(stack: StoryContext['stack']): Promise<void> {
  await stack.control.backup.settled();
  await stack.control.scheduler.idle();
  await stack.bus.idle();
  await stack.lambdaAsync.idle();
  await stack.control.backup.settled();
}

/**
 * The scheduled snapshot: the schedule fires (twice, as a duplicate delivery) and exactly one recovery point results.
 * The stack's own schedule keeps running on the emulated clock (a daily cron; at the story's clock speed a day
 * passes in minutes), so the step first lets whatever is in flight end, then counts only what happened after its
 * own two deliveries: its Completed event, and the jobs started since, less any the schedule started by itself.
 */
export const scheduledSnapshot: StoryAction = async (context) => {
  const { stack } = context;
  const dynamic = await seedDynamicData(context);
  context.digests.snapshotTree = JSON.stringify(await treeDigest(dynamic));
  await settleAll(stack);
  const jobsBefore = stack.control.backup.jobs.size;
  const eventsBefore = stack.bus.timeline.length;
  const executionsBefore = stack.control.scheduler.executions.length;
  // The stack's own schedule, run by hand twice: a duplicate delivery, as EventBridge Scheduler may make one.
  const { name, group } = stack.resources.snapshotSchedule;
  const ours = [stack.control.scheduler.fire(name, group), stack.control.scheduler.fire(name, group)];
  const completed = await stack.bus.waitFor((event) => event['detail-type'] === SnapshotDetailType.Completed && stack.bus.timeline.findIndex((entry) => entry.event === event) >= eventsBefore, STEP_TIMEOUT_MS, SnapshotDetailType.Completed);
  await settleAll(stack);
  const own = stack.control.scheduler.executions.slice(executionsBefore).filter((run) => run.name === name && !ours.includes(run)).length;
  const jobs = stack.control.backup.jobs.size - jobsBefore;
  // A delivery of the schedule's own in the meantime may start one more job (after ours ended) or join ours.
  if (jobs < 1 || jobs > 1 + own) throw new Error(`the schedule delivered twice started ${jobs} backup jobs, expected 1${own ? ` (or up to ${1 + own}: the schedule also fired ${own} time(s) by itself)` : ''}`);
  const arn = (completed.detail as { recoveryPointArn?: string }).recoveryPointArn ?? [...stack.control.backup.recoveryPoints.keys()].at(-1);
  if (!arn) throw new Error('no recovery point after the snapshot completed');
  context.digests.recoveryPoint = arn;
  return `one recovery point from a schedule delivered twice: ${arn.slice(arn.lastIndexOf(':') + 1)}`;
};

/** Damage the dynamic data, restore the last snapshot, compare byte for byte. */
export const restoreSnapshot: StoryAction = async (context) => {
  const { stack } = context;
  const dynamic = join(stack.resources.dynamicData.path, 'dynamic');
  await writeFile(join(dynamic, 'applications', 'petshop.json'), 'corrupted');
  await rm(join(dynamic, 'subscriptions'), { recursive: true, force: true });
  const client = new BackupClient({ ...SDK_DEFAULTS, endpoint: stack.endpoints.backup });
  try {
    const input = toStartRestoreJobInput({
      recoveryPointArn: context.digests.recoveryPoint!, resourceArn: stack.resources.dynamicData.arn, iamRoleArn: stack.resources.backupRoleArn, requestId: 'demo',
    });
    const { RestoreJobId } = await client.send(new StartRestoreJobCommand(input));
    await stack.bus.waitFor((event) => event['detail-type'] === 'Restore Job State Change' && event.detail.restoreJobId === RestoreJobId && event.detail.status === 'COMPLETED', STEP_TIMEOUT_MS, 'Restore Job State Change COMPLETED');
  } finally {
    client.destroy();
  }
  const restored = (await readdir(stack.resources.dynamicData.path)).filter((name) => name.startsWith('aws-backup-restore_'));
  if (restored.length !== 1) throw new Error(`expected one aws-backup-restore_ directory, found ${restored.length}`);
  const tree = JSON.stringify(await treeDigest(join(stack.resources.dynamicData.path, restored[0]!, 'dynamic')));
  if (tree !== context.digests.snapshotTree) throw new Error('the restored files differ from the snapshot');
  return `restored into ${restored[0]}/ byte for byte (swap it in per docs/disaster-recovery.md)`;
};
