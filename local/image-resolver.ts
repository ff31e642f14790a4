import { createHash } from 'node:crypto';
import { parseEcrHost } from '../shared/oci/registry/ecr-host';
import type { EcrControl } from './ecr';
import type { PullThroughCache } from './pull-through-cache';

/** What {@link accountImageResolver} resolves against. */
export interface AccountImages {
  readonly ecr: Pick<EcrControl, 'registry' | 'listImages'>;
  /** The emulated account and region: `<account>.dkr.ecr.<region>.amazonaws.com` is the local registry. */
  readonly account: string;
  readonly region: string;
  readonly cache: PullThroughCache;
}

/**
 * Resolves a task's image reference to the digest ECS pins, as a pull would
 * find it; undefined when the image does not exist (the task then stops with
 * `CannotPullContainerError`):
 * - `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>` of the
 *   emulated account and region, and the local registry's own address, read
 *   the emulated ECR; a repository under a pull-through cache rule's prefix
 *   pulls through the cache ({@link PullThroughCache});
 * - ECR addresses of any other account or region are out of reach (undefined);
 * - anything else (a public registry) stands for an image that exists, with a
 *   digest derived from the reference.
 *
 * @example
 * const resolve = accountImageResolver({ ecr, account: '000000000000', region: 'us-east-1', cache });
 * await resolve('000000000000.dkr.ecr.us-east-1.amazonaws.com/wicked-dev/portal-api:dev-live') // undefined before the first build
 */
export function accountImageResolver(images: AccountImages): (image: string) => Promise<string | undefined> {
  return async (image) => {
    const slash = image.indexOf('/');
    const host = slash > 0 ? image.slice(0, slash) : '';
    const ecr = parseEcrHost(host);
    const local = host === images.ecr.registry || (ecr !== undefined && ecr.account === images.account && ecr.region === images.region);
    if (!local) return ecr ? undefined : `sha256:${createHash('sha256').update(image).digest('hex')}`;
    const { repository, tag, digest } = splitReference(image.slice(slash + 1));
    if (digest !== undefined) return digest;
    const stored = storedDigest(images.ecr, repository, tag);
    if (stored !== undefined) return stored;
    return images.cache.pull(repository, tag);
  };
}

function splitReference(rest: string): { repository: string; tag: string; digest?: string } {
  const at = rest.indexOf('@');
  if (at >= 0) return { repository: rest.slice(0, at), tag: '', digest: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  return colon > 0 ? { repository: rest.slice(0, colon), tag: rest.slice(colon + 1) } : { repository: rest, tag: 'latest' };
}

function storedDigest(ecr: Pick<EcrControl, 'listImages'>, repository: string, tag: string): string | undefined {
  try {
    return ecr.listImages(repository).find((described) => described.imageTags?.includes(tag))?.imageDigest;
  } catch {
    return undefined;
  }
}
