import { Duration, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { ResolvedBackupProps } from '../backup-props';

/** AWS-managed policies of the backup role: what AWS Backup documents for backup and restore jobs. */
export const BACKUP_ROLE_MANAGED_POLICIES = ['AWSBackupServiceRolePolicyForBackup', 'AWSBackupServiceRolePolicyForRestores'] as const;

/** Props of {@link Backups}. */
export interface BackupsProps {
  /** Environment name, part of the vault name. */
  readonly envName: string;
  /** Schedule, retention, cold storage, DR copy, lock. */
  readonly plan: ResolvedBackupProps;
  /** What is backed up on schedule. */
  readonly resources: backup.BackupResource[];
  /** Applied to the vault and its key. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * AWS Backup for the platform's data: a vault encrypted with its own key (Vault Lock
 * when configured), a role for scheduled and on-demand jobs (the snapshot function
 * passes it to StartBackupJob), and a plan that backs up the given resources on schedule,
 * moves them to cold storage and copies them to a DR vault when configured.
 *
 * @example
 * const backups = new Backups(this, 'Backups', { envName: 'prod', plan, resources: [BackupResource.fromEfsFileSystem(fs)], removalPolicy });
 */
export class Backups extends Construct {
  /** The vault's key. */
  public readonly key: kms.Key;
  /** The vault. */
  public readonly vault: backup.BackupVault;
  /** Role AWS Backup assumes for scheduled and on-demand backup and restore jobs. */
  public readonly role: iam.Role;
  /** The scheduled plan. */
  public readonly plan: backup.BackupPlan;

  /**
   * @param scope - parent construct
   * @param id - construct id
   * @param props - plan settings and the resources to back up
   */
  public constructor(scope: Construct, id: string, props: BackupsProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', { description: 'Encrypts the wicked backup vault', enableKeyRotation: true, removalPolicy: props.removalPolicy });
    const lock = props.plan.vaultLock;
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: `wicked-${props.envName}`,
      encryptionKey: this.key,
      removalPolicy: props.removalPolicy,
      ...(lock ? { lockConfiguration: { minRetention: Duration.days(lock.minRetentionDays), maxRetention: Duration.days(lock.maxRetentionDays) } } : {}),
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: 'AWS Backup: scheduled and on-demand backup and restore jobs of the wicked data',
      managedPolicies: BACKUP_ROLE_MANAGED_POLICIES.map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(`service-role/${name}`)),
    });
    for (const name of BACKUP_ROLE_MANAGED_POLICIES) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}]`,
        reason: 'AWS Backup documents this AWS-managed service-role policy for its jobs; it follows new resource types AWS Backup adds.',
      });
    }
    this.plan = new backup.BackupPlan(this, 'Plan', { backupPlanName: `wicked-${props.envName}`, backupVault: this.vault, backupPlanRules: [this.rule(props.plan)] });
    this.plan.addSelection('Data', { resources: props.resources, role: this.role, allowRestores: false });
  }

  private rule(plan: ResolvedBackupProps): backup.BackupPlanRule {
    const deleteAfter = Duration.days(plan.deleteAfterDays);
    return new backup.BackupPlanRule({
      ruleName: 'Scheduled',
      scheduleExpression: events.Schedule.expression(plan.schedule),
      startWindow: Duration.hours(1),
      completionWindow: Duration.hours(8),
      deleteAfter,
      ...(plan.moveToColdStorageAfterDays !== undefined ? { moveToColdStorageAfter: Duration.days(plan.moveToColdStorageAfterDays) } : {}),
      ...(plan.copyToVaultArn !== undefined
        ? { copyActions: [{ destinationBackupVault: backup.BackupVault.fromBackupVaultArn(this, 'DrVault', plan.copyToVaultArn), deleteAfter }] }
        : {}),
    });
  }
}
