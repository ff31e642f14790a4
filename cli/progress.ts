import type { CliIo } from './output';

/** Progress of one long operation on stderr. */
export interface Progress {
  /** The current step (`packing`, `rolling`...): the live line on a TTY; nothing when piped. */
  update(step: string): void;
  /** A step worth a plain line when piped (a layer hashed, a blob uploaded); the live line on a TTY. */
  note(step: string): void;
  /** A line the operator keeps (a stage reached, a warning): printed on its own line in both modes. */
  line(text: string): void;
  /** Ends the live line (TTY) and stops the timer. */
  done(): void;
}

/** Options of {@link startProgress}. */
export interface ProgressOptions {
  /** Milliseconds between redraws on a TTY. @default 100 */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

const FRAMES = ['|', '/', '-', '\\'];

/**
 * Progress for a long operation (upload, build, snapshot, restore). On a TTY
 * one live line is redrawn in place with a spinner, the step and the time
 * spent; piped, only notes and kept lines are written, each as one plain
 * line (no control characters, no dots), so logs and error output stay
 * short. `--json` output on stdout is never touched.
 *
 * @example
 * const progress = startProgress(io, 'upload');
 * progress.update('packing'); ... progress.line('[uploaded] s3://...'); progress.done();
 */
export function startProgress(io: CliIo, label: string, options: ProgressOptions = {}): Progress {
  const now = options.now ?? Date.now;
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  const started = now();
  let step = '';
  if (!tty) {
    return {
      update: () => undefined,
      note: (text) => { io.stderr.write(`${text}\n`); },
      line: (text) => { io.stderr.write(`${text}\n`); },
      done: () => undefined,
    };
  }
  let frame = 0;
  const draw = (): void => {
    const seconds = Math.floor((now() - started) / 1000);
    io.stderr.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${label}${step ? `: ${step}` : ''} (${seconds} s)`);
  };
  const timer = setInterval(draw, options.intervalMs ?? 100);
  timer.unref();
  return {
    update: (next) => { step = next; draw(); },
    note: (next) => { step = next; draw(); },
    line: (text) => { io.stderr.write(`\r\x1b[2K${text}\n`); draw(); },
    done: () => { clearInterval(timer); io.stderr.write('\r\x1b[2K'); },
  };
}
