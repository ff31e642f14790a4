import { Arn, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { BASE_IMAGE_CHANGED, EVENT_SOURCE } from '../../shared/events';
import type { BaseImageChangedDetail } from '../../shared/events';
import { CUSTOM_RESOURCE_SERVICE_TIMEOUT } from './custom-resource-timeout';

/** CloudFormation type of the resource that announces the base image. */
export const BASE_IMAGE_RESOURCE_TYPE = 'Custom::PortalBaseImage';

/** Props of {@link BaseImageChange}. */
export interface BaseImageChangeProps {
  /** Environment name, carried in the event. */
  readonly envName: string;
  /** The base image build-image builds on (tokens are fine): its value is what makes the event fire. */
  readonly baseImage: string;
  /** Applied to the custom resource's log group. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Puts exactly one `Portal Base Image Changed` {env, baseImage} on the default
 * bus when the stack is created and whenever `cdk deploy` changes the base
 * image (the wicked version), never on other updates: the event is the
 * custom resource's create and update call, and CloudFormation updates a
 * resource only when its properties change. The base image is the only
 * variable property. build-image then rebuilds the deployed configuration.
 *
 * Add a dependency on the consumer (function and rule) so the event arrives
 * after they are in place.
 *
 * @example
 * const change = new BaseImageChange(this, 'BaseImageChange', { envName: 'prod', baseImage, removalPolicy: RemovalPolicy.RETAIN });
 * change.node.addDependency(buildImage.function);
 */
export class BaseImageChange extends Construct {
  /** The custom resource. */
  public readonly resource: cr.AwsCustomResource;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - environment and base image
   */
  public constructor(scope: Construct, id: string, props: BaseImageChangeProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const detail: BaseImageChangedDetail = { env: props.envName, baseImage: props.baseImage, requestedBy: 'cdk-deploy' };
    const call: cr.AwsSdkCall = {
      service: 'EventBridge',
      action: 'PutEvents',
      parameters: { Entries: [{ EventBusName: 'default', Source: EVENT_SOURCE, DetailType: BASE_IMAGE_CHANGED, Detail: stack.toJsonString(detail) }] },
      physicalResourceId: cr.PhysicalResourceId.of(`wicked-${props.envName}-base-image`),
    };
    const defaultBus = Arn.format({ service: 'events', resource: 'event-bus', resourceName: 'default' }, stack);
    this.resource = new cr.AwsCustomResource(this, 'Announce', {
      resourceType: BASE_IMAGE_RESOURCE_TYPE,
      onCreate: call,
      onUpdate: call,
      policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [defaultBus] })]),
      installLatestAwsSdk: false,
      serviceTimeout: CUSTOM_RESOURCE_SERVICE_TIMEOUT,
      logGroup: new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: props.removalPolicy }),
    });
    acknowledgeProvider(stack.node.findChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`));
  }
}

/**
 * Acknowledges the findings of the provider function CDK shares between
 * every AwsCustomResource of a stack, on that function only.
 */
function acknowledgeProvider(provider: Construct): void {
  Validations.of(provider).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'The AwsCustomResource provider function of CDK attaches the basic execution role for its logs; its other permissions are events:PutEvents on the default bus and, when resources are retained, the deletion-protection calls on the ledger table, the load balancer and the database.',
  });
}
