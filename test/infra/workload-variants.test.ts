import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Network } from '../../infra/constructs/network';
import { assertCount, assertProps, testStack } from './helpers';

const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100';
const DR_VAULT = 'arn:aws:backup:eu-central-1:210987654321:backup-vault:wicked-dr';

describe('a production environment: HTTPS, two gateway groups, persistent multi-AZ Postgres, locked vault with DR copy', () => {
  let template: Template;

  beforeAll(() => {
    template = Template.fromStack(testStack({
      envName: 'prod', natGateways: 2, postgres: 'persistent', postgresMultiAz: true,
      domainNames: ['api.example.com', 'partners.example.com'], certificateArn: CERTIFICATE,
      singletons: ['portal-api', 'portal', 'portal-kong-adapter', 'portal-auth'],
      taskSizes: { 'portal-api': { cpu: 1024, memory: 2048 } },
      gatewayGroups: [
        { name: 'public', pathPatterns: ['/*'], minTasks: 3, maxTasks: 12, cpuTargetPercent: 50 },
        { name: 'partners', hostHeaders: ['partners.example.com'], minTasks: 1, maxTasks: 4, requestsPerTargetTarget: 300, cpu: 1024, memory: 2048 },
      ],
      backup: { schedule: 'cron(0 */12 * * ? *)', deleteAfterDays: 120, moveToColdStorageAfterDays: 30, copyToVaultArn: DR_VAULT, vaultLock: { minRetentionDays: 7, maxRetentionDays: 365 } },
    }));
  });

  it('serves HTTPS with the certificate and redirects HTTP', () => {
    assertProps(template, 'AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: CERTIFICATE }], SslPolicy: Match.stringLikeRegexp('TLS13') });
    assertProps(template, 'AWS::ElasticLoadBalancingV2::Listener', { Port: 80, DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Port: '443', Protocol: 'HTTPS' }) })] });
    // The policy allows TLS 1.3 and 1.2 only (ELBSecurityPolicy-TLS13-1-2-2021-06, AWS's recommended policy).
    assertProps(template, 'AWS::ElasticLoadBalancingV2::Listener', { Port: 443, SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
    // Negative: no listener forwards plain HTTP; port 80 only redirects.
    const listeners = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::Listener')) as { Properties: { Protocol: string; DefaultActions: { Type: string }[] } }[];
    expect(listeners.filter((l) => l.Properties.Protocol === 'HTTP').flatMap((l) => l.Properties.DefaultActions.map((a) => a.Type))).toEqual(['redirect']);
  });

  it('scales each group on its own, with its own rule', () => {
    assertCount(template, 'AWS::ApplicationAutoScaling::ScalableTarget', 2);
    assertProps(template, 'AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3, MaxCapacity: 12 });
    assertProps(template, 'AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 4 });
    assertProps(template, 'AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 50 }) });
    assertProps(template, 'AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 300 }) });
    assertProps(template, 'AWS::ElasticLoadBalancingV2::ListenerRule', { Priority: 2, Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['partners.example.com'] } }] });
    assertProps(template, 'AWS::ECS::TaskDefinition', { Family: 'wicked-prod-kong-partners', Cpu: '1024', Memory: '2048' });
    assertCount(template, 'AWS::ECS::Service', 7); // two gateway groups, four singletons, Redis
  });

  it('runs the singletons asked for, with their sizes', () => {
    assertProps(template, 'AWS::ECS::TaskDefinition', { Family: 'wicked-prod-portal-api', Cpu: '1024', Memory: '2048' });
    assertProps(template, 'AWS::ECS::Service', { ServiceName: 'portal-auth', DesiredCount: { 'Fn::GetAtt': [Match.stringLikeRegexp('SingletonsCounts'), 'portalauth'] } });
    assertProps(template, 'AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ Name: 'portal-auth', Image: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['/docker-hub/haufelexware/wicked.auth:1.0.0'])] }) })] });
  });

  it('protects the database and backs it up with the file system', () => {
    // Protection comes after the create (the custom resource), never in the create path.
    template.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot', Properties: Match.objectLike({ MultiAZ: true, DeletionProtection: Match.absent(), BackupRetentionPeriod: 7, StorageEncrypted: true }) });
    expect(JSON.stringify(template.findResources('Custom::WickedDeletionProtection'))).toContain('\\"action\\":\\"ModifyDBInstance\\"');
    // gp3, exported logs kept 3 months, RDS's own backup window apart from the 12-hourly plan (00:00 and 12:00 UTC).
    assertProps(template, 'AWS::RDS::DBInstance', { StorageType: 'gp3', EnableCloudwatchLogsExports: ['postgresql', 'upgrade'], PreferredBackupWindow: '11:00-11:30', PreferredMaintenanceWindow: 'Sun:10:00-Sun:10:30' });
    assertProps(template, 'Custom::LogRetention', { RetentionInDays: 90 });
    // Kong 0.14.1's pgmoon cannot answer SCRAM: passwords are hashed md5.
    assertProps(template, 'AWS::RDS::DBParameterGroup', { Parameters: { 'rds.force_ssl': '1', password_encryption: 'md5' } });
    const selection = JSON.stringify(template.findResources('AWS::Backup::BackupSelection'));
    expect(selection).toContain(':file-system/');
    expect(selection).toContain(':rds:');
  });

  it('locks the vault and copies to the DR vault with cold storage', () => {
    assertProps(template, 'AWS::Backup::BackupVault', { BackupVaultName: 'wicked-prod', LockConfiguration: { MinRetentionDays: 7, MaxRetentionDays: 365 } });
    template.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'RetainExceptOnCreate' });
    assertProps(template, 'AWS::Backup::BackupPlan', { BackupPlan: Match.objectLike({ BackupPlanRule: [Match.objectLike({
      ScheduleExpression: 'cron(0 */12 * * ? *)',
      Lifecycle: { DeleteAfterDays: 120, MoveToColdStorageAfterDays: 30 },
      CopyActions: [{ DestinationBackupVaultArn: DR_VAULT, Lifecycle: { DeleteAfterDays: 120 } }],
    })] }) });
  });

  it('has a NAT gateway per AZ', () => {
    assertCount(template, 'AWS::EC2::NatGateway', 2);
  });
});

describe('variants without a database or a new VPC', () => {
  it('runs without RDS and without database secrets when postgres is "none"', () => {
    const template = Template.fromStack(testStack({ envName: 'test', postgres: 'none' }));
    assertCount(template, 'AWS::RDS::DBInstance', 0);
    expect(JSON.stringify(template.findResources('AWS::ECS::TaskDefinition'))).not.toMatch(/PGPASSWORD|KONG_PG_PASSWORD/);
  });

  it('uses a given VPC as is, without flow logs of its own', () => {
    const stack = new Stack();
    const vpc = new ec2.Vpc(stack, 'Existing', { maxAzs: 2 });
    const network = new Network(stack, 'Network', { vpc, natGateways: 1, removalPolicy: RemovalPolicy.DESTROY });
    expect(network.vpc).toBe(vpc);
    expect(network.flowLogGroup).toBeUndefined();
    assertCount(Template.fromStack(stack), 'AWS::EC2::FlowLog', 0);
  });
});
