import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CREDENTIAL_VARIABLES, defaultProvider, MissingEnvironmentCredentialsError } from '../../../functions/credentials/env-provider';

const VARIABLES = [...CREDENTIAL_VARIABLES, 'AWS_SESSION_TOKEN', 'AWS_PROFILE'] as const;
let saved: Record<string, string | undefined>;

beforeEach(() => {
  saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of VARIABLES) delete process.env[name];
});
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function setCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  process.env.AWS_SESSION_TOKEN = 'session';
}

describe('the environment-only defaultProvider', () => {
  it('resolves the credentials Lambda puts in the environment', async () => {
    setCredentials();

    const credentials = await defaultProvider()();

    expect(credentials).toMatchObject({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' });
  });

  it('has the call shape of the SDK clients\' credentialDefaultProvider: a client configured with it takes the environment\'s credentials, AWS_PROFILE or not', async () => {
    setCredentials();
    process.env.AWS_PROFILE = 'a-profile-the-default-chain-would-prefer';
    const client = new DynamoDBClient({ region: 'eu-west-1', credentialDefaultProvider: defaultProvider });

    const credentials = await client.config.credentials();

    expect(credentials).toMatchObject({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' });
    client.destroy();
  });

  it('fails with an error naming the missing variables when the environment has no credentials', async () => {
    const rejection = defaultProvider()();

    await expect(rejection).rejects.toBeInstanceOf(MissingEnvironmentCredentialsError);
    await expect(rejection).rejects.toMatchObject({
      code: 'CREDENTIALS_NOT_IN_ENVIRONMENT',
      retryable: false,
      missing: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
      message: expect.stringContaining('expected AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY'),
    });
  });

  it('names only the variable that is missing', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';

    await expect(defaultProvider()()).rejects.toMatchObject({ missing: ['AWS_SECRET_ACCESS_KEY'], message: expect.stringContaining('received no AWS_SECRET_ACCESS_KEY') });
  });

  it('reads the environment on every call, not once', async () => {
    const provider = defaultProvider();
    await expect(provider()).rejects.toBeInstanceOf(MissingEnvironmentCredentialsError);
    setCredentials();

    await expect(provider()).resolves.toMatchObject({ accessKeyId: 'AKIDEXAMPLE' });
  });
});
