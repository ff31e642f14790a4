import * as z from 'zod';

/** The `source` of every event the control plane puts on the bus. */
export const EVENT_SOURCE = 'wicked.control-plane';

/** Detail-types of the control plane's own events. */
export const DetailType = {
  ImageBuilt: 'Portal Image Built',
  ConfigRejected: 'Portal Config Rejected',
} as const;

/** Where a configuration archive came from in S3. */
export const ConfigObjectSchema = z.strictObject({
  env: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
  bucket: z.string().min(3),
  key: z.string().min(1),
  versionId: z.string().min(1).optional(),
  /** S3's ordering token for events of one key: hex, compare as padded strings. */
  sequencer: z.string().regex(/^[0-9A-Fa-f]+$/).optional(),
});

/** Detail of `Portal Image Built`. */
export const ImageBuiltDetailSchema = ConfigObjectSchema.extend({
  configHash: z.string().min(1),
  imageUri: z.string().min(1),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  tag: z.string().min(1),
  /** A rebuild of a deployed configuration on a new base: the deployment it rebuilds (see `Portal Base Image Changed`). */
  rebuildOf: z.string().min(1).optional(),
  /** A promotion (`wickedctl promote`): the environment whose running image this is. */
  promotedFrom: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/).optional(),
  /** Manifest digest of the base image the image was built on. */
  baseDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/).optional(),
});
/** Detail of `Portal Image Built`. */
export type ImageBuiltDetail = z.infer<typeof ImageBuiltDetailSchema>;

/** One problem found by validation, as carried in `Portal Config Rejected`. */
export const ReportIssueSchema = z.object({
  file: z.string(),
  jsonPath: z.string().optional(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  code: z.string(),
  message: z.string(),
  env: z.string().optional(),
});

/** Detail of `Portal Config Rejected`. */
export const ConfigRejectedDetailSchema = ConfigObjectSchema.extend({
  reason: z.enum(['invalid-archive', 'invalid-config']),
  issues: z.array(ReportIssueSchema).max(200),
  /** Number of issues before truncation to fit the 256 KB event limit. */
  issueCount: z.number().int().nonnegative(),
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
  time: z.string().optional(),
  detail: z.object({
    bucket: z.object({ name: z.string().min(3) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      'version-id': z.string().optional(),
      sequencer: z.string().optional(),
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
