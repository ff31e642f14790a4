import { randomUUID } from 'node:crypto';
import { nextFireTime, parseScheduleExpression } from '../scheduler/expressions';
import { invalidParameter, missingParameter } from './errors';
import type { Lifecycle } from './model';
import { checkLifecycle } from './model';

// Backup plans as the AWS Backup API reference defines them ("BackupRule", "BackupSelection", "RecoveryPointCreator")
// and as the Developer Guide describes running them ("Creating a backup plan", "Assigning resources to a backup plan"):
// each rule starts one backup job per assigned resource at its schedule, into its target vault, with its lifecycle,
// and the job names the plan, its version and the rule that created it.

/** StartWindowMinutes when a rule names none: 8 hours ("BackupRuleInput": optional, "the default is 8 hours"). */
export const DEFAULT_PLAN_START_WINDOW_MINUTES = 480;
/** CompletionWindowMinutes when a rule names none: 7 days (the backup plan console's default completion window). */
export const DEFAULT_COMPLETION_WINDOW_MINUTES = 10_080;
/** "If this value is included, it must be at least 60 minutes to avoid errors" ("BackupRuleInput", StartWindowMinutes). */
const MIN_START_WINDOW_MINUTES = 60;
/** "When no CRON expression is provided, AWS Backup will use the default expression cron(0 5 ? * * *)" ("BackupRuleInput"). */
export const DEFAULT_PLAN_SCHEDULE = 'cron(0 5 ? * * *)';

/** One rule of a plan, as GetBackupPlan answers it. */
export interface PlanRule {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly targetVaultName: string;
  readonly scheduleExpression: string;
  readonly startWindowMinutes: number;
  readonly completionWindowMinutes: number;
  readonly lifecycle?: Lifecycle;
}

/** A backup plan: its rules fire on the emulated clock while it exists. */
export interface BackupPlan {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  /** Changes with every update; the jobs of a rule name the version that started them. */
  versionId: string;
  rules: readonly PlanRule[];
  readonly creationDate: number;
  lastExecutionDate?: number;
}

/** Resources assigned to a plan by ARN (wildcards `*` allowed), minus NotResources. */
export interface BackupSelection {
  readonly id: string;
  readonly planId: string;
  readonly name: string;
  readonly iamRoleArn: string;
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  readonly creationDate: number;
}

/** Who started a job: the plan, its version and its rule ("RecoveryPointCreator"); absent for an on-demand job. */
export interface JobCreator {
  readonly backupPlanId: string;
  readonly backupPlanArn: string;
  readonly backupPlanName: string;
  readonly backupPlanVersion: string;
  readonly backupRuleId: string;
  readonly backupRuleName: string;
  readonly backupRuleCron: string;
}

/** A rule as CreateBackupPlan's `BackupPlan.Rules` (or CloudFormation's `BackupPlanRule`) gives it. */
export interface BackupRuleInput {
  readonly RuleName?: unknown;
  readonly TargetBackupVaultName?: unknown;
  readonly ScheduleExpression?: unknown;
  readonly ScheduleExpressionTimezone?: unknown;
  readonly StartWindowMinutes?: unknown;
  readonly CompletionWindowMinutes?: unknown;
  readonly Lifecycle?: unknown;
  readonly CopyActions?: unknown;
  readonly EnableContinuousBackup?: unknown;
}

/** A selection as CreateBackupSelection's `BackupSelection` gives it. */
export interface BackupSelectionInput {
  readonly SelectionName?: unknown;
  readonly IamRoleArn?: unknown;
  readonly Resources?: unknown;
  readonly NotResources?: unknown;
  readonly ListOfTags?: unknown;
  readonly Conditions?: unknown;
}

/**
 * Checks one rule as CreateBackupPlan does and gives it its id: a name, a target vault (which must exist), a
 * `cron(...)` schedule in UTC (AWS Backup's default when none is given), windows of whole minutes (the start window at least 60), a valid lifecycle.
 * What the emulator cannot run is refused by name: a schedule in another time zone, continuous backup, copy actions.
 */
export function checkRule(input: BackupRuleInput, at: string, vaultExists: (name: string) => boolean): PlanRule {
  const ruleName = requiredString(input.RuleName, `${at}.RuleName`);
  const targetVaultName = requiredString(input.TargetBackupVaultName, `${at}.TargetBackupVaultName`);
  if (!vaultExists(targetVaultName)) throw invalidParameter(`${at}.TargetBackupVaultName`, targetVaultName, 'the name of an existing backup vault');
  const scheduleExpression = input.ScheduleExpression === undefined ? DEFAULT_PLAN_SCHEDULE : requiredString(input.ScheduleExpression, `${at}.ScheduleExpression`);
  if (!scheduleExpression.startsWith('cron(')) throw invalidParameter(`${at}.ScheduleExpression`, scheduleExpression, 'a cron(...) expression such as "cron(0 3 * * ? *)"');
  try {
    parseScheduleExpression(scheduleExpression);
  } catch (error) {
    throw invalidParameter(`${at}.ScheduleExpression`, scheduleExpression, `a valid cron(...) expression (${(error as Error).message})`);
  }
  const zone = input.ScheduleExpressionTimezone;
  if (zone !== undefined && zone !== 'Etc/UTC' && zone !== 'UTC') throw invalidParameter(`${at}.ScheduleExpressionTimezone`, zone, 'Etc/UTC: the emulator runs plans in UTC only');
  if (input.EnableContinuousBackup === true) throw invalidParameter(`${at}.EnableContinuousBackup`, true, 'false: continuous backup (point-in-time recovery) is not emulated');
  const startWindowMinutes = minutes(input.StartWindowMinutes, `${at}.StartWindowMinutes`, DEFAULT_PLAN_START_WINDOW_MINUTES, MIN_START_WINDOW_MINUTES);
  const completionWindowMinutes = minutes(input.CompletionWindowMinutes, `${at}.CompletionWindowMinutes`, DEFAULT_COMPLETION_WINDOW_MINUTES, 1);
  const lifecycle = checkLifecycle(input.Lifecycle as Lifecycle | undefined);
  // Copies to another vault (a DR vault, usually in another region or account) are not emulated: no copy jobs run.
  if (Array.isArray(input.CopyActions) && input.CopyActions.length > 0) throw invalidParameter(`${at}.CopyActions`, input.CopyActions, 'none: copy jobs to another vault are not emulated (leave backup.copyToVaultArn unset locally)');
  return {
    ruleId: randomUUID(), ruleName, targetVaultName, scheduleExpression, startWindowMinutes, completionWindowMinutes,
    ...(lifecycle ? { lifecycle } : {}),
  };
}

/**
 * Checks a selection as CreateBackupSelection does: a name, a role and resources by ARN. Assignment by tags or
 * conditions is refused by name: the emulator keeps no tags of the resources it backs up.
 */
export function checkSelection(input: BackupSelectionInput): Pick<BackupSelection, 'name' | 'iamRoleArn' | 'resources' | 'notResources'> {
  const name = requiredString(input.SelectionName, 'BackupSelection.SelectionName');
  const iamRoleArn = requiredString(input.IamRoleArn, 'BackupSelection.IamRoleArn');
  for (const field of ['ListOfTags', 'Conditions'] as const) {
    const value = input[field];
    const empty = value === undefined || (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && value !== null && Object.values(value).every((v) => Array.isArray(v) && v.length === 0));
    if (!empty) throw invalidParameter(`BackupSelection.${field}`, value, 'none: the emulator assigns resources by ARN only (Resources, NotResources)');
  }
  const arns = (value: unknown, field: string): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((arn) => typeof arn === 'string' && arn.startsWith('arn:'))) return invalidList(`BackupSelection.${field}`, value);
    return value as string[];
  };
  const resources = arns(input.Resources, 'Resources');
  if (resources.length === 0) throw invalidParameter('BackupSelection.Resources', input.Resources, 'at least one resource ARN (the emulator assigns resources by ARN only)');
  return { name, iamRoleArn, resources, notResources: arns(input.NotResources, 'NotResources') };
}

/** Whether an assignment pattern (an ARN, `*` matching any run of characters) names this ARN. */
export function arnMatches(pattern: string, arn: string): boolean {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${escaped}$`).test(arn);
}

/** The resources of `known` (ARNs) that a plan's selections assign to it, each with the role of the first selection naming it. */
export function assignedResources(selections: readonly BackupSelection[], known: readonly string[]): { readonly arn: string; readonly iamRoleArn: string }[] {
  const assigned = new Map<string, string>();
  for (const selection of selections) {
    for (const arn of known) {
      if (assigned.has(arn)) continue;
      if (selection.resources.some((pattern) => arnMatches(pattern, arn)) && !selection.notResources.some((pattern) => arnMatches(pattern, arn))) assigned.set(arn, selection.iamRoleArn);
    }
  }
  return [...assigned].map(([arn, iamRoleArn]) => ({ arn, iamRoleArn }));
}

/** The next time (epoch ms, UTC) a rule fires strictly after `after`, or undefined when its cron has no more. */
export function nextRuleTime(rule: PlanRule, after: number): number | undefined {
  return nextFireTime(parseScheduleExpression(rule.scheduleExpression), after, 0);
}

/** What a job of this rule says about its creator. */
export function jobCreator(plan: BackupPlan, rule: PlanRule): JobCreator {
  return {
    backupPlanId: plan.id, backupPlanArn: plan.arn, backupPlanName: plan.name, backupPlanVersion: plan.versionId,
    backupRuleId: rule.ruleId, backupRuleName: rule.ruleName, backupRuleCron: rule.scheduleExpression,
  };
}

/** A plan's version id: AWS Backup's are opaque base64 strings of at least 32 bytes. */
export function newVersionId(): string {
  return Buffer.from(randomUUID()).toString('base64');
}

function requiredString(value: unknown, name: string): string {
  if (value === undefined || value === '') throw missingParameter(name);
  if (typeof value !== 'string') throw invalidParameter(name, value, 'a string');
  return value;
}

function minutes(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw invalidParameter(name, value, `a whole number of minutes >= ${min}`);
  return value;
}

function invalidList(name: string, value: unknown): never {
  throw invalidParameter(name, value, 'a list of resource ARNs');
}
