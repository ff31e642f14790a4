import { Readable } from 'node:stream';
import { createRegistryRepository, InsecureRegistryError } from '../../../shared/oci/registry';
import type { FetchFunction } from '../../../shared/oci/registry';
import { json, startTestServer } from './http-server';
import type { TestServer } from './http-server';
import { readAll, testBlob } from './tiny-image';

const BLOB = testBlob(Buffer.from('layer bytes served by the storage host'));
const BASIC = `Basic ${Buffer.from('AWS:ecr-password').toString('base64')}`;

describe('redirects to another host (ECR blobs through presigned S3 URLs)', () => {
  let storage: TestServer;
  let registry: TestServer;

  beforeAll(async () => {
    storage = await startTestServer((request, res) => {
      if (request.url.startsWith('/bucket/blob?X-Amz-Signature=')) res.writeHead(200, { 'content-length': String(BLOB.size) }).end(BLOB.bytes);
      else if (request.url === '/bucket/back') res.writeHead(307, { location: `http://${registry.host}/v2/wicked/looped/blobs/${BLOB.digest}?hop=2` }).end();
      else res.writeHead(404).end();
    });
    registry = await startTestServer((request, res) => {
      if (request.headers.authorization !== BASIC) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: '' }] }, { 'www-authenticate': 'Basic realm="ecr"' });
      if (request.url === `/v2/wicked/portal-api/blobs/${BLOB.digest}`) res.writeHead(307, { location: `http://${storage.host}/bucket/blob?X-Amz-Signature=abc` }).end();
      else if (request.url === `/v2/wicked/looped/blobs/${BLOB.digest}`) res.writeHead(302, { location: `http://${storage.host}/bucket/back` }).end();
      else if (request.url === `/v2/wicked/looped/blobs/${BLOB.digest}?hop=2`) res.writeHead(302, { location: `http://${storage.host}/bucket/blob?X-Amz-Signature=def` }).end();
      else res.writeHead(200).end();
    });
  });
  afterAll(async () => {
    await storage.stop();
    await registry.stop();
  });
  beforeEach(() => {
    storage.requests.length = 0;
    registry.requests.length = 0;
  });

  const open = (repository = 'wicked/portal-api') =>
    createRegistryRepository({ host: registry.host, repository, insecure: true, credentials: { username: 'AWS', password: 'ecr-password' } });

  it('sends Authorization to the registry but never to the redirect target', async () => {
    const bytes = await readAll(await open().fetchBlob(BLOB.digest));

    expect(bytes.equals(BLOB.bytes)).toBe(true);
    expect(registry.requests.filter((request) => request.url.includes('/blobs/')).map((request) => request.headers.authorization)).toEqual([BASIC]);
    expect(storage.requests).toHaveLength(1);
    expect(storage.requests[0]?.headers).not.toHaveProperty('authorization');
  });

  it('sends Authorization again only when a redirect comes back to the registry', async () => {
    // registry → storage → registry → storage
    const bytes = await readAll(await open('wicked/looped').fetchBlob(BLOB.digest));

    expect(bytes.equals(BLOB.bytes)).toBe(true);
    expect(registry.requests.map((request) => [request.url.replace(/sha256:\w+/, 'D'), request.headers.authorization])).toEqual([
      ['/v2/', undefined], // the version check that learns the scheme
      ['/v2/wicked/looped/blobs/D', BASIC],
      ['/v2/wicked/looped/blobs/D?hop=2', BASIC],
    ]);
    expect(storage.requests.map((request) => [request.url.split('?')[0], request.headers.authorization])).toEqual([
      ['/bucket/back', undefined],
      ['/bucket/blob', undefined],
    ]);
  });
});

describe('redirect rules with a scripted fetch', () => {
  const seen: { url: string; method: string; authorization: string | null; body: string | undefined }[] = [];
  const scripted = (answers: Record<string, () => Response>): FetchFunction =>
    (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input);
      const headers = new Headers(init?.headers);
      const body = init?.body ? Buffer.from(await new Response(init.body as ConstructorParameters<typeof Response>[0]).arrayBuffer()).toString('utf8') : undefined;
      seen.push({ url, method: init?.method ?? 'GET', authorization: headers.get('authorization'), body });
      const answer = Object.entries(answers)
        .filter(([prefix]) => url.startsWith(prefix))
        .sort(([a], [b]) => b.length - a.length)[0]; // the longest matching prefix answers
      return answer ? answer[1]() : new Response(null, { status: 404 });
    }) as FetchFunction;

  beforeEach(() => {
    seen.length = 0;
  });

  it('drops Authorization on an HTTPS redirect to another host', async () => {
    const fetch = scripted({
      'https://registry.example/v2/': () => new Response(null, { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }),
      'https://registry.example/v2/portal-api/blobs/': () => new Response(null, { status: 307, headers: { location: 'https://bucket.s3.example/obj?sig=1' } }),
      'https://bucket.s3.example/': () => new Response(BLOB.bytes, { status: 200 }),
    });
    const repository = createRegistryRepository({ host: 'registry.example', repository: 'portal-api', credentials: { username: 'u', password: 'p' }, fetch });

    expect((await readAll(await repository.fetchBlob(BLOB.digest))).equals(BLOB.bytes)).toBe(true);
    expect(seen.slice(1).map(({ url, authorization }) => [new URL(url).host, authorization !== null])).toEqual([
      ['registry.example', true],
      ['bucket.s3.example', false],
    ]);
  });

  it.each([
    ['plain HTTP from an HTTPS registry', 'registry.example', false, 'http://bucket.s3.example/obj', /redirect target http:\/\/bucket\.s3\.example is plain HTTP and insecure is not enabled/],
    ['plain HTTP to a non-loopback host from a loopback registry', '127.0.0.1:5000', true, 'http://bucket.s3.example/obj', /plain HTTP to a non-loopback host/],
    ['another scheme', 'registry.example', false, 'file:///etc/passwd', /unsupported scheme file:/],
  ])('refuses a redirect to %s', async (_name, host, insecure, location, message) => {
    const origin = `${insecure ? 'http' : 'https'}://${host}`;
    const fetch = scripted({
      [`${origin}/v2/portal-api/`]: () => new Response(null, { status: 302, headers: { location } }),
      [`${origin}/v2/`]: () => new Response(null, { status: 200 }),
    });
    const repository = createRegistryRepository({ host, repository: 'portal-api', insecure, fetch });

    const error = await repository.fetchBlob(BLOB.digest).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InsecureRegistryError);
    expect((error as Error).message).toMatch(message);
    expect(seen.map((request) => request.url)).not.toContain(location);
  });

  it('keeps and re-opens the body on a 307 for PUT, and refuses endless redirects', async () => {
    let opened = 0;
    const fetch = scripted({
      'https://registry.example/v2/portal-api/blobs/uploads/': () => new Response(null, { status: 202, headers: { location: '/upload/1' } }),
      'https://registry.example/upload/1': () => new Response(null, { status: 307, headers: { location: 'https://registry.example/upload/2' } }),
      'https://registry.example/upload/2': () => new Response(null, { status: 201 }),
      'https://registry.example/v2/portal-api/manifests/loop': () => new Response(null, { status: 302, headers: { location: '/v2/portal-api/manifests/loop' } }),
      'https://registry.example/v2/': () => new Response(null, { status: 200 }),
    });
    const repository = createRegistryRepository({ host: 'registry.example', repository: 'portal-api', fetch });

    await repository.pushBlob(BLOB.digest, BLOB.size, () => {
      opened++;
      return Readable.from([BLOB.bytes]);
    });
    await expect(repository.fetchManifest('loop')).rejects.toMatchObject({ code: 'TOO_MANY_REDIRECTS' });

    expect(opened).toBe(2);
    expect(seen.filter((request) => request.method === 'PUT').map((request) => [new URL(request.url).pathname, request.body])).toEqual([
      ['/upload/1', BLOB.bytes.toString('utf8')],
      ['/upload/2', BLOB.bytes.toString('utf8')],
    ]);
  });
});
