import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { BackupClient, CreateBackupSelectionCommand, DescribeBackupJobCommand, GetBackupPlanCommand, ListBackupPlansCommand, StartBackupJobCommand } from '@aws-sdk/client-backup';
import { SDK_DEFAULTS } from '../../local/story';
import { EVENT_SOURCE } from '../../shared/events';
import { SnapshotDetailType } from '../../shared/snapshot';
import type { Invocation } from '../../local/lambda/functions';
import { lastJson, runCli } from '../cli/run-cli';
import type { DeployedStack } from '../helpers/deployed';
import { DEPLOYED_CLOCK_SPEED, deployedStack } from '../helpers/deployed';
import { FOLLOW_TIMEOUT_S, SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';

const FOLLOW = ['--follow', '--json', '--interval-ms', '25', '--timeout', FOLLOW_TIMEOUT_S];

/** Every regular file under `dir`, by relative path, with its bytes. */
async function readTree(dir: string, root = dir): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) for (const [name, bytes] of await readTree(path, root)) files.set(name, bytes);
    else files.set(relative(root, path), await readFile(path));
  }
  return files;
}

describe('snapshots end to end on the deployed wicked-dev stack: schedule, on demand, pre-deploy, failure, restore, retention', () => {
  let emulator: DeployedStack;
  let fsPath: string;
  /** The stack's daily snapshot schedule (snapshot-data's target), fired by hand here. */
  let schedule: { name: string; group: string };
  beforeAll(async () => {
    // wickedctl runs in this process and finds dev by --env, as in a shell after `wickedctl local up`.
    emulator = await deployedStack('snapshot-e2e-', { envs: ['dev'], cliEnvironment: true });
    schedule = emulator.resources.snapshotSchedule;
    // (deployedStack paused the stack's daily schedule: the tests fire it by hand.)
    fsPath = emulator.resources.dynamicData.path;
    await mkdir(join(fsPath, 'dynamic', 'applications'), { recursive: true });
    await writeFile(join(fsPath, 'dynamic', 'applications', 'app-1.json'), JSON.stringify({ id: 'app-1', name: 'First' }));
    await writeFile(join(fsPath, 'dynamic', 'blob.bin'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)));
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    await emulator?.stop();
  });

  const settle = async (): Promise<void> => {
    await emulator.control.backup.settled();
    await emulator.control.scheduler.idle();
    await emulator.bus.idle();
    await emulator.lambdaAsync.idle();
  };
  const failures = (): string[] => emulator.failures(['snapshot-data', 'track-backup']);
  /**
   * Holds track-backup at reserved concurrency 0: no backup state change reaches it (they wait in Lambda's queue), as
   * when every one is lost. `release` (idempotent) lets them through.
   */
  const holdTrackBackup = (): { release(): void } => {
    const name = emulator.resources.functions['track-backup'];
    emulator.lambdaAsync.setReservedConcurrency(name, 0);
    let held = true;
    return { release: () => { if (held) emulator.lambdaAsync.setReservedConcurrency(name, undefined); held = false; } };
  };
  const snapshotData = (i: Invocation): boolean => i.functionName === emulator.resources.functions['snapshot-data'];
  /** The sweep (snapshot-data on its schedule) that recorded the end of the job. */
  const sweepRecording = (jobId: string, timeoutMs: number): Promise<Invocation> => emulator.cloud.functions.waitFor(
    (i) => snapshotData(i) && ((i.result as { recorded?: { jobId: string }[] } | undefined)?.recorded ?? []).some((r) => r.jobId === jobId), timeoutMs, `a sweep recording job ${jobId}`,
  );
  /** The sweep that found nothing pending and deleted its schedule. */
  const sweepSwitchingOff = (timeoutMs: number): Promise<Invocation> => emulator.cloud.functions.waitFor((i) => snapshotData(i) && (i.result as { armed?: boolean } | undefined)?.armed === false, timeoutMs, 'a sweep switching itself off');
  const completedEvents = (): number => emulator.bus.timeline.filter((entry) => entry.event['detail-type'] === SnapshotDetailType.Completed).length;

  it('a scheduled trigger delivered twice makes exactly one recovery point, tagged as scheduled', async () => {
    const budget = signalBudget();
    expect(emulator.control.scheduler.listSchedules({ groupName: schedule.group }).find((s) => s.Name === schedule.name)).toMatchObject({ State: 'DISABLED' });
    emulator.control.scheduler.fire(schedule.name, schedule.group);
    emulator.control.scheduler.fire(schedule.name, schedule.group);
    await emulator.bus.waitFor((event) => event['detail-type'] === SnapshotDetailType.Completed, budget.left());
    await settle();
    expect(emulator.control.scheduler.executions.filter((run) => run.name === schedule.name).map((run) => run.status)).toEqual(['delivered', 'delivered']);
    expect(emulator.control.backup.jobs.size).toBe(1);
    expect(emulator.control.backup.recoveryPoints.size).toBe(1);
    const listed = await runCli(['snapshots', '--env', 'dev', '--json']);
    expect(listed.code).toBe(0);
    const points = lastJson(listed).recoveryPoints as { recoveryPointArn: string; tags: Record<string, string> }[];
    expect(points).toEqual([expect.objectContaining({ recoveryPointArn: [...emulator.control.backup.recoveryPoints.keys()][0], tags: { 'wicked:environment': 'dev', 'wicked:trigger': 'schedule' } })]);
  }, SIGNAL_TEST_LIMIT_MS);

  it('snapshot, change the files, restore: the aws-backup-restore_ directory holds the snapshot byte for byte', async () => {
    const before = await readTree(join(fsPath, 'dynamic'));
    const taken = await runCli(['snapshot', '--env', 'dev', ...FOLLOW]);
    expect(taken.code).toBe(0);
    const snapshot = lastJson(taken) as { state: string; jobs: { recoveryPointArn: string }[] };
    expect(snapshot.state).toBe('COMPLETED');
    const recoveryPointArn = snapshot.jobs[0]!.recoveryPointArn;
    await writeFile(join(fsPath, 'dynamic', 'applications', 'app-1.json'), 'corrupted');
    await rm(join(fsPath, 'dynamic', 'blob.bin'));
    await writeFile(join(fsPath, 'dynamic', 'stray.txt'), 'not in the snapshot');

    const restored = await runCli(['restore', '--env', 'dev', '--recovery-point', recoveryPointArn, ...FOLLOW]);
    expect(restored.code).toBe(0);
    const result = lastJson(restored) as { status: string; instructions: string[] };
    expect(result.status).toBe('COMPLETED');
    expect(result.instructions.join('\n')).toMatch(/aws-backup-restore_.*portal-kong-adapter/s);
    const restoreDirs = (await readdir(fsPath)).filter((name) => name.startsWith('aws-backup-restore_'));
    expect(restoreDirs).toHaveLength(1);
    expect(await readTree(join(fsPath, restoreDirs[0]!, 'dynamic'))).toEqual(before);
    expect((await readFile(join(fsPath, 'dynamic', 'applications', 'app-1.json'))).toString()).toBe('corrupted');
  }, SIGNAL_TEST_LIMIT_MS);

  it('restore latest picks the newest point; an unknown ARN is refused with exit 2', async () => {
    const unknown = await runCli(['restore', '--env', 'dev', '--recovery-point', 'arn:aws:backup:us-east-1:000000000000:recovery-point:nope', '--json']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/not among the 2 points/);
    const latest = await runCli(['restore', '--env', 'dev', '--recovery-point', 'latest', '--json']);
    expect(latest.code).toBe(0);
    const newest = [...emulator.control.backup.recoveryPoints.values()].sort((a, b) => b.creationDate - a.creationDate)[0]!;
    expect(lastJson(latest)).toMatchObject({ recoveryPointArn: newest.arn, status: 'CREATED' });
    await settle();
  }, 30_000);

  it('a request while a job of the file system runs joins that job: one job, both requests served', async () => {
    const budget = signalBudget();
    const jobsBefore = emulator.control.backup.jobs.size;
    const request = (requestId: string): void => {
      emulator.bus.put({ source: EVENT_SOURCE, 'detail-type': SnapshotDetailType.Requested, resources: [], detail: { env: 'dev', trigger: 'manual', requestId } });
    };
    const mark = emulator.bus.timeline.length;
    request('join-a');
    await emulator.bus.waitFor((event) => emulator.bus.timeline.findIndex((entry) => entry.event === event) >= mark && event['detail-type'] === 'Backup Job State Change' && event.detail.state === 'RUNNING', budget.left());
    await emulator.bus.idle();
    request('join-b');
    const done = completedEvents();
    await emulator.bus.waitFor(() => completedEvents() > done, budget.left());
    await settle();
    expect(emulator.control.backup.jobs.size).toBe(jobsBefore + 1);
    expect([...emulator.control.backup.jobs.values()].filter((job) => job.statusMessage?.includes('same resource'))).toEqual([]);
  }, SIGNAL_TEST_LIMIT_MS);

  it('a request meeting a job started outside the control plane (a backup plan) is served by that job, without a notification', async () => {
    const budget = signalBudget();
    const notifications = (): number => emulator.control.sns.messages(emulator.resources.topicArn).length;
    const before = notifications();
    const client = new BackupClient({ ...SDK_DEFAULTS, endpoint: emulator.endpoints.backup });
    // The plan's job runs until the request has joined it, as a long backup would (the case of a job that ends first is a
    // plain start, and the case of a job not known yet is the next test).
    const hold = emulator.control.backup.holdNextBackupJob();
    try {
      const { resources } = emulator;
      const plan = await client.send(new StartBackupJobCommand({ BackupVaultName: resources.backupVault, ResourceArn: resources.dynamicData.arn, IamRoleArn: 'arn:aws:iam::000000000000:role/plan' }));
      // The plan's job is known once track-backup has handled its RUNNING event: the rule matches events naming the
      // vault, and CREATED names none.
      const aboutPlan = (invocation: Invocation): boolean => JSON.stringify(invocation.event).includes(plan.BackupJobId!);
      await emulator.cloud.functions.waitFor((invocation) => invocation.functionName === resources.functions['track-backup'] && invocation.outcome === 'success' && aboutPlan(invocation), budget.left(), 'track-backup recording the plan\'s job');
      const earlier = new Set(emulator.cloud.functions.invocations(resources.functions['snapshot-data']));
      const following = runCli(['snapshot', '--env', 'dev', ...FOLLOW]);
      // (Not a sweep: snapshot-data also runs every emulated minute while a job the ledger records is pending.)
      const isRequest = (invocation: Invocation): boolean => (invocation.event as { 'detail-type'?: string })['detail-type'] === SnapshotDetailType.Requested;
      const requested = await emulator.cloud.functions.waitFor((invocation) => invocation.functionName === resources.functions['snapshot-data'] && !earlier.has(invocation) && isRequest(invocation), budget.left(), 'snapshot-data handling the request');
      expect(requested).toMatchObject({ outcome: 'success', result: [{ resourceArn: resources.dynamicData.arn, jobId: plan.BackupJobId, kind: 'joined' }] });
      hold.release();
      const taken = await following;
      expect({ code: taken.code, stderr: taken.stderr }).toEqual({ code: 0, stderr: '' });
      expect(lastJson(taken)).toMatchObject({ state: 'COMPLETED', jobs: [expect.objectContaining({ jobId: plan.BackupJobId })] });
      await settle();
      expect(notifications()).toBe(before);
    } finally {
      hold.release();
      client.destroy();
    }
  }, SIGNAL_TEST_LIMIT_MS);

  it('a job that meets a running job the control plane did not know yet ends EXPIRED and hands its deployment over to that job', async () => {
    const budget = signalBudget();
    const before = emulator.control.sns.messages(emulator.resources.topicArn).length;
    const { resources } = emulator;
    // A backup plan starts its job of the resource after the request looked for a running one (ListBackupJobs found
    // none) and before the request's own StartBackupJob: the request cannot know it, and AWS Backup ends its job EXPIRED.
    const plan = emulator.control.backup.raceNextStart({ BackupVaultName: resources.backupVault, ResourceArn: resources.dynamicData.arn, IamRoleArn: 'arn:aws:iam::000000000000:role/plan' });
    emulator.bus.put({ source: EVENT_SOURCE, 'detail-type': SnapshotDetailType.Requested, resources: [], detail: { env: 'dev', trigger: 'pre-deploy', requestId: 'deploy-dep-h', deploymentId: 'dep-h' } });
    const expired = await emulator.bus.waitFor((event) => event['detail-type'] === 'Backup Job State Change' && event.detail.state === 'EXPIRED', budget.left());
    expect(expired.detail.statusMessage).toMatch(/running job for the same resource/);
    const completed = await emulator.bus.waitFor((event) => event['detail-type'] === SnapshotDetailType.Completed && (event.detail.deploymentIds as string[]).includes('dep-h'), budget.left());
    expect(completed.detail.jobId).toBe((await plan).id);
    expect(expired.detail.backupJobId).not.toBe((await plan).id);
    await settle();
    expect(emulator.control.sns.messages(emulator.resources.topicArn)).toHaveLength(before);
  }, SIGNAL_TEST_LIMIT_MS);

  it('a pre-deploy request names its deployment on Portal Snapshot Completed (the seam the deploy resumes on)', async () => {
    const budget = signalBudget();
    emulator.bus.put({ source: EVENT_SOURCE, 'detail-type': SnapshotDetailType.Requested, resources: [], detail: { env: 'dev', trigger: 'pre-deploy', requestId: 'deploy-dep-1', deploymentId: 'dep-1' } });
    const completed = await emulator.bus.waitFor((event) => event['detail-type'] === SnapshotDetailType.Completed && (event.detail.deploymentIds as string[]).includes('dep-1'), budget.left());
    expect(completed.detail).toMatchObject({ env: 'dev', trigger: 'pre-deploy', state: 'COMPLETED' });
    await settle();
    const listed = lastJson(await runCli(['snapshots', '--env', 'dev', '--json'])).recoveryPoints as { recoveryPointArn: string; tags: Record<string, string> }[];
    expect(listed.find((point) => point.recoveryPointArn === completed.detail.recoveryPointArn)?.tags).toMatchObject({ 'wicked:trigger': 'pre-deploy', 'wicked:deployment-id': 'dep-1' });
  }, SIGNAL_TEST_LIMIT_MS);

  it('a failed backup fails the follow, puts Portal Snapshot Failed and notifies', async () => {
    const budget = signalBudget();
    emulator.control.backup.failNextBackupJob({ state: 'FAILED', message: 'injected: vault unreachable' });
    const taken = await runCli(['snapshot', '--env', 'dev', ...FOLLOW]);
    expect(taken.code).toBe(1);
    expect(lastJson(taken)).toMatchObject({ state: 'FAILED', jobs: [expect.objectContaining({ state: 'FAILED', statusMessage: 'injected: vault unreachable' })] });
    const notification = await emulator.control.sns.waitFor((message) => message.topicArn === emulator.resources.topicArn && message.attributes.env === 'dev', budget.left());
    expect(notification).toMatchObject({ attributes: expect.objectContaining({ severity: 'error' }), message: expect.stringContaining('injected: vault unreachable') });
    await emulator.bus.waitFor((event) => event['detail-type'] === SnapshotDetailType.Failed, budget.left());
    await settle();
  }, SIGNAL_TEST_LIMIT_MS);

  it('a job whose state changes track-backup never handles: the sweep records its point within an interval, snapshot --follow ends then, and the sweep switches itself off', async () => {
    const budget = signalBudget();
    const { resources } = emulator;
    const trackBackup = resources.functions['track-backup'];
    const sweepExists = (): boolean => emulator.control.scheduler.listSchedules({ groupName: resources.stuckCheckGroup }).some((s) => s.Name === 'snapshot-sweep-dev');
    // The ledger's job item stays as snapshot-data recorded it.
    const held = holdTrackBackup();
    try {
      const taken = await runCli(['snapshot', '--env', 'dev', ...FOLLOW]);
      expect({ code: taken.code, stderr: taken.stderr }).toEqual({ code: 0, stderr: '' });
      const { jobs } = lastJson(taken) as { jobs: { jobId: string; state: string; recoveryPointArn: string }[] };
      expect(jobs).toEqual([expect.objectContaining({ state: 'COMPLETED', recoveryPointArn: expect.stringContaining(':recovery-point:') })]);
      const job = jobs[0]!;
      expect(emulator.control.backup.recoveryPoints.has(job.recoveryPointArn)).toBe(true);
      // The point the follow names is restorable at once: the follow ended when the ledger recorded it.
      const restored = await runCli(['restore', '--env', 'dev', '--recovery-point', job.recoveryPointArn, ...FOLLOW]);
      expect({ code: restored.code, stderr: restored.stderr, status: (lastJson(restored) as { status?: string }).status }).toEqual({ code: 0, stderr: '', status: 'COMPLETED' });
      // The sweep (snapshot-data, every emulated minute while a job is pending) read the job's end from AWS Backup and
      // recorded it as track-backup would: the outcome, and the point, listed (and restorable) without its event.
      const sweep = await sweepRecording(job.jobId, budget.left());
      expect(sweep.event).toMatchObject({ source: 'aws.scheduler', 'detail-type': 'Snapshot Sweep Due', detail: { env: 'dev' } });
      const completed = emulator.bus.timeline.filter((entry) => entry.event['detail-type'] === SnapshotDetailType.Completed && entry.event.detail.jobId === job.jobId);
      expect(completed.map((entry) => entry.event.detail)).toEqual([expect.objectContaining({ state: 'COMPLETED', recoveryPointArn: job.recoveryPointArn, trigger: 'manual' })]);
      // Nothing of the job was handled by track-backup.
      expect(emulator.lambdaAsync.invocations().filter((i) => i.functionName === trackBackup && i.status === 'queued').length).toBeGreaterThan(0);
      const listed = lastJson(await runCli(['snapshots', '--env', 'dev', '--json'])).recoveryPoints as { recoveryPointArn: string; tags: Record<string, string> }[];
      expect(listed).toEqual(expect.arrayContaining([expect.objectContaining({ recoveryPointArn: job.recoveryPointArn, tags: expect.objectContaining({ 'wicked:trigger': 'manual' }) })]));
      // With nothing pending, the next sweep deletes its schedule: nothing runs while the environment is idle.
      await sweepSwitchingOff(budget.left());
      expect(sweepExists()).toBe(false);
      held.release();
      await settle();
      // Handled late, the state changes find the job recorded and write the same again.
      const points = lastJson(await runCli(['snapshots', '--env', 'dev', '--json'])).recoveryPoints as { recoveryPointArn: string }[];
      expect(points.filter((point) => point.recoveryPointArn === job.recoveryPointArn)).toHaveLength(1);
      expect(failures()).toEqual([]);
    } finally {
      held.release();
    }
  }, SIGNAL_TEST_LIMIT_MS);

  it('a failed job whose state changes track-backup never handles: the sweep puts Portal Snapshot Failed and notifies once the event had a minute to arrive', async () => {
    const budget = signalBudget();
    const { resources } = emulator;
    const notifications = (): readonly { message: string }[] => emulator.control.sns.messages(resources.topicArn);
    const before = notifications().length;
    const held = holdTrackBackup();
    try {
      emulator.control.backup.failNextBackupJob({ state: 'FAILED', message: 'injected: vault unreachable, event lost' });
      const taken = await runCli(['snapshot', '--env', 'dev', ...FOLLOW]);
      expect(taken.code).toBe(1);
      const { jobs } = lastJson(taken) as { jobs: { jobId: string; state: string }[] };
      expect(jobs).toEqual([expect.objectContaining({ state: 'FAILED' })]);
      const job = jobs[0]!;
      const reporting = await sweepRecording(job.jobId, budget.left());
      expect(reporting.event).toMatchObject({ 'detail-type': 'Snapshot Sweep Due', detail: { env: 'dev' } });
      const notified = notifications().slice(before).filter((message) => message.message.includes('event lost'));
      expect(notified).toEqual([expect.objectContaining({ attributes: expect.objectContaining({ env: 'dev', severity: 'error', outcome: 'failed', jobId: job.jobId }) })]);
      const failed = emulator.bus.timeline.filter((entry) => entry.event['detail-type'] === SnapshotDetailType.Failed && entry.event.detail.jobId === job.jobId);
      expect(failed.map((entry) => entry.event.detail)).toEqual([expect.objectContaining({ state: 'FAILED', reason: 'injected: vault unreachable, event lost' })]);
      // Reported by a sweep at least a minute after the job ended (emulated time): its event had that long to arrive.
      const ended = emulator.control.backup.jobs.get(job.jobId)!.completionDate!;
      expect(Date.parse((reporting.event as { time: string }).time) - ended).toBeGreaterThanOrEqual(60_000);
      held.release();
      await settle();
      expect(failures()).toEqual([]);
    } finally {
      held.release();
    }
  }, SIGNAL_TEST_LIMIT_MS);

  it('a job the control plane did not start (a backup plan\'s): once track-backup recorded it running, a lost COMPLETED is recorded by the sweep', async () => {
    const budget = signalBudget();
    const { resources } = emulator;
    const trackBackup = resources.functions['track-backup'];
    const client = new BackupClient({ ...SDK_DEFAULTS, endpoint: emulator.endpoints.backup });
    const hold = emulator.control.backup.holdNextBackupJob();
    let held: { release(): void } | undefined;
    try {
      const plan = await client.send(new StartBackupJobCommand({ BackupVaultName: resources.backupVault, ResourceArn: resources.dynamicData.arn, IamRoleArn: 'arn:aws:iam::000000000000:role/plan' }));
      const aboutPlan = (invocation: Invocation): boolean => JSON.stringify(invocation.event).includes(plan.BackupJobId!);
      await emulator.cloud.functions.waitFor((invocation) => invocation.functionName === trackBackup && invocation.outcome === 'success' && aboutPlan(invocation), budget.left(), 'track-backup recording the plan\'s job running');
      // From now on no state change reaches track-backup: the job's COMPLETED is lost.
      held = holdTrackBackup();
      hold.release();
      await sweepRecording(plan.BackupJobId!, budget.left());
      const point = emulator.control.backup.jobs.get(plan.BackupJobId!)!.recoveryPointArn!;
      const listed = lastJson(await runCli(['snapshots', '--env', 'dev', '--json'])).recoveryPoints as { recoveryPointArn: string }[];
      expect(listed.map((p) => p.recoveryPointArn)).toContain(point);
      await sweepSwitchingOff(budget.left());
      held.release();
      await settle();
      expect(failures()).toEqual([]);
    } finally {
      hold.release();
      held?.release();
      client.destroy();
    }
  }, SIGNAL_TEST_LIMIT_MS);

  it('retention: once the lifecycle ran out on the emulator clock our points are gone from the vault and the listing; the plan\'s point without lifecycle stays', async () => {
    expect(await emulator.control.backup.sweepExpired()).toEqual([]);
    const points = [...emulator.control.backup.recoveryPoints.values()];
    const ours = points.filter((point) => point.lifecycle?.DeleteAfterDays === 35).map((point) => point.arn);
    const plans = points.filter((point) => point.lifecycle === undefined).map((point) => point.arn);
    expect([ours.length, plans.length]).toEqual([5, 3]); // schedule, manual, joined, pre-deploy, the one track-backup heard late; two plan jobs served the other requests, one's COMPLETED was lost
    // The daily snapshot schedule would add points during the 40 emulated days, and a safety-net nudge still armed would fire
    // once per emulated minute (57,600 asynchronous invocations): this test is about expiry alone, so no schedule stays.
    await settle();
    expect(emulator.control.scheduler.listSchedules().map((s) => `${s.GroupName}/${s.Name}`)).toContain(`${schedule.group}/${schedule.name}`);
    for (const armed of emulator.control.scheduler.listSchedules()) emulator.control.scheduler.deleteSchedule(armed.Name, armed.GroupName);
    emulator.clock.setSpeed(1e10); // 40 days of emulated time pass in about 0.35 ms of wall time
    await emulator.clock.sleep(40 * 86_400_000);
    emulator.clock.setSpeed(DEPLOYED_CLOCK_SPEED);
    // The points' own expiry timers follow the speed change and delete them; a sweep finds whatever they left.
    await emulator.control.backup.settled();
    await emulator.control.backup.sweepExpired();
    expect([...emulator.control.backup.recoveryPoints.keys()].sort()).toEqual(plans.sort());
    expect(ours.some((arn) => emulator.control.backup.recoveryPoints.has(arn))).toBe(false);
    const listed = await runCli(['snapshots', '--env', 'dev', '--json']);
    // The listing is what the vault still holds: exactly the plan's points. (Their tags are what the ledger recorded: a plan job
    // a request found through ListBackupJobs before track-backup recorded it carries that request's trigger.)
    expect((lastJson(listed).recoveryPoints as { recoveryPointArn: string }[]).map((point) => point.recoveryPointArn).sort()).toEqual(plans.sort());
  }, 30_000);

  it('the stack\'s AWS Backup plan runs its rule: a job of the file system naming the plan, recorded by track-backup and listed', async () => {
    const budget = signalBudget();
    const { resources } = emulator;
    const client = new BackupClient({ ...SDK_DEFAULTS, endpoint: emulator.endpoints.backup });
    try {
      // The plan as infra/constructs/backups.ts defines it, read back through the Backup API.
      const [plan, ...others] = (await client.send(new ListBackupPlansCommand({}))).BackupPlansList ?? [];
      expect({ name: plan?.BackupPlanName, others: others.length }).toEqual({ name: 'wicked-dev', others: 0 });
      const rules = (await client.send(new GetBackupPlanCommand({ BackupPlanId: plan!.BackupPlanId }))).BackupPlan!.Rules;
      expect(rules).toEqual([expect.objectContaining({
        RuleName: 'Scheduled', TargetBackupVaultName: resources.backupVault, ScheduleExpression: 'cron(0 3 * * ? *)', StartWindowMinutes: 60, CompletionWindowMinutes: 480, Lifecycle: { DeleteAfterDays: 35 },
      })]);
      // deployedStack took the plan's selection away (DeleteBackupSelection); it is put back as the template has it.
      const stackResources = [...emulator.cloud.cloudformation.stack(resources.stackName).resources.values()];
      const selection = stackResources.find((resource) => resource.type === 'AWS::Backup::BackupSelection')!;
      await client.send(new CreateBackupSelectionCommand({ BackupPlanId: plan!.BackupPlanId, BackupSelection: selection.properties.BackupSelection as never }));
      // 03:00 comes: the rule starts its job (fired by hand here, as the schedule is with control.scheduler.fire).
      const [job, ...more] = emulator.control.backup.runPlanRule(plan!.BackupPlanId!);
      expect({ resourceArn: job?.resourceArn, more: more.length }).toEqual({ resourceArn: resources.dynamicData.arn, more: 0 });
      const completed = await emulator.bus.waitFor((event) => event['detail-type'] === SnapshotDetailType.Completed && event.detail.jobId === job!.id, budget.left());
      expect(completed.detail).toMatchObject({ env: 'dev', state: 'COMPLETED', recoveryPointArn: job!.recoveryPointArn, trigger: 'external' });
      await settle();
      expect((await client.send(new DescribeBackupJobCommand({ BackupJobId: job!.id }))).CreatedBy).toMatchObject({ BackupPlanId: plan!.BackupPlanId, BackupPlanVersion: plan!.VersionId, BackupRuleName: 'Scheduled' });
      const listed = lastJson(await runCli(['snapshots', '--env', 'dev', '--json'])).recoveryPoints as { recoveryPointArn: string }[];
      expect(listed.map((point) => point.recoveryPointArn)).toContain(job!.recoveryPointArn);
    } finally {
      client.destroy();
    }
  }, SIGNAL_TEST_LIMIT_MS);
});
