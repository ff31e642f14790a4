import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { WickedStack } from '../../infra/wicked-stack';
import { assertProps, logicalId, testApp, testStack } from './helpers';

// One synthesis per variant, shared by the tests of this file.
let dev: WickedStack;
let template: Template;
const id = (construct: IConstruct): string => logicalId(dev, construct);
type Alarm = { Properties: Record<string, unknown> };

beforeAll(() => {
  dev = testStack({ envName: 'dev' });
  template = Template.fromStack(dev);
});

describe('alarms', () => {
  it.each([
    ['deploy-services', () => dev.platform.deploy.deployServices.function],
    ['track-deployment', () => dev.platform.deploy.trackDeployment.function],
    ['snapshot-data', () => dev.platform.snapshot.snapshotData.function],
    ['track-backup', () => dev.platform.snapshot.trackBackup.function],
    ['build-image', () => dev.platform.buildImage.function],
  ])('alarm on the first error of %s within 5 minutes', (_name, fn) => {
    assertProps(template, 'AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(fn()) } }],
      Statistic: 'Sum', Period: 300, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });
  });

  it('alarm on the first deployment deploy-services marks stuck, from its Powertools metric', () => {
    assertProps(template, 'AWS::CloudWatch::Alarm', {
      Namespace: 'wicked-control-plane', MetricName: 'DeploymentStuck', Dimensions: [{ Name: 'service', Value: 'deploy-services' }],
      Statistic: 'Sum', Period: 300, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });
    // The metric the alarm watches is the one the function is told to put: same namespace, same service.
    const fn = template.findResources('AWS::Lambda::Function')[id(dev.platform.deploy.deployServices.function)] as Alarm;
    expect((fn.Properties.Environment as { Variables: Record<string, string> }).Variables)
      .toMatchObject({ POWERTOOLS_METRICS_NAMESPACE: 'wicked-control-plane', POWERTOOLS_SERVICE_NAME: 'deploy-services' });
  });

  it('alarm when no backup job of the vault completed in 48 hourly periods (twice the daily schedule), missing data breaching', () => {
    assertProps(template, 'AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Backup', MetricName: 'NumberOfBackupJobsCompleted', Dimensions: [{ Name: 'BackupVaultName', Value: { 'Fn::GetAtt': [id(dev.platform.workload.backups.vault), 'BackupVaultName'] } }],
      Statistic: 'Sum', Period: 3600, EvaluationPeriods: 48, DatapointsToAlarm: 48, Threshold: 1,
      ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching',
    });
  });

  it('keeps failed backups, dead letters and gateway 5xx alarms', () => {
    for (const [namespace, metric, threshold] of [['AWS/Backup', 'NumberOfBackupJobsFailed', 1], ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 1], ['AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', 10]] as const) {
      assertProps(template, 'AWS::CloudWatch::Alarm', { Namespace: namespace, MetricName: metric, Threshold: threshold });
    }
  });

  it('every alarm notifies the topic when it fires and when it recovers, and none is left out of the list', () => {
    const topic = { Ref: id(dev.platform.notifications.topic) };
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[];
    expect(alarms.length).toBeGreaterThanOrEqual(11);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topic]);
      expect(alarm.Properties.OKActions).toEqual([topic]);
    }
    expect(dev.platform.notifications.alarms).toHaveLength(alarms.length);
  });

  it.each([
    ['cron(0 */12 * * ? *)', 24],
    ['cron(0 2,4 * * ? *)', 44],
  ])('derives the missing-backup window from the schedule %s: %i hourly periods', (schedule, periods) => {
    const stack = testStack({ envName: 'prod', backup: { schedule } }, testApp());
    assertProps(Template.fromStack(stack), 'AWS::CloudWatch::Alarm', {
      MetricName: 'NumberOfBackupJobsCompleted', Period: 3600, EvaluationPeriods: periods, DatapointsToAlarm: periods, TreatMissingData: 'breaching',
    });
  });

  it('leaves the missing-backup alarm out, with a warning, for a schedule that skips days', () => {
    const stack = testStack({ envName: 'prod', backup: { schedule: 'cron(0 3 ? * SUN *)' } }, testApp());
    const completed = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'NumberOfBackupJobsCompleted' } });
    expect(Object.keys(completed)).toHaveLength(0);
    const warnings = stack.platform.workload.monitoring.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings.some((w) => w.includes('No missing-backup alarm') && w.includes('cron(0 3 ? * SUN *)'))).toBe(true);
  });
});
