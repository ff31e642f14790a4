import { Match, Template } from 'aws-cdk-lib/assertions';
import { EntryNotFoundError, InvalidPropError } from '../../infra/errors';
import { assertCount, assertProps, FIXTURE_ENTRY, testStack } from './helpers';

describe('early errors', () => {
  it('names the missing handler entry', () => {
    const act = (): unknown => testStack({ envName: 'dev', functionEntries: { buildImage: `${FIXTURE_ENTRY}.missing.ts` } });
    expect(act).toThrow(EntryNotFoundError);
    expect(act).toThrow(/build-image handler entry not found: received .*missing\.ts/);
  });

  it('throws on a wrong prop before creating anything', () => {
    expect(() => testStack({ envName: 'dev', buildImageRetentionCount: -1 })).toThrow(InvalidPropError);
  });
});

describe('a retained environment that shares the pull-through cache of another stack', () => {
  const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/shared-AbCdEf';
  let prod: Template;

  beforeAll(() => {
    prod = Template.fromStack(testStack({
      envName: 'prod', createPullThroughCacheRule: false, dockerHubCredentialsSecretArn: secretArn,
      buildImageRetentionCount: 50, configNoncurrentVersionDays: 365, wickedVersion: '1.0.1',
      baseImageRepository: 'haufelexware/wicked.portal-api', buildImageReservedConcurrency: 5, postgres: 'ephemeral',
    }));
  });

  it('bounds CloudFormation\'s wait for every custom resource to 10 minutes (ServiceTimeout), not its default hour', () => {
    const custom = Object.entries(prod.toJSON().Resources as Record<string, { Type: string; Properties: { ServiceTimeout?: unknown } }>)
      .filter(([, r]) => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource');
    expect(new Set(custom.map(([, r]) => r.Type))).toEqual(new Set(['Custom::PortalBaseImage', 'Custom::WickedSingletonCounts', 'Custom::WickedDatabaseUsers', 'Custom::WickedDeletionProtection', 'Custom::LogRetention']));
    expect(custom.filter(([, r]) => Number(r.Properties.ServiceTimeout) !== 600).map(([id]) => id)).toEqual([]);
  });

  it('retains buckets, table, keys, log groups, repository, secrets and vault except when a failed create rolls back', () => {
    const isEphemeralDatabaseSecret = (r: unknown): boolean => (r as { Properties: { Name?: string } }).Properties.Name === 'wicked-prod/postgres';
    for (const type of ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::ECR::Repository', 'AWS::SecretsManager::Secret', 'AWS::Backup::BackupVault']) {
      // The ephemeral database goes with the stack, and its generated credentials with it.
      const resources = Object.values(prod.findResources(type)).filter((r) => !isEphemeralDatabaseSecret(r));
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources) expect([type, resource]).toMatchObject([type, { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' }]);
    }
  });

  it('protects table and load balancer only after every other resource exists, so that a failed create rolls back', () => {
    // Negative: no deletion protection in the create path.
    assertProps(prod, 'AWS::DynamoDB::Table', { DeletionProtectionEnabled: Match.absent() });
    const attributes = Object.values(prod.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))
      .flatMap((r) => (r as { Properties: { LoadBalancerAttributes: { Key: string }[] } }).Properties.LoadBalancerAttributes.map((a) => a.Key));
    expect(attributes).not.toContain('deletion_protection.enabled');
    // The create-only calls that turn it on, each after every resource outside the protection itself.
    const calls = prod.findResources('Custom::WickedDeletionProtection');
    // The call is a Fn::Join (it names the table and the load balancer): read its action from the rendered text.
    expect(Object.values(calls).map((c) => /\\"action\\":\\"(\w+)\\"/.exec(JSON.stringify((c as { Properties: { Create: unknown } }).Properties.Create))?.[1])
      .sort()).toEqual(['ModifyLoadBalancerAttributes', 'UpdateTable']);
    const all = Object.keys(prod.toJSON().Resources as object);
    for (const [id, call] of Object.entries(calls)) {
      const dependsOn = new Set((call as { DependsOn?: string[] }).DependsOn ?? []);
      const missing = all.filter((other) => other !== id && !other.startsWith('PlatformDeletionProtection') && !dependsOn.has(other));
      expect([id, missing]).toEqual([id, []]);
      expect(call).not.toHaveProperty('Properties.Delete'); // never lifted, not even by a rollback
      expect(call).not.toHaveProperty('Properties.Update');
    }
    assertProps(prod, 'AWS::ECR::Repository', { EmptyOnDelete: false, RepositoryName: 'wicked-prod/portal-api' });
  });

  it('creates neither the cache rule nor a Docker Hub secret, and names no credentials it does not use', () => {
    assertCount(prod, 'AWS::ECR::PullThroughCacheRule', 0);
    const secrets = Object.values(prod.findResources('AWS::SecretsManager::Secret')).map((r) => (r as { Properties: { Name: string } }).Properties.Name);
    expect(secrets.sort()).toEqual(['wicked-prod/portal-config-key', 'wicked-prod/postgres', 'wicked-prod/postgres-kong', 'wicked-prod/postgres-portal-api']);
    const outputs = Object.values(prod.findOutputs('*')).map((o) => (o as { Value: unknown }).Value);
    expect(outputs).not.toContain(secretArn);
  });

  it('applies the retention, version, base image and concurrency it was given', () => {
    assertProps(prod, 'AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 365 } })] },
    });
    assertProps(prod, 'AWS::ECR::Repository', { LifecyclePolicy: { LifecyclePolicyText: Match.stringLikeRegexp('"tagPrefixList":\\["cfg-"\\],"countType":"imageCountMoreThan","countNumber":50') } });
    assertProps(prod, 'AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 5,
      Environment: { Variables: Match.objectLike({ BASE_IMAGE: { 'Fn::Join': ['', Match.arrayWith(['/docker-hub/haufelexware/wicked.portal-api:1.0.1'])] } }) },
    });
  });

  it('has no e-mail subscription when no address is given', () => {
    assertCount(prod, 'AWS::SNS::Subscription', 0);
  });
});

describe('an environment that notifies an existing topic', () => {
  const topicArn = 'arn:aws:sns:eu-west-1:123456789012:ops';
  const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(testStack({ envName: 'prod', notificationTopicArn: topicArn, notificationTopicKeyArn: keyArn }));
  });

  it('creates no topic and points the functions and alarms at the imported one', () => {
    assertCount(template, 'AWS::SNS::Topic', 0);
    assertCount(template, 'AWS::SNS::Subscription', 0);
    assertProps(template, 'AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ NOTIFY_TOPIC_ARN: topicArn, STUCK_CHECK_GROUP_NAME: Match.anyValue() }) } });
    assertProps(template, 'AWS::CloudWatch::Alarm', { AlarmActions: [topicArn] });
  });

  it('lets the functions publish to that topic only, with its key', () => {
    assertProps(template, 'AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish', Resource: topicArn })]) } });
    assertProps(template, 'AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn })]) } });
    const publishes = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement)
      .filter((statement) => statement.Action === 'sns:Publish');
    expect(publishes.length).toBeGreaterThanOrEqual(4);
    for (const statement of publishes) expect(statement.Resource).toBe(topicArn);
  });
});
