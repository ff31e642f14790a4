import { startCloudFormationServer } from '../../../local/cloudformation/server';
import { CloudFormationService } from '../../../local/cloudformation/service';
import { memberList, structList, toXml } from '../../../local/cloudformation/query';
import { startSts } from '../../../local/sts';
import { fakeParameters, fakeWorld } from './fake-providers';

async function post(url: string, params: Record<string, string>, authorization = ''): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(params), headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) } });
  return { status: response.status, body: await response.text() };
}

describe('awsQuery helpers', () => {
  it('reads member lists and structure lists as the SDK writes them', () => {
    const params = new URLSearchParams('Capabilities.member.1=CAPABILITY_IAM&Capabilities.member.2=CAPABILITY_NAMED_IAM&Parameters.member.2.ParameterKey=B&Parameters.member.1.ParameterKey=A&Parameters.member.1.UsePreviousValue=true');
    expect(memberList(params, 'Capabilities')).toEqual(['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM']);
    expect(structList(params, 'Parameters')).toEqual([{ ParameterKey: 'A', UsePreviousValue: 'true' }, { ParameterKey: 'B' }]);
  });

  it('writes lists as members, dates as ISO-8601, escapes text, leaves undefined out', () => {
    expect(toXml({ A: ['x<y'], T: new Date(0), N: undefined, B: false })).toBe('<A><member>x&lt;y</member></A><T>1970-01-01T00:00:00.000Z</T><B>false</B>');
  });
});

describe('the CloudFormation API over HTTP', () => {
  it('answers a missing stack with the ValidationError the CDK CLI checks for, and serves a change set through to DescribeStacks', async () => {
    const world = fakeWorld();
    const service = new CloudFormationService({ environment: { account: '000000000000', region: 'us-east-1' }, provider: world.provider, parameters: fakeParameters(), readTemplateUrl: async () => '' });
    const server = await startCloudFormationServer(service);
    try {
      const missing = await post(server.url, { Action: 'DescribeStacks', Version: '2010-05-15', StackName: 'app' });
      expect(missing.status).toBe(400);
      expect(missing.body).toContain('<Code>ValidationError</Code><Message>Stack with id app does not exist</Message>');
      const created = await post(server.url, { Action: 'CreateChangeSet', StackName: 'app', ChangeSetName: 'cs', ChangeSetType: 'CREATE', TemplateBody: 'Resources:\n  A:\n    Type: Test::Thing\nOutputs:\n  Out:\n    Value: !!str hello\n' });
      expect(created.body).toMatch(/<CreateChangeSetResult><Id>arn:aws:cloudformation:us-east-1:000000000000:changeSet\/cs\/[0-9a-f-]+<\/Id><StackId>arn:aws:cloudformation:us-east-1:000000000000:stack\/app\//);
      const described = await post(server.url, { Action: 'DescribeChangeSet', StackName: 'app', ChangeSetName: 'cs' });
      expect(described.body).toContain('<Changes><member><Type>Resource</Type><ResourceChange><Action>Add</Action><LogicalResourceId>A</LogicalResourceId><ResourceType>Test::Thing</ResourceType><Details></Details></ResourceChange></member></Changes>');
      expect(described.body).toContain('<Status>CREATE_COMPLETE</Status>');
      await post(server.url, { Action: 'ExecuteChangeSet', StackName: 'app', ChangeSetName: 'cs' });
      await service.settled();
      const stacks = await post(server.url, { Action: 'DescribeStacks', StackName: 'app' });
      expect(stacks.body).toContain('<StackStatus>CREATE_COMPLETE</StackStatus>');
      expect(stacks.body).toContain('<Outputs><member><OutputKey>Out</OutputKey><OutputValue>hello</OutputValue></member></Outputs>');
      const unknown = await post(server.url, { Action: 'CreateStack', StackName: 'x' });
      expect(unknown.body).toMatch(/<Code>InvalidAction<\/Code><Message>action &quot;CreateStack&quot; \(POST\) is not emulated; expected a POST of CreateChangeSet, /);
    } finally {
      await server.stop();
    }
  });
});

describe('STS', () => {
  it('answers GetCallerIdentity for the account and for an assumed role session', async () => {
    const sts = await startSts({ account: '000000000000', now: () => Date.UTC(2026, 0, 1) });
    try {
      expect((await post(sts.url, { Action: 'GetCallerIdentity' })).body).toContain('<Account>000000000000</Account><Arn>arn:aws:iam::000000000000:root</Arn>');
      const assumed = await post(sts.url, { Action: 'AssumeRole', RoleArn: 'arn:aws:iam::000000000000:role/cdk-hnb659fds-deploy-role-000000000000-us-east-1', RoleSessionName: 'aws-cdk-user', DurationSeconds: '900' });
      expect(assumed.body).toContain('<Expiration>2026-01-01T00:15:00.000Z</Expiration>');
      expect(assumed.body).toContain('<Arn>arn:aws:sts::000000000000:assumed-role/cdk-hnb659fds-deploy-role-000000000000-us-east-1/aws-cdk-user</Arn>');
      const key = /<AccessKeyId>(ASIA[0-9A-F]{16})<\/AccessKeyId>/.exec(assumed.body)![1]!;
      const who = await post(sts.url, { Action: 'GetCallerIdentity' }, `AWS4-HMAC-SHA256 Credential=${key}/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x`);
      expect(who.body).toContain('<Arn>arn:aws:sts::000000000000:assumed-role/cdk-hnb659fds-deploy-role-000000000000-us-east-1/aws-cdk-user</Arn>');
      expect(sts.assumed().map((a) => a.sessionName)).toEqual(['aws-cdk-user']);
    } finally {
      await sts.stop();
    }
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['a role ARN that is not one', { RoleArn: 'arn:aws:s3:::bucket', RoleSessionName: 'ok' }, /RoleArn &quot;arn:aws:s3:::bucket&quot; is not a role ARN/],
    ['a session name too short', { RoleArn: 'arn:aws:iam::000000000000:role/r', RoleSessionName: 'x' }, /RoleSessionName &quot;x&quot; must be 2 to 64 characters/],
    ['a duration below 900 s', { RoleArn: 'arn:aws:iam::000000000000:role/r', RoleSessionName: 'ok', DurationSeconds: '60' }, /DurationSeconds 60 must be between 900 and 43200/],
  ])('refuses AssumeRole with %s', async (_name, params, message) => {
    const sts = await startSts({ account: '000000000000' });
    try {
      const answer = await post(sts.url, { Action: 'AssumeRole', ...params });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatch(message);
    } finally {
      await sts.stop();
    }
  });
});
