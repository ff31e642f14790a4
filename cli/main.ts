import { Command, CommanderError } from 'commander';
import type { CliIo } from './output';
import { CliError, ExitCode } from './output';

type Register = (program: Command, io: CliIo, setExit: (code: number) => void) => void;

/**
 * The command modules, in help order, each with the commands it registers and loaded on demand: a
 * run loads only the module of the command it names (and what that imports), which keeps start-up
 * short; help and unknown commands load all of them.
 */
const MODULES: readonly { readonly commands: readonly string[]; readonly load: () => Promise<Register> }[] = [
  { commands: ['validate'], load: async () => (await import('./commands/validate')).registerValidate },
  { commands: ['build'], load: async () => (await import('./commands/build')).registerBuild },
  { commands: ['demo'], load: async () => (await import('./commands/demo')).registerDemo },
  { commands: ['local'], load: async () => (await import('./commands/local')).registerLocal },
  { commands: ['upload'], load: async () => (await import('./commands/upload')).registerUpload },
  { commands: ['envs'], load: async () => (await import('./commands/envs')).registerEnvs },
  { commands: ['status'], load: async () => (await import('./commands/status')).registerStatus },
  { commands: ['rollback'], load: async () => (await import('./commands/rollback')).registerRollback },
  { commands: ['restart'], load: async () => (await import('./commands/restart')).registerRestart },
  { commands: ['promote'], load: async () => (await import('./commands/promote')).registerPromote },
  { commands: ['rebuild'], load: async () => (await import('./commands/rebuild')).registerRebuild },
  { commands: ['snapshot', 'snapshots', 'restore'], load: async () => (await import('./commands/snapshot')).registerSnapshot },
];

/** Every command's name, in help order. */
export const COMMAND_NAMES: readonly string[] = MODULES.flatMap((module) => module.commands);

/**
 * Builds the `wickedctl` command tree; `setExit` receives each command's exit code. With
 * `only`, just that command is registered (`argv` named it); otherwise all of them.
 */
export async function buildProgram(io: CliIo, setExit: (code: number) => void, only?: string): Promise<Command> {
  const program = new Command('wickedctl')
    .description('Operate the wicked.haufe.io API management platform on AWS: validate, build, deploy, snapshot, restore.')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError();
  const named = MODULES.filter((module) => only !== undefined && module.commands.includes(only));
  const registers = await Promise.all((named.length > 0 ? named : MODULES).map((module) => module.load()));
  for (const register of registers) register(program, io, setExit);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Entry point used by `bin/wickedctl.js`; resolves the process exit code and never throws. */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  try {
    // argv[2] is the command when it is one (commander reads no program-level options before it).
    const program = await buildProgram(io, (code) => { exitCode = code; }, argv[2]);
    await program.parseAsync(argv);
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
