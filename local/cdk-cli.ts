import { spawn } from 'node:child_process';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './kernel/events';

/** What a CDK CLI run printed (stdout and stderr interleaved) and its exit code. */
export interface CdkCliRun {
  readonly code: number | null;
  readonly output: string;
}

/**
 * The arguments of `cdk bootstrap` of the local account, as `local up` runs it and as it is recorded. The app is
 * given as its synthesized assembly: run in a directory with cdk.json and no `--app`, the CLI would synthesize the
 * whole app again only to list environments that the explicit one here already names.
 */
export function bootstrapArgs(assembly: string): string[] {
  return ['bootstrap', `aws://${LOCAL_ACCOUNT}/${LOCAL_REGION}`, '--app', assembly];
}

/** The arguments of `cdk deploy <stacks>` of a synthesized assembly without prompts, as `local up` runs it and as it is recorded. */
export function deployArgs(stacks: readonly string[], assembly: string): string[] {
  return ['deploy', ...stacks, '--require-approval', 'never', '--app', assembly];
}

/**
 * The pinned CLI's entry point under `root` (what `npx cdk` would run), or undefined when it is not installed there.
 * Started with this process's Node it costs no npm start-up (most of a CPU second per command).
 */
export function cdkEntryPoint(root: string): string | undefined {
  try {
    return require.resolve('aws-cdk/bin/cdk', { paths: [root] });
  } catch {
    return undefined;
  }
}

/**
 * The command and leading arguments that run the pinned CLI under `root`: its entry point with this process's Node
 * when it is installed there, else `npx cdk`.
 */
export function cdkCommand(root: string): readonly [command: string, prefix: readonly string[]] {
  const entry = cdkEntryPoint(root);
  return entry === undefined ? ['npx', ['cdk']] : [process.execPath, [entry]];
}

/**
 * Runs the project's pinned AWS CDK CLI (`npx cdk`, the devDependency) in
 * `root` with these variables (a local cloud's endpoints), offline: no
 * notices, no version check, no telemetry, no colours. Each line it prints
 * goes to `onLine` as it comes.
 *
 * @example
 * await runCdkCli(root, cloud.env, ['bootstrap', 'aws://000000000000/us-east-1'], (line) => process.stderr.write(`${line}\n`));
 */
export function runCdkCli(root: string, env: Readonly<Record<string, string>>, args: readonly string[], onLine?: (line: string) => void): Promise<CdkCliRun> {
  return new Promise((done, fail) => {
    const [command, prefix] = cdkCommand(root);
    const child = spawn(command, [...prefix, ...args, '--no-notices'], {
      cwd: root,
      env: { ...process.env, ...env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let pending = '';
    const take = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output += text;
      if (!onLine) return;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) onLine(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', fail);
    child.on('close', (code) => {
      if (onLine && pending) onLine(pending);
      done({ code, output });
    });
  });
}
