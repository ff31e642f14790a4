import fc from 'fast-check';
import { admitTransition, compareSequencers, decideAdmission, deploymentIdFor } from '../../shared/ledger';
import type { AdmissionKind, EnvironmentRecord } from '../../shared/ledger';
import { digest, environment, inFlight, request } from './fixtures';

const NOW = 1_000_000;
const KEY = 'config/dev/c.tgz';

describe('compareSequencers', () => {
  it.each([
    ['0055AEBDF3E2A0', '0055AEBDF3E2A0', 0],
    ['0055AEBDF3E2A0', '0055AEBDF3E2A000', 0],
    ['0055AEBDF3E2A1', '0055AEBDF3E2A0FF', 1],
    ['0055AEBDF3E2A0', '0055AEBDF3E2A001', -1],
    ['0055aebdf3e2a1', '0055AEBDF3E2A0', 1],
    ['1', '0FFFFFFFFFFF', 1],
    ['0F', '1', -1],
  ] as const)('%s vs %s → %d (right-padded, case-insensitive)', (a, b, expected) => {
    expect(compareSequencers(a, b)).toBe(expected);
    expect(compareSequencers(b, a)).toBe(-expected || 0);
  });

  it('orders like the numbers they encode once padded to one width', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (x, y) => {
      const a = x.toString(16).padStart(16, '0');
      const b = y.toString(16).padStart(16, '0');
      expect(compareSequencers(a, b)).toBe(x === y ? 0 : x < y ? -1 : 1);
    }));
  });
});

type Row = [string, EnvironmentRecord | undefined, ReturnType<typeof request>, string, AdmissionKind, string[]];
const live = NOW + 60_000;
const dead = NOW - 1;
const A = request('d-a', { sequencer: '00A0' });
const B = request('d-b', { sequencer: '00B0' });
const C = request('d-c', { sequencer: '00C0' });

const rows: Row[] = [
  ['first deployment of an environment', undefined, A, 'evt-a', 'apply-now', []],
  ['same sequencer again (duplicate event)', environment({ sequencers: { [KEY]: '00A0' }, lastGood: { deploymentId: 'd-a', digest: A.digest, configHash: 'h', imageUri: 'u', finishedAt: 't' } }), A, 'evt-2', 'ignore-duplicate', []],
  ['padded-equal sequencer is the same event', environment({ sequencers: { [KEY]: '00A000' } }), A, 'evt-2', 'ignore-duplicate', []],
  ['older sequencer of the same key', environment({ sequencers: { [KEY]: '00B0' } }), A, 'evt-a', 'ignore-older', []],
  ['older sequencer of another key is not comparable', environment({ sequencers: { 'config/dev/other.tgz': '00FF' } }), A, 'evt-a', 'apply-now', []],
  ['newer config during a rollout is queued', environment({ sequencers: { [KEY]: '00A0' }, inFlight: inFlight(A, live) }), B, 'evt-b', 'queue', []],
  ['a newer queued config replaces an older queued one', environment({ sequencers: { [KEY]: '00B0' }, inFlight: inFlight(A, live), queued: B }), C, 'evt-c', 'queue', ['d-b']],
  ['the queued one arriving again is a duplicate', environment({ inFlight: inFlight(A, live), queued: request('d-b') }), request('d-b'), 'evt-x', 'ignore-duplicate', []],
  ['the one in flight arriving again (other owner) is a duplicate', environment({ inFlight: inFlight(request('d-a'), live) }), request('d-a'), 'evt-x', 'ignore-duplicate', []],
  ['same image already rolling drops the older queue', environment({ sequencers: { [KEY]: '00B0' }, inFlight: inFlight(A, live), queued: B }), request('d-a2', { d: 'a', sequencer: '00C0' }), 'evt', 'ignore-duplicate', ['d-b']],
  ['retry by the same owner of a start that crashed resumes', environment({ sequencers: { [KEY]: '00A0' }, inFlight: inFlight(A, live, 'starting', 'evt-a') }), A, 'evt-a', 'apply-now', []],
  ['another owner cannot resume a live start', environment({ sequencers: { [KEY]: '00A0' }, inFlight: inFlight(A, live, 'starting', 'evt-a') }), A, 'evt-z', 'ignore-duplicate', []],
  ['an expired start is taken over', environment({ sequencers: { [KEY]: '00A0' }, inFlight: inFlight(A, dead, 'starting', 'evt-a') }), A, 'evt-z', 'apply-now', []],
  ['an expired rollout does not block a newer config', environment({ sequencers: { [KEY]: '00A0' }, inFlight: inFlight(A, dead) }), B, 'evt-b', 'apply-now', ['d-a']],
  ['the last good digest again is unchanged', environment({ lastGood: { deploymentId: 'd-b', digest: B.digest, configHash: 'h', imageUri: 'u', finishedAt: 't' } }), request('d-b2', { d: 'b', sequencer: '00D0' }), 'e', 'unchanged', []],
  ['a queued leftover without lease is replaced by a newer arrival', environment({ queued: B }), C, 'evt-c', 'apply-now', ['d-b']],
  ['without sequencers, a different id during a rollout is queued', environment({ inFlight: inFlight(request('d-x'), live) }), request('d-y'), 'e', 'queue', []],
  ['a rebuild of the last good on a new base is a new deployment despite its admitted sequencer', environment({ sequencers: { [KEY]: '00A0' }, lastGood: good(A) }), rebuild('d-r', A, 'e'), 'evt-r', 'apply-now', []],
  ['a rebuild of an older object than the newest admitted one still applies when it is the last good', environment({ sequencers: { [KEY]: '00B0' }, lastGood: good(A) }), rebuild('d-r', A, 'e'), 'evt-r', 'apply-now', []],
  ['the same rebuild while it rolls is a duplicate', environment({ sequencers: { [KEY]: '00A0' }, lastGood: good(A), inFlight: inFlight(rebuild('d-r', A, 'e'), live) }), rebuild('d-r', A, 'e'), 'evt-2', 'ignore-duplicate', []],
  ['the same rebuild after it succeeded is stale: the last good moved to it', environment({ sequencers: { [KEY]: '00A0' }, lastGood: good(rebuild('d-r', A, 'e')) }), rebuild('d-r', A, 'e'), 'evt-2', 'ignore-stale', []],
  ['a rebuild on the base it already runs is unchanged', environment({ sequencers: { [KEY]: '00A0' }, lastGood: good(A) }), rebuild('d-r', A, 'a'), 'evt-r', 'unchanged', []],
  ['a rebuild of a deployment that is no longer the last good is stale', environment({ sequencers: { [KEY]: '00B0' }, lastGood: good(B) }), rebuild('d-r', A, 'e'), 'evt-r', 'ignore-stale', []],
  ['a rebuild while another config rolls is stale, never queued behind it', environment({ sequencers: { [KEY]: '00B0' }, lastGood: good(A), inFlight: inFlight(B, live) }), rebuild('d-r', A, 'e'), 'evt-r', 'ignore-stale', []],
  ['a rebuild while another config is queued is stale', environment({ sequencers: { [KEY]: '00B0' }, lastGood: good(A), queued: B }), rebuild('d-r', A, 'e'), 'evt-r', 'ignore-stale', []],
  ['a rebuild after an expired rollout of another config applies and supersedes it', environment({ sequencers: { [KEY]: '00B0' }, lastGood: good(A), inFlight: inFlight(B, dead) }), rebuild('d-r', A, 'e'), 'evt-r', 'apply-now', ['d-b']],
  ['a rebuild with nothing deployed is stale', undefined, rebuild('d-r', A, 'e'), 'evt-r', 'ignore-stale', []],
  ['a restart of what runs is never unchanged', environment({ lastGood: good(A) }), { ...request('r-1', { d: 'a' }), kind: 'restart', service: 'portal-kong-adapter' }, 'evt-r', 'apply-now', []],
  ['a restart during a rollout waits in the queue', environment({ inFlight: inFlight(B, live) }), { ...request('r-1', { d: 'k' }), kind: 'restart', service: 'portal-kong-adapter' }, 'evt-r', 'queue', []],
  ['a restart never replaces a queued upload', environment({ inFlight: inFlight(A, live), queued: B }), { ...request('r-1', { d: 'k' }), kind: 'restart', service: 'portal-kong-adapter' }, 'evt-r', 'ignore-stale', []],
  ['a restart of the image rolling never drops the queued upload', environment({ inFlight: inFlight(A, live), queued: B }), { ...request('r-1', { d: 'a' }), kind: 'restart', service: 'portal-api' }, 'evt-r', 'ignore-stale', []],
  ['a restart while a deployment awaits its snapshot waits in the queue', environment({ inFlight: inFlight(A, live, 'awaiting-snapshot') }), { ...request('r-1', { d: 'k' }), kind: 'restart', service: 'portal-kong-adapter' }, 'evt-r', 'queue', []],
  ['an upload during a rollout replaces a queued restart', environment({ sequencers: { [KEY]: '00A0' }, inFlight: inFlight(A, live), queued: { ...request('r-1', { d: 'k' }), kind: 'restart', service: 'portal-kong-adapter' } }), B, 'evt-b', 'queue', ['r-1']],
];

/** The last good record of a request. */
function good(req: ReturnType<typeof request>): NonNullable<EnvironmentRecord['lastGood']> {
  return { deploymentId: req.deploymentId, digest: req.digest, configHash: req.configHash, imageUri: req.imageUri, finishedAt: 't' };
}

/** A rebuild of `of` (same object and sequencer) into image `digest(d)` on a new base. */
function rebuild(id: string, of: ReturnType<typeof request>, d: string): ReturnType<typeof request> {
  return { ...request(id, { d, sequencer: of.sequencer }), configHash: of.configHash, rebuildOf: of.deploymentId, baseDigest: digest('9') };
}

describe('decideAdmission', () => {
  it.each(rows)('%s', (_name, env, req, owner, kind, superseded) => {
    const admission = decideAdmission(env, req, owner, NOW);
    expect(admission.kind).toBe(kind);
    expect(admission.superseded).toEqual(superseded);
    expect(admission.reason.length).toBeGreaterThan(5);
  });
});

describe('admitTransition', () => {
  it('apply-now takes the lease for the owner and advances the sequencer', () => {
    const t = admitTransition(environment({ sequencers: { [KEY]: '0090' } }), A, 'evt-a', NOW, 5000);
    expect(t.next).toMatchObject({ revision: 4, sequencers: { [KEY]: '00A0' }, inFlight: { request: A, lease: { owner: 'evt-a', expiresAt: NOW + 5000 }, phase: 'starting' } });
    expect(t.changes).toEqual([expect.objectContaining({ deploymentId: 'd-a', state: 'in-flight', request: A })]);
  });

  it.each([
    ['a config', () => request('d-x', { d: 'x' })],
    ['a restart of another service', () => ({ ...request('r-x', { d: 'x' }), kind: 'restart' as const, service: 'portal' })],
  ])('apply-now over an in-flight deployment whose lease expired (%s) keeps watching that ECS runs the last good digest', (_name, make) => {
    // The superseded start may still be running: its UpdateService can land after this write (found by the reconcile model test).
    const abandoned = { ...inFlight(A, NOW - 1), ecsDeploymentId: 'ecs-a' };
    const t = admitTransition(environment({ inFlight: abandoned, lastGood: good(B) }), make(), 'evt-x', NOW, 5000);
    expect(t.changes.map((c) => [c.deploymentId, c.state])).toContainEqual(['d-a', 'superseded']);
    expect(t.next?.restoring).toEqual({ deploymentId: 'd-a', ecsDeploymentId: 'ecs-a' });
    // An earlier watch stays; without a last good deployment there is nothing to go back to; a retry of the same start sets none.
    expect(admitTransition(environment({ inFlight: abandoned, lastGood: good(B), restoring: { deploymentId: 'd-0' } }), make(), 'evt-x', NOW, 5000).next?.restoring).toEqual({ deploymentId: 'd-0' });
    expect(admitTransition(environment({ inFlight: abandoned }), make(), 'evt-x', NOW, 5000).next?.restoring).toBeUndefined();
    expect(admitTransition(environment({ inFlight: inFlight(A, NOW - 1), lastGood: good(B) }), A, 'evt-a', NOW, 5000).next?.restoring).toBeUndefined();
  });

  it('queue replaces the queued request and marks the older one superseded', () => {
    const t = admitTransition(environment({ inFlight: inFlight(A, live), queued: B, sequencers: { [KEY]: '00B0' } }), C, 'evt-c', NOW, 5000);
    expect(t.next?.queued).toEqual(C);
    expect(t.next?.inFlight?.request).toEqual(A);
    expect(t.changes.map((c) => [c.deploymentId, c.state])).toEqual([['d-b', 'superseded'], ['d-c', 'queued']]);
  });

  it('a duplicate writes nothing; an older event only records itself as ignored', () => {
    const env = environment({ sequencers: { [KEY]: '00B0' } });
    expect(admitTransition(env, B, 'e', NOW, 1).next).toBeUndefined();
    expect(admitTransition(env, B, 'e', NOW, 1).changes).toEqual([]);
    const older = admitTransition(env, A, 'e', NOW, 1);
    expect(older.next).toBeUndefined();
    expect(older.changes).toEqual([expect.objectContaining({ deploymentId: 'd-a', state: 'ignored' })]);
  });

  it('unchanged advances the sequencer so an older event after it is still ignored', () => {
    const env = environment({ lastGood: { deploymentId: 'd-b', digest: B.digest, configHash: 'h', imageUri: 'u', finishedAt: 't' } });
    const t = admitTransition(env, request('d-b2', { d: 'b', sequencer: '00D0' }), 'e', NOW, 1);
    expect(t.next?.sequencers[KEY]).toBe('00D0');
    expect(decideAdmission(t.next, C, 'e', NOW).kind).toBe('ignore-older');
  });

  it('a rebuild leaves the sequencers alone; a stale one records itself as ignored and writes no environment', () => {
    const env = environment({ sequencers: { [KEY]: '00B0' }, lastGood: good(A) });
    const applied = admitTransition(env, rebuild('d-r', A, 'e'), 'evt-r', NOW, 5000);
    expect(applied.next?.sequencers).toEqual({ [KEY]: '00B0' });
    expect(applied.next?.inFlight?.request).toMatchObject({ deploymentId: 'd-r', rebuildOf: 'd-a', baseDigest: digest('9') });
    const stale = admitTransition(environment({ lastGood: good(B) }), rebuild('d-r', A, 'e'), 'evt-r', NOW, 5000);
    expect(stale.next).toBeUndefined();
    expect(stale.changes).toEqual([expect.objectContaining({ deploymentId: 'd-r', state: 'ignored', reason: expect.stringContaining('last good deployment of dev is now d-b') })]);
  });

  it('resuming keeps the original start time', () => {
    const env = environment({ inFlight: { ...inFlight(A, live, 'starting', 'evt-a'), startedAt: 'first' } });
    expect(admitTransition(env, A, 'evt-a', NOW, 10).next?.inFlight).toMatchObject({ startedAt: 'first', lease: { owner: 'evt-a', expiresAt: NOW + 10 } });
  });
});

describe('requests of different keys, ordered by requestedAt', () => {
  const OTHER = 'config/dev/other.tgz';
  const at = (second: number): string => new Date(Date.UTC(2026, 11, 7, 10, 0, second)).toISOString();
  /** An upload of `key` asked for at second `second`. */
  const upload = (id: string, key: string, second: number) => ({ ...request(id, { d: id.slice(-1), sequencer: '00A0' }), key, requestedAt: at(second) });
  const older = upload('d-o', OTHER, 1);
  const newer = upload('d-n', KEY, 2);

  it.each<[string, EnvironmentRecord, ReturnType<typeof request>, AdmissionKind]>([
    ['an upload asked for before the one rolling is older, not queued behind it', environment({ inFlight: inFlight(newer, live), newestRequest: { deploymentId: 'd-n', requestedAt: at(2) } }), older, 'ignore-older'],
    ['an upload asked for before the one queued is older, and leaves it queued', environment({ inFlight: inFlight(A, live), queued: newer, newestRequest: { deploymentId: 'd-n', requestedAt: at(2) } }), older, 'ignore-older'],
    ['an upload asked for before the last one admitted is older even when that one failed', environment({ newestRequest: { deploymentId: 'd-n', requestedAt: at(2) } }), older, 'ignore-older'],
    ['an upload asked for after the one rolling is queued', environment({ inFlight: inFlight(older, live), newestRequest: { deploymentId: 'd-o', requestedAt: at(1) } }), newer, 'queue'],
    ['an upload of the same instant is ordered by arrival', environment({ inFlight: inFlight(newer, live), newestRequest: { deploymentId: 'd-n', requestedAt: at(2) } }), upload('d-s', OTHER, 2), 'queue'],
    ['an event without requestedAt (an earlier version) is ordered by arrival', environment({ inFlight: inFlight(newer, live), newestRequest: { deploymentId: 'd-n', requestedAt: at(2) } }), request('d-x', { key: OTHER }), 'queue'],
    ['the newest one arriving again is a duplicate, not older', environment({ inFlight: inFlight(newer, live), newestRequest: { deploymentId: 'd-n', requestedAt: at(2) } }), newer, 'ignore-duplicate'],
    ['an unparseable time (a record written by hand) orders nothing', environment({ inFlight: inFlight(newer, live), newestRequest: { deploymentId: 'd-n', requestedAt: 'garbage' } }), older, 'queue'],
    ['a rebuild is ordered by what it rebuilds, not by requestedAt', environment({ lastGood: good(older), newestRequest: { deploymentId: 'd-o', requestedAt: at(5) } }), { ...rebuild('d-r', older, 'e'), requestedAt: at(1) }, 'apply-now'],
  ])('%s', (_name, env, req, kind) => {
    const admission = decideAdmission(env, req, 'evt', NOW);
    expect(admission.kind).toBe(kind);
    expect(admission.superseded).toEqual([]);
    if (kind === 'ignore-older') expect(admission.reason).toBe(`requested at ${at(1)}, before d-n (requested at ${at(2)})`);
  });

  it('under the same key the S3 sequencer orders, whatever the times say (operators\' clocks, whole seconds)', () => {
    // v8 was admitted first with a later time than v9 carries; v9's sequencer is higher: v9 is the newer version.
    const v8 = { ...request('d-8', { d: '8', sequencer: '0080' }), requestedAt: at(9) };
    const v9 = { ...request('d-9', { d: '9', sequencer: '0090' }), requestedAt: at(5) };
    const first = admitTransition(environment({}), v8, 'e', NOW, 1);
    expect(first.result.kind).toBe('apply-now');
    expect(decideAdmission(first.next, v9, 'e', NOW).kind).toBe('queue');
    // And the other way round: a lower sequencer with a later time is older.
    const admitted9 = admitTransition(environment({}), v9, 'e', NOW, 1);
    expect(decideAdmission(admitted9.next, { ...v8, requestedAt: at(20) }, 'e', NOW)).toMatchObject({ kind: 'ignore-older', reason: expect.stringContaining('sequencer 0080') });
    // Another key is still ordered by time; a record written before the key was kept too.
    expect(decideAdmission(first.next, { ...v9, key: OTHER }, 'e', NOW).kind).toBe('ignore-older');
    expect(decideAdmission(environment({ sequencers: { [KEY]: '0080' }, newestRequest: { deploymentId: 'd-8', requestedAt: at(9) } }), v9, 'e', NOW).kind).toBe('ignore-older');
  });

  it('admitting records the newest request; an older one after it is ignored, a rebuild or restart leaves it alone', () => {
    const first = admitTransition(environment({ inFlight: inFlight(A, live) }), newer, 'e', NOW, 1);
    expect(first.next?.newestRequest).toEqual({ deploymentId: 'd-n', requestedAt: at(2), key: KEY, sequencer: '00A0' });
    const late = admitTransition(first.next, older, 'e', NOW, 1);
    expect(late.next).toBeUndefined();
    expect(late.changes).toEqual([expect.objectContaining({ deploymentId: 'd-o', state: 'ignored' })]);
    // Unchanged (the last good digest asked for again, later) moves it too.
    const again = admitTransition(environment({ lastGood: good(newer), newestRequest: { deploymentId: 'd-n', requestedAt: at(2) } }), { ...newer, deploymentId: 'd-n2', requestedAt: at(3) }, 'e', NOW, 1);
    expect([again.result.kind, again.next?.newestRequest]).toEqual(['unchanged', { deploymentId: 'd-n2', requestedAt: at(3), key: KEY, sequencer: '00A0' }]);
    // An admitted request asked for earlier than the newest (the same instant or without a time) leaves it.
    expect(admitTransition(first.next, upload('d-s', OTHER, 2), 'e', NOW, 1).next?.newestRequest).toEqual({ deploymentId: 'd-n', requestedAt: at(2), key: KEY, sequencer: '00A0' });
    const restart = { ...request('r-1', { d: 'k' }), kind: 'restart' as const, service: 'portal-kong-adapter' };
    const restarted = admitTransition(environment({ newestRequest: { deploymentId: 'd-n', requestedAt: at(2) } }), restart, 'e', NOW, 1);
    expect([restarted.result.kind, restarted.next?.newestRequest]).toEqual(['apply-now', { deploymentId: 'd-n', requestedAt: at(2) }]);
  });
});

describe('deploymentIdFor a rebuild', () => {
  const built = { env: 'dev', key: KEY, versionId: 'v1', sequencer: '00A0', digest: digest('e') };
  it.each([
    ['the same rebuild on the same base', { rebuildOf: 'd-a', baseDigest: digest('9') }, { rebuildOf: 'd-a', baseDigest: digest('9') }, true],
    ['the same object rebuilt on another base', { rebuildOf: 'd-a', baseDigest: digest('9') }, { rebuildOf: 'd-a', baseDigest: digest('8') }, false],
    ['a rebuild and the upload of the same object and digest', { rebuildOf: 'd-a', baseDigest: digest('9') }, {}, false],
    ['an upload with or without a base digest named', { baseDigest: digest('9') }, {}, true],
  ] as const)('%s', (_name, left, right, same) => {
    expect(deploymentIdFor({ ...built, ...left }) === deploymentIdFor({ ...built, ...right })).toBe(same);
  });
});
