import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { InventoryRow } from '../../local/cloudformation/inventory';
import { CLOUD_SERVICES } from '../../local/services';
import type { LocalUp } from '../../local/local-up';
import { packageRoot } from '../package-root';
import type { CliIo } from '../output';
import { CliError, ExitCode } from '../output';

/** Resolves with the signal's name when the emulator should stop. */
export type StopSignal = () => Promise<string>;

/** Waits for SIGINT or SIGTERM. */
export const processSignals: StopSignal = () => new Promise((resolveSignal) => {
  const onSignal = (signal: NodeJS.Signals): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    resolveSignal(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
});

/** Options of `wickedctl local up`, as commander parses them. */
interface UpOptions {
  readonly port?: string;
  readonly stateDir: string;
  /** One name, or several (`--env dev --env prod`) to deploy side by side. */
  readonly env: string | readonly string[];
  readonly clockSpeed: string;
}

/** `local up`'s options, checked. */
export interface ParsedUpOptions {
  /** The state directory given; the cloud keeps its files in its `cloud/` folder. */
  readonly stateDir: string;
  readonly envs: readonly string[];
  readonly clockSpeed: number;
  /** 0: free ports. */
  readonly basePort: number;
}

/** Checks the options at the boundary; names what was received and what was expected. */
export function parseUpOptions(options: UpOptions): ParsedUpOptions {
  const port = options.port === undefined ? 0 : Number(options.port);
  const ports = CLOUD_SERVICES.length;
  if (!Number.isInteger(port) || port < 0 || port > 65535 - ports) {
    throw new CliError(`--port: received ${options.port}, expected a port from 1 to ${65535 - ports} (the services use it and the next ${ports - 1}), or 0 for free ports`, ExitCode.InvalidInput);
  }
  const clockSpeed = Number(options.clockSpeed);
  if (!(clockSpeed > 0) || !Number.isFinite(clockSpeed)) throw new CliError(`--clock-speed: received ${options.clockSpeed}, expected a number > 0`, ExitCode.InvalidInput);
  const envs = typeof options.env === 'string' ? [options.env] : options.env.length > 0 ? [...options.env] : ['dev'];
  for (const env of envs) {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(env)) throw new CliError(`--env: received ${env}, expected a lowercase name such as dev or prod`, ExitCode.InvalidInput);
  }
  if (new Set(envs).size !== envs.length) throw new CliError(`--env: received ${envs.join(', ')}, expected each environment once`, ExitCode.InvalidInput);
  return { stateDir: resolve(options.stateDir), envs, clockSpeed, basePort: port };
}

/** The lines `local up` prints: endpoints and environments as shell comments, then `export` lines, so the whole output can be eval'ed. */
export function upLines(up: Pick<LocalUp, 'environments' | 'env'> & { readonly cloud: Pick<LocalUp['cloud'], 'endpoints'> }, stateDir: string): string[] {
  const width = Math.max(...CLOUD_SERVICES.map((name) => name.length));
  return [
    `# wicked local cloud: ${up.environments.map((e) => e.stackName).join(', ')} deployed by cdk bootstrap + cdk deploy, state in ${stateDir}`,
    ...CLOUD_SERVICES.map((name) => `# ${name.padEnd(width)}  ${up.cloud.endpoints[name]}`),
    ...up.environments.map((e) => `# ${e.env}: SSM parameters ${e.parameterPath} (every command finds it with --env ${e.env}), config bucket s3://${e.configBucket}, cluster ${e.cluster}, images ${e.repositoryUri}, ledger ${e.ledgerTable}`),
    `# notifications to ${up.environments.map((e) => e.topicArn).join(', ')} are printed on stderr as they are published`,
    ...Object.entries(up.env).map(([name, value]) => `export ${name}=${value}`),
  ];
}

/**
 * The lines of `wickedctl local resources`: the local cloud's inventory file
 * (kept by `local/cloud.ts` in its state directory) as a table.
 */
export async function resourcesLines(stateDir: string): Promise<string[]> {
  const { INVENTORY_FILE, inventoryLines } = await import('../../local/cloudformation/inventory');
  const file = join(resolve(stateDir), INVENTORY_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CliError(`no inventory at ${file}: expected the state directory of a local cloud (the cloud/ folder of wickedctl local up's --state-dir, or npx tsx local/cloud-main.ts --state-dir ${stateDir}) that has run a stack operation`, ExitCode.InvalidInput);
  }
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file}: not JSON (${(error as Error).message})`, ExitCode.InvalidInput);
  }
  const fields = ['stack', 'logicalId', 'type', 'physicalId', 'status', 'kind'] as const;
  if (!Array.isArray(rows) || !rows.every((row) => typeof row === 'object' && row !== null && fields.every((f) => typeof (row as Record<string, unknown>)[f] === 'string'))) {
    throw new CliError(`${file}: expected a JSON array of { ${fields.join(', ')} } strings`, ExitCode.InvalidInput);
  }
  return inventoryLines(rows as InventoryRow[]);
}

/** Registers `wickedctl local up` and `wickedctl local resources`. */
export function registerLocal(program: Command, io: CliIo, setExit: (code: number) => void, waitForStop: StopSignal = processSignals): void {
  const local = program.command('local').description('Run the control plane on this machine against the local AWS emulator');
  local
    .command('up')
    .description('Start the local AWS cloud in the foreground, cdk bootstrap it and cdk deploy the chosen environments (the app in cdk.json, synthesized once per change of its sources), and print `export` lines for the AWS SDK/CLI and the CDK CLI; progress on stderr; stops on SIGINT/SIGTERM')
    .option('--port <n>', 'first port; the services take it and the following ones (default: free ports)')
    .option('--state-dir <dir>', 'where the local cloud keeps its files (in its cloud/ folder, emptied at start)', '.local')
    .option('--env <name>', 'environment to deploy (a stack wicked-<name> of cdk.json); repeat to deploy several side by side (default: dev)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--clock-speed <x>', 'emulated time runs this many times faster than wall time', '1')
    .action(async (options: UpOptions) => {
      const parsed = parseUpOptions(options);
      // Loaded only for this command: the cloud pulls in dynalite and the AWS SDK.
      const { localUp } = await import('../../local/local-up');
      const progress = (line: string): void => { io.stderr.write(`wickedctl local up: ${line}\n`); };
      const up = await localUp({ root: packageRoot(), stateDir: join(parsed.stateDir, 'cloud'), envs: parsed.envs, clockSpeed: parsed.clockSpeed, basePort: parsed.basePort, progress });
      const unsubscribe = up.cloud.control.sns.subscribe((message) => {
        io.stderr.write(`wickedctl: notification ${message.timestamp} ${message.subject ?? '(no subject)'} ${JSON.stringify(message.attributes)}\n${message.message}\n`);
      });
      try {
        io.stdout.write(`${upLines(up, parsed.stateDir).join('\n')}\n`);
        progress(`ready: ${up.environments.map((e) => e.stackName).join(', ')} deployed; Ctrl-C stops the cloud`);
        const signal = await waitForStop();
        io.stderr.write(`wickedctl: ${signal}: stopping the local cloud\n`);
      } finally {
        unsubscribe();
        await up.stop();
      }
      setExit(ExitCode.Ok);
    });
  local
    .command('resources')
    .description("List the local cloud's stack resources: emulated (a service holds them) or recorded, not emulated (ids and attributes only)")
    .option('--state-dir <dir>', "the local cloud's state directory", '.local/cloud')
    .action(async (options: { stateDir: string }) => {
      io.stdout.write(`${(await resourcesLines(options.stateDir)).join('\n')}\n`);
      setExit(ExitCode.Ok);
    });
}
