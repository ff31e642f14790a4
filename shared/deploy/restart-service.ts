import { createHash } from 'node:crypto';
import type { ServiceRestartRequestedDetail } from '../events/operator';
import type { DeploymentRequest } from '../ledger';
import { admissionAction } from './deploy-services';
import type { DeployServicesResult } from './deploy-services';
import { reconcile } from './reconcile';
import { targetOf } from './target';
import type { DeployDeps } from './deps';
import { restartableServices } from './env';
import { DeployError } from './errors';

/** What deploy-services did with one `Portal Service Restart Requested`. */
export type RestartResult = { readonly action: 'rejected'; readonly reason: string } | DeployServicesResult;

/** Placeholder of the S3 and config fields of a restart record: a restart names no config archive. */
export const RESTART_NO_CONFIG = '-';

/**
 * The ledger request of a restart, purely: kind `restart`, the service and
 * the digest it runs; the id is derived from the request id, so a duplicate
 * event finds its own record. A restart names no config archive: bucket and
 * config hash are {@link RESTART_NO_CONFIG}, the key is `restart/<service>`.
 *
 * @example
 * restartRequest({ env: 'dev', service: 'portal-kong-adapter', requestId: 'r-1', requestedAt }, digest, Date.now()).kind // 'restart'
 */
export function restartRequest(detail: ServiceRestartRequestedDetail, digest: string, now: number): DeploymentRequest {
  const id = createHash('sha256').update(`${detail.env}\0${detail.service}\0${detail.requestId}\0`).digest('hex').slice(0, 20);
  return {
    deploymentId: `r-${id}`, env: detail.env, kind: 'restart', service: detail.service,
    configHash: RESTART_NO_CONFIG, bucket: RESTART_NO_CONFIG, key: `restart/${detail.service}`,
    digest, imageUri: `${detail.service}@${digest}`, tag: 'restart', receivedAt: new Date(now).toISOString(),
  };
}

/**
 * deploy-services for `Portal Service Restart Requested`: checks that the
 * service is one the environment may restart and runs one digest, admits a
 * `restart` deployment into the ledger and reconciles the environment, which
 * forces a new ECS deployment of exactly that service and decides its
 * outcome like any other. An unknown service is rejected with the reason, and so is
 * portal-api while a config deployment holds or waits for the environment
 * (that deployment restarts it anyway).
 *
 * @example
 * await restartService(ServiceRestartRequestedDetailSchema.parse(event.detail), owner, deps); // { action: 'apply-now', reconcile: { ... } }
 */
export async function restartService(detail: ServiceRestartRequestedDetail, owner: string, deps: DeployDeps): Promise<RestartResult> {
  const target = targetOf(detail.env, deps);
  const allowed = restartableServices(target);
  if (!allowed.includes(detail.service)) {
    return { action: 'rejected', reason: `restarting ${detail.service} in ${detail.env}: not a service the control plane manages there; expected one of ${allowed.join(', ')}` };
  }
  const holder = await configDeploymentOf(detail.env, deps);
  if (detail.service === target.service && holder) {
    // Queued behind it, the restart would track the digest running now and fail as digest-mismatch once that deployment changed it.
    return { action: 'rejected', reason: `restarting ${detail.service} in ${detail.env}: deployment ${holder} rolls it anyway; request the restart after it ends if it is still needed` };
  }
  let digests: readonly string[];
  try {
    digests = (await deps.ecs.describe(target.cluster, detail.service)).primaryTaskDigests;
  } catch (error) {
    if (error instanceof DeployError && error.code === 'SERVICE_NOT_FOUND') return { action: 'rejected', reason: `restarting ${detail.service} in ${detail.env}: ${error.message}` };
    throw error;
  }
  const running = [...new Set(digests)];
  if (running.length !== 1 || !/^sha256:[0-9a-f]{64}$/.test(running[0]!)) {
    return { action: 'rejected', reason: `restarting ${detail.service} in ${detail.env}: expected its primary deployment to run one digest, found ${running.length === 0 ? 'no running task' : running.join(', ')}` };
  }
  const request = restartRequest(detail, running[0]!, deps.clock());
  // Armed before the admission: a crash right after it leaves a restart in flight that only the safety net would find.
  await deps.nudge?.arm(detail.env);
  const admission = await deps.ledger.admit(request, owner);
  return { action: admissionAction(admission), deploymentId: admission.deploymentId, reason: admission.reason, reconcile: await reconcile(detail.env, owner, deps) };
}

/** The config deployment (not a restart) holding a live lease on `env` or queued there, if any. */
async function configDeploymentOf(env: string, deps: DeployDeps): Promise<string | undefined> {
  const record = await deps.ledger.getEnvironment(env);
  const inFlight = record?.inFlight && record.inFlight.lease.expiresAt > deps.clock() ? record.inFlight.request : undefined;
  return [inFlight, record?.queued].find((r) => r !== undefined && r.kind !== 'restart')?.deploymentId;
}
