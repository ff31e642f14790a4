import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { DatabaseUsersError, handleDatabaseUsersRequest, readCredentials } from '../../shared/database-users';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:wicked-dev/postgres-AbCdEf';
const secretsMock = mockClient(SecretsManagerClient);
const client = (): SecretsManagerClient => new SecretsManagerClient({ region: 'eu-west-1' });
afterEach(() => secretsMock.reset());

async function failure(promise: Promise<unknown>): Promise<DatabaseUsersError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DatabaseUsersError);
  return error as DatabaseUsersError;
}

describe('readCredentials', () => {
  it('reads username, password, host and port (a string port too)', async () => {
    secretsMock.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: JSON.stringify({ username: 'kong', password: 'p', host: 'h', port: '5432', engine: 'postgres' }) });
    await expect(readCredentials(client(), ARN)).resolves.toEqual({ username: 'kong', password: 'p', host: 'h', port: 5432 });
  });

  it.each([
    ['not JSON', { SecretString: 'p@ss' }, /expected a JSON string value with username and password, received a string that is not JSON/],
    ['binary only', {}, /received no SecretString/],
    ['no password', { SecretString: JSON.stringify({ username: 'kong' }) }, /fields password missing or malformed/],
  ])('refuses a secret that is %s, naming the secret and never its value', async (_case, output, message) => {
    secretsMock.on(GetSecretValueCommand).resolves(output);
    const error = await failure(readCredentials(client(), ARN));
    expect(error).toMatchObject({ code: 'INVALID_SECRET', retryable: false });
    expect(error.message).toMatch(message);
    expect(error.message).toContain(ARN);
    expect(error.message).not.toContain('p@ss');
  });

  it('marks throttling retryable and access denied not', async () => {
    secretsMock.on(GetSecretValueCommand).rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }))
      .rejectsOnce(Object.assign(new Error('no'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    expect(await failure(readCredentials(client(), ARN))).toMatchObject({ code: 'SECRET_UNREADABLE', retryable: true });
    expect(await failure(readCredentials(client(), ARN))).toMatchObject({ code: 'SECRET_UNREADABLE', retryable: false });
  });
});

describe('handleDatabaseUsersRequest', () => {
  const users = [{ Role: 'kong', Database: 'kong', SecretArn: ARN }];
  it('does nothing on Delete: no secret read, no connection, the same physical id', async () => {
    const connect = jest.fn();
    await expect(handleDatabaseUsersRequest({ RequestType: 'Delete', PhysicalResourceId: 'wicked-database-users', ResourceProperties: { MasterSecretArn: ARN, Users: users } }, { secrets: client(), ssl: false, connect }))
      .resolves.toEqual({ PhysicalResourceId: 'wicked-database-users' });
    expect(connect).not.toHaveBeenCalled();
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it.each([
    ['an unknown request type', { RequestType: 'Rename', ResourceProperties: { MasterSecretArn: ARN, Users: users } }, /RequestType/],
    ['no users', { RequestType: 'Create', ResourceProperties: { MasterSecretArn: ARN, Users: [] } }, /ResourceProperties.Users/],
    ['a master secret that is not an ARN', { RequestType: 'Create', ResourceProperties: { MasterSecretArn: 'wicked-dev/postgres', Users: users } }, /MasterSecretArn: expected a Secrets Manager ARN/],
    ['two users with one database', { RequestType: 'Create', ResourceProperties: { MasterSecretArn: ARN, Users: [...users, { Role: 'portal_api', Database: 'kong', SecretArn: ARN }] } }, /Users\[\]\.Database: received kong, kong, expected each user to have its own/],
  ])('refuses %s before touching anything', async (_case, event, message) => {
    const connect = jest.fn();
    const error = await failure(handleDatabaseUsersRequest(event, { secrets: client(), ssl: false, connect }));
    expect(error.message).toMatch(message);
    expect(connect).not.toHaveBeenCalled();
  });

  it("refuses a user secret whose username is not the role (the containers would log in as someone else)", async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: 'other', password: 'p', host: 'h', port: 5432 }) });
    const connect = jest.fn();
    const error = await failure(handleDatabaseUsersRequest({ RequestType: 'Create', ResourceProperties: { MasterSecretArn: ARN, Users: users } }, { secrets: client(), ssl: false, connect }));
    expect(error).toMatchObject({ code: 'INVALID_SECRET' });
    expect(error.message).toContain('username "other", expected "kong"');
    expect(connect).not.toHaveBeenCalled();
  });
});
