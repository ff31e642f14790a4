import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { ResourceSnapshot, SnapshotDeps, SnapshotRequest } from '../../shared/snapshot';
import { snapshotDepsFromEnvironment, SnapshotDataEventSchema, takeSnapshot } from '../../shared/snapshot';
import { parseEvent } from '../middleware/parse-event';

const logger = new Logger();
const metrics = new Metrics();

let deps: SnapshotDeps | undefined;

/** The request a scheduled or on-demand event stands for. */
function toRequest(event: unknown): SnapshotRequest {
  const parsed = SnapshotDataEventSchema.parse(event);
  const time = Date.parse(parsed.time);
  if (parsed['detail-type'] === 'Scheduled Event') return { trigger: 'schedule', time };
  const { trigger, requestId, deploymentId } = parsed.detail;
  return { trigger, time, requestId, ...(deploymentId ? { deploymentId } : {}) };
}

/** The handler body: one trigger in, one backup job per resource started or joined. */
export async function snapshotData(event: unknown): Promise<ResourceSnapshot[]> {
  deps ??= snapshotDepsFromEnvironment(process.env, 'snapshot-data', {}, (level, message, fields) => logger[level](message, fields ?? {}));
  const request = toRequest(event);
  const results = await takeSnapshot(deps, request);
  for (const result of results) metrics.addMetric(result.kind === 'started' ? 'BackupJobsStarted' : 'BackupJobsJoined', MetricUnit.Count, 1);
  logger.info('snapshot requested', { trigger: request.trigger, results });
  return results;
}

/** Lambda entry point: middlewares first, handler last. */
export const handler = middy(snapshotData)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(parseEvent(SnapshotDataEventSchema, (issues) => logger.error('event is neither the snapshot schedule nor Portal Snapshot Requested', { issues })));
