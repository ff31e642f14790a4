import * as stsSdk from '@aws-sdk/client-sts';
import { startSts } from '../../../local/sts';
import { capturingHandler } from '../../helpers/sdk-model';
import type { CapturedResponse } from '../../helpers/sdk-model';
import { queryAnswerProblems } from '../../helpers/sdk-query-model';

// The STS emulator's answers against @aws-sdk/client-sts's own model, through the real client: GetCallerIdentity (what
// the CDK CLI and wickedctl ask for the account) and AssumeRole (what the CDK CLI calls for the bootstrap roles).

const ACCOUNT = '210987654321';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ACCOUNT}-us-east-1`;

describe('the STS emulator against the SDK\'s service model (awsQuery)', () => {
  const captured: CapturedResponse[] = [];
  let sts: Awaited<ReturnType<typeof startSts>>;
  const clients: stsSdk.STSClient[] = [];
  const clientAs = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): stsSdk.STSClient => {
    const client = new stsSdk.STSClient({ endpoint: sts.url, region: 'us-east-1', credentials, maxAttempts: 1, requestHandler: capturingHandler(captured) });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    sts = await startSts({ account: ACCOUNT, now: () => Date.UTC(2026, 0, 1) });
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await sts?.stop();
  });

  it('GetCallerIdentity of the plain caller, AssumeRole, and GetCallerIdentity of the assumed-role session answer in the model\'s shapes', async () => {
    const caller = clientAs({ accessKeyId: 'local', secretAccessKey: 'local' });
    const found = [
      ...await queryAnswerProblems(caller, captured, new stsSdk.GetCallerIdentityCommand({})),
      ...await queryAnswerProblems(caller, captured, new stsSdk.AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'aws-cdk-user', DurationSeconds: 900 })),
    ];
    // The typed answer, as the SDK deserialized it (a member the model lacks would have been dropped: checked above).
    const { Credentials, AssumedRoleUser } = await caller.send(new stsSdk.AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'second-session' }));
    expect(Credentials?.Expiration).toEqual(new Date(Date.UTC(2026, 0, 1, 1)));
    expect(AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/cdk-hnb659fds-deploy-role-${ACCOUNT}-us-east-1/second-session`);
    const session = clientAs({ accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! });
    found.push(...await queryAnswerProblems(session, captured, new stsSdk.GetCallerIdentityCommand({})));
    expect(found).toEqual([]);
    expect(await caller.send(new stsSdk.GetCallerIdentityCommand({}))).toMatchObject({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root`, UserId: ACCOUNT });
    expect(await session.send(new stsSdk.GetCallerIdentityCommand({}))).toMatchObject({ Account: ACCOUNT, Arn: AssumedRoleUser?.Arn, UserId: AssumedRoleUser?.AssumedRoleId });
  });

  // STS's model lists no error for malformed input: it answers the common ValidationError (HTTP 400) of awsQuery
  // (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html), which the SDK raises as its service
  // exception named by the code, no modeled subclass.
  it.each<[string, stsSdk.AssumeRoleCommandInput, RegExp]>([
    ['a role ARN that is not one', { RoleArn: 'arn:aws:s3:::bucket', RoleSessionName: 'ok' }, /RoleArn "arn:aws:s3:::bucket" is not a role ARN/],
    ['a session name with a space', { RoleArn: ROLE, RoleSessionName: 'two words' }, /RoleSessionName "two words" must be 2 to 64 characters/],
    ['a session name too short', { RoleArn: ROLE, RoleSessionName: 'x' }, /RoleSessionName "x" must be 2 to 64 characters/],
    ['a duration below 900 s', { RoleArn: ROLE, RoleSessionName: 'ok', DurationSeconds: 899 }, /DurationSeconds 899 must be between 900 and 43200/],
    ['a duration above 43200 s', { RoleArn: ROLE, RoleSessionName: 'ok', DurationSeconds: 43_201 }, /DurationSeconds 43201 must be between 900 and 43200/],
  ])('AssumeRole with %s: ValidationError with HTTP 400', async (_name, input, message) => {
    const caller = clientAs({ accessKeyId: 'local', secretAccessKey: 'local' });
    const error = await caller.send(new stsSdk.AssumeRoleCommand(input)).then(() => undefined, (caught: unknown) => caught as stsSdk.STSServiceException);
    expect(error).toBeInstanceOf(stsSdk.STSServiceException);
    expect(Object.getPrototypeOf(error)).toBe(stsSdk.STSServiceException.prototype);
    expect([error?.name, error?.$fault, error?.$metadata.httpStatusCode]).toEqual(['ValidationError', 'client', 400]);
    expect(error?.message).toMatch(message);
  });

  it('an action the emulator does not serve: the common InvalidAction with HTTP 400', async () => {
    const caller = clientAs({ accessKeyId: 'local', secretAccessKey: 'local' });
    const error = await caller.send(new stsSdk.GetSessionTokenCommand({})).then(() => undefined, (caught: unknown) => caught as stsSdk.STSServiceException);
    expect([error?.name, error?.$fault, error?.$metadata.httpStatusCode]).toEqual(['InvalidAction', 'client', 400]);
  });
});
