import 'aws-sdk-client-mock-jest';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ExpiredTokenException, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { EnvironmentLookup, EnvironmentNotFoundError } from '../../cli/environment';
import { scaledClock } from '../../local/kernel/clock';
import { startSsm } from '../../local/ssm';
import { startSts } from '../../local/sts';
import { spawnCli } from './run-cli';

// The account in "environment X not found ... in account A, region R": from a parameter's ARN, the credentials or
// AWS_ACCOUNT_ID, else one STS GetCallerIdentity, asked only on that error path.

const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const CALLER = { Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/operator', UserId: 'AIDAOPERATOR' };

afterEach(() => {
  ssm.reset();
  sts.reset();
});

/** A lookup over mocked clients that counts how often the STS client was built. */
function lookupWith(env: NodeJS.ProcessEnv, credentials: { accessKeyId: string; secretAccessKey: string; accountId?: string } = { accessKeyId: 'a', secretAccessKey: 's' }): { lookup: EnvironmentLookup; stsBuilt: () => number } {
  const ssmClient = new SSMClient({ region: 'eu-west-1', credentials });
  let built = 0;
  const lookup = new EnvironmentLookup({ ssm: async () => ssmClient, sts: async () => { built += 1; return new STSClient({ region: 'eu-west-1', credentials }); } }, env);
  return { lookup, stsBuilt: () => built };
}

describe('EnvironmentLookup: the account in the not-found error', () => {
  it('comes from STS GetCallerIdentity when nothing else names it', async () => {
    // Prepare
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    sts.on(GetCallerIdentityCommand).resolves(CALLER);
    const { lookup } = lookupWith({});
    // Act
    const failure = lookup.name('table', undefined, 'prod');
    // Assess
    await expect(failure).rejects.toThrow(EnvironmentNotFoundError);
    await expect(failure).rejects.toThrow('environment prod not found: no SSM parameters under /wicked/prod/ in account 123456789012, region eu-west-1 (no environment under /wicked/ here at all); deploy its stack first');
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
  });

  it.each([
    ['expired credentials', new ExpiredTokenException({ message: 'The security token included in the request is expired', $metadata: { httpStatusCode: 400 } })],
    ['no network', Object.assign(new Error('getaddrinfo ENOTFOUND sts.eu-west-1.amazonaws.com'), { code: 'ENOTFOUND' })],
  ])('STS failing (%s) keeps the not-found error and says "the account of the current credentials"', async (_case, error) => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    sts.on(GetCallerIdentityCommand).rejects(error);
    const { lookup } = lookupWith({});
    const failure = lookup.parameters('prod');
    await expect(failure).rejects.toThrow(EnvironmentNotFoundError);
    await expect(failure).rejects.toThrow('environment prod not found: no SSM parameters under /wicked/prod/ in the account of the current credentials, region eu-west-1 (no environment under /wicked/ here at all); deploy its stack first');
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
  });

  it('an answer without a 12-digit account is not used', async () => {
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::123456789012:user/operator' });
    await expect(lookupWith({}).lookup.parameters('prod')).rejects.toThrow(/ in the account of the current credentials, region eu-west-1 /);
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
  });

  it.each<[string, NodeJS.ProcessEnv, string | undefined, { Name: string; Value: string; ARN: string }[], string]>([
    ['AWS_ACCOUNT_ID', { AWS_ACCOUNT_ID: '111111111111' }, undefined, [], 'account 111111111111'],
    ['the credentials\' accountId', {}, '222222222222', [], 'account 222222222222'],
    ['the ARN of another environment\'s parameter', {}, undefined, [{ Name: '/wicked/dev/cluster', Value: 'wicked-dev', ARN: 'arn:aws:ssm:eu-west-1:333333333333:parameter/wicked/dev/cluster' }], 'account 333333333333'],
  ])('is taken from %s without asking STS', async (_case, env, accountId, others, named) => {
    ssm.on(GetParametersByPathCommand, { Path: '/wicked/prod/' }).resolves({ Parameters: [] });
    ssm.on(GetParametersByPathCommand, { Path: '/wicked' }).resolves({ Parameters: others });
    const { lookup, stsBuilt } = lookupWith(env, { accessKeyId: 'a', secretAccessKey: 's', ...(accountId ? { accountId } : {}) });
    await expect(lookup.name('cluster', undefined, 'prod')).rejects.toThrow(` in ${named}, region eu-west-1 `);
    expect(stsBuilt()).toBe(0);
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 0);
  });

  it('is never looked up when the environment is found, nor for the default bus or find() of an absent one', async () => {
    ssm.on(GetParametersByPathCommand, { Path: '/wicked/dev/' }).resolves({ Parameters: [{ Name: '/wicked/dev/cluster', Value: 'wicked-dev' }] });
    ssm.on(GetParametersByPathCommand, { Path: '/wicked/prod/' }).resolves({ Parameters: [] });
    ssm.on(GetParametersByPathCommand, { Path: '/wicked' }).resolves({ Parameters: [] });
    const { lookup, stsBuilt } = lookupWith({});
    expect(await lookup.name('cluster', undefined, 'dev')).toBe('wicked-dev');
    expect(await lookup.name('bus', undefined, 'prod')).toBe('default');
    expect(await lookup.find('prod')).toBeUndefined();
    expect(stsBuilt()).toBe(0);
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 0);
  });
});

describe('wickedctl against the local SSM and STS emulators', () => {
  it('names the account STS answers (through AWS_ENDPOINT_URL_STS) when AWS_ACCOUNT_ID is unset', async () => {
    const ssmServer = await startSsm({ clock: scaledClock(1) });
    const stsServer = await startSts({ account: '210987654321' });
    try {
      const run = await spawnCli(['status', '--env', 'nowhere'], {
        env: {
          AWS_ENDPOINT_URL_SSM: ssmServer.url, AWS_ENDPOINT_URL_STS: stsServer.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local',
          AWS_ACCOUNT_ID: undefined, AWS_ENDPOINT_URL: undefined, AWS_PROFILE: undefined, AWS_SESSION_TOKEN: undefined, WICKED_LEDGER_TABLE: undefined,
        },
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('environment nowhere not found: no SSM parameters under /wicked/nowhere/ in account 210987654321, region us-east-1 (no environment under /wicked/ here at all)');
    } finally {
      await stsServer.stop();
      await ssmServer.stop();
    }
  }, 60_000);
});
