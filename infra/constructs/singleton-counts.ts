import { CustomResource, Duration, Stack, Token, type RemovalPolicy } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTION_RUNTIME } from './control-plane-function';

/** The count of a singleton whose service does not exist yet (the first create): no task. */
export const INITIAL_COUNT = 0;
/** CloudFormation type of the resource that reads the singletons' live task counts. */
export const SINGLETON_COUNTS_RESOURCE_TYPE = 'Custom::WickedSingletonCounts';

/**
 * The attribute name of a service's count: letters and digits only, the safe subset of
 * `Fn::GetAtt` attribute names (`portal-api` → `portalapi`).
 *
 * @example
 * countAttribute('portal-kong-adapter') // 'portalkongadapter'
 */
export function countAttribute(service: string): string {
  return service.replace(/[^A-Za-z0-9]/g, '');
}

/**
 * The handler: on create and update, `ecs:DescribeServices` of the named services, and
 * each one's desired count as an attribute named by {@link countAttribute} (0 for a
 * service that does not exist yet, as on the first create); nothing on delete. Inline, on the runtime's AWS SDK: it runs once
 * per `cdk deploy`, where a bundle would be one more asset to build.
 */
export const SINGLETON_COUNTS_HANDLER = `
const { ECSClient, DescribeServicesCommand } = require('@aws-sdk/client-ecs');
const ecs = new ECSClient({});
function respond(event, context, status, data, reason) {
  const body = JSON.stringify({ Status: status, Reason: reason || 'see ' + context.logStreamName, PhysicalResourceId: event.PhysicalResourceId || 'singleton-counts',
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: data });
  return new Promise((resolve, reject) => {
    const transport = require(event.ResponseURL.startsWith('http:') ? 'http' : 'https');
    const request = transport.request(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (r) => { r.resume(); r.on('end', resolve); });
    request.on('error', reject);
    request.end(body);
  });
}
exports.handler = async (event, context) => {
  try {
    const data = {};
    if (event.RequestType !== 'Delete') {
      const { Cluster, Services } = event.ResourceProperties;
      const key = (name) => name.replace(/[^A-Za-z0-9]/g, '');
      for (const name of Services) data[key(name)] = '${INITIAL_COUNT}';
      const out = await ecs.send(new DescribeServicesCommand({ cluster: Cluster, services: Services }));
      for (const s of out.services || []) if (s.status !== 'INACTIVE') data[key(s.serviceName)] = String(s.desiredCount);
      console.log(JSON.stringify({ cluster: Cluster, counts: data }));
    }
    await respond(event, context, 'SUCCESS', data);
  } catch (error) {
    console.error(error);
    await respond(event, context, 'FAILED', {}, String(error && error.message || error).slice(0, 500));
  }
};
`;

/** Props of {@link SingletonCounts}. */
export interface SingletonCountsProps {
  /** The cluster the singletons run in. */
  readonly cluster: ecs.ICluster;
  /** The service names (at most 10: one DescribeServices call). */
  readonly services: readonly string[];
  /** Applied to the handler's log group. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Changes on every synth, so the resource reads the counts again on every `cdk deploy`.
   *
   * @default - the synth time
   */
  readonly nonce?: string;
}

/**
 * The desired count each singleton has right now, read at every `cdk deploy`, so that the
 * template's `DesiredCount` is the live value and CloudFormation never changes it: 0 on the
 * first create (no service yet; portal-api has no image before the first upload), then
 * whatever the control plane set. A literal `DesiredCount: 0` would be sent again whenever
 * CloudFormation updates a service for another reason (a new task definition), stopping a
 * running singleton; leaving it out would create the services with one task.
 *
 * @example
 * const counts = new SingletonCounts(this, 'Counts', { cluster, services: ['portal-api'], removalPolicy });
 * new ecs.FargateService(this, 'Api', { ..., desiredCount: counts.countOf('portal-api') });
 */
export class SingletonCounts extends Construct {
  /** The custom resource. */
  public readonly resource: CustomResource;
  /** Its handler. */
  public readonly handler: lambda.Function;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - cluster and services
   */
  public constructor(scope: Construct, id: string, props: SingletonCountsProps) {
    super(scope, id);
    if (props.services.length === 0 || props.services.length > 10) throw new Error(`SingletonCounts: expected 1 to 10 services (one DescribeServices call), received ${props.services.length}`);
    const keys = props.services.map(countAttribute);
    if (new Set(keys).size !== keys.length) throw new Error(`SingletonCounts: expected service names that stay distinct as attribute names, received ${props.services.join(', ')}`);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: props.removalPolicy });
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'Reads the wicked singletons\' desired counts at cdk deploy' });
    const stack = Stack.of(this);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeServices'],
      resources: props.services.map((name) => stack.formatArn({ service: 'ecs', resource: 'service', resourceName: `${props.cluster.clusterName}/${name}` })),
    }));
    logGroup.grantWrite(role);
    this.handler = new lambda.Function(this, 'Handler', {
      runtime: FUNCTION_RUNTIME, architecture: lambda.Architecture.ARM_64, handler: 'index.handler', code: lambda.Code.fromInline(SINGLETON_COUNTS_HANDLER),
      timeout: Duration.minutes(1), memorySize: 256, role, logGroup, description: 'Reads the wicked singletons\' desired counts at cdk deploy',
    });
    this.resource = new CustomResource(this, 'Resource', {
      resourceType: SINGLETON_COUNTS_RESOURCE_TYPE,
      serviceToken: this.handler.functionArn,
      properties: { Cluster: props.cluster.clusterName, Services: [...props.services], Nonce: props.nonce ?? new Date().toISOString() },
    });
  }

  /**
   * The live desired count of a service, as a number token for `desiredCount`.
   *
   * @param service - one of the services named in the props
   */
  public countOf(service: string): number {
    return Token.asNumber(this.resource.getAttString(countAttribute(service)));
  }
}
