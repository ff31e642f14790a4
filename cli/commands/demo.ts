import type { Command } from 'commander';
import { join } from 'node:path';
import { packageRoot } from '../package-root';
import type { CliIo } from '../output';
import { ExitCode, printJson } from '../output';

/** Registers `wickedctl demo`. */
export function registerDemo(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description('Walk the whole story on the local emulator: cdk bootstrap and cdk deploy wicked-dev (the app in cdk.json, from the synth cache), then build, roll, reject, roll back, snapshot, restore through the deployed Lambdas; exits 0 only if every step behaved')
    .option('--verbose', 'also print the Lambda handlers\' structured logs')
    .option('--json', 'print the steps as one JSON object on the last line of stdout')
    .action(async (options: { json?: boolean; verbose?: boolean }) => {
      if (!options.verbose) process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
      process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';
      // Loaded only for this command: the local cloud pulls in dynalite and the AWS SDK.
      const [{ runStory }, { demoSteps }] = await Promise.all([import('../../local/story'), import('../../local/demo-story')]);
      const root = packageRoot();
      const say = (line: string): void => { io.stdout.write(`${line}\n`); };
      say('wicked-control-plane demo: the control plane on the local AWS emulator');
      const started = Date.now();
      const progress = options.verbose ? (line: string): void => { io.stderr.write(`${line}\n`); } : undefined;
      const steps = await runStory(root, join(root, '.demo'), join(root, 'examples', 'static'), demoSteps(root), say, progress);
      const width = Math.max(...steps.map((step) => step.name.length));
      say('');
      say(`${'step'.padEnd(width)}  result  ms`);
      for (const step of steps) say(`${step.name.padEnd(width)}  ${step.ok ? 'ok    ' : 'FAILED'}  ${step.ms}`);
      const ok = steps.every((step) => step.ok);
      say(`demo: ${ok ? 'OK' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if (options.json) printJson(io, { ok, steps });
      setExit(ok ? ExitCode.Ok : ExitCode.Failure);
    });
}
