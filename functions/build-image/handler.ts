import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import { EventPublisher } from '../../shared/adapters/event-publisher';
import { S3ObjectSource } from '../../shared/adapters/s3-object-source';
import { S3ObjectCreatedEventSchema } from '../../shared/events';
import type { ConfigUploadedDeps, ConfigUploadedResult } from '../../shared/pipeline/config-uploaded';
import { handleConfigUploaded } from '../../shared/pipeline/config-uploaded';
import { openBuildEndpoints } from '../../shared/pipeline/image-endpoints';
import { BuildImageEnvironmentSchema, readEnvironment } from '../../shared/pipeline/lambda-env';
import { parseEvent } from '../middleware/parse-event';

const logger = new Logger();
const metrics = new Metrics();

/** Builds the dependencies from the environment, once per cold start. */
export async function depsFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<ConfigUploadedDeps> {
  const config = readEnvironment(BuildImageEnvironmentSchema, env, 'build-image');
  const endpoints = await openBuildEndpoints(config.BASE_IMAGE, config.TARGET_REPOSITORY_URI, {
    insecure: config.REGISTRY_INSECURE === 'true',
    ecrClient: new ECRClient({}),
    // Against the local emulator, its ECR endpoint is the registry too.
    ...(env.AWS_ENDPOINT_URL_ECR ? { ecrHosts: [new URL(env.AWS_ENDPOINT_URL_ECR).host] } : {}),
  });
  return {
    objects: new S3ObjectSource({ client: new S3Client({ forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3) }) }),
    events: new EventPublisher({ busName: config.EVENT_BUS_NAME, client: new EventBridgeClient({}) }),
    image: { base: endpoints.base, target: endpoints.target, platform: config.PLATFORM },
    log: (level, message, fields) => logger[level](message, fields ?? {}),
  };
}

let deps: Promise<ConfigUploadedDeps> | undefined;

/** The handler body: one upload in, one event out; metrics for the outcome. */
export async function buildImage(event: unknown): Promise<ConfigUploadedResult> {
  deps ??= depsFromEnvironment();
  const parsed = S3ObjectCreatedEventSchema.parse(event);
  const started = Date.now();
  const result = await handleConfigUploaded(parsed, await deps);
  metrics.addMetric(`Config${result.outcome[0]!.toUpperCase()}${result.outcome.slice(1)}`, MetricUnit.Count, 1);
  metrics.addMetric('BuildDuration', MetricUnit.Milliseconds, Date.now() - started);
  if (result.outcome === 'built') metrics.addMetric('UploadedBytes', MetricUnit.Bytes, result.uploadedBytes);
  logger.info('config upload handled', { outcome: result.outcome, ...('detail' in result ? { detail: result.detail } : { reason: result.reason }) });
  return result;
}

/** Lambda entry point: middlewares first, handler last. */
export const handler = middy(buildImage)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(parseEvent(S3ObjectCreatedEventSchema, (issues) => logger.error('event does not have the S3 Object Created shape', { issues })));
