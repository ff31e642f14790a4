import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDb } from '../../../local/dynamodb';

const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

describe('local DynamoDB (dynalite) through @aws-sdk/client-dynamodb', () => {
  it.each([false, true])('creates a table and puts and gets an item (persist %s)', async (persist) => {
    const dir = await mkdtemp(join(tmpdir(), 'local-ddb-'));
    const dynamodb = await startDynamoDb({ stateDir: dir, persist });
    const client = new DynamoDBClient({ ...local, endpoint: dynamodb.url });
    try {
      await client.send(new CreateTableCommand({
        TableName: 'ledger', BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }));
      await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1 }, { TableName: 'ledger' });
      await client.send(new PutItemCommand({ TableName: 'ledger', Item: { pk: { S: 'dev' }, digest: { S: 'sha256:1' } } }));
      const item = await client.send(new GetItemCommand({ TableName: 'ledger', Key: { pk: { S: 'dev' } } }));
      expect(item.Item).toEqual({ pk: { S: 'dev' }, digest: { S: 'sha256:1' } });
      expect(dynamodb.control.storage).toBe(persist ? join(dir, 'dynamodb') : 'memory');
      if (persist) expect((await readdir(join(dir, 'dynamodb'))).length).toBeGreaterThan(0);
    } finally {
      client.destroy();
      await dynamodb.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
