import * as z from '../zod';
import { EVENT_SOURCE } from '../events';
import { controlPlanePattern } from '../events/pattern';

/** Detail-types of the snapshot module's own events (source `wicked.control-plane`). */
export const SnapshotDetailType = {
  /** On-demand request: `wickedctl snapshot` or the pre-deploy gate. */
  Requested: 'Portal Snapshot Requested',
  /** A requested or scheduled snapshot finished with a recovery point. */
  Completed: 'Portal Snapshot Completed',
  /** A snapshot ended without a recovery point; a waiting deploy must not continue. */
  Failed: 'Portal Snapshot Failed',
} as const;

const envName = z.string().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/));

/** Detail of `Portal Snapshot Requested`. */
export const SnapshotRequestedDetailSchema = z.strictObject({
  env: envName,
  trigger: z.enum(['manual', 'pre-deploy']),
  /** Unique per request: keys the idempotency token, and `--follow` finds the job by it. */
  requestId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)),
  deploymentId: z.optional(z.string().check(z.minLength(1))),
});
/** Detail of `Portal Snapshot Requested`. */
export type SnapshotRequestedDetail = z.infer<typeof SnapshotRequestedDetailSchema>;

/** `Portal Snapshot Requested`, as the bus delivers it. */
export const SnapshotRequestedEventSchema = z.object({
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.literal(SnapshotDetailType.Requested),
  time: z.string(),
  detail: SnapshotRequestedDetailSchema,
});

/** The `Scheduled Event` of the snapshot schedule (EventBridge rule or Scheduler with the event as input). */
export const ScheduledEventSchema = z.object({
  id: z.string().check(z.minLength(1)),
  source: z.enum(['aws.events', 'aws.scheduler']),
  'detail-type': z.literal('Scheduled Event'),
  time: z.string(),
});

/** The `detail-type` of the sweep schedule's invocation of snapshot-data. */
export const SNAPSHOT_SWEEP_DETAIL_TYPE = 'Snapshot Sweep Due';

/** The sweep schedule's invocation of snapshot-data (`toSweepScheduleInput`). */
export const SnapshotSweepEventSchema = z.object({
  id: z.string().check(z.minLength(1)),
  source: z.literal('aws.scheduler'),
  'detail-type': z.literal(SNAPSHOT_SWEEP_DETAIL_TYPE),
  time: z.string(),
  detail: z.object({ env: z.string().check(z.minLength(1)) }),
});

/** What snapshot-data receives. */
export const SnapshotDataEventSchema = z.union([ScheduledEventSchema, SnapshotRequestedEventSchema, SnapshotSweepEventSchema]);
/** What snapshot-data receives, parsed. */
export type SnapshotDataEvent = z.infer<typeof SnapshotDataEventSchema>;

/** AWS Backup's `Backup Job State Change` (fields the control plane reads; CREATED carries only id and state). */
export const BackupJobEventSchema = z.object({
  source: z.literal('aws.backup'),
  'detail-type': z.literal('Backup Job State Change'),
  time: z.string(),
  resources: z.array(z.string()),
  detail: z.object({
    backupJobId: z.string().check(z.minLength(1)),
    state: z.string().check(z.minLength(1)),
    statusMessage: z.optional(z.string()),
    resourceArn: z.optional(z.string()),
    backupVaultName: z.optional(z.string()),
    creationDate: z.optional(z.string()),
    completionDate: z.optional(z.string()),
    backupSizeInBytes: z.optional(z.union([z.string(), z.number()])),
  }),
});
/** A parsed `Backup Job State Change`. */
export type BackupJobEvent = z.infer<typeof BackupJobEventSchema>;

/** AWS Backup's `Restore Job State Change` (`status`, except `state` on CREATED). */
export const RestoreJobEventSchema = z.object({
  source: z.literal('aws.backup'),
  'detail-type': z.literal('Restore Job State Change'),
  time: z.string(),
  resources: z.array(z.string()),
  detail: z.object({
    restoreJobId: z.string().check(z.minLength(1)),
    status: z.optional(z.string()),
    state: z.optional(z.string()),
    statusMessage: z.optional(z.string()),
    recoveryPointArn: z.optional(z.string()),
    createdResourceArn: z.optional(z.string()),
  }),
});
/** A parsed `Restore Job State Change`. */
export type RestoreJobEvent = z.infer<typeof RestoreJobEventSchema>;

/** AWS Backup's `Copy Job State Change`. */
export const CopyJobEventSchema = z.object({
  source: z.literal('aws.backup'),
  'detail-type': z.literal('Copy Job State Change'),
  time: z.string(),
  resources: z.array(z.string()),
  detail: z.object({
    copyJobId: z.string().check(z.minLength(1)),
    state: z.string().check(z.minLength(1)),
    statusMessage: z.optional(z.string()),
    sourceRecoveryPointArn: z.optional(z.string()),
    destinationRecoveryPointArn: z.optional(z.string()),
  }),
});
/** A parsed `Copy Job State Change`. */
export type CopyJobEvent = z.infer<typeof CopyJobEventSchema>;

/** What track-backup receives. */
export const TrackBackupEventSchema = z.union([BackupJobEventSchema, RestoreJobEventSchema, CopyJobEventSchema]);
/** What track-backup receives, parsed. */
export type TrackBackupEvent = z.infer<typeof TrackBackupEventSchema>;

/** Detail of `Portal Snapshot Completed` and `Portal Snapshot Failed`, as deploy-services parses it. */
export const SnapshotOutcomeDetailSchema = z.object({
  env: envName,
  jobId: z.string().check(z.minLength(1)),
  resourceArn: z.string().check(z.minLength(1)),
  state: z.string().check(z.minLength(1)),
  trigger: z.string().check(z.minLength(1)),
  deploymentIds: z.array(z.string().check(z.minLength(1))),
  recoveryPointArn: z.optional(z.string().check(z.minLength(1))),
  reason: z.optional(z.string()),
});

/** Detail of `Portal Snapshot Completed` and `Portal Snapshot Failed`: the seam the pre-deploy gate resumes on. */
export interface SnapshotOutcomeDetail {
  readonly env: string;
  readonly jobId: string;
  readonly resourceArn: string;
  readonly state: string;
  readonly trigger: string;
  /** Deployments waiting for this snapshot (pre-deploy gate). */
  readonly deploymentIds: readonly string[];
  readonly recoveryPointArn?: string;
  readonly reason?: string;
}

/**
 * Event pattern of AWS Backup's backup job events of one vault; CREATED
 * events carry no vault and are not needed (the job is recorded when started).
 */
export function backupJobPattern(vaultName: string): Record<string, unknown> {
  return { source: ['aws.backup'], 'detail-type': ['Backup Job State Change'], detail: { backupVaultName: [vaultName] } };
}

/** Event pattern of AWS Backup's restore and copy job events (the handler keeps those of points it recorded). */
export function restoreAndCopyJobPattern(): Record<string, unknown> {
  return { source: ['aws.backup'], 'detail-type': ['Restore Job State Change', 'Copy Job State Change'] };
}

/** Event pattern of snapshot outcomes (deploy-services keeps those naming the deployment waiting for them). */
export function snapshotOutcomePattern(env?: string): Record<string, unknown> {
  return controlPlanePattern(EVENT_SOURCE, [SnapshotDetailType.Completed, SnapshotDetailType.Failed], env);
}

/** Event pattern of on-demand snapshot requests (of one environment when `env` is given: environments share the default bus). */
export function snapshotRequestedPattern(env?: string): Record<string, unknown> {
  return controlPlanePattern(EVENT_SOURCE, [SnapshotDetailType.Requested], env);
}
