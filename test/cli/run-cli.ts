import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../cli/main';

/** What a CLI run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `wickedctl` in-process with captured streams. */
export async function runCli(args: string[], stdin = ''): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await main(['node', 'wickedctl', ...args], { stdout, stderr, stdin: Readable.from([Buffer.from(stdin)]) });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

/** Runs the real `bin/wickedctl.js` in a child process. */
export function spawnCli(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
  const bin = resolve(__dirname, '..', '..', 'bin', 'wickedctl.js');
  return new Promise((done) => {
    const child = execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 0 }, (error, stdout, stderr) => {
      // A process killed at the timeout has no exit code: report it as -1 with the reason.
      const killed = error !== null && (error as { killed?: boolean }).killed === true;
      done({ code: killed ? -1 : error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr: killed ? `${stderr}\n(killed after ${options.timeoutMs} ms)` : stderr });
    });
    child.stdin?.end(options.stdin ?? '');
  });
}

/** The last line of stdout, parsed: the `--json` contract. */
export function lastJson(run: CliRun): Record<string, unknown> {
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}
