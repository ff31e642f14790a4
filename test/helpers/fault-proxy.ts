import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Which requests a {@link FaultRule} applies to. */
export interface FaultMatch {
  /** HTTP method, upper case. @default any */
  readonly method?: string;
  /** Tested against the path with query. @default any */
  readonly path?: RegExp;
}

/** A fault for the first `times` matching requests. */
export type FaultRule = FaultMatch & { readonly times: number } & (
    | { readonly fault: 'drop' }
    /** Forwards the request, then throws the upstream answer away and answers `status` (a lost response). */
    | { readonly fault: 'lose-response'; readonly status: number }
    | { readonly fault: 'status'; readonly status: number; readonly retryAfter?: string; readonly body?: string }
  );

/** A request the proxy saw, and what it did with it. */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly outcome: 'forwarded' | 'dropped' | `status ${number}` | `lost, answered ${number}`;
}

/** A running proxy started by {@link startFaultProxy}. */
export interface FaultProxy {
  /** `127.0.0.1:PORT` of the proxy: use it instead of the target. */
  readonly host: string;
  /** Every request seen, in order. */
  readonly requests: ProxiedRequest[];
  /** Adds a rule; rules are checked in the order they were added. */
  inject(rule: FaultRule): void;
  /** Removes all rules (and keeps the request log). */
  clear(): void;
  stop(): Promise<void>;
}

/**
 * Starts an HTTP proxy on a free loopback port in front of `target`
 * (`HOST:PORT`). Requests pass through unchanged (the Host header too, so a
 * registry builds Location URLs that point back at the proxy) unless a rule
 * says to drop the connection (TCP reset), to answer with a status, or to
 * forward and then lose the answer.
 *
 * @example
 * const proxy = await startFaultProxy(registry.host);
 * proxy.inject({ method: 'PUT', path: /\/blobs\/uploads\//, fault: 'status', status: 500, times: 2 });
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const rules: { rule: FaultRule; remaining: number }[] = [];
  const requests: ProxiedRequest[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    const entry = rules.find(({ rule, remaining }) => remaining > 0 && (!rule.method || rule.method === method) && (!rule.path || rule.path.test(path)));
    if (entry) entry.remaining--;
    requests.push({ method, path, outcome: apply(entry?.rule, target, req, res) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    inject: (rule) => {
      rules.push({ rule, remaining: rule.times });
    },
    clear: () => {
      rules.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Carries out a rule (or forwards when there is none) and says what happened. */
function apply(rule: FaultRule | undefined, target: string, req: IncomingMessage, res: ServerResponse): ProxiedRequest['outcome'] {
  switch (rule?.fault) {
    case 'drop':
      req.socket.resetAndDestroy();
      return 'dropped';
    case 'status':
      answer(req, res, rule.status, rule.retryAfter, rule.body);
      return `status ${rule.status}`;
    case 'lose-response':
      forward(target, req, res, rule.status);
      return `lost, answered ${rule.status}`;
    default:
      forward(target, req, res);
      return 'forwarded';
  }
}

function answer(req: IncomingMessage, res: ServerResponse, status: number, retryAfter: string | undefined, body: string | undefined): void {
  req.resume(); // read the request body so the client can finish sending it
  req.on('end', () => {
    const text = body ?? JSON.stringify({ errors: [{ code: 'UNKNOWN', message: `injected fault ${status}` }] });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) };
    if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
    res.writeHead(status, headers).end(text);
  });
}

function forward(target: string, req: IncomingMessage, res: ServerResponse, replaceStatus?: number): void {
  const [hostname, port] = target.split(':');
  const upstream = httpRequest({ hostname, port: Number(port), method: req.method, path: req.url, headers: req.headers }, (upstreamResponse) => {
    if (replaceStatus !== undefined) {
      upstreamResponse.resume();
      upstreamResponse.on('end', () => res.writeHead(replaceStatus, { 'content-length': '0' }).end());
      return;
    }
    res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
    upstreamResponse.pipe(res);
  });
  upstream.on('error', () => req.socket.destroy());
  req.pipe(upstream);
}
