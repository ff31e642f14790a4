import { nextStep, singletonsToStart } from '../../shared/deploy';
import type { Observed, ServiceSnapshot } from '../../shared/deploy';
import type { DeploymentRequest, EnvironmentRecord, InFlight, OutboxEntry } from '../../shared/ledger';

const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const NOW = 1_000_000;
const request = (c: string, patch: Partial<DeploymentRequest> = {}): DeploymentRequest => ({
  deploymentId: `d-${c}`, env: 'dev', configHash: `h-${c}`, bucket: 'b', key: 'config/dev/c.tgz', digest: digest(c), imageUri: `r@${digest(c)}`, tag: c, receivedAt: '2026-01-01T00:00:00.000Z', ...patch,
});
const flight = (patch: Partial<InFlight> = {}): InFlight => ({ request: request('b'), lease: { owner: 'me', expiresAt: NOW + 1000 }, phase: 'starting', startedAt: '2026-01-01T00:00:00.000Z', ...patch });
const env = (patch: Partial<EnvironmentRecord> = {}): EnvironmentRecord => ({
  env: 'dev', revision: 3, sequencers: {}, updatedAt: '2026-01-01T00:00:00.000Z', lastGood: { deploymentId: 'd-a', digest: digest('a'), configHash: 'h-a', imageUri: 'r', finishedAt: 'x' }, ...patch,
});
const service = (patch: Partial<ServiceSnapshot> = {}): ServiceSnapshot => ({
  serviceName: 'portal-api', desiredCount: 1, aliveTaskCount: 1, primaryDeploymentId: 'ecs-svc/2', primaryRolloutState: 'IN_PROGRESS', primaryTaskDigests: [digest('b')], recentEvents: [], ...patch,
});
const seen = (patch: Partial<Observed> = {}): Observed => ({ now: NOW, owner: 'me', ...patch });
const counts = (deployed: number | undefined, others: Record<string, number>): Observed['singletons'] => ({ deployed, others });
const outboxEntry = (id: string, claimedUntil: number): OutboxEntry => ({
  deploymentId: id, change: { deploymentId: id, state: 'failed', at: 'x' }, claim: { owner: 'other', expiresAt: claimedUntil },
  announcement: { event: { detailType: 'Portal Deployment Failed', detail: { deploymentId: id } } },
});
const rolling = (patch: Partial<InFlight> = {}): InFlight => flight({ phase: 'rolling', service: 'portal-api', ecsDeploymentId: 'ecs-svc/2', lease: { owner: 'x', expiresAt: NOW + 1000 }, ...patch });

describe('nextStep: one step from the ledger and what is observed, whatever woke the loop', () => {
  it.each<[string, EnvironmentRecord | undefined, Observed, Record<string, unknown>]>([
    ['a new environment: nothing to do', undefined, seen(), { kind: 'idle' }],
    ['an end nobody makes known (its claim ran out): first, before anything else', env({ queued: request('c'), outbox: [outboxEntry('d-b', NOW)] }), seen(), { kind: 'announce', deploymentId: 'd-b', reason: 'the end of d-b (failed) is still to be made known' }],
    ['a change without an announcement (a superseded deployment): made known', env({ outbox: [{ deploymentId: 'd-b', change: { deploymentId: 'd-b', state: 'superseded', at: 'x' } }] }), seen(), { kind: 'announce', deploymentId: 'd-b' }],
    ['an end another invocation makes known right now: not idle, wait for it', env({ outbox: [outboxEntry('d-b', NOW + 1)] }), seen({ releaseTagDigest: digest('a') }), { kind: 'wait', deploymentId: 'd-b', reason: 'the end of d-b is being made known by other' }],
    ['an end another invocation makes known right now does not hold up the next deployment', env({ queued: request('c'), outbox: [outboxEntry('d-b', NOW + 1)] }), seen(), { kind: 'start-queued', deploymentId: 'd-c' }],
    ['idle, release tag on the last good digest', env(), seen({ releaseTagDigest: digest('a') }), { kind: 'idle' }],
    ['idle, release tag moved by a late step: put it back', env(), seen({ releaseTagDigest: digest('b') }), { kind: 'move-tag', digest: digest('a') }],
    ['idle after a good deployment, portal and the mailer at 0: bring them up', env(), seen({ releaseTagDigest: digest('a'), singletons: counts(1, { portal: 0, 'portal-mailer': 0, 'portal-auth': 1 }) }), { kind: 'start-singletons', services: ['portal', 'portal-mailer'] }],
    ['idle after a good deployment, every singleton at 1: nothing to do', env(), seen({ releaseTagDigest: digest('a'), singletons: counts(1, { portal: 1, 'portal-mailer': 1 }) }), { kind: 'idle' }],
    ['idle, a singleton at 0 but the release tag moved: the tag first', env(), seen({ releaseTagDigest: digest('b'), singletons: counts(1, { portal: 0 }) }), { kind: 'move-tag', digest: digest('a') }],
    ['idle, portal-api scaled to 0 (by an operator): hold the others down', env(), seen({ releaseTagDigest: digest('a'), singletons: counts(0, { portal: 0 }) }), { kind: 'idle' }],
    ['a new environment, nothing deployed yet: the others stay at 0', env({ lastGood: undefined }), seen({ singletons: counts(1, { portal: 0 }) }), { kind: 'idle' }],
    ['a queued deployment goes first; the singletons wait until idle', env({ queued: request('c') }), seen({ singletons: counts(1, { portal: 0 }) }), { kind: 'start-queued' }],
    ['a strict deployment waiting for zero: its scale-to-zero is not undone, nothing is started', env({ inFlight: flight({ phase: 'waiting-for-zero' }) }), seen({ service: service({ desiredCount: 0, aliveTaskCount: 1 }), singletons: counts(0, { portal: 0 }) }), { kind: 'wait' }],
    ['idle with a queued deployment: start it', env({ queued: request('c') }), seen(), { kind: 'start-queued', deploymentId: 'd-c' }],
    ['starting, own lease', env({ inFlight: flight() }), seen(), { kind: 'start', takeover: false }],
    ['starting, another live lease: wait', env({ inFlight: flight({ lease: { owner: 'other', expiresAt: NOW + 1 } }) }), seen(), { kind: 'wait' }],
    ['starting, the lease of a crashed start expired: take over', env({ inFlight: flight({ lease: { owner: 'other', expiresAt: NOW } }) }), seen(), { kind: 'start', takeover: true }],
    ['awaiting snapshot, jobs running', env({ inFlight: flight({ phase: 'awaiting-snapshot' }) }), seen({ gate: { kind: 'wait', reason: 'job-1 RUNNING' } }), { kind: 'wait', reason: 'job-1 RUNNING' }],
    ['awaiting snapshot, completed', env({ inFlight: flight({ phase: 'awaiting-snapshot' }) }), seen({ gate: { kind: 'proceed', recoveryPointArns: ['rp'], reason: 'ok' } }), { kind: 'resume-after-snapshot', recoveryPointArns: ['rp'] }],
    ['awaiting snapshot, failed', env({ inFlight: flight({ phase: 'awaiting-snapshot' }) }), seen({ gate: { kind: 'fail', reason: 'job failed' } }), { kind: 'fail-gate', cause: 'snapshot-failed' }],
    ['awaiting snapshot past its deadline', env({ inFlight: flight({ phase: 'awaiting-snapshot', lease: { owner: 'x', expiresAt: NOW } }) }), seen({ gate: { kind: 'wait', reason: 'no job' } }), { kind: 'fail-gate', cause: 'stuck' }],
    ['waiting for zero, a task alive', env({ inFlight: flight({ phase: 'waiting-for-zero' }) }), seen({ service: service({ aliveTaskCount: 1 }) }), { kind: 'wait' }],
    ['waiting for zero, none alive', env({ inFlight: flight({ phase: 'waiting-for-zero' }) }), seen({ service: service({ aliveTaskCount: 0 }) }), { kind: 'resume-after-drain' }],
    ['waiting for zero past the deadline', env({ inFlight: flight({ phase: 'waiting-for-zero', lease: { owner: 'x', expiresAt: NOW } }) }), seen({ service: service() }), { kind: 'fail', cause: 'stuck' }],
    ['rolling, IN_PROGRESS', env({ inFlight: rolling() }), seen({ service: service(), releaseTagDigest: digest('b') }), { kind: 'wait' }],
    ['rolling, COMPLETED', env({ inFlight: rolling() }), seen({ service: service({ primaryRolloutState: 'COMPLETED' }), releaseTagDigest: digest('b') }), { kind: 'succeed' }],
    ['rolling, rolled back', env({ inFlight: rolling() }), seen({ service: service({ primaryDeploymentId: 'ecs-svc/3', deployments: [{ id: 'ecs-svc/2', status: 'ACTIVE', rolloutState: 'FAILED' }] }) }), { kind: 'fail', cause: 'rolled-back', restoreTag: true }],
    ['rolling, tag moved away meanwhile: put it back', env({ inFlight: rolling() }), seen({ service: service(), releaseTagDigest: digest('a') }), { kind: 'move-tag', digest: digest('b') }],
    ['rolling a restart: the tag is not its business', env({ inFlight: rolling({ request: request('a', { kind: 'restart' }) }) }), seen({ service: service({ primaryTaskDigests: [digest('a')] }) }), { kind: 'wait' }],
    ['rolling past the deadline, ECS runs it healthily: success', env({ inFlight: rolling({ lease: { owner: 'x', expiresAt: NOW } }) }), seen({ service: service(), releaseTagDigest: digest('b') }), { kind: 'succeed' }],
    ['awaiting snapshot, no job yet, another pass than the one that asked: ask again', env({ inFlight: flight({ phase: 'awaiting-snapshot', snapshotRequestId: 'deploy-d-b', lease: { owner: 'x', expiresAt: NOW + 1 } }) }), seen({ gate: { kind: 'wait', reason: 'no job', noJob: true } }), { kind: 're-request-snapshot', deploymentId: 'd-b' }],
    ['awaiting snapshot, no job yet, the pass that just asked: wait', env({ inFlight: flight({ phase: 'awaiting-snapshot' }) }), seen({ gate: { kind: 'wait', reason: 'no job', noJob: true } }), { kind: 'wait' }],
    ['awaiting snapshot, a job runs: no new request', env({ inFlight: flight({ phase: 'awaiting-snapshot', lease: { owner: 'x', expiresAt: NOW + 1 } }) }), seen({ gate: { kind: 'wait', reason: 'job-1 RUNNING' } }), { kind: 'wait' }],
    ['after a failure, ECS still rolls the stuck deployment: roll back', env({ restoring: { deploymentId: 'd-b', ecsDeploymentId: 'ecs-svc/2' } }), seen({ releaseTagDigest: digest('a'), service: service({ primaryTaskDigests: [] }) }), { kind: 'restore', failedId: 'd-b', digest: digest('a') }],
    ['after a failure, ECS completed the stuck deployment late: roll back, the tag stays', env({ restoring: { deploymentId: 'd-b', ecsDeploymentId: 'ecs-svc/2' } }), seen({ releaseTagDigest: digest('a'), service: service({ primaryRolloutState: 'COMPLETED' }) }), { kind: 'restore', digest: digest('a') }],
    ['after a strict failure, portal-api at no task: roll back', env({ restoring: { deploymentId: 'd-b' } }), seen({ releaseTagDigest: digest('a'), service: service({ desiredCount: 0, aliveTaskCount: 0, primaryDeploymentId: 'ecs-svc/1', primaryRolloutState: 'COMPLETED', primaryTaskDigests: [] }) }), { kind: 'restore' }],
    ['after a failure, ECS rolls its own rollback: wait for it', env({ restoring: { deploymentId: 'd-b', ecsDeploymentId: 'ecs-svc/2' } }), seen({ releaseTagDigest: digest('a'), service: service({ primaryDeploymentId: 'ecs-svc/3', primaryTaskDigests: [digest('a')] }) }), { kind: 'wait', deploymentId: 'd-b' }],
    ['after a failure, ECS runs the last good digest: settle, then idle', env({ restoring: { deploymentId: 'd-b' } }), seen({ releaseTagDigest: digest('a'), service: service({ primaryDeploymentId: 'ecs-svc/3', primaryRolloutState: 'COMPLETED', primaryTaskDigests: [digest('a')] }) }), { kind: 'settle-restore', failedId: 'd-b' }],
    ['after a failure, the tag not yet back: the tag first', env({ restoring: { deploymentId: 'd-b' } }), seen({ releaseTagDigest: digest('b'), service: service() }), { kind: 'move-tag', digest: digest('a') }],
    ['after a failure, the tag is gone: put it back before the rollback pins it', env({ restoring: { deploymentId: 'd-b' } }), seen({ service: service() }), { kind: 'move-tag', digest: digest('a') }],
    ['after a failure, a queued deployment goes first', env({ restoring: { deploymentId: 'd-b' }, queued: request('c') }), seen(), { kind: 'start-queued', deploymentId: 'd-c' }],
    ['rolling past the deadline, no task runs it: stuck', env({ inFlight: rolling({ lease: { owner: 'x', expiresAt: NOW } }) }), seen({ service: service({ primaryTaskDigests: [] }), releaseTagDigest: digest('b') }), { kind: 'fail', cause: 'stuck', restoreTag: true }],
  ])('%s', (_name, record, observed, expected) => {
    expect(nextStep(record, observed)).toMatchObject(expected);
  });
});

describe('singletonsToStart: which singletons go from no task to one', () => {
  it.each<[string, EnvironmentRecord | undefined, Observed['singletons'], string[]]>([
    ['after a good deployment, exactly those at 0, sorted', env(), counts(1, { 'portal-mailer': 0, portal: 0, 'portal-auth': 1, 'portal-chatbot': 2 }), ['portal', 'portal-mailer']],
    ['a count above 1 (an operator\'s) is not touched, nor lowered', env(), counts(1, { portal: 3 }), []],
    ['no good deployment yet', env({ lastGood: undefined }), counts(1, { portal: 0 }), []],
    ['a deployment in flight', env({ inFlight: flight() }), counts(1, { portal: 0 }), []],
    ['a deployment queued', env({ queued: request('c') }), counts(1, { portal: 0 }), []],
    ['portal-api not found', env(), counts(undefined, { portal: 0 }), []],
    ['portal-api at 0', env(), counts(0, { portal: 0 }), []],
    ['nothing observed', env(), undefined, []],
    ['no ledger record', undefined, counts(1, { portal: 0 }), []],
  ])('%s', (_name, record, observed, expected) => {
    expect(singletonsToStart(record, observed)).toEqual(expected);
  });
});
