import { BackupClient, DeleteBackupSelectionCommand, ListBackupPlansCommand, ListBackupSelectionsCommand } from '@aws-sdk/client-backup';
import { LOCAL_REGION } from './kernel/events';

/**
 * Deletes every backup selection of the account's AWS Backup plans through the Backup API (ListBackupPlans,
 * ListBackupSelections, DeleteBackupSelection), as an operator stops scheduled backups: each plan keeps its rules,
 * with nothing assigned to back up. The demo and the tests run on a sped-up clock that crosses the plans' 03:00
 * whenever a run starts in the hour before; without this, a plan's job in the middle of a run would depend on the
 * time of day.
 *
 * @example
 * await unassignBackupPlans(cloud.endpoints.backup);
 */
export async function unassignBackupPlans(endpoint: string): Promise<void> {
  const backup = new BackupClient({ endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    for (const plan of (await backup.send(new ListBackupPlansCommand({}))).BackupPlansList ?? []) {
      for (const selection of (await backup.send(new ListBackupSelectionsCommand({ BackupPlanId: plan.BackupPlanId }))).BackupSelectionsList ?? []) {
        await backup.send(new DeleteBackupSelectionCommand({ BackupPlanId: plan.BackupPlanId, SelectionId: selection.SelectionId }));
      }
    }
  } finally {
    backup.destroy();
  }
}
