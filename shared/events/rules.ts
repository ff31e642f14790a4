import { backupJobPattern, restoreAndCopyJobPattern, snapshotOutcomePattern, snapshotRequestedPattern } from '../snapshot/events';
import { DeployDetailType } from './deploy';
import { baseImageChangedPattern, configUploadedPattern, DetailType, EVENT_SOURCE } from './index';
import { OperatorDetailType } from './operator';
import { controlPlanePattern } from './pattern';

/** Ids of the functions the control plane's rules target (one folder per function under `functions/`). */
export type TargetFunctionId = 'build-image' | 'deploy-services' | 'track-deployment' | 'snapshot-data' | 'track-backup';

/** The names of one deployment that rule patterns refer to. */
export interface DeploymentNames {
  /** Name of the config bucket. */
  readonly configBucket: string;
  /** Name of the ECS cluster the deploy functions roll services in. */
  readonly cluster: string;
  /** Name of the environment's backup vault: track-backup receives its jobs' events. @default any vault */
  readonly backupVault?: string;
  /** The environment: rules of environment-addressed events match only its events. @default any environment */
  readonly env?: string;
}

/** One EventBridge rule of the control plane, as data: the CDK stack and the local emulator both read it. */
export interface ControlPlaneRule {
  /** Stable id: construct id in the stack, rule name on the local bus. */
  readonly name: string;
  readonly description: string;
  /** The function that receives the matching events. */
  readonly target: TargetFunctionId;
  /** The event pattern for one deployment's names. */
  readonly pattern: (names: DeploymentNames) => Record<string, unknown>;
  /** Retries before an event is dead-lettered. */
  readonly retryAttempts: number;
  /** Oldest event still delivered, in seconds. */
  readonly maxEventAgeSeconds: number;
}

/**
 * The config upload rule: S3 "Object Created" under `config/` of the config
 * bucket starts a build.
 */
export const CONFIG_UPLOADED_RULE: ControlPlaneRule = {
  name: 'ConfigUploaded',
  description: 'Config archive uploaded: build the portal-api image',
  target: 'build-image',
  pattern: (names) => configUploadedPattern(names.configBucket),
  retryAttempts: 8,
  maxEventAgeSeconds: 6 * 3600,
};

/**
 * The environment's base image changed (`cdk deploy` with a new wicked
 * version, or `wickedctl rebuild`): build-image rebuilds the deployed
 * configuration on it.
 */
export const BASE_IMAGE_CHANGED_RULE: ControlPlaneRule = {
  name: 'BaseImageChanged',
  description: 'Base image changed: rebuild the deployed portal-api configuration on the new base',
  target: 'build-image',
  pattern: (names) => baseImageChangedPattern(EVENT_SOURCE, names.env),
  retryAttempts: 8,
  maxEventAgeSeconds: 6 * 3600,
};

/** A built image rolls the environment's portal-api. */
export const IMAGE_BUILT_RULE: ControlPlaneRule = {
  name: 'ImageBuilt',
  description: 'Portal image built: roll portal-api through the deployment ledger',
  target: 'deploy-services',
  // By environment when it is known: a promotion into this environment names another environment's config bucket.
  pattern: (names) => ({ source: [EVENT_SOURCE], 'detail-type': [DetailType.ImageBuilt], detail: names.env ? { env: [names.env] } : { bucket: [names.configBucket] } }),
  retryAttempts: 8,
  maxEventAgeSeconds: 6 * 3600,
};

/** `wickedctl restart`: force a new ECS deployment of one service through the ledger. */
export const SERVICE_RESTART_REQUESTED_RULE: ControlPlaneRule = {
  name: 'ServiceRestartRequested',
  description: 'Service restart requested: force a new ECS deployment of that service through the deployment ledger',
  target: 'deploy-services',
  pattern: (names) => controlPlanePattern(EVENT_SOURCE, [OperatorDetailType.ServiceRestartRequested], names.env),
  retryAttempts: 8,
  maxEventAgeSeconds: 3600,
};

/** A stopped service task nudges reconcile: a strict singleton deployment waiting for zero tasks may continue. */
export const SERVICE_TASK_STOPPED_RULE: ControlPlaneRule = {
  name: 'ServiceTaskStopped',
  description: 'A service task of the cluster stopped: reconcile (a strict singleton deployment waiting for zero tasks may continue)',
  target: 'deploy-services',
  pattern: (names) => ({
    source: ['aws.ecs'],
    'detail-type': ['ECS Task State Change'],
    detail: { clusterArn: [{ suffix: `:cluster/${names.cluster}` }], lastStatus: ['STOPPED'], group: [{ prefix: 'service:' }] },
  }),
  retryAttempts: 8,
  maxEventAgeSeconds: 3600,
};

/**
 * The one-shot stuck check of a deployment (an EventBridge Scheduler `at(...)`
 * schedule) and the environment's every-minute safety-net nudge (a `rate(...)`
 * schedule while something is in flight) both put their event on the bus:
 * each reconciles the environment.
 */
export const STUCK_CHECK_DUE_RULE: ControlPlaneRule = {
  name: 'StuckCheckDue',
  description: 'A deployment deadline or the safety-net nudge: reconcile the environment (stuck only if ECS does not run it)',
  target: 'deploy-services',
  pattern: (names) => controlPlanePattern(EVENT_SOURCE, [DeployDetailType.StuckCheckDue, DeployDetailType.ReconcileDue], names.env),
  retryAttempts: 8,
  maxEventAgeSeconds: 6 * 3600,
};

/** ECS deployment state changes of the cluster's services decide outcomes. */
export const ECS_DEPLOYMENT_STATE_RULE: ControlPlaneRule = {
  name: 'EcsDeploymentStateChange',
  description: 'ECS deployment state change: reconcile the environment, which decides the rollout from ECS itself',
  target: 'track-deployment',
  pattern: (names) => ({
    source: ['aws.ecs'],
    'detail-type': ['ECS Deployment State Change'],
    resources: [{ wildcard: `arn:aws:ecs:*:*:service/${names.cluster}/*` }],
  }),
  retryAttempts: 8,
  maxEventAgeSeconds: 3600,
};

/**
 * Input of the snapshot schedule: EventBridge Scheduler fills in the context
 * attributes, so snapshot-data receives a `Scheduled Event` (id, source
 * `aws.scheduler`, scheduled time) that `ScheduledEventSchema` parses.
 */
export const SNAPSHOT_SCHEDULE_INPUT = {
  id: '<aws.scheduler.execution-id>',
  source: 'aws.scheduler',
  'detail-type': 'Scheduled Event',
  time: '<aws.scheduler.scheduled-time>',
} as const;

/** Construct id of the snapshot schedule (EventBridge Scheduler), and its name on the local Scheduler; it invokes snapshot-data. */
export const SNAPSHOT_SCHEDULE_NAME = 'SnapshotSchedule';

/** On-demand snapshots (`wickedctl snapshot`, the pre-deploy gate) start backup jobs. */
export const SNAPSHOT_REQUESTED_RULE: ControlPlaneRule = {
  name: 'SnapshotRequested',
  description: 'Snapshot requested: start AWS Backup jobs of the dynamic data',
  target: 'snapshot-data',
  pattern: (names) => snapshotRequestedPattern(names.env),
  retryAttempts: 8,
  maxEventAgeSeconds: 3600,
};

/** A snapshot outcome lets a deployment waiting for its pre-deploy snapshot roll, or blocks it. */
export const SNAPSHOT_OUTCOME_RULE: ControlPlaneRule = {
  name: 'SnapshotOutcome',
  description: 'Snapshot completed or failed: resume or block the deployment waiting for its pre-deploy snapshot',
  target: 'deploy-services',
  pattern: (names) => snapshotOutcomePattern(names.env),
  retryAttempts: 8,
  maxEventAgeSeconds: 6 * 3600,
};

/** Backup job state changes of the environment's vault: record, notify, resume a waiting deploy. */
export const BACKUP_JOB_STATE_RULE: ControlPlaneRule = {
  name: 'BackupJobStateChange',
  description: 'AWS Backup job state change: record the recovery point, notify on failure',
  target: 'track-backup',
  pattern: (names) => names.backupVault ? backupJobPattern(names.backupVault) : { ...backupJobPattern('any'), detail: { backupVaultName: [{ exists: true }] } },
  retryAttempts: 8,
  maxEventAgeSeconds: 6 * 3600,
};

/** Restore and copy job state changes: notify when one of the environment's points fails to restore or copy. */
export const RESTORE_COPY_JOB_STATE_RULE: ControlPlaneRule = {
  name: 'RestoreCopyJobStateChange',
  description: 'AWS Backup restore or copy job state change: notify on failure',
  target: 'track-backup',
  pattern: () => restoreAndCopyJobPattern(),
  retryAttempts: 8,
  maxEventAgeSeconds: 6 * 3600,
};

/**
 * Every rule of the control plane. Only rules whose target function exists
 * are listed: a rule is added together with its handler.
 *
 * @example
 * for (const rule of CONTROL_PLANE_RULES) bus.addRule({ name: rule.name, pattern: rule.pattern(names), targetId: rule.target });
 */
export const CONTROL_PLANE_RULES: readonly ControlPlaneRule[] = [CONFIG_UPLOADED_RULE, BASE_IMAGE_CHANGED_RULE, IMAGE_BUILT_RULE, SERVICE_RESTART_REQUESTED_RULE, SERVICE_TASK_STOPPED_RULE, STUCK_CHECK_DUE_RULE, ECS_DEPLOYMENT_STATE_RULE,
  SNAPSHOT_REQUESTED_RULE, BACKUP_JOB_STATE_RULE, RESTORE_COPY_JOB_STATE_RULE, SNAPSHOT_OUTCOME_RULE];
