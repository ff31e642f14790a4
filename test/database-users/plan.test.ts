import { checkIdentifier, DatabaseUsersError, handOverStatements, md5PasswordHash, userStatements, type ObservedUser } from '../../shared/database-users';

const HASH = md5PasswordHash('kong', 'secret');
const ATTRS = `LOGIN NOCREATEDB NOCREATEROLE INHERIT PASSWORD '${HASH}'`;
const fresh: ObservedUser = { roleExists: false, masterIsMember: false, publicHasAccess: false };

describe('userStatements', () => {
  it.each<[string, ObservedUser, string[]]>([
    ['nothing exists (a fresh instance)', fresh,
      [`CREATE ROLE kong WITH ${ATTRS}`, 'GRANT kong TO wicked', 'CREATE DATABASE kong OWNER kong', 'REVOKE ALL ON DATABASE kong FROM PUBLIC']],
    ["the database exists, the master's (RDS made it)", { ...fresh, databaseOwner: 'wicked', publicHasAccess: true },
      [`CREATE ROLE kong WITH ${ATTRS}`, 'GRANT kong TO wicked', 'ALTER DATABASE kong OWNER TO kong', 'REVOKE ALL ON DATABASE kong FROM PUBLIC']],
    ['everything done: only the password again', { roleExists: true, masterIsMember: true, databaseOwner: 'kong', publicHasAccess: false },
      [`ALTER ROLE kong WITH ${ATTRS}`]],
    ['interrupted after the role', { roleExists: true, masterIsMember: true, publicHasAccess: false },
      [`ALTER ROLE kong WITH ${ATTRS}`, 'CREATE DATABASE kong OWNER kong', 'REVOKE ALL ON DATABASE kong FROM PUBLIC']],
    ['interrupted before the revoke', { roleExists: true, masterIsMember: true, databaseOwner: 'kong', publicHasAccess: true },
      [`ALTER ROLE kong WITH ${ATTRS}`, 'REVOKE ALL ON DATABASE kong FROM PUBLIC']],
    ['membership lost', { roleExists: true, masterIsMember: false, databaseOwner: 'kong', publicHasAccess: false },
      [`ALTER ROLE kong WITH ${ATTRS}`, 'GRANT kong TO wicked']],
  ])('%s', (_case, observed, expected) => {
    expect(userStatements({ role: 'kong', database: 'kong' }, HASH, 'wicked', observed)).toEqual(expected);
  });

  it.each([
    ['a role named like the master', { role: 'wicked', database: 'kong' }, /the master user's name/],
    ['a reserved database', { role: 'kong', database: 'postgres' }, /database: received "postgres"/],
    ['a quoted identifier', { role: 'Kong"; DROP', database: 'kong' }, /role: received "Kong\\"; DROP", expected a lower-case identifier/],
  ])('refuses %s', (_case, user, message) => {
    expect(() => userStatements(user, HASH, 'wicked', fresh)).toThrow(message);
  });

  it('refuses a password that is not an md5 hash, without echoing it', () => {
    const error = (() => { try { userStatements({ role: 'kong', database: 'kong' }, 'cleartext', 'wicked', fresh); } catch (e) { return e; } return undefined; })();
    expect(error).toBeInstanceOf(DatabaseUsersError);
    expect(error).toMatchObject({ code: 'INVALID_SECRET' });
    expect((error as Error).message).not.toContain('cleartext');
  });
});

describe('md5PasswordHash', () => {
  it("is Postgres's md5 form: md5 + md5(password + role)", () => {
    // PostgreSQL's documented md5 scheme; the value checked independently with `echo -n secretkong | md5sum`.
    expect(md5PasswordHash('kong', 'secret')).toBe('md5f588ac4c7823ecd85ca51d4efe74810e');
  });
});

describe('checkIdentifier', () => {
  it.each(['kong', 'portal_api', 'wicked', '_x', 'a'.repeat(63)])('accepts %s', (name) => {
    expect(checkIdentifier('role', name)).toBe(name);
  });
  it.each(['', 'Kong', '1kong', 'pg_kong', 'rdsadmin', 'rds_superuser', 'template1', 'public', 'a'.repeat(64), 'kong-db', 'ko ng'])('refuses %j', (name) => {
    expect(() => checkIdentifier('role', name)).toThrow(/expected a lower-case identifier/);
  });
});

describe('handOverStatements', () => {
  it('hands each kind of object to the role', () => {
    expect(handOverStatements('kong', [
      { kind: 'SCHEMA', name: 'wicked' }, { kind: 'TABLE', name: 'public.consumers' }, { kind: 'SEQUENCE', name: 'public.free_seq' },
      { kind: 'FUNCTION', name: 'upsert_ttl(text,uuid,text,text,timestamp without time zone)' },
    ])).toEqual([
      'ALTER SCHEMA wicked OWNER TO kong', 'ALTER TABLE public.consumers OWNER TO kong', 'ALTER SEQUENCE public.free_seq OWNER TO kong',
      'ALTER FUNCTION upsert_ttl(text,uuid,text,text,timestamp without time zone) OWNER TO kong',
    ]);
  });
  it('refuses a kind it does not know', () => {
    expect(() => handOverStatements('kong', [{ kind: 'TYPE', name: 'x' }])).toThrow(/received kind "TYPE", expected one of SCHEMA/);
  });
});
