import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDb } from '../../local/dynamodb';
import { SDK_DEFAULTS } from '../../local/story';
import type { JobItem } from '../../shared/snapshot';
import { isPendingJob, NOTICE_RETENTION_SECONDS, noticeKey, recoveryPointKey, SnapshotStore } from '../../shared/snapshot';

const TABLE = 'wicked-dev-ledger';

function job(jobId: string, fields: Partial<JobItem> = {}): JobItem {
  return { env: 'dev', jobId, resourceArn: 'fs', vaultName: 'v', iamRoleArn: 'role', trigger: 'manual', state: 'CREATED', startedAt: '2026-01-02T03:00:00Z', tags: { 'wicked:trigger': 'manual' }, requestIds: ['r1'], deploymentIds: [], ...fields };
}

describe('SnapshotStore against the DynamoDB emulator', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startDynamoDb>>;
  let raw: DynamoDBClient;
  let store: SnapshotStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'snapshot-store-'));
    server = await startDynamoDb({ stateDir: dir, tableStateMs: 0 });
    raw = new DynamoDBClient({ ...SDK_DEFAULTS, endpoint: server.url });
    await raw.send(new CreateTableCommand({
      TableName: TABLE, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    }));
    store = new SnapshotStore({ client: DynamoDBDocumentClient.from(raw), tableName: TABLE });
  });
  afterAll(async () => {
    raw?.destroy();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('puts a job once; a redelivery keeps the stored state; requesters are merged without duplicates', async () => {
    await store.putJob(job('a'));
    await store.setJobState('dev', 'a', { state: 'RUNNING', updatedAt: 't' });
    await store.putJob(job('a', { requestIds: ['r2'] }));
    expect(await store.getJob('dev', 'a')).toMatchObject({ state: 'RUNNING', requestIds: ['r1'] });
    expect(await store.addRequesters('dev', 'a', ['r1', 'r2'], ['dep-1'])).toMatchObject({ requestIds: ['r1', 'r2'], deploymentIds: ['dep-1'] });
    expect(await store.getJob('dev', 'a')).toMatchObject({ requestIds: ['r1', 'r2'], deploymentIds: ['dep-1'] });
    expect(await store.addRequesters('dev', 'missing', ['r'], [])).toBeUndefined();
  });

  it('requesters added at the same time by several functions are all kept, each once', async () => {
    await store.putJob(job('c', { env: 'qa', requestIds: [] }));
    const ids = Array.from({ length: 8 }, (_, i) => `join-${i}`);
    await Promise.all(ids.map((id, i) => store.addRequesters('qa', 'c', [id], i % 2 === 0 ? ['dep-1'] : []))); // every read before any write
    await store.addRequesters('qa', 'c', ['join-0'], ['dep-1']);
    const stored = await store.getJob('qa', 'c');
    expect([...stored!.requestIds].sort()).toEqual(ids);
    expect(stored!.deploymentIds).toEqual(['dep-1']);
  });

  it('a job first recorded as external is claimed by its requester: trigger and tags, state kept', async () => {
    await store.putJob(job('b', { trigger: 'external', tags: {}, state: 'RUNNING', requestIds: [] }));
    await store.putJob(job('b', { trigger: 'schedule', tags: { 'wicked:trigger': 'schedule' } }));
    expect(await store.getJob('dev', 'b')).toMatchObject({ trigger: 'schedule', tags: { 'wicked:trigger': 'schedule' }, state: 'RUNNING' });
  });

  it('a job that ended keeps its end: a late event of an earlier state, or of another end, changes nothing', async () => {
    await store.putJob(job('e', { env: 'qa' }));
    expect(await store.setJobState('qa', 'e', { state: 'RUNNING', updatedAt: '2026-01-02T03:00:05Z' })).toMatchObject({ state: 'RUNNING' });
    const completed = { state: 'COMPLETED', recoveryPointArn: 'arn:rp:e', updatedAt: '2026-01-02T03:01:00Z' };
    expect(await store.setJobState('qa', 'e', completed)).toMatchObject(completed);
    // The RUNNING event read the job before the COMPLETED was written and writes after it (the race that kept a gate waiting).
    expect(await store.setJobState('qa', 'e', { state: 'RUNNING', updatedAt: '2026-01-02T03:00:05Z' })).toMatchObject(completed);
    expect(await store.setJobState('qa', 'e', { state: 'FAILED', statusMessage: 'late', updatedAt: '2026-01-02T03:02:00Z' })).toMatchObject(completed);
    expect(await store.getJob('qa', 'e')).toMatchObject(completed);
    expect((await store.getJob('qa', 'e'))?.statusMessage).toBeUndefined();
    // A redelivered end is written again (the recovery point of a COMPLETED that a lookup recorded without one).
    expect(await store.setJobState('qa', 'e', { ...completed, updatedAt: '2026-01-02T03:03:00Z' })).toMatchObject({ ...completed, updatedAt: '2026-01-02T03:03:00Z' });
    await expect(store.setJobState('qa', 'missing', completed)).rejects.toMatchObject({ code: 'LEDGER_FAILED', message: expect.stringContaining('updating backup job missing of qa') });
  });

  it('an end is recorded with its outcome pending until the outcome is out; a job that is gone is left so', async () => {
    await store.putJob(job('o', { env: 'qa' }));
    const ended = await store.setJobState('qa', 'o', { state: 'FAILED', statusMessage: 'vault unreachable', updatedAt: '2026-01-02T03:01:00Z', outcomePending: true });
    expect(ended).toMatchObject({ state: 'FAILED', outcomePending: true });
    expect(isPendingJob(ended)).toBe(true);
    await store.outcomeAnnounced('qa', 'o');
    const announced = await store.getJob('qa', 'o');
    expect(announced).toMatchObject({ state: 'FAILED', statusMessage: 'vault unreachable' });
    expect(announced?.outcomePending).toBeUndefined();
    expect(isPendingJob(announced!)).toBe(false);
    await expect(store.outcomeAnnounced('qa', 'missing')).resolves.toBeUndefined();
    expect(await store.getJob('qa', 'missing')).toBeUndefined();
  });

  it('only the write that ends a job sets its outcome pending: the same end written again keeps an outcome that is out', async () => {
    await store.putJob(job('w', { env: 'qa' }));
    const failed = { state: 'FAILED', statusMessage: 'vault unreachable', updatedAt: '2026-01-02T03:01:00Z', outcomePending: true };
    expect(await store.setJobState('qa', 'w', failed)).toMatchObject({ outcomePending: true });
    await store.outcomeAnnounced('qa', 'w');
    // A second invocation that read the job running, recording the same end after the first had put its outcome.
    const again = await store.setJobState('qa', 'w', { ...failed, updatedAt: '2026-01-02T03:01:02Z' });
    expect(again).toMatchObject({ state: 'FAILED', updatedAt: '2026-01-02T03:01:02Z' });
    expect(again.outcomePending).toBeUndefined();
    expect((await store.getJob('qa', 'w'))?.outcomePending).toBeUndefined();
    // While the outcome is still pending, writing the end again leaves it pending (a retry of an invocation that died).
    await store.putJob(job('x', { env: 'qa' }));
    await store.setJobState('qa', 'x', failed);
    expect(await store.setJobState('qa', 'x', { ...failed, outcomePending: false })).toMatchObject({ outcomePending: true });
  });

  it('claims a pending outcome for one invocation until its claim runs out; an outcome that is out is not claimed', async () => {
    await store.putJob(job('c', { env: 'qa' }));
    const t = Date.parse('2026-01-02T03:01:00Z');
    expect(await store.claimOutcome('qa', 'c', t, t + 90_000)).toBe(false); // running: nothing to put
    await store.setJobState('qa', 'c', { state: 'FAILED', updatedAt: '2026-01-02T03:01:00Z', outcomePending: true });
    expect(await store.claimOutcome('qa', 'c', t, t + 90_000)).toBe(true);
    expect(await store.getJob('qa', 'c')).toMatchObject({ outcomePending: true, outcomeClaimedUntil: t + 90_000 });
    expect(await store.claimOutcome('qa', 'c', t + 1, t + 90_001)).toBe(false);
    expect(await store.claimOutcome('qa', 'c', t + 89_999, t + 179_999)).toBe(false);
    // The invocation that held it died: once its claim ran out, another takes it.
    expect(await store.claimOutcome('qa', 'c', t + 90_000, t + 180_000)).toBe(true);
    expect((await store.getJob('qa', 'c'))?.outcomeClaimedUntil).toBe(t + 180_000);
    await store.outcomeAnnounced('qa', 'c');
    const announced = await store.getJob('qa', 'c');
    expect([announced?.outcomePending, announced?.outcomeClaimedUntil]).toEqual([undefined, undefined]);
    expect(await store.claimOutcome('qa', 'c', t + 500_000, t + 590_000)).toBe(false);
    expect(await store.claimOutcome('qa', 'missing', t, t + 90_000)).toBe(false);
  });

  it('claims the telling of a restore\'s or copy\'s end for one invocation: told once, a dead invocation\'s claim taken over once it ran out', async () => {
    const t = Date.parse('2026-01-02T05:00:00Z');
    const notice = { kind: 'restore', jobId: 'r-1', state: 'FAILED' };
    expect(await store.claimNotice('qa', notice, t, t + 90_000)).toBe('claimed');
    expect(await store.claimNotice('qa', notice, t + 1, t + 90_001)).toBe('held');
    expect(await store.claimNotice('qa', notice, t + 90_000, t + 180_000)).toBe('claimed');
    // Another kind, or another environment, is another notice.
    expect(await store.claimNotice('qa', { ...notice, kind: 'copy' }, t, t + 90_000)).toBe('claimed');
    expect(await store.claimNotice('dev', notice, t, t + 90_000)).toBe('claimed');
    await store.noticeTold('qa', 'restore', 'r-1');
    expect(await store.claimNotice('qa', notice, t + 500_000, t + 590_000)).toBe('told');
    await expect(store.noticeTold('qa', 'restore', 'gone')).resolves.toBeUndefined();
    const client = DynamoDBDocumentClient.from(raw);
    const output = await client.send(new GetCommand({ TableName: TABLE, Key: noticeKey('qa', 'restore', 'r-1') }));
    expect(output.Item).toEqual({ ...noticeKey('qa', 'restore', 'r-1'), env: 'qa', ...notice, expiresAt: t / 1000 + NOTICE_RETENTION_SECONDS });
    expect((await client.send(new GetCommand({ TableName: TABLE, Key: noticeKey('qa', 'restore', 'gone') }))).Item).toBeUndefined();
    // Not a job, nor a recovery point.
    expect((await store.listJobs('qa')).map((j) => j.jobId)).not.toContain('r-1');
    expect(await store.listRecoveryPoints('qa')).toEqual([]);
  });

  it('lists jobs and recovery points of the environment only, points newest first', async () => {
    const point = { env: 'dev', jobId: 'a', resourceArn: 'fs', vaultName: 'v', iamRoleArn: 'role', sizeBytes: 1, tags: {} };
    await store.putRecoveryPoint({ ...point, recoveryPointArn: 'arn:rp:old', createdAt: '2026-01-01T00:00:00.000Z' });
    await store.putRecoveryPoint({ ...point, recoveryPointArn: 'arn:rp:new', createdAt: '2026-01-03T00:00:00.000Z', expiresAt: 1_800_000_000 });
    await store.putRecoveryPoint({ ...point, env: 'prod', recoveryPointArn: 'arn:rp:prod', createdAt: '2026-01-02T00:00:00.000Z' });
    expect((await store.listRecoveryPoints('dev')).map((p) => p.recoveryPointArn)).toEqual(['arn:rp:new', 'arn:rp:old']);
    expect((await store.listJobs('dev')).map((j) => j.jobId)).toEqual(['a', 'b']);
    expect(recoveryPointKey('dev', '2026-01-03T00:00:00.000Z', 'arn:rp:new')).toEqual({ pk: 'ENV#dev', sk: 'RP#2026-01-03T00:00:00.000Z#new' });
  });

  it('names the table and what it was doing when DynamoDB refuses', async () => {
    const broken = new SnapshotStore({ client: DynamoDBDocumentClient.from(raw), tableName: 'no-such-table' });
    await expect(broken.listJobs('dev')).rejects.toMatchObject({ code: 'LEDGER_FAILED', message: expect.stringContaining('listing JOB# items of dev in table no-such-table: ResourceNotFoundException') });
  });
});
