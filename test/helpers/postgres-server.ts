import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './registry-server';

/** Where Debian's `postgresql` package installs each major version's server binaries. */
export const POSTGRES_LIB = '/usr/lib/postgresql';

/** A throwaway Postgres cluster started by {@link startPostgres}. */
export interface PostgresServer {
  /** 127.0.0.1 */
  readonly host: string;
  readonly port: number;
  /** The bootstrap superuser (`postgres`) and its password. */
  readonly superuser: { readonly username: string; readonly password: string };
  /** The server's major version (`15`). */
  readonly version: string;
  /** The server's log (`log_connections` is on: one line per login, saying whether it used TLS). */
  readonly logFile: string;
  /** Stops the server (immediate shutdown) and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** How {@link startPostgres} sets the server up. */
export interface PostgresServerOptions {
  /** Serve TLS (`ssl = on`) with this certificate and key, PEM files; copied into the cluster, readable by the server alone. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /**
   * Accept TCP logins over TLS only (`hostssl` in pg_hba.conf, no `host` line), as RDS does with
   * `rds.force_ssl`. Requires `tls`.
   *
   * @default false
   */
  readonly requireTls?: boolean;
}

/** The newest installed server's bin directory, or undefined when the package is missing. */
export async function postgresBinDir(): Promise<string | undefined> {
  if (!existsSync(POSTGRES_LIB)) return undefined;
  const versions = (await readdir(POSTGRES_LIB)).filter((v) => existsSync(join(POSTGRES_LIB, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(POSTGRES_LIB, versions[0], 'bin');
}

/** uid and gid of a user from /etc/passwd. */
async function account(name: string): Promise<{ uid: number; gid: number } | undefined> {
  const line = (await readFile('/etc/passwd', 'utf8')).split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Copies the certificate and key into the data directory (the key readable by the server's user alone, as Postgres demands); returns the settings naming them. */
async function installTls(data: string, tls: { readonly certFile: string; readonly keyFile: string }, owner: { uid: number; gid: number } | undefined): Promise<string[]> {
  const cert = join(data, 'server.crt');
  const key = join(data, 'server.key');
  await writeFile(cert, await readFile(tls.certFile), { mode: 0o600 });
  await writeFile(key, await readFile(tls.keyFile), { mode: 0o600 });
  if (owner) for (const file of [cert, key]) await chown(file, owner.uid, owner.gid);
  return [`ssl_cert_file = '${cert}'`, `ssl_key_file = '${key}'`];
}

function run(file: string, args: string[], owner: { uid: number; gid: number } | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { ...(owner ?? {}), env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C.UTF-8' }, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/**
 * Starts a Postgres server from Debian's `postgresql` package: `initdb` in a temporary
 * directory (password authentication, md5 hashing as the stack's parameter group sets it),
 * then `pg_ctl start` on a free loopback port, waiting until it accepts connections. The
 * server refuses to run as root, so when the tests do, it runs as the package's `postgres`
 * user (or `nobody`).
 *
 * @example
 * const pg = await startPostgres();
 * try { new Client({ host: pg.host, port: pg.port, user: 'postgres', password: pg.superuser.password }) } finally { await pg.stop(); }
 */
export async function startPostgres(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  if (options.requireTls && !options.tls) throw new Error('startPostgres: requireTls needs tls (a certificate and key)');
  const bin = await postgresBinDir();
  if (!bin) throw new Error(`no Postgres server under ${POSTGRES_LIB}: install the Debian package postgresql (scripts/system-deps.sh)`);
  const owner = process.getuid?.() === 0 ? (await account('postgres')) ?? (await account('nobody')) : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'postgres-'));
  const data = join(dir, 'data');
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  let started = false;
  const stop = async (): Promise<void> => {
    if (started) {
      started = false;
      await run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], owner).catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    if (owner) await chown(dir, owner.uid, owner.gid);
    await chmod(dir, 0o700);
    const pwfile = join(dir, 'pwfile');
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner) await chown(pwfile, owner.uid, owner.gid);
    await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth=md5', '-E', 'UTF8', '--no-sync'], owner);
    const conf = ["listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`, "password_encryption = 'md5'", 'fsync = off', 'log_connections = on'];
    if (options.tls) conf.push('ssl = on', ...await installTls(data, options.tls, owner));
    await writeFile(join(data, 'postgresql.conf'), `\n${conf.join('\n')}\n`, { flag: 'a' });
    if (options.requireTls) await writeFile(join(data, 'pg_hba.conf'), 'local all all md5\nhostssl all all 127.0.0.1/32 md5\n');
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      try {
        await run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${port}`, 'start'], owner);
        started = true;
        return { host: '127.0.0.1', port, superuser: { username: 'postgres', password }, version: bin.split('/').at(-2)!, logFile: join(dir, 'server.log'), stop };
      } catch (error) {
        lastError = error; // most likely the port was taken between probe and bind: try another
      }
    }
    throw lastError;
  } catch (error) {
    await stop();
    throw error;
  }
}
