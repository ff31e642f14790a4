import 'aws-sdk-client-mock-jest';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../functions/database-users/handler';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:wicked-dev/postgres-AbCdEf';
const secretsMock = mockClient(SecretsManagerClient);
afterEach(() => secretsMock.reset());
afterAll(() => secretsMock.restore());

describe('database-users handler (provider framework onEvent)', () => {
  it('answers Delete with the same physical id and reads no secret', async () => {
    const event = { RequestType: 'Delete', PhysicalResourceId: 'wicked-database-users', ResourceProperties: { ServiceToken: 'arn:aws:lambda:x', MasterSecretArn: ARN, Users: [{ Role: 'kong', Database: 'kong', SecretArn: ARN }] } };
    await expect(handler(event)).resolves.toEqual({ PhysicalResourceId: 'wicked-database-users' });
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('fails a request it cannot read with the field and what was expected, so CloudFormation shows it', async () => {
    await expect(handler({ RequestType: 'Create', ResourceProperties: { MasterSecretArn: ARN } })).rejects.toMatchObject({
      code: 'INVALID_REQUEST', message: expect.stringMatching(/ResourceProperties\.Users: .*expected RequestType Create\|Update\|Delete and ResourceProperties \{ MasterSecretArn, Users/),
    });
  });

  it('reads the master secret through the SDK on Create, and fails naming it when it has no host', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: 'wicked', password: 'p' }) });
    await expect(handler({ RequestType: 'Create', ResourceProperties: { MasterSecretArn: ARN, Users: [{ Role: 'kong', Database: 'kong', SecretArn: ARN }] } }))
      .rejects.toMatchObject({ code: 'INVALID_SECRET', message: `secret ${ARN}: no host; expected the master secret attached to the instance` });
    expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: ARN });
  });
});
