import 'aws-sdk-client-mock-jest';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { resetDeployDeps } from '../../functions/deploy-services/deps';
import { EventShapeError } from '../../functions/middleware/parse-event';
import { handler, trackDeploymentEvent } from '../../functions/track-deployment/handler';

const documents = mockClient(DynamoDBDocumentClient);
const ecs = mockClient(ECSClient);
const eb = mockClient(EventBridgeClient);
const scheduler = mockClient(SchedulerClient);
const context = { functionName: 'track-deployment', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const savedEnv = { ...process.env };

function deploymentEvent(serviceArn: string, eventName = 'SERVICE_DEPLOYMENT_COMPLETED'): Record<string, unknown> {
  return {
    id: 'evt-ecs', source: 'aws.ecs', 'detail-type': 'ECS Deployment State Change', resources: [serviceArn],
    detail: { eventType: 'INFO', eventName, deploymentId: 'ecs-svc/1', updatedAt: '2026-11-23T12:00:00Z', reason: 'ECS deployment ecs-svc/1 completed.' },
  };
}

beforeEach(() => {
  Object.assign(process.env, {
    LEDGER_TABLE_NAME: 'ledger', EVENT_BUS_NAME: 'default', AWS_REGION: 'eu-west-1',
    NOTIFY_TOPIC_ARN: 'arn:aws:sns:eu-west-1:1:wicked-dev', STUCK_CHECK_GROUP_NAME: 'wicked-dev-stuck-checks', STUCK_CHECK_ROLE_ARN: 'arn:aws:iam::1:role/stuck-check', EVENT_BUS_ARN: 'arn:aws:events:eu-west-1:1:event-bus/default',
    DEPLOY_TARGETS: JSON.stringify({ dev: { cluster: 'wicked-dev', service: 'portal-api', repositoryName: 'portal-api' } }),
  });
  resetDeployDeps();
});
afterEach(() => {
  documents.reset();
  ecs.reset();
  eb.reset();
  scheduler.reset();
  process.env = { ...savedEnv };
});

describe('track-deployment handler', () => {
  it('rejects anything but an ECS Deployment State Change with an id, before any AWS call', async () => {
    const { id: _id, ...withoutId } = deploymentEvent('arn:aws:ecs:eu-west-1:1:service/wicked-dev/portal-api');
    await expect(handler(withoutId, context)).rejects.toBeInstanceOf(EventShapeError);
    await expect(handler({ ...deploymentEvent('arn'), 'detail-type': 'ECS Task State Change' }, context)).rejects.toBeInstanceOf(EventShapeError);
    expect(documents.calls()).toHaveLength(0);
  });

  it.each([
    ['a service of another cluster', 'arn:aws:ecs:eu-west-1:1:service/other/portal-api'],
    ['a service it does not deploy', 'arn:aws:ecs:eu-west-1:1:service/wicked-dev/kong'],
    ['a resource that is not a service', 'arn:aws:ecs:eu-west-1:1:cluster/wicked-dev'],
  ])('ignores events of %s without reading the ledger', async (_name, arn) => {
    await expect(trackDeploymentEvent(deploymentEvent(arn))).resolves.toMatchObject({ action: 'ignored' });
    expect(documents.calls()).toHaveLength(0);
  });

  it('a COMPLETED event with nothing in flight reconciles to idle: nothing published, ECS not asked, the safety net disarmed', async () => {
    documents.on(GetCommand).resolves({});
    const result = await handler(deploymentEvent('arn:aws:ecs:eu-west-1:1:service/wicked-dev/portal-api'), context);
    expect(result).toMatchObject({ action: 'reconciled', reconciled: [{ env: 'dev', settled: 'idle', steps: [], reason: expect.stringContaining('nothing in flight') }] });
    expect(ecs.calls()).toHaveLength(0);
    expect(eb).not.toHaveReceivedCommand(PutEventsCommand);
    expect(scheduler).toHaveReceivedCommandWith(DeleteScheduleCommand, { Name: 'reconcile-dev', GroupName: 'wicked-dev-stuck-checks' });
  });
});
