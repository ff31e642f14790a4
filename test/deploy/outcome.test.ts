import { decideRollout, runsHealthily } from '../../shared/deploy';
import type { ServiceSnapshot } from '../../shared/deploy';

const NEW = `sha256:${'b'.repeat(64)}`;
const OLD = `sha256:${'a'.repeat(64)}`;
const tracked = { ecsDeploymentId: 'ecs-svc/2', digest: NEW };
const snap = (patch: Partial<ServiceSnapshot> = {}): ServiceSnapshot => ({
  serviceName: 'portal-api', desiredCount: 1, aliveTaskCount: 1, primaryDeploymentId: 'ecs-svc/2', primaryRolloutState: 'COMPLETED', primaryTaskDigests: [NEW], recentEvents: [], ...patch,
});
const ROLLBACK_EVENT = '2026-01-01T00:00:00.000Z (service portal-api) (deployment ecs-svc/2) deployment failed: tasks failed to start. rolling back to deployment ecs-svc/1.';

describe('decideRollout: the outcome from ECS itself, never from an event', () => {
  it.each<[string, ServiceSnapshot, string, string | undefined]>([
    ['ours PRIMARY and COMPLETED on the digest', snap(), 'succeeded', undefined],
    ['two tasks on the digest', snap({ primaryTaskDigests: [NEW, NEW] }), 'succeeded', undefined],
    ['ours PRIMARY, IN_PROGRESS', snap({ primaryRolloutState: 'IN_PROGRESS' }), 'pending', undefined],
    ['ours PRIMARY, rollout state unknown', snap({ primaryRolloutState: undefined }), 'pending', undefined],
    ['ours COMPLETED but tasks run another digest', snap({ primaryTaskDigests: [OLD] }), 'failed', 'digest-mismatch'],
    ['ours COMPLETED, no running task', snap({ primaryTaskDigests: [] }), 'failed', 'digest-mismatch'],
    ['ours PRIMARY and FAILED (circuit breaker, no rollback)', snap({ primaryRolloutState: 'FAILED' }), 'failed', 'circuit-breaker'],
    ['another PRIMARY, ours listed FAILED: rolled back', snap({ primaryDeploymentId: 'ecs-svc/3', deployments: [{ id: 'ecs-svc/3', status: 'PRIMARY' }, { id: 'ecs-svc/2', status: 'ACTIVE', rolloutState: 'FAILED' }] }), 'failed', 'rolled-back'],
    ['another PRIMARY, ours gone but a service event names its rollback', snap({ primaryDeploymentId: 'ecs-svc/3', primaryTaskDigests: [OLD], recentEvents: [ROLLBACK_EVENT] }), 'failed', 'rolled-back'],
    ['another PRIMARY that is the circuit breaker\'s rollback', snap({ primaryDeploymentId: 'ecs-svc/1', deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', rolloutStateReason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.' }] }), 'failed', 'rolled-back'],
    ['another PRIMARY, nothing failed: replaced', snap({ primaryDeploymentId: 'ecs-svc/4' }), 'failed', 'replaced'],
    ['health-checked, COMPLETED, task HEALTHY', snap({ healthChecked: true, primaryTaskHealth: ['HEALTHY'] }), 'succeeded', undefined],
    ['health-checked, COMPLETED, task health UNKNOWN yet', snap({ healthChecked: true, primaryTaskHealth: ['UNKNOWN'] }), 'pending', undefined],
    ['health-checked, COMPLETED, task UNHEALTHY', snap({ healthChecked: true, primaryTaskHealth: ['UNHEALTHY'] }), 'pending', undefined],
    ['no health check: UNKNOWN is how ECS reports it, success', snap({ healthChecked: false, primaryTaskHealth: ['UNKNOWN'] }), 'succeeded', undefined],
  ])('%s', (_name, snapshot, kind, cause) => {
    const verdict = decideRollout(tracked, snapshot);
    expect(verdict.kind).toBe(kind);
    if (cause) expect(verdict).toMatchObject({ cause });
  });

  it('says what it expected and what it found', () => {
    expect(decideRollout(tracked, snap({ primaryTaskDigests: [OLD] })).reason).toBe(`ECS reported ecs-svc/2 COMPLETED; expected its tasks to run ${NEW}, found ${OLD}`);
  });
});

describe('runsHealthily', () => {
  it.each<[string, ServiceSnapshot, boolean]>([
    ['every primary task on the digest', snap(), true],
    ['fewer running tasks than desired', snap({ desiredCount: 2 }), false],
    ['another digest', snap({ primaryTaskDigests: [OLD] }), false],
    ['no task', snap({ primaryTaskDigests: [] }), false],
    ['an UNHEALTHY task', snap({ primaryTaskHealth: ['UNHEALTHY'] }), false],
    ['health-checked and HEALTHY', snap({ healthChecked: true, primaryTaskHealth: ['HEALTHY'] }), true],
    ['health-checked and UNKNOWN', snap({ healthChecked: true, primaryTaskHealth: ['UNKNOWN'] }), false],
  ])('%s → %s', (_name, snapshot, expected) => {
    expect(runsHealthily(snapshot, NEW)).toBe(expected);
  });
});
