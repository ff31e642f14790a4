import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Path of the CNCF distribution binary (Debian package `docker-registry`). */
export const REGISTRY_BINARY = '/usr/bin/docker-registry';

/** Options for {@link startRegistry}. */
export interface RegistryServerOptions {
  /** Enables htpasswd (HTTP Basic) auth with one user. @default anonymous access */
  readonly auth?: { readonly username: string; readonly password: string };
  /** How long to wait for `GET /v2/` to answer. @default 15000 */
  readonly startTimeoutMs?: number;
}

/** A running registry started by {@link startRegistry}. */
export interface RegistryServer {
  /** `127.0.0.1:PORT`, ready to use in image references (plain HTTP). */
  readonly host: string;
  /** Temporary directory holding config.yml, htpasswd and the storage root. */
  readonly dataDir: string;
  /** Kills the registry and removes {@link dataDir}. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts `/usr/bin/docker-registry` (distribution 2.8) on a free loopback
 * port with filesystem storage in a temporary directory and deletes enabled.
 * Resolves once `GET /v2/` answers (200, or 401 when auth is on).
 *
 * @example
 * const registry = await startRegistry({ auth: { username: 'u', password: 'p' } });
 * try { ... `${registry.host}/portal-api:1` ... } finally { await registry.stop(); }
 */
export async function startRegistry(options: RegistryServerOptions = {}): Promise<RegistryServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'registry-'));
  try {
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const configPath = await writeConfig(dataDir, port, options.auth);
      try {
        return await launch(dataDir, configPath, port, options.startTimeoutMs ?? 15000);
      } catch (error) {
        lastError = error; // most likely the port was taken between probe and bind: try another
      }
    }
    throw lastError;
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function writeConfig(dataDir: string, port: number, auth: RegistryServerOptions['auth']): Promise<string> {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dataDir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  if (auth) {
    const htpasswdPath = join(dataDir, 'htpasswd');
    const { stdout } = await execFileAsync('htpasswd', ['-Bbn', auth.username, auth.password]);
    await writeFile(htpasswdPath, stdout.trim() + '\n');
    lines.push('auth:', '  htpasswd:', '    realm: test-registry', `    path: ${htpasswdPath}`);
  }
  const configPath = join(dataDir, 'config.yml');
  await writeFile(configPath, lines.join('\n') + '\n');
  return configPath;
}

async function launch(dataDir: string, configPath: string, port: number, timeoutMs: number): Promise<RegistryServer> {
  const child = spawn(REGISTRY_BINARY, ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`docker-registry exited early (code ${code}, signal ${signal}): ${stderr}`)));
    child.once('error', reject);
  });
  exited.catch(() => undefined);
  const host = `127.0.0.1:${port}`;
  try {
    await Promise.race([waitUntilUp(host, timeoutMs), exited]);
  } catch (error) {
    await kill(child);
    throw error;
  }
  let stopped = false;
  return {
    host,
    dataDir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await kill(child);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitUntilUp(host: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`http://${host}/v2/`);
      await response.arrayBuffer();
      if (response.status === 200 || response.status === 401) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`docker-registry on ${host} did not answer GET /v2/ within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await gone;
  clearTimeout(timer);
}

/** A loopback TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
