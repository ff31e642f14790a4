import type { IncomingMessage } from 'node:http';
import { EcrEmulatorError } from './errors';
import { unsupported } from './oci-blobs';
import { send } from './oci-http';
import type { OciExchange } from './oci-http';
import { pageTags } from './repository-state';

/** Largest manifest ECR accepts (4 MiB, ECR service quotas). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** HEAD / GET / PUT / DELETE `/v2/<name>/manifests/<reference>`. */
export async function handleManifest(exchange: OciExchange, name: string, reference: string): Promise<void> {
  const { store, req } = exchange;
  switch (req.method) {
    case 'GET':
    case 'HEAD': {
      const manifest = await store.getManifest(name, reference);
      return send(exchange, 200, { 'content-type': manifest.mediaType, 'docker-content-digest': manifest.digest, etag: `"${manifest.digest}"` }, manifest.bytes);
    }
    case 'PUT': {
      const bytes = await readLimited(req, MAX_MANIFEST_BYTES, name);
      const push = await store.putManifest(name, reference, bytes, req.headers['content-type'], 'oci');
      return send(exchange, 201, { location: `/v2/${name}/manifests/${push.digest}`, 'docker-content-digest': push.digest });
    }
    case 'DELETE':
      await store.deleteManifest(name, reference);
      return send(exchange, 202);
    default:
      throw unsupported(req.method, 'GET, HEAD, PUT, DELETE');
  }
}

/** GET `/v2/<name>/tags/list[?n=&last=]`, with a `Link` header when more tags follow. */
export function handleTags(exchange: OciExchange, name: string): void {
  const { store, req, url } = exchange;
  if (req.method !== 'GET' && req.method !== 'HEAD') throw unsupported(req.method, 'GET');
  const record = store.repository(name);
  const nText = url.searchParams.get('n');
  const n = nText === null ? undefined : Number(nText);
  if (n !== undefined && (!Number.isSafeInteger(n) || n < 0)) throw new EcrEmulatorError('INVALID_PARAMETER', `n must be a non-negative integer, received ${JSON.stringify(nText)}`, { repository: name });
  const { page, more } = pageTags(Object.keys(record.tags), n, url.searchParams.get('last') ?? undefined);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (more) headers.link = `</v2/${name}/tags/list?n=${n}&last=${encodeURIComponent(page.at(-1) as string)}>; rel="next"`;
  send(exchange, 200, headers, Buffer.from(JSON.stringify({ name, tags: page })));
}

async function readLimited(req: IncomingMessage, limit: number, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > limit) throw new EcrEmulatorError('MANIFEST_INVALID', `manifest is larger than ${limit} bytes`, { repository: name });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
