import {
  DeleteParameterCommand, DeleteParametersCommand, DescribeParametersCommand, GetParameterCommand, GetParametersByPathCommand, GetParametersCommand,
  HierarchyLevelLimitExceededException, InvalidFilterKey, InvalidNextToken, ParameterAlreadyExists, ParameterNotFound, ParameterVersionNotFound,
  PutParameterCommand, SSMClient, paginateGetParametersByPath,
} from '@aws-sdk/client-ssm';
import { scaledClock } from '../../../local/kernel/clock';
import { ENDPOINT_VARIABLES } from '../../../local/control';
import { startSsm } from '../../../local/ssm';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

describe('SSM Parameter Store emulator (awsJson1_1, as @aws-sdk/client-ssm speaks it)', () => {
  let ssm: Awaited<ReturnType<typeof startSsm>>;
  let client: SSMClient;

  beforeAll(async () => {
    ssm = await startSsm({ clock: scaledClock(1) });
    client = new SSMClient({ ...local, endpoint: ssm.url });
  });
  afterAll(async () => {
    client.destroy();
    await ssm.stop();
  });

  it('PutParameter creates version 1, refuses a second put without Overwrite, and counts versions with it', async () => {
    // Prepare / Act
    const first = await client.send(new PutParameterCommand({ Name: '/t/put/bucket', Value: 'b-1', Type: 'String', Description: 'config bucket' }));
    const refused = client.send(new PutParameterCommand({ Name: '/t/put/bucket', Value: 'b-2', Type: 'String' }));
    // Assess
    expect(first).toMatchObject({ Version: 1, Tier: 'Standard' });
    await expect(refused).rejects.toBeInstanceOf(ParameterAlreadyExists);
    expect((await client.send(new PutParameterCommand({ Name: '/t/put/bucket', Value: 'b-2', Overwrite: true }))).Version).toBe(2);
    const { Parameter } = await client.send(new GetParameterCommand({ Name: '/t/put/bucket' }));
    expect(Parameter).toMatchObject({ Name: '/t/put/bucket', Type: 'String', Value: 'b-2', Version: 2, ARN: 'arn:aws:ssm:us-east-1:000000000000:parameter/t/put/bucket', DataType: 'text' });
    expect(Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    const old = await client.send(new GetParameterCommand({ Name: '/t/put/bucket:1' }));
    expect(old.Parameter).toMatchObject({ Value: 'b-1', Version: 1, Selector: ':1' });
    await expect(client.send(new GetParameterCommand({ Name: '/t/put/bucket:7' }))).rejects.toBeInstanceOf(ParameterVersionNotFound);
  });

  it('GetParameter of a missing name is ParameterNotFound (400)', async () => {
    const getting = client.send(new GetParameterCommand({ Name: '/t/missing' }));
    await expect(getting).rejects.toBeInstanceOf(ParameterNotFound);
    await expect(client.send(new GetParameterCommand({ Name: '/t/missing' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it('GetParameters answers the found ones and names the others as invalid', async () => {
    await client.send(new PutParameterCommand({ Name: '/t/many/a', Value: 'A', Type: 'String' }));
    await client.send(new PutParameterCommand({ Name: '/t/many/b', Value: 'x,y', Type: 'StringList' }));
    const answer = await client.send(new GetParametersCommand({ Names: ['/t/many/a', '/t/many/nope', '/t/many/b'] }));
    expect(answer.Parameters?.map((p) => [p.Name, p.Value, p.Type])).toEqual([['/t/many/a', 'A', 'String'], ['/t/many/b', 'x,y', 'StringList']]);
    expect(answer.InvalidParameters).toEqual(['/t/many/nope']);
  });

  it('SecureString values are ciphertext unless WithDecryption', async () => {
    await client.send(new PutParameterCommand({ Name: '/t/secret/key', Value: 's3cr3t', Type: 'SecureString' }));
    const hidden = await client.send(new GetParameterCommand({ Name: '/t/secret/key' }));
    const shown = await client.send(new GetParameterCommand({ Name: '/t/secret/key', WithDecryption: true }));
    expect(hidden.Parameter?.Value).not.toContain('s3cr3t');
    expect(Buffer.from(hidden.Parameter?.Value ?? '', 'base64').length).toBeGreaterThan('s3cr3t'.length);
    expect(shown.Parameter?.Value).toBe('s3cr3t');
  });

  it('GetParametersByPath returns one level, or every level with Recursive, paging with NextToken', async () => {
    // Prepare: 23 parameters under /t/path/env, 2 of them one level deeper, and a neighbour path that must not leak in.
    const names = [...Array.from({ length: 21 }, (_, i) => `/t/path/env/p${String(i).padStart(2, '0')}`), '/t/path/env/services/portal-api', '/t/path/env/services/kong', '/t/path/envx/other'];
    for (const name of names) await client.send(new PutParameterCommand({ Name: name, Value: `v:${name}`, Type: 'String' }));
    // Act
    const oneLevel: string[] = [];
    for await (const page of paginateGetParametersByPath({ client }, { Path: '/t/path/env' })) oneLevel.push(...(page.Parameters ?? []).map((p) => p.Name!));
    const recursive: string[] = [];
    let pages = 0;
    for await (const page of paginateGetParametersByPath({ client, pageSize: 10 }, { Path: '/t/path/env/', Recursive: true })) {
      pages += 1;
      expect(page.Parameters!.length).toBeLessThanOrEqual(10);
      recursive.push(...(page.Parameters ?? []).map((p) => p.Name!));
    }
    // Assess
    expect(oneLevel).toHaveLength(21);
    expect(oneLevel.every((name) => !name.includes('/services/'))).toBe(true);
    expect(recursive.sort()).toEqual(names.slice(0, 23).sort());
    expect(pages).toBe(3);
  });

  it('a NextToken from another request is InvalidNextToken; MaxResults above 10 is a ValidationException', async () => {
    const first = await client.send(new GetParametersByPathCommand({ Path: '/t/path/env', MaxResults: 2 }));
    expect(first.NextToken).toBeDefined();
    await expect(client.send(new GetParametersByPathCommand({ Path: '/t/many', NextToken: first.NextToken }))).rejects.toBeInstanceOf(InvalidNextToken);
    await expect(client.send(new GetParametersByPathCommand({ Path: '/t/many', MaxResults: 11 }))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('MaxResults') });
    await expect(client.send(new GetParametersByPathCommand({ Path: 't/many' }))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('starts with /') });
  });

  it('DeleteParameter removes a parameter; DeleteParameters reports deleted and invalid names', async () => {
    await client.send(new PutParameterCommand({ Name: '/t/del/a', Value: 'a', Type: 'String' }));
    await client.send(new PutParameterCommand({ Name: '/t/del/b', Value: 'b', Type: 'String' }));
    await client.send(new PutParameterCommand({ Name: '/t/del/c', Value: 'c', Type: 'String' }));
    await client.send(new DeleteParameterCommand({ Name: '/t/del/a' }));
    await expect(client.send(new DeleteParameterCommand({ Name: '/t/del/a' }))).rejects.toBeInstanceOf(ParameterNotFound);
    const answer = await client.send(new DeleteParametersCommand({ Names: ['/t/del/b', '/t/del/a', '/t/del/c'] }));
    expect(answer).toMatchObject({ DeletedParameters: ['/t/del/b', '/t/del/c'], InvalidParameters: ['/t/del/a'] });
    expect((await client.send(new GetParametersByPathCommand({ Path: '/t/del' }))).Parameters).toEqual([]);
  });

  it('DescribeParameters filters by Path, Name and Type and reports metadata without values', async () => {
    const answer = await client.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/t/many'] }, { Key: 'Type', Values: ['StringList'] }] }));
    expect(answer.Parameters).toEqual([expect.objectContaining({ Name: '/t/many/b', Type: 'StringList', Version: 1, Tier: 'Standard', DataType: 'text' })]);
    expect(answer.Parameters![0]).not.toHaveProperty('Value');
    const begins = await client.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['/t/put'] }] }));
    expect(begins.Parameters?.map((p) => [p.Name, p.Description, p.Version])).toEqual([['/t/put/bucket', 'config bucket', 2]]);
    await expect(client.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Colour', Values: ['x'] }] }))).rejects.toBeInstanceOf(InvalidFilterKey);
  });

  it.each([
    ['a name with a space', { Name: '/t/a b', Value: 'v', Type: 'String' }, 'ValidationException', 'Name'],
    ['a name prefixed with aws', { Name: '/aws/x', Value: 'v', Type: 'String' }, 'ValidationException', 'aws'],
    ['a hierarchy without a leading slash', { Name: 't/x', Value: 'v', Type: 'String' }, 'ValidationException', 'fully qualified'],
    ['a new parameter without a type', { Name: '/t/untyped', Value: 'v' }, 'ValidationException', 'Type'],
    ['an unknown type', { Name: '/t/typo', Value: 'v', Type: 'Strng' }, 'ValidationException', 'Strng'],
    ['an empty value', { Name: '/t/empty', Value: '', Type: 'String' }, 'ValidationException', 'Value'],
    ['a standard value over 4096 characters', { Name: '/t/big', Value: 'x'.repeat(4097), Type: 'String' }, 'ValidationException', '4096'],
  ] as const)('PutParameter refuses %s and stores nothing', async (_case, input, name, text) => {
    await expect(client.send(new PutParameterCommand(input as never))).rejects.toMatchObject({ name, message: expect.stringContaining(text) });
    expect(ssm.control.all().some((p) => p.name === input.Name.trim())).toBe(false);
  });

  it('a name sixteen levels deep is HierarchyLevelLimitExceededException', async () => {
    const name = `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`;
    await expect(client.send(new PutParameterCommand({ Name: name, Value: 'v', Type: 'String' }))).rejects.toBeInstanceOf(HierarchyLevelLimitExceededException);
  });

  it('the control surface and the wire see the same store', async () => {
    ssm.control.put({ name: '/t/control/x', value: 'from control', type: 'String' });
    expect((await client.send(new GetParameterCommand({ Name: '/t/control/x' }))).Parameter?.Value).toBe('from control');
  });

  it('is the emulator service "ssm", reached by the SDK through AWS_ENDPOINT_URL_SSM', async () => {
    expect(ENDPOINT_VARIABLES.ssm).toBe('AWS_ENDPOINT_URL_SSM');
    const previous = process.env.AWS_ENDPOINT_URL_SSM;
    process.env.AWS_ENDPOINT_URL_SSM = ssm.url;
    const fromEnv = new SSMClient(local);
    try {
      expect((await fromEnv.send(new GetParameterCommand({ Name: '/t/control/x' }))).Parameter?.Value).toBe('from control');
    } finally {
      fromEnv.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SSM;
      else process.env.AWS_ENDPOINT_URL_SSM = previous;
    }
  });
});
