import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import * as z from '../../shared/zod';
import { EventPublisher } from '../../shared/adapters/event-publisher';
import { S3ObjectSource } from '../../shared/adapters/s3-object-source';
import { BASE_IMAGE_CHANGED, BaseImageChangedDetailSchema, EVENT_SOURCE, S3ObjectCreatedEventSchema } from '../../shared/events';
import { Ledger } from '../../shared/ledger';
import type { BaseImageChangedDeps, BaseImageChangedResult } from '../../shared/pipeline/base-image-changed';
import { handleBaseImageChanged } from '../../shared/pipeline/base-image-changed';
import type { ConfigUploadedDeps, ConfigUploadedResult } from '../../shared/pipeline/config-uploaded';
import { handleConfigUploaded } from '../../shared/pipeline/config-uploaded';
import { PipelineError } from '../../shared/pipeline/errors';
import type { EndpointOptions } from '../../shared/pipeline/image-endpoints';
import { openBuildEndpoints } from '../../shared/pipeline/image-endpoints';
import { ecrToken } from '../../shared/oci/registry/ecr-token';
import { RegistrySession } from '../../shared/oci/registry/session';
import { BuildImageEnvironmentSchema, readEnvironment } from '../../shared/pipeline/lambda-env';
import { parseEvent } from '../middleware/parse-event';

const logger = new Logger();
const metrics = new Metrics();

/** `Portal Base Image Changed`: rebuild the deployed config on a new base. */
export const BaseImageChangedEventSchema = z.object({
  source: z.literal(EVENT_SOURCE),
  'detail-type': z.literal(BASE_IMAGE_CHANGED),
  detail: BaseImageChangedDetailSchema,
});

/** Every event build-image consumes: a config upload, or a base image change. */
export const BuildImageEventSchema = z.discriminatedUnion('detail-type', [S3ObjectCreatedEventSchema, BaseImageChangedEventSchema]);

/** build-image's dependencies: the upload path's, plus what a rebuild needs. */
export type BuildImageDeps = ConfigUploadedDeps & { readonly rebuild: BaseImageChangedDeps | undefined };

/** The AWS SDK clients build-image calls; tests pass their own. */
export interface BuildImageClients {
  readonly s3?: S3Client;
  readonly ecr?: ECRClient;
  readonly eventbridge?: EventBridgeClient;
  readonly dynamodb?: DynamoDBClient;
}

/**
 * Builds the dependencies from the environment, once per cold start. S3, ECR,
 * EventBridge and DynamoDB are called through the AWS SDK clients, bundled and
 * tree-shaken like those of the other functions; their credentials come from the
 * environment Lambda sets (the bundle aliases the default chain to
 * `functions/credentials/env-provider.ts`, see `infra/README.md`).
 */
export async function depsFromEnvironment(env: NodeJS.ProcessEnv = process.env, clients: BuildImageClients = {}): Promise<BuildImageDeps> {
  const config = readEnvironment(BuildImageEnvironmentSchema, env, 'build-image');
  const options: EndpointOptions = {
    insecure: config.REGISTRY_INSECURE === 'true',
    ecrToken: ecrToken(clients.ecr ?? new ECRClient({})),
    // One version check and one ECR token for every repository this cold start opens (rebuilds included).
    session: new RegistrySession(),
    // Against the local emulator, its ECR endpoint is the registry too.
    ...(env.AWS_ENDPOINT_URL_ECR ? { ecrHosts: [new URL(env.AWS_ENDPOINT_URL_ECR).host] } : {}),
  };
  const endpoints = await openBuildEndpoints(config.BASE_IMAGE, config.TARGET_REPOSITORY_URI, options);
  // A local S3 endpoint has no bucket subdomains: path-style there (the SDK has no variable for it).
  const objects = new S3ObjectSource({ client: clients.s3 ?? new S3Client({ forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3) }) });
  const events = new EventPublisher({ busName: config.EVENT_BUS_NAME, client: clients.eventbridge ?? new EventBridgeClient({}) });
  const log: ConfigUploadedDeps['log'] = (level, message, fields) => logger[level](message, fields ?? {});
  const validation = {
    ...(config.WICKED_NODE_ENV ? { nodeEnv: config.WICKED_NODE_ENV } : {}),
    ...(config.WICKED_PLATFORM_VARIABLES ? { platformVariables: config.WICKED_PLATFORM_VARIABLES.split(',') } : {}),
    strict: config.WICKED_STRICT_VALIDATION === 'true',
  };
  const rebuild: BaseImageChangedDeps | undefined = config.LEDGER_TABLE_NAME === undefined ? undefined : {
    validation,
    ledger: new Ledger({ client: DynamoDBDocumentClient.from(clients.dynamodb ?? new DynamoDBClient({})), tableName: config.LEDGER_TABLE_NAME }),
    objects, events, log,
    image: { target: endpoints.target, platform: config.PLATFORM },
    defaultBaseImage: config.BASE_IMAGE,
    openBase: async (reference) => {
      const opened = await openBuildEndpoints(reference, config.TARGET_REPOSITORY_URI, options);
      const manifest = await opened.base.repository.fetchManifest(opened.base.reference);
      if (!manifest) throw new PipelineError('BASE_NOT_FOUND', `opening base ${reference}: no manifest under ${opened.base.reference} in ${opened.base.repository.name}`, { reference });
      return { base: opened.base, digest: manifest.digest };
    },
  };
  return { objects, events, image: { base: endpoints.base, target: endpoints.target, platform: config.PLATFORM }, log, rebuild, validation };
}

let deps: Promise<BuildImageDeps> | undefined;

/** The handler body: one upload or base change in, at most one event out; metrics for the outcome. */
export async function buildImage(event: unknown): Promise<ConfigUploadedResult | BaseImageChangedResult> {
  deps ??= depsFromEnvironment();
  const parsed = BuildImageEventSchema.parse(event);
  const started = Date.now();
  const result = parsed['detail-type'] === BASE_IMAGE_CHANGED ? await rebuild(parsed.detail, await deps) : await handleConfigUploaded(parsed, await deps);
  const prefix = parsed['detail-type'] === BASE_IMAGE_CHANGED ? 'Rebuild' : 'Config';
  metrics.addMetric(`${prefix}${pascal(result.outcome)}`, MetricUnit.Count, 1);
  metrics.addMetric('BuildDuration', MetricUnit.Milliseconds, Date.now() - started);
  if (result.outcome === 'built') metrics.addMetric('UploadedBytes', MetricUnit.Bytes, result.uploadedBytes);
  logger.info(`${parsed['detail-type']} handled`, { outcome: result.outcome, ...('detail' in result ? { detail: result.detail } : { reason: result.reason }) });
  return result;
}

function rebuild(detail: z.infer<typeof BaseImageChangedDetailSchema>, built: BuildImageDeps): Promise<BaseImageChangedResult> {
  if (!built.rebuild) throw new PipelineError('LEDGER_NOT_CONFIGURED', `rebuilding ${detail.env} on ${detail.baseImage ?? 'the configured base'}: expected LEDGER_TABLE_NAME in the environment of build-image, received none`, { env: detail.env });
  return handleBaseImageChanged(detail, built.rebuild);
}

/** `nothing-deployed` → `NothingDeployed`. */
function pascal(outcome: string): string {
  return outcome.split('-').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
}

/** Lambda entry point: middlewares first, handler last. */
export const handler = middy(buildImage)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(parseEvent(BuildImageEventSchema, (issues) => logger.error('event is neither an S3 Object Created nor a Portal Base Image Changed', { issues })));
