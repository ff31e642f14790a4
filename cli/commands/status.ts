import type { Command } from 'commander';
import type { DeploymentRecord, DeploymentRequest, EnvironmentRecord, InFlightPhase } from '../../shared/ledger';
import type { AwsOptions } from '../aws-clients';
import { checkEnvName, createAwsClients } from '../aws-clients';
import { EnvironmentLookup, listEnvironmentNames, NAME_SOURCES } from '../environment';
import type { CliIo } from '../output';
import { CliError, ExitCode, printJson, printLines } from '../output';

interface StatusOptions extends AwsOptions {
  readonly env?: string;
  readonly table?: string;
  readonly json?: boolean;
  readonly timeline?: boolean;
  readonly html?: string;
  readonly last?: string;
  readonly cluster?: string;
}

/** One environment's deployment status, as `wickedctl status --json` prints it. */
export interface EnvironmentStatus {
  readonly env: string;
  /** What runs: the last deployment ECS confirmed. */
  readonly deployed: {
    readonly deploymentId: string;
    readonly configHash: string;
    readonly digest: string;
    readonly imageUri: string;
    readonly key: string | null;
    readonly versionId: string | null;
    readonly finishedAt: string;
    /** The build's validation warnings: portal-api runs this configuration, degraded there. */
    readonly warnings?: ValidationWarnings;
    /** The git commit the configuration came from (`upload --git`), or null. */
    readonly revision: string | null;
  } | null;
  readonly lastGoodDigest: string | null;
  /** `idle`, or the phase of the deployment in flight. */
  readonly rollout: {
    readonly state: 'idle' | InFlightPhase; readonly snapshotRequestId?: string; readonly deploymentId?: string; readonly digest?: string; readonly configHash?: string;
    readonly startedAt?: string; readonly leaseExpiresAt?: string;
    /** A `restart` of one service (`wickedctl restart`), or a `config` deployment. */
    readonly kind?: 'config' | 'restart';
    /** The service a restart rolls. */
    readonly service?: string;
    /** The build's validation warnings of the deployment in flight. */
    readonly warnings?: ValidationWarnings;
  };
  readonly queued: { readonly deploymentId: string; readonly configHash: string; readonly digest: string; readonly kind: 'config' | 'restart'; readonly service?: string } | null;
  /** The newest deployment that failed or got stuck, when it is newer than the deployed one. */
  readonly lastFailure: { readonly deploymentId: string; readonly state: string; readonly reason: string | null; readonly at: string } | null;
  readonly lastRecoveryPoint: string | null;
}

/** Validation warnings a deployment carries: how many, and the first lines. */
export interface ValidationWarnings {
  readonly count: number;
  readonly lines: readonly string[];
}

function warningsOf(request: Pick<DeploymentRequest, 'validationWarnings' | 'validationWarningCount'> | undefined): { warnings?: ValidationWarnings } {
  const lines = request?.validationWarnings ?? [];
  return lines.length === 0 ? {} : { warnings: { count: request?.validationWarningCount ?? lines.length, lines } };
}

/**
 * The status of one environment from its ledger item and deployment records,
 * purely.
 *
 * @example
 * environmentStatus('dev', undefined, []).rollout // { state: 'idle' }
 */
export function environmentStatus(env: string, record: EnvironmentRecord | undefined, deployments: readonly DeploymentRecord[]): EnvironmentStatus {
  const good = record?.lastGood;
  const goodRecord = good ? deployments.find((d) => d.deploymentId === good.deploymentId) : undefined;
  const inFlight = record?.inFlight;
  const failure = [...deployments].filter((d) => d.state === 'failed' || d.state === 'stuck')
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
  const failureIsNewer = failure !== undefined && (!good || (failure.finishedAt ?? failure.updatedAt) > good.finishedAt);
  return {
    env,
    deployed: good ? {
      deploymentId: good.deploymentId, configHash: good.configHash, digest: good.digest, imageUri: good.imageUri,
      key: goodRecord?.key ?? null, versionId: goodRecord?.versionId ?? null, finishedAt: good.finishedAt, revision: goodRecord?.revision ?? null,
      ...warningsOf(goodRecord),
    } : null,
    lastGoodDigest: good?.digest ?? null,
    rollout: inFlight ? {
      state: inFlight.phase, deploymentId: inFlight.request.deploymentId, digest: inFlight.request.digest, configHash: inFlight.request.configHash,
      startedAt: inFlight.startedAt, leaseExpiresAt: new Date(inFlight.lease.expiresAt).toISOString(),
      ...(inFlight.snapshotRequestId ? { snapshotRequestId: inFlight.snapshotRequestId } : {}),
      ...kindOf(inFlight.request),
      ...warningsOf(inFlight.request),
    } : { state: 'idle' },
    queued: record?.queued ? { deploymentId: record.queued.deploymentId, configHash: record.queued.configHash, digest: record.queued.digest, ...kindOf(record.queued) } : null,
    lastFailure: failure && failureIsNewer ? { deploymentId: failure.deploymentId, state: failure.state, reason: failure.reason ?? null, at: failure.finishedAt ?? failure.updatedAt } : null,
    lastRecoveryPoint: record?.lastRecoveryPointArn ?? null,
  };
}

function kindOf(request: DeploymentRequest): { kind: 'config' | 'restart'; service?: string } {
  return request.kind === 'restart' ? { kind: 'restart', ...(request.service ? { service: request.service } : {}) } : { kind: 'config' };
}

/** What a deployment is, for the human lines: a restart names its service, a config deployment its config hash. */
function what(item: { readonly kind?: 'config' | 'restart'; readonly service?: string; readonly configHash?: string }): string {
  return item.kind === 'restart' ? `restart of ${item.service ?? '?'}` : `config ${item.configHash ?? '?'}`;
}

/** Human lines of one status. */
export function statusLines(status: EnvironmentStatus): string[] {
  const { deployed, rollout } = status;
  return [
    `${status.env}:`,
    deployed
      ? `  deployed     config ${deployed.configHash}, image ${deployed.digest} (deployment ${deployed.deploymentId}, s3 ${deployed.key ?? '?'}@${deployed.versionId ?? 'unversioned'}, finished ${deployed.finishedAt}${deployed.revision ? `, commit ${deployed.revision}` : ''})`
      : '  deployed     nothing yet',
    ...warningLinesOf('deployed', deployed?.warnings),
    `  rollout      ${rollout.state}${rollout.deploymentId ? ` ${rollout.deploymentId} (${what(rollout)}, image ${rollout.digest}, since ${rollout.startedAt})` : ''}${rollout.state === 'awaiting-snapshot' ? ` for snapshot ${rollout.snapshotRequestId ?? '?'} until ${rollout.leaseExpiresAt ?? '?'}` : ''}`,
    ...warningLinesOf('rollout', rollout.warnings),
    `  queued       ${status.queued ? `${status.queued.deploymentId} (${what(status.queued)})` : 'none'}`,
    `  last good    ${status.lastGoodDigest ?? 'none'}`,
    ...(status.lastFailure ? [`  last failure ${status.lastFailure.deploymentId} ${status.lastFailure.state} at ${status.lastFailure.at}: ${status.lastFailure.reason ?? ''}`] : []),
    `  recovery pt  ${status.lastRecoveryPoint ?? 'none'}`,
  ];
}

function warningLinesOf(what: string, warnings: ValidationWarnings | undefined): string[] {
  if (!warnings) return [];
  const more = warnings.count > warnings.lines.length ? `, first ${warnings.lines.length} shown` : '';
  return [`  warnings     ${warnings.count} validation warning${warnings.count === 1 ? '' : 's'} of the ${what} configuration (portal-api runs, degraded${more}):`, ...warnings.lines.map((line) => `    ${line}`)];
}

/** Registers `wickedctl status`. */
export function registerStatus(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('status')
    .description('Show, per environment, what the ledger says: deployed config and image, rollout in flight, queued config, last good image, last recovery point')
    .option('--env <name>', 'one environment (default: every environment in the ledger)')
    .option('--table <name>', 'ledger table (default: /wicked/<env>/ledger-table; or WICKED_LEDGER_TABLE)')
    .option('--json', 'print {"environments": [...]} (with --timeline: {"timeline": ...}) as one JSON object on the last line of stdout')
    .option('--timeline', 'draw the last deployments of --env: task lifetimes per service, deployment markers, snapshot gate, portal-api down time')
    .option('--html <file>', 'write the same drawing as one self-contained HTML page (inline SVG, no network)')
    .option('--last <n>', 'with --timeline / --html: how many deployments', '3')
    .option('--cluster <name>', 'with --timeline / --html: ECS cluster (default: /wicked/<env>/cluster; or WICKED_CLUSTER)')
    .option('--endpoint <url>', 'one endpoint for every AWS service (default: AWS_ENDPOINT_URL_* or AWS)')
    .option('--region <region>', 'AWS region')
    .addHelpText('after', '\nExit status: 0 shown, 1 the environment is not in the ledger or the ledger cannot be read, 2 invalid input.')
    .action(async (options: StatusOptions) => {
      if (options.timeline || options.html !== undefined) {
        const { runTimeline } = await import('./status-timeline');
        setExit(await runTimeline(options, io));
        return;
      }
      setExit(await runStatus(options, io));
    });
}

/** Runs `status`; resolves the exit code. */
export async function runStatus(options: StatusOptions, io: CliIo): Promise<number> {
  const env = options.env === undefined ? undefined : checkEnvName('--env', options.env);
  const clients = createAwsClients(options);
  try {
    const client = await clients.dynamo();
    const lookup = new EnvironmentLookup(clients);
    const { Ledger } = await import('../../shared/ledger/ledger');
    const explicitTable = options.table ?? process.env[NAME_SOURCES.table.variable];
    // Without --env: every environment of the named ledger, or every environment with parameters in this account and region.
    const envs = env ? [env] : explicitTable ? await listEnvironments(client, explicitTable) : await listEnvironmentNames(clients);
    const statuses: EnvironmentStatus[] = [];
    let table = explicitTable ?? '';
    for (const name of envs) {
      table = await lookup.name('table', explicitTable, name);
      const ledger = new Ledger({ client, tableName: table });
      const [record, deployments] = await Promise.all([ledger.getEnvironment(name), ledger.listDeployments(name)]);
      if (!record && env) throw new CliError(`environment ${name} is not in ledger ${table}: nothing was ever deployed there (environments are created by their first deployment)`, ExitCode.Failure);
      statuses.push(environmentStatus(name, record, deployments));
    }
    if (options.json) printJson(io, { environments: statuses });
    else printLines(io, statuses.length > 0 ? statuses.flatMap(statusLines) : [explicitTable ? `no environment in ledger ${table} yet` : 'no environment found under /wicked/ (wickedctl envs)']);
    return ExitCode.Ok;
  } finally {
    clients.destroy();
  }
}

/**
 * Names of the environments in the ledger. An operator command, not the hot
 * path: one paged Scan that keeps only the environment items.
 */
async function listEnvironments(client: Awaited<ReturnType<ReturnType<typeof createAwsClients>['dynamo']>>, table: string): Promise<string[]> {
  const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
  const { ENVIRONMENT_SK } = await import('../../shared/ledger/items');
  const names: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({
      TableName: table, FilterExpression: 'sk = :sk', ExpressionAttributeValues: { ':sk': ENVIRONMENT_SK }, ProjectionExpression: 'pk', ExclusiveStartKey: start,
    }));
    for (const item of page.Items ?? []) names.push(String(item.pk).replace(/^ENV#/, ''));
    start = page.LastEvaluatedKey;
  } while (start);
  return names.sort();
}
