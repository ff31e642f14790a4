import {
  BackupClient, CreateBackupPlanCommand, CreateBackupSelectionCommand, CreateBackupVaultCommand, DeleteBackupPlanCommand, DeleteBackupSelectionCommand,
  DescribeBackupJobCommand, GetBackupPlanCommand, GetBackupSelectionCommand, ListBackupJobsCommand, ListBackupPlansCommand, ListBackupSelectionsCommand,
  StartBackupJobCommand, UpdateBackupPlanCommand,
} from '@aws-sdk/client-backup';
import type { BackupRuleInput } from '@aws-sdk/client-backup';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileSystem } from '../../../local/backup';
import { SAME_RESOURCE_MESSAGE, startBackup } from '../../../local/backup';
import { LocalBus } from '../../../local/bus';
import { flush, ManualClock } from './manual-clock';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const ROLE = 'arn:aws:iam::000000000000:role/backup';
const HOUR = 3_600_000;
/** The platform's rule (infra/constructs/backups.ts): daily at 03:00 UTC, a 1 h start window, 35 days' retention. */
const DAILY: BackupRuleInput = { RuleName: 'Scheduled', TargetBackupVaultName: 'wicked-dev', ScheduleExpression: 'cron(0 3 * * ? *)', StartWindowMinutes: 60, CompletionWindowMinutes: 480, Lifecycle: { DeleteAfterDays: 35 } };

describe('local AWS Backup plans through @aws-sdk/client-backup: rules run on the clock at their schedule', () => {
  let dir: string;
  let clock: ManualClock;
  let bus: LocalBus;
  let backup: Awaited<ReturnType<typeof startBackup>>;
  let client: BackupClient;
  let efs: FileSystem;
  let other: FileSystem;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-backup-plans-'));
    // The manual clock starts at 2026-01-01T00:00Z: the first 03:00 is three hours away.
    clock = new ManualClock();
    bus = new LocalBus({ clock });
    backup = await startBackup({ clock, bus, stateDir: dir });
    client = new BackupClient({ ...local, endpoint: backup.url });
    await client.send(new CreateBackupVaultCommand({ BackupVaultName: 'wicked-dev' }));
    efs = await backup.control.createFileSystem('fs-0123456789abcdef0');
    other = await backup.control.createFileSystem('fs-0fedcba9876543210');
  });
  afterEach(async () => {
    client.destroy();
    await backup.stop();
    bus.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const createPlan = async (rules: BackupRuleInput[] = [DAILY]) => client.send(new CreateBackupPlanCommand({ BackupPlan: { BackupPlanName: 'wicked-dev', Rules: rules } }));
  const assign = (planId: string, resources: string[], notResources?: string[]) =>
    client.send(new CreateBackupSelectionCommand({ BackupPlanId: planId, BackupSelection: { SelectionName: 'Data', IamRoleArn: ROLE, Resources: resources, ...(notResources ? { NotResources: notResources } : {}) } }));
  /**
   * Moves the clock by `ms`, then on in steps of a second while a job is still under way (each job's start and backup
   * are 31 s of clock; its file copy is real I/O, waited for in wall time), until every job has ended.
   */
  async function advance(ms: number): Promise<void> {
    clock.advance(ms);
    const ended = (): boolean => [...backup.control.jobs.values()].every((job) => !['CREATED', 'RUNNING'].includes(job.state));
    for (let round = 0; round < 2000 && !ended(); round += 1) {
      await flush();
      if (clock.pending > 0) clock.advance(1000);
      else await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(ended()).toBe(true);
  }

  it('answers the plan and its selection as created (GetBackupPlan, ListBackupPlans, GetBackupSelection, ListBackupSelections)', async () => {
    const created = await createPlan();
    expect(created).toMatchObject({ BackupPlanId: expect.any(String), BackupPlanArn: `arn:aws:backup:us-east-1:000000000000:backup-plan:${created.BackupPlanId}`, VersionId: expect.any(String) });
    const got = await client.send(new GetBackupPlanCommand({ BackupPlanId: created.BackupPlanId }));
    expect(got.BackupPlan).toEqual({
      BackupPlanName: 'wicked-dev',
      Rules: [{ ...DAILY, RuleId: expect.any(String), ScheduleExpressionTimezone: 'Etc/UTC' }],
    });
    expect((await client.send(new ListBackupPlansCommand({}))).BackupPlansList).toEqual([expect.objectContaining({ BackupPlanId: created.BackupPlanId, BackupPlanName: 'wicked-dev', VersionId: created.VersionId })]);
    const selection = await assign(created.BackupPlanId!, [efs.arn]);
    expect((await client.send(new GetBackupSelectionCommand({ BackupPlanId: created.BackupPlanId, SelectionId: selection.SelectionId }))).BackupSelection)
      .toEqual({ SelectionName: 'Data', IamRoleArn: ROLE, Resources: [efs.arn] });
    expect((await client.send(new ListBackupSelectionsCommand({ BackupPlanId: created.BackupPlanId }))).BackupSelectionsList)
      .toEqual([expect.objectContaining({ SelectionId: selection.SelectionId, SelectionName: 'Data', IamRoleArn: ROLE })]);
  });

  it('starts one job per assigned resource at 03:00, each naming the plan version and rule, with the rule\'s window and lifecycle', async () => {
    const plan = await createPlan();
    await assign(plan.BackupPlanId!, ['arn:aws:elasticfilesystem:us-east-1:000000000000:file-system/*'], [other.arn]);
    await advance(3 * HOUR - 60_000);
    expect(backup.control.jobs.size).toBe(0); // 02:59
    await advance(60_000);
    const jobs = [...backup.control.jobs.values()];
    expect(jobs.map((job) => [job.resourceArn, job.state])).toEqual([[efs.arn, 'COMPLETED']]);
    const described = await client.send(new DescribeBackupJobCommand({ BackupJobId: jobs[0]!.id }));
    const rule = (await client.send(new GetBackupPlanCommand({ BackupPlanId: plan.BackupPlanId }))).BackupPlan!.Rules![0]!;
    expect(described).toMatchObject({
      State: 'COMPLETED', ResourceArn: efs.arn, BackupVaultName: 'wicked-dev', IamRoleArn: ROLE,
      CreationDate: new Date(Date.UTC(2026, 0, 1, 3)), StartBy: new Date(Date.UTC(2026, 0, 1, 4)),
      CreatedBy: { BackupPlanId: plan.BackupPlanId, BackupPlanArn: plan.BackupPlanArn, BackupPlanVersion: plan.VersionId, BackupRuleId: rule.RuleId, BackupRuleName: 'Scheduled', BackupRuleCron: 'cron(0 3 * * ? *)' },
    });
    const point = backup.control.recoveryPoints.get(jobs[0]!.recoveryPointArn)!;
    expect(point.deleteAt).toBe(point.creationDate + 35 * 24 * HOUR);
    // The event of a plan's job names its creator as the documented RUNNING example does; an on-demand job's does not.
    const running = bus.timeline.map((entry) => entry.event).find((event) => event.detail.state === 'RUNNING')!;
    expect(running.detail.createdBy).toEqual({ backupPlanId: plan.BackupPlanId, backupPlanArn: plan.BackupPlanArn, backupPlanVersion: plan.VersionId, backupPlanRuleId: rule.RuleId });
    // And again the next day.
    await advance(24 * HOUR);
    expect([...backup.control.jobs.values()].map((job) => new Date(job.creationDate).toISOString())).toEqual(['2026-01-01T03:00:00.000Z', '2026-01-02T03:00:00.000Z']);
    expect((await client.send(new ListBackupPlansCommand({}))).BackupPlansList![0]!.LastExecutionDate).toEqual(new Date(Date.UTC(2026, 0, 2, 3)));
  });

  it('a fire that comes late (the clock jumped days ahead) starts one round of jobs, not one per day it skipped', async () => {
    // A clock whose time jumps: every timer due by then fires once the jump is over, late, as a wall clock's do after a stall.
    let now = Date.UTC(2026, 0, 1);
    const timers = new Set<{ at: number; fn: () => void }>();
    const jumping = {
      now: () => now, speed: 1, setSpeed: () => undefined,
      schedule: (ms: number, fn: () => void) => { const timer = { at: now + ms, fn }; timers.add(timer); return () => { timers.delete(timer); }; },
      sleep: (ms: number) => new Promise<void>((resolve) => { timers.add({ at: now + ms, fn: resolve }); }),
    };
    const late = await startBackup({ clock: jumping, bus, stateDir: join(dir, 'late') });
    try {
      late.control.createVault('wicked-dev');
      const fs = await late.control.createFileSystem('fs-0aaaaaaaaaaaaaaaa');
      const plan = late.control.createPlan('wicked-dev', [DAILY]);
      late.control.createSelection(plan.id, { SelectionName: 'Data', IamRoleArn: ROLE, Resources: [fs.arn] });
      now += 3 * 24 * HOUR;
      for (const timer of [...timers].filter((t) => t.at <= now).sort((a, b) => a.at - b.at)) { timers.delete(timer); timer.fn(); }
      expect([...late.control.jobs.values()].map((job) => job.resourceArn)).toEqual([fs.arn]);
      // The rule's next fire is the next 03:00 after the jump, not the 03:00s it skipped.
      const next = [...timers].map((t) => new Date(t.at).toISOString()).filter((at) => at.endsWith('T03:00:00.000Z'));
      expect(next).toEqual(['2026-01-04T03:00:00.000Z']);
    } finally {
      await late.stop();
    }
  });

  it('a plan job meeting a running job of the same resource ends EXPIRED with AWS Backup\'s message; the running job completes', async () => {
    const plan = await createPlan();
    await assign(plan.BackupPlanId!, [efs.arn]);
    await advance(3 * HOUR - 10_000);
    const onDemand = await client.send(new StartBackupJobCommand({ BackupVaultName: 'wicked-dev', ResourceArn: efs.arn, IamRoleArn: ROLE }));
    await advance(10_000);
    const byState = Object.fromEntries([...backup.control.jobs.values()].map((job) => [job.createdBy ? 'plan' : 'on-demand', [job.state, job.statusMessage]]));
    expect(byState).toEqual({ 'on-demand': ['COMPLETED', undefined], plan: ['EXPIRED', SAME_RESOURCE_MESSAGE] });
    expect(backup.control.jobs.get(onDemand.BackupJobId!)!.state).toBe('COMPLETED');
    expect((await client.send(new ListBackupJobsCommand({ ByResourceArn: efs.arn }))).BackupJobs).toHaveLength(2);
  });

  it('runs the new schedule after UpdateBackupPlan (a new version), nothing once the selection is deleted, and refuses to delete a plan that still has one', async () => {
    const plan = await createPlan();
    const selection = await assign(plan.BackupPlanId!, [efs.arn]);
    const updated = await client.send(new UpdateBackupPlanCommand({ BackupPlanId: plan.BackupPlanId, BackupPlan: { BackupPlanName: 'wicked-dev', Rules: [{ ...DAILY, ScheduleExpression: 'cron(30 1 * * ? *)' }] } }));
    expect(updated.VersionId).not.toBe(plan.VersionId);
    await advance(2 * HOUR);
    expect([...backup.control.jobs.values()].map((job) => [new Date(job.creationDate).toISOString(), job.createdBy?.backupPlanVersion])).toEqual([['2026-01-01T01:30:00.000Z', updated.VersionId]]);
    await expect(client.send(new DeleteBackupPlanCommand({ BackupPlanId: plan.BackupPlanId }))).rejects.toMatchObject({ name: 'InvalidRequestException' });
    await client.send(new DeleteBackupSelectionCommand({ BackupPlanId: plan.BackupPlanId, SelectionId: selection.SelectionId }));
    await advance(24 * HOUR);
    expect(backup.control.jobs.size).toBe(1);
    await client.send(new DeleteBackupPlanCommand({ BackupPlanId: plan.BackupPlanId }));
    expect((await client.send(new ListBackupPlansCommand({}))).BackupPlansList).toEqual([]);
    await expect(client.send(new GetBackupPlanCommand({ BackupPlanId: plan.BackupPlanId }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('fails a plan job whose target vault is gone, with the message of AWS Backup\'s FAILED example, and keeps no point', async () => {
    await client.send(new CreateBackupVaultCommand({ BackupVaultName: 'gone' }));
    const plan = await createPlan([{ ...DAILY, TargetBackupVaultName: 'gone' }]);
    await assign(plan.BackupPlanId!, [efs.arn]);
    backup.control.deleteVault('gone');
    await advance(3 * HOUR);
    const [job] = [...backup.control.jobs.values()];
    expect([job!.state, job!.statusMessage]).toEqual(['FAILED', 'Backup job failed because backup vault arn:aws:backup:us-east-1:000000000000:backup-vault:gone does not exist.']);
    expect(backup.control.recoveryPoints.size).toBe(0);
  });

  it.each([
    ['a rate expression', { ...DAILY, ScheduleExpression: 'rate(1 day)' }, /ScheduleExpression.*cron/],
    ['a start window under 60 minutes', { ...DAILY, StartWindowMinutes: 30 }, /StartWindowMinutes.*>= 60/],
    ['an unknown vault', { ...DAILY, TargetBackupVaultName: 'nope' }, /TargetBackupVaultName.*existing backup vault/],
    ['another time zone', { ...DAILY, ScheduleExpressionTimezone: 'Europe/Berlin' }, /ScheduleExpressionTimezone.*UTC only/],
    ['a copy action (copy jobs are not emulated)', { ...DAILY, CopyActions: [{ DestinationBackupVaultArn: 'arn:aws:backup:eu-west-1:000000000000:backup-vault:dr' }] }, /CopyActions.*not emulated/],
    ['a retention shorter than cold storage allows', { ...DAILY, Lifecycle: { MoveToColdStorageAfterDays: 30, DeleteAfterDays: 35 } }, /DeleteAfterDays.*120/],
  ])('refuses a plan with %s, naming the rule\'s field', async (_what, rule, message) => {
    await expect(createPlan([rule])).rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringMatching(message) });
    expect((await client.send(new ListBackupPlansCommand({}))).BackupPlansList).toEqual([]);
  });

  it('refuses a selection by tags (the emulator keeps no resource tags) and one without resources', async () => {
    const plan = await createPlan();
    await expect(client.send(new CreateBackupSelectionCommand({ BackupPlanId: plan.BackupPlanId, BackupSelection: { SelectionName: 'Tagged', IamRoleArn: ROLE, ListOfTags: [{ ConditionType: 'STRINGEQUALS', ConditionKey: 'backup', ConditionValue: 'daily' }] } })))
      .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringMatching(/ListOfTags.*by ARN only/) });
    await expect(client.send(new CreateBackupSelectionCommand({ BackupPlanId: plan.BackupPlanId, BackupSelection: { SelectionName: 'Empty', IamRoleArn: ROLE } })))
      .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringMatching(/Resources.*at least one/) });
    expect((await client.send(new ListBackupSelectionsCommand({ BackupPlanId: plan.BackupPlanId }))).BackupSelectionsList).toEqual([]);
  });
});
