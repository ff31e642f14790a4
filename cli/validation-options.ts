import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { PLATFORM_VARIABLES, POSTGRES_PLATFORM_VARIABLES } from '../shared/wicked-config';
import type { ValidateConfigOptions } from '../shared/wicked-config';
import { CliError, ExitCode } from './output';

/** The validation flags shared by validate, build and upload. */
export interface ValidationFlags {
  readonly var?: string[];
  readonly varsFile?: string[];
  readonly postgres?: boolean;
  readonly strict?: boolean;
  readonly keyFile?: string;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Adds `--var`, `--vars-file`, `--postgres`, `--strict` and `--key-file` to a command.
 *
 * @example
 * addValidationFlags(program.command('validate'))
 */
export function addValidationFlags(command: Command): Command {
  return command
    .option('--var <name...>', 'a variable the container gets from you (task definition environment or secret), so the configuration need not define it; repeatable')
    .option('--vars-file <file...>', 'a file of such variables: one NAME or NAME=value per line, # comments (values are ignored)')
    .option('--postgres', 'the platform runs Postgres storage: PORTAL_STORAGE_PGHOST, PORTAL_STORAGE_PGUSER, PORTAL_STORAGE_PGPASSWORD, PORTAL_STORAGE_PGDATABASE and PGSSLMODE come from the task definition')
    .option('--strict', 'treat warnings as errors (exit 2 on any issue)')
    .option('--key-file <file>', 'the configuration key (deploy.envkey): decrypt encrypted values and check configKeyCheck as portal-api does; PORTAL_CONFIG_KEY in the environment works too');
}

/**
 * The variable names of a vars file: `NAME` or `NAME=value` per line, blank
 * lines and `#` comments skipped; anything else is refused with its line.
 *
 * @example
 * parseVarsFile('# mine\nSMTP_PASSWORD\nAPI_HOST=api.example\n', 'vars.env') // ['SMTP_PASSWORD', 'API_HOST']
 */
export function parseVarsFile(text: string, file: string): string[] {
  const names: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const name = line.replace(/^export\s+/, '').split('=', 1)[0]!.trim();
    if (!VARIABLE_NAME.test(name)) {
      throw new CliError(`${file}:${index + 1}: expected NAME or NAME=value with NAME of letters, digits and "_", received ${JSON.stringify(raw.slice(0, 60))}`, ExitCode.InvalidInput);
    }
    names.push(name);
  });
  return names;
}

/** The validator's options from the flags (the environments are the caller's). */
export async function validationOptions(flags: ValidationFlags, env: NodeJS.ProcessEnv = process.env): Promise<Omit<ValidateConfigOptions, 'envs'>> {
  const declared = [...(flags.var ?? [])];
  for (const name of declared) {
    if (!VARIABLE_NAME.test(name)) throw new CliError(`--var: expected a variable name of letters, digits and "_", received ${JSON.stringify(name)}`, ExitCode.InvalidInput);
  }
  for (const file of flags.varsFile ?? []) declared.push(...parseVarsFile(await readText(file, '--vars-file'), file));
  const platformVariables = [...PLATFORM_VARIABLES, ...(flags.postgres ? POSTGRES_PLATFORM_VARIABLES : []), ...declared];
  const configKey = flags.keyFile ? (await readText(flags.keyFile, '--key-file')).trim() : env.PORTAL_CONFIG_KEY;
  return { platformVariables, strict: flags.strict ?? false, ...(configKey ? { configKey } : {}) };
}

async function readText(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`${flag} ${file}: ${(error as Error).message}`, ExitCode.InvalidInput, { cause: error });
  }
}
