import type { Command } from 'commander';
import { createReadStream } from 'node:fs';
import { isBundleError, readBundle } from '../../shared/config-bundle';
import type { BundleSource, ConfigBundle } from '../../shared/config-bundle';
import type { DeploymentRecord, EnvironmentRecord } from '../../shared/ledger';
import { validateConfig } from '../../shared/wicked-config';
import type { ValidateConfigOptions, ValidationReport } from '../../shared/wicked-config';
import type { AwsClients, AwsOptions } from '../aws-clients';
import { checkEnvName, createAwsClients } from '../aws-clients';
import { EnvironmentLookup } from '../environment';
import type { CliIo } from '../output';
import { CliError, ExitCode, printJson, printLines } from '../output';
import { countLine, formatIssue, warningLines } from '../report';
import type { ValidationFlags } from '../validation-options';
import { addValidationFlags } from '../validation-options';
import { environmentValidation, environmentValidationHelp } from '../environment-validation';
import { GIT_COMMIT_METADATA } from '../../shared/events/git-revision';
import { UPLOADED_AT_METADATA } from '../../shared/events/upload-time';
import { openUploadSource, uploadSourceOptions } from '../upload-source';
import type { Progress } from '../progress';
import { startProgress } from '../progress';

interface UploadOptions extends AwsOptions, ValidationFlags {
  readonly config?: string;
  readonly git?: string;
  readonly rev?: string;
  readonly path?: string;
  readonly env: string;
  readonly nodeEnv?: string;
  readonly bucket?: string;
  readonly table?: string;
  readonly follow?: boolean;
  readonly timeout: string;
  readonly json?: boolean;
}

/** How an upload (or an operator request) ended, as `--json` reports it. */
export type Outcome = 'deployed' | 'rejected' | 'failed' | 'unchanged' | 'pending';

/** The `--json` last line of upload, rollback and promote. */
export interface OutcomeLine {
  readonly outcome: Outcome;
  readonly env: string;
  readonly configHash: string | null;
  readonly digest: string | null;
  readonly deploymentId: string | null;
  readonly reason: string;
  /** The git commit the configuration was packed from (`upload --git`); absent otherwise. */
  readonly revision?: string;
}

/** Where a followed deployment stands: a progress stage, and the outcome once it is final. */
export interface FollowStep {
  readonly stage: 'uploaded' | 'image built' | 'queued' | 'rolling' | 'succeeded' | 'failed' | 'unchanged' | 'superseded';
  readonly outcome?: Exclude<Outcome, 'pending' | 'rejected'>;
  readonly reason?: string;
}

/**
 * Decides, purely, what the ledger says about a followed deployment: no
 * record yet means the archive is uploaded and the build has not reported; a
 * record in a final state gives the outcome. `ignored` is `unchanged` only
 * when the environment already runs that digest.
 *
 * @example
 * decideFollow(undefined, undefined) // { stage: 'uploaded' }
 */
export function decideFollow(record: DeploymentRecord | undefined, environment: EnvironmentRecord | undefined): FollowStep {
  if (!record) return { stage: 'uploaded' };
  switch (record.state) {
    case 'received': return { stage: 'image built' };
    case 'queued': return { stage: 'queued', reason: record.reason };
    case 'in-flight': return { stage: environment?.inFlight?.request.deploymentId === record.deploymentId ? 'rolling' : 'image built' };
    case 'succeeded': return { stage: 'succeeded', outcome: 'deployed', reason: record.reason ?? 'ECS completed the deployment' };
    case 'failed':
    case 'stuck': return { stage: 'failed', outcome: 'failed', reason: `${record.state}: ${record.reason ?? 'no reason recorded'}` };
    case 'superseded': return { stage: 'superseded', outcome: 'failed', reason: `not deployed: ${record.reason ?? 'a newer configuration replaced it'}` };
    case 'ignored': return environment?.lastGood?.digest === record.digest
      ? { stage: 'unchanged', outcome: 'unchanged', reason: record.reason ?? `${record.digest} already runs` }
      : { stage: 'failed', outcome: 'failed', reason: `ignored: ${record.reason ?? 'no reason recorded'}` };
  }
}

/** Exit code of an outcome: 0 only when the environment runs the requested configuration. */
export function outcomeExitCode(outcome: Outcome): number {
  if (outcome === 'deployed' || outcome === 'unchanged') return ExitCode.Ok;
  return outcome === 'rejected' ? ExitCode.InvalidInput : ExitCode.Failure;
}

/** Registers `wickedctl upload`. */
export function registerUpload(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const command = program
    .command('upload')
    .description('Validate a configuration, pack it deterministically (tar.gz) and upload it to the config bucket; with --follow, report the deployment outcome')
    .option('--config <path>', 'configuration directory or archive (or --git)')
    .option('--git <repo-or-path>', 'pack the configuration from a commit of this git repository (a local path or a URL) instead of --config')
    .option('--rev <rev>', 'with --git: branch, tag or commit id; only that commit\'s tree is read, never the working copy')
    .option('--path <folder>', 'with --git: the folder of the commit that holds the configuration, from the repository root', 'static')
    .requiredOption('--env <name>', 'environment to deploy (key config/<env>/<timestamp>.tgz)')
    .option('--bucket <name>', 'config bucket (default: /wicked/<env>/config-bucket; or WICKED_CONFIG_BUCKET)')
    .option('--table <name>', 'ledger table, for --follow (default: /wicked/<env>/ledger-table; or WICKED_LEDGER_TABLE)')
    .option('--follow', 'follow the deployment through the ledger until its outcome')
    .option('--timeout <seconds>', 'how long --follow waits for an outcome', '900')
    .option('--json', 'print the outcome as one JSON object on the last line of stdout')
    .option('--node-env <name>', "wicked's NODE_ENV to validate for; overrides /wicked/<env>/node-env, the stack's nodeEnv prop (without the parameter: the --env name)")
    .option('--endpoint <url>', 'one endpoint for every AWS service (default: AWS_ENDPOINT_URL_* or AWS)')
    .option('--region <region>', 'AWS region');
  addValidationFlags(command)
    .addHelpText('after', `\n${environmentValidationHelp('--env')}\n\nExit status: 0 deployed, unchanged (or uploaded, without --follow); 2 invalid input (portal-api would refuse the configuration for the environment), nothing uploaded; 1 failed, or no outcome before --timeout.`)
    .action(async (options: UploadOptions) => {
      setExit(await runUpload(options, io));
    });
}

/** Runs an upload; resolves the exit code. */
export async function runUpload(options: UploadOptions, io: CliIo, clock: () => number = Date.now): Promise<number> {
  const env = checkEnvName('--env', options.env);
  const timeoutMs = parseSeconds('--timeout', options.timeout);
  const wanted = uploadSourceOptions(options);
  const clients = createAwsClients(options);
  const source = await openUploadSource(wanted);
  const progress = startProgress(io, `upload to ${env}`);
  try {
    const lookup = new EnvironmentLookup(clients);
    const bucket = await lookup.name('bucket', options.bucket, env);
    const table = options.follow ? await lookup.name('table', options.table, env) : undefined;
    const { nodeEnv, validation } = await environmentValidation(lookup, env, '--env', options, (line) => progress.line(line));
    progress.update(`reading and validating ${source.origin}`);
    const checked = await checkedBundle(source.bundle(), [nodeEnv], io, validation, source.origin);
    if (!checked.report.valid) return reportRejected(source.origin, env, checked.report, io, options.json);
    printWarnings(io, checked.report, progress);
    const revision = source.revision;
    progress.update('packing and uploading');
    const { key, versionId } = await packAndUpload(checked.bundle, { bucket, env, nowMs: clock(), ...(revision ? { revision } : {}) }, clients);
    progress.line(`[uploaded] s3://${bucket}/${key}${versionId ? ` (version ${versionId})` : ''}, configuration hash ${checked.report.configHash}${revision ? `, commit ${revision}` : ''}`);
    const followed: OutcomeLine = table
      ? await followDeployment({ env, table, clients, timeoutMs, io, clock, progress }, (records) => records.find((r) => r.key === key && (!versionId || r.versionId === versionId)), checked.report.configHash)
      : { outcome: 'pending', env, configHash: checked.report.configHash, digest: null, deploymentId: null, reason: `uploaded s3://${bucket}/${key}; not followed (use --follow)` };
    const line = revision ? { ...followed, revision } : followed;
    printOutcome(io, line, options.json);
    return table ? outcomeExitCode(line.outcome) : ExitCode.Ok;
  } finally {
    progress.done();
    await source.dispose();
    clients.destroy();
  }
}

/** A bundle with its validation report; the caller closes the bundle (already closed when invalid). */
export async function checkedBundle(source: BundleSource, envs: readonly string[], io: CliIo, options: Omit<ValidateConfigOptions, 'envs'> = {}, origin?: string): Promise<{ bundle: ConfigBundle; report: ValidationReport }> {
  let bundle: ConfigBundle;
  try {
    bundle = await readBundle(source, origin ? { origin } : {});
  } catch (error) {
    if (isBundleError(error)) throw new CliError(`${error.message}; nothing was uploaded`, ExitCode.InvalidInput, { cause: error });
    throw error;
  }
  for (const line of warningLines(bundle.warnings)) io.stderr.write(`${line}\n`);
  const report = await validateConfig(bundle, envs.length > 0 ? { ...options, envs: [...envs] } : options).catch(async (error: unknown) => { await bundle.close(); throw error; });
  if (!report.valid) await bundle.close();
  return { bundle, report };
}

/** The warnings of a passing report on stderr: portal-api starts, degraded there. */
export function printWarnings(io: CliIo, report: ValidationReport, progress?: Progress): void {
  if (report.issues.length === 0) return;
  const lines = [...report.issues.map(formatIssue), `[validated] portal-api would start; ${countLine(report)}`];
  for (const line of lines) {
    if (progress) progress.line(line);
    else io.stderr.write(`${line}\n`);
  }
}

function reportRejected(origin: string, env: string, report: ValidationReport, io: CliIo, json: boolean | undefined): number {
  io.stderr.write(`${report.issues.map(formatIssue).join('\n')}\n`);
  const reason = `${origin}: portal-api would refuse it (${countLine(report)}); nothing was uploaded`;
  printOutcome(io, { outcome: 'rejected', env, configHash: report.configHash || null, digest: null, deploymentId: null, reason }, json);
  return ExitCode.InvalidInput;
}

/**
 * The object key of an upload at `nowMs`: `config/<env>/<UTC time>.tgz`, so
 * keys sort by upload time and never overwrite each other.
 *
 * @example
 * uploadKey('dev', Date.UTC(2026, 0, 2, 3, 4, 5, 6)) // 'config/dev/20260102T030405006Z.tgz'
 */
export function uploadKey(env: string, nowMs: number): string {
  return `config/${env}/${new Date(nowMs).toISOString().replace(/[-:.]/g, '')}.tgz`;
}

async function packAndUpload(bundle: ConfigBundle, to: { bucket: string; env: string; nowMs: number; revision?: string }, clients: AwsClients): Promise<{ key: string; versionId?: string }> {
  const { bucket, env, nowMs } = to;
  const { buildConfigLayer } = await import('../../shared/oci/layer');
  // The config layer writer is the deterministic tar.gz writer: sorted members, uid/gid 0, mtime 0, fixed gzip level.
  const archive = await buildConfigLayer(bundle.entries, { root: 'static', opaque: false }).finally(() => bundle.close());
  try {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const key = uploadKey(env, nowMs);
    const put = await (await clients.s3()).send(new PutObjectCommand({
      Bucket: bucket, Key: key, Body: createReadStream(archive.path), ContentLength: archive.size, ContentType: 'application/gzip',
      // build-image reads both back: the commit onto Portal Image Built and the image label org.opencontainers.image.revision,
      // the time to order this upload to the millisecond within the second S3 stamps on its event.
      Metadata: { [UPLOADED_AT_METADATA]: new Date(nowMs).toISOString(), ...(to.revision ? { [GIT_COMMIT_METADATA]: to.revision } : {}) },
    })).catch((error: unknown) => { throw new CliError(`uploading s3://${bucket}/${key}: ${(error as Error).message}`, ExitCode.Failure, { cause: error }); });
    return { key, ...(put.VersionId ? { versionId: put.VersionId } : {}) };
  } finally {
    await archive.dispose();
  }
}

/** What {@link followDeployment} needs. */
export interface FollowContext {
  readonly env: string;
  readonly table: string;
  readonly clients: AwsClients;
  readonly timeoutMs: number;
  readonly io: CliIo;
  readonly clock: () => number;
  /** @default 1000 */
  readonly pollMs?: number;
  /** Where stages go (live line on a TTY); plain stderr lines without it. */
  readonly progress?: Progress;
}

/**
 * Polls the ledger (one Query and one GetItem per round) until the deployment
 * `pick` finds reaches a final state, printing each new stage on stderr. A
 * build that was rejected never reaches the ledger: the timeout says so.
 */
export async function followDeployment(context: FollowContext, pick: (records: DeploymentRecord[]) => DeploymentRecord | undefined, configHash: string | null): Promise<OutcomeLine> {
  const { Ledger } = await import('../../shared/ledger/ledger');
  const ledger = new Ledger({ client: await context.clients.dynamo(), tableName: context.table });
  const deadline = context.clock() + context.timeoutMs;
  let shown = 'uploaded';
  let warned = false;
  for (;;) {
    const [records, environment] = await Promise.all([ledger.listDeployments(context.env), ledger.getEnvironment(context.env)]);
    const record = pick(records.sort((a, b) => a.createdAt.localeCompare(b.createdAt)));
    const step = decideFollow(record, environment);
    if (step.stage !== shown) {
      shown = step.stage;
      const text = `[${step.stage}]${record ? ` ${record.digest} deployment ${record.deploymentId}` : ''}${step.reason ? `: ${step.reason}` : ''}`;
      const lines = [text];
      if (record && !warned) {
        warned = true;
        lines.push(...recordWarningLines(record));
      }
      for (const line of lines) {
        if (context.progress) context.progress.line(line);
        else context.io.stderr.write(`${line}\n`);
      }
    }
    context.progress?.update(`following the deployment: ${step.stage}`);
    const facts = { env: context.env, configHash: record?.configHash ?? configHash, digest: record?.digest ?? null, deploymentId: record?.deploymentId ?? null };
    if (step.outcome) return { outcome: step.outcome, ...facts, reason: step.reason ?? '' };
    if (context.clock() >= deadline) {
      const why = record ? `still ${step.stage}` : 'no deployment recorded: the build may still run, or build-image rejected the configuration (Portal Config Rejected is an event, not a ledger record)';
      return { outcome: 'pending', ...facts, reason: `no outcome after ${Math.round(context.timeoutMs / 1000)} s: ${why}` };
    }
    await new Promise((resolve) => setTimeout(resolve, context.pollMs ?? 1000));
  }
}

/**
 * The build's validation warnings a deployment record carries, as lines:
 * `[warnings] N` then one `warning:` line each.
 *
 * @example
 * recordWarningLines({ validationWarnings: ['apis/apis.json UNKNOWN_GROUP: ...'], validationWarningCount: 1, ... })
 * // ['[warnings] 1 validation warning: portal-api runs, degraded', 'warning: apis/apis.json UNKNOWN_GROUP: ...']
 */
export function recordWarningLines(record: Pick<DeploymentRecord, 'validationWarnings' | 'validationWarningCount'>): string[] {
  const lines = record.validationWarnings ?? [];
  if (lines.length === 0) return [];
  const count = record.validationWarningCount ?? lines.length;
  const more = count > lines.length ? ` (first ${lines.length} shown)` : '';
  return [`[warnings] ${count} validation warning${count === 1 ? '' : 's'}: portal-api runs, degraded${more}`, ...lines.map((line) => `warning: ${line}`)];
}

/** Prints an outcome: JSON as the last line with `--json`, otherwise one human line. */
export function printOutcome(io: CliIo, line: OutcomeLine, json: boolean | undefined): void {
  if (json) printJson(io, line);
  else printLines(io, [`${line.outcome}: env ${line.env}${line.configHash ? `, config ${line.configHash}` : ''}${line.digest ? `, image ${line.digest}` : ''}${line.deploymentId ? `, deployment ${line.deploymentId}` : ''}: ${line.reason}`]);
}

/** Parses a positive number of seconds into milliseconds. */
export function parseSeconds(flag: string, value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CliError(`${flag}: received ${value}, expected a number of seconds > 0`, ExitCode.InvalidInput);
  return seconds * 1000;
}
