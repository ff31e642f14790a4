import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsServiceError, readBody, writeJson } from '../kernel/aws-json';
import { LOCAL_ACCOUNT } from '../kernel/events';
import { missingParameter, resourceNotFound } from './errors';
import { listBackupJobsQuery, listJobsToken, selectBackupJobs } from './list-jobs';
import type { StartRestoreJobInput } from './restore';
import { startRestoreJob } from './restore';
import type { BackupPlan, BackupRuleInput, BackupSelection, BackupSelectionInput, JobCreator } from './plans';
import type { BackupService, StartBackupJobInput } from './service';
import type { BackupJob, RestoreJob } from './state';

type Handler = (service: BackupService, params: string[], body: Record<string, unknown>, query: URLSearchParams) => unknown;

/**
 * The restJson1 routes of the AWS Backup API reference that the emulator
 * serves: method, path pattern and operation.
 */
export const ROUTES: readonly { method: string; path: RegExp; handler: Handler }[] = [
  { method: 'PUT', path: /^\/backup-jobs\/?$/, handler: (service, _p, body) => backupJobStarted(service.startBackupJob(body as StartBackupJobInput)) },
  { method: 'GET', path: /^\/backup-jobs\/?$/, handler: (service, _p, _b, query) => listBackupJobs(service, query) },
  { method: 'GET', path: /^\/backup-jobs\/([^/]+)$/, handler: (service, [id]) => describeBackupJob(job(service.jobs, id!, 'Backup job')) },
  { method: 'PUT', path: /^\/restore-jobs\/?$/, handler: (service, _p, body) => ({ RestoreJobId: startRestoreJob(service, body as StartRestoreJobInput).id }) },
  { method: 'GET', path: /^\/restore-jobs\/([^/]+)$/, handler: (service, [id]) => describeRestoreJob(job(service.restoreJobs, id!, 'Restore job')) },
  { method: 'GET', path: /^\/resources\/([^/]+)\/recovery-points\/?$/, handler: (service, [arn], _b, query) => listRecoveryPointsByResource(service, arn!, query) },
  { method: 'DELETE', path: /^\/backup-vaults\/([^/]+)\/recovery-points\/([^/]+)$/, handler: async (service, [vault, arn]) => { await service.deleteRecoveryPoint(vault!, arn!); return {}; } },
  { method: 'PUT', path: /^\/backup\/plans\/?$/, handler: (service, _p, body) => planOutput(service.createPlan(String(planBody(body).BackupPlanName ?? ''), planRules(body))) },
  { method: 'GET', path: /^\/backup\/plans\/?$/, handler: (service) => ({ BackupPlansList: [...service.plans.values()].map(planListMember) }) },
  { method: 'GET', path: /^\/backup\/plans\/([^/]+)\/?$/, handler: (service, [id]) => getBackupPlan(service.plan(id)) },
  { method: 'POST', path: /^\/backup\/plans\/([^/]+)\/?$/, handler: (service, [id], body) => planOutput(service.updatePlan(id!, planRules(body))) },
  { method: 'DELETE', path: /^\/backup\/plans\/([^/]+)\/?$/, handler: (service, [id]) => { const plan = service.deletePlan(id!); return { BackupPlanId: plan.id, BackupPlanArn: plan.arn, VersionId: plan.versionId, DeletionDate: new Date(service.clock.now()) }; } },
  { method: 'PUT', path: /^\/backup\/plans\/([^/]+)\/selections\/?$/, handler: (service, [id], body) => { const selection = service.createSelection(id!, (body.BackupSelection ?? {}) as BackupSelectionInput); return { SelectionId: selection.id, BackupPlanId: selection.planId, CreationDate: new Date(selection.creationDate) }; } },
  { method: 'GET', path: /^\/backup\/plans\/([^/]+)\/selections\/?$/, handler: (service, [id]) => ({ BackupSelectionsList: [...service.selections.values()].filter((s) => s.planId === service.plan(id).id).map(selectionListMember) }) },
  { method: 'GET', path: /^\/backup\/plans\/([^/]+)\/selections\/([^/]+)$/, handler: (service, [id, selectionId]) => getBackupSelection(service.selection(id!, selectionId!)) },
  { method: 'DELETE', path: /^\/backup\/plans\/([^/]+)\/selections\/([^/]+)$/, handler: (service, [id, selectionId]) => { service.deleteSelection(id!, selectionId!); return {}; } },
  { method: 'PUT', path: /^\/backup-vaults\/([^/]+)$/, handler: (service, [name]) => vaultOutput(service.createVault(name!)) },
  { method: 'GET', path: /^\/backup-vaults\/([^/]+)\/?$/, handler: (service, [name]) => ({ ...vaultOutput(service.vault(name)), NumberOfRecoveryPoints: [...service.points.values()].filter((p) => p.vault.name === name).length }) },
];

/** Serves one restJson1 request; errors carry `x-amzn-errortype` and a `{ Message, Code }` body. */
export async function serveBackup(service: BackupService, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = ROUTES.map((candidate) => ({ candidate, match: req.method === candidate.method ? candidate.path.exec(url.pathname) : null })).find((found) => found.match);
    if (!route) throw new AwsServiceError('UnknownOperationException', `${req.method} ${url.pathname} is not an emulated AWS Backup operation`, 404);
    const raw = await readBody(req);
    const body = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
    const params = route.match!.slice(1).map((part) => decodeURIComponent(part));
    writeJson(res, 200, (await route.candidate.handler(service, params, body, url.searchParams)) ?? {});
  } catch (error) {
    const failure = error instanceof AwsServiceError ? error : new AwsServiceError('ServiceUnavailableException', (error as Error).message, 500);
    res.setHeader('x-amzn-errortype', failure.type);
    writeJson(res, failure.status, { Code: failure.type, Message: failure.message });
  }
}

function job<T>(jobs: ReadonlyMap<string, T>, id: string, kind: string): T {
  const found = jobs.get(id);
  if (!found) throw resourceNotFound(kind, id);
  return found;
}

function backupJobStarted(started: BackupJob): Record<string, unknown> {
  return { BackupJobId: started.id, RecoveryPointArn: started.recoveryPointArn, CreationDate: new Date(started.creationDate), IsParent: false };
}

/** DescribeBackupJob's output for a job. */
export function describeBackupJob(found: BackupJob): Record<string, unknown> {
  return {
    AccountId: LOCAL_ACCOUNT,
    BackupJobId: found.id,
    BackupVaultName: found.vault.name,
    BackupVaultArn: found.vault.arn,
    RecoveryPointArn: found.recoveryPointArn,
    ResourceArn: found.resourceArn,
    ResourceType: found.resourceType,
    CreationDate: new Date(found.creationDate),
    ...(found.completionDate !== undefined ? { CompletionDate: new Date(found.completionDate) } : {}),
    State: found.state,
    ...(found.statusMessage !== undefined ? { StatusMessage: found.statusMessage } : {}),
    PercentDone: String(found.percentDone),
    BackupSizeInBytes: found.backupSizeInBytes,
    BytesTransferred: found.state === 'COMPLETED' ? found.backupSizeInBytes : 0,
    IamRoleArn: found.iamRoleArn,
    StartBy: new Date(found.startBy),
    IsParent: false,
    ...(found.createdBy ? { CreatedBy: recoveryPointCreator(found.createdBy) } : {}),
  };
}

/** A plan job's creator as the API answers it ("RecoveryPointCreator"). */
function recoveryPointCreator(creator: JobCreator): Record<string, unknown> {
  return {
    BackupPlanId: creator.backupPlanId, BackupPlanArn: creator.backupPlanArn, BackupPlanName: creator.backupPlanName, BackupPlanVersion: creator.backupPlanVersion,
    BackupRuleId: creator.backupRuleId, BackupRuleName: creator.backupRuleName, BackupRuleCron: creator.backupRuleCron,
  };
}

/** CreateBackupPlan's and UpdateBackupPlan's `BackupPlan` (a BackupPlanInput). */
function planBody(body: Record<string, unknown>): Record<string, unknown> {
  const plan = body.BackupPlan;
  if (typeof plan !== 'object' || plan === null) throw missingParameter('BackupPlan');
  return plan as Record<string, unknown>;
}

function planRules(body: Record<string, unknown>): BackupRuleInput[] {
  const rules = planBody(body).Rules;
  if (!Array.isArray(rules)) throw missingParameter('BackupPlan.Rules');
  return rules as BackupRuleInput[];
}

function planOutput(plan: BackupPlan): Record<string, unknown> {
  return { BackupPlanId: plan.id, BackupPlanArn: plan.arn, CreationDate: new Date(plan.creationDate), VersionId: plan.versionId };
}

function planListMember(plan: BackupPlan): Record<string, unknown> {
  return { ...planOutput(plan), BackupPlanName: plan.name, ...(plan.lastExecutionDate !== undefined ? { LastExecutionDate: new Date(plan.lastExecutionDate) } : {}) };
}

/** GetBackupPlan's output: the plan with its rules, each with its id. */
function getBackupPlan(plan: BackupPlan): Record<string, unknown> {
  return {
    ...planOutput(plan),
    ...(plan.lastExecutionDate !== undefined ? { LastExecutionDate: new Date(plan.lastExecutionDate) } : {}),
    BackupPlan: {
      BackupPlanName: plan.name,
      Rules: plan.rules.map((rule) => ({
        RuleName: rule.ruleName, RuleId: rule.ruleId, TargetBackupVaultName: rule.targetVaultName, ScheduleExpression: rule.scheduleExpression,
        ScheduleExpressionTimezone: 'Etc/UTC', StartWindowMinutes: rule.startWindowMinutes, CompletionWindowMinutes: rule.completionWindowMinutes,
        ...(rule.lifecycle ? { Lifecycle: rule.lifecycle } : {}),
      })),
    },
  };
}

function selectionListMember(selection: BackupSelection): Record<string, unknown> {
  return { SelectionId: selection.id, SelectionName: selection.name, BackupPlanId: selection.planId, CreationDate: new Date(selection.creationDate), IamRoleArn: selection.iamRoleArn };
}

function getBackupSelection(selection: BackupSelection): Record<string, unknown> {
  return {
    SelectionId: selection.id, BackupPlanId: selection.planId, CreationDate: new Date(selection.creationDate),
    BackupSelection: { SelectionName: selection.name, IamRoleArn: selection.iamRoleArn, Resources: selection.resources, ...(selection.notResources.length ? { NotResources: selection.notResources } : {}) },
  };
}

/** ListBackupJobs: one page of the jobs the filters select, each as DescribeBackupJob describes it (both are the BackupJob shape's members). */
function listBackupJobs(service: BackupService, query: URLSearchParams): Record<string, unknown> {
  const { page, next } = selectBackupJobs(service.jobs.values(), listBackupJobsQuery(query), service.clock.now());
  return { BackupJobs: page.map(describeBackupJob), ...(next !== undefined ? { NextToken: listJobsToken(next) } : {}) };
}

/** DescribeRestoreJob's output for a job. */
export function describeRestoreJob(found: RestoreJob): Record<string, unknown> {
  return {
    AccountId: LOCAL_ACCOUNT,
    RestoreJobId: found.id,
    RecoveryPointArn: found.recoveryPoint.arn,
    RecoveryPointCreationDate: new Date(found.recoveryPoint.creationDate),
    CreationDate: new Date(found.creationDate),
    ...(found.completionDate !== undefined ? { CompletionDate: new Date(found.completionDate) } : {}),
    Status: found.status,
    ...(found.statusMessage !== undefined ? { StatusMessage: found.statusMessage } : {}),
    PercentDone: `${found.percentDone}.00%`,
    BackupSizeInBytes: found.recoveryPoint.sizeBytes,
    IamRoleArn: found.iamRoleArn,
    ...(found.createdResourceArn !== undefined ? { CreatedResourceArn: found.createdResourceArn } : {}),
    ResourceType: found.recoveryPoint.resourceType,
  };
}

function listRecoveryPointsByResource(service: BackupService, resourceArn: string, query: URLSearchParams): Record<string, unknown> {
  const all = [...service.points.values()].filter((point) => point.resourceArn === resourceArn).sort((a, b) => b.creationDate - a.creationDate);
  const start = Number(query.get('nextToken') ?? 0);
  const max = Number(query.get('maxResults') ?? 1000);
  const page = all.slice(start, start + max);
  return {
    RecoveryPoints: page.map((point) => ({
      RecoveryPointArn: point.arn,
      CreationDate: new Date(point.creationDate),
      Status: 'COMPLETED',
      BackupSizeBytes: point.sizeBytes,
      BackupVaultName: point.vault.name,
      IsParent: false,
      ResourceName: resourceArn.slice(resourceArn.lastIndexOf('/') + 1),
    })),
    ...(start + max < all.length ? { NextToken: String(start + max) } : {}),
  };
}

function vaultOutput(vault: { name: string; arn: string; creationDate: number }): Record<string, unknown> {
  return { BackupVaultName: vault.name, BackupVaultArn: vault.arn, CreationDate: new Date(vault.creationDate) };
}
