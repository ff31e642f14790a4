import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient, UpdateTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDb } from '../../../local/dynamodb';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const KEY = { AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }] };

// What DynamoDB does ("Using deletion protection", Amazon DynamoDB Developer Guide): the flag on CreateTable or
// UpdateTable (alone, as the stack's DeletionProtection custom resource sends it), reported by DescribeTable,
// and a DeleteTable of a protected table refused until it is switched off.
describe('local DynamoDB: deletion protection in front of dynalite, through @aws-sdk/client-dynamodb', () => {
  let dir: string;
  let dynamodb: Awaited<ReturnType<typeof startDynamoDb>>;
  let client: DynamoDBClient;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-ddb-protect-'));
    dynamodb = await startDynamoDb({ stateDir: dir });
    client = new DynamoDBClient({ ...local, endpoint: dynamodb.url });
  });
  afterAll(async () => {
    client.destroy();
    await dynamodb.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('an UpdateTable carrying only DeletionProtectionEnabled switches it; DeleteTable is refused until it is off', async () => {
    await client.send(new CreateTableCommand({ TableName: 'ledger', BillingMode: 'PAY_PER_REQUEST', ...KEY }));
    await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: 'ledger' });
    expect((await client.send(new DescribeTableCommand({ TableName: 'ledger' }))).Table?.DeletionProtectionEnabled).toBe(false);
    const updated = await client.send(new UpdateTableCommand({ TableName: 'ledger', DeletionProtectionEnabled: true }));
    expect(updated.TableDescription).toMatchObject({ TableName: 'ledger', DeletionProtectionEnabled: true });
    expect((await client.send(new DescribeTableCommand({ TableName: 'ledger' }))).Table?.DeletionProtectionEnabled).toBe(true);
    await expect(client.send(new DeleteTableCommand({ TableName: 'ledger' }))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/protected against deletion/) });
    expect((await client.send(new DescribeTableCommand({ TableName: 'ledger' }))).Table?.TableName).toBe('ledger');
    await client.send(new UpdateTableCommand({ TableName: 'ledger', DeletionProtectionEnabled: false }));
    const deleted = await client.send(new DeleteTableCommand({ TableName: 'ledger' }));
    expect(deleted.TableDescription).toMatchObject({ TableName: 'ledger', DeletionProtectionEnabled: false });
  });

  it('CreateTable takes the flag; an UpdateTable of another setting keeps it; an unknown table is still ResourceNotFound', async () => {
    await client.send(new CreateTableCommand({ TableName: 'kept', BillingMode: 'PAY_PER_REQUEST', DeletionProtectionEnabled: true, ...KEY }));
    await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: 'kept' });
    expect(dynamodb.control.isProtected('kept')).toBe(true);
    const updated = await client.send(new UpdateTableCommand({ TableName: 'kept', BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }));
    expect(updated.TableDescription?.DeletionProtectionEnabled).toBe(true);
    await expect(client.send(new UpdateTableCommand({ TableName: 'missing', DeletionProtectionEnabled: true }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(dynamodb.control.isProtected('missing')).toBe(false);
  });
});
