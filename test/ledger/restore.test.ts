import { beginRestoreTransition, completeTransition, LeaseError, settleRestoreTransition } from '../../shared/ledger';
import type { EnvironmentRecord } from '../../shared/ledger';
import { environment, inFlight, request } from './fixtures';

const NOW = 1_000_000;
const A = request('d-a');
const B = request('d-b');
const ROLLBACK = { ...request('rb-1'), kind: 'restart' as const, service: 'portal-api' };
const good = { deploymentId: 'd-0', digest: A.digest, configHash: 'h', imageUri: 'r', finishedAt: 'x' };

describe('completeTransition: the rollback watch', () => {
  it.each<[string, EnvironmentRecord, Parameters<typeof completeTransition>[2], unknown]>([
    ['a failure that may leave ECS off the last good digest starts it', environment({ lastGood: good, inFlight: { ...inFlight(B, NOW + 1), ecsDeploymentId: 'ecs/2' } }), { kind: 'stuck', unsettled: true }, { deploymentId: 'd-b', ecsDeploymentId: 'ecs/2' }],
    ['a failure that left ECS alone (a gateway restart) keeps none', environment({ lastGood: good, inFlight: inFlight(B, NOW + 1) }), { kind: 'failed' }, undefined],
    ['no last good deployment: nothing to roll back to', environment({ inFlight: inFlight(B, NOW + 1) }), { kind: 'failed', unsettled: true }, undefined],
    ['a config that succeeded ends it: ECS runs its digest', environment({ lastGood: good, restoring: { deploymentId: 'd-x' }, inFlight: inFlight(B, NOW + 1) }), { kind: 'succeeded' }, undefined],
    ['a rollback that succeeded keeps it until the loop sees ECS on the last good digest', environment({ lastGood: good, restoring: { deploymentId: 'd-x' }, inFlight: inFlight(ROLLBACK, NOW + 1) }), { kind: 'succeeded' }, { deploymentId: 'd-x' }],
  ])('%s', (_name, env, outcome, expected) => {
    const id = env.inFlight!.request.deploymentId;
    expect(completeTransition(env, id, outcome, NOW).next?.restoring).toEqual(expected);
  });
});

describe('beginRestoreTransition / settleRestoreTransition', () => {
  it.each<[string, EnvironmentRecord, string]>([
    ['pending, nothing in flight or queued: the rollback goes in flight', environment({ lastGood: good, restoring: { deploymentId: 'd-b' } }), 'ok'],
    ['an upload admitted meanwhile', environment({ lastGood: good, restoring: { deploymentId: 'd-b' }, inFlight: inFlight(A, NOW + 1) }), 'LEASE_HELD'],
    ['a deployment queued meanwhile', environment({ lastGood: good, restoring: { deploymentId: 'd-b' }, queued: A }), 'LEASE_HELD'],
    ['another failure replaced the watch', environment({ lastGood: good, restoring: { deploymentId: 'd-c' } }), 'LEASE_HELD'],
    ['settled already', environment({ lastGood: good }), 'LEASE_HELD'],
  ])('%s → %s', (_name, env, expected) => {
    const run = (): unknown => beginRestoreTransition(env, 'd-b', ROLLBACK, 'me', NOW, 1000);
    if (expected !== 'ok') {
      expect(run).toThrow(LeaseError);
      expect(run).toThrow(expect.objectContaining({ code: expected }));
      return;
    }
    const t = beginRestoreTransition(env, 'd-b', ROLLBACK, 'me', NOW, 1000);
    expect(t.next).toMatchObject({ revision: env.revision + 1, restoring: { deploymentId: 'd-b' }, inFlight: { request: ROLLBACK, phase: 'starting', lease: { owner: 'me', expiresAt: NOW + 1000 } } });
    expect(t.changes).toEqual([expect.objectContaining({ deploymentId: 'rb-1', state: 'in-flight', request: ROLLBACK })]);
  });

  it('settles only the watch it names, and only when nothing is in flight', () => {
    const pending = environment({ lastGood: good, restoring: { deploymentId: 'd-b' } });
    expect(settleRestoreTransition(pending, 'd-b', NOW)).toMatchObject({ result: true, next: { restoring: undefined, revision: pending.revision + 1 } });
    expect(settleRestoreTransition(pending, 'd-c', NOW)).toEqual({ result: false, changes: [] });
    expect(settleRestoreTransition({ ...pending, inFlight: inFlight(ROLLBACK, NOW + 1) }, 'd-b', NOW)).toEqual({ result: false, changes: [] });
  });
});
