import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { Cloud } from '../../../local/cloud';
import { startCloud } from '../../../local/cloud';
import { NAME_CONFLICT_STATUS_REASON } from '../../../local/cloudformation/early-validation';

// The emulated providers' part in CreateChangeSet's name conflict check: each checked type asks its emulated service,
// and the types "not supported for pre-deployment validation" (CloudFormation User Guide, "Validate stack
// deployments", Resource limitations) are not checked: their conflict shows when the change set runs, as on AWS.

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const SCHEDULE = { ScheduleExpression: 'rate(1 day)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: 'arn:aws:lambda:us-east-1:000000000000:function:none', RoleArn: 'arn:aws:iam::000000000000:role/scheduler' } };
const FUNCTION = { Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: 'exports.handler = async () => "ok";' } };

describe('the emulated providers in the name conflict check', () => {
  let dir: string;
  let cloud: Cloud;
  let stacks = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cfn-name-conflict-'));
    cloud = await startCloud({ stateDir: join(dir, 'state') });
  });
  afterAll(async () => {
    await cloud?.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  /** Creates a change set of a new stack holding these resources; executes it when `execute`. */
  async function changeSet(resources: Record<string, unknown>, execute = false) {
    stacks += 1;
    const cs = await cloud.cloudformation.createChangeSet({ StackName: `s${stacks}`, ChangeSetName: 'cs', ChangeSetType: 'CREATE', TemplateBody: JSON.stringify({ Resources: resources }), Parameters: [], Capabilities: [], Tags: [] });
    if (execute) {
      void cloud.cloudformation.executeChangeSet(cs.id);
      await cloud.cloudformation.settled();
    }
    return cs;
  }

  const reasons = (stackName: string) => cloud.cloudformation.describeEvents({ StackName: stackName, ChangeSetName: 'cs', FailedEvents: true }).OperationEvents.map((e) => e.ValidationStatusReason);

  it('S3 bucket, DynamoDB table, SSM parameter and backup vault made through their own APIs: each addition of the name is refused', async () => {
    const s3 = new S3Client({ region: 'us-east-1', credentials, endpoint: cloud.endpoints.s3, forcePathStyle: true });
    const dynamodb = new DynamoDBClient({ region: 'us-east-1', credentials, endpoint: cloud.endpoints.dynamodb });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'wicked-prod-config' }));
      await dynamodb.send(new CreateTableCommand({ TableName: 'wicked-prod-ledger', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    } finally {
      s3.destroy();
      dynamodb.destroy();
    }
    cloud.control.ssm.put({ name: '/wicked/prod/config-bucket', value: 'x', type: 'String' });
    cloud.control.backup.createVault('wicked-prod');
    const cs = await changeSet({
      Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'wicked-prod-config' } },
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'wicked-prod-ledger', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' } },
      Param: { Type: 'AWS::SSM::Parameter', Properties: { Name: '/wicked/prod/config-bucket', Type: 'String', Value: 'y' } },
      Vault: { Type: 'AWS::Backup::BackupVault', Properties: { BackupVaultName: 'wicked-prod' } },
      FreeBucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'wicked-prod-other' } },
    });
    expect([cs.status, cs.statusReason]).toEqual(['FAILED', NAME_CONFLICT_STATUS_REASON]);
    expect(reasons(cs.stackName)).toEqual([
      "Resource of type 'AWS::S3::Bucket' with identifier 'wicked-prod-config' already exists.",
      "Resource of type 'AWS::DynamoDB::Table' with identifier 'wicked-prod-ledger' already exists.",
      "Resource of type 'AWS::SSM::Parameter' with identifier '/wicked/prod/config-bucket' already exists.",
      "Resource of type 'AWS::Backup::BackupVault' with identifier 'wicked-prod' already exists.",
    ]);
    // Nothing was created or changed: the free bucket does not exist, the parameter kept its value.
    expect(cloud.control.ssm.latest('/wicked/prod/config-bucket').value).toBe('x');
    expect((await changeSet({ Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'wicked-prod-other' } } })).status).toBe('CREATE_COMPLETE');
  });

  it('a schedule conflicts within its group only (GroupName, default `default`); schedule groups by name', async () => {
    cloud.control.scheduler.createGroup('wicked-prod');
    cloud.control.scheduler.createSchedule('daily-snapshot', { ...SCHEDULE, GroupName: 'wicked-prod' });
    cloud.control.scheduler.createSchedule('nightly', SCHEDULE);
    const schedule = (name: string, group?: string) => ({ Type: 'AWS::Scheduler::Schedule', Properties: { Name: name, ...(group ? { GroupName: group } : {}), ...SCHEDULE } });
    const clash = await changeSet({ Group: { Type: 'AWS::Scheduler::ScheduleGroup', Properties: { Name: 'wicked-prod' } }, Daily: schedule('daily-snapshot', 'wicked-prod'), Nightly: schedule('nightly') });
    expect(reasons(clash.stackName)).toEqual([
      "Resource of type 'AWS::Scheduler::ScheduleGroup' with identifier 'wicked-prod' already exists.",
      "Resource of type 'AWS::Scheduler::Schedule' with identifier 'daily-snapshot' already exists.",
      "Resource of type 'AWS::Scheduler::Schedule' with identifier 'nightly' already exists.",
    ]);
    expect((await changeSet({ Daily: schedule('daily-snapshot'), Nightly: schedule('nightly', 'wicked-prod') })).status).toBe('CREATE_COMPLETE');
  });

  it('a Lambda function and a pull-through cache rule another stack holds: refused in a second stack', async () => {
    const first = await changeSet({ Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'wicked-prod-deploy', ...FUNCTION } }, Cache: { Type: 'AWS::ECR::PullThroughCacheRule', Properties: { EcrRepositoryPrefix: 'docker-hub', UpstreamRegistryUrl: 'registry-1.docker.io' } } }, true);
    expect(cloud.cloudformation.stack(first.stackName).status).toBe('CREATE_COMPLETE');
    const second = await changeSet({ Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'wicked-prod-deploy', ...FUNCTION } }, Cache: { Type: 'AWS::ECR::PullThroughCacheRule', Properties: { EcrRepositoryPrefix: 'docker-hub', UpstreamRegistryUrl: 'registry-1.docker.io' } }, Other: { Type: 'AWS::ECR::PullThroughCacheRule', Properties: { EcrRepositoryPrefix: 'docker-hub/x', UpstreamRegistryUrl: 'registry-1.docker.io' } } });
    expect(reasons(second.stackName)).toEqual([
      "Resource of type 'AWS::Lambda::Function' with identifier 'wicked-prod-deploy' already exists.",
      "Resource of type 'AWS::ECR::PullThroughCacheRule' with identifier 'docker-hub' already exists.",
    ]);
  });

  it('types AWS does not check (ECR repository, SNS topic, ECS cluster): the change set is created; a retained repository fails the resource at execution', async () => {
    await cloud.control.ecr.createRepository('wicked-prod/portal-api');
    const cs = await changeSet({
      Repo: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'wicked-prod/portal-api' } },
      Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'wicked-prod-alarms' } },
      Cluster: { Type: 'AWS::ECS::Cluster', Properties: { ClusterName: 'wicked-prod' } },
    }, true);
    expect(cs.status).toBe('CREATE_COMPLETE');
    const stack = cloud.cloudformation.stack(cs.stackName);
    expect(stack.status).toBe('ROLLBACK_COMPLETE');
    expect(stack.events.find((e) => e.ResourceStatus === 'CREATE_FAILED')).toMatchObject({ LogicalResourceId: 'Repo', ResourceStatusReason: expect.stringContaining("The repository with name 'wicked-prod/portal-api' already exists") });
  });
});
