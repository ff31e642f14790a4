import type { Ledger } from '../ledger';
import type { EcrReleaseAdapter } from './adapters/ecr-release';
import type { EcsServiceAdapter } from './adapters/ecs-service';
import type { Notifier, StuckCheckScheduler } from './adapters/notifier';
import type { DeployTargets } from './env';

/** What the deploy orchestration needs; handlers build it once, tests fake it. */
export interface DeployDeps {
  readonly ledger: Pick<Ledger, 'admit' | 'acquireLease' | 'recordEcsDeployment' | 'recordWaiting' | 'resume' | 'complete' | 'markStuck' | 'getEnvironment'>;
  readonly ecs: Pick<EcsServiceAdapter, 'describe' | 'aliveTasks' | 'updateService'>;
  readonly ecr: Pick<EcrReleaseAdapter, 'resolveTag' | 'moveTag'>;
  readonly events: { publish(detailType: string, detail: object): Promise<unknown> };
  readonly notifier: Notifier;
  readonly scheduler?: StuckCheckScheduler;
  readonly targets: DeployTargets;
  /** Epoch milliseconds. */
  readonly clock: () => number;
  readonly stuckAfterMs: number;
  readonly waitForZeroMs: number;
}
