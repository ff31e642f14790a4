import type { Command } from 'commander';
import { isBundleError, readBundle } from '../../shared/config-bundle';
import { archiveReport } from '../../shared/pipeline/build-config';
import { validateConfig } from '../../shared/wicked-config';
import type { ValidateConfigOptions, ValidationReport } from '../../shared/wicked-config';
import type { CliIo } from '../output';
import { ExitCode, printJson, printLines } from '../output';
import { countLine, formatIssue, verdictLines, warningLines } from '../report';
import type { ValidationFlags } from '../validation-options';
import { addValidationFlags, validationOptions } from '../validation-options';

interface ValidateOptions extends ValidationFlags {
  readonly config: string;
  readonly env?: string[];
  readonly json?: boolean;
}

/** Registers `wickedctl validate`. */
export function registerValidate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const command = program
    .command('validate')
    .description("Check a wicked static configuration (directory, .tar, .tar.gz/.tgz or .zip) as portal-api 1.0's start-up does: errors stop portal-api, warnings only degrade a request or a feature")
    .requiredOption('--config <path>', 'configuration directory or archive')
    .option('--env <name...>', 'wicked environments (NODE_ENV) to check (default: every env/<name>.json, each with its own verdict)')
    .option('--json', 'print the report as one JSON object on the last line of stdout');
  addValidationFlags(command)
    .addHelpText('after', '\nExit status: 0 when portal-api would start in every checked environment (warnings allowed unless --strict), 2 otherwise, 1 internal error.')
    .action(async (options: ValidateOptions) => {
      setExit(await runValidate(options, io));
    });
}

/** Runs the validation and prints the report; resolves the exit code. */
export async function runValidate(options: ValidateOptions, io: CliIo): Promise<number> {
  const report = await validatePath(options.config, options.env, io, await validationOptions(options));
  if (options.json) {
    printJson(io, report);
  } else {
    printLines(io, humanReport(options.config, report));
  }
  return report.valid ? ExitCode.Ok : ExitCode.InvalidInput;
}

/** Reads and validates a configuration; bundle refusals become a report, not an exception. */
export async function validatePath(path: string, envs: string[] | undefined, io: CliIo, options: Omit<ValidateConfigOptions, 'envs'> = {}): Promise<ValidationReport> {
  let bundle;
  try {
    bundle = await readBundle({ path });
  } catch (error) {
    if (!isBundleError(error)) throw error;
    return archiveReport(error.code, error.path, error.message);
  }
  try {
    for (const line of warningLines(bundle.warnings)) io.stderr.write(`${line}\n`);
    return await validateConfig(bundle, envs && envs.length > 0 ? { ...options, envs } : options);
  } finally {
    await bundle.close();
  }
}

function humanReport(path: string, report: ValidationReport): string[] {
  const lines = [...report.issues.map(formatIssue), ...verdictLines(report)];
  if (report.valid) {
    const note = report.issues.length > 0 ? ` with ${countLine(report)}` : '';
    return [...lines, `${path}: portal-api would start for ${report.environments.join(', ')}${note}`, `configuration hash: ${report.configHash}`];
  }
  return [...lines, `${path}: refused: ${countLine(report)} (problems found)`];
}
