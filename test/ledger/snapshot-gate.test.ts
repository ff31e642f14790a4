import { awaitSnapshotTransition, LeaseError, snapshotGateFailedTransition, snapshotTakenTransition } from '../../shared/ledger';
import type { InFlight } from '../../shared/ledger';
import { environment, inFlight, request } from './fixtures';

const NOW = 1_000_000;
const req = request('d-a');
const awaiting = (owner = 'evt-1', expiresAt = NOW + 7_200_000): InFlight => ({ ...inFlight(req, expiresAt, 'starting', owner), phase: 'awaiting-snapshot', snapshotRequestId: 'deploy-d-a' });

describe('awaitSnapshotTransition', () => {
  it('moves the owner\'s starting deployment to awaiting-snapshot with the request id and the deadline as lease', () => {
    const t = awaitSnapshotTransition(environment({ inFlight: inFlight(req, NOW + 120_000, 'starting', 'evt-1') }), 'd-a', 'evt-1', 'deploy-d-a', NOW, NOW + 7_200_000);
    expect(t.next?.inFlight).toMatchObject({ phase: 'awaiting-snapshot', snapshotRequestId: 'deploy-d-a', lease: { owner: 'evt-1', expiresAt: NOW + 7_200_000 } });
    expect(t.next?.revision).toBe(4);
    expect(t.changes).toEqual([expect.objectContaining({ deploymentId: 'd-a', state: 'in-flight', fields: { snapshotRequestId: 'deploy-d-a' } })]);
  });

  it.each([
    ['another owner', inFlight(req, NOW + 120_000, 'starting', 'evt-2')],
    ['an expired lease', inFlight(req, NOW - 1, 'starting', 'evt-1')],
    ['a rolling deployment', inFlight(req, NOW + 120_000, 'rolling', 'evt-1')],
    ['another deployment', inFlight(request('d-b'), NOW + 120_000, 'starting', 'evt-1')],
  ])('refuses %s with LEASE_LOST', (_name, current) => {
    expect(() => awaitSnapshotTransition(environment({ inFlight: current }), 'd-a', 'evt-1', 'deploy-d-a', NOW, NOW + 1000)).toThrow(expect.objectContaining({ code: 'LEASE_LOST' }));
  });
});

describe('snapshotTakenTransition', () => {
  it('hands the waiting deployment to the event that saw the snapshot complete and records its recovery points', () => {
    const t = snapshotTakenTransition(environment({ inFlight: awaiting(), lastRecoveryPointArn: 'old' }), 'd-a', 'evt-snap', ['rp-efs', 'rp-rds'], NOW, 120_000);
    expect(t.next?.inFlight).toMatchObject({ phase: 'starting', lease: { owner: 'evt-snap', expiresAt: NOW + 120_000 }, recoveryPointArn: 'rp-efs', recoveryPointArns: ['rp-efs', 'rp-rds'] });
    expect(t.next?.lastRecoveryPointArn).toBe('rp-efs');
    expect(t.changes[0]?.fields).toEqual({ recoveryPointArn: 'rp-efs', recoveryPointArns: ['rp-efs', 'rp-rds'] });
  });

  it.each([
    ['nothing in flight', undefined, 'NOT_IN_FLIGHT'],
    ['another deployment in flight', { ...awaiting(), request: request('d-b') }, 'NOT_IN_FLIGHT'],
    ['already resumed (a duplicate event)', { ...awaiting(), phase: 'starting' as const }, 'LEASE_HELD'],
    ['already rolling', { ...awaiting(), phase: 'rolling' as const }, 'LEASE_HELD'],
  ])('refuses when %s', (_name, current, code) => {
    let thrown: unknown;
    try { snapshotTakenTransition(environment({ inFlight: current }), 'd-a', 'evt-snap', ['rp'], NOW, 120_000); } catch (error) { thrown = error; }
    expect(thrown).toBeInstanceOf(LeaseError);
    expect(thrown).toMatchObject({ code });
  });
});

describe('snapshotGateFailedTransition', () => {
  it('ends a waiting deployment, keeps lastGood and hands over the queued one', () => {
    const lastGood = { deploymentId: 'd-0', digest: 'sha256:0', configHash: 'h0', imageUri: 'u0', finishedAt: 'x' };
    const queued = request('d-b');
    const t = snapshotGateFailedTransition(environment({ inFlight: awaiting(), lastGood, queued }), 'd-a', { kind: 'failed', reason: 'snapshot failed' }, NOW);
    expect(t.result).toMatchObject({ completed: true, outcome: 'failed', lastGood, next: queued });
    expect(t.next?.inFlight).toBeUndefined();
    expect(t.next?.lastGood).toEqual(lastGood);
    expect(t.changes).toEqual([expect.objectContaining({ deploymentId: 'd-a', state: 'failed', reason: 'snapshot failed' })]);
  });

  it.each([
    ['resumed already', { ...awaiting(), phase: 'starting' as const }],
    ['rolling', { ...awaiting(), phase: 'rolling' as const }],
    ['another deployment', { ...awaiting(), request: request('d-b') }],
    ['nothing in flight', undefined],
  ])('changes nothing when the deployment is %s', (_name, current) => {
    const t = snapshotGateFailedTransition(environment({ inFlight: current }), 'd-a', { kind: 'failed', reason: 'late' }, NOW);
    expect(t.result.completed).toBe(false);
    expect(t.next).toBeUndefined();
    expect(t.changes).toEqual([]);
  });
});
