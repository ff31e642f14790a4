import * as z from '../zod';
import { readEnvironment } from '../pipeline/lambda-env';
import type { SnapshotConfig } from './ports';

const days = z.coerce.number().check(z.int(), z.positive());

/** Environment of the snapshot-data and track-backup functions (one environment per stack). */
export const SnapshotEnvironmentSchema = z.object({
  /** The wicked environment these functions snapshot (`prod`). */
  WICKED_ENV: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/)),
  LEDGER_TABLE_NAME: z.string().check(z.minLength(3)),
  EVENT_BUS_NAME: z.string().check(z.minLength(1)),
  BACKUP_VAULT_NAME: z.string().check(z.regex(/^[a-zA-Z0-9\-_]{2,50}$/)),
  BACKUP_ROLE_ARN: z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d*:role\/.+$/, 'expected an IAM role ARN')),
  EFS_FILE_SYSTEM_ARN: z.string().check(z.minLength(1)),
  /** Only when wicked stores its data in Postgres. */
  RDS_INSTANCE_ARN: z.optional(z.string().check(z.minLength(1))),
  /** @default cron(0 3 * * ? *) (daily at 03:00 UTC) */
  SNAPSHOT_SCHEDULE: z._default(z.string().check(z.minLength(1)), 'cron(0 3 * * ? *)'),
  /** @default 35 */
  SNAPSHOT_DELETE_AFTER_DAYS: z._default(days, 35),
  SNAPSHOT_COLD_STORAGE_AFTER_DAYS: z.optional(days),
  /** @default 60 */
  SNAPSHOT_START_WINDOW_MINUTES: z._default(days, 60),
  DR_VAULT_ARN: z.optional(z.string().check(z.regex(/^arn:aws[a-z-]*:backup:/, 'expected a backup vault ARN'))),
  DR_DELETE_AFTER_DAYS: z.optional(days),
  /** The schedule group of the sweep (`sweepSnapshotJobs`); with SNAPSHOT_SWEEP_ROLE_ARN, snapshot-data switches the sweep on and off. */
  SNAPSHOT_SWEEP_GROUP_NAME: z.optional(z.string().check(z.regex(/^[0-9a-zA-Z-_.]{1,64}$/, 'expected a schedule group name'))),
  /** snapshot-data's ARN, for track-backup (snapshot-data takes its own from the invocation). */
  SNAPSHOT_SWEEP_FUNCTION_ARN: z.optional(z.string().check(z.regex(/^arn:aws[a-z-]*:lambda:/, 'expected a Lambda function ARN'))),
  /** Role EventBridge Scheduler assumes to invoke snapshot-data for the sweep. */
  SNAPSHOT_SWEEP_ROLE_ARN: z.optional(z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d*:role\/.+$/, 'expected an IAM role ARN'))),
  /** The operators' SNS topic: failed jobs are published there. */
  NOTIFY_TOPIC_ARN: z.string().check(z.regex(/^arn:aws[a-z-]*:sns:[^:]*:[^:]*:.+$/, 'expected an SNS topic ARN')),
});
/** The snapshot functions' environment, parsed. */
export type SnapshotEnvironment = z.output<typeof SnapshotEnvironmentSchema>;

/**
 * Reads the snapshot functions' environment once at cold start and turns it
 * into the orchestration's config; names every missing variable at once.
 *
 * @example
 * const { config, env } = readSnapshotEnvironment(process.env, 'snapshot-data');
 */
export function readSnapshotEnvironment(source: NodeJS.ProcessEnv, fn: string): { env: SnapshotEnvironment; config: SnapshotConfig } {
  const env = readEnvironment(SnapshotEnvironmentSchema, source, fn);
  const config: SnapshotConfig = {
    env: env.WICKED_ENV,
    vaultName: env.BACKUP_VAULT_NAME,
    iamRoleArn: env.BACKUP_ROLE_ARN,
    resources: [env.EFS_FILE_SYSTEM_ARN, ...(env.RDS_INSTANCE_ARN ? [env.RDS_INSTANCE_ARN] : [])],
    schedule: env.SNAPSHOT_SCHEDULE,
    deleteAfterDays: env.SNAPSHOT_DELETE_AFTER_DAYS,
    ...(env.SNAPSHOT_COLD_STORAGE_AFTER_DAYS !== undefined ? { moveToColdStorageAfterDays: env.SNAPSHOT_COLD_STORAGE_AFTER_DAYS } : {}),
    startWindowMinutes: env.SNAPSHOT_START_WINDOW_MINUTES,
    ...(env.DR_VAULT_ARN ? { drVaultArn: env.DR_VAULT_ARN } : {}),
    ...(env.DR_DELETE_AFTER_DAYS !== undefined ? { drRetention: { deleteAfterDays: env.DR_DELETE_AFTER_DAYS } } : {}),
  };
  return { env, config };
}
