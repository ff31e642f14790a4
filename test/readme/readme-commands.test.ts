import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Emulator } from '../../local/emulator';
import { startEmulator } from '../../local/emulator';
import { runCli } from '../cli/run-cli';

const ROOT = resolve(__dirname, '..', '..');
const MARKER = '<!-- readme-commands:';

/** The commands of the README block after the marker: `npx wickedctl` stripped, the comment's `(exit N` read as the expected exit code. */
async function readmeCommands(): Promise<{ line: string; args: string[]; exit: number }[]> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const from = readme.indexOf(MARKER);
  if (from < 0) throw new Error(`README.md has no ${MARKER} block`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(from))![1]!;
  return block.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const [command, comment = ''] = line.split(/\s+#\s/, 2) as [string, string?];
    if (!command.startsWith('npx wickedctl ')) throw new Error(`README command block: "${line}" does not start with npx wickedctl`);
    return { line: command.trim(), args: command.trim().split(/\s+/).slice(2), exit: Number(/\(exit (\d)/.exec(comment)?.[1] ?? 0) };
  });
}

describe('every command of the README, exactly as written, after local up (two environments, dev and prod)', () => {
  let emulator: Emulator;
  let dir: string;
  let clone: string;
  const cwd = process.cwd();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'readme-'));
    // The commands name repository paths (examples/static, --git .): run them in a clone, so nothing is written into this checkout.
    clone = join(dir, 'repo');
    execFileSync('git', ['clone', '--quiet', ROOT, clone]);
    emulator = await startEmulator({ stateDir: join(dir, 'state'), clockSpeed: 200, envs: ['dev', 'prod'] });
    process.chdir(clone);
  });
  afterAll(async () => {
    process.chdir(cwd);
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs them in order with the documented exit codes', async () => {
    const commands = await readmeCommands();
    expect(commands.length).toBeGreaterThanOrEqual(10);
    for (const command of commands) {
      const run = await runCli(command.args);
      // The command line in the message says which one broke.
      expect({ command: command.line, code: run.code, stderr: run.code === command.exit ? '' : run.stderr }).toEqual({ command: command.line, code: command.exit, stderr: '' });
      if (process.env.README_COMMANDS_VERBOSE) process.stdout.write(`$ ${command.line}\n${run.stdout}${run.stderr}\n`);
      await emulator.bus.idle();
    }
    expect((await stat(join(clone, 'rollout.html'))).size).toBeGreaterThan(1000);
  }, 300_000);
});
