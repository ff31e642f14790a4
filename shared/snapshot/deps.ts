import { BackupClient } from '@aws-sdk/client-backup';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventPublisher } from '../adapters/event-publisher';
import { Ledger } from '../ledger';
import { RecurringSchedule } from '../notify/reconcile-nudge';
import { SnsNotifier } from '../notify/sns-notifier';
import { BackupGateway } from './backup-adapter';
import { readSnapshotEnvironment } from './env';
import type { SnapshotDeps } from './ports';
import { SnapshotStore } from './store';
import { toSweepScheduleInput } from './sweep';

/** Clients the snapshot functions use; created from the environment when absent. */
export interface SnapshotClients {
  readonly backup?: BackupClient;
  readonly dynamodb?: DynamoDBClient;
  readonly eventbridge?: EventBridgeClient;
  readonly sns?: SNSClient;
  readonly scheduler?: SchedulerClient;
}

/**
 * Builds the snapshot orchestration's dependencies from a function's
 * environment: AWS Backup, the ledger table (the deployed config hash and
 * digest come from shared/ledger's environment record), the bus, the
 * operators' SNS topic, and the sweep schedule (EventBridge Scheduler) when
 * the environment names its group and role and snapshot-data's ARN is known
 * (`functionArn`, snapshot-data's own from the invocation's context, or
 * `SNAPSHOT_SWEEP_FUNCTION_ARN`, track-backup's).
 *
 * @example
 * const deps = snapshotDepsFromEnvironment(process.env, 'snapshot-data');
 */
export function snapshotDepsFromEnvironment(source: NodeJS.ProcessEnv, fn: string, clients: SnapshotClients = {}, log?: SnapshotDeps['log'], functionArn?: string): SnapshotDeps {
  const { env, config } = readSnapshotEnvironment(source, fn);
  const documents = DynamoDBDocumentClient.from(clients.dynamodb ?? new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const ledger = new Ledger({ client: documents, tableName: env.LEDGER_TABLE_NAME });
  const { SNAPSHOT_SWEEP_GROUP_NAME: groupName, SNAPSHOT_SWEEP_ROLE_ARN: roleArn } = env;
  const target = functionArn ?? env.SNAPSHOT_SWEEP_FUNCTION_ARN;
  const sweep = groupName && roleArn && target
    ? new RecurringSchedule((name) => toSweepScheduleInput(name, { groupName, roleArn, functionArn: target }), clients.scheduler ?? new SchedulerClient({}))
    : undefined;
  return {
    config,
    backup: new BackupGateway({ client: clients.backup ?? new BackupClient({}) }),
    store: new SnapshotStore({ client: documents, tableName: env.LEDGER_TABLE_NAME }),
    events: new EventPublisher({ busName: env.EVENT_BUS_NAME, client: clients.eventbridge ?? new EventBridgeClient({}) }),
    notifier: new SnsNotifier({ topicArn: env.NOTIFY_TOPIC_ARN, client: clients.sns ?? new SNSClient({}) }),
    deployed: async (name) => {
      const record = await ledger.getEnvironment(name);
      return record?.lastGood ? { configHash: record.lastGood.configHash, digest: record.lastGood.digest } : undefined;
    },
    ...(sweep ? { sweep } : {}),
    ...(log ? { log } : {}),
  };
}
