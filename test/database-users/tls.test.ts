import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { Client, type ClientConfig } from 'pg';
import { handleDatabaseUsersRequest } from '../../shared/database-users';
import { PACKAGE_ROOT } from '../../infra/props';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server';

// The database-users handler against a real Postgres that, like RDS with rds.force_ssl (the parameter group's default on
// Postgres 15+), takes TCP logins over TLS only (hostssl), with a certificate from a certificate authority made here with
// openssl. The handler runs as deployed, in its own process: TLS with rejectUnauthorized, the authority taken from
// NODE_EXTRA_CA_CERTS as on Lambda (the construct points it at the runtime's RDS authorities). The stack deploys
// Postgres 16 on RDS; Debian's package here is Postgres 15 and 16 is not installable, so this runs on 15 (TLS and
// hostssl work the same in both; the handler's one version-dependent query, role membership, is untested on 16).

const run = promisify(execFile);
const ARN = (name: string): string => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:wicked-test/${name}-AbCdEf`;
const MASTER = { username: 'wicked', password: 'master-pw' };
const PASSWORDS = { kong: 'kong-tls-pw', portal_api: 'api-tls-pw' };
const EVENT = {
  RequestType: 'Create',
  ResourceProperties: {
    MasterSecretArn: ARN('postgres'),
    Users: [{ Role: 'kong', Database: 'kong', SecretArn: ARN('postgres-kong') }, { Role: 'portal_api', Database: 'wicked', SecretArn: ARN('postgres-portal-api') }],
  },
};

let dir: string;
let ca: string;
let server: PostgresServer;

const secrets = (target: PostgresServer): Record<string, unknown> => ({
  [ARN('postgres')]: { ...MASTER, host: target.host, port: target.port, engine: 'postgres' },
  [ARN('postgres-kong')]: { username: 'kong', password: PASSWORDS.kong, host: target.host, port: target.port, dbname: 'kong' },
  [ARN('postgres-portal-api')]: { username: 'portal_api', password: PASSWORDS.portal_api, host: target.host, port: target.port, dbname: 'wicked' },
});

/** A certificate authority and a server certificate for 127.0.0.1 and localhost, signed by it (P-256, valid two days). */
async function makeCertificates(): Promise<void> {
  const openssl = (...args: string[]): Promise<unknown> => run('openssl', args, { cwd: dir });
  await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem',
    '-days', '2', '-subj', '/CN=wicked test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  await openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  await writeFile(join(dir, 'server.ext'), 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext');
  ca = join(dir, 'ca.pem');
}

/** The handler, as deployed, in a fresh process with the given extra certificate authorities (none: Node.js's own list). */
async function runHandler(target: PostgresServer, extraCa: string | undefined): Promise<{ result?: unknown; error?: { name: string; code?: string; message: string; retryable?: boolean } }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', POWERTOOLS_SERVICE_NAME: 'database-users' };
  if (extraCa) env.NODE_EXTRA_CA_CERTS = extraCa;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(PACKAGE_ROOT, 'test', 'helpers', 'run-database-users-handler.ts'), JSON.stringify({ event: EVENT, secrets: secrets(target) })],
    { cwd: PACKAGE_ROOT, env, timeout: 60_000 });
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`the handler printed no RESULT line; stdout: ${stdout.slice(-1000)}`);
  return JSON.parse(line.slice('RESULT '.length)) as { result?: unknown; error?: { name: string; code?: string; message: string; retryable?: boolean } };
}

async function query<T>(config: ClientConfig, sql: string): Promise<T[]> {
  const client = new Client({ connectionTimeoutMillis: 10_000, ...config });
  await client.connect();
  try { return (await client.query(sql)).rows as T[]; } finally { await client.end(); }
}
const overTls = async (): Promise<ClientConfig> => ({ host: server.host, port: server.port, ssl: { ca: await readFile(ca, 'utf8'), rejectUnauthorized: true } });
/** The server's log lines of successful logins by a user. */
async function logins(user: string): Promise<string[]> {
  return (await readFile(server.logFile, 'utf8')).split('\n').filter((line) => line.includes(`connection authorized: user=${user} `));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pg-tls-'));
  await makeCertificates();
  server = await startPostgres({ tls: { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') }, requireTls: true });
  await query({ ...await overTls(), user: server.superuser.username, password: server.superuser.password, database: 'postgres' },
    `CREATE ROLE ${MASTER.username} LOGIN CREATEDB CREATEROLE PASSWORD '${MASTER.password}'`);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('database users over TLS, on a Postgres that requires it (real server, hostssl only)', () => {
  it('refuses a login without TLS, as RDS with rds.force_ssl does', async () => {
    const error = await query({ host: server.host, port: server.port, user: MASTER.username, password: MASTER.password, database: 'postgres', ssl: false }, 'SELECT 1').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '28000', message: expect.stringMatching(/no pg_hba\.conf entry .*no encryption/) });
  });

  it('names the cause when the handler is configured without TLS (as only a local test server allows) and the server requires it', async () => {
    const secretsMock = mockClient(SecretsManagerClient);
    try {
      secretsMock.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => ({ SecretString: JSON.stringify(secrets(server)[input.SecretId]) }));
      const error = await handleDatabaseUsersRequest(EVENT, { secrets: new SecretsManagerClient({ region: 'eu-west-1' }), ssl: false }).catch((e: unknown) => e);

      expect(error).toMatchObject({ code: 'SQL_FAILED', retryable: false });
      expect((error as Error).message).toMatch(new RegExp(`^user kong: connecting to ${server.host}:${server.port}/postgres as wicked: 28000 no pg_hba\\.conf entry .*no encryption; the server requires TLS and this connection did not use it: expected the ssl setting to be on$`));
    } finally {
      secretsMock.restore();
    }
  });

  it('fails without the certificate authority: the handler verifies the certificate, with an error that says so', async () => {
    const outcome = await runHandler(server, undefined);

    expect(outcome.error).toMatchObject({ code: 'TLS_FAILED', retryable: false });
    expect(outcome.error!.message).toContain(`connecting to ${server.host}:${server.port}/postgres as wicked: TLS: the server's certificate was rejected (UNABLE_TO_VERIFY_LEAF_SIGNATURE`);
    expect(outcome.error!.message).not.toContain(MASTER.password);
    expect(await logins(MASTER.username)).toEqual([]);
  }, 90_000);

  it('creates both users as deployed: TLS verified against NODE_EXTRA_CA_CERTS, every login of the master over TLS', async () => {
    const outcome = await runHandler(server, ca);

    expect(outcome).toEqual({ result: { PhysicalResourceId: 'wicked-database-users' } });
    const lines = await logins(MASTER.username);
    // One login per user into the maintenance database and one into the user's database.
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatch(/SSL enabled \(protocol=TLSv1\.[23], cipher=[\w-]+, bits=\d+\)/);
    const roles = await query<{ rolname: string; owns: string }>({ ...await overTls(), user: server.superuser.username, password: server.superuser.password, database: 'postgres' },
      "SELECT r.rolname, d.datname AS owns FROM pg_roles r JOIN pg_database d ON d.datdba = r.oid WHERE r.rolname IN ('kong', 'portal_api') ORDER BY 1");
    expect(roles).toEqual([{ rolname: 'kong', owns: 'kong' }, { rolname: 'portal_api', owns: 'wicked' }]);
    // And the users log in over TLS with the passwords from their secrets, as the containers will.
    expect(await query({ ...await overTls(), user: 'kong', password: PASSWORDS.kong, database: 'kong' }, 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).toEqual([{ ssl: true }]);
  }, 90_000);

  it('fails with a clear error, before any password is sent, when the server offers no TLS and the handler requires it', async () => {
    const plain = await startPostgres();
    try {
      const outcome = await runHandler(plain, ca);

      expect(outcome.error).toEqual({ name: 'DatabaseUsersError', code: 'TLS_FAILED', retryable: false,
        message: `user kong: connecting to ${plain.host}:${plain.port}/postgres as wicked: TLS: the server accepts no TLS connections; expected TLS, which the function requires (the master's password is never sent in clear) and RDS offers on every instance` });
      expect(await readFile(plain.logFile, 'utf8')).not.toMatch(/connection authorized|password authentication failed/);
    } finally {
      await plain.stop();
    }
  }, 90_000);
});
