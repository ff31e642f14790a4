import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { WickedStack } from '../../infra/wicked-stack';
import { VPC_ACCESS_ACTIONS } from '../../infra/constructs/database-users';
import { CHART_PROBES } from '../../infra/constructs/health-check';
import { countAttribute } from '../../infra/constructs/singleton-counts';
import { actionsOf, assertCount, assertProps, logicalId, testStack, type Statement } from './helpers';

/** wicked 1.0's singletons: the deployment guide's five and portal-auth. */
const SINGLETONS = ['portal-api', 'portal', 'portal-mailer', 'portal-kong-adapter', 'portal-chatbot', 'portal-auth'];
/** Ports from wicked's Helm chart (`wicked/templates/<component>-deployment.yaml`). */
const PORTS: Record<string, number> = { 'portal-api': 3001, portal: 3000, 'portal-kong-adapter': 3002, 'portal-mailer': 3003, 'portal-chatbot': 3004, 'portal-auth': 3010 };

// One synthesis, shared by every test of this file.
let dev: WickedStack;
let template: Template;
const id = (construct: IConstruct): string => logicalId(dev, construct);
const getAtt = (logical: string, attr = 'Arn'): unknown => ({ 'Fn::GetAtt': [logical, attr] });
type Resource = { Type: string; Properties: Record<string, unknown> };

beforeAll(() => {
  dev = testStack({ envName: 'dev' });
  template = Template.fromStack(dev);
});

const workload = (): WickedStack['platform']['workload'] => dev.platform.workload;
function resources(type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}
function containerOf(component: string): Record<string, unknown> {
  const service = workload().singletons.service(component);
  const taskDef = resources('AWS::ECS::TaskDefinition')[id(service.taskDefinition)]!;
  const containers = taskDef.Properties.ContainerDefinitions as Record<string, unknown>[];
  expect(containers).toHaveLength(1);
  return containers[0]!;
}
function sgIngress(groupLogicalId: string): Resource['Properties'][] {
  return Object.values(resources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties)
    .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify(getAtt(groupLogicalId, 'GroupId')));
}

describe('singleton services', () => {
  it('are created with no task (portal-api has no image before the first upload, the others wait for it), never two at once, with the circuit breaker rolling back', () => {
    for (const component of SINGLETONS) {
      const service = resources('AWS::ECS::Service')[id(workload().singletons.service(component))]!;
      // The live count, read at every deploy (0 before the service exists): the template never changes it.
      expect(service.Properties).toMatchObject({
        ServiceName: component, DesiredCount: { 'Fn::GetAtt': [id(workload().singletons.counts.resource), countAttribute(component)] }, LaunchType: 'FARGATE',
        DeploymentConfiguration: { MinimumHealthyPercent: 0, MaximumPercent: 100, DeploymentCircuitBreaker: { Enable: true, Rollback: true } },
        NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
      });
    }
  });

  it('start no task at create that needs an image or a portal-api that cannot exist yet: only Redis and Kong run then', () => {
    // Every wicked singleton takes its count from the reader, which answers 0 for a service that does not exist yet.
    const counts = id(workload().singletons.counts.resource);
    const fromReader = (s: Resource): boolean => JSON.stringify(s.Properties.DesiredCount) === JSON.stringify({ 'Fn::GetAtt': [counts, countAttribute(s.Properties.ServiceName as string)] });
    const started = Object.values(resources('AWS::ECS::Service')).filter((s) => !fromReader(s)).map((s) => [s.Properties.ServiceName, s.Properties.DesiredCount]);
    // Kong has no DesiredCount (its autoscaler's minimum); both pull stock images through the cache.
    expect(started.sort()).toEqual([['kong-default', undefined], ['redis', 1]]);
    assertProps(template, 'Custom::WickedSingletonCounts', { Cluster: { Ref: id(workload().cluster) }, Services: SINGLETONS, ServiceProperties: Match.objectLike({ 'portal-api': Match.objectLike({ serviceName: 'portal-api' }) }) });
    const apiImage = JSON.stringify(containerOf('portal-api').Image);
    expect(apiImage).toContain(':dev-live'); // the release tag a deploy creates
  });

  it('probe /ping with node inside each wicked container, on the timings of wicked\'s Helm chart', () => {
    for (const component of SINGLETONS) {
      const check = containerOf(component).HealthCheck as { Command: string[]; Interval: number; Timeout: number; Retries: number; StartPeriod: number };
      expect(check.Command.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
      expect(check.Command[3]).toContain(`port:${PORTS[component]},path:'/ping'`);
      expect(check.Command.join(' ')).not.toMatch(/curl|wget/);
      expect([component, check.Interval, check.Timeout, check.Retries, check.StartPeriod])
        .toEqual([component, CHART_PROBES[component]!.intervalSeconds, 2, 3, CHART_PROBES[component]!.startPeriodSeconds]);
    }
    expect((containerOf('portal-api').HealthCheck as { StartPeriod: number }).StartPeriod).toBe(15); // the chart's readiness initialDelaySeconds
  });

  it('run Redis as the session store: reachable from portal and portal-auth only, portal-api told where it is', () => {
    const redis = workload().singletons.redis!;
    const ingress = sgIngress(id(redis.connections.securityGroups[0]!)).filter((p) => p.FromPort === 6379);
    expect(ingress.map((p) => p.SourceSecurityGroupId).sort()).toEqual(
      ['portal', 'portal-auth'].map((c) => getAtt(id(workload().singletons.service(c).connections.securityGroups[0]!), 'GroupId')).sort(),
    );
    const redisTask = resources('AWS::ECS::TaskDefinition')[id(redis.taskDefinition)]!;
    const container = (redisTask.Properties.ContainerDefinitions as Record<string, unknown>[])[0]!;
    expect(JSON.stringify(container.Image)).toContain('docker-hub/library/redis');
    expect(container.HealthCheck).toMatchObject({ Command: ['CMD', 'redis-cli', 'ping'] });
  });

  it('have no scalable target: only the gateway is autoscaled', () => {
    const targets = Object.values(resources('AWS::ApplicationAutoScaling::ScalableTarget'));
    expect(targets).toHaveLength(1);
    expect(JSON.stringify(targets[0]!.Properties.ResourceId)).toContain(id(workload().gateways.groups.default!.service));
  });

  it('name each container after its component, NODE_ENV being the environment, the others finding portal-api by its Cloud Map name', () => {
    const portalApiUrl = { Name: 'PORTAL_API_URL', Value: 'http://portal-api.wicked-dev.internal:3001/' };
    for (const component of SINGLETONS) {
      const environment = component === 'portal-api'
        ? [{ Name: 'NODE_ENV', Value: 'dev' }, { Name: 'PGSSLMODE', Value: 'require' }, { Name: 'PORTAL_STORAGE_PGDATABASE', Value: 'wicked' },
          // wicked's globals.json sessionStore, resolved by portal-api (Helm chart apim-config.yaml names)
          { Name: 'PORTAL_SESSIONSTORE_TYPE', Value: 'redis' }, { Name: 'PORTAL_SESSIONSTORE_HOST', Value: 'redis.wicked-dev.internal' }, { Name: 'PORTAL_SESSIONSTORE_PORT', Value: '6379' }]
        : [{ Name: 'NODE_ENV', Value: 'dev' }, portalApiUrl];
      expect(containerOf(component)).toMatchObject({ Name: component, Environment: environment, Essential: true });
    }
  });

  it('take secrets from Secrets Manager and never as plain environment values', () => {
    const api = containerOf('portal-api');
    const secretNames = (api.Secrets as { Name: string }[]).map((s) => s.Name).sort();
    expect(secretNames).toEqual(['PORTAL_CONFIG_KEY', 'PORTAL_STORAGE_PGHOST', 'PORTAL_STORAGE_PGPASSWORD', 'PORTAL_STORAGE_PGUSER']);
    expect(api.Secrets).toContainEqual({ Name: 'PORTAL_CONFIG_KEY', ValueFrom: { Ref: id(workload().portalConfigKey) } });
    for (const taskDef of Object.values(resources('AWS::ECS::TaskDefinition'))) {
      for (const container of taskDef.Properties.ContainerDefinitions as { Environment?: { Name: string }[] }[]) {
        const names = (container.Environment ?? []).map((e) => e.Name);
        expect(names.filter((n) => /KEY|PASSWORD|SECRET|TOKEN|PG_USER|PGUSER/.test(n))).toEqual([]);
      }
    }
  });

  it('run portal-api from the release tag dev-live and the others from the cache at the wicked version', () => {
    expect(JSON.stringify(containerOf('portal-api').Image)).toMatch(new RegExp(`${id(dev.platform.images.repository)}.*:dev-live"`));
    expect(JSON.stringify(containerOf('portal').Image)).toContain('/docker-hub/haufelexware/wicked.ui:1.0.0');
    expect(JSON.stringify(containerOf('portal-kong-adapter').Image)).toContain('/docker-hub/haufelexware/wicked.kong-adapter:1.0.0');
  });

  it('mount the dynamic data into portal-api through the access point, with IAM and TLS', () => {
    const data = workload().dynamicData;
    assertProps(template, 'AWS::ECS::TaskDefinition', {
      Volumes: [{ Name: 'dynamic', EFSVolumeConfiguration: {
        FilesystemId: { Ref: id(data.fileSystem) }, TransitEncryption: 'ENABLED',
        AuthorizationConfig: { AccessPointId: { Ref: id(data.accessPoint) }, IAM: 'ENABLED' },
      } }],
    });
    expect(containerOf('portal-api').MountPoints).toEqual([{ ContainerPath: '/var/portal-api/dynamic', SourceVolume: 'dynamic', ReadOnly: false }]);
    assertProps(template, 'AWS::EFS::AccessPoint', {
      FileSystemId: { Ref: id(data.fileSystem) },
      PosixUser: { Uid: '888', Gid: '888' },
      RootDirectory: { Path: '/wicked-dynamic', CreationInfo: { OwnerUid: '888', OwnerGid: '888', Permissions: '750' } },
    });
  });

  it('let only portal-api mount, and only through its access point', () => {
    const mounts = Object.values(resources('AWS::IAM::Policy')).flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => actionsOf(s).includes('elasticfilesystem:ClientMount'));
    expect(mounts).toHaveLength(1);
    expect(mounts[0]!.Resource).toEqual(getAtt(id(workload().dynamicData.fileSystem)));
    const condition = JSON.stringify((mounts[0] as unknown as { Condition: unknown }).Condition);
    expect(condition).toContain('elasticfilesystem:AccessPointArn');
    expect(condition).toContain(`":access-point/",{"Ref":"${id(workload().dynamicData.accessPoint)}"}`);
    const portalApiRole = id(workload().singletons.service('portal-api').taskDefinition.taskRole);
    const owner = Object.values(resources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.PolicyDocument).includes('elasticfilesystem:ClientMount'))!;
    expect(owner.Properties.Roles).toEqual([{ Ref: portalApiRole }]);
  });
});

describe('Kong gateway', () => {
  const group = (): ReturnType<typeof workload>['gateways']['groups'][string] => workload().gateways.groups.default!;

  it('runs container kong, autoscaled (no desired count), rolling with the circuit breaker', () => {
    const service = resources('AWS::ECS::Service')[id(group().service)]!;
    expect(service.Properties.DesiredCount).toBeUndefined();
    expect(service.Properties).toMatchObject({ ServiceName: 'kong-default', DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true } } });
    const taskDef = resources('AWS::ECS::TaskDefinition')[id(group().service.taskDefinition)]!;
    expect(taskDef.Properties.ContainerDefinitions).toEqual([expect.objectContaining({
      Name: 'kong', PortMappings: [expect.objectContaining({ ContainerPort: 8000 }), expect.objectContaining({ ContainerPort: 8001 })],
    })]);
    expect(JSON.stringify(taskDef.Properties.ContainerDefinitions)).toContain('/docker-hub/library/kong:0.14.1');
  });

  it('scales on CPU and on requests per target, scaling in slower than out', () => {
    assertProps(template, 'AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 6, ScalableDimension: 'ecs:service:DesiredCount' });
    const policies = Object.values(resources('AWS::ApplicationAutoScaling::ScalingPolicy')).map((p) => p.Properties);
    expect(policies.map((p) => p.PolicyType)).toEqual(['TargetTrackingScaling', 'TargetTrackingScaling']);
    const configs = policies.map((p) => p.TargetTrackingScalingPolicyConfiguration as Record<string, { PredefinedMetricType?: string } & unknown>);
    expect(configs.map((c) => (c.PredefinedMetricSpecification as { PredefinedMetricType: string }).PredefinedMetricType).sort())
      .toEqual(['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization']);
    for (const config of configs) expect(config.ScaleInCooldown as unknown as number).toBeGreaterThan(config.ScaleOutCooldown as unknown as number);
    expect(configs.map((c) => c.TargetValue).sort()).toEqual([1000, 60]);
  });

  it('drains connections and checks health on the proxy port', () => {
    assertProps(template, 'AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8000, Protocol: 'HTTP', TargetType: 'ip',
      HealthCheckPath: '/', Matcher: { HttpCode: '200,404' }, HealthyThresholdCount: 2, UnhealthyThresholdCount: 3,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '60' }]),
    });
  });

  it('opens the admin port only to the kong-adapter, and the proxy port only to the load balancer', () => {
    const rules = sgIngress(id(group().service.connections.securityGroups[0]!));
    const admin = rules.filter((r) => r.FromPort === 8001);
    expect(admin).toEqual([expect.objectContaining({
      ToPort: 8001, SourceSecurityGroupId: getAtt(id(workload().singletons.service('portal-kong-adapter').connections.securityGroups[0]!), 'GroupId'),
    })]);
    expect(rules.map((r) => r.FromPort).sort()).toEqual([8000, 8001]);
    expect(rules.find((r) => r.FromPort === 8000)!.SourceSecurityGroupId)
      .toEqual(getAtt(id(workload().gateways.loadBalancer.connections.securityGroups[0]!), 'GroupId'));
  });

  it('has a load balancer that drops invalid headers, logs access and listens on HTTP only without a certificate', () => {
    assertProps(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: id(dev.platform.config.accessLogsBucket) } },
      ]),
    });
    assertCount(template, 'AWS::ElasticLoadBalancingV2::Listener', 1);
    assertProps(template, 'AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP', DefaultActions: [Match.objectLike({ Type: 'fixed-response' })] });
    assertProps(template, 'AWS::ElasticLoadBalancingV2::ListenerRule', { Priority: 1, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }] });
  });
});

describe('data', () => {
  it('keeps the dynamic data on an encrypted, regional file system without EFS-managed backups', () => {
    assertProps(template, 'AWS::EFS::FileSystem', {
      Encrypted: true, KmsKeyId: getAtt(id(workload().dataKey)), BackupPolicy: { Status: 'DISABLED' },
      AvailabilityZoneName: Match.absent(),
      FileSystemPolicy: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    assertCount(template, 'AWS::EFS::MountTarget', 2);
  });

  it('has an encrypted, private Postgres reachable only from Kong, portal-api, the kong-adapter and the database-users function', () => {
    const db = workload().database!;
    assertProps(template, 'AWS::RDS::DBInstance', { StorageEncrypted: true, KmsKeyId: getAtt(id(workload().dataKey)), PubliclyAccessible: false, Engine: 'postgres' });
    const sources = sgIngress(id(db.instance.connections.securityGroups[0]!)).map((r) => JSON.stringify(r.SourceSecurityGroupId)).sort();
    const expected = [workload().singletons.service('portal-api'), workload().singletons.service('portal-kong-adapter'), workload().gateways.groups.default!.service, db.usersResource.handler]
      .map((s) => JSON.stringify(getAtt(id(s.connections.securityGroups[0]!), 'GroupId'))).sort();
    expect(sources).toEqual(expected);
  });

  it('backs the file system up (not the ephemeral database) into a KMS-encrypted vault with the exposed role', () => {
    const b = workload().backups;
    assertProps(template, 'AWS::Backup::BackupVault', { EncryptionKeyArn: getAtt(id(b.key)), BackupVaultName: 'wicked-dev', LockConfiguration: Match.absent() });
    assertProps(template, 'AWS::Backup::BackupPlan', { BackupPlan: { BackupPlanName: 'wicked-dev', BackupPlanRule: [Match.objectLike({
      ScheduleExpression: 'cron(0 3 * * ? *)', Lifecycle: { DeleteAfterDays: 35 }, CopyActions: Match.absent(),
    })] } });
    const selection = Object.values(resources('AWS::Backup::BackupSelection'))[0]!.Properties.BackupSelection as { IamRoleArn: unknown; Resources: unknown[] };
    expect(selection.IamRoleArn).toEqual(getAtt(id(b.role)));
    expect(JSON.stringify(selection.Resources)).toContain(':file-system/');
    expect(JSON.stringify(selection.Resources)).not.toContain(':rds:');
  });
});

describe('network, permissions, monitoring', () => {
  it('creates a VPC with flow logs and Container Insights on the cluster', () => {
    assertProps(template, 'AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    assertProps(template, 'AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
    assertCount(template, 'AWS::EC2::NatGateway', 1);
  });

  it('uses "*" only for the actions without resource-level permissions, in every policy', () => {
    const statements = Object.values(resources('AWS::IAM::Policy')).flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    const wildcard = statements.filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')));
    expect(wildcard.length).toBeGreaterThan(0);
    // ecs:DescribeTaskDefinition has no resource type in the Service Authorization Reference (ECS actions table).
    const unscoped = [['ecr:GetAuthorizationToken'], ['ecs:ListTasks'], ['ecs:DescribeTaskDefinition'], ['backup:DescribeBackupJob', 'backup:ListBackupJobs', 'backup:ListRecoveryPointsByResource', 'backup:DescribeRestoreJob'],
      // CDK's log-retention function: the names of RDS's exported log groups exist only once the instance does.
      ['logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy'],
      // The database-users function in the VPC: the network interfaces Lambda creates for it (AWSLambdaVPCAccessExecutionRole's actions).
      VPC_ACCESS_ACTIONS];
    for (const s of wildcard) expect(unscoped).toContainEqual(actionsOf(s));
    // ListTasks is limited to the cluster by condition.
    for (const s of wildcard.filter((w) => actionsOf(w).includes('ecs:ListTasks'))) {
      expect((s as Statement & { Condition?: unknown }).Condition).toEqual({ ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [id(workload().cluster), 'Arn'] } } });
    }
  });

  it('alarms on gateway 5xx, unhealthy targets and failed backups, to the topic', () => {
    const topic = { Ref: id(dev.platform.notifications.topic) };
    for (const [metric, namespace, threshold] of [['HTTPCode_Target_5XX_Count', 'AWS/ApplicationELB', 10], ['UnHealthyHostCount', 'AWS/ApplicationELB', 1], ['NumberOfBackupJobsFailed', 'AWS/Backup', 1]] as const) {
      assertProps(template, 'AWS::CloudWatch::Alarm', { MetricName: metric, Namespace: namespace, Threshold: threshold, AlarmActions: [topic] });
    }
  });

  it('has a dashboard with services, gateway and backup widgets', () => {
    const body = JSON.stringify(Object.values(resources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    for (const text of ['CPUUtilization', 'MemoryUtilization', 'RequestCount', 'TargetResponseTime', 'HTTPCode_Target_5XX_Count', 'NumberOfBackupJobsFailed']) {
      expect(body).toContain(text);
    }
  });
});
