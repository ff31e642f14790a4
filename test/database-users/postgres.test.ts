import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { Client } from 'pg';
import { DatabaseUsersError, handleDatabaseUsersRequest, md5PasswordHash, type DatabaseUsersDeps } from '../../shared/database-users';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server';

// Against a real Postgres server (Debian's postgresql, a throwaway cluster per file). The master is
// made as RDS makes it: LOGIN CREATEDB CREATEROLE, not a superuser, owner of the instance's `kong`
// database; a Kong that ran as the master before has left a table (with a serial sequence) there.

const ARN = (name: string): string => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:wicked-test/${name}-AbCdEf`;
const MASTER = { username: 'wicked', password: 'master-pw' };
const EVENT = (type: 'Create' | 'Update' | 'Delete', passwordsRevision?: string): Record<string, unknown> => ({
  RequestType: type,
  ...(type === 'Create' ? {} : { PhysicalResourceId: 'wicked-database-users' }),
  ResourceProperties: {
    MasterSecretArn: ARN('postgres'),
    Users: [{ Role: 'kong', Database: 'kong', SecretArn: ARN('postgres-kong') }, { Role: 'portal_api', Database: 'wicked', SecretArn: ARN('postgres-portal-api') }],
    ...(passwordsRevision === undefined ? {} : { PasswordsRevision: passwordsRevision }),
  },
});

let server: PostgresServer;
const secretsMock = mockClient(SecretsManagerClient);
const passwords: Record<string, string> = { kong: 'kong pw with \'quote', portal_api: 'api-pw-1' };
const logs: string[] = [];
const statements: unknown[] = [];
const deps = (): DatabaseUsersDeps => ({
  secrets: new SecretsManagerClient({ region: 'eu-west-1' }), ssl: false,
  log: (message, fields) => { logs.push(message); if (fields.statements) statements.push(fields.statements); },
});

function serveSecrets(): void {
  secretsMock.reset();
  const values: Record<string, unknown> = {
    [ARN('postgres')]: { ...MASTER, host: server.host, port: server.port, engine: 'postgres' },
    [ARN('postgres-kong')]: { username: 'kong', password: passwords.kong, host: server.host, port: server.port, dbname: 'kong' },
    [ARN('postgres-portal-api')]: { username: 'portal_api', password: passwords.portal_api, host: server.host, port: String(server.port), dbname: 'wicked' },
  };
  secretsMock.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => ({ SecretString: JSON.stringify(values[input.SecretId]) }));
}

async function connect(user: string, password: string, database: string): Promise<Client> {
  const client = new Client({ host: server.host, port: server.port, user, password, database, connectionTimeoutMillis: 10_000 });
  await client.connect();
  return client;
}
async function asSuperuser<T>(database: string, body: (c: Client) => Promise<T>): Promise<T> {
  const client = await connect(server.superuser.username, server.superuser.password, database);
  try { return await body(client); } finally { await client.end(); }
}
async function loginError(user: string, password: string, database: string): Promise<string> {
  try {
    const client = await connect(user, password, database);
    await client.end();
    return 'logged in';
  } catch (error) {
    return `${(error as { code?: string }).code ?? ''} ${(error as Error).message}`;
  }
}
async function state(): Promise<unknown> {
  return asSuperuser('postgres', async (c) => ({
    roles: (await c.query(`SELECT rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolinherit, left(rolpassword, 3) AS hash
                             FROM pg_authid WHERE rolname IN ('kong', 'portal_api') ORDER BY rolname`)).rows,
    databases: (await c.query(`SELECT datname, pg_get_userbyid(datdba) AS owner,
                                      EXISTS (SELECT 1 FROM aclexplode(datacl) a WHERE a.grantee = 0) OR datacl IS NULL AS public
                                 FROM pg_database WHERE datname IN ('kong', 'wicked') ORDER BY datname`)).rows,
  }));
}

beforeAll(async () => {
  server = await startPostgres();
  await asSuperuser('postgres', async (c) => {
    await c.query(`CREATE ROLE ${MASTER.username} LOGIN CREATEDB CREATEROLE PASSWORD '${MASTER.password}'`);
    await c.query(`CREATE DATABASE kong OWNER ${MASTER.username}`);
  });
  const master = await connect(MASTER.username, MASTER.password, 'kong');
  try {
    await master.query('CREATE TABLE consumers (id serial PRIMARY KEY, username text)');
    await master.query("INSERT INTO consumers (username) VALUES ('from-before')");
  } finally { await master.end(); }
  serveSecrets();
}, 120_000);

afterAll(async () => {
  secretsMock.restore();
  await server?.stop();
});

describe(`database users on a real Postgres server (${'Debian postgresql'})`, () => {
  it('Create makes both roles (login only, md5-hashed) and both databases, each owned by its role and closed to PUBLIC', async () => {
    await expect(handleDatabaseUsersRequest(EVENT('Create'), deps())).resolves.toEqual({ PhysicalResourceId: 'wicked-database-users' });
    expect(await state()).toEqual({
      roles: [
        { rolname: 'kong', rolcanlogin: true, rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolinherit: true, hash: 'md5' },
        { rolname: 'portal_api', rolcanlogin: true, rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolinherit: true, hash: 'md5' },
      ],
      databases: [{ datname: 'kong', owner: 'kong', public: false }, { datname: 'wicked', owner: 'portal_api', public: false }],
    });
    const stored = await asSuperuser('postgres', async (c) => (await c.query("SELECT rolpassword FROM pg_authid WHERE rolname = 'kong'")).rows[0].rolpassword as string);
    expect(stored).toBe(md5PasswordHash('kong', passwords.kong!));
  });

  it("hands the master's earlier objects in kong to kong, the table's own sequence with it", async () => {
    const owners = await asSuperuser('kong', async (c) => (await c.query(
      "SELECT relname, pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname IN ('consumers', 'consumers_id_seq') ORDER BY relname")).rows);
    expect(owners).toEqual([{ relname: 'consumers', owner: 'kong' }, { relname: 'consumers_id_seq', owner: 'kong' }]);
  });

  it('lets each role log in with the password from its secret and do what Kong and portal-api do at start', async () => {
    const kong = await connect('kong', passwords.kong!, 'kong');
    try {
      // Kong 0.14's migrations: tables, a plpgsql function, a trigger (Kong/kong kong/dao/migrations/postgres.lua).
      await kong.query('CREATE TABLE IF NOT EXISTS cluster_events (id uuid PRIMARY KEY, expire_at timestamptz NOT NULL)');
      await kong.query('CREATE OR REPLACE FUNCTION delete_expired() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM cluster_events WHERE expire_at <= now(); RETURN NEW; END; $$');
      await kong.query('CREATE TRIGGER delete_expired_trigger AFTER INSERT ON cluster_events EXECUTE PROCEDURE delete_expired()');
      await kong.query('ALTER TABLE consumers ADD COLUMN custom_id text');
      expect((await kong.query('SELECT username FROM consumers')).rows).toEqual([{ username: 'from-before' }]);
    } finally { await kong.end(); }
    const api = await connect('portal_api', passwords.portal_api!, 'wicked');
    try {
      // portal-api's schemas/core.sql as its user runs it: the schema, a table, a plpgsql notify function, a trigger; LISTEN.
      await api.query('CREATE SCHEMA wicked');
      await api.query('CREATE TABLE wicked.meta (id bigint PRIMARY KEY, data jsonb)');
      await api.query("CREATE FUNCTION wicked.webhook_notify() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('webhook_insert', '{}'); RETURN NEW; END; $$");
      await api.query('CREATE TRIGGER meta_notify AFTER INSERT ON wicked.meta FOR EACH ROW EXECUTE PROCEDURE wicked.webhook_notify()');
      await api.query('LISTEN webhook_insert');
      await api.query("INSERT INTO wicked.meta VALUES (1, '{}')");
    } finally { await api.end(); }
  });

  it("keeps each role out of the other's database, and neither may create a database", async () => {
    expect(await loginError('kong', passwords.kong!, 'wicked')).toMatch(/^42501 permission denied for database "?wicked"?/);
    expect(await loginError('portal_api', passwords.portal_api!, 'kong')).toMatch(/^42501 permission denied for database "?kong"?/);
    const kong = await connect('kong', passwords.kong!, 'kong');
    try {
      await expect(kong.query('CREATE DATABASE other')).rejects.toMatchObject({ code: '42501' });
      await expect(kong.query('SELECT * FROM wicked.meta')).rejects.toMatchObject({ code: '42P01' }); // another database: not even visible
    } finally { await kong.end(); }
  });

  it('is idempotent: a second Create and an Update only set the passwords again, and the data stays', async () => {
    const before = await state();
    logs.length = 0;
    statements.length = 0;
    await handleDatabaseUsersRequest(EVENT('Create'), deps());
    await handleDatabaseUsersRequest(EVENT('Update'), deps());
    expect(await state()).toEqual(before);
    const alter = (role: string): string[] => [`ALTER ROLE ${role} WITH LOGIN NOCREATEDB NOCREATEROLE INHERIT PASSWORD '***'`];
    expect(statements).toEqual([alter('kong'), alter('portal_api'), alter('kong'), alter('portal_api')]);
    expect(logs).toEqual(['create: role kong owns database kong', 'create: role portal_api owns database wicked', 'update: role kong owns database kong', 'update: role portal_api owns database wicked']);
    const rows = await asSuperuser('wicked', async (c) => (await c.query('SELECT id FROM wicked.meta')).rows);
    expect(rows).toEqual([{ id: '1' }]);
  });

  it('sets a password edited in its secret on the Update a new postgresPasswordsRevision causes: the new one logs in, the old one no longer does', async () => {
    const old = passwords.portal_api!;
    passwords.portal_api = 'api-pw-2';
    serveSecrets();
    await handleDatabaseUsersRequest(EVENT('Update', '2026-12-06'), deps());
    expect(await loginError('portal_api', 'api-pw-2', 'wicked')).toBe('logged in');
    expect(await loginError('portal_api', old, 'wicked')).toMatch(/^28P01 /);
  });

  it('finishes what an interrupted run left: a role without its database, a database PUBLIC can reach again', async () => {
    await asSuperuser('postgres', async (c) => {
      await c.query('DROP DATABASE wicked');
      await c.query('GRANT CONNECT ON DATABASE kong TO PUBLIC');
    });
    await handleDatabaseUsersRequest(EVENT('Update'), deps());
    expect(await state()).toMatchObject({ databases: [{ datname: 'kong', owner: 'kong', public: false }, { datname: 'wicked', owner: 'portal_api', public: false }] });
  });

  it('keeps roles, databases and data on Delete', async () => {
    const before = await state();
    await expect(handleDatabaseUsersRequest(EVENT('Delete'), deps())).resolves.toEqual({ PhysicalResourceId: 'wicked-database-users' });
    expect(await state()).toEqual(before);
    expect(await loginError('kong', passwords.kong!, 'kong')).toBe('logged in');
  });

  it('fails with a typed error that names the connection, never the password, when the master cannot log in', async () => {
    secretsMock.on(GetSecretValueCommand, { SecretId: ARN('postgres') }).resolves({ SecretString: JSON.stringify({ username: 'wicked', password: 'wrong-master-pw', host: server.host, port: server.port }) });
    const error = await handleDatabaseUsersRequest(EVENT('Update'), deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUsersError);
    expect(error).toMatchObject({ code: 'SQL_FAILED', retryable: false });
    expect((error as Error).message).toContain(`connecting to ${server.host}:${server.port}/postgres as wicked`);
    expect((error as Error).message).not.toContain('wrong-master-pw');
    serveSecrets();
  });
});
