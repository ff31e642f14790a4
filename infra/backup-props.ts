import { missingBackupWindow } from './backup-window';
import { InvalidPropError } from './errors';
import { checkObject, intBetween, matches, type Rule } from './prop-checks';

/** AWS Backup Vault Lock: recovery points cannot be deleted before min or kept after max. */
export interface VaultLockProps {
  /** Shortest retention a job may ask for, in days. */
  readonly minRetentionDays: number;
  /** Longest retention a job may ask for, in days. */
  readonly maxRetentionDays: number;
}

/** The backup plan: what AWS Backup does on schedule with the EFS file system (and RDS when persistent). */
export interface BackupProps {
  /**
   * Schedule as a `cron(...)` expression (UTC). AWS Backup plans accept cron only, no `rate(...)`.
   *
   * @default 'cron(0 3 * * ? *)' (03:00 UTC daily)
   */
  readonly schedule?: string;
  /** Days a recovery point is kept. @default 35 */
  readonly deleteAfterDays?: number;
  /** Days until recovery points move to cold storage (EFS only; deleteAfterDays must be at least 90 more). @default - never */
  readonly moveToColdStorageAfterDays?: number;
  /** ARN of a vault (another region or account) every recovery point is copied to, kept as long. @default - no copy */
  readonly copyToVaultArn?: string;
  /** Vault Lock in governance mode. @default - no lock */
  readonly vaultLock?: VaultLockProps;
}

/** {@link BackupProps} with defaults applied. */
export interface ResolvedBackupProps {
  /** See {@link BackupProps.schedule}. */
  readonly schedule: string;
  /** See {@link BackupProps.deleteAfterDays}. */
  readonly deleteAfterDays: number;
  /** See {@link BackupProps.moveToColdStorageAfterDays}. */
  readonly moveToColdStorageAfterDays?: number;
  /** See {@link BackupProps.copyToVaultArn}. */
  readonly copyToVaultArn?: string;
  /** See {@link BackupProps.vaultLock}. */
  readonly vaultLock?: VaultLockProps;
}

/** Defaults of {@link BackupProps}. */
export const BACKUP_DEFAULTS = { schedule: 'cron(0 3 * * ? *)', deleteAfterDays: 35 } as const;

/** AWS Backup keeps a cold recovery point at least this long. */
export const MIN_COLD_STORAGE_DAYS = 90;

const SCHEDULE = /^cron\(\S+( \S+){5}\)$/;
const VAULT_ARN = /^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[A-Za-z0-9_.-]{2,50}$/;

const BACKUP_RULES: Readonly<Record<keyof BackupProps, Rule>> = {
  schedule: { check: matches(SCHEDULE), expected: 'a cron expression such as "cron(0 3 * * ? *)" (AWS Backup plans take no rate expressions)' },
  deleteAfterDays: { check: intBetween(1, 36500), expected: 'an integer from 1 to 36500 (days)' },
  moveToColdStorageAfterDays: { check: intBetween(1, 36500), expected: 'an integer from 1 to 36500 (days)' },
  copyToVaultArn: { check: matches(VAULT_ARN), expected: 'a backup vault ARN (arn:aws:backup:<region>:<account>:backup-vault:<name>)' },
  vaultLock: { check: () => true, expected: '' },
};

const LOCK_RULES: Readonly<Record<keyof VaultLockProps, Rule>> = {
  minRetentionDays: { check: intBetween(1, 36500), expected: 'an integer from 1 to 36500 (days)' },
  maxRetentionDays: { check: intBetween(1, 36500), expected: 'an integer from 1 to 36500 (days)' },
};

function checkLock(value: unknown, deleteAfterDays: number): VaultLockProps | undefined {
  if (value === undefined) return undefined;
  const lock = checkObject('backup.vaultLock', value, LOCK_RULES, ['minRetentionDays', 'maxRetentionDays']) as unknown as VaultLockProps;
  if (lock.minRetentionDays > lock.maxRetentionDays) {
    throw new InvalidPropError('backup.vaultLock.minRetentionDays', lock.minRetentionDays, `at most maxRetentionDays (${lock.maxRetentionDays})`);
  }
  // A job whose retention falls outside the lock's bounds is rejected by the vault.
  if (deleteAfterDays < lock.minRetentionDays || deleteAfterDays > lock.maxRetentionDays) {
    throw new InvalidPropError('backup.deleteAfterDays', deleteAfterDays, `a retention within the vault lock (${lock.minRetentionDays} to ${lock.maxRetentionDays} days)`);
  }
  return lock;
}

/**
 * Checks the backup props and applies the defaults.
 *
 * @example
 * checkBackup(undefined) // { schedule: 'cron(0 3 * * ? *)', deleteAfterDays: 35 }
 */
export function checkBackup(value: unknown): ResolvedBackupProps {
  if (value === undefined) return { ...BACKUP_DEFAULTS };
  const given = checkObject('backup', value, BACKUP_RULES) as BackupProps;
  const resolved = { ...BACKUP_DEFAULTS, ...given };
  const cold = resolved.moveToColdStorageAfterDays;
  if (cold !== undefined && resolved.deleteAfterDays < cold + MIN_COLD_STORAGE_DAYS) {
    throw new InvalidPropError('backup.deleteAfterDays', resolved.deleteAfterDays,
      `at least moveToColdStorageAfterDays + ${MIN_COLD_STORAGE_DAYS} (${cold + MIN_COLD_STORAGE_DAYS}): AWS Backup keeps cold recovery points 90 days`);
  }
  // The missing-backup alarm reads the schedule's minutes and hours: refuse out-of-range ones here, before any construct exists.
  missingBackupWindow(resolved.schedule);
  const vaultLock = checkLock(given.vaultLock, resolved.deleteAfterDays);
  return { ...resolved, ...(vaultLock ? { vaultLock } : {}) };
}
