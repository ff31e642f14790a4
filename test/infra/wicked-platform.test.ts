import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { configUploadedPattern } from '../../shared/events';
import type { WickedStack } from '../../infra/wicked-stack';
import { actionsOf, assertCount, DOCKER_HUB_SECRET_ARN, assertProps, assertResource, logicalId, testStack, type Statement } from './helpers';

// Synthesis is the slow part: one stack per variant, shared by the tests.
let dev: WickedStack;
let template: Template;
let ids: { bucket: string; logs: string; configKey: string; repo: string; table: string; ledgerKey: string; fn: string; dlq: string; topic: string; topicKey: string };

beforeAll(() => {
  dev = testStack({ envName: 'dev', notificationEmail: 'ops@example.com' });
  template = Template.fromStack(dev);
  const id = (construct: IConstruct): string => logicalId(dev, construct);
  const p = dev.platform;
  ids = {
    bucket: id(p.config.bucket), logs: id(p.config.accessLogsBucket), configKey: id(p.config.key),
    repo: id(p.images.repository), table: id(p.ledger.table), ledgerKey: id(p.ledger.key),
    fn: id(p.buildImage.function), dlq: id(p.deadLetterQueue), topic: id(p.notifications.topic), topicKey: id(p.notifications.key!),
  };
});

const getAtt = (logicalId: string, attr = 'Arn'): unknown => ({ 'Fn::GetAtt': [logicalId, attr] });
const denyInsecure = (action: string, principal: unknown = { AWS: '*' }): unknown => Match.objectLike({
  Effect: 'Deny', Action: action, Principal: principal, Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});

function roleStatements(): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: logicalId(dev, dev.platform.buildImage.role) }] },
  });
  const docs = Object.values(policies).map((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument);
  expect(docs).toHaveLength(1);
  return docs[0]!.Statement;
}

function statementWith(action: string): Statement {
  const matching = roleStatements().filter((s) => actionsOf(s).includes(action));
  expect(matching).toHaveLength(1);
  return matching[0]!;
}

function joinedTail(resource: unknown): { parts: unknown[]; tail: unknown } {
  const parts = (resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return { parts, tail: parts[parts.length - 1] };
}

describe('config bucket', () => {
  it('is versioned, KMS-encrypted with its key, private, logged, with EventBridge on', () => {
    assertProps(template, 'AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: getAtt(ids.configKey) },
      })] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      LoggingConfiguration: { DestinationBucketName: { Ref: ids.logs }, LogFilePrefix: 'config-bucket/' },
      LifecycleConfiguration: { Rules: [Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 90 }, Status: 'Enabled' })] },
    });
  });

  it('turns EventBridge on without a notifications custom resource', () => {
    assertCount(template, 'Custom::S3BucketNotifications', 0);
    // The five control-plane functions, the base-image announcement's provider, CDK's log-retention
    // function (RDS's exported log groups), the singleton count reader, and the database-users function
    // with its provider framework function; no notifications function.
    assertCount(template, 'AWS::Lambda::Function', 10);
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).filter((fn) => fn.startsWith('AWS679f53fac002430cb0da5b7982bd2287'))).toHaveLength(1);
  });

  it('has a rotating customer-managed key (as every key of the stack)', () => {
    const keys = template.findResources('AWS::KMS::Key');
    expect(Object.keys(keys)).toEqual(expect.arrayContaining([ids.configKey, ids.ledgerKey, ids.topicKey]));
    for (const key of Object.values(keys)) expect((key as { Properties: { EnableKeyRotation: boolean } }).Properties.EnableKeyRotation).toBe(true);
  });

  it('refuses plain HTTP and TLS below 1.2', () => {
    assertProps(template, 'AWS::S3::BucketPolicy', {
      Bucket: { Ref: ids.bucket },
      PolicyDocument: { Statement: Match.arrayWith([
        denyInsecure('s3:*'),
        Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      ]) },
    });
  });

  it('logs to an S3-managed, private, TLS-only bucket that only log delivery for this bucket may write', () => {
    assertProps(template, 'AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: Match.absent(),
    });
    assertProps(template, 'AWS::S3::BucketPolicy', {
      Bucket: { Ref: ids.logs },
      PolicyDocument: { Statement: Match.arrayWith([
        denyInsecure('s3:*'),
        Match.objectLike({
          Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject',
          Condition: Match.objectLike({ ArnLike: { 'aws:SourceArn': getAtt(ids.bucket) } }),
        }),
      ]) },
    });
  });
});

describe('portal-api repository', () => {
  it('scans on push and keeps tags immutable except the -live release tags', () => {
    assertProps(template, 'AWS::ECR::Repository', {
      RepositoryName: 'wicked-dev/portal-api',
      ImageScanningConfiguration: { ScanOnPush: true },
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [{ ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: '*-live' }],
    });
  });

  it('expires all but the newest cfg- images, after a rule that protects released images', () => {
    const repo = template.findResources('AWS::ECR::Repository')[ids.repo] as { Properties: { LifecyclePolicy: { LifecyclePolicyText: string } } };
    const rules = (JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText) as { rules: unknown[] }).rules;
    expect(rules).toEqual([
      expect.objectContaining({ rulePriority: 1, selection: expect.objectContaining({ tagStatus: 'tagged', tagPatternList: ['*-live'] }) }),
      expect.objectContaining({
        rulePriority: 2,
        selection: { tagStatus: 'tagged', tagPrefixList: ['cfg-'], countType: 'imageCountMoreThan', countNumber: 30 },
        action: { type: 'expire' },
      }),
    ]);
  });

  it('caches Docker Hub under docker-hub/ with the prerequisite credentials taken by ARN, creating no placeholder secret', () => {
    assertProps(template, 'AWS::ECR::PullThroughCacheRule', {
      EcrRepositoryPrefix: 'docker-hub', UpstreamRegistryUrl: 'registry-1.docker.io', CredentialArn: DOCKER_HUB_SECRET_ARN,
    });
    expect(Object.values(template.findResources('AWS::SecretsManager::Secret')).map((r) => (r as { Properties: { Name?: string } }).Properties.Name))
      .not.toContainEqual(expect.stringMatching(/^ecr-pullthroughcache\//));
    // Kong and Redis pull through the cache during the create: their services wait for the rule.
    const rule = dev.resolve(dev.platform.images.pullThroughCacheRule!.logicalId) as string;
    for (const service of [dev.platform.workload.gateways.groups.default!.service, dev.platform.workload.singletons.redis!]) {
      expect(template.toJSON().Resources[logicalId(dev, service)].DependsOn).toContain(rule);
    }
  });
});

describe('ledger table', () => {
  it('is on demand with PITR, its own key, pk/sk string keys and TTL on expiresAt', () => {
    assertProps(template, 'AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: getAtt(ids.ledgerKey) },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });
});

describe('build-image function', () => {
  it('runs Node.js 20 on arm64 with one vCPU, 10 GB of /tmp and 15 minutes', () => {
    assertProps(template, 'AWS::Lambda::Function', {
      Runtime: 'nodejs24.x', Architectures: ['arm64'], MemorySize: 1769, EphemeralStorage: { Size: 10240 },
      Timeout: 900, ReservedConcurrentExecutions: Match.absent(), Handler: 'index.handler',
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('BuildImageLogs') } },
    });
  });

  it('gets the bucket, the target repository, the base image through the cache and the bus', () => {
    assertProps(template, 'AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({
        CONFIG_BUCKET: { Ref: ids.bucket },
        TARGET_REPOSITORY_URI: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['.dkr.ecr.', '/', { Ref: ids.repo }])] }),
        BASE_IMAGE: { 'Fn::Join': ['', [
          { Ref: 'AWS::AccountId' }, '.dkr.ecr.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' },
          '/docker-hub/haufelexware/wicked.api:1.0.0',
        ]] },
        EVENT_BUS_NAME: 'default',
        POWERTOOLS_SERVICE_NAME: 'build-image',
      }) },
    });
  });

  it('sends invocations that failed after two retries to the dead-letter queue', () => {
    assertProps(template, 'AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: ids.fn }, MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: getAtt(ids.dlq) } },
    });
  });

  it('has a role without managed policies', () => {
    assertProps(template, 'AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] }),
      ManagedPolicyArns: Match.absent(),
    });
  });
});

describe('build-image permissions', () => {
  it('reads only config/* of the config bucket, and decrypts only with its key', () => {
    const s3 = statementWith('s3:GetObject');
    expect(actionsOf(s3).sort()).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    const { parts, tail } = joinedTail(s3.Resource);
    expect(parts[0]).toEqual(getAtt(ids.bucket));
    expect(tail).toBe('/config/*');
    const decrypts = roleStatements().filter((st) => actionsOf(st).includes('kms:Decrypt'));
    expect(decrypts).toEqual(expect.arrayContaining([expect.objectContaining({ Action: 'kms:Decrypt', Resource: getAtt(ids.configKey) })]));
    expect(decrypts.map((st) => st.Resource).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([getAtt(ids.configKey), getAtt(ids.ledgerKey)]);
  });

  it('reads the ledger (to rebuild the deployed config on a new base) and never writes it', () => {
    const reads = statementWith('dynamodb:GetItem');
    expect(actionsOf(reads).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(roleStatements().flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:') && a !== 'dynamodb:GetItem' && a !== 'dynamodb:Query')).toEqual([]);
    expect(statementWith('kms:DescribeKey')).toMatchObject({ Resource: getAtt(ids.ledgerKey) });
  });

  it('pushes only to the portal-api repository', () => {
    const push = statementWith('ecr:PutImage');
    expect(push.Resource).toEqual(getAtt(ids.repo));
    for (const action of ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload']) {
      expect(statementWith(action)).toBe(push);
    }
  });

  it('pulls through the cache only under docker-hub/', () => {
    const pull = statementWith('ecr:BatchImportUpstreamImage');
    expect(actionsOf(pull)).toEqual(expect.arrayContaining(['ecr:CreateRepository', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']));
    expect(actionsOf(pull)).not.toContain('ecr:PutImage');
    expect(joinedTail(pull.Resource).tail).toBe(':repository/docker-hub/*');
  });

  it('uses "*" only for ecr:GetAuthorizationToken', () => {
    const wildcard = roleStatements().filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')));
    expect(wildcard).toEqual([{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }]);
  });

  it('puts events on the default bus only', () => {
    expect(joinedTail(statementWith('events:PutEvents').Resource).tail).toBe(':event-bus/default');
  });

  it('only allows', () => {
    expect(roleStatements().every((s) => s.Effect === 'Allow')).toBe(true);
  });
});

describe('config-upload rule', () => {
  it('uses the shared pattern for this bucket', () => {
    const pattern = dev.resolve(configUploadedPattern(dev.platform.config.bucketName)) as Record<string, unknown>;
    expect(pattern.detail).toEqual({ bucket: { name: [{ Ref: ids.bucket }] }, object: { key: [{ prefix: 'config/' }] } });
    assertProps(template, 'AWS::Events::Rule', { EventPattern: pattern, State: 'ENABLED' });
  });

  it('targets build-image with retries and the dead-letter queue', () => {
    assertProps(template, 'AWS::Events::Rule', {
      Targets: [Match.objectLike({
        Arn: getAtt(ids.fn),
        DeadLetterConfig: { Arn: getAtt(ids.dlq) },
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 },
      })],
    });
  });
});

describe('dead-letter queue', () => {
  it('is encrypted, TLS only, and accepts events from the rule', () => {
    assertProps(template, 'AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    assertProps(template, 'AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: ids.dlq }],
      PolicyDocument: { Statement: Match.arrayWith([
        denyInsecure('sqs:*'),
        Match.objectLike({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage' }),
      ]) },
    });
  });
});

describe('notifications', () => {
  it('has a KMS-encrypted, TLS-only topic with the e-mail subscription', () => {
    assertProps(template, 'AWS::SNS::Topic', { KmsMasterKeyId: getAtt(ids.topicKey) });
    assertProps(template, 'AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([denyInsecure('sns:Publish', '*')]) } });
    assertProps(template, 'AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: ids.topic } });
  });

  it('lets only this account\'s CloudWatch alarms publish through the topic key', () => {
    assertResource(template, 'AWS::KMS::Key', { Properties: Match.objectLike({ KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
      Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']] } },
      },
    })]) } }) });
    // Negative: no statement grants CloudWatch without those conditions.
    const statements = Object.values(template.findResources('AWS::KMS::Key'))
      .flatMap((k) => (k as { Properties: { KeyPolicy: { Statement: { Principal?: { Service?: string }; Condition?: unknown }[] } } }).Properties.KeyPolicy.Statement);
    expect(statements.filter((s) => s.Principal?.Service === 'cloudwatch.amazonaws.com' && s.Condition === undefined)).toEqual([]);
  });

  it.each([
    ['Errors', 'AWS/Lambda', 'FunctionName', () => ({ Ref: ids.fn })],
    ['ApproximateNumberOfMessagesVisible', 'AWS/SQS', 'QueueName', () => getAtt(ids.dlq, 'QueueName')],
  ])('alarms on %s at 1 and notifies the topic', (metric, namespace, dimension, value) => {
    assertProps(template, 'AWS::CloudWatch::Alarm', {
      MetricName: metric, Namespace: namespace, Dimensions: [{ Name: dimension, Value: value() }],
      Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: ids.topic }], OKActions: [{ Ref: ids.topic }],
    });
  });
});

describe('outputs and removal', () => {
  it('outputs what an operator needs', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    for (const name of ['ConfigBucketName', 'PortalApiRepositoryUri', 'LedgerTableName', 'NotificationTopicArn', 'DockerHubCredentialsSecretArn']) {
      expect(outputs.some((o) => o.includes(name))).toBe(true);
    }
  });

  it('deletes a dev environment with the stack and empties its repository', () => {
    assertResource(template, 'AWS::S3::Bucket', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ VersioningConfiguration: Match.anyValue() }) });
    assertResource(template, 'AWS::DynamoDB::Table', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ DeletionProtectionEnabled: Match.absent() }) });
    // Nothing to protect after the create either.
    assertCount(template, 'Custom::WickedDeletionProtection', 0);
    assertProps(template, 'AWS::ECR::Repository', { EmptyOnDelete: true });
  });
});
