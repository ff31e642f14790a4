import { placeBlob } from '../../../shared/oci/blob-transfer';
import { createRegistryRepository } from '../../../shared/oci/registry';
import { startTestServer } from './http-server';
import type { TestServer } from './http-server';
import { testBlob } from './tiny-image';

const BLOB = testBlob(Buffer.from('a layer the registry is told to store'));

/** A registry whose blob PUT answers `status` with `digestHeader`, and whose HEAD finds the blob once it was PUT. */
async function registry(status: number, digestHeader: string | undefined): Promise<{ server: TestServer; heads: () => number }> {
  let stored = false;
  const server = await startTestServer((request, res) => {
    const url = new URL(request.url, 'http://registry');
    if (url.pathname === '/v2/') return res.writeHead(200, { 'content-length': '0' }).end();
    if (request.method === 'HEAD') return res.writeHead(stored ? 200 : 404, stored ? { 'content-length': String(BLOB.size) } : {}).end();
    if (request.method === 'POST') return res.writeHead(202, { location: '/v2/portal-api/blobs/uploads/session-1', 'content-length': '0' }).end();
    if (request.method === 'PUT') {
      stored = true;
      return res.writeHead(status, { 'content-length': '0', ...(digestHeader ? { 'docker-content-digest': digestHeader } : {}) }).end();
    }
    return res.writeHead(404, { 'content-length': '0' }).end();
  });
  return { server, heads: () => server.requests.filter((request) => request.method === 'HEAD').length };
}

describe('an upload the registry acknowledges', () => {
  it.each([
    ['201 naming the digest', 201, BLOB.digest, true, 1],
    ['201 without a digest', 201, undefined, false, 2],
    ['202', 202, BLOB.digest, false, 2],
  ])('%s: acknowledged only when the 201 names the digest; otherwise confirmed with a HEAD', async (_name, status, header, acknowledged, heads) => {
    const fake = await registry(status, header);
    try {
      const target = createRegistryRepository({ host: fake.server.host, repository: 'portal-api', insecure: true });
      expect(await target.pushBlob(BLOB.digest, BLOB.size, BLOB.open)).toBe(acknowledged);
      const other = await registry(status, header);
      try {
        const fresh = createRegistryRepository({ host: other.server.host, repository: 'portal-api', insecure: true });
        // the lookup before the upload, plus a confirmation unless the registry acknowledged the digest
        expect(await placeBlob(fresh, BLOB.digest, BLOB.size, { kind: 'stream', open: BLOB.open })).toBe('uploaded');
        expect(other.heads()).toBe(heads);
      } finally {
        await other.server.stop();
      }
    } finally {
      await fake.server.stop();
    }
  });
});
