import { CustomResource, Duration, Lazy, Stack, Token, TreeInspector, type RemovalPolicy } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTION_RUNTIME } from './control-plane-function';
import { CUSTOM_RESOURCE_SERVICE_TIMEOUT } from './custom-resource-timeout';

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
 * each one's desired count as an attribute named by {@link countAttribute}; nothing on
 * delete. Create and Update do the same thing, because an Update must cover every way the
 * set of services can change: a service the update adds (a component a new wicked version
 * brings) does not exist yet and gets 0, as on the first create; a service still in the
 * list keeps its live count; a service gone from the list gets no attribute (nothing
 * references it any more); an INACTIVE service (deleted earlier, same name) counts as not
 * existing. A rollback is an Update with the previous properties, so it reads the live
 * counts again too. The `ServiceProperties` the resource carries only trigger it (see
 * {@link SingletonCounts}) and are not read. Inline, on the runtime's AWS SDK: it runs only
 * when a singleton changes, where a bundle would be one more asset to build.
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
}

/**
 * The desired count each singleton has right now, written into the template so that the
 * template's `DesiredCount` is the live value and CloudFormation never changes it: 0 on the
 * first create (no service yet; portal-api has no image before the first upload), then
 * whatever the control plane set. A literal `DesiredCount: 0` would be sent again whenever
 * CloudFormation updates a service for another reason (a new task definition), stopping a
 * running singleton; leaving it out would create the services with one task.
 *
 * When it reads the counts again: exactly when CloudFormation will update a singleton
 * service, because that update is the only moment the template's `DesiredCount` reaches
 * ECS (aws/containers-roadmap#493). CloudFormation updates a service when its resolved
 * properties change, so the resource carries, per service, the service's own properties
 * without `DesiredCount` (which refers to this resource) as `ServiceProperties`, and
 * CloudFormation compares them as it compares the service's. A hash computed at synth
 * would miss what only changes at deploy time: a changed task definition is replaced and
 * the service's `TaskDefinition: { Ref }` resolves to the new revision's ARN with its text
 * unchanged (likewise a replaced security group or Cloud Map service); the properties
 * themselves resolve at deploy time, so nothing is missed, and two synths of the same app
 * give the same resource, so an unchanged app deploys as "(no changes)". Between two runs
 * the attribute may lag the live count (deploy-services changed it), but no service update
 * sends it then. A service added to the list changes the properties too, and the handler
 * answers 0 for it ({@link SINGLETON_COUNTS_HANDLER}).
 *
 * @example
 * const counts = new SingletonCounts(this, 'Counts', { cluster, services: ['portal-api'], removalPolicy });
 * const service = new ecs.FargateService(this, 'Api', { ..., desiredCount: counts.countOf('portal-api') });
 * counts.watch('portal-api', service);
 */
export class SingletonCounts extends Construct {
  /** The custom resource. */
  public readonly resource: CustomResource;
  /** Its handler. */
  public readonly handler: lambda.Function;
  private readonly watched = new Map<string, ecs.BaseService>();
  private readonly services: readonly string[];

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - cluster and services
   */
  public constructor(scope: Construct, id: string, props: SingletonCountsProps) {
    super(scope, id);
    this.services = [...props.services];
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
      serviceTimeout: CUSTOM_RESOURCE_SERVICE_TIMEOUT,
      properties: {
        Cluster: props.cluster.clusterName, Services: [...props.services],
        ServiceProperties: Lazy.any({ produce: () => this.serviceProperties() }),
      },
    });
    this.node.addValidation({
      validate: () => this.services.filter((name) => !this.watched.has(name))
        .map((name) => `SingletonCounts: no service watched for "${name}": expected watch('${name}', service) for every service named in the props`),
    });
  }

  /**
   * Names the service whose changes make the counts be read again (its properties become
   * the resource's `ServiceProperties`).
   *
   * @param name - one of the services named in the props
   * @param service - the service whose `desiredCount` is {@link SingletonCounts.countOf} `name`
   */
  public watch(name: string, service: ecs.BaseService): void {
    if (!this.services.includes(name)) throw new Error(`SingletonCounts: cannot watch "${name}": expected one of ${this.services.join(', ')}`);
    this.watched.set(name, service);
  }

  /** Each watched service's CloudFormation properties as synthesized, without its DesiredCount. */
  private serviceProperties(): Record<string, unknown> {
    // An unwatched service is left out here and fails the validation above.
    return Object.fromEntries(this.services.filter((name) => this.watched.has(name)).map((name) => {
      const inspector = new TreeInspector();
      (this.watched.get(name)!.node.defaultChild as ecs.CfnService).inspect(inspector);
      const { desiredCount: _ownAttribute, ...rest } = inspector.attributes['aws:cdk:cloudformation:props'] as Record<string, unknown>;
      return [name, rest];
    }));
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
