import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SnapshotDeps, TrackResult } from '../../shared/snapshot';
import { snapshotDepsFromEnvironment, trackBackupEvent, TrackBackupEventSchema } from '../../shared/snapshot';
import { parseEvent } from '../middleware/parse-event';

const logger = new Logger();
const metrics = new Metrics();

let deps: SnapshotDeps | undefined;

const METRIC: Readonly<Record<TrackResult['kind'], string | undefined>> = {
  progress: undefined,
  wait: undefined,
  ignored: undefined,
  claimed: undefined,
  completed: 'BackupJobsCompleted',
  handover: 'BackupJobsHandedOver',
  failed: 'BackupJobsFailed',
  restore: 'RestoreJobsFailed',
  copy: 'CopyJobsFailed',
};

/** The handler body: one AWS Backup event in; ledger, bus and metrics updated. */
export async function trackBackup(event: unknown): Promise<TrackResult> {
  deps ??= snapshotDepsFromEnvironment(process.env, 'track-backup', {}, (level, message, fields) => logger[level](message, fields ?? {}));
  const result = await trackBackupEvent(deps, TrackBackupEventSchema.parse(event));
  const metric = METRIC[result.kind];
  if (metric && (result.kind === 'completed' || result.kind === 'handover' || result.kind === 'failed' || result.notified)) metrics.addMetric(metric, MetricUnit.Count, 1);
  if (result.kind === 'completed') metrics.addMetric('RecoveryPointsRecorded', MetricUnit.Count, 1);
  logger.info('backup event handled', { ...result });
  return result;
}

/** Lambda entry point: middlewares first, handler last. */
export const handler = middy(trackBackup)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(parseEvent(TrackBackupEventSchema, (issues) => logger.error('event is not an AWS Backup job state change', { issues })));
