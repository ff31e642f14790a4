import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import type { RecoveryPointListing, RestoreJobView } from '../../shared/snapshot';
import type { CliIo } from '../output';
import { ExitCode, printJson, printLines } from '../output';
import type { SnapshotCliContext } from './snapshot-context';
import { openSnapshotContext, pollUntil } from './snapshot-context';

interface CommonOptions {
  readonly env: string;
  readonly table?: string;
  readonly bus?: string;
  readonly json?: boolean;
  readonly intervalMs?: string;
  readonly timeout?: string;
}

interface SnapshotOptions extends CommonOptions {
  readonly follow?: boolean;
}

interface RestoreOptions extends SnapshotOptions {
  readonly recoveryPoint: string;
  readonly newFileSystem?: boolean;
}

function common(command: Command): Command {
  return command
    .requiredOption('--env <name>', 'environment (e.g. prod)')
    .option('--table <name>', 'ledger table (default: /wicked/<env>/ledger-table, or WICKED_LEDGER_TABLE)')
    .option('--json', 'print one JSON object on the last line of stdout')
    .option('--interval-ms <ms>', 'poll interval while following', '2000')
    .option('--timeout <seconds>', 'give up following after this long', '3600');
}

/** Registers `wickedctl snapshot`, `wickedctl snapshots` and `wickedctl restore`. */
export function registerSnapshot(program: Command, io: CliIo, setExit: (code: number) => void): void {
  common(program.command('snapshot').description('Take a snapshot of the dynamic data now (AWS Backup jobs started by snapshot-data)'))
    .option('--bus <name>', 'event bus (default: /wicked/<env>/event-bus, or WICKED_EVENT_BUS)')
    .option('--follow', 'wait until the backup jobs finish')
    .action(async (options: SnapshotOptions) => { setExit(await withContext(options, io, (ctx) => runSnapshot(ctx, options, io))); });
  common(program.command('snapshots').description('List the recovery points of an environment still in its vault, with their tags'))
    .action(async (options: CommonOptions) => { setExit(await withContext(options, io, (ctx) => runSnapshots(ctx, options, io))); });
  common(program.command('restore').description('Restore the dynamic data from a recovery point and print what to switch'))
    .requiredOption('--recovery-point <arn>', 'recovery point ARN, or latest')
    .option('--new-file-system', 'EFS: restore to a new file system instead of into the existing one')
    .option('--follow', 'wait until the restore job finishes')
    .addHelpText('after', '\nEFS restores never overwrite: files land in aws-backup-restore_<datetime> at the root of the file system.')
    .action(async (options: RestoreOptions) => { setExit(await withContext(options, io, (ctx) => runRestore(ctx, options, io))); });
}

async function withContext(options: CommonOptions, io: CliIo, run: (ctx: SnapshotCliContext) => Promise<number>): Promise<number> {
  const ctx = await openSnapshotContext(options, io);
  try {
    return await run(ctx);
  } finally {
    ctx.destroy();
  }
}

/** `wickedctl snapshot`: puts `Portal Snapshot Requested`; with --follow, waits for the jobs. */
export async function runSnapshot(ctx: SnapshotCliContext, options: SnapshotOptions, io: CliIo): Promise<number> {
  const requestId = randomUUID();
  await ctx.requestSnapshot(requestId);
  if (!options.follow) {
    report(io, options, { env: ctx.env, requestId, state: 'REQUESTED' }, [`snapshot of ${ctx.env} requested (request ${requestId}); list it with: wickedctl snapshots --env ${ctx.env}`]);
    return ExitCode.Ok;
  }
  const progress = await pollUntil(ctx, async () => {
    const now = await ctx.progress(requestId);
    return now.kind === 'completed' || now.kind === 'failed' ? now : undefined;
  }, `snapshot request ${requestId}`);
  const jobs = progress.jobs.map((job) => ({ jobId: job.jobId, resourceArn: job.resourceArn, state: job.state, recoveryPointArn: job.recoveryPointArn ?? null, statusMessage: job.statusMessage ?? null }));
  const lines = jobs.map((job) => `${job.resourceArn}: ${job.state}${job.recoveryPointArn ? ` -> ${job.recoveryPointArn}` : ''}${job.statusMessage ? ` (${job.statusMessage})` : ''}`);
  report(io, options, { env: ctx.env, requestId, state: progress.kind === 'completed' ? 'COMPLETED' : 'FAILED', jobs }, lines);
  return progress.kind === 'completed' ? ExitCode.Ok : ExitCode.Failure;
}

/** `wickedctl snapshots`: the points still in the vault, with their tags, newest first. */
export async function runSnapshots(ctx: SnapshotCliContext, options: CommonOptions, io: CliIo): Promise<number> {
  const points = await ctx.listRecoveryPoints();
  const lines = points.length === 0 ? [`no recovery point of ${ctx.env} in its vault`] : points.map(describePoint);
  report(io, options, { env: ctx.env, recoveryPoints: points }, lines);
  return ExitCode.Ok;
}

/** `wickedctl restore`: starts the restore; with --follow waits and prints what to switch. */
export async function runRestore(ctx: SnapshotCliContext, options: RestoreOptions, io: CliIo): Promise<number> {
  const point = await ctx.pickRecoveryPoint(options.recoveryPoint);
  const newFileSystem = options.newFileSystem ?? false;
  const restoreJobId = await ctx.startRestore(point, newFileSystem, randomUUID());
  let job: RestoreJobView = { restoreJobId, status: 'CREATED' };
  if (options.follow) {
    job = await pollUntil(ctx, async () => {
      const now = await ctx.describeRestore(restoreJobId);
      return ['COMPLETED', 'FAILED', 'ABORTED'].includes(now.status) ? now : undefined;
    }, `restore job ${restoreJobId}`);
  }
  const instructions = ctx.instructions(point, newFileSystem, job);
  const lines = [`restore job ${restoreJobId} of ${point.recoveryPointArn}: ${job.status}${job.statusMessage ? ` (${job.statusMessage})` : ''}`, ...instructions];
  report(io, options, { env: ctx.env, restoreJobId, recoveryPointArn: point.recoveryPointArn, status: job.status, createdResourceArn: job.createdResourceArn ?? null, instructions }, lines);
  return job.status === 'FAILED' || job.status === 'ABORTED' ? ExitCode.Failure : ExitCode.Ok;
}

function describePoint(point: RecoveryPointListing): string {
  const tags = Object.entries(point.tags).map(([key, value]) => `${key}=${value}`).join(' ');
  return `${point.createdAt}  ${point.recoveryPointArn}  ${point.sizeBytes} bytes  ${point.status}  ${tags}`;
}

function report(io: CliIo, options: { json?: boolean }, value: object, lines: readonly string[]): void {
  if (options.json) printJson(io, value);
  else printLines(io, lines);
}
