import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import * as z from '../../shared/zod';
import { trackDeployment } from '../../shared/deploy';
import type { TrackResult } from '../../shared/deploy';
import { EcsDeploymentStateChangeEventSchema } from '../../shared/events';
import { cachedDeployDeps } from '../deploy-services/deps';
import { parseEvent } from '../middleware/parse-event';

const logger = new Logger();
const metrics = new Metrics();

/** `ECS Deployment State Change` with the EventBridge event id, which owns the lease of a queued deployment started next. */
export const TrackDeploymentEventSchema = z.extend(EcsDeploymentStateChangeEventSchema, { id: z.string().check(z.minLength(1)) });

/**
 * The handler body: decides the outcome of the rollout in flight from one
 * ECS deployment event and ECS's own view of the service (see
 * `trackDeployment`); failures move the release back and notify.
 *
 * @example
 * await trackDeploymentEvent(ecsDeploymentEvent); // { action: 'succeeded', deploymentId, ... }
 */
export async function trackDeploymentEvent(event: unknown): Promise<TrackResult> {
  const parsed = TrackDeploymentEventSchema.parse(event);
  const result = await trackDeployment(parsed, parsed.id, cachedDeployDeps(process.env, 'track-deployment'));
  if (result.action === 'succeeded' || result.action === 'failed') metrics.addMetric(result.action === 'succeeded' ? 'DeploymentSucceeded' : 'DeploymentFailed', MetricUnit.Count, 1);
  logger.info('track-deployment handled an event', { ecsDeploymentId: parsed.detail.deploymentId, eventName: parsed.detail.eventName, result });
  return result;
}

/** Lambda entry point: middlewares first, handler last. */
export const handler = middy(trackDeploymentEvent)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(parseEvent(TrackDeploymentEventSchema, (issues) => logger.error('event does not have the ECS Deployment State Change shape', { issues })));
