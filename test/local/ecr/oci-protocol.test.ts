import { authHeader, sha, startEcrFixture } from './ecr-fixture';
import type { EcrFixture } from './ecr-fixture';

let fixture: EcrFixture;
let auth: string;
beforeEach(async () => {
  fixture = await startEcrFixture();
  await fixture.ecr.control.createRepository('portal-api');
  await fixture.ecr.control.createRepository('base');
  auth = authHeader(fixture.ecr);
});
afterEach(async () => {
  await fixture.stop();
});

const call = (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${fixture.ecr.url}${path}`, { ...init, headers: { authorization: auth, ...(init.headers as Record<string, string>) } });

const errorCodes = async (response: Response): Promise<string[]> => ((await response.json()) as { errors: { code: string }[] }).errors.map((entry) => entry.code);

async function monolithic(repo: string, bytes: Buffer): Promise<string> {
  const response = await call(`/v2/${repo}/blobs/uploads/?digest=${sha(bytes)}`, { method: 'POST', body: bytes });
  expect(response.status).toBe(201);
  return sha(bytes);
}

describe('OCI distribution endpoint (distribution-spec v1.1)', () => {
  it('requires the GetAuthorizationToken credentials on every call, with a Basic challenge (ECR user guide "Private registry authentication")', async () => {
    for (const path of ['/v2/', '/v2/portal-api/tags/list']) {
      const anonymous = await fetch(`${fixture.ecr.url}${path}`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe(`Basic realm="${fixture.ecr.url}/",service="ecr.amazonaws.com"`);
      expect(await errorCodes(anonymous)).toEqual(['UNAUTHORIZED']);
    }
    const wrong = await fetch(`${fixture.ecr.url}/v2/`, { headers: { authorization: `Basic ${Buffer.from('AWS:guess').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    const ok = await call('/v2/');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('chunked upload: POST 202 with Location and Docker-Upload-UUID, PATCH with Content-Range, 416 out of order, PUT ?digest= verifies sha256', async () => {
    const bytes = Buffer.from('0123456789abcdefghij');
    const start = await call('/v2/portal-api/blobs/uploads/', { method: 'POST' });
    expect(start.status).toBe(202);
    const uuid = start.headers.get('docker-upload-uuid');
    const location = start.headers.get('location') as string;
    expect(location).toBe(`/v2/portal-api/blobs/uploads/${uuid}`);
    const first = await call(location, { method: 'PATCH', body: bytes.subarray(0, 10), headers: { 'content-range': '0-9', 'content-type': 'application/octet-stream' } });
    expect(first.status).toBe(202);
    expect(first.headers.get('range')).toBe('0-9');
    const outOfOrder = await call(location, { method: 'PATCH', body: bytes.subarray(15), headers: { 'content-range': '15-19' } });
    expect(outOfOrder.status).toBe(416);
    const status = await call(location);
    expect([status.status, status.headers.get('range')]).toEqual([204, '0-9']);
    const second = await call(location, { method: 'PATCH', body: bytes.subarray(10), headers: { 'content-range': '10-19' } });
    expect(second.headers.get('range')).toBe('0-19');
    const done = await call(`${location}?digest=${sha(bytes)}`, { method: 'PUT' });
    expect(done.status).toBe(201);
    expect(done.headers.get('docker-content-digest')).toBe(sha(bytes));
    expect(done.headers.get('location')).toBe(`/v2/portal-api/blobs/${sha(bytes)}`);
    const head = await call(`/v2/portal-api/blobs/${sha(bytes)}`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length'), head.headers.get('docker-content-digest')]).toEqual([200, '20', sha(bytes)]);
    const get = await call(`/v2/portal-api/blobs/${sha(bytes)}`);
    expect(Buffer.from(await get.arrayBuffer())).toEqual(bytes);
    const closed = await call(location, { method: 'PATCH', body: 'x' });
    expect([closed.status, await errorCodes(closed)]).toEqual([404, ['BLOB_UPLOAD_UNKNOWN']]);
  });

  it('refuses a PUT whose bytes do not hash to ?digest= with 400 DIGEST_INVALID and stores nothing', async () => {
    const start = await call('/v2/portal-api/blobs/uploads/', { method: 'POST' });
    const wrong = sha(Buffer.from('other'));
    const response = await call(`${start.headers.get('location')}?digest=${wrong}`, { method: 'PUT', body: 'actual bytes' });
    expect([response.status, await errorCodes(response)]).toEqual([400, ['DIGEST_INVALID']]);
    expect((await call(`/v2/portal-api/blobs/${wrong}`, { method: 'HEAD' })).status).toBe(404);
  });

  it('cross-repository mount: 201 when the source holds the blob, 202 with a session otherwise', async () => {
    const digest = await monolithic('base', Buffer.from('shared layer'));
    const mounted = await call(`/v2/portal-api/blobs/uploads/?mount=${digest}&from=base`, { method: 'POST' });
    expect([mounted.status, mounted.headers.get('docker-content-digest')]).toEqual([201, digest]);
    expect((await call(`/v2/portal-api/blobs/${digest}`, { method: 'HEAD' })).status).toBe(200);
    const absent = sha(Buffer.from('absent'));
    const declined = await call(`/v2/portal-api/blobs/uploads/?mount=${absent}&from=base`, { method: 'POST' });
    expect(declined.status).toBe(202);
    expect(declined.headers.get('location')).toMatch(/^\/v2\/portal-api\/blobs\/uploads\/.+/);
  });

  it('manifests: PUT 201 with Docker-Content-Digest, GET/HEAD with Content-Type, tags/list with paging, DELETE 202, MANIFEST_BLOB_UNKNOWN and NAME_UNKNOWN', async () => {
    const layer = await monolithic('portal-api', Buffer.from('layer'));
    const config = await monolithic('portal-api', Buffer.from('{}'));
    const type = 'application/vnd.docker.distribution.manifest.v2+json';
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: type, config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: config, size: 2 }, layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: layer, size: 5 }] }));
    for (const tag of ['b', 'a', 'c']) {
      const put = await call(`/v2/portal-api/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { 'content-type': type } });
      expect([put.status, put.headers.get('docker-content-digest')]).toEqual([201, sha(manifest)]);
    }
    for (const method of ['GET', 'HEAD']) {
      const got = await call('/v2/portal-api/manifests/a', { method, headers: { accept: type } });
      expect([got.status, got.headers.get('content-type'), got.headers.get('docker-content-digest'), got.headers.get('content-length')]).toEqual([200, type, sha(manifest), String(manifest.length)]);
    }
    const page = await call('/v2/portal-api/tags/list?n=2');
    expect(await page.json()).toEqual({ name: 'portal-api', tags: ['a', 'b'] });
    expect(page.headers.get('link')).toBe('</v2/portal-api/tags/list?n=2&last=b>; rel="next"');
    expect((await call(`/v2/portal-api/manifests/${sha(manifest)}`, { method: 'DELETE' })).status).toBe(202);
    expect(await (await call('/v2/portal-api/tags/list')).json()).toEqual({ name: 'portal-api', tags: [] });
    const missing = await call('/v2/portal-api/manifests/a');
    expect([missing.status, await errorCodes(missing)]).toEqual([404, ['MANIFEST_UNKNOWN']]);
    const dangling = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: type, config: { mediaType: 'x', digest: sha(Buffer.from('nope')), size: 4 }, layers: [] }));
    const refused = await call('/v2/portal-api/manifests/x', { method: 'PUT', body: dangling, headers: { 'content-type': type } });
    expect([refused.status, await errorCodes(refused)]).toEqual([400, ['MANIFEST_BLOB_UNKNOWN']]);
    const unknown = await call('/v2/nope/tags/list');
    expect([unknown.status, await errorCodes(unknown)]).toEqual([404, ['NAME_UNKNOWN']]);
    const blob = await call(`/v2/portal-api/blobs/${sha(Buffer.from('nope'))}`);
    expect([blob.status, await errorCodes(blob)]).toEqual([404, ['BLOB_UNKNOWN']]);
  });

  it('keeps repositories, blobs, manifests and tags across a restart on the same state directory', async () => {
    const digest = await monolithic('portal-api', Buffer.from('persisted'));
    fixture = await fixture.restart();
    auth = authHeader(fixture.ecr);
    expect((await call(`/v2/portal-api/blobs/${digest}`, { method: 'HEAD' })).status).toBe(200);
    expect(fixture.ecr.control.listImages('base')).toEqual([]);
  });
});
