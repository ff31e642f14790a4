import { decideDeploymentOutcome } from '../../shared/deploy';
import type { ServiceSnapshot } from '../../shared/deploy';
import type { EcsDeploymentStateChangeEvent } from '../../shared/events';

const NEW = `sha256:${'b'.repeat(64)}`;
const OLD = `sha256:${'a'.repeat(64)}`;
const tracked = { ecsDeploymentId: 'ecs-svc/2', digest: NEW };
type Detail = EcsDeploymentStateChangeEvent['detail'];
const ev = (eventName: Detail['eventName'], deploymentId: string, reason = ''): Detail => ({ eventType: eventName === 'SERVICE_DEPLOYMENT_FAILED' ? 'ERROR' : 'INFO', eventName, deploymentId, reason });
const snap = (patch: Partial<ServiceSnapshot> = {}): ServiceSnapshot => ({ serviceName: 'portal-api', desiredCount: 1, aliveTaskCount: 1, primaryDeploymentId: 'ecs-svc/2', primaryTaskDigests: [NEW], recentEvents: [], ...patch });

describe('decideDeploymentOutcome', () => {
  it.each<[string, Detail, ServiceSnapshot, string, string | undefined]>([
    ['COMPLETED, primary is ours on the digest', ev('SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/2'), snap(), 'succeeded', undefined],
    ['COMPLETED of ours, two tasks on the digest', ev('SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/2'), snap({ primaryTaskDigests: [NEW, NEW] }), 'succeeded', undefined],
    ['COMPLETED of ours but PRIMARY is another deployment', ev('SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/2'), snap({ primaryDeploymentId: 'ecs-svc/3' }), 'failed', 'replaced'],
    ['COMPLETED of ours but tasks run another digest', ev('SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/2'), snap({ primaryTaskDigests: [OLD] }), 'failed', 'digest-mismatch'],
    ['COMPLETED of ours, no running task', ev('SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/2'), snap({ primaryTaskDigests: [] }), 'failed', 'digest-mismatch'],
    ['FAILED of ours (circuit breaker)', ev('SERVICE_DEPLOYMENT_FAILED', 'ecs-svc/2', 'ECS deployment circuit breaker: tasks failed to start.'), snap(), 'failed', 'circuit-breaker'],
    ['IN_PROGRESS of ours', ev('SERVICE_DEPLOYMENT_IN_PROGRESS', 'ecs-svc/2'), snap(), 'pending', undefined],
    ['rollback IN_PROGRESS (other id)', ev('SERVICE_DEPLOYMENT_IN_PROGRESS', 'ecs-svc/3', 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.'), snap({ primaryDeploymentId: 'ecs-svc/3' }), 'failed', 'rolled-back'],
    ['rollback COMPLETED (other id) is never a success', ev('SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/3', 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.'), snap({ primaryDeploymentId: 'ecs-svc/3', primaryTaskDigests: [OLD] }), 'failed', 'rolled-back'],
    ['another deployment became PRIMARY', ev('SERVICE_DEPLOYMENT_IN_PROGRESS', 'ecs-svc/4'), snap({ primaryDeploymentId: 'ecs-svc/4' }), 'failed', 'replaced'],
    ['late COMPLETED of the previous deployment', ev('SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/1'), snap(), 'pending', undefined],
    ['late FAILED of an older deployment', ev('SERVICE_DEPLOYMENT_FAILED', 'ecs-svc/1', 'circuit breaker'), snap(), 'pending', undefined],
  ])('%s', (_name, detail, snapshot, kind, cause) => {
    const verdict = decideDeploymentOutcome(detail, tracked, snapshot);
    expect(verdict.kind).toBe(kind);
    if (cause) expect(verdict).toMatchObject({ cause });
  });

  it('says what it expected and what it found', () => {
    expect(decideDeploymentOutcome(ev('SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/2'), tracked, snap({ primaryTaskDigests: [OLD] })).reason)
      .toBe(`ECS reported ecs-svc/2 COMPLETED; expected its tasks to run ${NEW}, found ${OLD}`);
  });
});
