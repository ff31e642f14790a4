import { handler as snapshotHandler, snapshotData } from '../../functions/snapshot-data/handler';
import { handler as trackHandler, trackBackup } from '../../functions/track-backup/handler';

const context = { functionName: 'f', awsRequestId: 'r', getRemainingTimeInMillis: () => 1000 } as never;

describe('snapshot-data and track-backup handlers: the edge', () => {
  it('refuses events of the wrong shape before touching any dependency', async () => {
    await expect(snapshotHandler({ source: 'aws.s3', 'detail-type': 'Object Created' }, context)).rejects.toMatchObject({ code: 'INVALID_EVENT' });
    await expect(trackHandler({ source: 'aws.backup', 'detail-type': 'Backup Job State Change', detail: {} }, context)).rejects.toMatchObject({ code: 'INVALID_EVENT' });
  });

  it('names every missing variable of the environment at cold start', async () => {
    const event = { id: 'e', source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2026-01-02T03:00:00Z' };
    await expect(snapshotData(event)).rejects.toMatchObject({ code: 'INVALID_ENVIRONMENT', message: expect.stringMatching(/snapshot-data: environment is incomplete: .*WICKED_ENV.*BACKUP_VAULT_NAME.*EFS_FILE_SYSTEM_ARN/) });
    await expect(trackBackup({})).rejects.toMatchObject({ code: 'INVALID_ENVIRONMENT', message: expect.stringContaining('track-backup') });
  });
});
