import { LOCAL_ACCOUNT } from '../kernel/events';
import { invalidParameter } from './errors';
import type { BackupJobState } from './model';
import type { BackupJob } from './state';

// ListBackupJobs as the AWS Backup API reference defines it
// (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListBackupJobs.html):
// GET /backup-jobs/ with the filters as query parameters, jobs of the last 30 days, pages of at most MaxResults (1-1000)
// and a NextToken while more follow.

/** "Returns a list of existing backup jobs for an authenticated account for the last 30 days." */
export const LIST_JOBS_WINDOW_MS = 30 * 86_400_000;
/** MaxResults: "Valid Range: Minimum value of 1. Maximum value of 1000." */
export const LIST_JOBS_MAX_RESULTS = 1000;

const STATES: readonly BackupJobState[] = ['CREATED', 'PENDING', 'RUNNING', 'ABORTING', 'ABORTED', 'COMPLETED', 'FAILED', 'EXPIRED', 'PARTIAL'];

/** The filters of one ListBackupJobs call, decoded from its query string. */
export interface ListBackupJobsQuery {
  readonly resourceArn?: string;
  readonly state?: BackupJobState;
  readonly backupVaultName?: string;
  readonly resourceType?: string;
  readonly accountId?: string;
  readonly parentJobId?: string;
  readonly createdAfter?: number;
  readonly createdBefore?: number;
  readonly completeAfter?: number;
  readonly completeBefore?: number;
  readonly maxResults: number;
  readonly start: number;
}

/**
 * Decodes ListBackupJobs' query parameters (the names the API reference's
 * request syntax gives: `resourceArn`, `state`, `createdAfter`, ...), refusing
 * a value out of the documented range with InvalidParameterValueException.
 * `messageCategory` is refused: the emulator's jobs carry no message category.
 */
export function listBackupJobsQuery(query: URLSearchParams): ListBackupJobsQuery {
  if (query.has('messageCategory')) throw invalidParameter('ByMessageCategory', query.get('messageCategory'), 'no ByMessageCategory (the emulator\'s jobs carry no message category)');
  const state = query.get('state');
  if (state !== null && !STATES.includes(state as BackupJobState)) throw invalidParameter('ByState', state, `one of ${STATES.join(', ')}`);
  const vault = query.get('backupVaultName');
  if (vault !== null && !/^[a-zA-Z0-9\-_]{2,50}$/.test(vault)) throw invalidParameter('ByBackupVaultName', vault, 'a vault name: 2-50 letters, digits, hyphens and underscores');
  const account = query.get('accountId');
  if (account !== null && account !== '*' && !/^[0-9]{12}$/.test(account)) throw invalidParameter('ByAccountId', account, 'a 12-digit account id, or *');
  const maxResults = query.has('maxResults') ? Number(query.get('maxResults')) : LIST_JOBS_MAX_RESULTS;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > LIST_JOBS_MAX_RESULTS) throw invalidParameter('MaxResults', query.get('maxResults'), `an integer from 1 to ${LIST_JOBS_MAX_RESULTS}`);
  const token = query.get('nextToken');
  const start = token === null ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0) throw invalidParameter('NextToken', token, 'a token a ListBackupJobs answer gave');
  const optional = (name: string, value: string | number | null | undefined): Record<string, string | number> => (value === null || value === undefined ? {} : { [name]: value });
  return {
    ...optional('resourceArn', query.get('resourceArn')), ...optional('state', state), ...optional('backupVaultName', vault),
    ...optional('resourceType', query.get('resourceType')), ...optional('accountId', account), ...optional('parentJobId', query.get('parentJobId')),
    ...optional('createdAfter', time(query, 'createdAfter')), ...optional('createdBefore', time(query, 'createdBefore')),
    ...optional('completeAfter', time(query, 'completeAfter')), ...optional('completeBefore', time(query, 'completeBefore')),
    maxResults, start,
  } as ListBackupJobsQuery;
}

/** A timestamp filter: the SDK writes ISO-8601 date-times; epoch seconds are accepted too ("expressed in Unix format"). */
function time(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
  if (Number.isNaN(ms)) throw invalidParameter(name, raw, 'an ISO-8601 date-time or epoch seconds');
  return ms;
}

/**
 * The jobs one ListBackupJobs page answers, newest first, and the offset of
 * the next page (undefined on the last). Every filter given must match; a job
 * created more than 30 days before `now` is no longer listed. The emulator has
 * no composite jobs, so `parentJobId` matches none.
 */
export function selectBackupJobs(jobs: Iterable<BackupJob>, query: ListBackupJobsQuery, now: number): { page: BackupJob[]; next?: number } {
  const matching = [...jobs].filter((job) => job.creationDate > now - LIST_JOBS_WINDOW_MS
    && (query.resourceArn === undefined || job.resourceArn === query.resourceArn)
    && (query.state === undefined || job.state === query.state)
    && (query.backupVaultName === undefined || job.vault.name === query.backupVaultName)
    && (query.resourceType === undefined || query.resourceType === job.resourceType)
    && (query.accountId === undefined || query.accountId === '*' || query.accountId === LOCAL_ACCOUNT)
    && query.parentJobId === undefined
    && (query.createdAfter === undefined || job.creationDate > query.createdAfter)
    && (query.createdBefore === undefined || job.creationDate < query.createdBefore)
    && (query.completeAfter === undefined || (job.completionDate !== undefined && job.completionDate > query.completeAfter))
    && (query.completeBefore === undefined || (job.completionDate !== undefined && job.completionDate < query.completeBefore)))
    .sort((a, b) => b.creationDate - a.creationDate || a.id.localeCompare(b.id));
  const end = query.start + query.maxResults;
  return { page: matching.slice(query.start, end), ...(end < matching.length ? { next: end } : {}) };
}

/** The token of the page that starts at `offset`. */
export function listJobsToken(offset: number): string {
  return Buffer.from(String(offset)).toString('base64url');
}
