import type { TaskFacts } from '../../shared/timeline';
import { buildTimeline, gaps, segments, timelineLines } from '../../shared/timeline';

const task = (over: Partial<TaskFacts>): TaskFacts => ({ taskArn: 'arn:aws:ecs:us-east-1:0:task/c/aaaaaa', service: 'portal-api', createdAt: 0, lastStatus: 'RUNNING', ...over });

describe('timeline decisions', () => {
  it.each([
    ['pending then running (still running)', task({ createdAt: 10, startedAt: 20 }), [['pending', 10, 20], ['running', 20, 100]]],
    ['a whole life', task({ createdAt: 10, startedAt: 20, stoppingAt: 60, stoppedAt: 70 }), [['pending', 10, 20], ['running', 20, 60], ['stopping', 60, 70]]],
    ['never started', task({ createdAt: 10, stoppedAt: 30 }), [['pending', 10, 30]]],
    ['clipped to the window', task({ createdAt: -50, startedAt: -40, stoppingAt: 5, stoppedAt: 8 }), [['running', 0, 5], ['stopping', 5, 8]]],
  ])('segments: %s', (_name, t, expected) => {
    expect(segments(t, 0, 100).map((s) => [s.phase, s.from, s.to])).toEqual(expected);
  });

  it.each([
    ['no running task', [], [[0, 100]]],
    ['overlap leaves no gap', [{ from: 0, to: 60 }, { from: 50, to: 100 }], []],
    ['one gap between tasks', [{ from: 0, to: 40 }, { from: 55, to: 100 }], [[40, 55]]],
    ['start and end uncovered', [{ from: 10, to: 90 }], [[0, 10], [90, 100]]],
  ])('gaps: %s', (_name, running, expected) => {
    expect(gaps(running, 0, 100).map((g) => [g.from, g.to])).toEqual(expected);
  });

  it('marks requested, rolled (first task of the ECS deployment), and a circuit breaker failure as rolled back; portal-api is down between old and new task', () => {
    const t = buildTimeline({
      env: 'dev', now: 1_000,
      deployments: [
        { deploymentId: 'd-1', state: 'succeeded', createdAt: 100, finishedAt: 400, ecsDeploymentId: 'ecs-svc/1', configHash: 'c1' },
        { deploymentId: 'd-2', state: 'failed', createdAt: 500, finishedAt: 900, ecsDeploymentId: 'ecs-svc/2', configHash: 'c2', reason: 'circuit breaker: rolled back to ecs-svc/1' },
      ],
      gates: [{ jobId: 'j', deploymentIds: ['d-2'], startedAt: 510, endedAt: 560, state: 'COMPLETED' }, { jobId: 'other', deploymentIds: ['d-0'], startedAt: 1, state: 'RUNNING' }],
      tasks: [
        task({ taskArn: 'old', createdAt: 0, startedAt: 5, stoppingAt: 150, stoppedAt: 170 }),
        task({ taskArn: 'new', startedBy: 'ecs-svc/1', createdAt: 175, startedAt: 200 }),
        task({ taskArn: 'kong', service: 'kong', createdAt: 0, startedAt: 5 }),
      ],
    });
    expect(t.markers.map((m) => [m.kind, m.deploymentId, m.at])).toEqual([
      ['requested', 'd-1', 100], ['rolled', 'd-1', 175], ['succeeded', 'd-1', 400], ['requested', 'd-2', 500], ['rolled-back', 'd-2', 900],
    ]);
    expect(t.gates).toEqual([{ from: 510, to: 560, state: 'COMPLETED', deploymentIds: ['d-2'] }]);
    expect(t.portalApiDown).toEqual([{ from: 150, to: 200 }]);
    expect(t.lanes.map((l) => l.service)).toEqual(['portal-api', 'kong']);
    const lines = timelineLines(t, 90);
    expect(lines.find((l) => l.startsWith('portal-api down'))).toMatch(/X+ +0\.1 s$/);
    expect(lines.filter((l) => /^ {2}[RrSFB] /.test(l))).toHaveLength(5);
  });

  it('keeps only the last N deployments', () => {
    const deployments = [1, 2, 3, 4].map((n) => ({ deploymentId: `d-${n}`, state: 'succeeded', createdAt: n * 100, finishedAt: n * 100 + 50, configHash: 'c' }));
    expect(new Set(buildTimeline({ env: 'dev', now: 1_000, deployments, tasks: [], gates: [], last: 2 }).markers.map((m) => m.deploymentId))).toEqual(new Set(['d-3', 'd-4']));
  });
});
