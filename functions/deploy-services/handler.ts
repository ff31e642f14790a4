import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import * as z from '../../shared/zod';
import { checkStuckDeployment, deployServices, restartService, resumeOnSnapshotOutcome, resumeStrictDeployment } from '../../shared/deploy';
import type { DeployServicesResult, RestartResult, ResumeResult, SnapshotResumeResult, TrackResult } from '../../shared/deploy';
import { DeployDetailType, DetailType, EcsTaskStateChangeEventSchema, EVENT_SOURCE, ImageBuiltDetailSchema, StuckCheckDueDetailSchema } from '../../shared/events';
import { OperatorDetailType, ServiceRestartRequestedDetailSchema } from '../../shared/events/operator';
import { SnapshotDetailType, SnapshotOutcomeDetailSchema } from '../../shared/snapshot/events';
import { parseEvent } from '../middleware/parse-event';
import { cachedDeployDeps } from './deps';
import { DEPLOYMENT_STUCK_METRIC, isStuckDeployment } from './outcome-metrics';

const logger = new Logger();
const metrics = new Metrics();

/** `Portal Image Built`: a new image to roll. */
export const ImageBuiltEventSchema = z.object({
  id: z.string().check(z.minLength(1)),
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.literal(DetailType.ImageBuilt),
  detail: ImageBuiltDetailSchema,
});

/** `Portal Stuck Check Due`: a deployment's deadline passed. */
export const StuckCheckDueEventSchema = z.object({
  id: z.string().check(z.minLength(1)),
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.literal(DeployDetailType.StuckCheckDue),
  detail: StuckCheckDueDetailSchema,
});

/** `Portal Snapshot Completed`: the pre-deploy snapshot a deployment waits for may let it roll. */
export const SnapshotCompletedEventSchema = z.object({
  id: z.string().check(z.minLength(1)),
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.literal(SnapshotDetailType.Completed),
  detail: SnapshotOutcomeDetailSchema,
});

/** `Portal Snapshot Failed`: a deployment waiting for this snapshot is blocked. */
export const SnapshotFailedEventSchema = z.extend(SnapshotCompletedEventSchema, { 'detail-type': z.literal(SnapshotDetailType.Failed) });

/** `Portal Service Restart Requested`: `wickedctl restart` of one service. */
export const ServiceRestartRequestedEventSchema = z.object({
  id: z.string().check(z.minLength(1)),
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.literal(OperatorDetailType.ServiceRestartRequested),
  detail: ServiceRestartRequestedDetailSchema,
});

/** Every event deploy-services consumes; the EventBridge event id owns leases, so it is required. */
export const DeployServicesEventSchema = z.discriminatedUnion('detail-type', [
  ImageBuiltEventSchema,
  z.extend(EcsTaskStateChangeEventSchema, { id: z.string().check(z.minLength(1)) }),
  StuckCheckDueEventSchema,
  SnapshotCompletedEventSchema,
  SnapshotFailedEventSchema,
  ServiceRestartRequestedEventSchema,
]);
/** An event deploy-services consumes, parsed. */
export type DeployServicesEvent = z.infer<typeof DeployServicesEventSchema>;

/** What deploy-services did, by the event it received. */
export type DeployServicesHandlerResult = DeployServicesResult | ResumeResult | TrackResult | SnapshotResumeResult | RestartResult;

/**
 * The handler body: `Portal Image Built` admits and rolls, `ECS Task State
 * Change` resumes a strict singleton deployment, `Portal Stuck Check Due`
 * fails a deployment past its deadline, `Portal Snapshot Completed` /
 * `Failed` lets a deployment waiting for its pre-deploy snapshot roll or
 * blocks it, `Portal Service Restart Requested` restarts one service through
 * the ledger. Dependencies are built once per
 * environment (see {@link cachedDeployDeps}).
 *
 * @example
 * await deployServicesEvent(imageBuiltEvent); // { action: 'rolling', ... }
 */
export async function deployServicesEvent(event: unknown): Promise<DeployServicesHandlerResult> {
  const parsed = DeployServicesEventSchema.parse(event);
  const deps = cachedDeployDeps(process.env, 'deploy-services');
  const result = await dispatch(parsed, deps);
  metrics.addMetric(`Deploy${pascal(result.action)}`, MetricUnit.Count, 1);
  if (isStuckDeployment(result)) metrics.addMetric(DEPLOYMENT_STUCK_METRIC, MetricUnit.Count, 1);
  // Ignored duplicates and older events are logged with the ledger's reason: the trail of what was not applied.
  logger.info('deploy-services handled an event', { detailType: parsed['detail-type'], eventId: parsed.id, result });
  return result;
}

function dispatch(event: DeployServicesEvent, deps: ReturnType<typeof cachedDeployDeps>): Promise<DeployServicesHandlerResult> {
  switch (event['detail-type']) {
    case DetailType.ImageBuilt: return deployServices(event.detail, event.id, deps);
    case 'ECS Task State Change': return resumeStrictDeployment(event, event.id, deps);
    case DeployDetailType.StuckCheckDue: return checkStuckDeployment(event.detail, event.id, deps);
    case SnapshotDetailType.Completed:
    case SnapshotDetailType.Failed: return resumeOnSnapshotOutcome(event.detail, event.id, deps);
    case OperatorDetailType.ServiceRestartRequested: return restartService(event.detail, event.id, deps);
  }
}

/** `ignored-duplicate` → `IgnoredDuplicate`. */
function pascal(action: string): string {
  return action.split('-').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
}

/** Lambda entry point: middlewares first, handler last. */
export const handler = middy(deployServicesEvent)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(parseEvent(DeployServicesEventSchema, (issues) => logger.error('event is not one deploy-services consumes', { issues })));
