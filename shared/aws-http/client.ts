/**
 * A lean AWS client: SigV4-signed requests (the AWS SDK's own signer,
 * `@smithy/signature-v4`) over `node:http(s)` with keep-alive, retries with
 * jittered back-off, and AWS error answers turned into {@link AwsHttpError}.
 *
 * It exists for the build-image function's cold start: the SDK clients it
 * replaces there (S3, ECR, EventBridge, DynamoDB) cost either about 180 ms to
 * import from the Lambda runtime or about 450 KB bundled. It covers what
 * that function calls and nothing more: awsJson 1.0/1.1 operations and S3
 * object reads. Everything else in the project uses the AWS SDK clients.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac } from 'node:crypto';
import type { Hash, Hmac } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AwsServiceName, AwsServiceSpec, ResolvedEndpoint } from './endpoint';
import { AWS_SERVICES, regionFrom, resolveEndpoint } from './endpoint';
import { isRetryableAwsError } from '../adapters/aws-error';
import { AwsHttpError, isThrottling } from './errors';

/** Options of {@link AwsHttpClient}. */
export interface AwsHttpClientOptions {
  readonly service: AwsServiceName;
  /** @default `AWS_REGION`, then `AWS_DEFAULT_REGION` */
  readonly region?: string;
  /** An endpoint URL. @default `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, then the service's regional endpoint */
  readonly endpoint?: string;
  /** Credentials, or a provider of them (in Lambda: the environment's, see `functions/credentials`). */
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Attempts per call, the first included. @default 3 (the SDK's standard mode) */
  readonly maxAttempts?: number;
  /** A socket without activity this long fails the attempt. @default 60000 */
  readonly socketTimeoutMs?: number;
  /** Waits between attempts; for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Source of the variables above. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** One request: path already URI-encoded, as sent. */
export interface AwsHttpRequest {
  /** Operation name, for messages. */
  readonly operation: string;
  readonly method: 'GET' | 'HEAD' | 'POST';
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Prepended to the endpoint's host name (S3 virtual-hosted buckets). */
  readonly hostPrefix?: string;
}

/** A successful answer; the caller consumes or discards `body`. */
export interface AwsHttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: IncomingMessage;
}

const BASE_DELAY_MS = 100;
const THROTTLING_BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 20_000;
const MAX_ERROR_BODY = 64 * 1024;
const USER_AGENT = 'wicked-control-plane aws-http';
const AGENTS = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) } as const;

/**
 * Signs, sends and retries requests to one AWS service.
 *
 * @example
 * const ecr = new AwsHttpClient({ service: 'ecr', credentials: defaultProvider() });
 * const out = await ecr.callJson<{ authorizationData?: unknown[] }>('GetAuthorizationToken', {});
 */
export class AwsHttpClient {
  readonly service: AwsServiceName;
  readonly region: string;
  readonly endpoint: ResolvedEndpoint;
  private readonly spec: AwsServiceSpec;
  private readonly signer: SignatureV4;
  private readonly maxAttempts: number;
  private readonly socketTimeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: AwsHttpClientOptions) {
    const env = options.env ?? process.env;
    this.service = options.service;
    this.spec = AWS_SERVICES[options.service];
    this.region = options.region ?? regionFrom(env);
    this.endpoint = options.endpoint === undefined
      ? resolveEndpoint(options.service, this.region, env)
      : resolveEndpoint(options.service, this.region, { [`AWS_ENDPOINT_URL_${this.spec.endpointVariable}`]: options.endpoint });
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.socketTimeoutMs = options.socketTimeoutMs ?? 60_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.signer = new SignatureV4({
      service: this.spec.signingName,
      region: this.region,
      credentials: options.credentials,
      sha256: NodeSha256,
      // S3 signs the path as sent; every other service signs it encoded once more.
      uriEscapePath: options.service !== 's3',
      applyChecksum: true,
    });
  }

  /**
   * Calls an awsJson operation: input as JSON, output parsed.
   *
   * @throws {AwsHttpError} with AWS's error code as `name`.
   */
  async callJson<T>(operation: string, input: object): Promise<T> {
    const json = this.spec.json;
    if (json === undefined) throw new AwsHttpError('InvalidOperation', `${this.service} does not speak awsJson: ${operation}`, { fault: 'client' });
    const response = await this.send({
      operation, method: 'POST', path: '/', body: JSON.stringify(input),
      headers: { 'content-type': `application/x-amz-json-${json.version}`, 'x-amz-target': `${json.targetPrefix}.${operation}` },
    });
    const text = await readText(response.body, Infinity);
    try {
      return (text.length === 0 ? {} : JSON.parse(text)) as T;
    } catch (error) {
      throw new AwsHttpError('InvalidResponse', `${this.service}:${operation} answered ${response.status} with a body that is not JSON (${text.length} bytes)`, { status: response.status, fault: 'server', cause: error });
    }
  }

  /**
   * Sends one request, retrying network failures, 5xx and throttling up to
   * `maxAttempts` times with full-jitter exponential back-off. A 2xx answer is
   * returned with its body unread.
   *
   * @throws {AwsHttpError} the last failure, naming the operation and attempts.
   */
  async send(request: AwsHttpRequest): Promise<AwsHttpResponse> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(request);
      } catch (error) {
        // Only an exchange fails with an AwsHttpError; anything else (no credentials to sign with) is the caller's, unchanged.
        if (!(error instanceof AwsHttpError)) throw error;
        if (attempt >= this.maxAttempts || !isRetryableAwsError(error)) throw withAttempts(error, attempt);
        const base = isThrottling(error) ? THROTTLING_BASE_DELAY_MS : BASE_DELAY_MS;
        await this.sleep(Math.random() * Math.min(MAX_DELAY_MS, base * 2 ** (attempt - 1)));
      }
    }
  }

  private async attempt(request: AwsHttpRequest): Promise<AwsHttpResponse> {
    const { url } = this.endpoint;
    const hostname = `${request.hostPrefix ?? ''}${url.hostname}`;
    const host = url.port ? `${hostname}:${url.port}` : hostname;
    const basePath = url.pathname.replace(/\/$/, '');
    const headers: Record<string, string> = { ...request.headers, host, 'user-agent': USER_AGENT };
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
    const signed = await this.signer.sign({
      method: request.method, protocol: url.protocol, hostname, path: `${basePath}${request.path}`,
      query: { ...request.query }, headers, ...(request.body === undefined ? {} : { body: request.body }),
      ...(url.port ? { port: Number(url.port) } : {}),
    });
    const search = new URLSearchParams(request.query ?? {}).toString().replace(/\+/g, '%20');
    const target = `${basePath}${request.path}${search ? `?${search}` : ''}`;
    const response = await this.exchange(url.protocol, { hostname, port: url.port, path: target, method: request.method, headers: signed.headers as Record<string, string> }, request);
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return { status, headers: response.headers, body: response };
    throw await this.failure(request, response);
  }

  /**
   * One HTTP exchange; resolves with the response as soon as its head arrives.
   * Not the registry client's transport: that one takes a WHATWG URL, which
   * folds `.`/`..` path segments, and an S3 key may hold them (S3 signs the
   * path as sent).
   */
  private exchange(protocol: string, options: http.RequestOptions, request: AwsHttpRequest): Promise<IncomingMessage> {
    const transport = protocol === 'http:' ? http : https;
    const agent = protocol === 'http:' ? AGENTS['http:'] : AGENTS['https:'];
    return new Promise((resolve, reject) => {
      const req = transport.request({ ...options, agent }, resolve);
      req.setTimeout(this.socketTimeoutMs, () => req.destroy(Object.assign(new Error(`no activity for ${this.socketTimeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', (error: NodeJS.ErrnoException) => {
        reject(new AwsHttpError('NetworkError', `${this.service}:${request.operation} at ${this.endpoint.url.origin}: ${error.code ?? 'network error'}: ${error.message}`, {
          fault: 'server', cause: error, ...(error.code === undefined ? {} : { networkCode: error.code }),
        }));
      });
      req.end(request.body);
    });
  }

  /** The error an answer carries: awsJson `__type`, `x-amzn-ErrorType`, S3's XML `<Code>`, or the status. */
  private async failure(request: AwsHttpRequest, response: IncomingMessage): Promise<AwsHttpError> {
    const status = response.statusCode ?? 0;
    const text = request.method === 'HEAD' ? '' : await readText(response, MAX_ERROR_BODY).catch(() => '');
    const { code, message } = parseErrorBody(text, response.headers);
    const requestId = header(response.headers, 'x-amzn-requestid') ?? header(response.headers, 'x-amz-request-id');
    const name = code ?? statusName(status);
    const region = header(response.headers, 'x-amz-bucket-region');
    const where = region && region !== this.region ? ` (the bucket is in ${region}, the client in ${this.region})` : '';
    return new AwsHttpError(name, `${this.service}:${request.operation} answered ${status} ${name}${message ? `: ${message}` : ''}${where}`, {
      status, fault: status >= 500 ? 'server' : 'client', ...(requestId === undefined ? {} : { requestId }),
    });
  }
}

/** The error code and message of an AWS error body (awsJson or XML), else the `x-amzn-ErrorType` header. */
export function parseErrorBody(text: string, headers: IncomingHttpHeaders = {}): { code?: string; message?: string } {
  const fromHeader = header(headers, 'x-amzn-errortype')?.split(':')[0];
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const body = JSON.parse(trimmed) as { __type?: unknown; code?: unknown; message?: unknown; Message?: unknown };
      const type = typeof body.__type === 'string' ? body.__type : typeof body.code === 'string' ? body.code : fromHeader;
      const message = typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : undefined;
      return { ...(type ? { code: type.slice(type.lastIndexOf('#') + 1).split(':')[0]! } : {}), ...(message ? { message } : {}) };
    } catch {
      // not JSON after all: fall through to the header
    }
  }
  if (trimmed.startsWith('<')) {
    const code = /<Code>([^<]+)<\/Code>/.exec(trimmed)?.[1];
    const message = /<Message>([^<]*)<\/Message>/.exec(trimmed)?.[1];
    return { ...(code ? { code } : fromHeader ? { code: fromHeader } : {}), ...(message ? { message: unescapeXml(message) } : {}) };
  }
  return fromHeader ? { code: fromHeader } : {};
}

function statusName(status: number): string {
  if (status === 404) return 'NotFound';
  if (status === 403) return 'Forbidden';
  if (status === 429) return 'TooManyRequestsException';
  if (status === 503) return 'ServiceUnavailable';
  if (status >= 500) return 'InternalError';
  return `Http${status}`;
}

function unescapeXml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function withAttempts(error: AwsHttpError, attempts: number): AwsHttpError {
  if (attempts === 1) return error;
  const again = new AwsHttpError(error.name, `${error.message} (after ${attempts} attempts)`, {
    fault: error.$fault, attempts, cause: error.cause,
    ...(error.$metadata.httpStatusCode === undefined ? {} : { status: error.$metadata.httpStatusCode }),
    ...(error.$metadata.requestId === undefined ? {} : { requestId: error.$metadata.requestId }),
    ...(error.networkCode === undefined ? {} : { networkCode: error.networkCode }),
  });
  return again;
}

/** Reads a body as UTF-8, up to `limit` bytes (the rest is drained). */
async function readText(body: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    if (size < limit) chunks.push(buffer.subarray(0, Math.max(0, limit - size)));
    size += buffer.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** SHA-256 (and HMAC-SHA-256 with a secret) from `node:crypto`, in the shape the signer takes. */
export class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = NodeSha256.create(secret);
  }

  private static create(secret?: SourceData): Hash | Hmac {
    return secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }

  update(data: Uint8Array): void {
    this.hash.update(toBuffer(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {
    this.hash = NodeSha256.create(this.secret);
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
