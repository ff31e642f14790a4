import { isActiveJobState } from './decisions';
import { SnapshotError } from './errors';
import type { RecoveryPointView } from './backup-adapter';
import type { JobItem, RecoveryPointItem } from './store';

/** One recovery point as `wickedctl snapshots` shows it. */
export interface RecoveryPointListing {
  readonly recoveryPointArn: string;
  readonly resourceArn: string;
  readonly createdAt: string;
  readonly sizeBytes: number;
  readonly status: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The recovery points that AWS Backup still holds, with the tags the ledger
 * recorded, newest first: a point deleted by its lifecycle is gone from
 * `live` and is not listed even while the ledger still remembers it.
 *
 * @example
 * joinRecoveryPoints(recorded, await backup.listRecoveryPoints(fsArn))
 */
export function joinRecoveryPoints(recorded: readonly RecoveryPointItem[], live: readonly RecoveryPointView[]): RecoveryPointListing[] {
  const byArn = new Map(live.map((point) => [point.recoveryPointArn, point]));
  return recorded
    .filter((point) => byArn.has(point.recoveryPointArn))
    .map((point) => ({
      recoveryPointArn: point.recoveryPointArn,
      resourceArn: point.resourceArn,
      createdAt: point.createdAt,
      sizeBytes: byArn.get(point.recoveryPointArn)?.sizeBytes ?? point.sizeBytes,
      status: byArn.get(point.recoveryPointArn)?.status ?? 'COMPLETED',
      tags: point.tags,
    }))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/**
 * Picks the point a restore starts from: `latest` is the newest point of the
 * first resource (the EFS file system), an ARN must be one of the listed points.
 *
 * @example
 * pickRecoveryPoint(listing, 'latest', fsArn).recoveryPointArn
 */
export function pickRecoveryPoint(listing: readonly RecoveryPointListing[], wanted: string, primaryResourceArn?: string): RecoveryPointListing {
  if (wanted === 'latest') {
    const found = listing.find((point) => primaryResourceArn === undefined || point.resourceArn === primaryResourceArn) ?? listing[0];
    if (found) return found;
    throw new SnapshotError('RECOVERY_POINT_NOT_FOUND', 'recovery point latest: the environment has no recovery point in its vault yet; take one with `wickedctl snapshot`');
  }
  const found = listing.find((point) => point.recoveryPointArn === wanted);
  if (found) return found;
  throw new SnapshotError('RECOVERY_POINT_NOT_FOUND', `recovery point ${wanted}: not among the ${listing.length} points of this environment still in the vault; expected one listed by \`wickedctl snapshots\` or latest`, { context: { recoveryPointArn: wanted } });
}

/** Where an on-demand snapshot request is. */
export type RequestProgress =
  | { readonly kind: 'waiting' }
  | { readonly kind: 'running'; readonly jobs: readonly JobItem[] }
  | { readonly kind: 'completed'; readonly jobs: readonly JobItem[] }
  | { readonly kind: 'failed'; readonly jobs: readonly JobItem[] };

/**
 * Where a request stands from the jobs that name it: per resource, done when
 * one of its jobs COMPLETED, running while one is active, failed otherwise (a
 * job handed over to a running one names the request on both).
 *
 * @example
 * requestProgress([], 'r1') // { kind: 'waiting' }
 */
export function requestProgress(jobs: readonly JobItem[], requestId: string): RequestProgress {
  const mine = jobs.filter((job) => job.requestIds.includes(requestId));
  if (mine.length === 0) return { kind: 'waiting' };
  const resources = [...new Set(mine.map((job) => job.resourceArn))];
  const states = resources.map((arn) => {
    const of = mine.filter((job) => job.resourceArn === arn);
    if (of.some((job) => job.state === 'COMPLETED')) return 'completed';
    return of.some((job) => isActiveJobState(job.state)) ? 'running' : 'failed';
  });
  const kind = states.includes('running') ? 'running' : states.includes('failed') ? 'failed' : 'completed';
  return { kind, jobs: mine };
}
