import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { buildProgram, COMMAND_NAMES } from '../../cli/main';
import type { CliIo } from '../../cli/output';
import { runCli } from './run-cli';

const io: CliIo = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: Readable.from([]) };

describe('the command table', () => {
  it('lists exactly the commands the modules register, in help order', async () => {
    const program = await buildProgram(io, () => undefined);
    expect(program.commands.map((command) => command.name())).toEqual(COMMAND_NAMES);
  });

  it.each(COMMAND_NAMES)('a run of %s registers its own module only', async (name) => {
    const program = await buildProgram(io, () => undefined, name);
    const names = program.commands.map((command) => command.name());
    expect(names).toContain(name);
    expect(names.length).toBeLessThan(COMMAND_NAMES.length);
  });

  it('loads every command for help and for an unknown command, which still gets a suggestion', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const name of COMMAND_NAMES) expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    const typo = await runCli(['buidl']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown command 'buidl'");
    expect(typo.stderr).toContain('Did you mean build?');
  });

  it('ends quietly with its exit code when the reader closes the pipe early (wickedctl build --help | head -1)', async () => {
    const child = spawn(process.execPath, [resolve(__dirname, '..', '..', 'bin', 'wickedctl.js'), 'build', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const errors: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
    child.stdout.destroy(); // the reader is gone before the help is written (as head's is after its first line)
    const code = await new Promise<number | null>((done) => child.on('close', (status) => done(status)));
    expect(Buffer.concat(errors).toString()).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });
});
