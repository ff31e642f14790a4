import type { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Props of {@link Network}. */
export interface NetworkProps {
  /** An existing VPC; when absent a new one is created. */
  readonly vpc?: ec2.IVpc;
  /** NAT gateways of a new VPC. */
  readonly natGateways: number;
  /** Applied to the flow-log group of a new VPC. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The VPC the platform runs in: either the one given, or a new one with two AZs,
 * public subnets (load balancer, NAT) and private subnets with egress (tasks,
 * file system, database), and flow logs of all traffic to CloudWatch Logs.
 *
 * @example
 * const network = new Network(this, 'Network', { natGateways: 1, removalPolicy: RemovalPolicy.DESTROY });
 */
export class Network extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** The flow-log group, when this construct created the VPC. */
  public readonly flowLogGroup?: logs.LogGroup;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - VPC to use, or how to create one
   */
  public constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    if (props.vpc !== undefined) {
      this.vpc = props.vpc;
      return;
    }
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: props.removalPolicy });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
      flowLogs: {
        all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup), trafficType: ec2.FlowLogTrafficType.ALL },
      },
      restrictDefaultSecurityGroup: false,
    });
  }
}
