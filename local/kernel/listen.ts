import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A service's HTTP server listening on loopback. */
export interface LocalListener {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Closes every connection and the server. */
  stop(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 (`port` 0 picks a free one) and resolves the URL and a
 * stop function; rejects when the port cannot be bound.
 *
 * @example
 * const { url, stop } = await listenLocal(createServer(handler), 0);
 */
export async function listenLocal(server: Server, port: number): Promise<LocalListener> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
