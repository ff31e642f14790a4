import { BackupClient } from '@aws-sdk/client-backup';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import { EnvironmentLookup } from '../environment';
import { EventPublisher } from '../../shared/adapters/event-publisher';
import type { RecoveryPointListing, RequestProgress, RestoreJobView, SnapshotRequestedDetail } from '../../shared/snapshot';
import {
  BackupGateway, isSnapshotError, joinRecoveryPoints, observeJobs, pickRecoveryPoint, requestProgress, restoreInstructions, SnapshotDetailType,
  SnapshotError, SnapshotStore, toStartRestoreJobInput,
} from '../../shared/snapshot';
import type { CliIo } from '../output';
import { startProgress } from '../progress';
import { CliError, ExitCode } from '../output';

/** What the snapshot commands do against AWS (or the emulator through `AWS_ENDPOINT_URL_*`). */
export interface SnapshotCliContext {
  readonly env: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly io: CliIo;
  requestSnapshot(requestId: string): Promise<void>;
  progress(requestId: string): Promise<RequestProgress>;
  listRecoveryPoints(): Promise<RecoveryPointListing[]>;
  pickRecoveryPoint(wanted: string): Promise<RecoveryPointListing>;
  startRestore(point: RecoveryPointListing, newFileSystem: boolean, requestId: string): Promise<string>;
  describeRestore(restoreJobId: string): Promise<RestoreJobView>;
  instructions(point: RecoveryPointListing, newFileSystem: boolean, job: RestoreJobView): string[];
  destroy(): void;
}

/**
 * Opens the clients of the snapshot commands. The SDK reads
 * `AWS_ENDPOINT_URL_BACKUP`, `_DYNAMODB` and `_EVENTBRIDGE` itself, so the
 * same command works against AWS and the local emulator.
 */
export async function openSnapshotContext(options: { env: string; table?: string; bus?: string; intervalMs?: string; timeout?: string }, io: CliIo): Promise<SnapshotCliContext> {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(options.env)) throw new CliError(`--env: received ${JSON.stringify(options.env)}, expected a lower-case environment name`, ExitCode.InvalidInput);
  const env = options.env;
  const intervalMs = positiveOption('--interval-ms', options.intervalMs, 2000);
  const timeoutMs = positiveOption('--timeout', options.timeout, 3600) * 1000;
  const ssm = new SSMClient({});
  // Built only when the environment is not found and the account must be named.
  let sts: STSClient | undefined;
  let tableName: string;
  let busName: string;
  try {
    const lookup = new EnvironmentLookup({ ssm: async () => ssm, sts: async () => (sts ??= new (await import('@aws-sdk/client-sts')).STSClient({})) });
    tableName = await lookup.name('table', options.table, env);
    busName = await lookup.name('bus', options.bus, env);
  } finally {
    ssm.destroy();
    sts?.destroy();
  }
  const dynamodb = new DynamoDBClient({});
  const backupClient = new BackupClient({});
  const eventbridge = new EventBridgeClient({});
  const store = new SnapshotStore({ client: DynamoDBDocumentClient.from(dynamodb), tableName });
  const backup = new BackupGateway({ client: backupClient });
  const listRecoveryPoints = async (): Promise<RecoveryPointListing[]> => {
    const recorded = await store.listRecoveryPoints(env);
    const live = [];
    for (const resourceArn of new Set(recorded.map((point) => point.resourceArn))) live.push(...(await backup.listRecoveryPoints(resourceArn)));
    return joinRecoveryPoints(recorded, live);
  };
  return {
    env, intervalMs, timeoutMs, io,
    requestSnapshot: async (requestId) => {
      const detail: SnapshotRequestedDetail = { env, trigger: 'manual', requestId };
      await new EventPublisher({ busName, client: eventbridge }).publish(SnapshotDetailType.Requested, detail);
    },
    // The ledger's jobs of the request, each still pending read from AWS Backup: a failure ends --follow at once. A completion
    // counts once the ledger records its recovery point (what `restore` uses): by track-backup, or by the sweep within a
    // minute when its state change is lost.
    progress: async (requestId) => {
      const mine = (await store.listJobs(env)).filter((job) => job.requestIds.includes(requestId));
      const observed = (await observeJobs(mine, backup)).map(({ job }, i) => (job.state === 'COMPLETED' ? mine[i]! : job));
      return requestProgress(observed, requestId);
    },
    listRecoveryPoints,
    pickRecoveryPoint: async (wanted) => {
      try {
        return pickRecoveryPoint(await listRecoveryPoints(), wanted);
      } catch (error) {
        if (isSnapshotError(error) && error.code === 'RECOVERY_POINT_NOT_FOUND') throw new CliError(error.message, ExitCode.InvalidInput, { cause: error });
        throw error;
      }
    },
    startRestore: async (point, newFileSystem, requestId) => {
      const role = (await store.listRecoveryPoints(env)).find((recorded) => recorded.recoveryPointArn === point.recoveryPointArn)?.iamRoleArn;
      if (!role) throw new SnapshotError('RECOVERY_POINT_NOT_FOUND', `recovery point ${point.recoveryPointArn}: no IAM role recorded for it in ${tableName}`);
      return backup.startRestoreJob(toStartRestoreJobInput({ recoveryPointArn: point.recoveryPointArn, resourceArn: point.resourceArn, iamRoleArn: role, newFileSystem, requestId }));
    },
    describeRestore: (restoreJobId) => backup.describeRestoreJob(restoreJobId),
    instructions: (point, newFileSystem, job) => restoreInstructions({ env, resourceArn: point.resourceArn, newFileSystem, status: job.status, ...(job.createdResourceArn ? { createdResourceArn: job.createdResourceArn } : {}) }),
    destroy: () => { dynamodb.destroy(); backupClient.destroy(); eventbridge.destroy(); },
  };
}

/** Polls `check` every `intervalMs` until it returns a value; a {@link SnapshotError} TIMEOUT after `timeoutMs`. */
export async function pollUntil<T>(ctx: Pick<SnapshotCliContext, 'intervalMs' | 'timeoutMs' | 'io'>, check: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + ctx.timeoutMs;
  const progress = startProgress(ctx.io, `following ${what}`);
  try {
    for (;;) {
      const found = await check();
      if (found !== undefined) return found;
      if (Date.now() >= deadline) throw new SnapshotError('TIMEOUT', `following ${what}: not finished after ${ctx.timeoutMs / 1000} s; expected it to finish (raise --timeout or check the AWS Backup console)`);
      progress.update('waiting for AWS Backup');
      await new Promise((resolve) => setTimeout(resolve, ctx.intervalMs));
    }
  } finally {
    progress.done();
  }
}

/** Parses a positive whole-number option; a usage error names what was received. */
export function positiveOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new CliError(`${name}: received ${JSON.stringify(value)}, expected a positive whole number`, ExitCode.InvalidInput);
  return parsed;
}
