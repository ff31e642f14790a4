import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from '../zod';
import { ACTIVE_JOB_STATES } from './decisions';
import { SnapshotError, wrapAwsError } from './errors';

/** Sort key prefix of backup job items. */
export const JOB_PREFIX = 'JOB#';
/** Trigger of a job the control plane did not start (a backup plan's, the console's): known from its events only. */
export const EXTERNAL_TRIGGER = 'external';
/** Sort key prefix of recovery point items. */
export const RECOVERY_POINT_PREFIX = 'RP#';

/** Sort key prefix of the record that the end of a restore or copy job was told: `NOTICE#<kind>#<jobId>`. */
export const NOTICE_PREFIX = 'NOTICE#';
/** How long the ledger keeps that record (TTL): far longer than EventBridge and Lambda redeliver an event (hours). */
export const NOTICE_RETENTION_SECONDS = 30 * 86_400;

/**
 * A restore's or copy's end to tell once: `outcomePending` until told, claimed by one invocation until
 * `outcomeClaimedUntil` (epoch ms), as a backup job's outcome is.
 */
export const NoticeItemSchema = z.object({
  env: z.string(),
  kind: z.string(),
  jobId: z.string(),
  state: z.string(),
  outcomePending: z.optional(z.boolean()),
  outcomeClaimedUntil: z.optional(z.number()),
  expiresAt: z.int(),
});
/** A notice item. */
export type NoticeItem = z.infer<typeof NoticeItemSchema>;

/** Whether an invocation is to tell an end (`claimed`), another told it (`told`), or another is telling it right now (`held`). */
export type NoticeClaim = 'claimed' | 'told' | 'held';

/** A backup job the control plane started or joined, and who waits for it. */
export const JobItemSchema = z.object({
  env: z.string(),
  jobId: z.string(),
  resourceArn: z.string(),
  vaultName: z.string(),
  iamRoleArn: z.string(),
  trigger: z.string(),
  state: z.string(),
  startedAt: z.string(),
  tags: z.record(z.string(), z.string()),
  requestIds: z._default(z.array(z.string()), []),
  deploymentIds: z._default(z.array(z.string()), []),
  recoveryPointArn: z.optional(z.string()),
  statusMessage: z.optional(z.string()),
  updatedAt: z.optional(z.string()),
  /**
   * Set with the job's end, removed once its outcome (`Portal Snapshot Completed` / `Failed`, the notification, a
   * handover) is out: a handler that died in between leaves the job pending, so its retry or the sweep puts it again.
   */
  outcomePending: z.optional(z.boolean()),
  /**
   * Epoch milliseconds until which one invocation holds the claim to put the pending outcome (`claimOutcome`):
   * another that records the same end meanwhile leaves it to that one. Removed with `outcomePending`.
   */
  outcomeClaimedUntil: z.optional(z.number()),
});
/** A backup job item. */
export type JobItem = z.infer<typeof JobItemSchema>;

/** A recovery point the control plane recorded, with what a restore needs. */
export const RecoveryPointItemSchema = z.object({
  env: z.string(),
  recoveryPointArn: z.string(),
  jobId: z.string(),
  resourceArn: z.string(),
  vaultName: z.string(),
  iamRoleArn: z.string(),
  createdAt: z.string(),
  sizeBytes: z.int().check(z.nonnegative()),
  tags: z.record(z.string(), z.string()),
  /** Epoch seconds: the ledger forgets the point when AWS Backup deletes it (TTL). */
  expiresAt: z.optional(z.int()),
});
/** A recovery point item. */
export type RecoveryPointItem = z.infer<typeof RecoveryPointItemSchema>;

/** Key of a backup job item: `ENV#<env>` / `JOB#<jobId>`. */
export function jobKey(env: string, jobId: string): { pk: string; sk: string } {
  return { pk: `ENV#${env}`, sk: `${JOB_PREFIX}${jobId}` };
}

/** Key of a notice item: `ENV#<env>` / `NOTICE#<kind>#<jobId>`. */
export function noticeKey(env: string, kind: string, jobId: string): { pk: string; sk: string } {
  return { pk: `ENV#${env}`, sk: `${NOTICE_PREFIX}${kind}#${jobId}` };
}

/** Key of a recovery point item: `ENV#<env>` / `RP#<ISO time>#<point id>`, so a Query lists them by time. */
export function recoveryPointKey(env: string, createdAt: string, recoveryPointArn: string): { pk: string; sk: string } {
  return { pk: `ENV#${env}`, sk: `${RECOVERY_POINT_PREFIX}${createdAt}#${recoveryPointArn.slice(recoveryPointArn.lastIndexOf(':') + 1)}` };
}

/**
 * The snapshot module's items in the ledger table (same partition as the
 * environment; shared/ledger's items are never touched). GetItem, PutItem,
 * UpdateItem and Query by partition key only.
 *
 * @example
 * const store = new SnapshotStore({ client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: 'wicked-prod-ledger' });
 * const points = await store.listRecoveryPoints('prod');
 */
export class SnapshotStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(props: { client: DynamoDBDocumentClient; tableName: string }) {
    this.client = props.client;
    this.tableName = props.tableName;
  }

  /**
   * Records a job the first time; a redelivered request leaves the stored job
   * as it is. A job first seen through its events (trigger `external`) is
   * claimed: its trigger and tags become the requester's, its state stays.
   */
  async putJob(job: JobItem): Promise<void> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...clean(job), ...jobKey(job.env, job.jobId) }, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw wrapAwsError(`recording backup job ${job.jobId} of ${job.env} in ${this.tableName}`, error, 'LEDGER_FAILED', { env: job.env, jobId: job.jobId });
      if (job.trigger !== EXTERNAL_TRIGGER) await this.claim(job);
    }
  }

  private async claim(job: JobItem): Promise<void> {
    try {
      await this.client.send(new UpdateCommand({
        TableName: this.tableName, Key: jobKey(job.env, job.jobId), ConditionExpression: '#trigger = :external',
        UpdateExpression: 'SET #trigger = :trigger, tags = :tags', ExpressionAttributeNames: { '#trigger': 'trigger' },
        ExpressionAttributeValues: { ':external': EXTERNAL_TRIGGER, ':trigger': job.trigger, ':tags': job.tags },
      }));
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return;
      throw wrapAwsError(`claiming backup job ${job.jobId} of ${job.env} in ${this.tableName}`, error, 'LEDGER_FAILED', { env: job.env, jobId: job.jobId });
    }
  }

  /**
   * Adds requesters (request ids, deployment ids) to a job, without duplicates; `undefined` when the
   * job has no item. Each id is appended atomically (`list_append`, on condition that the list does
   * not contain it yet), so requesters added at the same time by several functions are all kept.
   */
  async addRequesters(env: string, jobId: string, requestIds: readonly string[], deploymentIds: readonly string[]): Promise<JobItem | undefined> {
    let job = await this.getJob(env, jobId);
    if (!job) return undefined;
    for (const [field, ids] of [['requestIds', requestIds], ['deploymentIds', deploymentIds]] as const) {
      for (const id of ids) {
        if (job[field].includes(id)) continue;
        const appended = await this.append(env, jobId, field, id);
        job = appended ?? (await this.getJob(env, jobId)) ?? job;
      }
    }
    return job;
  }

  /** Appends `id` to a list of the job item unless the list holds it already (then `undefined`). */
  private async append(env: string, jobId: string, field: 'requestIds' | 'deploymentIds', id: string): Promise<JobItem | undefined> {
    try {
      const output = await this.client.send(new UpdateCommand({
        TableName: this.tableName, Key: jobKey(env, jobId), ReturnValues: 'ALL_NEW',
        ConditionExpression: 'attribute_exists(pk) AND NOT contains(#list, :id)', UpdateExpression: 'SET #list = list_append(if_not_exists(#list, :empty), :ids)',
        ExpressionAttributeNames: { '#list': field }, ExpressionAttributeValues: { ':id': id, ':ids': [id], ':empty': [] },
      }));
      return JobItemSchema.parse(output.Attributes);
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
      throw wrapAwsError(`adding ${id} to the ${field} of backup job ${jobId} of ${env} in ${this.tableName}`, error, 'LEDGER_FAILED', { env, jobId });
    }
  }

  /**
   * Records a job's new state (and its recovery point once COMPLETED);
   * resolves the job as it is after this write, so an outcome names every
   * requester handed over before it (one atomic write per item orders the two).
   * A job that ended keeps its end: the write is conditional on the stored
   * state being active or the same (`mayRecordJobState`), so an event of an earlier state that is
   * handled late (EventBridge does not keep order), or read before the end
   * was written, changes nothing and the job is resolved as it is.
   *
   * Only the write that ends the job (from an active state) sets `outcomePending`. The same end written again (a
   * redelivered event, the sweep, a COMPLETED now with its recovery point) keeps the outcome as it is: one that
   * another invocation put meanwhile stays out, so this one is not told to put it again.
   */
  async setJobState(env: string, jobId: string, fields: { state: string; statusMessage?: string; recoveryPointArn?: string; updatedAt: string; outcomePending?: boolean }): Promise<JobItem> {
    const names = { '#state': 'state' };
    try {
      return JobItemSchema.parse(await this.update(env, jobId, fields, {
        expression: `#state IN (${ACTIVE_JOB_STATES.map((_, i) => `:active${i}`).join(', ')})`,
        names, values: Object.fromEntries(ACTIVE_JOB_STATES.map((state, i) => [`:active${i}`, state])),
      }));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { outcomePending: _kept, ...again } = fields;
    try {
      return JobItemSchema.parse(await this.update(env, jobId, again, { expression: '#state = :newState', names, values: { ':newState': fields.state } }));
    } catch (error) {
      const current = isConditionFailure(error) ? await this.getJob(env, jobId) : undefined;
      if (!current) throw error;
      return current;
    }
  }

  /**
   * Claims the pending outcome of a job's end for one invocation, until `until` (epoch ms): true when the outcome
   * is pending and unclaimed, or its claim ran out by `now` (the invocation that held it died); false otherwise
   * (put already, or claimed by another invocation right now). One conditional write: of invocations recording
   * the same end at the same moment, one puts its outcome.
   */
  claimOutcome(env: string, jobId: string, now: number, until: number): Promise<boolean> {
    return this.claimPendingOutcome(jobKey(env, jobId), now, until, `claiming the outcome of backup job ${jobId} of ${env}`);
  }

  /** Records that the outcome of a job's end is out (removes `outcomePending` and its claim); a job that is gone is left so. */
  outcomeAnnounced(env: string, jobId: string): Promise<void> {
    return this.outcomeOut(jobKey(env, jobId), `recording the outcome of backup job ${jobId} of ${env} as announced`);
  }

  /**
   * Claims the telling of a restore's or copy's end (`kind`, `jobId`) for one invocation until `until` (epoch ms):
   * the first to record that end claims it, and so does one that finds the claim of an invocation that died run
   * out by `now`. `told` once it was told, `held` while another invocation holds the claim.
   */
  async claimNotice(env: string, notice: { kind: string; jobId: string; state: string }, now: number, until: number): Promise<NoticeClaim> {
    const key = noticeKey(env, notice.kind, notice.jobId);
    const doing = `claiming the notice of ${notice.kind} job ${notice.jobId} of ${env}`;
    try {
      const item: NoticeItem = { env, ...notice, outcomePending: true, outcomeClaimedUntil: until, expiresAt: Math.floor(now / 1000) + NOTICE_RETENTION_SECONDS };
      await this.call(doing, () => this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...item, ...key }, ConditionExpression: 'attribute_not_exists(pk)' })));
      return 'claimed';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    if (await this.claimPendingOutcome(key, now, until, doing)) return 'claimed';
    const output = await this.call(doing, () => this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })));
    return output.Item && NoticeItemSchema.parse(output.Item).outcomePending === true ? 'held' : 'told';
  }

  /** Records that a restore's or copy's end was told (removes `outcomePending` and the claim); a notice that is gone is left so. */
  noticeTold(env: string, kind: string, jobId: string): Promise<void> {
    return this.outcomeOut(noticeKey(env, kind, jobId), `recording the notice of ${kind} job ${jobId} of ${env} as told`);
  }

  /**
   * Claims the pending outcome of the item at `key` (a job or a notice) until `until`: one conditional write, true
   * when the outcome is pending and unclaimed or its claim ran out by `now`.
   */
  private async claimPendingOutcome(key: { pk: string; sk: string }, now: number, until: number, doing: string): Promise<boolean> {
    try {
      await this.call(doing, () => this.client.send(new UpdateCommand({
        TableName: this.tableName, Key: key,
        ConditionExpression: 'attribute_exists(pk) AND outcomePending = :pending AND (attribute_not_exists(outcomeClaimedUntil) OR outcomeClaimedUntil <= :now)',
        UpdateExpression: 'SET outcomeClaimedUntil = :until', ExpressionAttributeValues: { ':pending': true, ':now': now, ':until': until },
      })));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Removes the pending mark and the claim of the item at `key` (its outcome is out); an item that is gone is left so. */
  private async outcomeOut(key: { pk: string; sk: string }, doing: string): Promise<void> {
    try {
      await this.call(doing, () => this.client.send(new UpdateCommand({
        TableName: this.tableName, Key: key, ConditionExpression: 'attribute_exists(pk)', UpdateExpression: 'REMOVE outcomePending, outcomeClaimedUntil',
      })));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** One job, or `undefined`. */
  async getJob(env: string, jobId: string): Promise<JobItem | undefined> {
    const output = await this.call(`reading backup job ${jobId} of ${env}`, () => this.client.send(new GetCommand({ TableName: this.tableName, Key: jobKey(env, jobId), ConsistentRead: true })));
    return output.Item ? JobItemSchema.parse(output.Item) : undefined;
  }

  /** Every job of an environment, oldest first. */
  async listJobs(env: string): Promise<JobItem[]> {
    return (await this.query(env, JOB_PREFIX, true)).map((item) => JobItemSchema.parse(item));
  }

  /** Records a recovery point; a redelivered COMPLETED event writes the same item again. */
  async putRecoveryPoint(point: RecoveryPointItem): Promise<void> {
    const key = recoveryPointKey(point.env, point.createdAt, point.recoveryPointArn);
    await this.call(`recording recovery point ${point.recoveryPointArn} of ${point.env}`, () => this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...clean(point), ...key } })));
  }

  /** Every recovery point recorded for an environment, newest first. */
  async listRecoveryPoints(env: string): Promise<RecoveryPointItem[]> {
    return (await this.query(env, RECOVERY_POINT_PREFIX, false)).map((item) => RecoveryPointItemSchema.parse(item));
  }

  /** SETs `fields` on an existing job item, on the further `condition`. */
  private async update(env: string, jobId: string, fields: Record<string, unknown>, condition: { expression: string; names: Record<string, string>; values: Record<string, unknown> }): Promise<Record<string, unknown>> {
    const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
    const names = { ...Object.fromEntries(entries.map(([name], i) => [`#f${i}`, name])), ...condition.names };
    const values = { ...Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])), ...condition.values };
    const output = await this.call(`updating backup job ${jobId} of ${env}`, () => this.client.send(new UpdateCommand({
      TableName: this.tableName, Key: jobKey(env, jobId), ReturnValues: 'ALL_NEW',
      ConditionExpression: `attribute_exists(pk) AND (${condition.expression})`,
      UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values,
    })));
    return output.Attributes ?? {};
  }

  private async query(env: string, prefix: string, forward: boolean): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = await this.call(`listing ${prefix} items of ${env}`, () => this.client.send(new QueryCommand({
        TableName: this.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ScanIndexForward: forward,
        ExpressionAttributeValues: { ':pk': `ENV#${env}`, ':prefix': prefix }, ExclusiveStartKey: start, ConsistentRead: true,
      })));
      items.push(...(output.Items ?? []));
      start = output.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw wrapAwsError(`${doing} in table ${this.tableName}`, error, 'LEDGER_FAILED', { table: this.tableName });
    }
  }
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof SnapshotError && error.context.awsError === 'ConditionalCheckFailedException';
}

function clean(value: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
