import { Arn, ArnFormat, Duration, Stack, TimeZone, Validations, type CfnElement, type RemovalPolicy } from 'aws-cdk-lib';
import type * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SNAPSHOT_SCHEDULE_INPUT, SNAPSHOT_SCHEDULE_NAME } from '../../shared/events/rules';
import { sweepScheduleName } from '../../shared/snapshot/sweep';
import type { ResolvedBackupProps } from '../backup-props';
import { ControlPlaneFunction } from './control-plane-function';
import type { LedgerTable } from './ledger-table';
import type { Notifications } from './notifications';

/** Backup actions without resource-level permissions: AWS requires `"*"` for them. */
export const BACKUP_UNSCOPED_ACTIONS = ['backup:DescribeBackupJob', 'backup:ListBackupJobs', 'backup:ListRecoveryPointsByResource', 'backup:DescribeRestoreJob'] as const;

/** Props of {@link SnapshotFunctions}. */
export interface SnapshotFunctionsProps {
  /** Environment name (`WICKED_ENV`). */
  readonly envName: string;
  /** Handler entries. */
  readonly entries: { readonly snapshotData: string; readonly trackBackup: string };
  /** The vault on-demand jobs write to. */
  readonly vault: backup.IBackupVault;
  /** The role AWS Backup assumes for the jobs; the only role the functions may pass. */
  readonly backupRole: iam.IRole;
  /** ARN of the EFS file system of the dynamic data. */
  readonly fileSystemArn: string;
  /** ARN of the database instance, when it is backed up. */
  readonly databaseArn?: string;
  /** Schedule and retention, as for the backup plan. */
  readonly plan: ResolvedBackupProps;
  /** The deployment ledger. */
  readonly ledger: LedgerTable;
  /** Operator notifications. */
  readonly notifications: Notifications;
  /** Failed invocations end up here. */
  readonly failureQueue: sqs.IQueue;
  /** Applied to the log groups. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * The schedule group snapshot-data creates its sweep schedule in (`snapshot-sweep-<env>`, while a backup job
   * is pending): the environment's stuck-check group, so deleting the stack deletes the schedule too.
   */
  readonly sweepGroup: scheduler.IScheduleGroup;
}

/**
 * snapshot-data (starts or joins AWS Backup jobs of the dynamic data, on schedule and
 * on request, and sweeps the jobs the ledger shows pending while there are any) and
 * track-backup (records recovery points, notifies on failures), with the EventBridge
 * Scheduler schedule that invokes snapshot-data.
 *
 * @example
 * new SnapshotFunctions(this, 'Snapshot', { envName: 'prod', entries, vault, backupRole, fileSystemArn, plan, ledger, notifications, failureQueue, removalPolicy, sweepGroup });
 */
export class SnapshotFunctions extends Construct {
  /** snapshot-data. */
  public readonly snapshotData: ControlPlaneFunction;
  /** track-backup. */
  public readonly trackBackup: ControlPlaneFunction;
  /** The EventBridge Scheduler schedule that invokes snapshot-data. */
  public readonly schedule: scheduler.Schedule;
  /** Role the schedules assume (the daily one and the sweep): invoke snapshot-data, send to the failure queue. */
  public readonly scheduleRole: iam.Role;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - entries, plan and the resources the functions work on
   */
  public constructor(scope: Construct, id: string, props: SnapshotFunctionsProps) {
    super(scope, id);
    this.scheduleRole = new iam.Role(this, 'ScheduleRole', {
      // The source-account condition keeps other accounts' schedules from using the role (confused deputy).
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: 'EventBridge Scheduler: invokes snapshot-data on the snapshot schedule and for the sweep',
    });
    const common = { environment: snapshotEnvironment(props, this.scheduleRole), failureQueue: props.failureQueue, removalPolicy: props.removalPolicy };
    this.snapshotData = new ControlPlaneFunction(this, 'SnapshotData', {
      ...common, entry: props.entries.snapshotData, service: 'snapshot-data',
      description: 'snapshot-data: starts AWS Backup jobs of the wicked data',
    });
    this.trackBackup = new ControlPlaneFunction(this, 'TrackBackup', {
      ...common, entry: props.entries.trackBackup, service: 'track-backup',
      description: 'track-backup: records recovery points, notifies on failed jobs',
    });
    for (const fn of [this.snapshotData, this.trackBackup]) this.grantAccess(fn, props);
    this.grantSweep(props);
    const fnId = Stack.of(this).resolve((this.snapshotData.function.node.defaultChild as CfnElement).logicalId) as string;
    Validations.of(this.scheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnId}.Arn>:*]`,
      reason: 'grantInvoke covers the qualified ARNs (versions, aliases) of snapshot-data alone; the role can invoke no other function.',
    });
    // The input carries Scheduler's context attributes: snapshot-data receives a `Scheduled Event` with the execution id and scheduled time.
    this.schedule = new scheduler.Schedule(this, SNAPSHOT_SCHEDULE_NAME, {
      description: 'Scheduled snapshot of the wicked data',
      schedule: scheduler.ScheduleExpression.expression(props.plan.schedule, TimeZone.ETC_UTC),
      target: new targets.LambdaInvoke(this.snapshotData.function, {
        role: this.scheduleRole,
        input: scheduler.ScheduleTargetInput.fromObject(SNAPSHOT_SCHEDULE_INPUT),
        deadLetterQueue: props.failureQueue, retryAttempts: 8, maxEventAge: Duration.hours(1),
      }),
    });
  }

  /**
   * Both functions switch the sweep schedule on (snapshot-data once a request recorded its jobs, track-backup once
   * it recorded a job running) and off: Create/DeleteSchedule of that one name in the sweep group alone, and PassRole
   * of the schedule role to EventBridge Scheduler only. track-backup gets snapshot-data's ARN, the sweep's target.
   */
  private grantSweep(props: SnapshotFunctionsProps): void {
    const sweep = Arn.format({ service: 'scheduler', resource: 'schedule', resourceName: `${props.sweepGroup.scheduleGroupName}/${sweepScheduleName(props.envName)}` }, Stack.of(this));
    for (const { role } of [this.snapshotData, this.trackBackup]) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'], resources: [sweep] }));
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['iam:PassRole'], resources: [this.scheduleRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }));
    }
    this.trackBackup.function.addEnvironment('SNAPSHOT_SWEEP_FUNCTION_ARN', this.snapshotData.function.functionArn);
  }

  private grantAccess(fn: ControlPlaneFunction, props: SnapshotFunctionsProps): void {
    props.ledger.grantLedgerAccess(fn.role);
    fn.grantPutEventsToDefaultBus();
    fn.grantPublish(props.notifications.topic, props.notifications.key);
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['backup:StartBackupJob'], resources: [props.vault.backupVaultArn] }));
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...BACKUP_UNSCOPED_ACTIONS], resources: ['*'] }));
    // The backup role goes to AWS Backup only (StartBackupJob, StartCopyJob), never to another service.
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'], resources: [props.backupRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } },
    }));
    fn.acknowledgeWildcard('*', `${BACKUP_UNSCOPED_ACTIONS.join(', ')} have no resource-level permissions: AWS requires "*"; they only read job and recovery-point metadata.`);
    // Copies are made only to a DR vault: without one, the functions may not copy at all.
    if (props.plan.copyToVaultArn === undefined) return;
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['backup:StartCopyJob'], resources: [recoveryPointsArn(this)] }));
    fn.acknowledgeWildcard(
      'arn:<AWS::Partition>:backup:<AWS::Region>:<AWS::AccountId>:recovery-point:*',
      'Recovery point ids are generated by AWS Backup per job; copying them to the DR vault is limited to this account and region.',
    );
  }
}

/** Recovery points of this account and region. */
function recoveryPointsArn(scope: Construct): string {
  return Arn.format({ service: 'backup', resource: 'recovery-point', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }, Stack.of(scope));
}

/**
 * The snapshot functions' environment (read by `readSnapshotEnvironment`), with the
 * backup plan's schedule and retention so on-demand points match scheduled ones.
 *
 * @param props - the functions' props
 * @param scheduleRole - the role the sweep schedule assumes to invoke snapshot-data
 */
export function snapshotEnvironment(props: SnapshotFunctionsProps, scheduleRole: iam.IRole): Record<string, string> {
  const p = props.plan;
  return {
    WICKED_ENV: props.envName,
    LEDGER_TABLE_NAME: props.ledger.table.tableName,
    EVENT_BUS_NAME: 'default',
    BACKUP_VAULT_NAME: props.vault.backupVaultName,
    BACKUP_ROLE_ARN: props.backupRole.roleArn,
    EFS_FILE_SYSTEM_ARN: props.fileSystemArn,
    ...(props.databaseArn !== undefined ? { RDS_INSTANCE_ARN: props.databaseArn } : {}),
    SNAPSHOT_SCHEDULE: p.schedule,
    SNAPSHOT_DELETE_AFTER_DAYS: String(p.deleteAfterDays),
    ...(p.moveToColdStorageAfterDays !== undefined ? { SNAPSHOT_COLD_STORAGE_AFTER_DAYS: String(p.moveToColdStorageAfterDays) } : {}),
    ...(p.copyToVaultArn !== undefined ? { DR_VAULT_ARN: p.copyToVaultArn, DR_DELETE_AFTER_DAYS: String(p.deleteAfterDays) } : {}),
    NOTIFY_TOPIC_ARN: props.notifications.topic.topicArn,
    SNAPSHOT_SWEEP_GROUP_NAME: props.sweepGroup.scheduleGroupName,
    SNAPSHOT_SWEEP_ROLE_ARN: scheduleRole.roleArn,
  };
}
