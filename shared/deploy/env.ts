import * as z from '../zod';
import { readEnvironment } from '../pipeline/lambda-env';

/** Where one environment's portal-api runs and how it is rolled. */
export const DeployTargetSchema = z.strictObject({
  cluster: z.string().check(z.minLength(1)),
  /** The service whose image the config build produces (portal-api). */
  service: z.string().check(z.minLength(1)),
  /** ECR repository of the built image and of the release tag. */
  repositoryName: z.string().check(z.minLength(1)),
  /** Release tag the task definition names. @default `<env>-live` */
  releaseTag: z.optional(z.string().check(z.minLength(1))),
  /** Scale to 0 and wait for zero tasks before starting the new one. @default false */
  strictSingleton: z._default(z.boolean(), false),
  /** Container whose image digest identifies what runs. @default the task's first container */
  containerName: z.optional(z.string().check(z.minLength(1))),
  /** Services of the cluster `wickedctl restart` may restart. @default [service] */
  restartable: z.optional(z.array(z.string().check(z.minLength(1)))),
  /**
   * The environment's other singleton services (never a gateway): each one at
   * desired count 0 is set to 1 once `service` has a good deployment (they
   * wait for portal-api at start, so the stack creates them with no task).
   * @default [] (none)
   */
  singletons: z.optional(z.array(z.string().check(z.minLength(1)))),
});
/** Where one environment's portal-api runs and how it is rolled. */
export type DeployTarget = z.output<typeof DeployTargetSchema>;

/** Deploy targets by environment name. */
export const DeployTargetsSchema = z.record(z.string().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/)), DeployTargetSchema);
/** Deploy targets by environment name. */
export type DeployTargets = z.output<typeof DeployTargetsSchema>;

/** A variable holding JSON, parsed. */
const jsonText = z.pipe(z.string(), z.transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    ctx.issues.push({ code: 'custom', message: `expected JSON, received ${(error as Error).message}`, input: text });
    return z.NEVER;
  }
}));
const jsonTargets = z.pipe(jsonText, DeployTargetsSchema);

/** Environment of the deploy-services and track-deployment functions. */
export const DeployEnvironmentSchema = z.object({
  LEDGER_TABLE_NAME: z.string().check(z.minLength(3)),
  EVENT_BUS_NAME: z.string().check(z.minLength(1)),
  /** JSON of {@link DeployTargetsSchema}. */
  DEPLOY_TARGETS: jsonTargets,
  LEASE_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), 120),
  /** A rollout without terminal ECS event after this long is stuck. */
  STUCK_AFTER_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), 1800),
  /** A strict singleton that does not drain within this long is stuck. */
  WAIT_FOR_ZERO_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), 600),
  /** The operators' SNS topic. */
  NOTIFY_TOPIC_ARN: z.string().check(z.regex(/^arn:aws[a-z-]*:sns:[^:]*:[^:]*:.+$/, 'expected an SNS topic ARN')),
  /** EventBridge Scheduler group of the one-shot stuck checks. */
  STUCK_CHECK_GROUP_NAME: z.string().check(z.regex(/^[0-9a-zA-Z_.-]{1,64}$/, 'expected a schedule group name')),
  /** Role EventBridge Scheduler assumes to put `Portal Stuck Check Due` on the bus. */
  STUCK_CHECK_ROLE_ARN: z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d*:role\/.+$/, 'expected an IAM role ARN')),
  /** ARN of the bus the stuck checks are put on (the bus of `EVENT_BUS_NAME`). */
  EVENT_BUS_ARN: z.string().check(z.regex(/^arn:aws[a-z-]*:events:[^:]*:[^:]*:event-bus\/.+$/, 'expected an event bus ARN')),
  /** Take a snapshot before rolling: `true` or `false`. @default on for an environment named `prod` */
  PRE_DEPLOY_SNAPSHOT: z.optional(z.pipe(z.enum(['true', 'false']), z.transform((value) => value === 'true'))),
  /**
   * JSON array of the dynamic data the pre-deploy snapshot covers (the EFS file system, the RDS instance when
   * persistent): the gate lets a deployment roll only with a recovery point of each. @default [] (the resources with a job)
   */
  SNAPSHOT_RESOURCE_ARNS: z._default(z.pipe(jsonText, z.array(z.string().check(z.regex(/^arn:aws[a-z-]*:/, 'expected an ARN')))), []),
  /** A deployment whose pre-deploy snapshot has no outcome after this long fails as stuck. */
  PRE_DEPLOY_SNAPSHOT_WAIT_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), 7200),
});
/** Environment of the deploy functions, parsed. */
export type DeployEnvironment = z.output<typeof DeployEnvironmentSchema>;

/**
 * Reads the deploy functions' environment once at cold start.
 *
 * @example
 * const env = readDeployEnvironment(process.env, 'deploy-services');
 */
export function readDeployEnvironment(env: NodeJS.ProcessEnv, fn: string): DeployEnvironment {
  return readEnvironment(DeployEnvironmentSchema, env, fn);
}

/** The services of a target that may be restarted, its own service always among them. */
export function restartableServices(target: DeployTarget): readonly string[] {
  return [...new Set([target.service, ...(target.restartable ?? [])])];
}

/** The singletons a target brings up after portal-api's first good deployment: never its own service (its count is the deployment's). */
export function companionSingletons(target: DeployTarget): readonly string[] {
  return [...new Set(target.singletons ?? [])].filter((name) => name !== target.service);
}

/** The release tag of an environment's target. */
export function releaseTagOf(env: string, target: DeployTarget): string {
  return target.releaseTag ?? `${env}-live`;
}
