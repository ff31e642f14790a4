import { createHash } from 'node:crypto';
import type { ImageBuiltDetail } from '../events';
import type { DeploymentRequest } from './types';
import { MAX_RECORDED_WARNINGS } from './types';

/**
 * The deterministic deployment id of a built image: the same S3 object version
 * (or sequencer) and digest always give the same id, so a duplicate event
 * finds its own record. A rebuild adds the deployment it rebuilds and the
 * base digest: rebuilding one deployment on one base is one deployment.
 *
 * @example
 * deploymentIdFor(detail) // 'd-3f2a...' (20 hex digits)
 */
export function deploymentIdFor(detail: Pick<ImageBuiltDetail, 'env' | 'key' | 'versionId' | 'sequencer' | 'digest' | 'rebuildOf' | 'baseDigest'>): string {
  const hash = createHash('sha256');
  for (const part of [detail.env, detail.key, detail.versionId ?? '', detail.sequencer?.toUpperCase() ?? '', detail.digest]) hash.update(`${part}\0`);
  // A rebuild of the same object on another base is another deployment; on the same base, the same one.
  if (detail.rebuildOf !== undefined) hash.update(`rebuild\0${detail.rebuildOf}\0${detail.baseDigest ?? ''}\0`);
  return `d-${hash.digest('hex').slice(0, 20)}`;
}

/**
 * The ledger request of a `Portal Image Built` detail, received at `now` (epoch ms). `eventTime` is the
 * event's `time`: EventBridge's clock when it was put, the request time of a rollback or promotion, which
 * carry no `requestedAt` of their own (the operator's clock may be off; S3's and EventBridge's are not).
 */
export function requestFromImageBuilt(detail: ImageBuiltDetail, now: number, eventTime?: string): DeploymentRequest {
  // A rebuild is ordered by the deployment it rebuilds, not by a time.
  const eventMs = detail.rebuildOf === undefined && eventTime !== undefined ? Date.parse(eventTime) : NaN;
  const requestedAt = detail.requestedAt ?? (Number.isNaN(eventMs) ? undefined : new Date(eventMs).toISOString());
  return {
    deploymentId: deploymentIdFor(detail),
    env: detail.env,
    configHash: detail.configHash,
    bucket: detail.bucket,
    key: detail.key,
    versionId: detail.versionId,
    sequencer: detail.sequencer,
    digest: detail.digest,
    imageUri: detail.imageUri,
    tag: detail.tag,
    ...(detail.rebuildOf !== undefined ? { rebuildOf: detail.rebuildOf } : {}),
    ...(detail.baseDigest !== undefined ? { baseDigest: detail.baseDigest } : {}),
    ...(detail.promotedFrom !== undefined ? { promotedFrom: detail.promotedFrom } : {}),
    ...(detail.warnings && detail.warnings.length > 0 ? {
      validationWarnings: detail.warnings.slice(0, MAX_RECORDED_WARNINGS).map(warningLine),
      validationWarningCount: detail.warningCount ?? detail.warnings.length,
    } : {}),
    ...(detail.revision !== undefined ? { revision: detail.revision } : {}),
    ...(requestedAt !== undefined ? { requestedAt } : {}),
    receivedAt: new Date(now).toISOString(),
  };
}

/** One warning as the ledger keeps it: `file [env] CODE: message (at path)`, at most 300 characters. */
function warningLine(issue: NonNullable<ImageBuiltDetail['warnings']>[number]): string {
  const line = `${issue.file}${issue.env ? ` [env ${issue.env}]` : ''} ${issue.code}: ${issue.message}${issue.jsonPath ? ` (at ${issue.jsonPath})` : ''}`;
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
