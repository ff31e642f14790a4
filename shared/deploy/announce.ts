import type { OutboxEntry } from '../ledger';
import type { DeployDeps } from './deps';

/**
 * Makes the end of a deployment known from its outbox entry: its history change (written again when `rewrite`:
 * the ending invocation wrote it already), its event and its notification, then removes the entry. Each part is
 * idempotent or told at most once more by an invocation that died before removing the entry.
 */
export async function putOutcome(env: string, entry: OutboxEntry, deps: DeployDeps, rewrite: boolean): Promise<void> {
  if (rewrite) await deps.ledger.applyChange(env, entry.change);
  const { announcement } = entry;
  if (announcement) {
    await deps.events.publish(announcement.event.detailType, announcement.event.detail);
    if (announcement.notification) await deps.notifier.notify(announcement.notification);
  }
  await deps.ledger.outboxDone(env, entry.deploymentId);
}
