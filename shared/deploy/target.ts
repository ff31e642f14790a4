import type { DeployDeps } from './deps';
import type { DeployTarget } from './env';
import { DeployError } from './errors';

/** The target of an environment; throws `UNKNOWN_ENVIRONMENT` naming the known ones. */
export function targetOf(env: string, deps: Pick<DeployDeps, 'targets'>): DeployTarget {
  const target = deps.targets[env];
  if (!target) throw new DeployError('UNKNOWN_ENVIRONMENT', `deploying to environment ${env}: expected one of ${Object.keys(deps.targets).join(', ') || 'no configured environment'}`, { context: { env } });
  return target;
}
