import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { DEPLOYMENT_STUCK_METRIC, isStuckDeployment, outcomeMetrics } from '../../functions/deploy-services/outcome-metrics';
import { deployServicesEvent } from '../../functions/deploy-services/handler';
import { resetDeployDeps } from '../../functions/deploy-services/deps';
import { reconcileDue } from '../../shared/deploy';
import type { NudgeResult, ReconcileResult, StepOutcome } from '../../shared/deploy';

// The orchestration is another module's concern: here only what the handler makes of its result.
jest.mock('../../shared/deploy', () => ({ ...jest.requireActual('../../shared/deploy'), reconcileDue: jest.fn() }));

const stuckCheck = { id: 'e', source: 'wicked.control-plane', 'detail-type': 'Portal Stuck Check Due', detail: { env: 'dev', deploymentId: 'd-1' } };
const savedEnv = { ...process.env };
const fail = (cause: string, outcome: 'failed' | 'stuck'): ReconcileResult['steps'][number] => ({
  action: { kind: 'fail', deploymentId: 'd-1', cause: cause as never, reason: 'r', restoreTag: true },
  outcome: { kind: 'done', detail: 'r', completed: { outcome, cause: cause as never } },
});
const nudged = (...steps: ReconcileResult['steps']): NudgeResult => ({ action: 'reconciled', reason: 'r', reconciled: [{ env: 'dev', steps, settled: 'idle', reason: 'r' }] });
const lost: StepOutcome = { kind: 'lost', detail: 'd-1 was already finished' };

describe('outcomeMetrics', () => {
  it.each<[string, NudgeResult, string[]]>([
    ['a deployment failed as stuck', nudged(fail('stuck', 'stuck')), ['DeploymentFailed', DEPLOYMENT_STUCK_METRIC]],
    ['a circuit-breaker failure', nudged(fail('circuit-breaker', 'failed')), ['DeploymentFailed']],
    ['a success', nudged({ action: { kind: 'succeed', deploymentId: 'd-1', reason: 'COMPLETED' }, outcome: { kind: 'done', detail: 'ok', completed: { outcome: 'succeeded' } } }), ['DeploymentSucceeded']],
    ['a step that lost to another reconcile', nudged({ action: { kind: 'fail', deploymentId: 'd-1', cause: 'stuck', reason: 'r', restoreTag: true }, outcome: lost }), []],
    ['a wait', nudged(), []],
    ['an ignored event', { action: 'ignored', reason: 'not ours', reconciled: [] }, []],
  ])('%s', (_name, result, expected) => {
    expect(outcomeMetrics(result)).toEqual(expected);
    expect(isStuckDeployment(result)).toBe(expected.includes(DEPLOYMENT_STUCK_METRIC));
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

  it.each<[string, NudgeResult, boolean]>([
    ['puts DeploymentStuck once when the reconcile fails the deployment as stuck', nudged(fail('stuck', 'stuck')), true],
    ['puts no DeploymentStuck when nothing finished', nudged(), false],
  ])('%s', async (_name, outcome, stuck) => {
    jest.mocked(reconcileDue).mockResolvedValue(outcome);
    const added = jest.spyOn(Metrics.prototype, 'addMetric');
    await expect(deployServicesEvent(stuckCheck)).resolves.toEqual(outcome);
    const stuckCalls = added.mock.calls.filter(([name]) => name === DEPLOYMENT_STUCK_METRIC);
    expect(stuckCalls).toEqual(stuck ? [[DEPLOYMENT_STUCK_METRIC, MetricUnit.Count, 1]] : []);
  });
});
