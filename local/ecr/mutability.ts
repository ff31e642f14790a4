import { EcrEmulatorError } from './errors';

/** ECR's tag mutability settings (API reference: CreateRepository, `imageTagMutability`). */
export type TagMutability = 'MUTABLE' | 'IMMUTABLE' | 'IMMUTABLE_WITH_EXCLUSION' | 'MUTABLE_WITH_EXCLUSION';

/** A repository's mutability setting and its WILDCARD exclusion filters. */
export interface MutabilityPolicy {
  readonly mutability: TagMutability;
  /** Wildcard patterns (`*` matches any run of characters) exempt from {@link mutability}. */
  readonly exclusionFilters: readonly string[];
}

/** What writing `tag` → digest does. */
export type TagWrite = 'create' | 'unchanged' | 'move' | 'conflict';

const SETTINGS: readonly TagMutability[] = ['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION'];
const FILTER = /^[0-9a-zA-Z._*-]{1,128}$/;
const MAX_FILTERS = 5;

/** Whether a WILDCARD filter matches the whole tag; `*` matches any run, including an empty one. */
export function wildcardMatches(filter: string, tag: string): boolean {
  const pattern = filter.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`).test(tag);
}

/**
 * Whether `tag` may not be moved to another image: IMMUTABLE tags never,
 * IMMUTABLE_WITH_EXCLUSION tags unless a filter matches them,
 * MUTABLE_WITH_EXCLUSION tags only when a filter matches them (ECR user
 * guide, "Image tag mutability").
 */
export function isTagImmutable(policy: MutabilityPolicy, tag: string): boolean {
  const excluded = policy.exclusionFilters.some((filter) => wildcardMatches(filter, tag));
  switch (policy.mutability) {
    case 'MUTABLE':
      return false;
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !excluded;
    case 'MUTABLE_WITH_EXCLUSION':
      return excluded;
  }
}

/**
 * Decides a tag write: a new tag is created, the same digest is unchanged
 * (allowed even when immutable), another digest moves a mutable tag and
 * conflicts with an immutable one.
 */
export function decideTagWrite(policy: MutabilityPolicy, tag: string, existing: string | undefined, incoming: string): TagWrite {
  if (existing === undefined) return 'create';
  if (existing === incoming) return 'unchanged';
  return isTagImmutable(policy, tag) ? 'conflict' : 'move';
}

/**
 * Checks CreateRepository's `imageTagMutability` and
 * `imageTagMutabilityExclusionFilters` (API reference:
 * ImageTagMutabilityExclusionFilter — WILDCARD, `^[0-9a-zA-Z._*-]{1,128}$`,
 * 1 to 5 filters, only with a `*_WITH_EXCLUSION` setting).
 *
 * @throws {EcrEmulatorError} `INVALID_PARAMETER` naming what was received and what was expected.
 */
export function checkMutabilityPolicy(mutability: unknown, filters: unknown): MutabilityPolicy {
  const setting = mutability ?? 'MUTABLE';
  if (typeof setting !== 'string' || !SETTINGS.includes(setting as TagMutability)) {
    throw invalid(`imageTagMutability must be one of ${SETTINGS.join(', ')}, received ${JSON.stringify(mutability)}`);
  }
  const withExclusion = setting.endsWith('_WITH_EXCLUSION');
  const list = filters ?? [];
  if (!Array.isArray(list)) throw invalid(`imageTagMutabilityExclusionFilters must be a list, received ${JSON.stringify(filters)}`);
  if (!withExclusion && list.length > 0) throw invalid(`imageTagMutabilityExclusionFilters are only allowed with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION, received ${setting}`);
  if (withExclusion && (list.length < 1 || list.length > MAX_FILTERS)) {
    throw invalid(`${setting} needs 1 to ${MAX_FILTERS} imageTagMutabilityExclusionFilters, received ${list.length}`);
  }
  const exclusionFilters = list.map((entry: unknown) => {
    const { filterType, filter } = (entry ?? {}) as { filterType?: unknown; filter?: unknown };
    if (filterType !== 'WILDCARD') throw invalid(`exclusion filterType must be WILDCARD, received ${JSON.stringify(filterType)}`);
    if (typeof filter !== 'string' || !FILTER.test(filter)) throw invalid(`exclusion filter must match ${FILTER.source}, received ${JSON.stringify(filter)}`);
    return filter;
  });
  return { mutability: setting as TagMutability, exclusionFilters };
}

function invalid(message: string): EcrEmulatorError {
  return new EcrEmulatorError('INVALID_PARAMETER', message);
}
