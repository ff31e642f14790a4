import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { DEPLOYMENT_STUCK_METRIC, isStuckDeployment } from '../../functions/deploy-services/outcome-metrics';
import { deployServicesEvent } from '../../functions/deploy-services/handler';
import { resetDeployDeps } from '../../functions/deploy-services/deps';
import { checkStuckDeployment } from '../../shared/deploy';
import type { TrackResult } from '../../shared/deploy';

// The orchestration is another module's concern: here only what the handler makes of its result.
jest.mock('../../shared/deploy', () => ({ ...jest.requireActual('../../shared/deploy'), checkStuckDeployment: jest.fn() }));

const stuckCheck = { id: 'e', source: 'wicked.control-plane', 'detail-type': 'Portal Stuck Check Due', detail: { env: 'dev', deploymentId: 'd-1' } };
const savedEnv = { ...process.env };

describe('isStuckDeployment', () => {
  it.each<[string, Parameters<typeof isStuckDeployment>[0], boolean]>([
    ['a deployment failed as stuck', { action: 'failed', deploymentId: 'd-1', cause: 'stuck', reason: 'no terminal ECS event' }, true],
    ['a circuit-breaker failure', { action: 'failed', deploymentId: 'd-1', cause: 'circuit-breaker', reason: 'tasks failed' }, false],
    ['a start failure', { action: 'failed', deploymentId: 'd-1', cause: 'start-failed', reason: 'UpdateService refused' }, false],
    ['a check before the deadline', { action: 'pending', reason: 'd-1 has until later' }, false],
    ['a check of a finished deployment', { action: 'ignored', reason: 'd-1 is no longer in flight' }, false],
    ['a success', { action: 'succeeded', deploymentId: 'd-1', reason: 'COMPLETED' }, false],
    ['a queued config', { action: 'queued', deploymentId: 'd-2', reason: 'd-1 in flight' }, false],
  ])('%s: %s', (_name, result, expected) => {
    expect(isStuckDeployment(result)).toBe(expected);
  });
});

describe('deploy-services metrics', () => {
  beforeEach(() => {
    Object.assign(process.env, { LEDGER_TABLE_NAME: 'ledger', EVENT_BUS_NAME: 'default', AWS_REGION: 'eu-west-1',
      DEPLOY_TARGETS: JSON.stringify({ dev: { cluster: 'wicked-dev', service: 'portal-api', repositoryName: 'portal-api' } }),
      NOTIFY_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:wicked-dev-notifications', STUCK_CHECK_GROUP_NAME: 'wicked-dev-stuck-checks',
      STUCK_CHECK_ROLE_ARN: 'arn:aws:iam::123456789012:role/stuck-checks', EVENT_BUS_ARN: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' });
    resetDeployDeps();
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...savedEnv };
  });

  it.each<[string, TrackResult, boolean]>([
    ['puts DeploymentStuck once when the stuck check fails the deployment', { action: 'failed', deploymentId: 'd-1', cause: 'stuck', reason: 'no terminal ECS event' }, true],
    ['puts no DeploymentStuck when the deployment is no longer in flight', { action: 'ignored', reason: 'd-1 is no longer in flight' }, false],
  ])('%s', async (_name, outcome, stuck) => {
    jest.mocked(checkStuckDeployment).mockResolvedValue(outcome);
    const added = jest.spyOn(Metrics.prototype, 'addMetric');
    await expect(deployServicesEvent(stuckCheck)).resolves.toEqual(outcome);
    const stuckCalls = added.mock.calls.filter(([name]) => name === DEPLOYMENT_STUCK_METRIC);
    expect(stuckCalls).toEqual(stuck ? [[DEPLOYMENT_STUCK_METRIC, MetricUnit.Count, 1]] : []);
  });
});
