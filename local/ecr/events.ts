import type { EventSink } from '../kernel/events';

/** A push or deletion the store reports. */
export interface ImageChange {
  readonly action: 'PUSH' | 'DELETE';
  readonly repository: string;
  readonly digest: string;
  readonly tag: string | undefined;
}

/**
 * The `ECR Image Action` event ECR sends to EventBridge for a completed push
 * or deletion (ECR user guide, "Amazon ECR events and EventBridge").
 */
export function imageActionEvent(change: ImageChange): Parameters<EventSink['put']>[0] {
  return {
    'detail-type': 'ECR Image Action',
    source: 'aws.ecr',
    resources: [],
    detail: {
      result: 'SUCCESS',
      'repository-name': change.repository,
      'image-digest': change.digest,
      'action-type': change.action,
      ...(change.tag !== undefined ? { 'image-tag': change.tag } : {}),
    },
  };
}
