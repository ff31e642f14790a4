import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { admitTransition } from './admission';
import type { Admission } from './admission';
import { dynamoDbError, LedgerError } from './errors';
import { DEPLOYMENT_PREFIX, deploymentKey, environmentKey, parseDeployment, parseEnvironment, toItem } from './items';
import type { RecordChange, Transition } from './transition-types';
import { beginRestoreTransition, settleRestoreTransition } from './restore';
import { awaitSnapshotTransition, snapshotGateFailedTransition, snapshotTakenTransition } from './snapshot-gate';
import { acquireTransition, claimTransition, completeTransition, recordEcsTransition, resumeTransition, stuckTransition, waitTransition } from './transitions';
import type { Completion, EcsDeploymentFacts } from './transitions';
import { claimOutboxTransition, outboxDoneTransition, withOutbox } from './outbox';
import type { DeploymentOutcome, DeploymentRecord, DeploymentRequest, DeploymentState, EnvironmentRecord, InFlight, Lease, OutboxEntry } from './types';

/** Options of {@link Ledger}. */
export interface LedgerProps {
  /** Document client (create it with `removeUndefinedValues` or not: the ledger drops undefined itself). */
  readonly client: DynamoDBDocumentClient;
  /** Table with string keys `pk` and `sk` and TTL attribute `expiresAt`. */
  readonly tableName: string;
  /** How long a starting deployment holds its environment. @default 120000 (2 minutes) */
  readonly leaseMs?: number;
  /** How long deployment records are kept (TTL). @default 400 days */
  readonly retentionDays?: number;
  /** Optimistic write attempts before `CONTENTION`. @default 40 */
  readonly maxAttempts?: number;
  /** Clock in epoch milliseconds. @default Date.now */
  readonly clock?: () => number;
  /** Waits between attempts after a lost race (jittered). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** States a record may hold before it moves to a given state: history never goes backwards. */
const PREDECESSORS: Record<DeploymentState, readonly DeploymentState[]> = {
  received: [],
  queued: ['received', 'queued'],
  'in-flight': ['received', 'queued', 'in-flight'],
  ignored: ['received', 'ignored'],
  succeeded: ['received', 'queued', 'in-flight'],
  failed: ['received', 'queued', 'in-flight'],
  stuck: ['received', 'queued', 'in-flight'],
  superseded: ['received', 'queued', 'in-flight'],
};

/**
 * The deployment ledger of every environment in one DynamoDB table. Each
 * operation reads the environment item (strongly consistent), decides with a
 * pure transition, and writes it back only if its revision did not move; on a
 * lost race it re-reads and decides again. No scans: GetItem, PutItem,
 * UpdateItem and Query by partition key.
 *
 * @example
 * const ledger = new Ledger({ client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: 'ledger' });
 * const admission = await ledger.admit(request, event.id);
 * if (admission.kind === 'apply-now') { ... }
 */
export class Ledger {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly leaseMs: number;
  private readonly retentionSeconds: number;
  private readonly maxAttempts: number;
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(props: LedgerProps) {
    if (!props.tableName) throw new LedgerError('DYNAMODB_FAILED', 'ledger: expected a table name, received an empty string');
    this.client = props.client;
    this.tableName = props.tableName;
    this.leaseMs = props.leaseMs ?? 120_000;
    this.retentionSeconds = (props.retentionDays ?? 400) * 86_400;
    this.maxAttempts = props.maxAttempts ?? 40;
    this.clock = props.clock ?? Date.now;
    this.sleep = props.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Admits a `Portal Image Built` request; on `apply-now` the caller (`owner`) holds the lease. */
  admit(request: DeploymentRequest, owner: string): Promise<Admission> {
    return this.mutate(request.env, (env, now) => admitTransition(env, request, owner, now, this.leaseMs));
  }

  /** Takes the lease for the queued deployment (see {@link acquireTransition}). */
  acquireLease(env: string, deploymentId: string, owner: string): Promise<Lease> {
    return this.mutate(env, (record, now) => acquireTransition(record, deploymentId, owner, now, this.leaseMs));
  }

  /** Claims a `starting` deployment: renews `owner`'s lease or takes over an expired one (see {@link claimTransition}). */
  claim(env: string, deploymentId: string, owner: string): Promise<InFlight> {
    return this.mutate(env, (record, now) => claimTransition(record, deploymentId, owner, now, this.leaseMs));
  }

  /** Records the ECS deployment rolling `deploymentId` and holds the lease until `trackUntil` (epoch ms). */
  recordEcsDeployment(env: string, deploymentId: string, owner: string, facts: EcsDeploymentFacts, trackUntil: number): Promise<InFlight> {
    return this.mutate(env, (record, now) => recordEcsTransition(record, deploymentId, owner, facts, now, trackUntil));
  }

  /** Marks a strict singleton deployment as waiting for zero tasks until `waitUntil` (epoch ms). */
  recordWaiting(env: string, deploymentId: string, owner: string, waitUntil: number): Promise<InFlight> {
    return this.mutate(env, (record, now) => waitTransition(record, deploymentId, owner, now, waitUntil));
  }

  /** Claims the continuation of a deployment waiting for zero tasks; one caller wins. */
  resume(env: string, deploymentId: string, owner: string): Promise<InFlight> {
    return this.mutate(env, (record, now) => resumeTransition(record, deploymentId, owner, now, this.leaseMs));
  }

  /** Marks `deploymentId` as waiting for pre-deploy snapshot `requestId` until `waitUntil` (epoch ms); only the lease owner may. */
  recordAwaitingSnapshot(env: string, deploymentId: string, owner: string, requestId: string, waitUntil: number): Promise<InFlight> {
    return this.mutate(env, (record, now) => awaitSnapshotTransition(record, deploymentId, owner, requestId, now, waitUntil));
  }

  /** Claims the continuation of a deployment whose snapshot completed and records its recovery points; one caller wins. */
  resumeAfterSnapshot(env: string, deploymentId: string, owner: string, recoveryPointArns: readonly string[]): Promise<InFlight> {
    return this.mutate(env, (record, now) => snapshotTakenTransition(record, deploymentId, owner, recoveryPointArns, now, this.leaseMs));
  }

  /** Ends `deploymentId` while it still waits for its snapshot; otherwise changes nothing (`completed: false`). */
  failSnapshotGate(env: string, deploymentId: string, outcome: DeploymentOutcome): Promise<Completion> {
    return this.mutate(env, (record, now) => snapshotGateFailedTransition(record, deploymentId, outcome, now));
  }

  /** Finishes `deploymentId`, releases the lease and returns the queued next one. */
  complete(env: string, deploymentId: string, outcome: DeploymentOutcome): Promise<Completion> {
    return this.mutate(env, (record, now) => completeTransition(record, deploymentId, outcome, now));
  }

  /** Claims the outbox entry of `deploymentId` for `owner` (see {@link claimOutboxTransition}); undefined when it is gone or held by another. */
  claimOutbox(env: string, deploymentId: string, owner: string): Promise<OutboxEntry | undefined> {
    return this.mutate(env, (record, now) => claimOutboxTransition(record, deploymentId, owner, now));
  }

  /** Removes the outbox entry of `deploymentId`: its end is known (history written, announcement put). */
  outboxDone(env: string, deploymentId: string): Promise<void> {
    return this.mutate(env, (record, now) => outboxDoneTransition(record, deploymentId, now));
  }

  /** Writes one history change again (idempotent: the history guard refuses a change the record is past). */
  applyChange(env: string, change: RecordChange): Promise<void> {
    return this.applyChanges(env, [change], this.clock());
  }

  /** Marks `deploymentId` stuck when its deadline passed; otherwise changes nothing. */
  markStuck(env: string, deploymentId: string): Promise<Completion> {
    return this.mutate(env, (record, now) => stuckTransition(record, deploymentId, now));
  }

  /** Puts the rollback `request` of `env` in flight for `owner` while `failedId`'s rollback is pending (see {@link beginRestoreTransition}). */
  beginRestore(env: string, failedId: string, request: DeploymentRequest, owner: string): Promise<InFlight> {
    return this.mutate(env, (record, now) => beginRestoreTransition(record, failedId, request, owner, now, this.leaseMs));
  }

  /** Clears the rollback watch of `failedId` once ECS runs the last good digest; false when there was none to clear. */
  settleRestore(env: string, failedId: string): Promise<boolean> {
    return this.mutate(env, (record, now) => settleRestoreTransition(record, failedId, now));
  }

  /** The environment's state, strongly consistent; `undefined` before its first deployment. */
  async getEnvironment(env: string): Promise<EnvironmentRecord | undefined> {
    const output = await this.call(`reading environment ${env}`, () => this.client.send(new GetCommand({ TableName: this.tableName, Key: environmentKey(env), ConsistentRead: true })));
    return output.Item ? parseEnvironment(output.Item) : undefined;
  }

  /** One deployment record, or `undefined`. */
  async getDeployment(env: string, deploymentId: string): Promise<DeploymentRecord | undefined> {
    const output = await this.call(`reading deployment ${deploymentId} of ${env}`, () => this.client.send(new GetCommand({ TableName: this.tableName, Key: deploymentKey(env, deploymentId), ConsistentRead: true })));
    return output.Item ? parseDeployment(output.Item) : undefined;
  }

  /** Every deployment record of an environment (one Query by partition key, paged). */
  async listDeployments(env: string): Promise<DeploymentRecord[]> {
    const records: DeploymentRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const output = await this.call(`listing deployments of ${env}`, () => this.client.send(new QueryCommand({
        TableName: this.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': environmentKey(env).pk, ':prefix': DEPLOYMENT_PREFIX }, ExclusiveStartKey: start, ConsistentRead: true,
      })));
      records.push(...(output.Items ?? []).map(parseDeployment));
      start = output.LastEvaluatedKey;
    } while (start);
    return records;
  }

  /** Read, decide, write conditionally on the revision read; retry lost races with jitter. */
  private async mutate<T>(env: string, step: (record: EnvironmentRecord | undefined, now: number) => Transition<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const record = await this.getEnvironment(env);
      const now = this.clock();
      const transition = step(record, now);
      if (transition.next) {
        const written = await this.putIfUnchanged(withOutbox(transition.next, transition.changes), record?.revision);
        if (!written) {
          if (attempt >= this.maxAttempts) {
            throw new LedgerError('CONTENTION', `writing environment ${env}: revision ${record?.revision ?? 'none'} moved on ${attempt} attempts in a row`, { retryable: true, context: { env, attempts: attempt } });
          }
          await this.sleep(Math.random() * Math.min(100, 5 * attempt));
          continue;
        }
      }
      await this.applyChanges(env, transition.changes, now);
      return transition.result;
    }
  }

  /** Writes the record when the stored revision is still `expected`; false when another writer won. */
  private async putIfUnchanged(record: EnvironmentRecord, expected: number | undefined): Promise<boolean> {
    try {
      await this.client.send(new PutCommand({
        TableName: this.tableName, Item: toItem(environmentKey(record.env), { kind: 'environment', ...record }),
        ConditionExpression: expected === undefined ? 'attribute_not_exists(pk)' : 'revision = :expected',
        ExpressionAttributeValues: expected === undefined ? undefined : { ':expected': expected },
      }));
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw this.wrap(`writing environment ${record.env}`, error);
    }
  }

  /** Applies record changes in order; a change the history guard refuses is skipped. */
  private async applyChanges(env: string, changes: readonly RecordChange[], now: number): Promise<void> {
    for (const change of changes) {
      const names: Record<string, string> = { '#state': 'state' };
      const values: Record<string, unknown> = { ':state': change.state, ':at': change.at, ':expires': Math.floor(now / 1000) + this.retentionSeconds };
      const sets = ['#state = :state', 'updatedAt = :at', 'createdAt = if_not_exists(createdAt, :at)', 'expiresAt = if_not_exists(expiresAt, :expires)'];
      const add = (field: string, value: unknown, ifAbsent: boolean): void => {
        if (value === undefined) return;
        names[`#${field}`] = field;
        values[`:${field}`] = value;
        sets.push(ifAbsent ? `#${field} = if_not_exists(#${field}, :${field})` : `#${field} = :${field}`);
      };
      for (const [field, value] of Object.entries(change.request ?? {})) add(field, value, true);
      add('reason', change.reason, false);
      for (const [field, value] of Object.entries(change.fields ?? {})) add(field, value, false);
      const allowed = PREDECESSORS[change.state].map((state, i) => { values[`:p${i}`] = state; return `:p${i}`; });
      const guard = `#state IN (${allowed.join(', ')})`;
      await this.guardedUpdate(env, change, {
        UpdateExpression: `SET ${sets.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values,
        ConditionExpression: change.request ? `attribute_not_exists(#state) OR ${guard}` : `attribute_exists(pk) AND ${guard}`,
      });
    }
  }

  /** One UpdateItem on a deployment record; a refused condition means the history already moved on. */
  private async guardedUpdate(env: string, change: RecordChange, input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>): Promise<void> {
    try {
      await this.client.send(new UpdateCommand({ TableName: this.tableName, Key: deploymentKey(env, change.deploymentId), ...input }));
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return;
      throw this.wrap(`recording deployment ${change.deploymentId} of ${env} as ${change.state}`, error);
    }
  }

  /** Runs a read and maps SDK failures to {@link LedgerError}. */
  private async call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.wrap(doing, error);
    }
  }

  private wrap(doing: string, error: unknown): LedgerError {
    return dynamoDbError(doing, this.tableName, error);
  }
}
