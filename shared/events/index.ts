import * as z from '../zod';

/** The `source` of every event the control plane puts on the bus. */
export const EVENT_SOURCE = 'wicked.control-plane';

/** Detail-types of the control plane's own events. */
export const DetailType = {
  ImageBuilt: 'Portal Image Built',
  ConfigRejected: 'Portal Config Rejected',
} as const;

/** Where a configuration archive came from in S3. */
export const ConfigObjectSchema = z.strictObject({
  env: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/)),
  bucket: z.string().check(z.minLength(3)),
  key: z.string().check(z.minLength(1)),
  versionId: z.optional(z.string().check(z.minLength(1))),
  /** S3's ordering token for events of one key: hex, compare as padded strings. */
  sequencer: z.optional(z.string().check(z.regex(/^[0-9A-Fa-f]+$/))),
});

/** One problem found by validation, as carried in `Portal Config Rejected` (errors and warnings) and `Portal Image Built` (warnings). */
export const ReportIssueSchema = z.object({
  file: z.string(),
  jsonPath: z.optional(z.string()),
  line: z.optional(z.int()),
  column: z.optional(z.int()),
  code: z.string(),
  message: z.string(),
  env: z.optional(z.string()),
  /** `error` (portal-api would not start) or `warning` (it starts, degraded); absent in events of earlier versions. */
  severity: z.optional(z.enum(['error', 'warning'])),
});

/** Detail of `Portal Image Built`. */
export const ImageBuiltDetailSchema = z.extend(ConfigObjectSchema, {
  configHash: z.string().check(z.minLength(1)),
  imageUri: z.string().check(z.minLength(1)),
  digest: z.string().check(z.regex(/^sha256:[0-9a-f]{64}$/)),
  tag: z.string().check(z.minLength(1)),
  /** A rebuild of a deployed configuration on a new base: the deployment it rebuilds (see `Portal Base Image Changed`). */
  rebuildOf: z.optional(z.string().check(z.minLength(1))),
  /** A promotion (`wickedctl promote`): the environment whose running image this is. */
  promotedFrom: z.optional(z.string().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/))),
  /** Manifest digest of the base image the image was built on. */
  baseDigest: z.optional(z.string().check(z.regex(/^sha256:[0-9a-f]{64}$/))),
  /** The validator's warnings: portal-api starts with this configuration, degraded in these places (cut to fit the event). */
  warnings: z.optional(z.array(ReportIssueSchema).check(z.maxLength(200))),
  /** Number of warnings before truncation. */
  warningCount: z.optional(z.int().check(z.nonnegative())),
  /** The git commit (full SHA-1 or SHA-256 hex) the configuration was packed from (`wickedctl upload --git`); also the image's `org.opencontainers.image.revision`. */
  revision: z.optional(z.string().check(z.regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/))),
  /**
   * When the operator asked for this configuration (ISO 8601, UTC): the upload's S3 event time, to the
   * millisecond of the uploader's `uploaded-at` metadata when that falls in the same second (see
   * {@link uploadRequestedAt}); the request time of a rollback or promotion. The ledger orders requests of
   * different keys by it. Absent on a rebuild (ordered by the deployment it rebuilds) and in events of
   * earlier versions (ordered by arrival).
   */
  requestedAt: z.optional(z.iso.datetime()),
});
/** Detail of `Portal Image Built`. */
export type ImageBuiltDetail = z.infer<typeof ImageBuiltDetailSchema>;

/** Detail of `Portal Config Rejected`. */
export const ConfigRejectedDetailSchema = z.extend(ConfigObjectSchema, {
  reason: z.enum(['invalid-archive', 'invalid-config']),
  issues: z.array(ReportIssueSchema).check(z.maxLength(200)),
  /** Number of issues before truncation to fit the 256 KB event limit. */
  issueCount: z.int().check(z.nonnegative()),
});
/** Detail of `Portal Config Rejected`. */
export type ConfigRejectedDetail = z.infer<typeof ConfigRejectedDetailSchema>;

/**
 * The EventBridge "Object Created" event of an S3 bucket with EventBridge
 * notifications on (only the fields the control plane reads).
 */
export const S3ObjectCreatedEventSchema = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  time: z.optional(z.string()),
  detail: z.object({
    bucket: z.object({ name: z.string().check(z.minLength(3)) }),
    object: z.object({
      key: z.string().check(z.minLength(1)),
      size: z.optional(z.int().check(z.nonnegative())),
      'version-id': z.optional(z.string()),
      sequencer: z.optional(z.string()),
    }),
  }),
});
/** The EventBridge "Object Created" event, parsed. */
export type S3ObjectCreatedEvent = z.infer<typeof S3ObjectCreatedEventSchema>;

/** Archive suffixes accepted under `config/<env>/`. */
export const CONFIG_KEY_PATTERN = /^config\/([a-z][a-z0-9-]{0,31})\/[^/].*\.(tar\.gz|tgz|tar|zip)$/;

/**
 * Reads the environment from a config object key (`config/<env>/<name>.tgz`).
 * Returns `undefined` for keys outside that layout.
 *
 * @example
 * envFromConfigKey('config/prod/2026-11-23.tgz') // 'prod'
 */
export function envFromConfigKey(key: string): string | undefined {
  return CONFIG_KEY_PATTERN.exec(key)?.[1];
}

/**
 * The EventBridge rule pattern for config uploads: one source of truth for the
 * CDK stack and the local emulator.
 */
export function configUploadedPattern(bucketName: string): Record<string, unknown> {
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: { bucket: { name: [bucketName] }, object: { key: [{ prefix: 'config/' }] } },
  };
}
export * from './base-image';
export * from './deploy';

export { GIT_COMMIT_METADATA, gitRevision } from './git-revision';
export { UPLOADED_AT_METADATA, uploadRequestedAt } from './upload-time';
