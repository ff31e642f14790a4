import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../cli/package-root';

/** A deployed function, as the runtime needs it. */
export interface FunctionConfig {
  readonly name: string;
  readonly arn: string;
  /** The unpacked deployment package (LAMBDA_TASK_ROOT). */
  readonly codeDir: string;
  /** `module.export`, e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** The template's environment variables. */
  readonly environment: Readonly<Record<string, string>>;
}

/** One invocation's record (what tests count). */
export interface Invocation {
  readonly functionName: string;
  readonly requestId: string;
  readonly event: unknown;
  readonly outcome: 'success' | 'error' | 'timeout';
  readonly error?: string;
  /** What the handler returned (its response payload), when it succeeded. */
  readonly result?: unknown;
  readonly logs: string;
}

/** A function error, as Lambda reports it (`errorType`, `errorMessage`). */
export class FunctionError extends Error {
  readonly code = 'FunctionError';
  constructor(readonly functionName: string, readonly errorType: string, readonly errorMessage: string, readonly logs: string) {
    super(`${functionName} failed: ${errorType}: ${errorMessage}`);
    this.name = 'FunctionError';
  }
}

/** Options of {@link LocalFunctions}. */
export interface LocalFunctionsOptions {
  /** Variables every function gets on top of its own (the emulator's endpoints and the role's session credentials). */
  readonly platformEnv: Readonly<Record<string, string>>;
  /** `https` hosts whose requests go to a local HTTP endpoint instead (host -> `http://127.0.0.1:PORT`). */
  readonly httpsRedirects?: Readonly<Record<string, string>>;
  /** Where packages are unpacked; a `node_modules` link there stands in for the runtime's bundled AWS SDK. */
  readonly codeRoot: string;
  /** Wall time an idle execution environment is kept before it is shut down. @default {@link IDLE_SHUTDOWN_MS} */
  readonly idleShutdownMs?: number;
}

// From the repository root, not this module's folder: the wickedctl CLI runs this code from its bundle under node_modules/.cache.
const ROOT = packageRoot(__dirname);
const HOST = resolve(ROOT, 'local', 'lambda', 'host.mjs');
// The runtime's bundled AWS SDK v3 ("Lambda runtimes": Node.js runtimes include it): the project's own node_modules stands in.
const RUNTIME_SDK = resolve(ROOT, 'node_modules');

/**
 * The emulated Lambda service: deployed functions by name, each invocation
 * in a Node child process (the runtime stand-in `host.mjs`, an execution
 * environment) with only the function's environment, killed at its timeout.
 * As Lambda does, an environment that answered is reused for a later
 * invocation of the same code and configuration (module scope survives, a
 * warm start); an update of the function retires its environments.
 *
 * @example
 * const fns = new LocalFunctions({ platformEnv: cloud.env, codeRoot: '.local/lambda' });
 * fns.deploy(config); await fns.invoke('build-image', event);
 */
export class LocalFunctions {
  private readonly functions = new Map<string, FunctionConfig>();
  private readonly log: Invocation[] = [];
  private readonly listeners = new Set<(invocation: Invocation) => void>();
  private linked: Promise<void> | undefined;
  /** Warm execution environments by function name, each with the configuration it was started with. */
  private readonly idle = new Map<string, { key: string; child: ChildProcess; shutdown: NodeJS.Timeout }[]>();
  private readonly live = new Set<ChildProcess>();

  constructor(private readonly options: LocalFunctionsOptions) {}

  /** Creates or replaces a function. */
  async deploy(config: FunctionConfig): Promise<void> {
    const major = /^nodejs(\d+)\.x$/.exec(config.runtime)?.[1];
    if (!major) throw new Error(`Runtime ${JSON.stringify(config.runtime)} is not emulated; the local Lambda runs nodejsNN.x functions only`);
    const host = Number(process.versions.node.split('.')[0]);
    if (Number(major) > host) throw new Error(`Runtime ${config.runtime} needs Node ${major}; the emulator runs Node ${process.versions.node} (run it through npm scripts or npx, which use the project's Node)`);
    this.linked ??= symlink(RUNTIME_SDK, join(this.options.codeRoot, 'node_modules'), 'dir').catch((error: NodeJS.ErrnoException) => { if (error.code !== 'EEXIST') throw error; });
    await this.linked;
    this.functions.set(config.name, config);
    this.retire(config.name);
  }

  remove(name: string): boolean {
    this.retire(name);
    return this.functions.delete(name);
  }

  get(name: string): FunctionConfig | undefined {
    return this.functions.get(name);
  }

  /** Every invocation so far, oldest first. */
  invocations(name?: string): readonly Invocation[] {
    return name ? this.log.filter((i) => i.functionName === name) : [...this.log];
  }

  /** Resolves the first invocation (past or future) that matches; rejects after `timeoutMs` of wall time naming what it waited for. */
  waitFor(predicate: (invocation: Invocation) => boolean, timeoutMs = 10_000, description = 'the predicate'): Promise<Invocation> {
    const seen = this.log.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => { this.listeners.delete(listener); reject(new Error(`no invocation matched ${description} within ${timeoutMs} ms (${this.log.length} invocations so far)`)); }, timeoutMs);
      const listener = (invocation: Invocation): void => {
        if (!predicate(invocation)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolvePromise(invocation);
      };
      this.listeners.add(listener);
    });
  }

  /** Invokes synchronously (RequestResponse): resolves the handler's result, rejects with a {@link FunctionError}. */
  async invoke(name: string, event: unknown): Promise<unknown> {
    const config = this.functions.get(name);
    if (!config) throw new FunctionError(name, 'ResourceNotFoundException', `Function not found: ${name}`, '');
    const requestId = randomUUID();
    const key = environmentKey(config);
    // A warm execution environment of this configuration if one is idle, as Lambda reuses them; a cold start otherwise.
    const child = this.takeIdle(name, key) ?? this.coldStart(config);
    let output = '';
    // The runtime ends each stream of an invocation with a marker line (host.mjs); the answer counts once both came in.
    const marker = `\u0000END ${requestId}\n`;
    /** Each stream's last characters, enough to find a marker split across two chunks. */
    const tails = { out: '', err: '' };
    let streamsEnded = 0;
    let answered: (() => void) | undefined;
    const take = (stream: keyof typeof tails) => (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output += text;
      const tail = tails[stream] + text;
      tails[stream] = tail.slice(-(marker.length - 1));
      if (!tail.includes(marker)) return;
      streamsEnded += 1;
      if (streamsEnded === 2) answered?.();
    };
    /** What the handler printed: the output without the runtime's markers. */
    const logs = (): string => output.split(marker).join('');
    const onStdout = take('out');
    const onStderr = take('err');
    child.stdout?.on('data', onStdout);
    child.stderr?.on('data', onStderr);
    const deadline = Date.now() + config.timeoutSeconds * 1000;
    const record = (outcome: Invocation['outcome'], error?: string, result?: unknown): void => {
      const invocation: Invocation = { functionName: name, requestId, event, outcome, logs: logs(), ...(error ? { error } : {}), ...(result !== undefined ? { result } : {}) };
      this.log.push(invocation);
      for (const listener of [...this.listeners]) listener(invocation);
    };
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); }, config.timeoutSeconds * 1000);
      const done = (): void => {
        clearTimeout(timer);
        child.off('error', onStartError);
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.stdout?.off('data', onStdout);
        child.stderr?.off('data', onStderr);
      };
      const onMessage = (message: { ok: boolean; result?: unknown; errorType?: string; errorMessage?: string }): void => {
        answered = () => settle(message);
        if (streamsEnded === 2) answered();
      };
      const settle = (message: { ok: boolean; result?: unknown; errorType?: string; errorMessage?: string }): void => {
        answered = undefined;
        done();
        this.release(name, key, child);
        if (message.ok) { record('success', undefined, message.result); resolvePromise(message.result); return; }
        record('error', `${message.errorType ?? 'Error'}: ${message.errorMessage ?? ''}`);
        reject(new FunctionError(name, message.errorType ?? 'Error', message.errorMessage ?? '', logs()));
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        done();
        const timedOut = signal === 'SIGKILL' && Date.now() >= deadline - 50;
        const reason = timedOut ? `Task timed out after ${config.timeoutSeconds.toFixed(2)} seconds` : `Runtime exited with ${signal ? `signal ${signal}` : `code ${code ?? '?'}`} before answering`;
        record(timedOut ? 'timeout' : 'error', reason);
        reject(new FunctionError(name, timedOut ? 'Sandbox.Timedout' : 'Runtime.ExitError', reason, logs()));
      };
      // A runtime that cannot start (its code directory removed) is a runtime error of the invocation, never an uncaught one.
      const onStartError = (error: Error): void => {
        if (child.pid !== undefined) return;
        done();
        child.off('error', onStartError);
        record('error', `Runtime.StartError: ${error.message}`);
        reject(new FunctionError(name, 'Runtime.StartError', error.message, logs()));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.on('error', onStartError);
      // A send to an environment that has just died fails with EPIPE: the exit is reported by onExit.
      child.send({ event, handler: config.handler, deadline, requestId, functionArn: config.arn }, (error) => { if (error) child.kill('SIGKILL'); });
    });
  }

  /** Ends every execution environment (idle or busy): the runtime is shutting down. */
  stop(): void {
    for (const child of this.live) child.kill('SIGKILL');
    this.live.clear();
    for (const pool of this.idle.values()) for (const { shutdown } of pool) clearTimeout(shutdown);
    this.idle.clear();
  }

  private coldStart(config: FunctionConfig): ChildProcess {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '', TZ: 'UTC', LANG: 'en_US.UTF-8',
      ...this.options.platformEnv,
      ...config.environment,
      AWS_LAMBDA_FUNCTION_NAME: config.name, AWS_LAMBDA_FUNCTION_VERSION: '$LATEST', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memoryMb),
      AWS_EXECUTION_ENV: `AWS_Lambda_${config.runtime}`, LAMBDA_TASK_ROOT: config.codeDir, AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${config.name}`,
      LOCAL_LAMBDA_HTTPS_REDIRECTS: JSON.stringify(this.options.httpsRedirects ?? {}),
    };
    const child = fork(HOST, [], { cwd: config.codeDir, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
    // A failed send or kill surfaces as the exit of the environment, never as an uncaught error here.
    child.on('error', () => undefined);
    this.live.add(child);
    child.once('exit', () => {
      this.live.delete(child);
      for (const pool of this.idle.values()) {
        const at = pool.findIndex((e) => e.child === child);
        if (at >= 0) pool.splice(at, 1);
      }
    });
    return child;
  }

  private takeIdle(name: string, key: string): ChildProcess | undefined {
    const pool = this.idle.get(name) ?? [];
    // An environment that died while idle (a handler's stray rejection after its answer ends the process) is gone.
    const alive = pool.filter((e) => e.child.connected && e.child.exitCode === null && e.child.signalCode === null);
    pool.splice(0, pool.length, ...alive);
    const at = pool.findIndex((e) => e.key === key);
    if (at < 0) return undefined;
    const { child, shutdown } = pool.splice(at, 1)[0]!;
    clearTimeout(shutdown);
    holdOpen(child, true);
    return child;
  }

  /** After an answer: the environment waits for the next invocation of the same configuration (a few per function). */
  private release(name: string, key: string, child: ChildProcess): void {
    const pool = this.idle.get(name) ?? [];
    if (!child.connected || child.exitCode !== null || this.functions.get(name) === undefined || environmentKey(this.functions.get(name)!) !== key || pool.length >= MAX_IDLE) {
      child.kill('SIGKILL');
      return;
    }
    // An idle environment does not keep the emulator's process alive.
    holdOpen(child, false);
    const shutdown = setTimeout(() => {
      const at = pool.findIndex((e) => e.child === child);
      if (at >= 0) pool.splice(at, 1);
      child.kill('SIGKILL');
    }, this.options.idleShutdownMs ?? IDLE_SHUTDOWN_MS);
    shutdown.unref();
    pool.push({ key, child, shutdown });
    this.idle.set(name, pool);
  }

  private retire(name: string): void {
    for (const { child, shutdown } of this.idle.get(name) ?? []) {
      clearTimeout(shutdown);
      child.kill('SIGKILL');
    }
    this.idle.delete(name);
  }
}

/** Whether a child process (its handle, IPC channel and output pipes) keeps this process's event loop alive. */
function holdOpen(child: ChildProcess, hold: boolean): void {
  const handles = [child, child.channel, child.stdout, child.stderr] as ({ ref?(): unknown; unref?(): unknown } | null | undefined)[];
  for (const handle of handles) {
    if (hold) handle?.ref?.();
    else handle?.unref?.();
  }
}

/**
 * Idle execution environments kept per function. Lambda keeps every environment it started for reuse while
 * it stays warm ("Lambda execution environment lifecycle": after an invocation the environment is frozen,
 * then reused for the next invocation of the same function version), so a burst of N concurrent
 * invocations leaves N warm ones; the cap only bounds the emulator's memory (each is a Node process).
 * With 4 a wave of 10 concurrent builds started 6 of them cold again in the next wave (64 cold starts for
 * 200 builds, about 0.5 CPU-s each), where Lambda would have reused all 10.
 */
const MAX_IDLE = 32;

/**
 * Wall time an environment may stay idle before the emulator shuts it down, as Lambda ends environments
 * that are not invoked for a while (the duration is not documented; minutes). Bounds a long `local up`.
 */
const IDLE_SHUTDOWN_MS = 5 * 60_000;

/** What makes two execution environments interchangeable: an update of code or configuration starts new ones, as on Lambda. */
function environmentKey(config: FunctionConfig): string {
  return JSON.stringify([config.codeDir, config.handler, config.runtime, config.memoryMb, config.timeoutSeconds, Object.entries(config.environment).sort()]);
}
