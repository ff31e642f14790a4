import { createRegistryRepository } from '../shared/oci/registry/registry-repository';
import type { EcrControl } from './ecr';
import { writeStandInBase } from './stand-in-base';

/** Docker Hub as an ECR pull-through cache rule names it (`UpstreamRegistryUrl`). */
export const DOCKER_HUB_UPSTREAM = 'registry-1.docker.io';

/** One pull-through cache rule: the repository prefix in the account and the upstream registry behind it. */
export interface PullThroughRule {
  readonly prefix: string;
  readonly upstreamRegistryUrl: string;
}

/**
 * The emulated ECR pull-through cache. As on AWS ("Sync an upstream registry
 * with an Amazon ECR private registry", ECR user guide), the first pull of
 * `<prefix>/<upstream repository>:<tag>` creates the repository in the
 * account and caches the image; later pulls find it there. Docker Hub is out
 * of reach here, so a Docker Hub rule serves the stand-in image
 * (`stand-in-base.ts`) under the requested tag: every Docker Hub image is
 * taken to exist upstream. Other upstreams serve nothing (the pull fails).
 *
 * @example
 * const cache = new PullThroughCache(ecr.control);
 * cache.addRule({ prefix: 'docker-hub', upstreamRegistryUrl: DOCKER_HUB_UPSTREAM });
 * await cache.pull('docker-hub/library/redis', '7.2') // 'sha256:…'
 */
export class PullThroughCache {
  private readonly rules = new Map<string, PullThroughRule>();
  private readonly inFlight = new Map<string, Promise<string | undefined>>();

  constructor(private readonly ecr: Pick<EcrControl, 'registry' | 'createRepository' | 'listImages' | 'issueCredentials'>) {}

  /** CreatePullThroughCacheRule; a second rule for a prefix fails as on AWS (one rule per prefix per registry). */
  addRule(rule: PullThroughRule): void {
    if (this.rules.has(rule.prefix)) throw new Error(`PullThroughCacheRuleAlreadyExistsException: a pull-through cache rule with the prefix '${rule.prefix}' already exists in the registry`);
    this.rules.set(rule.prefix, rule);
  }

  /** DeletePullThroughCacheRule (the cached repositories stay, as on AWS). */
  deleteRule(prefix: string): void {
    this.rules.delete(prefix);
  }

  /** The rule whose prefix the repository name starts with, if any. */
  ruleFor(repository: string): PullThroughRule | undefined {
    return [...this.rules.values()].find((rule) => repository.startsWith(`${rule.prefix}/`));
  }

  /**
   * The digest of `repository:tag` through the cache: the cached image when
   * present, else a pull from the upstream (the stand-in for Docker Hub);
   * undefined when no rule covers the repository or the upstream has nothing.
   */
  async pull(repository: string, tag: string): Promise<string | undefined> {
    const rule = this.ruleFor(repository);
    if (!rule) return undefined;
    const cached = this.cachedDigest(repository, tag);
    if (cached !== undefined || rule.upstreamRegistryUrl !== DOCKER_HUB_UPSTREAM) return cached;
    const key = `${repository}:${tag}`;
    const running = this.inFlight.get(key) ?? this.fill(repository, tag).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, running);
    return running;
  }

  private async fill(repository: string, tag: string): Promise<string | undefined> {
    if (this.cachedDigest(repository, tag) === undefined && !this.hasRepository(repository)) await this.ecr.createRepository(repository);
    const credentials = { get: async () => ({ username: 'AWS', password: this.ecr.issueCredentials().password }) };
    const written = await writeStandInBase(createRegistryRepository({ host: this.ecr.registry, repository, insecure: true, credentials }), { tag });
    return written.digest;
  }

  private cachedDigest(repository: string, tag: string): string | undefined {
    if (!this.hasRepository(repository)) return undefined;
    return this.ecr.listImages(repository).find((image) => image.imageTags?.includes(tag))?.imageDigest;
  }

  private hasRepository(repository: string): boolean {
    try {
      this.ecr.listImages(repository);
      return true;
    } catch {
      return false;
    }
  }
}
