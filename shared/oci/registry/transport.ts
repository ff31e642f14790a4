import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/** The `fetch` signature a caller may hand the client instead of the default transport. */
export type FetchFunction = typeof globalThis.fetch;

/** Response headers, looked up case-insensitively. */
export interface HttpHeaders {
  /** The header's value (values of a repeated header joined by `, `), or null. */
  get(name: string): string | null;
}

/** What the registry client reads of a response. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: HttpHeaders;
  /** The body as a Node stream; null when the response has none. */
  readonly body: Readable | null;
  /** Reads the whole body as UTF-8. */
  text(): Promise<string>;
  /** Reads the whole body. */
  bytes(): Promise<Buffer>;
  /** Releases a body that is not needed (small ones are drained so the connection can be reused). */
  discard(): Promise<void>;
}

/** One HTTP exchange; redirects are never followed by a transport. */
export interface HttpRequestInit {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  /** A buffer, or a stream sent with backpressure (read only as fast as the socket drains). */
  readonly body?: Buffer | Readable;
}

/** Sends one request and resolves the response as soon as its headers arrived. */
export type HttpTransport = (url: URL, init: HttpRequestInit) => Promise<HttpResponse>;

/** A socket with no traffic for this long fails its request (a registry that stopped answering). */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/** Bodies up to this size are drained on discard rather than cutting the connection. */
const DRAIN_LIMIT = 64 * 1024;

/**
 * The default transport: `node:http` and `node:https` with keep-alive. It
 * streams request bodies with backpressure (Node 20's fetch reads a streamed
 * upload ahead of the socket: a 300 MB layer took 400 MB of RSS) and starts
 * fast (loading Node 20's fetch costs about 100 ms, most of a small build).
 *
 * @example
 * const response = await nodeTransport(new URL('http://127.0.0.1:5000/v2/'), { method: 'GET', headers: {} });
 */
export const nodeTransport: HttpTransport = createNodeTransport();

/**
 * {@link nodeTransport} with its own idle timeout: a request whose socket
 * sees no traffic for `idleTimeoutMs` (no response, a stalled body) fails
 * with `ETIMEDOUT`, which the client retries like a dropped connection.
 *
 * @example
 * const transport = createNodeTransport({ idleTimeoutMs: 5_000 });
 */
export function createNodeTransport(options: { readonly idleTimeoutMs?: number } = {}): HttpTransport {
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  return (url, init) => sendNode(url, init, idleTimeoutMs);
}

const sendNode = (url: URL, init: HttpRequestInit, idleTimeoutMs: number): Promise<HttpResponse> => new Promise<HttpResponse>((resolve, reject) => {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const request = send(url, { method: init.method, headers: init.headers }, (message) => resolve(nodeResponse(message, init.method)));
  request.setTimeout(idleTimeoutMs, () => {
    request.destroy(Object.assign(new Error(`${init.method} ${url.origin}${url.pathname}: no traffic for ${idleTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
  });
  const body = init.body;
  request.on('error', (error) => {
    if (body instanceof Readable) body.destroy();
    reject(error);
  });
  if (body === undefined) {
    request.end();
  } else if (Buffer.isBuffer(body)) {
    request.end(body);
  } else {
    body.on('error', (error) => request.destroy(error));
    body.pipe(request);
  }
});

function nodeResponse(message: IncomingMessage, method: string): HttpResponse {
  const status = message.statusCode ?? 500;
  // A body nobody reads holds its socket: bodiless responses are drained at once.
  const empty = method === 'HEAD' || status === 204 || status === 304 || status < 200 || message.headers['content-length'] === '0';
  if (empty) message.resume();
  const headers: HttpHeaders = {
    get: (name) => {
      const value = message.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
  const bytes = async (): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of message) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  return {
    status,
    headers,
    body: empty ? null : message,
    bytes,
    text: async () => (await bytes()).toString('utf8'),
    discard: async () => {
      if (empty || message.readableEnded) return;
      // A parsed body still has to be read before the socket is released for the next request.
      const length = Number(message.headers['content-length'] ?? Number.NaN);
      if (message.complete || length <= DRAIN_LIMIT) message.resume();
      else message.destroy();
    },
  };
}

/**
 * A transport on a `fetch` function: for callers that bring their own
 * (tests that script responses, runtimes with an instrumented fetch).
 *
 * @example
 * const transport = fetchTransport(globalThis.fetch);
 */
export function fetchTransport(fetch: FetchFunction): HttpTransport {
  return async (url, init) => {
    const request: RequestInit & { duplex?: 'half' } = { method: init.method, headers: { ...init.headers }, redirect: 'manual' };
    if (Buffer.isBuffer(init.body)) {
      request.body = init.body;
    } else if (init.body !== undefined) {
      request.body = pullStream(init.body);
      request.duplex = 'half';
    }
    const response = await fetch(url, request);
    let body: Readable | null | undefined;
    return {
      status: response.status,
      headers: response.headers,
      // Converted on first use: a converted body is locked for text() and bytes().
      get body() {
        body ??= response.body ? Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>) : null;
        return body;
      },
      text: () => response.text(),
      bytes: async () => Buffer.from(await response.arrayBuffer()),
      discard: async () => {
        try {
          await response.body?.cancel();
        } catch {
          // nothing to release
        }
      },
    };
  };
}

/**
 * A web stream that reads the source only when fetch asks for more. Node 20's
 * `Readable.toWeb` reads ahead without backpressure, so a registry slower than
 * the disk made the whole layer pile up in memory.
 */
function pullStream(source: Readable): ReadableStream<Uint8Array> {
  const chunks = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = (await chunks.next()) as IteratorResult<Buffer>;
        if (done) controller.close();
        else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      },
      cancel(reason) {
        source.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
