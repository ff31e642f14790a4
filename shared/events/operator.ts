import * as z from '../zod';
import type { ImageBuiltDetail } from './index';

/**
 * Detail-types of operator requests (`wickedctl`). Rollback and promote reuse
 * `Portal Image Built` (see {@link operatorImageBuilt}); a restart of one
 * service has no image to name, so it has its own detail-type.
 */
export const OperatorDetailType = {
  ServiceRestartRequested: 'Portal Service Restart Requested',
} as const;

/**
 * Detail of `Portal Service Restart Requested`: force a new ECS deployment of
 * one service of an environment, recorded and tracked through the ledger
 * (for example portal-kong-adapter after Kong's database was recreated).
 */
export const ServiceRestartRequestedDetailSchema = z.strictObject({
  env: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/)),
  service: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/)),
  /** Unique per request: consumers use it as the idempotency key. */
  requestId: z.string().check(z.minLength(1)),
  requestedAt: z.string().check(z.minLength(1)),
  reason: z.optional(z.string().check(z.maxLength(1024))),
});
/** Detail of `Portal Service Restart Requested`. */
export type ServiceRestartRequestedDetail = z.infer<typeof ServiceRestartRequestedDetailSchema>;

/** Hex digits of the time suffix of an operator sequencer. */
const SUFFIX_DIGITS = 16;

/**
 * The S3-style sequencer of an operator request for a key whose highest
 * admitted sequencer is `stored`: the stored value followed by the request
 * time in hex. After right-padding it compares above `stored` (so the ledger
 * does not drop it as older) yet below any later real S3 event of the key,
 * and two requests at different times get different deployment ids, so a
 * second rollback to the same image is a new deployment, not a duplicate.
 *
 * @example
 * operatorSequencer('0A1B', 0x10) // '0A1B0000000000000010'
 */
export function operatorSequencer(stored: string | undefined, nowMs: number): string {
  return `${(stored ?? '').toUpperCase()}${Math.max(1, Math.trunc(nowMs)).toString(16).toUpperCase().padStart(SUFFIX_DIGITS, '0')}`;
}

/** What an operator request replays: an image the ledger already knows. */
export type KnownImage = Pick<ImageBuiltDetail, 'bucket' | 'key' | 'versionId' | 'configHash' | 'imageUri' | 'digest' | 'tag' | 'revision'>;

/**
 * A `Portal Image Built` detail that deploys a known image to `env` through
 * the same path as a build (ledger, ordering, tracking): rollback replays a
 * former deployment of the environment, promote replays another
 * environment's deployment. The S3 fields keep pointing at the config
 * archive the image was built from.
 *
 * @example
 * operatorImageBuilt('prod', devRecord, record.sequencers[devRecord.key], Date.now())
 */
export function operatorImageBuilt(env: string, image: KnownImage, storedSequencer: string | undefined, nowMs: number): ImageBuiltDetail {
  return {
    env,
    bucket: image.bucket,
    key: image.key,
    ...(image.versionId ? { versionId: image.versionId } : {}),
    sequencer: operatorSequencer(storedSequencer, nowMs),
    configHash: image.configHash,
    imageUri: image.imageUri,
    digest: image.digest,
    tag: image.tag,
    ...(image.revision ? { revision: image.revision } : {}),
  };
}
