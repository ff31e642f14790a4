import type { EventPublisher } from '../adapters/event-publisher';
import type { S3ObjectSource } from '../adapters/s3-object-source';
import type { ConfigRejectedDetail, ImageBuiltDetail, S3ObjectCreatedEvent } from '../events';
import { DetailType, envFromConfigKey, gitRevision, uploadRequestedAt } from '../events';
import type { BuildProgress, BuildRequest } from '../oci';
import type { ValidationIssue } from '../wicked-config';
import type { BuildConfigRequest } from './build-config';
import { buildConfigImage } from './build-config';

/** Issues carried in one `Portal Config Rejected` event; the count says how many there were. */
export const MAX_EVENT_ISSUES = 200;
/** Longest issue message carried in an event. */
export const MAX_ISSUE_MESSAGE = 500;

/** What the handler needs, all passed in. */
export interface ConfigUploadedDeps {
  readonly objects: Pick<S3ObjectSource, 'open'>;
  readonly events: Pick<EventPublisher, 'publish'>;
  /** The base image and the target repository (ECR). */
  readonly image: Pick<BuildRequest, 'base' | 'target' | 'platform'>;
  readonly onProgress?: (event: BuildProgress) => void;
  readonly log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
  /** How the configuration is validated for the environment it deploys to. @default NODE_ENV = the environment name, platform variables NODE_ENV and PORTAL_CONFIG_KEY, not strict */
  readonly validation?: ValidationSettings;
}

/** The platform's side of validation: what build-image's environment says about the target. */
export interface ValidationSettings {
  /** wicked's NODE_ENV for the environment (the `nodeEnv` prop). @default the environment name */
  readonly nodeEnv?: string;
  /** Variables the task definition sets (platform, Postgres, operator-declared). @default PLATFORM_VARIABLES */
  readonly platformVariables?: readonly string[];
  /** Warnings reject the configuration too (the `strictValidation` prop). @default false */
  readonly strict?: boolean;
}

/** What one upload led to. */
export type ConfigUploadedResult =
  | { readonly outcome: 'ignored'; readonly reason: string }
  | { readonly outcome: 'rejected'; readonly detail: ConfigRejectedDetail }
  | { readonly outcome: 'built'; readonly detail: ImageBuiltDetail; readonly uploadedBytes: number; readonly skipped: boolean };

/**
 * Handles one S3 "Object Created" event of the config bucket: streams the
 * object by version id, validates and builds it, and puts exactly one event
 * on the bus, `Portal Image Built` or `Portal Config Rejected`. Keys outside
 * `config/<env>/<name>.(tar.gz|tgz|tar|zip)` are ignored. Registry and S3
 * failures are thrown (the invocation is retried, then dead-lettered); no
 * event is published for them.
 */
export async function handleConfigUploaded(event: S3ObjectCreatedEvent, deps: ConfigUploadedDeps): Promise<ConfigUploadedResult> {
  const { bucket, object } = event.detail;
  const env = envFromConfigKey(object.key);
  if (!env) {
    const reason = `key ${object.key} is not config/<env>/<name>.(tar.gz|tgz|tar|zip)`;
    deps.log?.('warn', `ignoring upload: ${reason}`, { bucket: bucket.name, key: object.key });
    return { outcome: 'ignored', reason };
  }
  const where = {
    env,
    bucket: bucket.name,
    key: object.key,
    ...(object['version-id'] ? { versionId: object['version-id'] } : {}),
    ...(object.sequencer ? { sequencer: object.sequencer } : {}),
  };
  const { body, metadata } = await deps.objects.open({ bucket: bucket.name, key: object.key, ...(where.versionId ? { versionId: where.versionId } : {}) });
  const revision = gitRevision(metadata);
  // The ledger orders uploads of different keys by it: the build's own duration must not decide which is newer.
  const requestedAt = uploadRequestedAt(event.time, metadata);
  const outcome = await buildConfigImage({
    source: { stream: body, name: object.key },
    ...validationRequest(env, deps.validation),
    read: { origin: `s3://${bucket.name}/${object.key}${where.versionId ? `@${where.versionId}` : ''}` },
    onWarning: (warning) => deps.log?.('warn', warning.message, { path: warning.path, code: warning.code }),
    image: {
      ...deps.image,
      source: { kind: 's3', bucket: bucket.name, key: object.key, ...(where.versionId ? { versionId: where.versionId } : {}), ...(revision ? { revision } : {}) },
      ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
    },
  });
  if (outcome.kind === 'rejected') {
    const detail: ConfigRejectedDetail = { ...where, reason: outcome.reason, issues: eventIssues(outcome.report.issues), issueCount: outcome.report.issues.length };
    await deps.events.publish(DetailType.ConfigRejected, detail, [`arn:aws:s3:::${bucket.name}/${object.key}`]);
    return { outcome: 'rejected', detail };
  }
  const { result, report } = outcome;
  const detail: ImageBuiltDetail = { ...where, configHash: report.configHash, imageUri: result.imageRef, digest: result.digest, tag: result.tag, ...warningsDetail(report.issues), ...(revision ? { revision } : {}), ...(requestedAt ? { requestedAt } : {}) };
  await deps.events.publish(DetailType.ImageBuilt, detail, [`arn:aws:s3:::${bucket.name}/${object.key}`]);
  return { outcome: 'built', detail, uploadedBytes: result.uploadedBytes, skipped: result.skipped };
}

/**
 * The validator's request for a platform environment: only the wicked
 * environment it runs (NODE_ENV) is judged, since the others never start
 * there; its variables are the task definition's.
 *
 * @example
 * validationRequest('prod', { nodeEnv: 'k8s' }) // { envs: ['k8s'], validation: { nodeEnvSetting: ..., } }
 */
export function validationRequest(env: string, settings: ValidationSettings = {}): Pick<BuildConfigRequest, 'envs' | 'validation'> {
  return {
    envs: [settings.nodeEnv ?? env],
    validation: {
      nodeEnvSetting: `the nodeEnv prop of platform environment "${env}"`,
      ...(settings.platformVariables ? { platformVariables: [...settings.platformVariables] } : {}),
      ...(settings.strict ? { strict: true } : {}),
    },
  };
}

/**
 * The `warnings` and `warningCount` of a `Portal Image Built` detail: the
 * validator's warnings of a configuration that was built, cut to fit.
 *
 * @example
 * warningsDetail(report.issues) // {} without warnings, else { warnings: [...], warningCount: 3 }
 */
export function warningsDetail(issues: readonly ValidationIssue[]): Pick<ImageBuiltDetail, 'warnings' | 'warningCount'> {
  const warnings = issues.filter((issue) => issue.severity === 'warning');
  return warnings.length > 0 ? { warnings: eventIssues(warnings), warningCount: warnings.length } : {};
}

/** Issues cut to fit an event (256 KB): at most {@link MAX_EVENT_ISSUES}, messages shortened. */
export function eventIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  return issues.slice(0, MAX_EVENT_ISSUES).map((issue) =>
    issue.message.length > MAX_ISSUE_MESSAGE ? { ...issue, message: `${issue.message.slice(0, MAX_ISSUE_MESSAGE - 1)}…` } : issue,
  );
}
