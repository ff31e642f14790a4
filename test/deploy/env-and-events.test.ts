import { DeployTargetSchema, readDeployEnvironment, restartableServices, restartRequest, RESTART_NO_CONFIG } from '../../shared/deploy';
import { DeploymentRequestSchema } from '../../shared/ledger';
import { EcsDeploymentStateChangeEventSchema, serviceFromArn } from '../../shared/events';

describe('deploy events', () => {
  it('parses the documented ECS Deployment State Change example', () => {
    const event = EcsDeploymentStateChangeEventSchema.parse({
      version: '0', id: 'ddca6449-b258-46c0-8653-e0e3a6EXAMPLE', 'detail-type': 'ECS Deployment State Change', source: 'aws.ecs', account: '111122223333',
      time: '2020-05-23T12:31:14Z', region: 'us-west-2', resources: ['arn:aws:ecs:us-west-2:111122223333:service/default/servicetest'],
      detail: { eventType: 'ERROR', eventName: 'SERVICE_DEPLOYMENT_FAILED', deploymentId: 'ecs-svc/123', updatedAt: '2020-05-23T11:11:11Z', reason: 'ECS deployment circuit breaker: task failed to start.' },
    });
    expect(serviceFromArn(event.resources[0]!)).toEqual({ cluster: 'default', service: 'servicetest' });
  });

  it.each(['arn:aws:ecs:us-west-2:1:service/servicetest', 'arn:aws:ecs:us-west-2:1:task/default/abc', 'nope'])('%s is not a long-format service ARN', (arn) => {
    expect(serviceFromArn(arn)).toBeUndefined();
  });
});

describe('readDeployEnvironment', () => {
  const base = {
    LEDGER_TABLE_NAME: 'ledger', EVENT_BUS_NAME: 'bus',
    NOTIFY_TOPIC_ARN: 'arn:aws:sns:eu-west-1:1:wicked-dev', STUCK_CHECK_GROUP_NAME: 'wicked-dev-stuck-checks', STUCK_CHECK_ROLE_ARN: 'arn:aws:iam::1:role/stuck-check', EVENT_BUS_ARN: 'arn:aws:events:eu-west-1:1:event-bus/default',
  };

  it('parses targets with defaults', () => {
    const env = readDeployEnvironment({ ...base, DEPLOY_TARGETS: JSON.stringify({ dev: { cluster: 'c', service: 'portal-api', repositoryName: 'r' } }) }, 'deploy-services');
    expect(env).toMatchObject({ LEASE_SECONDS: 120, STUCK_AFTER_SECONDS: 1800, DEPLOY_TARGETS: { dev: { strictSingleton: false } } });
  });

  it.each([
    ['not JSON', '{', 'DEPLOY_TARGETS: expected JSON'],
    ['unknown key', JSON.stringify({ dev: { cluster: 'c', service: 's', repositoryName: 'r', desiredCount: 2 } }), 'DEPLOY_TARGETS'],
    ['bad env name', JSON.stringify({ Dev: { cluster: 'c', service: 's', repositoryName: 'r' } }), 'DEPLOY_TARGETS'],
  ])('names the problem: %s', (_name, targets, message) => {
    expect(() => readDeployEnvironment({ ...base, DEPLOY_TARGETS: targets }, 'deploy-services')).toThrow(message);
  });
});

describe('restart requests', () => {
  const detail = { env: 'dev', service: 'portal-kong-adapter', requestId: 'r-1', requestedAt: '2026-01-01T00:00:00.000Z' };
  const running = `sha256:${'c'.repeat(64)}`;

  it('are restart deployments of that service on the digest it runs, with an id stable per request', () => {
    const request = restartRequest(detail, running, 0);
    expect(DeploymentRequestSchema.parse(request)).toMatchObject({ kind: 'restart', service: 'portal-kong-adapter', digest: running, key: 'restart/portal-kong-adapter', configHash: RESTART_NO_CONFIG });
    expect(restartRequest(detail, running, 5).deploymentId).toBe(request.deploymentId);
    expect(restartRequest({ ...detail, requestId: 'r-2' }, running, 0).deploymentId).not.toBe(request.deploymentId);
  });

  it.each([
    ['no list: only the target service', undefined, ['portal-api']],
    ['a list: the target service first, no duplicates', ['portal', 'portal-api', 'portal-kong-adapter'], ['portal-api', 'portal', 'portal-kong-adapter']],
  ] as const)('restartable services with %s', (_name, restartable, expected) => {
    const target = DeployTargetSchema.parse({ cluster: 'c', service: 'portal-api', repositoryName: 'r', ...(restartable ? { restartable } : {}) });
    expect(restartableServices(target)).toEqual(expected);
  });
});
