import * as z from '../zod';
import { controlPlanePattern } from './pattern';

/**
 * Detail-type of a base image change: the wicked version (the base image of
 * portal-api) of an environment changed, by `cdk deploy` or by
 * `wickedctl rebuild`. build-image rebuilds the deployed configuration on it.
 */
export const BASE_IMAGE_CHANGED = 'Portal Base Image Changed';

/** Detail of `Portal Base Image Changed`. */
export const BaseImageChangedDetailSchema = z.strictObject({
  env: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/)),
  /**
   * The new base, `HOST/REPOSITORY:TAG` or `HOST/REPOSITORY@DIGEST` (the
   * pull-through cache in AWS). @default the base build-image is configured
   * with (`wickedctl rebuild` without `--base`: its tag may have moved upstream)
   */
  baseImage: z.optional(z.string().check(z.regex(/^[^/\s]+\/[^\s]+[:@][^\s]+$/, 'expected HOST/REPOSITORY:TAG or HOST/REPOSITORY@DIGEST'))),
  /** Who asked: the stack's deployment, or an operator. @default 'cdk-deploy' */
  requestedBy: z.optional(z.enum(['cdk-deploy', 'operator'])),
  /** Unique per operator request, for the logs. */
  requestId: z.optional(z.string().check(z.minLength(1))),
});
/** Detail of `Portal Base Image Changed`. */
export type BaseImageChangedDetail = z.infer<typeof BaseImageChangedDetailSchema>;

/**
 * The rule pattern of base image changes of one environment (every
 * environment when `env` is absent): one source of truth for the CDK stack
 * and the local bus.
 *
 * @example
 * baseImageChangedPattern('wicked.control-plane', 'prod')
 */
export function baseImageChangedPattern(source: string, env?: string): Record<string, unknown> {
  return controlPlanePattern(source, [BASE_IMAGE_CHANGED], env);
}
