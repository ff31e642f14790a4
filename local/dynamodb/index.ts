import dynalite from 'dynalite';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** Options of {@link startDynamoDb}. */
export interface DynamoDbOptions {
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** Tables are kept under `<stateDir>/dynamodb` when `persist` is on. */
  readonly stateDir: string;
  /** Keep tables on disk (LevelDB) instead of in memory. @default false */
  readonly persist?: boolean;
  /** Time a table stays CREATING/DELETING/UPDATING (wall ms). @default 50 */
  readonly tableStateMs?: number;
}

/** The emulated DynamoDB's control surface. */
export interface DynamoDbControl {
  /** Where the tables live: a directory, or `memory`. */
  readonly storage: string;
}

/**
 * Starts DynamoDB (dynalite, in-process) on 127.0.0.1.
 *
 * @example
 * const dynamodb = await startDynamoDb({ stateDir });
 * new DynamoDBClient({ endpoint: dynamodb.url });
 */
export async function startDynamoDb(options: DynamoDbOptions): Promise<{ url: string; stop(): Promise<void>; control: DynamoDbControl }> {
  const path = options.persist ? join(options.stateDir, 'dynamodb') : undefined;
  if (path) await mkdir(path, { recursive: true });
  const delay = options.tableStateMs ?? 50;
  const server = dynalite({ ...(path ? { path } : {}), createTableMs: delay, deleteTableMs: delay, updateTableMs: delay });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
    control: { storage: path ?? 'memory' },
  };
}
