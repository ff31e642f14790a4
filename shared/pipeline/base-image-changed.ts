import type { EventPublisher } from '../adapters/event-publisher';
import type { S3ObjectSource } from '../adapters/s3-object-source';
import type { BaseImageChangedDetail, ImageBuiltDetail } from '../events';
import { DetailType } from '../events';
import type { DeploymentRecord, Ledger } from '../ledger';
import type { BuildRequest } from '../oci';
import { buildConfigImage } from './build-config';
import type { ValidationSettings } from './config-uploaded';
import { validationRequest, warningsDetail } from './config-uploaded';
import { PipelineError } from './errors';

/** A base image opened for a build, with the manifest digest its reference names now. */
export interface OpenedBase {
  readonly base: BuildRequest['base'];
  readonly digest: string;
}

/** What {@link handleBaseImageChanged} needs, all passed in. */
export interface BaseImageChangedDeps {
  readonly ledger: Pick<Ledger, 'getEnvironment' | 'getDeployment'>;
  readonly objects: Pick<S3ObjectSource, 'open'>;
  readonly events: Pick<EventPublisher, 'publish'>;
  /** Opens a base reference against the target registry (credentials, mounts). */
  readonly openBase: (reference: string) => Promise<OpenedBase>;
  readonly image: Pick<BuildRequest, 'target' | 'platform'>;
  /** The base build-image is configured with: used when the event names none. */
  readonly defaultBaseImage: string;
  readonly log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
  /** Validation for the environment, as for uploads. @default see {@link ValidationSettings} */
  readonly validation?: ValidationSettings;
}

/** What one base change led to. */
export type BaseImageChangedResult =
  | { readonly outcome: 'nothing-deployed' | 'unchanged' | 'rejected'; readonly reason: string }
  | { readonly outcome: 'built'; readonly detail: ImageBuiltDetail; readonly uploadedBytes: number; readonly skipped: boolean };

/**
 * Rebuilds the configuration an environment runs on a new base image: reads
 * the last good deployment from the ledger, streams that exact S3 object
 * version, builds it on `detail.baseImage` and puts `Portal Image Built` with
 * `rebuildOf` and `baseDigest` on the bus; deploy-services rolls it through
 * the ledger like any build. No operator upload is involved.
 *
 * No event is published when nothing is deployed yet (the first upload
 * builds on the new base anyway). When the rebuilt image is the one running
 * (same base and config bytes give the same digest: a duplicate trigger) the
 * outcome is `unchanged`, and the event is still put: deploy-services admits
 * it as unchanged (no ECS or ECR change) and the ledger records the rebuild,
 * so `wickedctl rebuild --follow` ends with `unchanged`.
 *
 * @example
 * await handleBaseImageChanged({ env: 'prod', baseImage: '1.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/haufelexware/wicked.api:1.0.1' }, deps);
 */
export async function handleBaseImageChanged(detail: BaseImageChangedDetail, deps: BaseImageChangedDeps): Promise<BaseImageChangedResult> {
  const { env } = detail;
  const baseImage = detail.baseImage ?? deps.defaultBaseImage;
  const good = (await deps.ledger.getEnvironment(env))?.lastGood;
  if (!good) {
    const reason = `nothing deployed in ${env} yet: the next config upload builds on ${baseImage}`;
    deps.log?.('info', `base image changed, no rebuild: ${reason}`, { env, baseImage });
    return { outcome: 'nothing-deployed', reason };
  }
  const record = await deps.ledger.getDeployment(env, good.deploymentId);
  if (!record) {
    throw new PipelineError('LAST_GOOD_RECORD_MISSING', `rebuilding ${env} on ${baseImage}: the ledger names ${good.deploymentId} as the last good deployment but holds no record of it, so its config archive is unknown`, { env, deploymentId: good.deploymentId });
  }
  const opened = await deps.openBase(baseImage);
  const where = `s3://${record.bucket}/${record.key}${record.versionId ? `@${record.versionId}` : ''}`;
  const { body } = await deps.objects.open({ bucket: record.bucket, key: record.key, ...(record.versionId ? { versionId: record.versionId } : {}) });
  const outcome = await buildConfigImage({
    source: { stream: body, name: record.key },
    ...validationRequest(env, deps.validation),
    read: { origin: where },
    onWarning: (warning) => deps.log?.('warn', warning.message, { path: warning.path, code: warning.code }),
    image: { ...deps.image, base: opened.base, source: { kind: 's3', bucket: record.bucket, key: record.key, ...(record.versionId ? { versionId: record.versionId } : {}) } },
  });
  if (outcome.kind === 'rejected') {
    const reason = `${where} (deployed as ${good.deploymentId}) no longer passes validation: ${outcome.report.issues.filter((i) => i.severity === 'error' || deps.validation?.strict).slice(0, 3).map((i) => `${i.file}: ${i.message}`).join('; ')}`;
    deps.log?.('warn', `base image changed, rebuild refused: ${reason}`, { env, baseImage });
    return { outcome: 'rejected', reason };
  }
  const { result } = outcome;
  const built = { ...rebuiltDetail(env, record, good.deploymentId, opened.digest, { configHash: outcome.report.configHash, imageUri: result.imageRef, digest: result.digest, tag: result.tag }), ...warningsDetail(outcome.report.issues) };
  // Put even when the image is the one running: the ledger then records the rebuild as unchanged, which is
  // what `wickedctl rebuild --follow` reads (it cannot see this log line, and would wait until its timeout).
  await deps.events.publish(DetailType.ImageBuilt, built, [`arn:aws:s3:::${record.bucket}/${record.key}`]);
  if (result.digest === good.digest) {
    const reason = `${env} already runs ${good.digest}, built from ${where} on ${opened.digest}`;
    deps.log?.('info', `base image changed, no rebuild needed: ${reason}`, { env, baseImage });
    return { outcome: 'unchanged', reason };
  }
  return { outcome: 'built', detail: built, uploadedBytes: result.uploadedBytes, skipped: result.skipped };
}

/**
 * The `Portal Image Built` detail of a rebuild, purely: the S3 fields and
 * sequencer of the rebuilt deployment (the same object), the new image, and
 * what it rebuilds on which base.
 *
 * @example
 * rebuiltDetail('dev', record, record.deploymentId, baseDigest, image).rebuildOf === record.deploymentId // true
 */
export function rebuiltDetail(
  env: string, record: Pick<DeploymentRecord, 'bucket' | 'key' | 'versionId' | 'sequencer'>, rebuildOf: string, baseDigest: string,
  image: Pick<ImageBuiltDetail, 'configHash' | 'imageUri' | 'digest' | 'tag'>,
): ImageBuiltDetail {
  return {
    env, bucket: record.bucket, key: record.key,
    ...(record.versionId ? { versionId: record.versionId } : {}),
    ...(record.sequencer ? { sequencer: record.sequencer } : {}),
    ...image, rebuildOf, baseDigest,
  };
}
