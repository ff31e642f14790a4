import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DeployedStack } from '../helpers/deployed';
import { deployedStack } from '../helpers/deployed';
import { SETUP_LIMIT_MS, SIGNAL_TEST_LIMIT_MS, signalBudget } from '../helpers/signals';
import { runCli } from '../cli/run-cli';
import type { CliRun } from '../cli/run-cli';
import { ledgerOf } from '../e2e/deploy-helpers';

const ROOT = resolve(__dirname, '..', '..');
const MARKER = '<!-- readme-commands:';

/** The commands of the README block after the marker: `npx wickedctl` stripped, the comment's `(exit N` read as the expected exit code. */
function readmeCommands(): { line: string; args: string[]; exit: number }[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const from = readme.indexOf(MARKER);
  if (from < 0) throw new Error(`README.md has no ${MARKER} block`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(from))![1]!;
  return block.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const [command, comment = ''] = line.split(/\s+#\s/, 2) as [string, string?];
    if (!command.startsWith('npx wickedctl ')) throw new Error(`README command block: "${line}" does not start with npx wickedctl`);
    return { line: command.trim(), args: command.trim().split(/\s+/).slice(2), exit: Number(/\(exit (\d)/.exec(comment)?.[1] ?? 0) };
  });
}

/**
 * Loads every command module the README runs (the CLI loads them lazily), so a cold module transform on a
 * busy machine happens here, under the setup's own limit, not inside a command's test.
 */
async function warmCommands(): Promise<void> {
  await Promise.all([
    import('../../cli/commands/envs'), import('../../cli/commands/validate'), import('../../cli/commands/upload'), import('../../cli/commands/status'),
    import('../../cli/commands/rebuild'), import('../../cli/commands/promote'), import('../../cli/commands/snapshot'), import('../../cli/commands/restart'),
    import('../../cli/commands/rollback'),
  ]);
}

const COMMANDS = readmeCommands();

/**
 * Runs a README command within the test's backstop. A command that does not exit (a `--follow` whose rollout never ends)
 * fails naming itself and what each environment's ledger shows in flight, instead of with jest's bare timeout.
 */
async function runWithin(emulator: DeployedStack, args: string[], line: string, ms: number): Promise<CliRun> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const { ledger, destroy } = ledgerOf(emulator);
      void Promise.all(['dev', 'prod'].map(async (env) => {
        const inFlight = (await ledger.getEnvironment(env))?.inFlight;
        return `${env}: ${inFlight ? `${inFlight.request.deploymentId} ${inFlight.phase}` : 'nothing in flight'}`;
      })).then((states) => states.join('; '), (error: Error) => `the ledger could not be read: ${error.message}`).then((states) => {
        destroy();
        reject(new Error(`${line} did not exit within ${ms} ms (${states})`));
      });
    }, ms);
  });
  try {
    return await Promise.race([runCli(args), expired]);
  } finally {
    clearTimeout(timer);
  }
}

describe('every command of the README, exactly as written, after wickedctl local up (two deployed stacks, wicked-dev and wicked-prod)', () => {
  let emulator: DeployedStack;
  let clone: string;
  const cwd = process.cwd();

  beforeAll(async () => {
    // `wickedctl local up --env dev --env prod`: both stacks deployed by the CDK CLI, the endpoints in the environment of the commands.
    emulator = await deployedStack('readme-', { envs: ['dev', 'prod'], cliEnvironment: true });
    // The commands name repository paths (examples/static, --git .): run them in a clone, so nothing is written into this checkout.
    clone = join(emulator.dir, 'repo');
    execFileSync('git', ['clone', '--quiet', ROOT, clone]);
    process.chdir(clone);
    await warmCommands();
  }, SETUP_LIMIT_MS);
  afterAll(async () => {
    process.chdir(cwd);
    await emulator?.stop();
  });

  it('has the walk-through: at least ten commands', () => {
    expect(COMMANDS.length).toBeGreaterThanOrEqual(10);
  });

  // One test per command, in the README's order: each has its own limit, and a failure names the command.
  it.each(COMMANDS.map((command, i) => [i + 1, command.line, command] as const))('%i: %s exits as documented', async (_i, _line, command) => {
    const run = await runWithin(emulator, command.args, command.line, signalBudget().left());
    expect({ command: command.line, code: run.code, stderr: run.code === command.exit ? '' : run.stderr }).toEqual({ command: command.line, code: command.exit, stderr: '' });
    if (process.env.README_COMMANDS_VERBOSE) process.stdout.write(`$ ${command.line}\n${run.stdout}${run.stderr}\n`);
    await emulator.bus.idle();
    await emulator.lambdaAsync.idle();
  }, SIGNAL_TEST_LIMIT_MS);

  it('wrote the page of the rollouts that `status --html` names', async () => {
    expect(COMMANDS.some((command) => command.args.includes('--html'))).toBe(true);
    expect((await stat(join(clone, 'rollout.html'))).size).toBeGreaterThan(1000);
  });
});
