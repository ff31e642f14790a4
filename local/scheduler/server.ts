import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { readBody, writeJson } from '../kernel/aws-json';
import { SchedulerEmulatorError, SchedulerValidationError } from './errors';
import type { LocalScheduler } from './scheduler';
import { listenLocal } from '../kernel/listen';

type Route = (scheduler: LocalScheduler, name: string, query: URLSearchParams, body: Record<string, unknown>) => unknown;

/** restJson1 routes of the operations emulated: method and path pattern → operation. */
const ROUTES: readonly { method: string; path: RegExp; run: Route }[] = [
  { method: 'POST', path: /^\/schedules\/([^/]+)$/, run: (s, name, _q, body) => ({ ScheduleArn: s.createSchedule(name, body) }) },
  { method: 'PUT', path: /^\/schedules\/([^/]+)$/, run: (s, name, _q, body) => ({ ScheduleArn: s.updateSchedule(name, body) }) },
  { method: 'GET', path: /^\/schedules\/([^/]+)$/, run: (s, name, q) => s.getSchedule(name, q.get('groupName') ?? 'default') },
  { method: 'DELETE', path: /^\/schedules\/([^/]+)$/, run: (s, name, q) => { s.deleteSchedule(name, q.get('groupName') ?? 'default'); return {}; } },
  { method: 'GET', path: /^\/schedules$/, run: (s, _name, q) => listSchedules(s, q) },
  { method: 'POST', path: /^\/schedule-groups\/([^/]+)$/, run: (s, name) => ({ ScheduleGroupArn: s.createGroup(name) }) },
  { method: 'GET', path: /^\/schedule-groups\/([^/]+)$/, run: (s, name) => s.getGroup(name) },
];

/**
 * Serves EventBridge Scheduler's restJson1 API on 127.0.0.1 for the
 * operations the control plane and its tests use: CreateSchedule,
 * GetSchedule, DeleteSchedule, ListSchedules, CreateScheduleGroup and
 * GetScheduleGroup. Errors carry `x-amzn-errortype` and `{"Message"}`, as
 * the SDK expects.
 *
 * @example
 * const { url } = await startSchedulerServer(scheduler);
 * new SchedulerClient({ endpoint: url });
 */
export async function startSchedulerServer(scheduler: LocalScheduler, port = 0): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => { void serve(scheduler, req, res); });
  return listenLocal(server, port);
}

async function serve(scheduler: LocalScheduler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://local');
    const route = ROUTES.find((candidate) => candidate.method === req.method && candidate.path.test(url.pathname));
    if (!route) throw new SchedulerEmulatorError('UnknownOperationException', `${req.method ?? '?'} ${url.pathname} is not an emulated Scheduler operation`, 404);
    const name = decodeURIComponent(route.path.exec(url.pathname)?.[1] ?? '');
    const raw = (await readBody(req)).toString('utf8');
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    writeJson(res, 200, route.run(scheduler, name, url.searchParams, body));
  } catch (error) {
    const failure = error instanceof SchedulerEmulatorError ? error : new SchedulerEmulatorError('InternalServerException', (error as Error).message, 500);
    const bytes = Buffer.from(JSON.stringify({ Message: failure.message }));
    res.writeHead(failure.status, { 'content-type': 'application/json', 'content-length': bytes.length, 'x-amzn-errortype': failure.code });
    res.end(bytes);
  }
}

function listSchedules(scheduler: LocalScheduler, query: URLSearchParams): { Schedules: unknown[]; NextToken?: string } {
  const max = Number(query.get('MaxResults') ?? 100);
  if (!Number.isInteger(max) || max < 1 || max > 100) throw new SchedulerValidationError('MaxResults', String(query.get('MaxResults')), '1 to 100');
  const start = Number(query.get('NextToken') ?? 0);
  const group = query.get('ScheduleGroup');
  const prefix = query.get('NamePrefix');
  const state = query.get('State');
  const all = scheduler.listSchedules({ ...(group ? { groupName: group } : {}), ...(prefix ? { namePrefix: prefix } : {}), ...(state ? { state } : {}) });
  const page = all.slice(start, start + max).map((s) => ({
    Arn: s.Arn, Name: s.Name, GroupName: s.GroupName, State: s.State, CreationDate: s.CreationDate, LastModificationDate: s.LastModificationDate, Target: { Arn: s.Target.Arn },
  }));
  return { Schedules: page, ...(start + max < all.length ? { NextToken: String(start + max) } : {}) };
}
