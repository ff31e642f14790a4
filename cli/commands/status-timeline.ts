import { writeFile } from 'node:fs/promises';
import type { AwsOptions } from '../aws-clients';
import { checkEnvName, createAwsClients } from '../aws-clients';
import { EnvironmentLookup } from '../environment';
import type { CliIo } from '../output';
import { CliError, ExitCode, printJson, printLines } from '../output';
import { readTimelineFacts } from '../timeline-data';

/** Options of `status --timeline` / `status --html FILE`. */
export interface TimelineOptions extends AwsOptions {
  readonly env?: string;
  readonly table?: string;
  readonly cluster?: string;
  readonly timeline?: boolean;
  readonly html?: string;
  readonly last?: string;
  readonly json?: boolean;
}

/**
 * Draws the last deployments of one environment: in the terminal
 * (`--timeline`) and/or as one self-contained HTML page (`--html FILE`);
 * with `--json`, the timeline's data instead of the drawing.
 */
export async function runTimeline(options: TimelineOptions, io: CliIo, now: () => number = Date.now): Promise<number> {
  if (options.env === undefined) throw new CliError('--timeline / --html: received no --env, expected --env <name> (one environment is drawn)', ExitCode.InvalidInput);
  const env = checkEnvName('--env', options.env);
  const last = Number(options.last ?? '3');
  if (!Number.isInteger(last) || last < 1 || last > 50) throw new CliError(`--last: received ${options.last}, expected a whole number of deployments from 1 to 50`, ExitCode.InvalidInput);
  const clients = createAwsClients(options);
  try {
    const lookup = new EnvironmentLookup(clients);
    const table = await lookup.name('table', options.table, env);
    const cluster = await lookup.name('cluster', options.cluster, env);
    const facts = await readTimelineFacts({ env, table, cluster, dynamo: await clients.dynamo(), ecs: await clients.ecs() });
    const { buildTimeline, timelineHtml, timelineLines } = await import('../../shared/timeline');
    // "Now" is at least the newest fact seen: a clock behind AWS's (or the emulator's) must not cut off what already happened.
    const seen = [...facts.deployments.flatMap((d) => [d.createdAt, d.finishedAt ?? 0]), ...facts.tasks.flatMap((t) => [t.createdAt, t.stoppedAt ?? t.startedAt ?? 0])];
    const timeline = buildTimeline({ env, now: Math.max(now(), ...seen), last, ...facts });
    if (options.html !== undefined) {
      await writeFile(options.html, timelineHtml(timeline)).catch((error: unknown) => {
        throw new CliError(`--html: writing ${options.html}: ${(error as Error).message}`, ExitCode.Failure, { cause: error });
      });
      io.stderr.write(`wrote ${options.html} (${timeline.markers.length} markers, ${timeline.lanes.reduce((n, l) => n + l.tasks.length, 0)} tasks)\n`);
    }
    if (options.json) printJson(io, { timeline });
    else if (options.timeline || options.html === undefined) printLines(io, facts.deployments.length === 0 && facts.tasks.length === 0 ? [`${env}: nothing deployed and no task in ${cluster} yet`] : timelineLines(timeline, terminalWidth(io)));
    return ExitCode.Ok;
  } finally {
    clients.destroy();
  }
}

/** Columns for the bars: the terminal's width less the lane labels, 72 when piped. */
function terminalWidth(io: CliIo): number {
  const columns = (io.stdout as { isTTY?: boolean; columns?: number }).isTTY ? (io.stdout as { columns?: number }).columns : undefined;
  return columns ? Math.max(40, Math.min(160, columns - 24)) : 72;
}
