import { createRegistryRepository, RegistryError } from '../../../shared/oci/registry';
import type { RegistryRepository } from '../../../shared/oci/registry';
import { startFaultProxy } from '../../helpers/fault-proxy';
import type { FaultProxy } from '../../helpers/fault-proxy';
import { startRegistry } from '../../helpers/registry-server';
import type { RegistryServer } from '../../helpers/registry-server';
import { readAll, testBlob, tinyImage } from './tiny-image';

describe('RegistryRepository through a fault-injecting proxy in front of docker-registry', () => {
  let registry: RegistryServer;
  let proxy: FaultProxy;
  const sleeps: number[] = [];
  const open = (repository: string, maxAttempts = 4): RegistryRepository =>
    createRegistryRepository({
      host: proxy.host,
      repository,
      insecure: true,
      retry: { maxAttempts, baseDelayMs: 4, maxDelayMs: 20, maxElapsedMs: 5000 },
      runtime: { sleep: async (ms) => void sleeps.push(ms) },
    });

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry.host);
  });
  afterAll(async () => {
    await proxy.stop();
    await registry.stop();
  });
  beforeEach(() => {
    proxy.clear();
    proxy.requests.length = 0;
    sleeps.length = 0;
  });

  it('retries a blob upload whose PUT answers 500 twice, starting a new upload session each time', async () => {
    const blob = testBlob(Buffer.from('layer bytes that must arrive once'));
    const target = open('faults/upload');
    proxy.inject({ method: 'PUT', path: /\/blobs\/uploads\//, fault: 'status', status: 500, times: 2 });

    await target.pushBlob(blob.digest, blob.size, blob.open);

    expect(await target.statBlob(blob.digest)).toBe(blob.size);
    const uploads = proxy.requests.filter((request) => request.path.includes('/blobs/uploads/'));
    expect(uploads.map((request) => `${request.method} ${request.outcome}`)).toEqual([
      'POST forwarded', 'PUT status 500', 'POST forwarded', 'PUT status 500', 'POST forwarded', 'PUT forwarded',
    ]);
    expect(sleeps).toHaveLength(2);
  });

  it('retries after dropped connections and re-opens the body for every attempt', async () => {
    const blob = testBlob(Buffer.alloc(256 * 1024, 7));
    let opened = 0;
    const target = open('faults/drop');
    proxy.inject({ method: 'PUT', path: /\/blobs\/uploads\//, fault: 'drop', times: 2 });

    await target.pushBlob(blob.digest, blob.size, () => {
      opened++;
      return blob.open();
    });

    expect(opened).toBe(3);
    expect((await readAll(await target.fetchBlob(blob.digest))).equals(blob.bytes)).toBe(true);
    expect(proxy.requests.filter((request) => request.outcome === 'dropped')).toHaveLength(2);
  });

  it('honours Retry-After on 429 for manifests and blob reads', async () => {
    const image = await tinyImage({ 'a.txt': 'a' });
    const target = open('faults/throttled');
    for (const blob of [image.layer, image.config]) await target.pushBlob(blob.digest, blob.size, blob.open);
    proxy.inject({ method: 'PUT', path: /\/manifests\//, fault: 'status', status: 429, retryAfter: '1', times: 1 });
    proxy.inject({ method: 'GET', path: /\/blobs\/sha256:/, fault: 'status', status: 503, times: 1 });

    expect(await target.putManifest('v1', image.manifestMediaType, image.manifest.bytes)).toBe(image.manifest.digest);
    expect((await readAll(await target.fetchBlob(image.config.digest))).equals(image.config.bytes)).toBe(true);

    expect(sleeps[0]).toBe(1000);
    expect(sleeps).toHaveLength(2);
  });

  it('does not upload again when the blob was stored but the answer was lost', async () => {
    const blob = testBlob(Buffer.from('stored, but the answer was lost'));
    let opened = 0;
    const target = open('faults/lost-answer');
    proxy.inject({ method: 'PUT', path: /\/blobs\/uploads\//, fault: 'lose-response', status: 502, times: 1 });

    await target.pushBlob(blob.digest, blob.size, () => {
      opened++;
      return blob.open();
    });

    const calls = proxy.requests.filter((request) => request.path.includes('/blobs/')).map((request) => `${request.method} ${request.outcome}`);
    expect(calls).toEqual(['POST forwarded', 'PUT lost, answered 502', 'HEAD forwarded']);
    expect(opened).toBe(1);
    expect(await target.statBlob(blob.digest)).toBe(blob.size);
  });

  it('gives up with a retryable RegistryError when the faults outlast the attempts', async () => {
    const blob = testBlob(Buffer.from('never stored'));
    const target = open('faults/broken', 3);
    proxy.inject({ method: 'POST', path: /\/blobs\/uploads\//, fault: 'status', status: 503, times: 100 });

    const error = await target.pushBlob(blob.digest, blob.size, blob.open).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: 'UNKNOWN', status: 503, retryable: true, attempts: 3 });
    expect((error as Error).message).toMatch(/pushBlob sha256:[0-9a-f]{64} in 127\.0\.0\.1:\d+\/faults\/broken: POST .* answered 503 .*gave up after 3 attempts/);
  });

  it('gives up with a retryable network error when every connection is dropped', async () => {
    const target = open('faults/unreachable', 2);
    proxy.inject({ path: /^\/v2\//, fault: 'drop', times: 100 });

    const error = await target.fetchManifest('latest').catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'RegistryError', code: 'NETWORK_ERROR', retryable: true, attempts: 2 });
    expect((error as RegistryError).networkCode).toMatch(/^(ECONNRESET|UND_ERR_SOCKET|EPIPE)$/);
  });

  it('uses the upload session of a declined mount instead of starting another', async () => {
    const blob = testBlob(Buffer.from('not in the source repository'));
    const target = open('faults/mount-target');

    expect(await target.mountBlob(blob.digest, 'faults/upload')).toBe(false);
    await target.pushBlob(blob.digest, blob.size, blob.open);

    const calls = proxy.requests.filter((request) => request.path.includes('/blobs/')).map((request) => request.method);
    expect(calls).toEqual(['POST', 'PUT']);
    expect(await target.statBlob(blob.digest)).toBe(blob.size);
  });

  it('cancels the upload session of a declined mount that was never used', async () => {
    const blob = testBlob(Buffer.from('mounted nowhere, pushed never'));
    const target = open('faults/abandoned');

    expect(await target.mountBlob(blob.digest, 'faults/upload')).toBe(false);
    await target.abandonUploads();
    await target.abandonUploads(); // nothing left to cancel

    const calls = proxy.requests.filter((request) => request.path.includes('/blobs/uploads/')).map((request) => request.method);
    expect(calls).toEqual(['POST', 'DELETE']);
  });
});
