import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';

/**
 * Deletion protection in front of dynalite, which predates it. As DynamoDB
 * does ("Using deletion protection", Amazon DynamoDB Developer Guide; the
 * `DeletionProtectionEnabled` member of CreateTable, UpdateTable and
 * TableDescription): CreateTable and UpdateTable take the flag (UpdateTable
 * may carry it alone), DescribeTable and the table descriptions report it,
 * and DeleteTable of a protected table fails with a ValidationException.
 * Everything else passes through unchanged.
 */
export class DeletionProtectionFront {
  private readonly protectedTables = new Set<string>();

  /**
   * @param backend `http://127.0.0.1:PORT` of dynalite.
   * @param passThrough dynalite's own request listener: every operation that neither takes the flag nor describes a
   *   table goes straight to it, on the same connection (no second HTTP exchange, no JSON parsed here).
   */
  constructor(private readonly backend: string, private readonly passThrough?: (req: IncomingMessage, res: ServerResponse) => void) {}

  /** Whether a table is protected now. */
  isProtected(table: string): boolean {
    return this.protectedTables.has(table);
  }

  /** The request listener of the front server. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.passThrough && !TABLE_OPERATIONS.has(String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '')) {
      this.passThrough(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void this.route(req, Buffer.concat(chunks), res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: (error as Error).message }));
      });
    });
  };

  private async route(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const input = parse(body);
    const table = typeof input?.TableName === 'string' ? input.TableName : undefined;
    const flag = typeof input?.DeletionProtectionEnabled === 'boolean' ? input.DeletionProtectionEnabled : undefined;
    if (operation === 'DeleteTable' && table !== undefined && this.protectedTables.has(table)) {
      return reply(res, 400, { __type: 'com.amazon.coral.validate#ValidationException', message: `Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first. (table ${table})` });
    }
    if ((operation === 'CreateTable' || operation === 'UpdateTable') && input && flag !== undefined) {
      const { DeletionProtectionEnabled: _flag, ...rest } = input;
      const others = Object.keys(rest).filter((key) => key !== 'TableName');
      // An UpdateTable that only switches the flag: dynalite would refuse it as empty, DynamoDB answers with the table.
      const flagOnly = operation === 'UpdateTable' && others.length === 0;
      const forwarded = flagOnly
        ? asUpdateTableOutput(await this.forward(req, 'DynamoDB_20120810.DescribeTable', { TableName: table }))
        : await this.forward(req, String(req.headers['x-amz-target']), rest);
      if (forwarded.status === 200 && table !== undefined) {
        if (flag) this.protectedTables.add(table);
        else this.protectedTables.delete(table);
      }
      return this.answer(res, forwarded);
    }
    return this.answer(res, await this.forward(req, String(req.headers['x-amz-target'] ?? ''), body));
  }

  /** Sends the answer with `DeletionProtectionEnabled` on every table description. */
  private answer(res: ServerResponse, forwarded: Forwarded): void {
    const output = forwarded.status === 200 ? parse(forwarded.body) : undefined;
    const description = output && (output.Table ?? output.TableDescription);
    if (description && typeof description === 'object' && typeof (description as Record<string, unknown>).TableName === 'string') {
      const name = (description as Record<string, unknown>).TableName as string;
      (description as Record<string, unknown>).DeletionProtectionEnabled = this.protectedTables.has(name);
      return reply(res, 200, output);
    }
    res.writeHead(forwarded.status, forwarded.headers);
    res.end(forwarded.body);
  }

  private forward(req: IncomingMessage, target: string, input: Record<string, unknown> | Buffer): Promise<Forwarded> {
    const payload = Buffer.isBuffer(input) ? input : Buffer.from(JSON.stringify(input));
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string' && name !== 'content-length' && name !== 'host') headers[name] = value;
    headers['x-amz-target'] = target;
    headers['content-length'] = String(payload.length);
    return new Promise((resolve, reject) => {
      const out = request(`${this.backend}${req.url ?? '/'}`, { method: req.method, headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const kept: Record<string, string> = {};
          for (const [name, value] of Object.entries(answer.headers)) if (typeof value === 'string' && name !== 'content-length' && name !== 'x-amz-crc32') kept[name] = value;
          resolve({ status: answer.statusCode ?? 500, headers: kept, body: Buffer.concat(chunks) });
        });
        answer.on('error', reject);
      });
      out.on('error', reject);
      out.end(payload);
    });
  }
}

/** The operations that take `DeletionProtectionEnabled`, refuse a protected table, or answer with a table description. */
const TABLE_OPERATIONS: ReadonlySet<string> = new Set(['CreateTable', 'UpdateTable', 'DeleteTable', 'DescribeTable']);

interface Forwarded {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** A DescribeTable answer (`Table`) as UpdateTable's (`TableDescription`). */
function asUpdateTableOutput(forwarded: Forwarded): Forwarded {
  const output = forwarded.status === 200 ? parse(forwarded.body) : undefined;
  if (!output) return forwarded;
  return { ...forwarded, body: Buffer.from(JSON.stringify({ TableDescription: output.Table })) };
}

function parse(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

function reply(res: ServerResponse, status: number, output: unknown): void {
  const text = JSON.stringify(output);
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': String(Buffer.byteLength(text)), 'x-amzn-requestid': randomUUID() });
  res.end(text);
}
