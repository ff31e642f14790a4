import { pipeline } from 'node:stream/promises';
import { EcrEmulatorError } from './errors';
import { contentRangeStart, receivedRange, send } from './oci-http';
import type { OciExchange } from './oci-http';
import { isSha256Digest } from './routes';

/** HEAD / GET / DELETE `/v2/<name>/blobs/<digest>`. */
export async function handleBlob(exchange: OciExchange, name: string, digest: string): Promise<void> {
  const { store, req } = exchange;
  if (!isSha256Digest(digest)) throw new EcrEmulatorError('DIGEST_MISMATCH', `blob digest must be sha256:<64 hex>, received ${JSON.stringify(digest)}`, { repository: name, reference: digest });
  if (req.method === 'DELETE') {
    await store.deleteBlob(name, digest);
    return send(exchange, 202);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') throw unsupported(req.method, 'GET, HEAD, DELETE');
  const { size, stream } = await store.openBlob(name, digest);
  const headers = { 'content-type': 'application/octet-stream', 'content-length': size, 'docker-content-digest': digest, etag: `"${digest}"` };
  if (req.method === 'HEAD') {
    stream.destroy();
    return send(exchange, 200, headers);
  }
  exchange.res.writeHead(200, { 'docker-distribution-api-version': 'registry/2.0', ...headers });
  await pipeline(stream, exchange.res);
}

/**
 * POST `/v2/<name>/blobs/uploads/`: opens a session (202), uploads
 * monolithically with `?digest=` (201), or mounts with `?mount=&from=` (201
 * when `from` holds the blob, else a session: 202).
 */
export async function handleUploads(exchange: OciExchange, name: string): Promise<void> {
  const { store, req, url } = exchange;
  if (req.method !== 'POST') throw unsupported(req.method, 'POST');
  store.repository(name);
  const mount = url.searchParams.get('mount');
  const from = url.searchParams.get('from');
  if (mount !== null && from !== null && isSha256Digest(mount) && (await store.mountBlob(name, mount, from))) {
    req.resume();
    return created(exchange, name, mount);
  }
  const uuid = await store.blobs.begin(name);
  const digest = url.searchParams.get('digest');
  if (digest !== null && mount === null) {
    await store.blobs.append(name, uuid, req);
    await store.commitUpload(name, uuid, digest);
    return created(exchange, name, digest);
  }
  req.resume();
  return send(exchange, 202, sessionHeaders(name, uuid, 0));
}

/** GET / PATCH / PUT / DELETE `/v2/<name>/blobs/uploads/<uuid>`. */
export async function handleUpload(exchange: OciExchange, name: string, uuid: string): Promise<void> {
  const { store, req, url } = exchange;
  store.repository(name);
  const received = store.blobs.uploaded(name, uuid);
  if (received === undefined) throw new EcrEmulatorError('UPLOAD_UNKNOWN', `upload ${uuid} is not an open upload of repository ${name}`, { repository: name, reference: uuid });
  switch (req.method) {
    case 'GET':
      return send(exchange, 204, sessionHeaders(name, uuid, received));
    case 'DELETE':
      await store.blobs.cancel(name, uuid);
      return send(exchange, 204);
    case 'PATCH':
      return send(exchange, 202, sessionHeaders(name, uuid, await store.blobs.append(name, uuid, req, chunkStart(req.headers['content-range'], name))));
    case 'PUT': {
      const digest = url.searchParams.get('digest');
      if (digest === null) throw new EcrEmulatorError('DIGEST_MISMATCH', 'PUT closing an upload needs ?digest=sha256:<hex>, received none', { repository: name, reference: uuid });
      await store.blobs.append(name, uuid, req, chunkStart(req.headers['content-range'], name));
      await store.commitUpload(name, uuid, digest);
      return created(exchange, name, digest);
    }
    default:
      throw unsupported(req.method, 'GET, PATCH, PUT, DELETE');
  }
}

function chunkStart(header: string | undefined, name: string): number | undefined {
  const start = contentRangeStart(header);
  if (start === null) throw new EcrEmulatorError('RANGE_INVALID', `Content-Range must be <start>-<end>, received ${JSON.stringify(header)}`, { repository: name });
  return start;
}

function created(exchange: OciExchange, name: string, digest: string): void {
  send(exchange, 201, { location: `/v2/${name}/blobs/${digest}`, 'docker-content-digest': digest });
}

function sessionHeaders(name: string, uuid: string, size: number): Record<string, string> {
  return { location: `/v2/${name}/blobs/uploads/${uuid}`, 'docker-upload-uuid': uuid, range: receivedRange(size) };
}

/** 405 for a method an endpoint does not serve. */
export function unsupported(method: string | undefined, allowed: string): EcrEmulatorError {
  return new EcrEmulatorError('UNSUPPORTED', `method ${method ?? '(none)'} is not supported here, expected ${allowed}`);
}
