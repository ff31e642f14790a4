import { Command } from 'commander';

/** Builds the `wickedctl` command tree. */
export function buildProgram(): Command {
  const program = new Command('wickedctl')
    .description('Operate the wicked.haufe.io API management platform on AWS: validate, build, deploy, snapshot, restore.')
    .showHelpAfterError();
  return program;
}

/** Entry point used by `bin/wickedctl.js`; resolves the process exit code. */
export async function main(argv: string[]): Promise<number> {
  await buildProgram().parseAsync(argv);
  return 0;
}
