import * as z from 'zod';

/** What a deployment rolls: one config archive, built into one image digest. */
export const DeploymentRequestSchema = z.object({
  /** Deterministic id: the same event (or its duplicate) always yields the same id. */
  deploymentId: z.string().min(1),
  env: z.string().min(1),
  configHash: z.string().min(1),
  bucket: z.string().min(1),
  key: z.string().min(1),
  versionId: z.string().min(1).optional(),
  sequencer: z.string().min(1).optional(),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  imageUri: z.string().min(1),
  tag: z.string().min(1),
  /**
   * Set on a rebuild of the deployed configuration on a new base image: the
   * deployment (the environment's last good one) whose S3 object version was
   * rebuilt. Admission orders rebuilds by this, not by the S3 sequencer.
   */
  rebuildOf: z.string().min(1).optional(),
  /**
   * What the deployment does: `config` rolls portal-api to an image (upload,
   * rebuild, rollback, promotion); `restart` forces a new ECS deployment of
   * {@link service} on the image it runs (`wickedctl restart`), leaves the
   * release tag and the last good deployment alone. @default 'config'
   */
  kind: z.enum(['config', 'restart']).optional(),
  /** The ECS service a `restart` deployment rolls. */
  service: z.string().min(1).optional(),
  /** A promotion: the environment whose running image this deployment copies. */
  promotedFrom: z.string().min(1).optional(),
  /** Manifest digest of the base image the image was built on, when the producer knows it. */
  baseDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/).optional(),
  /** ISO time the ledger first saw the request. */
  receivedAt: z.string().min(1),
});
/** What a deployment rolls: one config archive, built into one image digest. */
export type DeploymentRequest = z.infer<typeof DeploymentRequestSchema>;

/** Who holds an environment and until when (epoch milliseconds). */
export const LeaseSchema = z.object({ owner: z.string().min(1), expiresAt: z.number().int() });
/** Who holds an environment and until when (epoch milliseconds). */
export type Lease = z.infer<typeof LeaseSchema>;

/**
 * Phase of the deployment in flight: `awaiting-snapshot` while the pre-deploy
 * snapshot runs (nothing changed yet), `starting` until ECS accepted the new
 * deployment, `waiting-for-zero` while a strict singleton drains, `rolling`
 * while ECS rolls (track-deployment decides the outcome).
 */
export const InFlightPhaseSchema = z.enum(['awaiting-snapshot', 'starting', 'waiting-for-zero', 'rolling']);
/** Phase of the deployment in flight. */
export type InFlightPhase = z.infer<typeof InFlightPhaseSchema>;

/** The one deployment in flight of an environment. */
export const InFlightSchema = z.object({
  request: DeploymentRequestSchema,
  lease: LeaseSchema,
  phase: InFlightPhaseSchema,
  startedAt: z.string(),
  service: z.string().optional(),
  ecsDeploymentId: z.string().optional(),
  recoveryPointArn: z.string().optional(),
  /** The pre-deploy snapshot request the deployment waits for (`Portal Snapshot Requested` requestId). */
  snapshotRequestId: z.string().optional(),
  /** Every recovery point of the pre-deploy snapshot (EFS, and RDS when wicked stores data in Postgres). */
  recoveryPointArns: z.array(z.string()).optional(),
});
/** The one deployment in flight of an environment. */
export type InFlight = z.infer<typeof InFlightSchema>;

/** The last deployment that ECS confirmed: where a rollback goes. */
export const LastGoodSchema = z.object({
  deploymentId: z.string(),
  digest: z.string(),
  configHash: z.string(),
  imageUri: z.string(),
  finishedAt: z.string(),
});
/** The last deployment that ECS confirmed. */
export type LastGood = z.infer<typeof LastGoodSchema>;

/** One environment's state: the single item every ledger decision reads and conditionally rewrites. */
export const EnvironmentRecordSchema = z.object({
  env: z.string(),
  /** Incremented by every write; writes are conditional on the revision they read. */
  revision: z.number().int().nonnegative(),
  /** Highest admitted S3 sequencer per config object key. */
  sequencers: z.record(z.string(), z.string()),
  inFlight: InFlightSchema.optional(),
  /** The newest config that arrived during a rollout; a newer one replaces it. */
  queued: DeploymentRequestSchema.optional(),
  lastGood: LastGoodSchema.optional(),
  lastRecoveryPointArn: z.string().optional(),
  updatedAt: z.string(),
});
/** One environment's state. */
export type EnvironmentRecord = z.infer<typeof EnvironmentRecordSchema>;

/** Life cycle of one deployment record. */
export const DeploymentStateSchema = z.enum([
  'received', 'in-flight', 'queued', 'succeeded', 'failed', 'stuck', 'superseded', 'ignored',
]);
/** Life cycle of one deployment record. */
export type DeploymentState = z.infer<typeof DeploymentStateSchema>;

/** The history item of one deployment. */
export const DeploymentRecordSchema = DeploymentRequestSchema.extend({
  state: DeploymentStateSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().optional(),
  service: z.string().optional(),
  ecsDeploymentId: z.string().optional(),
  recoveryPointArn: z.string().optional(),
  recoveryPointArns: z.array(z.string()).optional(),
  snapshotRequestId: z.string().optional(),
  reason: z.string().optional(),
  serviceEvents: z.array(z.string()).optional(),
});
/** The history item of one deployment. */
export type DeploymentRecord = z.infer<typeof DeploymentRecordSchema>;

/** How a deployment ended. */
export interface DeploymentOutcome {
  readonly kind: 'succeeded' | 'failed' | 'stuck';
  /** Why it failed (what ECS said), or a short note on success. */
  readonly reason?: string;
  /** The service's most recent ECS events, newest first. */
  readonly serviceEvents?: readonly string[];
}
