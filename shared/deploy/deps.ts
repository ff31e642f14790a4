import type { Ledger } from '../ledger';
import type { EcrReleaseAdapter } from './adapters/ecr-release';
import type { EcsServiceAdapter } from './adapters/ecs-service';
import type { Notifier, ReconcileNudge, StuckCheckScheduler } from './adapters/notifier';
import type { DeployTargets } from './env';
import type { BackupJobReader } from '../snapshot/observed-jobs';
import type { GateJob } from './snapshot-gate';

/** What the deploy orchestration needs; handlers build it once, tests fake it. */
export interface DeployDeps {
  readonly ledger: Pick<Ledger, 'admit' | 'acquireLease' | 'claim' | 'recordEcsDeployment' | 'recordWaiting' | 'resume' | 'complete' | 'markStuck' | 'getEnvironment'
    | 'recordAwaitingSnapshot' | 'resumeAfterSnapshot' | 'failSnapshotGate' | 'beginRestore' | 'settleRestore' | 'claimOutbox' | 'outboxDone' | 'applyChange'>;
  readonly ecs: Pick<EcsServiceAdapter, 'describe' | 'aliveTasks' | 'updateService' | 'desiredCounts'>;
  readonly ecr: Pick<EcrReleaseAdapter, 'resolveTag' | 'moveTag'>;
  readonly events: { publish(detailType: string, detail: object): Promise<unknown> };
  readonly notifier: Notifier;
  readonly scheduler?: StuckCheckScheduler;
  /** The every-minute safety-net nudge, armed while anything is in flight. @default none (tests drive reconcile themselves) */
  readonly nudge?: ReconcileNudge;
  readonly targets: DeployTargets;
  /** Epoch milliseconds. */
  readonly clock: () => number;
  readonly stuckAfterMs: number;
  readonly waitForZeroMs: number;
  /** Take a snapshot before rolling (the pre-deploy gate). @default on for an environment named `prod` */
  readonly preDeploySnapshot?: boolean;
  /** How long a deployment waits for its pre-deploy snapshot. @default 2 hours */
  readonly snapshotWaitMs?: number;
  /** The dynamic data a pre-deploy snapshot covers: the gate waits for a recovery point of each. @default [] (each resource a job names) */
  readonly snapshotResources?: readonly string[];
  /** The snapshot module's job items (the ledger table): the gate waits for every resource's job. @default none: a gated deployment waits until its deadline */
  readonly snapshotJobs?: { listJobs(env: string): Promise<readonly (GateJob & { readonly deploymentIds: readonly string[] })[]> };
  /** AWS Backup, for the jobs the ledger still shows pending (their outcome event may be lost or late). @default none: the ledger's records only */
  readonly backupJobs?: BackupJobReader;
}
