import type { ServerResponse } from 'node:http';
import { createRegistryRepository, DigestMismatchError, ImmutableTagError, RegistryError } from '../../../shared/oci/registry';
import type { RegistryRepository } from '../../../shared/oci/registry';
import { json, startTestServer } from './http-server';
import type { SeenRequest, TestServer } from './http-server';
import { readAll, sha256, testBlob } from './tiny-image';

const OCI = 'application/vnd.oci.image.manifest.v1+json';
const manifest = (n: number): Buffer => Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI, n }));

/** What the fake answers for manifests and blobs; tests set it per case. */
interface Script {
  tags: Map<string, Buffer>;
  rejectTag?: { status: number; code: string; message: string };
  reportedDigest?: string;
  manifestContentType?: string;
  servedBlob?: Buffer;
}

describe('ECR-style answers', () => {
  let server: TestServer;
  let script: Script;
  let repository: RegistryRepository;

  const handle = (request: SeenRequest, res: ServerResponse): void => {
    const url = new URL(request.url, 'http://x');
    const tag = /\/manifests\/(.+)$/.exec(url.pathname)?.[1];
    if (url.pathname === '/v2/') return void res.writeHead(200).end();
    if (request.method === 'POST') return void res.writeHead(202, { location: `/v2/portal-api/blobs/uploads/abc?uploadId=1`, 'content-length': '0' }).end();
    if (request.method === 'PUT' && url.pathname.includes('/blobs/uploads/')) {
      // ECR completes uploads with 201; some gateways answer 202, which must be accepted too
      return void res.writeHead(202, { 'docker-content-digest': url.searchParams.get('digest') ?? '', 'content-length': '0' }).end();
    }
    if (request.method === 'PUT' && tag) {
      if (script.rejectTag && script.tags.has(tag)) return json(res, script.rejectTag.status, { errors: [{ code: script.rejectTag.code, message: script.rejectTag.message }] });
      script.tags.set(tag, request.body);
      return void res.writeHead(201, { 'docker-content-digest': script.reportedDigest ?? sha256(request.body), 'content-length': '0' }).end();
    }
    if (request.method === 'GET' && tag) {
      const bytes = script.tags.get(tag) ?? [...script.tags.values()].find((candidate) => sha256(candidate) === tag);
      if (!bytes) return json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
      return void res.writeHead(200, { 'content-type': script.manifestContentType ?? OCI, 'content-length': String(bytes.length) }).end(bytes);
    }
    if (request.method === 'GET' && script.servedBlob) return void res.writeHead(200, { 'content-length': String(script.servedBlob.length) }).end(script.servedBlob);
    res.writeHead(404).end();
  };

  beforeAll(async () => {
    server = await startTestServer((request, res) => handle(request, res));
  });
  afterAll(async () => {
    await server.stop();
  });
  beforeEach(() => {
    script = { tags: new Map() };
    server.requests.length = 0;
    repository = createRegistryRepository({ host: server.host, repository: 'portal-api', insecure: true });
  });

  it('accepts 202 when an upload completes, and sends one body with its Content-Length', async () => {
    const blob = testBlob(Buffer.alloc(70_000, 1));
    await repository.pushBlob(blob.digest, blob.size, blob.open);

    const put = server.requests.find((request) => request.method === 'PUT');
    expect(put?.url).toBe(`/v2/portal-api/blobs/uploads/abc?uploadId=1&digest=${encodeURIComponent(blob.digest)}`);
    expect(put?.headers['content-length']).toBe(String(blob.size));
    expect(put?.headers['transfer-encoding']).toBeUndefined();
    expect(put?.body.equals(blob.bytes)).toBe(true);
  });

  describe.each([
    ['current ECR wording', { status: 400, code: 'TAG_INVALID', message: "The image tag 'cfg-1' already exists in the 'portal-api' repository and cannot be overwritten because the tag is immutable." }],
    ['older ECR wording', { status: 400, code: 'TAG_INVALID', message: "The image tag 'cfg-1' already exists in the 'portal-api' repository and cannot be overwritten because the repository is immutable." }],
    ['exception name', { status: 400, code: 'ImageTagAlreadyExistsException', message: 'tag exists' }],
  ])('immutable tags (%s)', (_name, rejectTag) => {
    it('counts a tag that already holds the same manifest as success', async () => {
      script.tags.set('cfg-1', manifest(1));
      script.rejectTag = rejectTag;
      expect(await repository.putManifest('cfg-1', OCI, manifest(1))).toBe(sha256(manifest(1)));
    });

    it('raises ImmutableTagError naming both digests when the tag holds another manifest', async () => {
      script.tags.set('cfg-1', manifest(1));
      script.rejectTag = rejectTag;
      const error = await repository.putManifest('cfg-1', OCI, manifest(2)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ImmutableTagError);
      expect(error).toMatchObject({ code: 'TAG_IMMUTABLE', retryable: false, tag: 'cfg-1', wanted: sha256(manifest(2)), existing: sha256(manifest(1)) });
      expect((error as Error).message).toContain(`putManifest cfg-1 in ${server.host}/portal-api: tag cfg-1 is immutable and already holds ${sha256(manifest(1))}`);
      expect((error as Error).cause).toMatchObject({ status: rejectTag.status, code: rejectTag.code });
    });
  });

  it('keeps other 400 answers as registry errors with their code', async () => {
    script.tags.set('cfg-1', manifest(1));
    script.rejectTag = { status: 400, code: 'MANIFEST_INVALID', message: 'manifest invalid' };
    await expect(repository.putManifest('cfg-1', OCI, manifest(2))).rejects.toMatchObject({ name: 'RegistryError', code: 'MANIFEST_INVALID', status: 400 });
  });

  it('refuses a Docker-Content-Digest that differs from the sha256 of the bytes', async () => {
    script.reportedDigest = `sha256:${'e'.repeat(64)}`;
    const error = await repository.putManifest('cfg-2', OCI, manifest(3)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DigestMismatchError);
    expect(error).toMatchObject({ expected: sha256(manifest(3)), received: script.reportedDigest });
  });

  it('refuses to store bytes under a digest they do not hash to, before sending anything', async () => {
    await expect(repository.putManifest(sha256(manifest(4)), OCI, manifest(5))).rejects.toBeInstanceOf(DigestMismatchError);
    expect(server.requests).toHaveLength(0);
  });

  it('verifies a manifest fetched by digest and reads the media type from the document when the header is generic', async () => {
    script.tags.set('cfg-1', manifest(1));
    script.manifestContentType = 'application/json; charset=utf-8';
    expect(await repository.fetchManifest(sha256(manifest(1)))).toEqual({ mediaType: OCI, digest: sha256(manifest(1)), bytes: manifest(1) });
  });

  it('fails a blob stream whose bytes do not match the digest', async () => {
    const wanted = testBlob(Buffer.from('the real layer'));
    script.servedBlob = Buffer.from('a tampered layer');
    const stream = await repository.fetchBlob(wanted.digest);
    await expect(readAll(stream)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH', expected: wanted.digest, received: sha256(script.servedBlob) });
  });

  it.each([
    ['statBlob', (target: RegistryRepository) => target.statBlob('sha256:short')],
    ['pushBlob', (target: RegistryRepository) => target.pushBlob('latest', 1, () => testBlob(Buffer.from('x')).open())],
    ['fetchManifest', (target: RegistryRepository) => target.fetchManifest('../etc')],
  ])('%s refuses malformed digests and references without a request', async (_name, call) => {
    await expect(call(repository)).rejects.toBeInstanceOf(RegistryError);
    expect(server.requests).toHaveLength(0);
  });
});
