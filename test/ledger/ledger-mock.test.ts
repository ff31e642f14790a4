import 'aws-sdk-client-mock-jest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { CorruptRecordError, Ledger, LedgerError } from '../../shared/ledger';
import { request } from './fixtures';

const ddb = mockClient(DynamoDBDocumentClient);
const ledger = (maxAttempts = 3): Ledger => new Ledger({ client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: 'ledger', maxAttempts, clock: () => 1_000 });
const conditional = (): Error => Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

afterEach(() => ddb.reset());

describe('Ledger (mocked DynamoDB)', () => {
  it('first admit creates the environment item only if absent, then the deployment record', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    // Act
    const admission = await ledger().admit(request('d-a', { sequencer: '0A' }), 'evt-a');
    // Assess
    expect(admission.kind).toBe('apply-now');
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: 'ledger', Key: { pk: 'ENV#dev', sk: 'STATE' }, ConsistentRead: true });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { ConditionExpression: 'attribute_not_exists(pk)', Item: expect.objectContaining({ pk: 'ENV#dev', sk: 'STATE', revision: 1 }) });
    const update = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.Key).toEqual({ pk: 'ENV#dev', sk: 'DEPLOY#d-a' });
    expect(update.ExpressionAttributeValues).toMatchObject({ ':state': 'in-flight', ':expires': 1 + 400 * 86_400 });
    expect(update.ConditionExpression).toContain('attribute_not_exists(#state)');
  });

  it('retries a lost race and gives up with CONTENTION after maxAttempts', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).rejects(conditional());
    const error = await ledger(3).admit(request('d-a'), 'e').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerError);
    expect(error).toMatchObject({ code: 'CONTENTION', retryable: true, context: { env: 'dev', attempts: 3 } });
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 3);
  });

  it('a refused history update (record already final) is not an error', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).rejects(conditional());
    await expect(ledger().admit(request('d-a'), 'e')).resolves.toMatchObject({ kind: 'apply-now' });
  });

  it.each([
    ['ProvisionedThroughputExceededException', 400, true],
    ['InternalServerError', 500, true],
    ['AccessDeniedException', 400, false],
    ['ThrottlingException', 400, true],
    ['RequestLimitExceeded', 400, true],
    ['ServiceUnavailable', 503, true],
    ['ValidationException', 400, false],
  ])('maps %s to DYNAMODB_FAILED (retryable %s) naming the table', async (name, status, retryable) => {
    ddb.on(GetCommand).rejects(Object.assign(new Error('nope'), { name, $metadata: { httpStatusCode: status } }));
    const error = await ledger().getEnvironment('dev').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DYNAMODB_FAILED', retryable });
    expect((error as Error).message).toBe(`reading environment dev in table ledger: ${name}: nope`);
  });

  it('maps a network failure (no HTTP answer) to a retryable DYNAMODB_FAILED, and a bug to a final one', async () => {
    ddb.on(GetCommand).rejectsOnce(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED', $metadata: { attempts: 3 } })).rejectsOnce(new TypeError('x is not a function'));
    await expect(ledger().getEnvironment('dev')).rejects.toMatchObject({ code: 'DYNAMODB_FAILED', retryable: true, message: 'reading environment dev in table ledger: Error: connect ECONNREFUSED 127.0.0.1:8000' });
    await expect(ledger().getEnvironment('dev')).rejects.toMatchObject({ code: 'DYNAMODB_FAILED', retryable: false, message: 'reading environment dev in table ledger: TypeError: x is not a function' });
  });

  it('refuses an environment item of the wrong shape with the field named', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'ENV#dev', sk: 'STATE', env: 'dev', revision: 'three', sequencers: {}, updatedAt: 't' } });
    const error = await ledger().getEnvironment('dev').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptRecordError);
    expect((error as Error).message).toContain('ENV#dev/STATE: revision');
  });
});
