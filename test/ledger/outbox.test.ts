import { claimOutboxTransition, completeTransition, dueOutboxEntry, OUTBOX_CLAIM_MS, outboxDoneTransition, withOutbox } from '../../shared/ledger';
import type { OutboxEntry, RecordChange } from '../../shared/ledger';
import { environment, inFlight, request } from './fixtures';

const NOW = 5_000_000;
const A = request('d-a');
const announcement = { event: { detailType: 'Portal Deployment Failed', detail: { deploymentId: 'd-a' } }, notification: { subject: 's', message: 'm', attributes: { env: 'dev' } } };
const entry = (patch: Partial<OutboxEntry> = {}): OutboxEntry => ({ deploymentId: 'd-a', change: { deploymentId: 'd-a', state: 'failed', at: 't' }, announcement, claim: { owner: 'evt-1', expiresAt: NOW + 10 }, ...patch });

describe('the outbox: the end of a deployment is written with the transition that ends it', () => {
  it('completeTransition writes the end with its announcement, claimed by the invocation that ends it', () => {
    const t = completeTransition(environment({ inFlight: inFlight(A, NOW + 10) }), 'd-a', { kind: 'failed', reason: 'r', serviceEvents: ['e1'], announce: { announcement, owner: 'evt-1' } }, NOW);
    const written: OutboxEntry = { deploymentId: 'd-a', change: { deploymentId: 'd-a', state: 'failed', at: new Date(NOW).toISOString(), reason: 'r', fields: { finishedAt: new Date(NOW).toISOString(), serviceEvents: ['e1'] } }, announcement, claim: { owner: 'evt-1', expiresAt: NOW + OUTBOX_CLAIM_MS } };
    expect(t.next?.outbox).toEqual([written]);
    expect(t.result.entry).toEqual(written);
  });

  it('withOutbox adds every final change of a write (superseded, ignored, an end) once; progress is not kept', () => {
    const change = (deploymentId: string, state: RecordChange['state']): RecordChange => ({ deploymentId, state, at: 't' });
    const next = withOutbox(environment({ outbox: [entry()] }), [change('d-a', 'failed'), change('d-b', 'superseded'), change('d-c', 'in-flight'), change('d-d', 'ignored'), change('d-e', 'queued')]);
    expect(next.outbox).toEqual([entry(), { deploymentId: 'd-b', change: change('d-b', 'superseded') }, { deploymentId: 'd-d', change: change('d-d', 'ignored') }]);
    expect(withOutbox(environment(), [change('d-c', 'in-flight')]).outbox).toBeUndefined();
  });

  it('one invocation at a time claims an announced end; a claim that ran out is taken over; an unannounced change is handed out unclaimed', () => {
    const env = environment({ outbox: [entry()] });
    expect(claimOutboxTransition(env, 'd-a', 'nudge-1', NOW + 9)).toEqual({ result: undefined, changes: [] });
    const own = claimOutboxTransition(env, 'd-a', 'evt-1', NOW);
    expect(own.result?.claim).toEqual({ owner: 'evt-1', expiresAt: NOW + OUTBOX_CLAIM_MS });
    const taken = claimOutboxTransition(env, 'd-a', 'nudge-2', NOW + 10);
    expect(taken.result?.claim).toEqual({ owner: 'nudge-2', expiresAt: NOW + 10 + OUTBOX_CLAIM_MS });
    expect(taken.next).toMatchObject({ revision: env.revision + 1, outbox: [taken.result] });
    const superseded = environment({ outbox: [{ deploymentId: 'd-b', change: { deploymentId: 'd-b', state: 'superseded', at: 't' } }] });
    expect(claimOutboxTransition(superseded, 'd-b', 'nudge-1', NOW)).toEqual({ result: superseded.outbox![0], changes: [] });
    expect(claimOutboxTransition(env, 'd-gone', 'nudge-1', NOW).result).toBeUndefined();
  });

  it('outboxDone removes the entry (the field with the last one); one already gone writes nothing', () => {
    const other = entry({ deploymentId: 'd-b' });
    expect(outboxDoneTransition(environment({ outbox: [entry(), other] }), 'd-a', NOW).next?.outbox).toEqual([other]);
    expect(outboxDoneTransition(environment({ outbox: [entry()] }), 'd-a', NOW).next).not.toHaveProperty('outbox', expect.anything());
    expect(outboxDoneTransition(environment({ outbox: [other] }), 'd-a', NOW).next).toBeUndefined();
  });

  it('the entry due is one nobody holds', () => {
    expect(dueOutboxEntry(environment({ outbox: [entry(), entry({ deploymentId: 'd-b', claim: undefined })] }), NOW)?.deploymentId).toBe('d-b');
    expect(dueOutboxEntry(environment({ outbox: [entry()] }), NOW + 9)).toBeUndefined();
    expect(dueOutboxEntry(environment({ outbox: [entry()] }), NOW + 10)?.deploymentId).toBe('d-a');
    expect(dueOutboxEntry(undefined, NOW)).toBeUndefined();
  });
});
