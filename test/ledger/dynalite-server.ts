import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AddressInfo, Server } from 'node:net';

// dynalite has no type declarations; its factory returns a node http server.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { createTableMs: number }) => Server;

/** A dynalite server on 127.0.0.1 with clients, and a way to make fresh ledger tables. */
export interface DynaliteHarness {
  /** The endpoint, for clients other than `doc`. */
  readonly url: string;
  readonly doc: DynamoDBDocumentClient;
  freshTable(): Promise<string>;
  stop(): Promise<void>;
}

/** Starts dynalite on a free port. */
export async function startDynalite(): Promise<DynaliteHarness> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const raw = new DynamoDBClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  let count = 0;
  return {
    url: `http://127.0.0.1:${port}`,
    doc: DynamoDBDocumentClient.from(raw),
    async freshTable() {
      const tableName = `ledger-${(count += 1)}`;
      await raw.send(new CreateTableCommand({
        TableName: tableName, BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      }));
      // dynalite answers CreateTable while the table is CREATING and refuses items until a timer makes it
      // ACTIVE (even with createTableMs 0), as DynamoDB does: wait for the state, not for a time.
      while ((await raw.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus !== 'ACTIVE') {
        await new Promise((resolve) => setImmediate(resolve));
      }
      return tableName;
    },
    async stop() {
      raw.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
