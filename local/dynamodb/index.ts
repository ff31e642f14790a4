import dynalite from 'dynalite';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DeletionProtectionFront } from './deletion-protection';

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
  /** Whether a table has deletion protection on. */
  isProtected(table: string): boolean;
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
  await listen(server, 0);
  // dynalite predates deletion protection: a front on the public port adds it (see DeletionProtectionFront).
  const front = new DeletionProtectionFront(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, (req, res) => server.emit('request', req, res));
  const frontServer = createServer(front.handle);
  try {
    await listen(frontServer, options.port ?? 0);
  } catch (error) {
    await close(server);
    throw error;
  }
  const { port } = frontServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await close(frontServer);
      await close(server);
    },
    control: { storage: path ?? 'memory', isProtected: (table) => front.isProtected(table) },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

function close(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.closeAllConnections();
    server.close((error) => (error ? reject(error) : resolve()));
  });
}
