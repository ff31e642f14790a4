import { BackupClient, StartRestoreJobCommand } from '@aws-sdk/client-backup';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { SnapshotDetailType } from '../shared/snapshot';
import { toStartRestoreJobInput } from '../shared/snapshot/restore';
import type { StoryAction, StoryContext } from './story';
import { SDK_DEFAULTS, STEP_TIMEOUT_MS } from './story';

/** sha256 of every file under a directory, by relative path (none when it does not exist). */
async function treeDigest(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  if (!existsSync(dir)) return files;
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

/** Waits until nothing is in flight: schedule executions, asynchronous invocations, backup jobs, bus deliveries. */
async function settleAll(stack: StoryContext['stack']): Promise<void> {
  for (let round = 0; round < 2; round += 1) {
    await stack.control.scheduler.idle();
    await stack.lambdaAsync.idle();
    await stack.control.backup.settled();
    await stack.bus.idle();
    await stack.lambdaAsync.idle();
  }
}

/**
 * The scheduled snapshot: the schedule fires (twice, as a duplicate delivery) and exactly one recovery point results.
 * The stack's own schedule keeps running on the emulated clock (a daily cron; at the story's clock speed a day passes
 * in minutes). A scheduled snapshot's idempotency token is its schedule slot, so when the schedule already fired by
 * itself in the current slot, the two deliveries are duplicates of that one and start nothing: then its job is the
 * one recovery point. The step lets whatever is in flight end first and counts only what followed.
 */
export const scheduledSnapshot: StoryAction = async (context) => {
  const { stack } = context;
  const dynamic = await seedDynamicData(context);
  context.digests.snapshotTree = JSON.stringify(await treeDigest(dynamic));
  await settleAll(stack);
  const { name, group } = stack.resources.snapshotSchedule;
  const jobsBefore = stack.control.backup.jobs.size;
  const eventsBefore = stack.bus.timeline.length;
  const byItself = stack.control.scheduler.executions.filter((run) => run.name === name).length;
  // The stack's own schedule, run by hand twice: a duplicate delivery, as EventBridge Scheduler may make one.
  stack.control.scheduler.fire(name, group);
  stack.control.scheduler.fire(name, group);
  await settleAll(stack);
  const completedEvents = (from: number, to: number) => stack.bus.timeline.slice(from, to).filter((entry) => entry.event['detail-type'] === SnapshotDetailType.Completed).map((entry) => entry.event);
  const jobs = stack.control.backup.jobs.size - jobsBefore;
  const alsoByItself = stack.control.scheduler.executions.filter((run) => run.name === name).length - byItself - 2;
  let completed = completedEvents(eventsBefore, stack.bus.timeline.length).at(-1);
  let how = 'a schedule delivered twice';
  if (jobs === 0 && byItself > 0) {
    // The schedule's own delivery in this slot came first: the two are its duplicates, its job the recovery point.
    completed = completedEvents(0, eventsBefore).at(-1);
    how = 'the schedule (by itself, then twice by hand in the same slot)';
  } else if (jobs < 1 || jobs > 1 + alsoByItself) {
    // A delivery of the schedule's own during the step may start one more job, in the next slot.
    throw new Error(`the schedule delivered twice started ${jobs} backup jobs, expected 1${alsoByItself ? ` (or up to ${1 + alsoByItself}: the schedule also fired ${alsoByItself} time(s) by itself)` : ''}`);
  }
  if (!completed) throw new Error(`no ${SnapshotDetailType.Completed} for the scheduled snapshot (${jobs} new backup jobs)`);
  const arn = (completed.detail as { recoveryPointArn?: string }).recoveryPointArn ?? [...stack.control.backup.recoveryPoints.keys()].at(-1);
  if (!arn) throw new Error('no recovery point after the snapshot completed');
  context.digests.recoveryPoint = arn;
  const point = stack.control.backup.recoveryPoints.get(arn);
  if (!point) throw new Error(`the vault has no recovery point ${arn}`);
  // The schedule's own snapshot may predate the seeded files: the restore is then compared with what it holds.
  if (jobs === 0) context.digests.snapshotTree = JSON.stringify(await treeDigest(join(point.path, 'dynamic')));
  return `one recovery point from ${how}: ${arn.slice(arn.lastIndexOf(':') + 1)}`;
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
