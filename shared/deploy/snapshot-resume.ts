import type * as z from '../zod';
import type { SnapshotOutcomeDetailSchema } from '../snapshot/events';
import { nudge } from './deploy-services';
import type { NudgeResult } from './deploy-services';
import type { DeployDeps } from './deps';

/** Detail of `Portal Snapshot Completed` / `Portal Snapshot Failed`, parsed. */
export type SnapshotOutcome = z.infer<typeof SnapshotOutcomeDetailSchema>;

/**
 * A `Portal Snapshot Completed` or `Failed` nudges reconcile of its
 * environment: a deployment waiting for its pre-deploy snapshot is decided
 * from every backup job of that deployment the ledger table holds, never
 * from the event (see `nextStep`).
 *
 * @example
 * await nudgeOnSnapshotOutcome(SnapshotOutcomeDetailSchema.parse(event.detail), owner, deps);
 */
export async function nudgeOnSnapshotOutcome(detail: SnapshotOutcome, owner: string, deps: DeployDeps): Promise<NudgeResult> {
  if (!deps.targets[detail.env]) return { action: 'ignored', reason: `environment ${detail.env} is not one this function deploys`, reconciled: [] };
  return nudge([detail.env], owner, deps);
}
