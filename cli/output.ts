import type { Writable } from 'node:stream';

/** Where a command writes: stdout for results, stderr for progress and errors. */
export interface CliIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: NodeJS.ReadableStream;
}

/** Exit codes shared by every command. */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  InvalidInput: 2,
} as const;

/** An error the CLI reports as one line, with the exit code it maps to. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** Writes one JSON object as the last line of stdout (the `--json` contract). */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Writes lines to stdout. */
export function printLines(io: CliIo, lines: readonly string[]): void {
  if (lines.length > 0) io.stdout.write(`${lines.join('\n')}\n`);
}
