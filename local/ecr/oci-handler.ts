import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../kernel/clock';
import type { TokenBook } from './auth';
import { EcrEmulatorError, isEcrEmulatorError } from './errors';
import { handleBlob, handleUpload, handleUploads } from './oci-blobs';
import { basicChallenge, send, sendOciError } from './oci-http';
import type { OciExchange } from './oci-http';
import { handleManifest, handleTags } from './oci-manifests';
import { isRepositoryName, parseOciPath } from './routes';
import type { EcrStore } from './store';

/** What the distribution endpoint needs. */
export interface OciHandlerOptions {
  readonly store: EcrStore;
  readonly tokens: TokenBook;
  readonly clock: Clock;
  /** `http://127.0.0.1:PORT`, for the auth challenge's realm. */
  readonly origin: () => string;
}

const AUTH_MESSAGES = {
  missing: 'Not Authorized',
  malformed: 'Not Authorized',
  'wrong-user': 'Not Authorized: the user name must be AWS',
  'unknown-token': 'Not Authorized',
  expired: 'Your authorization token has expired. Reauthenticate and try again.',
} as const;

/**
 * The OCI distribution endpoint (`/v2/...`). Every call, `GET /v2/`
 * included, needs the Basic credentials GetAuthorizationToken issued, as on
 * ECR (ECR user guide, "Private registry authentication"): otherwise 401 with
 * a Basic challenge.
 */
export function createOciHandler(options: OciHandlerOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const exchange: OciExchange = { store: options.store, req, res, url };
    try {
      const decision = options.tokens.check(req.headers.authorization, options.clock.now());
      if (!decision.ok) {
        const error = new EcrEmulatorError('UNAUTHORIZED', AUTH_MESSAGES[decision.reason]);
        return sendOciError(exchange, error, { 'www-authenticate': basicChallenge(options.origin()) });
      }
      await route(exchange);
    } catch (error) {
      if (res.headersSent) return void res.destroy(error as Error);
      if (isEcrEmulatorError(error)) return sendOciError(exchange, error);
      req.resume();
      const body = { errors: [{ code: 'UNKNOWN', message: `internal failure: ${(error as Error).message}`, detail: {} }] };
      send(exchange, 500, { 'content-type': 'application/json; charset=utf-8' }, Buffer.from(JSON.stringify(body)));
    }
  };
}

async function route(exchange: OciExchange): Promise<void> {
  const found = parseOciPath(exchange.url.pathname);
  if (!found) throw new EcrEmulatorError('NAME_INVALID', `no distribution API endpoint at ${exchange.url.pathname}`);
  if (found.kind === 'base') return send(exchange, 200, { 'content-type': 'application/json; charset=utf-8' }, Buffer.from('{}'));
  if (!isRepositoryName(found.name)) throw new EcrEmulatorError('NAME_INVALID', `invalid repository name ${JSON.stringify(found.name)}`, { repository: found.name });
  switch (found.kind) {
    case 'tags':
      return handleTags(exchange, found.name);
    case 'manifest':
      return handleManifest(exchange, found.name, found.reference);
    case 'blob':
      return handleBlob(exchange, found.name, found.digest);
    case 'uploads':
      return handleUploads(exchange, found.name);
    case 'upload':
      return handleUpload(exchange, found.name, found.uuid);
  }
}
