import type { ExistingResource, ProviderContext, ResourceProvider } from './provider';

/**
 * Services whose resources the local cloud records but does not emulate: their APIs have no endpoint here
 * (see `RECORDED_TYPES`). An `AwsCustomResource` call to one of them (for example wicked-prod's deletion
 * protection of the load balancer and the database, `ModifyLoadBalancerAttributes` / `ModifyDBInstance`)
 * acts on a recorded resource, so it is recorded too instead of run, as the resource it changes is.
 */
export const RECORDED_CALL_SERVICES: ReadonlySet<string> = new Set(['ElasticLoadBalancingV2', 'RDS', 'EC2', 'IAM', 'KMS', 'SecretsManager', 'CloudWatch', 'CloudWatchLogs']);

/** The service an `AwsCustomResource` call names in its `Create`, `Update` or `Delete` property (a JSON string), if any. */
export function sdkCallService(properties: Record<string, unknown>): string | undefined {
  for (const phase of ['Create', 'Update', 'Delete']) {
    const call = properties[phase];
    if (typeof call !== 'string') continue;
    try {
      const parsed = JSON.parse(call) as { service?: unknown };
      if (typeof parsed.service === 'string') return parsed.service;
    } catch {
      // Not an AwsCustomResource call: the function runs it.
    }
  }
  return undefined;
}

const recordedCall = (properties: Record<string, unknown>): boolean => RECORDED_CALL_SERVICES.has(sdkCallService(properties) ?? '');

/**
 * Wraps the custom-resource provider: a call to a recorded service is recorded (physical id
 * `<logicalId>-recorded`), every other custom resource runs through its function.
 */
export function recordingSdkCalls(inner: ResourceProvider): ResourceProvider {
  return {
    ...inner,
    create: (properties, context) => (recordedCall(properties) ? Promise.resolve({ physicalId: `${context.logicalId}-recorded` }) : inner.create(properties, context)),
    ...(inner.update ? {
      update: (properties: Record<string, unknown>, previous: ExistingResource, context: ProviderContext) => (recordedCall(properties) && recordedCall(previous.properties)
        ? Promise.resolve({ physicalId: previous.physicalId })
        : inner.update!(properties, previous, context)),
    } : {}),
    delete: (resource, context) => (recordedCall(resource.properties) ? Promise.resolve() : inner.delete(resource, context)),
  };
}
