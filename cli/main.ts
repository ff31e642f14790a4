import { Command, CommanderError } from 'commander';
import type { CliIo } from './output';
import { CliError, ExitCode } from './output';
import { registerBuild } from './commands/build';
import { registerDemo } from './commands/demo';
import { registerLocal } from './commands/local';
import { registerPromote } from './commands/promote';
import { registerRebuild } from './commands/rebuild';
import { registerRestart } from './commands/restart';
import { registerRollback } from './commands/rollback';
import { registerSnapshot } from './commands/snapshot';
import { registerStatus } from './commands/status';
import { registerUpload } from './commands/upload';
import { registerValidate } from './commands/validate';

/** Builds the `wickedctl` command tree; `setExit` receives each command's exit code. */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('wickedctl')
    .description('Operate the wicked.haufe.io API management platform on AWS: validate, build, deploy, snapshot, restore.')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError();
  registerValidate(program, io, setExit);
  registerBuild(program, io, setExit);
  registerDemo(program, io, setExit);
  registerLocal(program, io, setExit);
  registerUpload(program, io, setExit);
  registerStatus(program, io, setExit);
  registerRollback(program, io, setExit);
  registerRestart(program, io, setExit);
  registerPromote(program, io, setExit);
  registerRebuild(program, io, setExit);
  registerSnapshot(program, io, setExit);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Entry point used by `bin/wickedctl.js`; resolves the process exit code and never throws. */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  try {
    await buildProgram(io, (code) => { exitCode = code; }).parseAsync(argv);
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Help and version exit 0; usage errors are invalid input. Commander already printed the message.
    return error.exitCode === 0 ? ExitCode.Ok : ExitCode.InvalidInput;
  }
  if (error instanceof CliError) {
    io.stderr.write(`wickedctl: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  // Typed errors (registry, S3, bundle) carry a stable code and a message that names the problem.
  const typed = error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
  io.stderr.write(`wickedctl: ${typed ? '' : 'internal error: '}${message}\n`);
  return ExitCode.Failure;
}
