import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EcrEmulatorError } from './errors';
import type { EcrStore } from './store';

/** Header every distribution API answer carries. */
export const API_VERSION_HEADER = { 'docker-distribution-api-version': 'registry/2.0' } as const;

/** What an endpoint handler works with. */
export interface OciExchange {
  readonly store: EcrStore;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
}

/** Answers with a status, headers and an optional body (never for HEAD). */
export function send(exchange: OciExchange, status: number, headers: Record<string, string | number> = {}, body?: Buffer): void {
  const { req, res } = exchange;
  const all: Record<string, string | number> = { ...API_VERSION_HEADER, ...headers };
  if (body !== undefined) all['content-length'] ??= body.length;
  else if (all['content-length'] === undefined) all['content-length'] = 0;
  res.writeHead(status, all);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Answers with a distribution error body `{"errors":[{code,message,detail}]}` and the code's status. */
export function sendOciError(exchange: OciExchange, error: EcrEmulatorError, headers: Record<string, string> = {}): void {
  exchange.req.resume(); // drain an unread request body so the connection stays usable
  const entry = { code: error.wire.oci, message: error.message, detail: error.detail ?? {} };
  send(exchange, error.wire.status, { 'content-type': 'application/json; charset=utf-8', ...headers }, Buffer.from(JSON.stringify({ errors: [entry] })));
}

/** The challenge ECR sends: Basic, with the registry as realm and `ecr.amazonaws.com` as service. */
export function basicChallenge(origin: string): string {
  return `Basic realm="${origin}/",service="ecr.amazonaws.com"`;
}

/**
 * Parses a chunk's `Content-Range` (`<start>-<end>`, optionally written as
 * `bytes <start>-<end>/<total>`): its start, `undefined` when absent, `null` when malformed.
 */
export function contentRangeStart(header: string | undefined): number | undefined | null {
  if (header === undefined) return undefined;
  const match = /^(?:bytes\s+)?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!match) return null;
  const start = Number(match[1]);
  return Number(match[2]) >= start ? start : null;
}

/** The `Range` header value reporting `size` bytes received: `0-<size-1>` (and `0-0` for none, as registries answer). */
export function receivedRange(size: number): string {
  return `0-${Math.max(0, size - 1)}`;
}
