import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { ResourceSnapshot, SnapshotDataEvent, SnapshotDeps, SnapshotRequest, SweepResult } from '../../shared/snapshot';
import { SNAPSHOT_SWEEP_DETAIL_TYPE, SnapshotError, snapshotDepsFromEnvironment, SnapshotDataEventSchema, sweepSnapshotJobs, takeSnapshot } from '../../shared/snapshot';
import { parseEvent } from '../middleware/parse-event';

const logger = new Logger();
const metrics = new Metrics();

let deps: SnapshotDeps | undefined;

/** The request a scheduled or on-demand event stands for. */
function toRequest(parsed: Exclude<SnapshotDataEvent, { 'detail-type': typeof SNAPSHOT_SWEEP_DETAIL_TYPE }>): SnapshotRequest {
  const time = Date.parse(parsed.time);
  if (parsed['detail-type'] === 'Scheduled Event') return { trigger: 'schedule', time };
  const { trigger, requestId, deploymentId } = parsed.detail;
  return { trigger, time, requestId, ...(deploymentId ? { deploymentId } : {}) };
}

/**
 * The handler body: a scheduled or requested snapshot starts or joins one backup job per resource (then switches
 * the sweep on); the sweep records the ends AWS Backup reports for jobs the ledger still shows pending.
 */
export async function snapshotData(event: unknown, context?: { readonly invokedFunctionArn?: string }): Promise<ResourceSnapshot[] | SweepResult> {
  deps ??= snapshotDepsFromEnvironment(process.env, 'snapshot-data', {}, (level, message, fields) => logger[level](message, fields ?? {}), context?.invokedFunctionArn);
  const parsed = SnapshotDataEventSchema.parse(event);
  if (parsed['detail-type'] === SNAPSHOT_SWEEP_DETAIL_TYPE) {
    if (parsed.detail.env !== deps.config.env) {
      throw new SnapshotError('WRONG_ENVIRONMENT', `sweep: received environment ${parsed.detail.env}, expected ${deps.config.env} (the environment this function snapshots)`, { context: { env: parsed.detail.env } });
    }
    const swept = await sweepSnapshotJobs(deps, parsed.time);
    metrics.addMetric('BackupJobsRecordedBySweep', MetricUnit.Count, swept.recorded.length);
    if (swept.recorded.length > 0) logger.warn('recorded backup job ends whose state change was not handled', { recorded: swept.recorded, pending: swept.pending });
    return swept;
  }
  const request = toRequest(parsed);
  const results = await takeSnapshot(deps, request);
  for (const result of results) metrics.addMetric(result.kind === 'started' ? 'BackupJobsStarted' : 'BackupJobsJoined', MetricUnit.Count, 1);
  logger.info('snapshot requested', { trigger: request.trigger, results });
  return results;
}

/** Lambda entry point: middlewares first, handler last. */
export const handler = middy(snapshotData)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(parseEvent(SnapshotDataEventSchema, (issues) => logger.error('event is neither the snapshot schedule, Portal Snapshot Requested nor the sweep', { issues })));
