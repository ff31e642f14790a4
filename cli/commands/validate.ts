import type { Command } from 'commander';
import { isBundleError, readBundle } from '../../shared/config-bundle';
import { archiveReport } from '../../shared/pipeline/build-config';
import { validateConfig } from '../../shared/wicked-config';
import type { ValidationReport } from '../../shared/wicked-config';
import type { CliIo } from '../output';
import { ExitCode, printJson, printLines } from '../output';
import { formatIssue, warningLines } from '../report';

interface ValidateOptions {
  readonly config: string;
  readonly env?: string[];
  readonly json?: boolean;
}

/** Registers `wickedctl validate`. */
export function registerValidate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('Check a wicked static configuration (directory, .tar, .tar.gz/.tgz or .zip) as portal-api needs it; report every problem at once')
    .requiredOption('--config <path>', 'configuration directory or archive')
    .option('--env <name...>', 'environments to resolve variables for (default: every env/<name>.json)')
    .option('--json', 'print the report as one JSON object on the last line of stdout')
    .addHelpText('after', '\nExit status: 0 valid, 2 invalid, 1 internal error.')
    .action(async (options: ValidateOptions) => {
      setExit(await runValidate(options, io));
    });
}

/** Runs the validation and prints the report; resolves the exit code. */
export async function runValidate(options: ValidateOptions, io: CliIo): Promise<number> {
  const report = await validatePath(options.config, options.env, io);
  if (options.json) {
    printJson(io, report);
  } else {
    printLines(io, humanReport(options.config, report));
  }
  return report.valid ? ExitCode.Ok : ExitCode.InvalidInput;
}

/** Reads and validates a configuration; bundle refusals become a report, not an exception. */
export async function validatePath(path: string, envs: string[] | undefined, io: CliIo): Promise<ValidationReport> {
  let bundle;
  try {
    bundle = await readBundle({ path });
  } catch (error) {
    if (!isBundleError(error)) throw error;
    return archiveReport(error.code, error.path, error.message);
  }
  try {
    for (const line of warningLines(bundle.warnings)) io.stderr.write(`${line}\n`);
    return await validateConfig(bundle, envs && envs.length > 0 ? { envs } : {});
  } finally {
    await bundle.close();
  }
}

function humanReport(path: string, report: ValidationReport): string[] {
  if (report.valid) {
    return [`${path}: valid for ${report.environments.join(', ')}`, `configuration hash: ${report.configHash}`];
  }
  const count = report.issues.length;
  return [
    ...report.issues.map(formatIssue),
    `${path}: ${count} problem${count === 1 ? '' : 's'} found`,
  ];
}
