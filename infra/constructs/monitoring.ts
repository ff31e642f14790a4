import { Annotations, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { missingBackupWindow } from '../backup-window';
import type { GatewayGroup } from './gateways';
import { ALARM_PERIOD, type Notifications } from './notifications';

/** Gateway 5xx responses per alarm period from which the operator is told. */
export const GATEWAY_5XX_THRESHOLD = 10;

/** Props of {@link Monitoring}. */
export interface MonitoringProps {
  /** Environment name, in names and descriptions. */
  readonly envName: string;
  /** Alarms go to this topic. */
  readonly notifications: Notifications;
  /** The singleton services by component. */
  readonly singletons: Readonly<Record<string, ecs.FargateService>>;
  /** The gateway groups by name. */
  readonly gateways: Readonly<Record<string, GatewayGroup>>;
  /** Name of the backup vault whose jobs are watched. */
  readonly backupVaultName: string;
  /** The backup plan's schedule (`cron(...)`): the missing-backup alarm watches twice its interval. */
  readonly backupSchedule: string;
}

/** AWS Backup's job metric, per vault. */
export function backupJobsMetric(metricName: 'NumberOfBackupJobsFailed' | 'NumberOfBackupJobsCompleted', vaultName: string, period = ALARM_PERIOD): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Backup', metricName, dimensionsMap: { BackupVaultName: vaultName }, statistic: 'Sum', period,
  });
}

/**
 * Alarms on the workload (gateway target 5xx and unhealthy targets per group, failed
 * backup jobs) and a dashboard with the services' CPU and memory, the gateways'
 * requests, latency and 5xx, and the backup jobs.
 *
 * @example
 * new Monitoring(this, 'Monitoring', { envName, notifications, singletons, gateways, backupVaultName });
 */
export class Monitoring extends Construct {
  /** The dashboard `wicked-<env>`. */
  public readonly dashboard: cloudwatch.Dashboard;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - what to watch and whom to tell
   */
  public constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.createAlarms(props);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `wicked-${props.envName}` });
    const services = { ...props.singletons, ...Object.fromEntries(Object.entries(props.gateways).map(([n, g]) => [`kong-${n}`, g.service])) };
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'CPU utilization (%)', left: Object.values(services).map((s) => s.metricCpuUtilization({ period: ALARM_PERIOD })), width: 12 }),
      new cloudwatch.GraphWidget({ title: 'Memory utilization (%)', left: Object.values(services).map((s) => s.metricMemoryUtilization({ period: ALARM_PERIOD })), width: 12 }),
    );
    const groups = Object.values(props.gateways).map((g) => g.targetGroup.metrics);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Gateway requests', left: groups.map((m) => m.requestCount({ period: ALARM_PERIOD })), width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Gateway latency (p99, s)', left: groups.map((m) => m.targetResponseTime({ period: ALARM_PERIOD, statistic: 'p99' })), width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Gateway target 5xx', left: groups.map((m) => m.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: ALARM_PERIOD })), width: 8 }),
    );
    this.dashboard.addWidgets(new cloudwatch.GraphWidget({
      title: 'Backup jobs',
      left: [backupJobsMetric('NumberOfBackupJobsCompleted', props.backupVaultName), backupJobsMetric('NumberOfBackupJobsFailed', props.backupVaultName)],
      width: 24,
    }));
  }

  private createAlarms(props: MonitoringProps): void {
    const env = props.envName;
    for (const [name, group] of Object.entries(props.gateways)) {
      props.notifications.alarmAtOrAbove(`Gateway${pascal(name)}Target5xx`, {
        metric: group.targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: ALARM_PERIOD, statistic: 'Sum' }),
        threshold: GATEWAY_5XX_THRESHOLD,
        description: `wicked ${env}: gateway group ${name} returned at least ${GATEWAY_5XX_THRESHOLD} 5xx in 5 minutes; see Kong's and the upstreams' logs`,
      });
      props.notifications.alarmOnAtLeastOne(`Gateway${pascal(name)}UnhealthyHosts`, {
        metric: group.targetGroup.metrics.unhealthyHostCount({ period: ALARM_PERIOD, statistic: 'Maximum' }),
        description: `wicked ${env}: gateway group ${name} has unhealthy Kong tasks`,
      });
    }
    props.notifications.alarmOnAtLeastOne('BackupJobsFailed', {
      metric: backupJobsMetric('NumberOfBackupJobsFailed', props.backupVaultName),
      description: `wicked ${env}: an AWS Backup job of vault ${props.backupVaultName} failed; see the AWS Backup console`,
    });
    this.createMissingBackupsAlarm(props);
  }

  /**
   * No completed job in the vault within twice the schedule's interval: every hourly
   * period of the window below one completion, missing data counting as breaching
   * (AWS Backup publishes nothing in an hour without jobs).
   */
  private createMissingBackupsAlarm(props: MonitoringProps): void {
    const window = missingBackupWindow(props.backupSchedule);
    if (window === undefined) {
      Annotations.of(this).addWarningV2('wicked:missing-backup-alarm',
        `No missing-backup alarm: the schedule ${props.backupSchedule} skips days, and twice its interval may exceed CloudWatch's 7-day evaluation range.`);
      return;
    }
    const hours = window.evaluationPeriods;
    props.notifications.notifyOn(new cloudwatch.Alarm(this, 'BackupsMissing', {
      metric: backupJobsMetric('NumberOfBackupJobsCompleted', props.backupVaultName, Duration.seconds(window.periodSeconds)),
      alarmDescription: `wicked ${props.envName}: no AWS Backup job of vault ${props.backupVaultName} completed in ${hours} h (twice the schedule ${props.backupSchedule}); check the backup plan, snapshot-data and the AWS Backup console`,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: hours,
      datapointsToAlarm: hours,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    }));
  }
}

function pascal(name: string): string {
  return name.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}
