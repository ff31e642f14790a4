import type { Command } from 'commander';
import { packageRoot } from '../package-root';
import type { CliIo } from '../output';
import { ExitCode, printJson } from '../output';

/** Registers `wickedctl demo`. */
export function registerDemo(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description('Run the main job offline: validate the example configuration and build the portal-api image into a local OCI layout (.demo/)')
    .option('--json', 'print the summary as one JSON object on the last line of stdout')
    .action(async (options: { json?: boolean }) => {
      const { runDemo } = await import('../../local/demo');
      const summary = await runDemo(packageRoot(), (line) => io.stdout.write(`${line}\n`));
      const ok = summary.rebuildSkipped && summary.archiveDigestMatches && summary.validationProblems === 0;
      io.stdout.write(ok ? 'demo: OK\n' : 'demo: FAILED\n');
      if (options.json) printJson(io, summary);
      setExit(ok ? ExitCode.Ok : ExitCode.Failure);
    });
}
