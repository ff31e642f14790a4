import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { randomUUID } from 'node:crypto';
import * as z from '../../shared/zod';
import { deployServices, nudgeOnSnapshotOutcome, nudgeOnTaskStateChange, reconcileDue, restartService } from '../../shared/deploy';
import type { DeployServicesResult, NudgeResult, RestartResult } from '../../shared/deploy';
import { DeployDetailType, DetailType, EcsTaskStateChangeEventSchema, EVENT_SOURCE, ImageBuiltDetailSchema, StuckCheckDueDetailSchema } from '../../shared/events';
import { ReconcileDueDetailSchema } from '../../shared/events/deploy';
import { OperatorDetailType, ServiceRestartRequestedDetailSchema } from '../../shared/events/operator';
import { SnapshotDetailType, SnapshotOutcomeDetailSchema } from '../../shared/snapshot/events';
import { parseEvent } from '../middleware/parse-event';
import { cachedDeployDeps } from './deps';
import { outcomeMetrics } from './outcome-metrics';

const logger = new Logger();
const metrics = new Metrics();

/** `Portal Image Built`: a new image to roll. */
export const ImageBuiltEventSchema = z.object({
  id: z.string().check(z.minLength(1)),
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.literal(DetailType.ImageBuilt),
  /** When EventBridge received it: the request time of a rollback or promotion. */
  time: z.optional(z.string()),
  detail: ImageBuiltDetailSchema,
});

/** `Portal Stuck Check Due`: a deployment's deadline passed. */
export const StuckCheckDueEventSchema = z.object({
  id: z.string().check(z.minLength(1)),
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.literal(DeployDetailType.StuckCheckDue),
  detail: StuckCheckDueDetailSchema,
});

/** `Portal Reconcile Due`: the environment's safety-net nudge. */
export const ReconcileDueEventSchema = z.object({
  id: z.string().check(z.minLength(1)),
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.literal(DeployDetailType.ReconcileDue),
  detail: ReconcileDueDetailSchema,
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
  ReconcileDueEventSchema,
  SnapshotCompletedEventSchema,
  SnapshotFailedEventSchema,
  ServiceRestartRequestedEventSchema,
]);
/** An event deploy-services consumes, parsed. */
export type DeployServicesEvent = z.infer<typeof DeployServicesEventSchema>;

/** What deploy-services did, by the event it received. */
export type DeployServicesHandlerResult = DeployServicesResult | NudgeResult | RestartResult;

/**
 * The handler body: `Portal Image Built` and `Portal Service Restart
 * Requested` are admitted into the ledger; every event then reconciles its
 * environment (`ECS Task State Change`, `Portal Stuck Check Due`, `Portal
 * Reconcile Due`, `Portal Snapshot Completed` / `Failed` only nudge). The
 * lease owner is the event id plus a nonce: a duplicate delivery running
 * beside this one never shares its lease. Dependencies are built once per
 * environment (see {@link cachedDeployDeps}).
 *
 * @example
 * await deployServicesEvent(imageBuiltEvent); // { action: 'rolling', ... }
 */
export async function deployServicesEvent(event: unknown): Promise<DeployServicesHandlerResult> {
  const parsed = DeployServicesEventSchema.parse(event);
  const deps = cachedDeployDeps(process.env, 'deploy-services');
  const result = await dispatch(parsed, `${parsed.id}/${randomUUID()}`, deps);
  metrics.addMetric(`Deploy${pascal(result.action)}`, MetricUnit.Count, 1);
  for (const name of outcomeMetrics(result)) metrics.addMetric(name, MetricUnit.Count, 1);
  // Ignored duplicates and older events are logged with the ledger's reason: the trail of what was not applied.
  logger.info('deploy-services handled an event', { detailType: parsed['detail-type'], eventId: parsed.id, result });
  return result;
}

function dispatch(event: DeployServicesEvent, owner: string, deps: ReturnType<typeof cachedDeployDeps>): Promise<DeployServicesHandlerResult> {
  switch (event['detail-type']) {
    case DetailType.ImageBuilt: return deployServices(event.detail, owner, deps, event.time);
    case 'ECS Task State Change': return nudgeOnTaskStateChange(event, owner, deps);
    case DeployDetailType.StuckCheckDue:
    case DeployDetailType.ReconcileDue: return reconcileDue(event.detail, owner, deps);
    case SnapshotDetailType.Completed:
    case SnapshotDetailType.Failed: return nudgeOnSnapshotOutcome(event.detail, owner, deps);
    case OperatorDetailType.ServiceRestartRequested: return restartService(event.detail, owner, deps);
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
