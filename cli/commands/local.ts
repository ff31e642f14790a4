import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { InventoryRow } from '../../local/cloudformation/inventory';
import type { Emulator, EmulatorOptions } from '../../local/emulator';
import { SERVICES } from '../../local/services';
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
  /** One name, or several (`--env dev --env prod`) to provision side by side. */
  readonly env: string | readonly string[];
  readonly clockSpeed: string;
}

/** Checks the options at the boundary; names what was received and what was expected. */
export function parseUpOptions(options: UpOptions): EmulatorOptions {
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 - SERVICES.length) {
    throw new CliError(`--port: received ${options.port}, expected a port from 1 to ${65535 - SERVICES.length} (services use it and the next ${SERVICES.length - 1}), or 0 for free ports`, ExitCode.InvalidInput);
  }
  const clockSpeed = Number(options.clockSpeed);
  if (!(clockSpeed > 0) || !Number.isFinite(clockSpeed)) throw new CliError(`--clock-speed: received ${options.clockSpeed}, expected a number > 0`, ExitCode.InvalidInput);
  const envs = typeof options.env === 'string' ? [options.env] : options.env.length > 0 ? [...options.env] : ['dev'];
  for (const env of envs) {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(env)) throw new CliError(`--env: received ${env}, expected a lowercase name such as dev or prod`, ExitCode.InvalidInput);
  }
  if (new Set(envs).size !== envs.length) throw new CliError(`--env: received ${envs.join(', ')}, expected each environment once`, ExitCode.InvalidInput);
  return { stateDir: resolve(options.stateDir), env: envs[0]!, ...(envs.length > 1 ? { envs } : {}), clockSpeed, basePort: port };
}

/** The lines `local up` prints: endpoints as shell comments, then `export` lines, so the whole output can be eval'ed. */
export function upLines(emulator: Pick<Emulator, 'endpoints' | 'env' | 'resources'> & Partial<Pick<Emulator, 'environments'>>, stateDir: string): string[] {
  const width = Math.max(...SERVICES.map((name) => name.length));
  const environments = Object.values(emulator.environments ?? { [emulator.resources.env]: emulator.resources });
  return [
    `# wicked local emulator: environment ${environments.map((r) => r.env).join(', ')}, state in ${stateDir}`,
    ...SERVICES.map((name) => `# ${name.padEnd(width)}  ${emulator.endpoints[name]}`),
    ...environments.map((r) => `# ${r.env}: SSM parameters /wicked/${r.env}/ (every command finds it with --env ${r.env}), config bucket s3://${r.configBucket}, cluster ${r.cluster}, images ${r.targetRepositoryUri}, ledger ${r.ledgerTable}`),
    `# notifications to ${emulator.resources.topicArn} are printed on stderr as they are published`,
    ...Object.entries(emulator.env).map(([name, value]) => `export ${name}=${value}`),
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
    throw new CliError(`no inventory at ${file}: expected the state directory of a local cloud (npx tsx local/cloud-main.ts --state-dir ${stateDir}) that has run a stack operation`, ExitCode.InvalidInput);
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
    .description('Start the local AWS emulator in the foreground, provision one environment, and print `export` lines for the AWS SDK/CLI; stops on SIGINT/SIGTERM')
    .option('--port <n>', 'first port; the services take it and the following ones (default: free ports)')
    .option('--state-dir <dir>', 'where the emulated services keep their files', '.local')
    .option('--env <name>', 'environment to provision; repeat to provision several side by side (default: dev)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--clock-speed <x>', 'emulated time runs this many times faster than wall time', '1')
    .action(async (options: UpOptions) => {
      const parsed = parseUpOptions(options);
      // stdout carries only the eval-able lines; the handlers run in this process and log to stdout, so their logs go to stderr.
      const out = io.stdout === process.stdout ? divertProcessStdout() : { print: (text: string) => { io.stdout.write(text); }, restore: () => undefined };
      // Loaded only for this command: the emulator pulls in dynalite and the AWS SDK.
      const { startEmulator } = await import('../../local/emulator');
      const emulator = await startEmulator(parsed).catch((error: unknown) => { out.restore(); throw error; });
      const unsubscribe = emulator.control.sns.subscribe((message) => {
        io.stderr.write(`wickedctl: notification ${message.timestamp} ${message.subject ?? '(no subject)'} ${JSON.stringify(message.attributes)}\n${message.message}\n`);
      });
      try {
        out.print(`${upLines(emulator, parsed.stateDir).join('\n')}\n`);
        const signal = await waitForStop();
        io.stderr.write(`wickedctl: ${signal}: stopping the emulator\n`);
      } finally {
        unsubscribe();
        await emulator.stop();
        out.restore();
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

/**
 * Sends whatever this process writes to stdout (the in-process handlers'
 * structured logs) to stderr, and returns a `print` that still reaches
 * stdout, so `local up > local.env` holds only comments and exports.
 */
function divertProcessStdout(): { print(text: string): void; restore(): void } {
  const original = process.stdout.write;
  process.stdout.write = ((...args: Parameters<typeof process.stderr.write>) => process.stderr.write(...args)) as typeof process.stdout.write;
  return { print: (text) => { original.call(process.stdout, text); }, restore: () => { process.stdout.write = original; } };
}
