import type { IncomingMessage, ServerResponse } from 'node:http';

/** An AWS-shaped service error: `__type` and message, with its HTTP status. */
export class AwsServiceError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
    this.name = type;
  }
}

/** One operation of an awsJson1_1 / awsJson1_0 service: input object in, output object out. */
export type JsonOperation = (input: Record<string, unknown>) => unknown;

/**
 * Dispatches an awsJson request (`X-Amz-Target: <Prefix>.<Operation>`, JSON
 * body) to the named operation and writes the JSON answer or an AWS error
 * body `{ "__type": ..., "message": ... }` as the SDK v3 expects.
 */
export async function serveAwsJson(req: IncomingMessage, res: ServerResponse, operations: Record<string, JsonOperation>, contentType = 'application/x-amz-json-1.1'): Promise<void> {
  const target = String(req.headers['x-amz-target'] ?? '');
  const name = target.slice(target.lastIndexOf('.') + 1);
  try {
    const operation = operations[name];
    if (!operation) throw new AwsServiceError('UnknownOperationException', `operation ${target || '(none)'} is not emulated`);
    const body = await readBody(req);
    const input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    const output = await operation(input);
    writeJson(res, 200, output ?? {}, contentType);
  } catch (error) {
    const failure = error instanceof AwsServiceError ? error : new AwsServiceError('InternalFailure', (error as Error).message, 500);
    writeJson(res, failure.status, { __type: failure.type, message: failure.message }, contentType);
  }
}

/** Reads a whole request body (small JSON bodies only). */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Writes a JSON response. */
export function writeJson(res: ServerResponse, status: number, value: unknown, contentType = 'application/json'): void {
  // JSON.stringify applies Date#toJSON before the replacer sees the value, so look at the holder's original property.
  const bytes = Buffer.from(JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const original = this[key];
    return original instanceof Date ? original.getTime() / 1000 : v;
  }));
  res.writeHead(status, { 'content-type': contentType, 'content-length': bytes.length, 'x-amzn-requestid': `local-${Date.now().toString(36)}` });
  res.end(bytes);
}
