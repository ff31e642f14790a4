import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { randomUUID } from 'node:crypto';
import * as z from '../../shared/zod';
import { trackDeployment } from '../../shared/deploy';
import type { NudgeResult } from '../../shared/deploy';
import { EcsDeploymentStateChangeEventSchema } from '../../shared/events';
import { cachedDeployDeps } from '../deploy-services/deps';
import { DEPLOYMENT_STUCK_METRIC, outcomeMetrics } from '../deploy-services/outcome-metrics';
import { parseEvent } from '../middleware/parse-event';

const logger = new Logger();
const metrics = new Metrics();
/**
 * A deadline past while an ECS event arrives is found stuck here too: that metric is put under the
 * service dimension the stack's DeploymentStuck alarm watches (deploy-services), whichever function saw it.
 */
const stuckMetrics = new Metrics({ serviceName: 'deploy-services' });

/** `ECS Deployment State Change` with the EventBridge event id, which owns the lease of a queued deployment started next. */
export const TrackDeploymentEventSchema = z.extend(EcsDeploymentStateChangeEventSchema, { id: z.string().check(z.minLength(1)) });

/**
 * The handler body: one ECS deployment event nudges reconcile of the
 * environments that roll the service; the outcome of the rollout in flight
 * is decided there from ECS's own view of the service (see `trackDeployment`).
 *
 * @example
 * await trackDeploymentEvent(ecsDeploymentEvent); // { action: 'reconciled', reconciled: [...] }
 */
export async function trackDeploymentEvent(event: unknown): Promise<NudgeResult> {
  const parsed = TrackDeploymentEventSchema.parse(event);
  const result = await trackDeployment(parsed, `${parsed.id}/${randomUUID()}`, cachedDeployDeps(process.env, 'track-deployment'));
  for (const name of outcomeMetrics(result)) (name === DEPLOYMENT_STUCK_METRIC ? stuckMetrics : metrics).addMetric(name, MetricUnit.Count, 1);
  logger.info('track-deployment handled an event', { ecsDeploymentId: parsed.detail.deploymentId, eventName: parsed.detail.eventName, result });
  return result;
}

/** Lambda entry point: middlewares first, handler last. */
export const handler = middy(trackDeploymentEvent)
  .use(injectLambdaContext(logger))
  .use(logMetrics([metrics, stuckMetrics], { captureColdStartMetric: true }))
  .use(parseEvent(TrackDeploymentEventSchema, (issues) => logger.error('event does not have the ECS Deployment State Change shape', { issues })));
