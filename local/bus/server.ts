import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsServiceError, serveAwsJson } from '../kernel/aws-json';
import type { LocalBus } from './bus';

/** Most entries one PutEvents call accepts ("PutEvents" API reference). */
export const MAX_PUT_EVENTS_ENTRIES = 10;

/** Options of {@link startEventBridge}. */
export interface EventBridgeServerOptions {
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  readonly bus: LocalBus;
  /** Bus names PutEvents accepts besides `default`. @default [] */
  readonly busNames?: readonly string[];
}

/** One PutEvents result entry: an event id, or an error code and message. */
export interface PutEventsResultEntry {
  readonly EventId?: string;
  readonly ErrorCode?: string;
  readonly ErrorMessage?: string;
}

/**
 * Serves EventBridge PutEvents (awsJson1_1, `X-Amz-Target: AWSEvents.PutEvents`)
 * on 127.0.0.1 and puts each entry on the local bus. Per-entry failures are
 * reported with status 200 and `FailedEntryCount`, as EventBridge does.
 *
 * @example
 * const { url } = await startEventBridge({ bus });
 * new EventBridgeClient({ endpoint: url });
 */
export async function startEventBridge(options: EventBridgeServerOptions): Promise<{ url: string; stop(): Promise<void> }> {
  const names = new Set(['default', ...(options.busNames ?? [])]);
  const operations = {
    PutEvents: (input: Record<string, unknown>) => putEvents(options.bus, names, input),
  };
  const server = createServer((req, res) => { void serveAwsJson(req, res, operations); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** PutEvents against the bus: validates each entry and puts the valid ones. */
export function putEvents(bus: LocalBus, busNames: ReadonlySet<string>, input: Record<string, unknown>): { FailedEntryCount: number; Entries: PutEventsResultEntry[] } {
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_PUT_EVENTS_ENTRIES) {
    throw new AwsServiceError('ValidationException', `Entries: received ${Array.isArray(entries) ? entries.length : typeof entries} entries, expected 1 to ${MAX_PUT_EVENTS_ENTRIES}`);
  }
  const results = entries.map((entry) => putEntry(bus, busNames, entry as Record<string, unknown>));
  return { FailedEntryCount: results.filter((result) => result.ErrorCode).length, Entries: results };
}

function putEntry(bus: LocalBus, busNames: ReadonlySet<string>, entry: Record<string, unknown>): PutEventsResultEntry {
  const busName = typeof entry.EventBusName === 'string' && entry.EventBusName ? busNameOf(entry.EventBusName) : 'default';
  if (!busNames.has(busName)) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${busName} does not exist.` };
  if (typeof entry.Source !== 'string' || !entry.Source) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' };
  if (typeof entry.DetailType !== 'string' || !entry.DetailType) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' };
  const detail = parseDetail(entry.Detail);
  if (!detail) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  const time = typeof entry.Time === 'number' ? new Date(entry.Time * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
  const event = bus.put({
    source: entry.Source,
    'detail-type': entry.DetailType,
    resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
    detail,
    ...(time ? { time } : {}),
  });
  return { EventId: event.id };
}

function parseDetail(detail: unknown): Record<string, unknown> | undefined {
  if (detail === undefined) return {};
  if (typeof detail !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(detail);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A bus is named by name or by ARN (`arn:aws:events:region:account:event-bus/NAME`). */
function busNameOf(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
}
