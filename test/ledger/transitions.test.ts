import { acquireTransition, completeTransition, LeaseError, recordEcsTransition, resumeTransition, stuckTransition, waitTransition } from '../../shared/ledger';
import { environment, inFlight, request } from './fixtures';

const NOW = 1_000_000;
const A = request('d-a');
const B = request('d-b');

describe('acquireTransition', () => {
  it.each([
    ['nothing in flight, B queued', environment({ queued: B }), 'd-b', 'me', 'ok'],
    ['expired rollout, B queued: takes over', environment({ queued: B, inFlight: inFlight(A, NOW - 1) }), 'd-b', 'me', 'ok'],
    ['live lease of another deployment', environment({ queued: B, inFlight: inFlight(A, NOW + 1) }), 'd-b', 'me', 'LEASE_HELD'],
    ['a newer request replaced the queued one', environment({ queued: request('d-c') }), 'd-b', 'me', 'NOT_QUEUED'],
    ['nothing queued', environment(), 'd-b', 'me', 'NOT_QUEUED'],
    ['own lease is renewed', environment({ inFlight: inFlight(B, NOW + 5, 'starting', 'me') }), 'd-b', 'me', 'ok'],
  ])('%s → %s', (_name, env, id, owner, expected) => {
    const run = (): unknown => acquireTransition(env, id, owner, NOW, 1000);
    if (expected === 'ok') {
      const t = acquireTransition(env, id, owner, NOW, 1000);
      expect(t.next?.inFlight).toMatchObject({ request: { deploymentId: id }, lease: { owner, expiresAt: NOW + 1000 } });
      expect(t.next?.queued).toBeUndefined();
    } else {
      expect(run).toThrow(LeaseError);
      expect(run).toThrow(expect.objectContaining({ code: expected }));
    }
  });

  it('taking over from an expired in-flight deployment keeps watching that ECS runs the last good digest', () => {
    const lastGood = { deploymentId: 'd-0', digest: 'sha256:00', configHash: 'h', imageUri: 'u', finishedAt: 't' };
    const t = acquireTransition(environment({ queued: B, inFlight: inFlight(A, NOW - 1), lastGood }), 'd-b', 'me', NOW, 1000);
    expect(t.next?.restoring).toEqual({ deploymentId: 'd-a' });
    expect(t.changes.map((c) => [c.deploymentId, c.state])).toEqual([['d-b', 'in-flight'], ['d-a', 'superseded']]);
  });

  it('says who holds the lease and until when', () => {
    expect(() => acquireTransition(environment({ queued: B, inFlight: inFlight(A, NOW + 1) }), 'd-b', 'me', NOW, 1))
      .toThrow(`acquiring d-b for me: deployment d-a holds the lease until ${new Date(NOW + 1).toISOString()}`);
  });
});

describe('recordEcsTransition / waitTransition / resumeTransition', () => {
  const starting = environment({ inFlight: inFlight(A, NOW + 100, 'starting', 'me') });

  it('records the ECS deployment, moves to rolling and extends the lease to the deadline', () => {
    const t = recordEcsTransition(starting, 'd-a', 'me', { service: 'portal-api', ecsDeploymentId: 'ecs-svc/9' }, NOW, NOW + 900_000);
    expect(t.next?.inFlight).toMatchObject({ phase: 'rolling', ecsDeploymentId: 'ecs-svc/9', lease: { expiresAt: NOW + 900_000 } });
  });

  it.each([
    ['another owner', 'd-a', 'other'],
    ['another deployment', 'd-b', 'me'],
  ])('refuses %s with LEASE_LOST', (_n, id, owner) => {
    expect(() => recordEcsTransition(starting, id, owner, { service: 's', ecsDeploymentId: 'x' }, NOW, NOW + 1)).toThrow(expect.objectContaining({ code: 'LEASE_LOST' }));
  });

  it('one of several task events claims a drained deployment; a second claim is refused', () => {
    const waiting = waitTransition(starting, 'd-a', 'me', NOW, NOW + 60_000).next!;
    expect(waiting.inFlight?.phase).toBe('waiting-for-zero');
    const claimed = resumeTransition(waiting, 'd-a', 'task-evt-1', NOW, 1000).next!;
    expect(claimed.inFlight).toMatchObject({ phase: 'starting', lease: { owner: 'task-evt-1' } });
    expect(() => resumeTransition(claimed, 'd-a', 'task-evt-2', NOW, 1000)).toThrow(expect.objectContaining({ code: 'LEASE_HELD' }));
    expect(() => resumeTransition(claimed, 'd-b', 'task-evt-2', NOW, 1000)).toThrow(expect.objectContaining({ code: 'NOT_IN_FLIGHT' }));
  });
});

describe('completeTransition / stuckTransition', () => {
  const lastGood = { deploymentId: 'd-0', digest: request('d-0').digest, configHash: 'h0', imageUri: 'u0', finishedAt: 't' };

  it.each([
    ['succeeded', 'd-a'],
    ['failed', 'd-0'],
    ['stuck', 'd-0'],
  ] as const)('%s leaves lastGood at %s and hands over the queued one', (kind, good) => {
    const env = environment({ lastGood, inFlight: inFlight(A, NOW + 10), queued: B });
    const t = completeTransition(env, 'd-a', { kind, reason: 'r', serviceEvents: Array.from({ length: 15 }, (_, i) => `e${i}`) }, NOW);
    expect(t.result).toMatchObject({ completed: true, outcome: kind, next: B, lastGood: { deploymentId: good } });
    expect(t.next?.inFlight).toBeUndefined();
    expect(t.next?.queued).toEqual(B);
    expect(t.changes[0]).toMatchObject({ deploymentId: 'd-a', state: kind, reason: 'r' });
    expect(t.changes[0]?.fields?.serviceEvents).toHaveLength(10);
  });

  it('a succeeded restart is recorded but leaves lastGood where rollbacks go', () => {
    const restart = { ...request('r-1', { d: 'k' }), kind: 'restart' as const, service: 'portal-kong-adapter' };
    const t = completeTransition(environment({ lastGood, inFlight: inFlight(restart, NOW + 10) }), 'r-1', { kind: 'succeeded', reason: 'ok' }, NOW);
    expect(t.result).toMatchObject({ completed: true, outcome: 'succeeded', lastGood });
    expect(t.next?.lastGood).toEqual(lastGood);
    expect(t.changes[0]).toMatchObject({ deploymentId: 'r-1', state: 'succeeded' });
  });

  it('a deployment no longer in flight is left alone', () => {
    const t = completeTransition(environment({ lastGood, queued: B }), 'd-a', { kind: 'succeeded' }, NOW);
    expect(t.next).toBeUndefined();
    expect(t.result).toEqual({ completed: false, lastGood, next: B });
  });

  it('stuck only after the deadline', () => {
    const env = environment({ inFlight: { ...inFlight(A, NOW + 10), ecsDeploymentId: 'ecs-svc/7' } });
    expect(stuckTransition(env, 'd-a', NOW).result).toMatchObject({ completed: false, notBefore: new Date(NOW + 10).toISOString() });
    const t = stuckTransition(env, 'd-a', NOW + 10);
    expect(t.result).toMatchObject({ completed: true, outcome: 'stuck' });
    expect(t.changes[0]?.reason).toContain('ecs-svc/7');
  });
});
