import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createNodeTransport, fetchTransport, nodeTransport } from '../../../shared/oci/registry/transport';
import type { HttpTransport } from '../../../shared/oci/registry/transport';

async function listen(server: Server | ReturnType<typeof createServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Echoes method, a header and the body's length and sha-free bytes back as JSON. */
function echo(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    if (request.url === '/empty') {
      response.writeHead(201, { 'content-length': '0', location: '/v2/next' }).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'x-seen': request.headers['x-probe'] ?? '' })
      .end(JSON.stringify({ method: request.method, length: body.length, text: body.toString('utf8') }));
  });
}

describe.each<[string, HttpTransport]>([
  ['nodeTransport', nodeTransport],
  ['fetchTransport(fetch)', fetchTransport(globalThis.fetch)],
])('%s', (_name, transport) => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createHttpServer(echo);
    origin = await listen(server);
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('sends a buffer body and reads status, headers (case-insensitive) and text', async () => {
    const response = await transport(new URL('/v2/x', origin), { method: 'PUT', headers: { 'x-probe': 'p1', 'content-type': 'application/octet-stream' }, body: Buffer.from('hello') });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-Seen')).toBe('p1');
    expect(JSON.parse(await response.text())).toEqual({ method: 'PUT', length: 5, text: 'hello' });
  });

  it('streams a Readable body of many chunks, and reads the answer as bytes', async () => {
    const parts = Array.from({ length: 64 }, (_, i) => Buffer.alloc(1024, i));
    const response = await transport(new URL('/v2/stream', origin), { method: 'PUT', headers: { 'content-length': String(64 * 1024) }, body: Readable.from(parts) });
    expect(JSON.parse((await response.bytes()).toString('utf8'))).toMatchObject({ method: 'PUT', length: 64 * 1024 });
  });

  it('answers a bodiless response with a Location header and lets its connection go', async () => {
    const response = await transport(new URL('/empty', origin), { method: 'POST', headers: { 'content-length': '0' } });
    expect([response.status, response.headers.get('location')]).toEqual([201, '/v2/next']);
    await response.discard();
    expect(response.headers.get('no-such-header')).toBeNull();
  });
});

describe('createNodeTransport', () => {
  it('fails a request whose registry never answers with ETIMEDOUT (retried like a dropped connection) once the socket idled past the timeout', async () => {
    const silent = createServer(() => undefined);
    const origin = await listen(silent);
    try {
      const transport = createNodeTransport({ idleTimeoutMs: 200 });
      await expect(transport(new URL('/v2/', origin), { method: 'GET', headers: {} })).rejects.toMatchObject({ code: 'ETIMEDOUT', message: expect.stringMatching(/no traffic for 200 ms/) });
    } finally {
      silent.close();
    }
  });
});
