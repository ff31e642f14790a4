import type { ListBackupJobsCommandInput } from '@aws-sdk/client-backup';
import { BackupClient, CreateBackupVaultCommand, InvalidParameterValueException, ListBackupJobsCommand, paginateListBackupJobs, StartBackupJobCommand } from '@aws-sdk/client-backup';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackupJob, BackupJobState, FileSystem } from '../../../local/backup';
import { startBackup } from '../../../local/backup';
import { LIST_JOBS_WINDOW_MS, listBackupJobsQuery, selectBackupJobs } from '../../../local/backup/list-jobs';
import { LocalBus } from '../../../local/bus';
import { BackupGateway } from '../../../shared/snapshot/backup-adapter';
import { signalBudget } from '../../helpers/signals';
import { flush, ManualClock } from './manual-clock';

// ListBackupJobs as the AWS Backup API reference defines it (API_ListBackupJobs.html): filters by resource, state,
// vault, resource type, account and creation/completion time, the last 30 days only, pages of MaxResults (1-1000).

const NOW = Date.UTC(2026, 5, 1);
const FS1 = 'arn:aws:elasticfilesystem:us-east-1:000000000000:file-system/fs-1';
const FS2 = 'arn:aws:elasticfilesystem:us-east-1:000000000000:file-system/fs-2';

function job(id: string, resourceArn: string, state: BackupJobState, creationDate: number, vault = 'v1', completionDate?: number): BackupJob {
  return {
    id, resourceArn, resourceType: resourceArn.startsWith('arn:aws:rds:') ? 'RDS' : 'EFS', state, creationDate, vault: { name: vault, arn: `arn:aws:backup:us-east-1:000000000000:backup-vault:${vault}`, creationDate: 0 },
    iamRoleArn: 'arn:aws:iam::000000000000:role/r', recoveryPointArn: `arn:aws:backup:us-east-1:000000000000:recovery-point:${id}`,
    startBy: creationDate + 3_600_000, percentDone: 0, backupSizeInBytes: 0, ...(completionDate !== undefined ? { completionDate } : {}),
  };
}

const JOBS = [
  job('a', FS1, 'COMPLETED', NOW - 3_000, 'v1', NOW - 2_000),
  job('b', FS1, 'RUNNING', NOW - 1_000),
  job('c', FS2, 'CREATED', NOW - 500, 'v2'),
  job('old', FS1, 'COMPLETED', NOW - LIST_JOBS_WINDOW_MS - 1, 'v1', NOW - LIST_JOBS_WINDOW_MS + 1),
];

describe('selectBackupJobs (the filters, the 30-day window, newest first)', () => {
  it.each<[string, string, string[]]>([
    ['no filter: every job of the last 30 days, newest first', '', ['c', 'b', 'a']],
    ['ByResourceArn', `resourceArn=${FS1}`, ['b', 'a']],
    ['ByState', 'state=RUNNING', ['b']],
    ['ByResourceArn and ByState together', `resourceArn=${FS2}&state=RUNNING`, []],
    ['ByBackupVaultName', 'backupVaultName=v2', ['c']],
    ['ByCreatedAfter (strictly after)', `createdAfter=${new Date(NOW - 1_000).toISOString()}`, ['c']],
    ['ByCreatedBefore, as epoch seconds', `createdBefore=${(NOW - 1_000) / 1000}`, ['a']],
    ['ByCompleteAfter: only completed jobs', `completeAfter=${new Date(NOW - 10_000).toISOString()}`, ['a']],
    ['ByResourceType EFS', 'resourceType=EFS', ['c', 'b', 'a']],
    ['ByResourceType RDS', 'resourceType=RDS', []],
    ['ByAccountId of the account', 'accountId=000000000000', ['c', 'b', 'a']],
    ['ByAccountId of another account', 'accountId=111111111111', []],
    ['ByParentJobId: the emulator has no composite jobs', 'parentJobId=p', []],
  ])('%s', (_name, query, expected) => {
    expect(selectBackupJobs(JOBS, listBackupJobsQuery(new URLSearchParams(query)), NOW).page.map((found) => found.id)).toEqual(expected);
  });

  it('pages by MaxResults with the offset of the next page', () => {
    const first = selectBackupJobs(JOBS, listBackupJobsQuery(new URLSearchParams('maxResults=2')), NOW);
    expect([first.page.map((found) => found.id), first.next]).toEqual([['c', 'b'], 2]);
    const last = selectBackupJobs(JOBS, listBackupJobsQuery(new URLSearchParams(`maxResults=2&nextToken=${Buffer.from('2').toString('base64url')}`)), NOW);
    expect([last.page.map((found) => found.id), last.next]).toEqual([['a'], undefined]);
  });

  it.each<[string, string, RegExp]>([
    ['a state AWS Backup does not have', 'state=DONE', /ByState: received "DONE", expected one of CREATED, PENDING, RUNNING/],
    ['MaxResults above 1000', 'maxResults=1001', /MaxResults: received "1001", expected an integer from 1 to 1000/],
    ['MaxResults of 0', 'maxResults=0', /MaxResults: received "0"/],
    ['a vault name out of pattern', 'backupVaultName=a', /ByBackupVaultName: received "a"/],
    ['an account id out of pattern', 'accountId=123', /ByAccountId: received "123"/],
    ['a date that is none', 'createdAfter=yesterday', /createdAfter: received "yesterday"/],
    ['a message category (not emulated)', 'messageCategory=SUCCESS', /ByMessageCategory: received "SUCCESS", expected no ByMessageCategory/],
  ])('refuses %s with InvalidParameterValueException naming it', (_name, query, message) => {
    let thrown: unknown;
    try { listBackupJobsQuery(new URLSearchParams(query)); } catch (error) { thrown = error; }
    expect(thrown).toMatchObject({ type: 'InvalidParameterValueException', status: 400, message: expect.stringMatching(message) });
  });
});

describe('ListBackupJobs through @aws-sdk/client-backup', () => {
  let dir: string;
  let clock: ManualClock;
  let bus: LocalBus;
  let backup: Awaited<ReturnType<typeof startBackup>>;
  let client: BackupClient;
  let fs1: FileSystem;
  let fs2: FileSystem;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'list-jobs-'));
    clock = new ManualClock();
    bus = new LocalBus({ clock });
    backup = await startBackup({ clock, bus, stateDir: dir });
    client = new BackupClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: backup.url, maxAttempts: 1 });
    for (const vault of ['wicked-dev', 'plans']) await client.send(new CreateBackupVaultCommand({ BackupVaultName: vault }));
    fs1 = await backup.control.createFileSystem('fs-0000000000000000a');
    fs2 = await backup.control.createFileSystem('fs-0000000000000000b');
  });
  afterEach(async () => {
    client?.destroy();
    await backup?.stop();
    bus?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const start = (fs: FileSystem, vault: string) => client.send(new StartBackupJobCommand({ BackupVaultName: vault, ResourceArn: fs.arn, IamRoleArn: 'arn:aws:iam::000000000000:role/backup' }));
  const ids = async (input: ListBackupJobsCommandInput) => ((await client.send(new ListBackupJobsCommand(input))).BackupJobs ?? []).map((found) => found.BackupJobId);
  /** Advances the manual clock until the job reaches `state` (the copy is real I/O between two emulated delays). */
  async function until(jobId: string, state: BackupJobState): Promise<void> {
    const budget = signalBudget(20_000);
    while (backup.control.jobs.get(jobId)?.state !== state && budget.left() > 1) {
      await flush();
      if (clock.pending > 0) clock.advance(1000);
      else await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(backup.control.jobs.get(jobId)?.state).toBe(state);
  }

  it('filters by resource, state and vault as jobs move, and the product finds the running job of a resource', async () => {
    const gateway = new BackupGateway({ client });
    const one = (await start(fs1, 'plans')).BackupJobId!;
    const two = (await start(fs2, 'wicked-dev')).BackupJobId!;
    expect(await ids({ ByResourceArn: fs1.arn })).toEqual([one]);
    expect((await ids({ ByState: 'CREATED' })).sort()).toEqual([one, two].sort());
    expect(await ids({ ByBackupVaultName: 'wicked-dev' })).toEqual([two]);
    expect(await gateway.findRunningJob(fs1.arn)).toBe(one);
    await until(one, 'RUNNING');
    expect(await ids({ ByResourceArn: fs1.arn, ByState: 'RUNNING' })).toEqual([one]);
    expect(await ids({ ByResourceArn: fs1.arn, ByState: 'CREATED' })).toEqual([]);
    await until(one, 'COMPLETED');
    await until(two, 'COMPLETED');
    expect(await gateway.findRunningJob(fs1.arn)).toBeUndefined();
    expect(await ids({ ByResourceArn: fs1.arn, ByState: 'COMPLETED', ByCompleteAfter: new Date(clock.now() - 86_400_000) })).toEqual([one]);
    // Thirty-one days on, neither job is listed any more.
    clock.advance(31 * 86_400_000);
    expect(await ids({})).toEqual([]);
  });

  it('the product lists the jobs of a resource in its vault created after a time, over every page, with their state and recovery point', async () => {
    const gateway = new BackupGateway({ client });
    // ByCreatedAfter is strictly after.
    const before = new Date(clock.now() - 1000);
    const startedAt = new Date(clock.now()).toISOString();
    const one = (await start(fs1, 'wicked-dev')).BackupJobId!;
    await until(one, 'COMPLETED');
    const since = new Date(clock.now());
    clock.advance(1000);
    const two = (await start(fs1, 'wicked-dev')).BackupJobId!;
    await start(fs1, 'plans'); // another vault's
    await start(fs2, 'wicked-dev'); // another resource's
    const listed = await gateway.listJobsCreatedAfter(fs1.arn, 'wicked-dev', before);
    expect(listed.map((view) => view.jobId).sort()).toEqual([one, two].sort());
    expect(listed.find((view) => view.jobId === one)).toMatchObject({ state: 'COMPLETED', resourceArn: fs1.arn, recoveryPointArn: expect.stringContaining(':recovery-point:'), creationDate: startedAt });
    expect((await gateway.listJobsCreatedAfter(fs1.arn, 'wicked-dev', since)).map((view) => view.jobId)).toEqual([two]);
    // Every page: the SDK's paginator follows NextToken (pages of at most 1000 here; one job per page when asked).
    const pages: string[][] = [];
    for await (const page of paginateListBackupJobs({ client, pageSize: 1 }, { ByResourceArn: fs1.arn, ByBackupVaultName: 'wicked-dev', ByCreatedAfter: before })) pages.push((page.BackupJobs ?? []).map((found) => found.BackupJobId!));
    expect(pages).toHaveLength(2);
  });

  it('raceNextStart: another party\'s job starts between a caller\'s listing and its StartBackupJob, so the caller\'s job ends EXPIRED', async () => {
    const raced = backup.control.raceNextStart({ BackupVaultName: 'plans', ResourceArn: fs1.arn, IamRoleArn: 'arn:aws:iam::000000000000:role/plan' });
    expect(await ids({ ByResourceArn: fs1.arn })).toEqual([]);
    const mine = (await start(fs1, 'wicked-dev')).BackupJobId!;
    const plan = await raced;
    expect((await ids({ ByResourceArn: fs1.arn })).sort()).toEqual([mine, plan.id].sort());
    await until(mine, 'EXPIRED');
    expect(backup.control.jobs.get(mine)?.statusMessage).toMatch(/running job for the same resource/);
    await until(plan.id, 'COMPLETED');
    // Only the next start of that resource is raced.
    const next = (await start(fs1, 'wicked-dev')).BackupJobId!;
    expect(await ids({ ByResourceArn: fs1.arn, ByState: 'CREATED' })).toEqual([next]);
  });

  it('pages with MaxResults and NextToken, which the SDK paginator follows; a bad MaxResults is InvalidParameterValueException', async () => {
    const started = [(await start(fs1, 'plans')).BackupJobId!];
    clock.advance(1);
    started.push((await start(fs2, 'plans')).BackupJobId!);
    const first = await client.send(new ListBackupJobsCommand({ MaxResults: 1 }));
    expect([first.BackupJobs?.map((found) => found.BackupJobId), typeof first.NextToken]).toEqual([[started[1]], 'string']);
    const all: string[] = [];
    for await (const page of paginateListBackupJobs({ client, pageSize: 1 }, {})) all.push(...(page.BackupJobs ?? []).map((found) => found.BackupJobId!));
    expect(all).toEqual([...started].reverse());
    await expect(client.send(new ListBackupJobsCommand({ MaxResults: 5000 }))).rejects.toBeInstanceOf(InvalidParameterValueException);
  });
});
