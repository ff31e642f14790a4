import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import * as z from '../../shared/zod';
import { AwsHttpClient, HttpEventPublisher, HttpLedgerReader, HttpS3ObjectSource, httpEcrToken } from '../../shared/aws-http';
import { BASE_IMAGE_CHANGED, BaseImageChangedDetailSchema, EVENT_SOURCE, S3ObjectCreatedEventSchema } from '../../shared/events';
import type { BaseImageChangedDeps, BaseImageChangedResult } from '../../shared/pipeline/base-image-changed';
import { handleBaseImageChanged } from '../../shared/pipeline/base-image-changed';
import type { ConfigUploadedDeps, ConfigUploadedResult } from '../../shared/pipeline/config-uploaded';
import { handleConfigUploaded } from '../../shared/pipeline/config-uploaded';
import { PipelineError } from '../../shared/pipeline/errors';
import type { EndpointOptions } from '../../shared/pipeline/image-endpoints';
import { openBuildEndpoints } from '../../shared/pipeline/image-endpoints';
import { RegistrySession } from '../../shared/oci/registry/session';
import { BuildImageEnvironmentSchema, readEnvironment } from '../../shared/pipeline/lambda-env';
import { defaultProvider } from '../credentials/env-provider';
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

/**
 * Builds the dependencies from the environment, once per cold start. S3, ECR,
 * EventBridge and DynamoDB are called through the lean client
 * (`shared/aws-http`) with the environment's credentials, as Lambda sets
 * them: the AWS SDK clients would cost this function about 180 ms of import
 * from the runtime, or about 450 KB bundled (see `infra/README.md`).
 */
export async function depsFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<BuildImageDeps> {
  const config = readEnvironment(BuildImageEnvironmentSchema, env, 'build-image');
  const credentials = defaultProvider();
  const client = (service: 's3' | 'ecr' | 'events' | 'dynamodb'): AwsHttpClient => new AwsHttpClient({ service, credentials, env });
  const options: EndpointOptions = {
    insecure: config.REGISTRY_INSECURE === 'true',
    ecrToken: httpEcrToken(client('ecr')),
    // One version check and one ECR token for every repository this cold start opens (rebuilds included).
    session: new RegistrySession(),
    // Against the local emulator, its ECR endpoint is the registry too.
    ...(env.AWS_ENDPOINT_URL_ECR ? { ecrHosts: [new URL(env.AWS_ENDPOINT_URL_ECR).host] } : {}),
  };
  const endpoints = await openBuildEndpoints(config.BASE_IMAGE, config.TARGET_REPOSITORY_URI, options);
  const objects = new HttpS3ObjectSource({ client: client('s3') });
  const events = new HttpEventPublisher({ busName: config.EVENT_BUS_NAME, client: client('events') });
  const log: ConfigUploadedDeps['log'] = (level, message, fields) => logger[level](message, fields ?? {});
  const validation = {
    ...(config.WICKED_NODE_ENV ? { nodeEnv: config.WICKED_NODE_ENV } : {}),
    ...(config.WICKED_PLATFORM_VARIABLES ? { platformVariables: config.WICKED_PLATFORM_VARIABLES.split(',') } : {}),
    strict: config.WICKED_STRICT_VALIDATION === 'true',
  };
  const rebuild: BaseImageChangedDeps | undefined = config.LEDGER_TABLE_NAME === undefined ? undefined : {
    validation,
    ledger: new HttpLedgerReader({ client: client('dynamodb'), tableName: config.LEDGER_TABLE_NAME }),
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
