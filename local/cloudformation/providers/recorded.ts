import { randomUUID } from 'node:crypto';
import type { ProviderContext, ResourceProvider, ResourceResult } from './provider';
import { generatedName, randomHex, randomSuffix } from './provider';

type Props = Record<string, unknown>;
/** Builds a recorded resource's id and attributes from its properties. */
type Recorder = (props: Props, c: ProviderContext) => ResourceResult;

const str = (value: unknown, fallback: string): string => (typeof value === 'string' && value ? value : fallback);
const ec2 = (prefix: string): Recorder => () => ({ physicalId: `${prefix}-0${randomHex(16)}` });
const arnOf = (c: ProviderContext, service: string, resource: string, region = c.region): string => `arn:aws:${service}:${region}:${c.account}:${resource}`;

// Ref and GetAtt values follow each type's "Return values" section in the CloudFormation resource reference.
const RECORDERS: Readonly<Record<string, Recorder>> = {
  'AWS::IAM::Role': (p, c) => {
    const name = str(p.RoleName, generatedName(c, { maxLength: 64 }));
    return { physicalId: name, attributes: { Arn: `arn:aws:iam::${c.account}:role${str(p.Path, '/')}${name}`, RoleId: `AROA${randomSuffix(17)}` } };
  },
  'AWS::IAM::Policy': (_p, c) => ({ physicalId: generatedName({ stackName: c.stackName.slice(0, 5), logicalId: c.logicalId.slice(0, 5) }), attributes: {} }),
  'AWS::IAM::ManagedPolicy': (p, c) => {
    const arn = `arn:aws:iam::${c.account}:policy${str(p.Path, '/')}${str(p.ManagedPolicyName, generatedName(c, { maxLength: 128 }))}`;
    return { physicalId: arn, attributes: { PolicyArn: arn, PolicyId: `ANPA${randomSuffix(17)}` } };
  },
  'AWS::KMS::Key': (_p, c) => {
    const id = randomUUID();
    return { physicalId: id, attributes: { Arn: arnOf(c, 'kms', `key/${id}`), KeyId: id } };
  },
  'AWS::KMS::Alias': (p, c) => ({ physicalId: str(p.AliasName, `alias/${c.logicalId}`) }),
  'AWS::S3::BucketPolicy': (p) => ({ physicalId: str(p.Bucket, randomSuffix(13)) }),
  'AWS::EC2::VPC': (p) => ({ physicalId: `vpc-0${randomHex(16)}`, attributes: { CidrBlock: p.CidrBlock, DefaultSecurityGroup: `sg-0${randomHex(16)}`, DefaultNetworkAcl: `acl-0${randomHex(16)}`, CidrBlockAssociations: [`vpc-cidr-assoc-0${randomHex(16)}`], Ipv6CidrBlocks: [] } }),
  'AWS::EC2::Subnet': (p) => {
    const id = `subnet-0${randomHex(16)}`;
    return { physicalId: id, attributes: { SubnetId: id, AvailabilityZone: p.AvailabilityZone, VpcId: p.VpcId, CidrBlock: p.CidrBlock, NetworkAclAssociationId: `aclassoc-0${randomHex(16)}`, Ipv6CidrBlocks: [] } };
  },
  'AWS::EC2::SecurityGroup': (p) => {
    const id = `sg-0${randomHex(16)}`;
    return { physicalId: id, attributes: { GroupId: id, VpcId: p.VpcId } };
  },
  'AWS::EC2::SecurityGroupIngress': ec2('sgr'),
  'AWS::EC2::SecurityGroupEgress': ec2('sgr'),
  'AWS::EC2::InternetGateway': () => {
    const id = `igw-0${randomHex(16)}`;
    return { physicalId: id, attributes: { InternetGatewayId: id } };
  },
  'AWS::EC2::VPCGatewayAttachment': (p) => ({ physicalId: `IGW|${str(p.VpcId, 'vpc')}` }),
  'AWS::EC2::RouteTable': () => {
    const id = `rtb-0${randomHex(16)}`;
    return { physicalId: id, attributes: { RouteTableId: id } };
  },
  'AWS::EC2::Route': (p) => ({ physicalId: `${str(p.RouteTableId, 'rtb')}|${str(p.DestinationCidrBlock, '0.0.0.0/0')}` }),
  'AWS::EC2::SubnetRouteTableAssociation': ec2('rtbassoc'),
  // 203.0.113.0/24 is TEST-NET-3 (RFC 5737): never a real public address.
  'AWS::EC2::EIP': () => {
    const ip = `203.0.113.${1 + Math.floor(Math.random() * 254)}`;
    return { physicalId: ip, attributes: { AllocationId: `eipalloc-0${randomHex(16)}`, PublicIp: ip } };
  },
  'AWS::EC2::NatGateway': () => {
    const id = `nat-0${randomHex(16)}`;
    return { physicalId: id, attributes: { NatGatewayId: id } };
  },
  'AWS::EC2::FlowLog': ec2('fl'),
  'AWS::EFS::MountTarget': (p) => ({ physicalId: `fsmt-0${randomHex(16)}`, attributes: { IpAddress: '10.0.0.10', FileSystemId: p.FileSystemId } }),
  'AWS::EFS::AccessPoint': (p, c) => {
    const id = `fsap-0${randomHex(16)}`;
    return { physicalId: id, attributes: { AccessPointId: id, Arn: arnOf(c, 'elasticfilesystem', `access-point/${id}`), FileSystemId: p.FileSystemId } };
  },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': (p, c) => {
    const name = str(p.Name, generatedName(c, { maxLength: 32 }).replace(/[^A-Za-z0-9-]/g, '-'));
    const full = `app/${name}/${randomHex(16)}`;
    return { physicalId: arnOf(c, 'elasticloadbalancing', `loadbalancer/${full}`), attributes: { DNSName: `${name}-${randomHex(10)}.${c.region}.elb.amazonaws.com`, LoadBalancerFullName: full, LoadBalancerName: name, CanonicalHostedZoneID: 'Z35SXDOTRQ7X7K', LoadBalancerArn: arnOf(c, 'elasticloadbalancing', `loadbalancer/${full}`), SecurityGroups: p.SecurityGroups ?? [] } };
  },
  'AWS::ElasticLoadBalancingV2::TargetGroup': (p, c) => {
    const name = str(p.Name, generatedName(c, { maxLength: 32 }).replace(/[^A-Za-z0-9-]/g, '-'));
    const full = `targetgroup/${name}/${randomHex(16)}`;
    const arn = arnOf(c, 'elasticloadbalancing', full);
    return { physicalId: arn, attributes: { TargetGroupFullName: full, TargetGroupName: name, TargetGroupArn: arn, LoadBalancerArns: [] } };
  },
  'AWS::ElasticLoadBalancingV2::Listener': (_p, c) => {
    const arn = arnOf(c, 'elasticloadbalancing', `listener/app/${c.logicalId}/${randomHex(16)}/${randomHex(16)}`);
    return { physicalId: arn, attributes: { ListenerArn: arn } };
  },
  'AWS::ElasticLoadBalancingV2::ListenerRule': (_p, c) => {
    const arn = arnOf(c, 'elasticloadbalancing', `listener-rule/app/${c.logicalId}/${randomHex(16)}/${randomHex(16)}/${randomHex(16)}`);
    return { physicalId: arn, attributes: { RuleArn: arn, IsDefault: false } };
  },
  'AWS::RDS::DBInstance': (p, c) => {
    const id = str(p.DBInstanceIdentifier, generatedName(c, { maxLength: 63, lowercase: true }));
    return { physicalId: id, attributes: { 'Endpoint.Address': `${id}.${randomHex(12)}.${c.region}.rds.amazonaws.com`, 'Endpoint.Port': '5432', DBInstanceArn: arnOf(c, 'rds', `db:${id}`), DbiResourceId: `db-${randomSuffix(26)}` } };
  },
  'AWS::RDS::DBParameterGroup': (_p, c) => ({ physicalId: generatedName(c, { maxLength: 255, lowercase: true }) }),
  'AWS::RDS::DBSubnetGroup': (p, c) => ({ physicalId: str(p.DBSubnetGroupName, generatedName(c, { maxLength: 255, lowercase: true })) }),
  'AWS::SecretsManager::Secret': (p, c) => {
    const arn = arnOf(c, 'secretsmanager', `secret:${str(p.Name, `${c.logicalId}-${randomSuffix(12)}`)}-${randomSuffix(6)}`);
    return { physicalId: arn, attributes: { Id: arn } };
  },
  'AWS::SecretsManager::SecretTargetAttachment': (p) => ({ physicalId: str(p.SecretId, randomSuffix(13)) }),
  'AWS::ServiceDiscovery::PrivateDnsNamespace': (_p, c) => {
    const id = `ns-${randomSuffix(16).toLowerCase()}`;
    return { physicalId: id, attributes: { Id: id, Arn: arnOf(c, 'servicediscovery', `namespace/${id}`), HostedZoneId: `Z${randomSuffix(20)}` } };
  },
  'AWS::ServiceDiscovery::Service': (p, c) => {
    const id = `srv-${randomSuffix(16).toLowerCase()}`;
    return { physicalId: id, attributes: { Id: id, Arn: arnOf(c, 'servicediscovery', `service/${id}`), Name: p.Name ?? c.logicalId } };
  },
  'AWS::CloudWatch::Alarm': (p, c) => {
    const name = str(p.AlarmName, generatedName(c));
    return { physicalId: name, attributes: { Arn: arnOf(c, 'cloudwatch', `alarm:${name}`) } };
  },
  'AWS::CloudWatch::Dashboard': (p, c) => ({ physicalId: str(p.DashboardName, generatedName(c)) }),
  'AWS::Logs::LogGroup': (p, c) => {
    const name = str(p.LogGroupName, generatedName(c, { maxLength: 512 }));
    return { physicalId: name, attributes: { Arn: arnOf(c, 'logs', `log-group:${name}:*`) } };
  },
  'AWS::SQS::Queue': (p, c) => {
    const name = str(p.QueueName, generatedName(c, { maxLength: 80 }));
    const url = `https://sqs.${c.region}.amazonaws.com/${c.account}/${name}`;
    return { physicalId: url, attributes: { Arn: arnOf(c, 'sqs', name), QueueName: name, QueueUrl: url } };
  },
  'AWS::SQS::QueuePolicy': (_p, c) => ({ physicalId: generatedName(c) }),
  'AWS::SNS::TopicPolicy': (_p, c) => ({ physicalId: generatedName(c) }),
  'AWS::Lambda::Permission': (_p, c) => ({ physicalId: generatedName(c) }),
  'AWS::Lambda::EventInvokeConfig': (_p, c) => ({ physicalId: generatedName(c) }),
  'AWS::CDK::Metadata': () => ({ physicalId: randomUUID() }),
  // The CDK's log-retention custom resource sets a CloudWatch Logs group's retention; Logs are recorded, not
  // emulated, so its function (which needs the Logs API and the runtime's bundled client) is not run either.
  'Custom::LogRetention': (p, c) => ({ physicalId: str(p.LogGroupName, c.logicalId) }),
  // The stack's database users: its function logs in to the RDS instance, which is recorded, not emulated (no
  // Postgres runs behind it), so the function is not run either. The SQL it runs is tested against a real
  // Postgres server (test/database-users/postgres.test.ts). Same physical id as the handler answers.
  'Custom::WickedDatabaseUsers': () => ({ physicalId: 'wicked-database-users' }),
};

/** The resource types recorded with realistic ids and attributes, without an emulated service behind them. */
export const RECORDED_TYPES: readonly string[] = Object.keys(RECORDERS);

/**
 * A provider for a type no emulated service holds (VPC, IAM, KMS, ALB, RDS,
 * ...): it accepts the resource and records an id and the attributes
 * `Fn::GetAtt` may ask for, in the shapes AWS returns; undefined for types
 * it does not know.
 */
export function recordedProvider(type: string): ResourceProvider | undefined {
  const record = RECORDERS[type];
  if (!record) return undefined;
  return {
    emulated: false,
    create: async (props, context) => record(props, context),
    update: async (props, previous, context) => {
      const fresh = record(props, context);
      // Keep the ids: a recorded resource changes in place (its name properties are compared by the caller).
      return { physicalId: previous.physicalId, attributes: { ...fresh.attributes, ...previous.attributes } };
    },
    delete: async () => undefined,
  };
}
