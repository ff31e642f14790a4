import type { RecordChange, Transition } from './transition-types';
import type { Announcement, EnvironmentRecord, OutboxEntry } from './types';
import { FINAL_DEPLOYMENT_STATES } from './types';

/**
 * How long the invocation putting an end's announcement holds its outbox entry: longer than any deploy
 * function's timeout (2 minutes at most), so a claim outlives the invocation that holds it, and the
 * announcement of one that died is put by a later reconcile once the claim ran out.
 */
export const OUTBOX_CLAIM_MS = 3 * 60_000;

/** A change as an outbox entry stores it (the record is JSON). */
function stored(change: RecordChange): OutboxEntry['change'] {
  return JSON.parse(JSON.stringify(change)) as OutboxEntry['change'];
}

/** The outbox entry of an end with its announcement, claimed by the invocation that ended the deployment. */
export function announcedEntry(change: RecordChange, announce: { announcement: Announcement; owner: string }, now: number): OutboxEntry {
  return { deploymentId: change.deploymentId, change: stored(change), announcement: announce.announcement, claim: { owner: announce.owner, expiresAt: now + OUTBOX_CLAIM_MS } };
}

/**
 * The environment record to write, with every final change of the transition (a deployment superseded, ignored,
 * or ended) in its outbox unless an entry of that deployment is there already: a Lambda that dies between the
 * environment write and the history write leaves the change to the next reconcile, not to nobody.
 */
export function withOutbox(next: EnvironmentRecord, changes: readonly RecordChange[]): EnvironmentRecord {
  const outbox = [...(next.outbox ?? [])];
  for (const change of changes) {
    if (!FINAL_DEPLOYMENT_STATES.includes(change.state) || outbox.some((entry) => entry.deploymentId === change.deploymentId)) continue;
    outbox.push({ deploymentId: change.deploymentId, change: stored(change) });
  }
  return outbox.length === 0 ? next : { ...next, outbox };
}

/**
 * Claims the outbox entry of `deploymentId` for `owner` while nobody else holds it (no claim, `owner`'s own, or
 * one that ran out by `now`). An entry without an announcement is handed out unclaimed: applying its change and
 * removing it twice does no harm. Undefined (nothing written) when the entry is gone or another invocation holds it.
 */
export function claimOutboxTransition(env: EnvironmentRecord | undefined, deploymentId: string, owner: string, now: number): Transition<OutboxEntry | undefined> {
  const entry = env?.outbox?.find((candidate) => candidate.deploymentId === deploymentId);
  if (!env || !entry) return { result: undefined, changes: [] };
  if (!entry.announcement) return { result: entry, changes: [] };
  if (entry.claim && entry.claim.owner !== owner && entry.claim.expiresAt > now) return { result: undefined, changes: [] };
  const claimed: OutboxEntry = { ...entry, claim: { owner, expiresAt: now + OUTBOX_CLAIM_MS } };
  const outbox = env.outbox!.map((candidate) => (candidate.deploymentId === deploymentId ? claimed : candidate));
  return { next: { ...env, outbox, revision: env.revision + 1, updatedAt: new Date(now).toISOString() }, result: claimed, changes: [] };
}

/** Removes the outbox entry of `deploymentId` once its end is known (history, event, notification); none: nothing written. */
export function outboxDoneTransition(env: EnvironmentRecord | undefined, deploymentId: string, now: number): Transition<void> {
  if (!env?.outbox?.some((entry) => entry.deploymentId === deploymentId)) return { result: undefined, changes: [] };
  const outbox = env.outbox.filter((entry) => entry.deploymentId !== deploymentId);
  return { next: { ...env, outbox: outbox.length > 0 ? outbox : undefined, revision: env.revision + 1, updatedAt: new Date(now).toISOString() }, result: undefined, changes: [] };
}

/**
 * The outbox entry reconcile is to put next: one nobody holds (no claim, or one that ran out by `now`), else
 * undefined.
 */
export function dueOutboxEntry(env: EnvironmentRecord | undefined, now: number): OutboxEntry | undefined {
  return env?.outbox?.find((entry) => !entry.claim || entry.claim.expiresAt <= now);
}
