import * as z from '../zod';

/** What a deployment rolls: one config archive, built into one image digest. */
export const DeploymentRequestSchema = z.object({
  /** Deterministic id: the same event (or its duplicate) always yields the same id. */
  deploymentId: z.string().check(z.minLength(1)),
  env: z.string().check(z.minLength(1)),
  configHash: z.string().check(z.minLength(1)),
  bucket: z.string().check(z.minLength(1)),
  key: z.string().check(z.minLength(1)),
  versionId: z.optional(z.string().check(z.minLength(1))),
  sequencer: z.optional(z.string().check(z.minLength(1))),
  digest: z.string().check(z.regex(/^sha256:[0-9a-f]{64}$/)),
  imageUri: z.string().check(z.minLength(1)),
  tag: z.string().check(z.minLength(1)),
  /**
   * Set on a rebuild of the deployed configuration on a new base image: the
   * deployment (the environment's last good one) whose S3 object version was
   * rebuilt. Admission orders rebuilds by this, not by the S3 sequencer.
   */
  rebuildOf: z.optional(z.string().check(z.minLength(1))),
  /**
   * What the deployment does: `config` rolls portal-api to an image (upload,
   * rebuild, rollback, promotion); `restart` forces a new ECS deployment of
   * {@link service} on the image it runs (`wickedctl restart`), leaves the
   * release tag and the last good deployment alone. @default 'config'
   */
  kind: z.optional(z.enum(['config', 'restart'])),
  /** The ECS service a `restart` deployment rolls. */
  service: z.optional(z.string().check(z.minLength(1))),
  /** A promotion: the environment whose running image this deployment copies. */
  promotedFrom: z.optional(z.string().check(z.minLength(1))),
  /** Manifest digest of the base image the image was built on, when the producer knows it. */
  baseDigest: z.optional(z.string().check(z.regex(/^sha256:[0-9a-f]{64}$/))),
  /**
   * The validator's warnings of the build (`Portal Image Built` `warnings`), one
   * line each (`file [env] CODE: message`), at most {@link MAX_RECORDED_WARNINGS}:
   * portal-api starts with the configuration, degraded there.
   */
  validationWarnings: z.optional(z.array(z.string()).check(z.maxLength(20))),
  /** Number of validation warnings before truncation. */
  validationWarningCount: z.optional(z.int().check(z.nonnegative())),
  /** The git commit the configuration was packed from, when it came from git (`wickedctl upload --git`). */
  revision: z.optional(z.string().check(z.regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/))),
  /** When the operator asked for this configuration (`Portal Image Built` `requestedAt`): orders requests of different keys. */
  requestedAt: z.optional(z.string().check(z.minLength(1))),
  /** ISO time the ledger first saw the request. */
  receivedAt: z.string().check(z.minLength(1)),
});

/** Warnings kept on a deployment record (the item stays well under DynamoDB's 400 KB). */
export const MAX_RECORDED_WARNINGS = 20;
/** What a deployment rolls: one config archive, built into one image digest. */
export type DeploymentRequest = z.infer<typeof DeploymentRequestSchema>;

/** Who holds an environment and until when (epoch milliseconds). */
export const LeaseSchema = z.object({ owner: z.string().check(z.minLength(1)), expiresAt: z.int() });
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
  service: z.optional(z.string()),
  ecsDeploymentId: z.optional(z.string()),
  recoveryPointArn: z.optional(z.string()),
  /** The pre-deploy snapshot request the deployment waits for (`Portal Snapshot Requested` requestId). */
  snapshotRequestId: z.optional(z.string()),
  /** Every recovery point of the pre-deploy snapshot (EFS, and RDS when wicked stores data in Postgres). */
  recoveryPointArns: z.optional(z.array(z.string())),
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

/** Life cycle of one deployment record. */
export const DeploymentStateSchema = z.enum([
  'received', 'in-flight', 'queued', 'succeeded', 'failed', 'stuck', 'superseded', 'ignored',
]);
/** Life cycle of one deployment record. */
export type DeploymentState = z.infer<typeof DeploymentStateSchema>;

/** States that end a deployment: its record never leaves them. */
export const FINAL_DEPLOYMENT_STATES: readonly DeploymentState[] = ['succeeded', 'failed', 'stuck', 'superseded', 'ignored'];

/** A change to one deployment record (its history item), as a transition made it. */
export const RecordChangeSchema = z.object({
  deploymentId: z.string(),
  state: DeploymentStateSchema,
  /** ISO time of the change. */
  at: z.string(),
  /** Present when the record may not exist yet: its fields are written if absent. */
  request: z.optional(DeploymentRequestSchema),
  reason: z.optional(z.string()),
  /** Further attributes to set (ECS deployment id, service events, ...). */
  fields: z.optional(z.record(z.string(), z.optional(z.union([z.string(), z.array(z.string())])))),
});

/** What the end of a deployment tells: its event on the bus, and the operators' notification of a failure. */
export const AnnouncementSchema = z.object({
  /** `Portal Deployment Succeeded` or `Portal Deployment Failed`, with its detail. */
  event: z.object({ detailType: z.string(), detail: z.record(z.string(), z.unknown()) }),
  notification: z.optional(z.object({ subject: z.string(), message: z.string(), attributes: z.record(z.string(), z.string()) })),
});
/** What the end of a deployment tells. */
export type Announcement = z.infer<typeof AnnouncementSchema>;

/**
 * The end of a deployment that is still to be made known (a transactional outbox in the environment record):
 * written with the transition that ends it, so a Lambda that dies right after cannot lose it. Its history change
 * is applied again and its announcement put, then the entry is removed (`Ledger.outboxDone`). `claim`: the one
 * invocation putting it, until when (the invocation that ended the deployment holds it first).
 */
export const OutboxEntrySchema = z.object({
  deploymentId: z.string(),
  change: RecordChangeSchema,
  announcement: z.optional(AnnouncementSchema),
  claim: z.optional(LeaseSchema),
});
/** An end still to be made known. */
export type OutboxEntry = z.infer<typeof OutboxEntrySchema>;

/** One environment's state: the single item every ledger decision reads and conditionally rewrites. */
export const EnvironmentRecordSchema = z.object({
  env: z.string(),
  /** Incremented by every write; writes are conditional on the revision they read. */
  revision: z.int().check(z.nonnegative()),
  /** Highest admitted S3 sequencer per config object key. */
  sequencers: z.record(z.string(), z.string()),
  /**
   * The admitted request the operator asked for last (`requestedAt`, over every key): a request of
   * another key asked for before it is older. Absent until a request with `requestedAt` was admitted.
   * `key` and `sequencer` (absent in records written before they were kept): a request of the same key is
   * ordered by its S3 sequencer alone.
   */
  newestRequest: z.optional(z.object({ deploymentId: z.string(), requestedAt: z.string(), key: z.optional(z.string()), sequencer: z.optional(z.string()) })),
  inFlight: z.optional(InFlightSchema),
  /** The newest config that arrived during a rollout; a newer one replaces it. */
  queued: z.optional(DeploymentRequestSchema),
  lastGood: z.optional(LastGoodSchema),
  lastRecoveryPointArn: z.optional(z.string()),
  /**
   * Set when a deployment that touched the deployed service failed: ECS may
   * not run the last good digest (a rollout declared stuck that ECS completes
   * later, a strict singleton left at no task). The environment is not idle
   * until the loop observes ECS running it; meanwhile it rolls back.
   */
  restoring: z.optional(z.object({
    /** The failed deployment. */
    deploymentId: z.string(),
    /** Its ECS deployment, when it had one. */
    ecsDeploymentId: z.optional(z.string()),
  })),
  /** Ends of deployments still to be made known (history, event, notification); absent when none. */
  outbox: z.optional(z.array(OutboxEntrySchema)),
  updatedAt: z.string(),
});
/** One environment's state. */
export type EnvironmentRecord = z.infer<typeof EnvironmentRecordSchema>;

/** The history item of one deployment. */
export const DeploymentRecordSchema = z.extend(DeploymentRequestSchema, {
  state: DeploymentStateSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.optional(z.string()),
  service: z.optional(z.string()),
  ecsDeploymentId: z.optional(z.string()),
  recoveryPointArn: z.optional(z.string()),
  recoveryPointArns: z.optional(z.array(z.string())),
  snapshotRequestId: z.optional(z.string()),
  reason: z.optional(z.string()),
  serviceEvents: z.optional(z.array(z.string())),
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
  /** A failure after which ECS may not run the last good digest: the environment stays `restoring` until it does. */
  readonly unsettled?: boolean;
  /** What the end tells, and the invocation that puts it (it holds the outbox entry's claim). */
  readonly announce?: { readonly announcement: Announcement; readonly owner: string };
}
