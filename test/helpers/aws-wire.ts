import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import { createHash, createHmac } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The credentials the wire checks signatures with. */
export const WIRE_CREDENTIALS = { accessKeyId: 'AKIDWIRETEST', secretAccessKey: 'wire/test/secret/key', sessionToken: 'wire-session-token' } as const;

/** One request as it arrived, with what the signature check found. */
export interface WireRequest {
  readonly method: string;
  /** Path and query exactly as sent. */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** `X-Amz-Target`'s operation, or `GetObject` for an S3 GET. */
  readonly operation: string;
  /** Service and region of the credential scope. */
  readonly scope: { readonly service: string; readonly region: string } | undefined;
  /** Undefined when the signature verified; otherwise why not. */
  readonly signatureProblem: string | undefined;
}

/** A canned answer. */
export interface WireAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Destroy the socket instead of answering (a network failure). */
  readonly drop?: boolean;
}

/** An S3 object the wire serves: a file or bytes. */
export type WireObject = { readonly file: string } | { readonly bytes: Buffer };

/**
 * A local HTTP server that speaks the AWS wire protocols build-image's SDK clients
 * use (awsJson by `X-Amz-Target`, S3 path-style GET) and checks every
 * request's SigV4 signature against {@link WIRE_CREDENTIALS}: the canonical
 * request is rebuilt from what arrived on the socket, so a header, path or
 * query sent differently from what was signed fails the check.
 */
export interface AwsWire {
  readonly url: string;
  readonly requests: WireRequest[];
  /** S3 objects by `bucket/key` (and `bucket/key?versionId=v` for a version). */
  readonly objects: Map<string, WireObject>;
  /** awsJson operations: input in, output (or a canned failure) out. */
  readonly json: Map<string, (input: Record<string, unknown>) => unknown>;
  /** Answers the next `times` requests of an operation with `answer`. */
  failNext(operation: string, answer: WireAnswer, times?: number): void;
  stop(): Promise<void>;
}

/** Starts an {@link AwsWire} on 127.0.0.1. */
export async function startAwsWire(): Promise<AwsWire> {
  const requests: WireRequest[] = [];
  const objects = new Map<string, WireObject>();
  const json = new Map<string, (input: Record<string, unknown>) => unknown>();
  const failures: { operation: string; answer: WireAnswer; left: number }[] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ __type: 'InternalFailure', message: String(error) }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target ? target.slice(target.lastIndexOf('.') + 1) : req.method === 'GET' ? 'GetObject' : `${req.method}`;
    const { scope, problem } = await verify(req, body);
    requests.push({ method: req.method!, url: req.url!, headers: req.headers, body, operation, scope, signatureProblem: problem });
    const failure = failures.find((f) => f.operation === operation && f.left > 0);
    if (failure) {
      failure.left--;
      if (failure.answer.drop) {
        req.socket.destroy();
        return;
      }
      res.writeHead(failure.answer.status, failure.answer.headers ?? {});
      res.end(failure.answer.body);
      return;
    }
    if (problem !== undefined) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ __type: 'InvalidSignatureException', message: problem }));
      return;
    }
    if (target) {
      const op = json.get(operation);
      if (!op) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'UnknownOperationException', message: `no ${operation}` }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `wire-${requests.length}` });
      res.end(JSON.stringify(op(JSON.parse(body || '{}') as Record<string, unknown>)));
      return;
    }
    const url = new URL(req.url!, 'http://wire');
    const path = decodeURIComponent(url.pathname.slice(1));
    const version = url.searchParams.get('versionId');
    const object = objects.get(version ? `${path}?versionId=${version}` : path);
    if (!object) {
      res.writeHead(404, { 'content-type': 'application/xml', 'x-amz-request-id': 'wire-404' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${path}</Key></Error>`);
      return;
    }
    const bytes = 'bytes' in object ? object.bytes : undefined;
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      ...(version ? { 'x-amz-version-id': version } : {}),
      ...(bytes ? { 'content-length': String(bytes.length) } : {}),
    });
    if (bytes) res.end(bytes);
    else createReadStream((object as { file: string }).file).pipe(res);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests, objects, json,
    failNext: (operation, answer, times = 1) => { failures.push({ operation, answer, left: times }); },
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

/** Rebuilds the signature of a request from what arrived; `problem` says what does not match. */
async function verify(req: IncomingMessage, body: string): Promise<{ scope: WireRequest['scope']; problem: string | undefined }> {
  const match = AUTHORIZATION.exec(String(req.headers.authorization ?? ''));
  if (!match) return { scope: undefined, problem: `no SigV4 Authorization header: ${String(req.headers.authorization)}` };
  const [, keyId, , region, service, signedHeaders, signature] = match;
  const scope = { service: service!, region: region! };
  if (keyId !== WIRE_CREDENTIALS.accessKeyId) return { scope, problem: `signed with key ${keyId}` };
  if (req.headers['x-amz-security-token'] !== WIRE_CREDENTIALS.sessionToken) return { scope, problem: 'no or wrong x-amz-security-token' };
  const payloadHash = createHash('sha256').update(body).digest('hex');
  const sentHash = req.headers['x-amz-content-sha256'];
  if (sentHash !== undefined && sentHash !== 'UNSIGNED-PAYLOAD' && sentHash !== payloadHash) return { scope, problem: `x-amz-content-sha256 ${String(sentHash)} is not the body's ${payloadHash}` };
  const headers: Record<string, string> = {};
  for (const name of signedHeaders!.split(';')) {
    const value = req.headers[name];
    if (value === undefined) return { scope, problem: `signed header ${name} was not sent` };
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const url = new URL(req.url!, 'http://wire');
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => { query[key] = value; });
  const date = String(req.headers['x-amz-date']);
  const signingDate = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
  const signer = new SignatureV4({
    service: service!, region: region!, credentials: WIRE_CREDENTIALS, sha256: WireSha256,
    uriEscapePath: service !== 's3', applyChecksum: false,
  });
  const [hostname, port] = String(req.headers.host).split(':');
  const signed = await signer.sign(
    { method: req.method!, protocol: 'http:', hostname: hostname!, ...(port ? { port: Number(port) } : {}), path: service === 's3' ? url.pathname : decodeURIComponent(url.pathname), query, headers, body },
    { signingDate, unsignableHeaders: new Set(), signableHeaders: new Set(Object.keys(headers)) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1];
  return { scope, problem: expected === signature ? undefined : `signature ${signature} does not match the request as received (expected ${expected})` };
}

function bytes(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data);
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

class WireSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {}
}
